package models

import "testing"

// TestCasePersonalInfoCoversTags: a tag holding one of the complainant's values counts as
// personal information of the case, in the field "tags", positions in the tag.
func TestCasePersonalInfoCoversTags(t *testing.T) {
	k := &Case{Title: "付款后商家拒不发货", Summary: "平台督促后退款。", Body: "商家不发货。", Tags: []string{"退款", "艾丽投诉"}}
	if hits := k.PersonalInfo(nil); len(hits) != 0 {
		t.Fatalf("without known values: %v", hits)
	}
	hits := k.PersonalInfo([]Known{{ScrubName, "艾丽"}})
	if len(hits) != 1 || hits[0].Field != CaseFieldTags || hits[0].Kind != ScrubName || hits[0].Start != 0 || hits[0].End != 2 ||
		hits[0].Marker != "艾**" {
		t.Fatalf("hits: %+v", hits)
	}
}
