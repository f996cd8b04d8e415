package queue_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
	"github.com/dianshubao/dianshubao/store"
)

// blockingRunner runs attempts that wait for their context and reports when it ended.
func blockingRunner(st *store.Store, lease time.Duration, onStart func()) (*queue.Runner, chan time.Duration) {
	cancelled := make(chan time.Duration, 1)
	r := queue.New(st, queue.Config{Lease: lease, Sweep: 20 * time.Millisecond},
		map[string]queue.Handler{kindTest: func(ctx context.Context, j *models.Job) queue.Result {
			began := time.Now()
			onStart()
			select {
			case <-ctx.Done():
				cancelled <- time.Since(began)
			case <-time.After(10 * time.Second):
			}
			return queue.Result{State: models.JobAvailable, Error: "cancelled"}
		}}, nil)
	return r, cancelled
}

// TestAttemptCancelledBeforeItsLeaseLapses: when the lease cannot be renewed (the database is
// away), the attempt's context ends while part of the lease is left, before another instance
// could take the job over.
func TestAttemptCancelledBeforeItsLeaseLapses(t *testing.T) {
	st := testkit.Store(t)
	count := countStatements(t, st)
	const lease = 600 * time.Millisecond
	r, cancelled := blockingRunner(st, lease, func() { count.refuse.Store(true) })
	enqueue(t, st, newJob("d", time.Now()))
	stop := running(r)
	defer stop()
	select {
	case d := <-cancelled:
		t.Logf("cancelled after %v of a %v lease", d, lease)
		if d >= lease {
			t.Fatalf("cancelled after %v, the lease was %v", d, lease)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an attempt whose lease could not be renewed went on")
	}
	count.refuse.Store(false)
}

// TestAttemptCancelledWhenItsLeaseIsTaken: a lease taken over by another runner ends the
// attempt that lost it at the next renewal.
func TestAttemptCancelledWhenItsLeaseIsTaken(t *testing.T) {
	st := testkit.Store(t)
	started := make(chan struct{})
	r, cancelled := blockingRunner(st, 3*time.Second, func() { close(started) })
	j := newJob("d", time.Now())
	enqueue(t, st, j)
	stop := running(r)
	defer stop()
	<-started
	st.DB().Model(&models.Job{}).Where("id = ?", j.ID).Update("lease_owner", "other/1")
	select {
	case d := <-cancelled:
		t.Logf("cancelled after %v", d)
	case <-time.After(5 * time.Second):
		t.Fatal("an attempt went on after its lease was taken")
	}
	stop()
	if got := jobState(t, st, j.ID); got.Attempts != 0 || *got.LeaseOwner != "other/1" {
		t.Fatalf("the lost attempt was recorded: %+v", got)
	}
}

// TestOneFailingResultHoldsNoOtherBack: a result whose own writes fail is retried alone; the
// results recorded with it at first are written at once.
func TestOneFailingResultHoldsNoOtherBack(t *testing.T) {
	st := testkit.Store(t)
	var tries atomic.Int64
	gate := make(chan struct{})
	var arrived atomic.Int64
	r := queue.New(st, queue.Config{Workers: 4, Sweep: 20 * time.Millisecond},
		map[string]queue.Handler{kindTest: func(ctx context.Context, j *models.Job) queue.Result {
			// Both attempts finish together, so that their results are recorded as one group.
			if arrived.Add(1) == 2 {
				close(gate)
			}
			<-gate
			res := queue.Result{State: models.JobCompleted}
			if j.Destination == "bad" {
				res.Apply = func(context.Context, *store.Store) error {
					if tries.Add(1) <= 4 {
						return errors.New("a row the handler writes is refused")
					}
					return nil
				}
			}
			return res
		}}, nil)
	bad, good := newJob("bad", time.Now()), newJob("good", time.Now())
	enqueue(t, st, bad, good)
	stop := running(r)
	defer stop()
	waitFor(t, "the good result recorded", func() bool { return jobState(t, st, good.ID).State == models.JobCompleted })
	if n := tries.Load(); n > 2 {
		t.Fatalf("the good result waited for %d tries of the bad one", n)
	}
	waitFor(t, "the bad result recorded in the end", func() bool { return jobState(t, st, bad.ID).State == models.JobCompleted })
}

// TestUnhandledKindGoesBack: a job of a kind this runner has no handler for is put back
// unattempted, for an instance that has one.
func TestUnhandledKindGoesBack(t *testing.T) {
	st := testkit.Store(t)
	clock := testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	r := queue.New(st, queue.Config{Clock: clock}, nil, nil)
	j := newJob("d", clock.Now())
	j.Kind = "newer_kind"
	enqueue(t, st, j)
	if _, err := r.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := jobState(t, st, j.ID)
	if got.State != models.JobAvailable || got.Attempts != 0 || !got.DueAt.After(clock.Now()) || got.LeaseOwner != nil {
		t.Fatalf("a job nobody handles: %+v", got)
	}
}
