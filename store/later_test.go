package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

func laterJob(id string, now time.Time) models.Job {
	return models.Job{ID: id, Kind: models.JobSMS, State: models.JobAvailable, DueAt: now, Ref: id, Destination: "sms",
		CreatedAt: now, UpdatedAt: now}
}

// TestLaterInsertsCommitWithTheTransaction: inserts queued by Later are written when the
// transaction commits, after its other statements; a queued insert that fails (a duplicate
// key) rolls the whole transaction back, statements run at once included; a rolled-back
// transaction writes none of them.
func TestLaterInsertsCommitWithTheTransaction(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	count := func(ids ...string) int64 {
		var n int64
		if err := st.DB().Model(&models.Job{}).Where("id IN ?", ids).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}

	err := st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.Later(ctx, func(ctx context.Context, tx *store.Store) error {
			return tx.EnqueueJobs(ctx, []models.Job{laterJob("later-a", now), laterJob("later-b", now)})
		}); err != nil {
			return err
		}
		return tx.EnqueueJobs(ctx, []models.Job{laterJob("at-once", now)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count("later-a", "later-b", "at-once"); n != 3 {
		t.Fatalf("%d of 3 rows committed", n)
	}

	err = st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.EnqueueJobs(ctx, []models.Job{laterJob("before-duplicate", now)}); err != nil {
			return err
		}
		return tx.Later(ctx, func(ctx context.Context, tx *store.Store) error {
			return tx.EnqueueJobs(ctx, []models.Job{laterJob("fresh", now), laterJob("later-a", now)})
		})
	})
	if !store.IsDuplicate(err) {
		t.Fatalf("a duplicate among the queued inserts: %v", err)
	}
	if n := count("before-duplicate", "fresh"); n != 0 {
		t.Fatalf("%d rows of a transaction that failed at its commit were kept", n)
	}

	err = st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.Later(ctx, func(ctx context.Context, tx *store.Store) error {
			return tx.EnqueueJobs(ctx, []models.Job{laterJob("rolled-back", now)})
		}); err != nil {
			return err
		}
		return errors.New("the command refused")
	})
	if err == nil || count("rolled-back") != 0 {
		t.Fatalf("a rolled-back transaction: %v, %d rows", err, count("rolled-back"))
	}
}
