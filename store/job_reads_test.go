package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
)

// TestHasOpenJob: a waiting or running job of the kind for the ref counts, a finished one or
// another kind does not.
func TestHasOpenJob(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	job := func(kind, state string) models.Job {
		return models.Job{ID: models.NewID(), Kind: kind, State: state, DueAt: now, Ref: "evt", Destination: "ep",
			CreatedAt: now, UpdatedAt: now}
	}
	if err := st.EnqueueJobs(ctx, []models.Job{job(models.JobSMS, models.JobAvailable),
		job(models.JobAutoComplete, models.JobCompleted)}); err != nil {
		t.Fatal(err)
	}
	open, err := st.HasOpenJob(ctx, models.JobSMS, "evt")
	if err != nil || !open {
		t.Fatalf("open sms job: %v %v", open, err)
	}
	for _, kind := range []string{models.JobDeliverAwaiting, models.JobAutoComplete} {
		if open, err := st.HasOpenJob(ctx, kind, "evt"); err != nil || open {
			t.Fatalf("open %s job: %v %v", kind, open, err)
		}
	}
}
