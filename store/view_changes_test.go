package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

type heardViews struct {
	mu  sync.Mutex
	got []store.ViewChange
}

func (h *heardViews) take() []store.ViewChange {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.got
	h.got = nil
	return out
}

func listen(st *store.Store) *heardViews {
	h := &heardViews{}
	st.WatchViews(func(v store.ViewChange) {
		h.mu.Lock()
		h.got = append(h.got, v)
		h.mu.Unlock()
	})
	return h
}

func wantHeard(t *testing.T, h *heardViews, what string, want ...store.ViewChange) {
	t.Helper()
	got := h.take()
	for i := range got {
		slices.Sort(got[i].Platforms)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: heard %+v, want %+v", what, got, want)
	}
	for i := range got {
		if got[i].All != want[i].All || !slices.Equal(got[i].Platforms, want[i].Platforms) {
			t.Fatalf("%s: heard %+v, want %+v", what, got, want)
		}
	}
}

// TestWritesToWhatPlatformsReadAreHeardAfterCommit: every committed write to the tables a
// platform's view is built from reaches WatchViews once, after its commit, naming the
// platforms when the write does, and everything when it cannot be tied to them; a transaction
// rolled back is never heard of, and writes to other tables are not either.
func TestWritesToWhatPlatformsReadAreHeardAfterCommit(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	h := listen(st)
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	c := testComplaint("v1", models.StatusDelivered, nil, now)
	must(t, st.CreateComplaint(ctx, c))
	wantHeard(t, h, "a lone insert", store.ViewChange{Platforms: []string{"p1"}})

	// A command: the complaint, a supplement and a reply; heard once, at the commit.
	err := st.Tx(ctx, func(tx *store.Store) error {
		after := *c
		after.Version, after.UpdatedAt = 2, now.Add(time.Second)
		if err := tx.UpdateComplaint(ctx, c, &after); err != nil {
			return err
		}
		if err := tx.AddSupplements(ctx, []models.Supplement{{ID: "s1", ComplaintID: c.ID, Text: "补充", CreatedAt: now}}); err != nil {
			return err
		}
		if err := tx.AddReplies(ctx, []models.Reply{{ID: "r1", ComplaintID: c.ID, PlatformID: "p2", Content: "回复", CreatedAt: now}}); err != nil {
			return err
		}
		if got := h.take(); len(got) != 0 {
			t.Errorf("heard %+v before the commit", got)
		}
		return nil
	})
	must(t, err)
	wantHeard(t, h, "a committed command", store.ViewChange{Platforms: []string{"p1", "p2"}})

	// Rolled back: nothing.
	boom := errors.New("boom")
	err = st.Tx(ctx, func(tx *store.Store) error {
		after := *c
		after.Version, after.UpdatedAt = 2, now.Add(time.Second)
		before := after
		before.Version = 1
		after.Version = 3
		if err := tx.UpdateComplaint(ctx, &before, &after); err != nil && !errors.Is(err, store.ErrComplaintChanged) {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	wantHeard(t, h, "a rolled-back transaction")

	// A supplement whose complaint the transaction does not update cannot be tied to a platform.
	must(t, st.Tx(ctx, func(tx *store.Store) error {
		return tx.AddSupplements(ctx, []models.Supplement{{ID: "s2", ComplaintID: c.ID, Text: "补充", CreatedAt: now}})
	}))
	wantHeard(t, h, "a supplement alone", store.ViewChange{All: true})

	// A raw write naming a watched table, an erasure, evidence changed: everything.
	must(t, st.DB().Exec("UPDATE complaints SET description = ? WHERE id = ?", "改过", c.ID).Error)
	wantHeard(t, h, "a raw update", store.ViewChange{All: true})
	_, err = st.EraseReplyContents(ctx, []string{c.ID})
	must(t, err)
	wantHeard(t, h, "an erasure", store.ViewChange{All: true})

	// A write that changes no row, and writes to tables no platform reads: nothing.
	must(t, st.DB().Exec("UPDATE complaints SET description = ? WHERE id = ?", "x", "no-such-complaint").Error)
	must(t, st.AddTimelineItems(ctx, []models.TimelineItem{{ID: "t1", ComplaintID: c.ID, At: now, To: models.StatusDelivered,
		ActorType: models.ActorSystem}}))
	wantHeard(t, h, "writes no platform reads")
}
