package dispatch_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
)

// TestConcurrentAttemptsShareTheirStatements: attempts that need their events while a read
// is in flight share the next read, and the delivery log is inserted a group at a time.
func TestConcurrentAttemptsShareTheirStatements(t *testing.T) {
	st := testkit.Store(t)
	rc := newReceiver(t, nil)
	ep := endpoint(t, st, rc.URL)
	const n = 64
	commit(t, st, ep, n)
	var reads, inserts atomic.Int64
	count := func(db *gorm.DB) {
		sql := db.Statement.SQL.String()
		switch {
		case strings.HasPrefix(sql, "SELECT") && db.Statement.Table == "webhook_events":
			reads.Add(1)
		case strings.HasPrefix(sql, "INSERT") && db.Statement.Table == "webhook_attempts":
			inserts.Add(1)
		}
	}
	if err := st.DB().Callback().Query().After("gorm:query").Register("test:reads", count); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Callback().Create().After("gorm:create").Register("test:inserts", count); err != nil {
		t.Fatal(err)
	}
	// A slow database: every read of events takes 20 ms.
	slow := func(db *gorm.DB) {
		if db.Statement.Table == "webhook_events" {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := st.DB().Callback().Query().Before("gorm:query").Register("test:slow", slow); err != nil {
		t.Fatal(err)
	}
	stop := start(runner(st, queue.Config{}, 5*time.Second, nil))
	defer stop()
	waitFor(t, 10*time.Second, "every delivery completed", func() bool {
		var done int64
		st.DB().Model(&models.Job{}).Where("state = ?", models.JobCompleted).Count(&done)
		return done == n
	})
	stop()
	t.Logf("%d deliveries: %d reads of events, %d inserts into the log", n, reads.Load(), inserts.Load())
	// Unshared, each delivery would read its event and insert its log row alone (64 and 64);
	// how many groups form depends on timing, so the bound is half of that.
	if reads.Load() > n/2 || inserts.Load() > n/2 {
		t.Fatalf("%d deliveries took %d reads of events and %d inserts into the log", n, reads.Load(), inserts.Load())
	}
	var logged int64
	st.DB().Model(&models.WebhookAttempt{}).Count(&logged)
	if logged != n || rc.total.Load() != n {
		t.Fatalf("%d attempts logged, %d requests, for %d deliveries", logged, rc.total.Load(), n)
	}
}

// TestDeliveryWaitsWhenItsEventCannotBeRead: a database error before anything is sent puts
// the delivery back for a moment without using up one of its attempts.
func TestDeliveryWaitsWhenItsEventCannotBeRead(t *testing.T) {
	st := testkit.Store(t)
	rc := newReceiver(t, nil)
	ep := endpoint(t, st, rc.URL)
	id := commit(t, st, ep, 1)[0]
	refuse := func(db *gorm.DB) {
		if db.Statement.Table == "webhook_events" {
			_ = db.AddError(errors.New("connection refused"))
		}
	}
	if err := st.DB().Callback().Query().Before("gorm:query").Register("test:refuse", refuse); err != nil {
		t.Fatal(err)
	}
	r := runner(st, queue.Config{}, 5*time.Second, nil)
	before := time.Now()
	if _, err := r.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	var job models.Job
	st.DB().Where("ref = ?", id).Take(&job)
	if job.State != models.JobAvailable || job.Attempts != 0 || !job.DueAt.After(before) || rc.total.Load() != 0 {
		t.Fatalf("after a failed read: %+v, %d requests", job, rc.total.Load())
	}
}

// TestDeliveryClaimedBeforeItsEventIsVisibleIsSent: a delivery claimed before its event can
// be read (a claim can see a commit a moment before a plain read does) waits for it instead of
// being discarded, without using up an attempt; one whose event is still missing after the
// grace is discarded.
func TestDeliveryClaimedBeforeItsEventIsVisibleIsSent(t *testing.T) {
	st := testkit.Store(t)
	rc := newReceiver(t, nil)
	ep := endpoint(t, st, rc.URL)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	job := func(ref string, created time.Time) models.Job {
		return models.Job{ID: models.NewID(), Kind: models.JobWebhookDelivery, State: models.JobAvailable, DueAt: now,
			Ref: ref, Destination: ep.ID, PlatformID: ep.PlatformID, EventType: models.EventComplaintDelivered,
			Trigger: models.TriggerScheduled, CreatedAt: created, UpdatedAt: created}
	}
	early, orphan := job("evt_"+models.NewID(), now), job("evt_"+models.NewID(), now.Add(-2*queue.UnseenGrace))
	if err := st.EnqueueJobs(ctx, []models.Job{early, orphan}); err != nil {
		t.Fatal(err)
	}
	stop := start(runner(st, queue.Config{}, 5*time.Second, nil))
	defer stop()
	var got models.Job
	read := func(id string) {
		got = models.Job{}
		if err := st.DB().Where("id = ?", id).Take(&got).Error; err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 10*time.Second, "the delivery whose event is missing past the grace discarded", func() bool {
		read(orphan.ID)
		return got.State == models.JobDiscarded
	})
	waitFor(t, 10*time.Second, "the early delivery tried", func() bool {
		read(early.ID)
		return got.LastError != nil
	})
	if got.State != models.JobAvailable || got.Attempts != 0 {
		t.Fatalf("a delivery whose event cannot be read yet: state %s after %d attempts (%v)", got.State, got.Attempts, *got.LastError)
	}
	if err := st.AddWebhookEvent(ctx, &models.WebhookEvent{ID: early.Ref, PlatformID: ep.PlatformID,
		Type: models.EventComplaintDelivered, Payload: []byte(`{"id":"` + early.Ref + `"}`), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the delivery sent once its event is visible", func() bool { return rc.count(early.Ref) == 1 })
	stop()
	read(early.ID)
	if got.State != models.JobCompleted || got.Attempts != 1 {
		t.Fatalf("after its event appeared: state %s after %d attempts", got.State, got.Attempts)
	}
}
