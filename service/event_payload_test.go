package service

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// eventWith is a complaint event whose complaint has s supplements and r replies of n bytes
// each, every one stamped at the same second.
func eventWith(s, r, n int) ComplaintEvent {
	v := ComplaintView{ID: "c1", Description: "d", SupplementCount: s, ReplyCount: r}
	for i := range s {
		v.Supplements = append(v.Supplements, SupplementView{Text: fmt.Sprintf("s%02d", i) + strings.Repeat("x", n), Evidence: []EvidenceView{}, CreatedAt: "2026-11-26T08:00:00Z"})
	}
	for i := range r {
		v.Replies = append(v.Replies, ReplyView{ID: fmt.Sprint(i), Content: fmt.Sprintf("r%02d", i) + strings.Repeat("x", n), Evidence: []EvidenceView{}, CreatedAt: "2026-11-26T08:00:00Z"})
	}
	return ComplaintEvent{ID: "evt_1", Type: "complaint.supplemented", Data: ComplaintEventData{Complaint: v, URL: PlatformComplaintPath("c1")}}
}

func decodeEvent(t *testing.T, body []byte) ComplaintView {
	t.Helper()
	var ev ComplaintEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	return ev.Data.Complaint
}

func TestComplaintEventBodyBound(t *testing.T) {
	t.Run("short lists are listed whole", func(t *testing.T) {
		body, err := complaintEventBody(eventWith(3, 2, 10))
		if err != nil {
			t.Fatal(err)
		}
		if c := decodeEvent(t, body); len(c.Supplements) != 3 || len(c.Replies) != 2 {
			t.Fatalf("%d supplements, %d replies", len(c.Supplements), len(c.Replies))
		}
	})
	t.Run("the latest 20 of each", func(t *testing.T) {
		body, err := complaintEventBody(eventWith(30, 45, 10))
		if err != nil {
			t.Fatal(err)
		}
		c := decodeEvent(t, body)
		if len(c.Supplements) != EventListMax || len(c.Replies) != EventListMax || c.SupplementCount != 30 || c.ReplyCount != 45 {
			t.Fatalf("%d supplements, %d replies, counts %d %d", len(c.Supplements), len(c.Replies), c.SupplementCount, c.ReplyCount)
		}
		if !strings.HasPrefix(c.Supplements[0].Text, "s10") || !strings.HasPrefix(c.Replies[0].Content, "r25") {
			t.Fatalf("first listed %.3s and %.3s, want s10 and r25", c.Supplements[0].Text, c.Replies[0].Content)
		}
	})
	t.Run("on a tie the longer list gives up entries, replies first, the last supplement kept", func(t *testing.T) {
		body, err := complaintEventBody(eventWith(20, 20, 40<<10))
		if err != nil {
			t.Fatal(err)
		}
		if len(body) > EventPayloadMaxBytes {
			t.Fatalf("%d bytes, over %d", len(body), EventPayloadMaxBytes)
		}
		c := decodeEvent(t, body)
		if s, r := len(c.Supplements), len(c.Replies); s+r >= 40 || (s != r && s != r+1) {
			t.Fatalf("%d supplements and %d replies listed", s, r)
		}
		if !strings.HasPrefix(c.Supplements[len(c.Supplements)-1].Text, "s19") {
			t.Fatal("the last supplement was left out")
		}
	})
}
