package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
)

// TestDeliveryQueueStatsReadJobs: the depth counts webhook deliveries waiting for an attempt
// (not running or finished ones, nor other kinds), and the oldest due is the earliest due one.
func TestDeliveryQueueStatsReadJobs(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	job := func(kind, state string, due time.Time) models.Job {
		return models.Job{ID: models.NewID(), Kind: kind, State: state, DueAt: due, Ref: "evt", Destination: "ep",
			CreatedAt: now, UpdatedAt: now}
	}
	if depth, oldest, err := st.DeliveryQueueStats(ctx, now); depth != 0 || oldest != nil || err != nil {
		t.Fatalf("empty queue: %d %v %v", depth, oldest, err)
	}
	if err := st.EnqueueJobs(ctx, []models.Job{
		job(models.JobWebhookDelivery, models.JobAvailable, now.Add(-time.Minute)),
		job(models.JobWebhookDelivery, models.JobAvailable, now.Add(-time.Second)),
		job(models.JobWebhookDelivery, models.JobAvailable, now.Add(time.Hour)), // waiting, not due
		job(models.JobWebhookDelivery, models.JobRunning, now.Add(-time.Hour)),
		job(models.JobWebhookDelivery, models.JobCompleted, now.Add(-2*time.Hour)),
		job(models.JobSMS, models.JobAvailable, now.Add(-3*time.Hour)),
	}); err != nil {
		t.Fatal(err)
	}
	depth, oldest, err := st.DeliveryQueueStats(ctx, now)
	if err != nil || depth != 3 || oldest == nil || !oldest.Equal(now.Add(-time.Minute)) {
		t.Fatalf("stats: depth %d, oldest due %v, %v", depth, oldest, err)
	}
	open, err := st.HasOpenJob(ctx, models.JobSMS, "evt")
	if err != nil || !open {
		t.Fatalf("open sms job: %v %v", open, err)
	}
	if open, err := st.HasOpenJob(ctx, models.JobDeliverAwaiting, "evt"); err != nil || open {
		t.Fatalf("open deliver_awaiting job: %v %v", open, err)
	}
}
