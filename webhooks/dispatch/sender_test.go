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
