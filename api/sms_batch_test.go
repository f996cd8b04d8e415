package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
)

// TestTextMessagesShareTheirStatements: text messages sent at once by the work queue read
// their notifications together and are marked sent together, each with its own time, instead
// of one read and one update each.
func TestTextMessagesShareTheirStatements(t *testing.T) {
	sms := &smsProvider{}
	w := newWorldWith(t, func(o *appOptions) { o.sms = sms })
	const n = 48
	for i := range n {
		id := w.file(w.consumer, map[string]any{"order_no": fmt.Sprintf("TB20261126%05d", i)})["id"].(string)
		w.accept(id)
	}
	var reads, updates atomic.Int64
	count := func(db *gorm.DB) {
		if db.Statement.Table != "notifications" {
			return
		}
		switch sql := db.Statement.SQL.String(); {
		case strings.HasPrefix(sql, "SELECT"):
			reads.Add(1)
		case strings.HasPrefix(sql, "UPDATE"):
			updates.Add(1)
		}
	}
	// A slow database: every read of notifications takes 20 ms, so that jobs overlap.
	slow := func(db *gorm.DB) {
		if db.Statement.Table == "notifications" {
			time.Sleep(20 * time.Millisecond)
		}
	}
	cb := w.st.DB().Callback()
	for _, err := range []error{
		cb.Query().Before("gorm:query").Register("test:slow", slow),
		cb.Query().After("gorm:query").Register("test:reads", count),
		cb.Update().After("gorm:update").Register("test:updates", count),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	r := newRunner(w.st, runnerOptions{policy: testPolicy, clock: w.clock, workers: 32,
		handlers: map[string]queue.Handler{models.JobSMS: w.svc.JobHandlers()[models.JobSMS]}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	r.Wake()
	testkit.WaitFor(t, 20*time.Second, "every message sent", func() bool {
		var left int64
		w.st.DB().Model(&models.Job{}).Where("kind = ? AND state <> ?", models.JobSMS, models.JobCompleted).Count(&left)
		return left == 0
	})
	cancel()
	<-done
	t.Logf("%d messages: %d reads and %d updates of notifications", n, reads.Load(), updates.Load())
	if reads.Load() > n/2 || updates.Load() > n/2 {
		t.Fatalf("%d messages took %d reads and %d updates of notifications", n, reads.Load(), updates.Load())
	}
	var ns []models.Notification
	if err := w.st.DB().Find(&ns).Error; err != nil {
		t.Fatal(err)
	}
	if calls, sent := sms.count(); len(ns) != n || calls != n || sent != n {
		t.Fatalf("%d notifications, %d calls, %d sent", len(ns), calls, sent)
	}
	for _, note := range ns {
		if note.Status != models.NotificationSent || note.Attempts != 1 || note.SentAt == nil {
			t.Fatalf("notification: %+v", note)
		}
	}
}
