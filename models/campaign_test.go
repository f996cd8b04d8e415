package models

import "testing"

// The campaign state machine is one path: planned → open → closed → reported, one step at a time.
func TestCampaignTransitions(t *testing.T) {
	all := []CampaignStatus{CampaignPlanned, CampaignOpen, CampaignClosed, CampaignReported}
	for i, from := range all {
		for j, to := range all {
			if got, want := from.CanBecome(to), j == i+1; got != want {
				t.Errorf("%s → %s: %v, want %v", from, to, got, want)
			}
		}
		if from.Label() == "" || !from.Valid() {
			t.Errorf("%s has no label", from)
		}
	}
	if CampaignStatus("archived").Valid() || CampaignStatus("archived").CanBecome(CampaignOpen) {
		t.Error("an unknown status is valid")
	}
}

func TestCampaignDay(t *testing.T) {
	for s, ok := range map[string]bool{"2024-07-23": true, "2024-02-29": true, "2023-02-29": false, "2024-7-23": false,
		"2024-07-23T00:00:00Z": false, "": false,
		"0001-01-01": false, "1999-12-31": false, "2000-01-01": true, "9998-12-31": true, "9999-01-01": false} {
		if _, got := CampaignDay(s); got != ok {
			t.Errorf("CampaignDay(%q): %v, want %v", s, got, ok)
		}
	}
	d, _ := CampaignDay("2024-07-23")
	if d.UTC().Format("2006-01-02T15:04") != "2024-07-22T16:00" {
		t.Errorf("2024-07-23 starts at %v, want China midnight", d.UTC())
	}
}

func TestCampaignWatches(t *testing.T) {
	every, some := &Campaign{}, &Campaign{PlatformIDs: []string{"p1"}}
	if !every.Watches("p9") || !some.Watches("p1") || some.Watches("p9") {
		t.Error("watches: an empty list is every platform, a list only its own")
	}
}
