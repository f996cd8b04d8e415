package store_test

import (
	"context"
	"errors"
	"strings"
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
		if err := tx.Later(ctx, func(ctx context.Context, tx *store.Store) error {
			return tx.EnqueueJobs(ctx, []models.Job{laterJob("fresh", now)})
		}); err != nil {
			return err
		}
		// The duplicate in the second statement of the batch.
		return tx.Later(ctx, func(ctx context.Context, tx *store.Store) error {
			return tx.EnqueueJobs(ctx, []models.Job{laterJob("later-a", now)})
		})
	})
	if !store.IsDuplicate(err) || (st.Driver() == "mysql") != store.IsDeferredDuplicate(err) {
		t.Fatalf("a duplicate among the queued inserts: %v (deferred: %v)", err, store.IsDeferredDuplicate(err))
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

// TestLaterRefusesWhatItCannotQueue: inside Later, a statement other than an insert, or an
// insert into a table platforms' views are made of, fails instead of being dropped or going
// unheard by the view watch (MariaDB, where Later queues).
func TestLaterRefusesWhatItCannotQueue(t *testing.T) {
	st := testkit.Store(t)
	if st.Driver() != "mysql" {
		t.Skip("Later queues on MariaDB only; set DSB_TEST_MYSQL_DSN")
	}
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	for name, fn := range map[string]func(ctx context.Context, tx *store.Store) error{
		"update": func(ctx context.Context, tx *store.Store) error {
			return tx.MarkNotificationsSent(ctx, models.NotificationSent, []store.SentNotification{{ID: "x", At: now}})
		},
		"read": func(ctx context.Context, tx *store.Store) error {
			_, err := tx.NotificationsByIDs(ctx, []string{"x"})
			return err
		},
		"watched insert": func(ctx context.Context, tx *store.Store) error {
			return tx.AddSupplements(ctx, []models.Supplement{{ID: models.NewID(), ComplaintID: "c", Text: "t", CreatedAt: now}})
		},
	} {
		err := st.Tx(ctx, func(tx *store.Store) error { return tx.Later(ctx, fn) })
		if err == nil || !strings.Contains(err.Error(), "store: Later") {
			t.Errorf("%s inside Later: %v", name, err)
		}
	}
}

// TestLaterSplitsLargeBatches: queued rows larger together than one packet the server takes
// (16 MiB by default) are sent in several round trips, and all commit.
func TestLaterSplitsLargeBatches(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	payload := []byte(`{"p":"` + strings.Repeat("x", 500<<10) + `"}`)
	const n = 40 // 20 MB of payloads
	ids := make([]string, n)
	err := st.Tx(ctx, func(tx *store.Store) error {
		for i := range ids {
			ids[i] = "evt_" + models.NewID()
			ev := models.WebhookEvent{ID: ids[i], PlatformID: "p", ComplaintID: "c", Type: models.EventComplaintDelivered, Payload: payload, CreatedAt: now}
			if err := tx.Later(ctx, func(ctx context.Context, tx *store.Store) error { return tx.AddWebhookEvent(ctx, &ev) }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := st.WebhookEventsByIDs(ctx, ids)
	if err != nil || len(evs) != n {
		t.Fatalf("%d of %d events committed: %v", len(evs), n, err)
	}
}
