package queue_test

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

// TestRenewalAgainstAHangingDatabaseCancelsInTime: the database does not refuse the renewal,
// it hangs (a black-holed connection) until the statement's context ends. The attempt is still
// cancelled while a sixth of its lease is left at least (a third by design, less the time the
// race detector and a busy machine add), before another instance could take it over.
func TestRenewalAgainstAHangingDatabaseCancelsInTime(t *testing.T) {
	st := testkit.Store(t)
	var hang atomic.Bool
	before := func(db *gorm.DB) {
		if hang.Load() && strings.Contains(db.Statement.Table, "jobs") {
			<-db.Statement.Context.Done()
			_ = db.AddError(errors.New("i/o timeout"))
		}
	}
	cb := st.DB().Callback()
	if err := cb.Update().Before("gorm:update").Register("review:hang", before); err != nil {
		t.Fatal(err)
	}
	const lease = 900 * time.Millisecond
	var claimedAt time.Time
	cancelled := make(chan time.Duration, 1)
	r := queue.New(st, queue.Config{Lease: lease, Sweep: 20 * time.Millisecond},
		map[string]queue.Handler{kindTest: func(ctx context.Context, j *models.Job) queue.Result {
			claimedAt = j.UpdatedAt // the claim's now; lease_until = claimedAt + lease
			hang.Store(true)
			select {
			case <-ctx.Done():
				cancelled <- time.Since(claimedAt)
			case <-time.After(10 * time.Second):
			}
			return queue.Result{State: models.JobAvailable, Error: "cancelled"}
		}}, nil)
	enqueue(t, st, newJob("d", time.Now()))
	stop := running(r)
	defer func() { hang.Store(false); stop() }()
	select {
	case d := <-cancelled:
		t.Logf("cancelled %v after the claim; lease %v, promise: before %v", d, lease, lease-lease/6)
		if d > lease-lease/6 {
			t.Fatalf("attempt still running %v after claim with a %v lease (lease_until passed %v ago, another instance may re-send)", d, lease, d-lease)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("never cancelled")
	}
}

// TestBusyDestinationBacklogIsNotChurned: a destination at its cap with a backlog is passed
// over by the claims while it is full, instead of having its backlog leased and sent back in a
// loop (claim → release → claim the next rows …).
func TestBusyDestinationBacklogIsNotChurned(t *testing.T) {
	st := testkit.Store(t)
	release := make(chan struct{})
	r := queue.New(st, queue.Config{Workers: 8, PerDestination: 2, Sweep: time.Second, Maintenance: time.Hour, Stall: 50 * time.Millisecond},
		map[string]queue.Handler{kindTest: func(ctx context.Context, j *models.Job) queue.Result {
			<-release
			return queue.Result{State: models.JobCompleted}
		}}, nil)
	now := time.Now()
	var jobs []models.Job
	for i := range 600 {
		jobs = append(jobs, newJob("hang", now.Add(time.Duration(i-1000)*time.Millisecond)))
	}
	enqueue(t, st, jobs...)
	count := countStatements(t, st)
	stop := running(r)
	defer func() { close(release); stop() }()
	time.Sleep(100 * time.Millisecond) // the two attempts are running
	c0 := count.claims.Load()
	time.Sleep(1500 * time.Millisecond)
	n := count.claims.Load() - c0
	t.Logf("1.5 s with one destination at its cap and 600 due: %d claims (sweep 1 s)", n)
	if n > 3 {
		t.Fatalf("%d claims in 1.5 s (sweep 1 s): the backlog of a busy destination is churned", n)
	}
}
