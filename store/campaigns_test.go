package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// A transaction that saw a campaign open with CampaignStatusShared holds off a change of its
// status until it commits: what it tags is in before the campaign closes.
func TestCampaignStatusSharedHoldsOffAMove(t *testing.T) {
	ctx := context.Background()
	st := testkit.Store(t)
	at := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	c := &models.Campaign{ID: models.NewID(), Title: "调查行动", Topic: "主题", StartsOn: "2026-11-01", EndsOn: "2026-11-30",
		Status: models.CampaignOpen, CreatedBy: "u1", CreatedAt: at, UpdatedAt: at}
	if err := st.CreateCampaign(ctx, c); err != nil {
		t.Fatal(err)
	}
	seen, release, tagged := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		tagged <- st.Tx(ctx, func(tx *store.Store) error {
			status, err := tx.CampaignStatusShared(ctx, c.ID)
			if err != nil || status != models.CampaignOpen {
				t.Errorf("status %q, %v", status, err)
			}
			close(seen)
			<-release
			_, err = tx.TagComplaints(ctx, []models.CampaignComplaint{{CampaignID: c.ID, ComplaintID: "c1", Source: models.TagByStaff, TaggedBy: "u1", TaggedAt: at}})
			return err
		})
	}()
	<-seen
	moved := make(chan error, 1)
	go func() {
		moved <- st.Tx(ctx, func(tx *store.Store) error {
			ok, err := tx.MoveCampaign(ctx, c.ID, models.CampaignOpen, models.CampaignClosed, at, nil)
			if err == nil && !ok {
				t.Error("the move found the campaign not open")
			}
			return err
		})
	}()
	select {
	case err := <-moved:
		t.Fatalf("the campaign closed while a transaction that saw it open ran (%v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-tagged; err != nil {
		t.Fatal(err)
	}
	if err := <-moved; err != nil {
		t.Fatal(err)
	}
	got, err := st.CampaignByID(ctx, c.ID)
	if err != nil || got.Status != models.CampaignClosed {
		t.Fatalf("after: %+v %v", got, err)
	}
}
