package models

import "testing"

// The moderators' form offers every reason the service accepts, each once.
func TestAllRejectionReasonsAreTheLabelledOnes(t *testing.T) {
	seen := map[RejectionReason]bool{}
	for _, r := range AllRejectionReasons {
		if _, ok := RejectionReasonLabels[r]; !ok || seen[r] {
			t.Errorf("%s: not labelled, or listed twice", r)
		}
		seen[r] = true
	}
	if len(seen) != len(RejectionReasonLabels) {
		t.Errorf("%d reasons listed, %d labelled", len(seen), len(RejectionReasonLabels))
	}
}
