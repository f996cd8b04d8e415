package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
)

// oldDelivery is a row of the outbox that came before the work queue.
type oldDelivery struct {
	ID            string `gorm:"primaryKey;size:40"`
	EventID       string `gorm:"size:44"`
	EndpointID    string `gorm:"size:40"`
	PlatformID    string `gorm:"size:40"`
	EventType     string `gorm:"size:40"`
	Trigger       string `gorm:"size:16"`
	State         string `gorm:"size:16"`
	Attempts      int
	NextAttemptAt time.Time
	CreatedAt     time.Time
}

func (oldDelivery) TableName() string { return "webhook_deliveries" }

// TestMigrateAdoptsPendingWork: what the code before the work queue left unsent (messages
// pending or caught mid-send, deliveries waiting in the old outbox) becomes jobs when the
// schema is migrated, once however often the migration runs; finished work is left alone.
func TestMigrateAdoptsPendingWork(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	db := st.DB()
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	if err := db.AutoMigrate(&oldDelivery{}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []oldDelivery{
		{ID: "d-pending", EventID: "evt_1", EndpointID: "ep1", PlatformID: "p1", EventType: models.EventComplaintDelivered,
			Trigger: models.TriggerScheduled, State: "pending", NextAttemptAt: now, CreatedAt: now},
		{ID: "d-retrying", EventID: "evt_2", EndpointID: "ep1", PlatformID: "p1", EventType: models.EventComplaintRated,
			Trigger: models.TriggerManual, State: "retrying", Attempts: 2, NextAttemptAt: now.Add(time.Hour), CreatedAt: now},
		{ID: "d-done", EventID: "evt_3", EndpointID: "ep1", PlatformID: "p1", State: "succeeded", NextAttemptAt: now, CreatedAt: now},
	} {
		if err := db.Create(&d).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []models.Notification{
		{ID: "n-pending", ComplaintID: "c", Phone: "13800138000", Kind: models.NotifyDelivered, Text: "x", Status: models.NotificationPending, CreatedAt: now},
		{ID: "n-sending", ComplaintID: "c", Phone: "13800138000", Kind: models.NotifyReplied, Text: "x", Status: "sending", Attempts: 1, CreatedAt: now},
		{ID: "n-sent", ComplaintID: "c", Phone: "13800138000", Kind: models.NotifyRejected, Text: "x", Status: models.NotificationSent, CreatedAt: now},
		{ID: "n-queued", ComplaintID: "c", Phone: "13800138000", Kind: models.NotifyRejected, Text: "x", Status: models.NotificationPending, CreatedAt: now},
	} {
		if err := db.Create(&n).Error; err != nil {
			t.Fatal(err)
		}
	}
	// A message written with its job already, as every one is now.
	if err := st.EnqueueJobs(ctx, []models.Job{{ID: models.NewID(), Kind: models.JobSMS, State: models.JobAvailable, DueAt: now,
		Ref: "n-queued", Destination: models.DestinationSMS, CreatedAt: now, UpdatedAt: now}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var jobs []models.Job
	if err := db.Order("ref").Find(&jobs).Error; err != nil {
		t.Fatal(err)
	}
	got := map[string]models.Job{}
	for _, j := range jobs {
		if _, dup := got[j.Ref]; dup {
			t.Fatalf("two jobs for %s", j.Ref)
		}
		got[j.Ref] = j
	}
	if len(got) != 5 {
		t.Fatalf("jobs for %v, want evt_1, evt_2, n-pending, n-sending, n-queued", jobs)
	}
	for _, ref := range []string{"n-pending", "n-sending"} {
		if j := got[ref]; j.Kind != models.JobSMS || j.State != models.JobAvailable || j.Destination != models.DestinationSMS {
			t.Errorf("job of %s: %+v", ref, j)
		}
	}
	if j := got["evt_2"]; j.Kind != models.JobWebhookDelivery || j.Destination != "ep1" || j.Attempts != 2 || j.Trigger != models.TriggerManual ||
		!j.DueAt.Equal(now.Add(time.Hour)) || j.EventType != models.EventComplaintRated || j.PlatformID != "p1" {
		t.Errorf("job of the retrying delivery: %+v", j)
	}
	var n models.Notification
	if err := db.Where("id = ?", "n-sending").Take(&n).Error; err != nil || n.Status != models.NotificationPending {
		t.Fatalf("a message caught mid-send: %+v, %v", n, err)
	}
}

// TestMigrateDropsTheJobsLeaseIndex: the lease index of an earlier schema goes at the next
// start (the claim index serves the rescue of expired leases), and expired leases are still
// rescued.
func TestMigrateDropsTheJobsLeaseIndex(t *testing.T) {
	ctx := context.Background()
	st := testkit.Store(t)
	db := st.DB()
	if err := db.Exec("CREATE INDEX idx_jobs_lease ON jobs (state, lease_until)").Error; err != nil {
		t.Fatal(err)
	}
	if !db.Migrator().HasIndex(&models.Job{}, "idx_jobs_lease") {
		t.Fatal("the earlier index was not made")
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if db.Migrator().HasIndex(&models.Job{}, "idx_jobs_lease") {
		t.Fatal("the lease index is still there after the migration")
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	owner, until := "gone/1", now.Add(-time.Second)
	job := models.Job{ID: models.NewID(), Kind: models.JobSMS, State: models.JobRunning, DueAt: now.Add(-time.Minute),
		LeaseOwner: &owner, LeaseUntil: &until, Ref: "n1", Destination: models.DestinationSMS, CreatedAt: now, UpdatedAt: now}
	if err := db.Create(&job).Error; err != nil {
		t.Fatal(err)
	}
	n, err := st.RescueJobs(ctx, now)
	if err != nil || n != 1 {
		t.Fatalf("rescued %d (%v), want the one expired lease", n, err)
	}
}
