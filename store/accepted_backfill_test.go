package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
)

// TestAcceptedAtBackfilledOnUpgrade: complaints from before accepted_at get the moment of their
// timeline's first step out of review; those never let through keep none, and a second start
// changes nothing.
func TestAcceptedAtBackfilledOnUpgrade(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	base := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	pending := models.StatusPendingReview
	waiting := models.StatusAwaitingContact
	steps := map[string][]models.TimelineItem{
		"waiting": {{To: pending}, {From: &pending, To: waiting}},
		"late":    {{To: pending}, {From: &pending, To: waiting}, {From: &waiting, To: models.StatusDelivered}},
		"direct":  {{To: pending}, {From: &pending, To: models.StatusDelivered}},
		"refused": {{To: pending}, {From: &pending, To: models.StatusRejected}},
	}
	status := map[string]models.Status{"waiting": waiting, "late": models.StatusDelivered, "direct": models.StatusCompleted, "refused": models.StatusRejected}
	for id, items := range steps {
		if err := st.CreateComplaint(ctx, testComplaint(id, status[id], nil, base)); err != nil {
			t.Fatal(err)
		}
		for i := range items {
			items[i].ID, items[i].ComplaintID, items[i].At, items[i].ActorType = models.NewID(), id, base.Add(time.Duration(i)*time.Hour), models.ActorModerator
		}
		if err := st.AddTimelineItems(ctx, items); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var cs []models.Complaint
	if err := st.DB().Order("id").Find(&cs).Error; err != nil {
		t.Fatal(err)
	}
	want := map[string]*time.Time{"waiting": ptr(base.Add(time.Hour)), "late": ptr(base.Add(time.Hour)), "direct": ptr(base.Add(time.Hour)), "refused": nil}
	for _, c := range cs {
		w := want[c.ID]
		if (w == nil) != (c.AcceptedAt == nil) || w != nil && !w.Equal(*c.AcceptedAt) {
			t.Errorf("%s: accepted_at %v, want %v", c.ID, c.AcceptedAt, w)
		}
	}
}

func ptr[T any](v T) *T { return &v }
