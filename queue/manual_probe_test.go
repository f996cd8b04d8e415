package queue_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
)

// A manual job (test event, redelivery) passes an open breaker as its probe (admit, once.go);
// the claim's skip list must not keep it out of the claim for the whole cooldown.
func TestManualJobPassesAnOpenBreaker(t *testing.T) {
	st := testkit.Store(t)
	clock := testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	var calls atomic.Int64
	r := queue.New(st, queue.Config{Workers: 8, PerDestination: 1, Sweep: 20 * time.Millisecond, Clock: clock,
		BreakAfter: 1, Cooldown: 5 * time.Minute, Stall: time.Hour},
		map[string]queue.Handler{kindTest: func(_ context.Context, j *models.Job) queue.Result {
			calls.Add(1)
			if j.Trigger == models.TriggerManual {
				return queue.Result{State: models.JobCompleted}
			}
			return queue.Result{State: models.JobAvailable, DueAt: clock.Now().Add(time.Hour), Error: "timeout", Failure: true}
		}}, nil)
	enqueue(t, st, newJob("down", clock.Now().Add(-time.Second)))
	stop := running(r)
	defer stop()
	waitFor(t, "the first failure", func() bool { return calls.Load() == 1 })
	time.Sleep(100 * time.Millisecond) // breaker open for 5 min
	m := newJob("down", clock.Now())
	m.Trigger = models.TriggerManual
	enqueue(t, st, m)
	deadline := time.Now().Add(3 * time.Second)
	for jobState(t, st, m.ID).State != models.JobCompleted {
		if time.Now().After(deadline) {
			t.Fatalf("manual job to an open-breaker destination not attempted in 3 s (calls %d): %+v", calls.Load(), jobState(t, st, m.ID))
		}
		r.Wake()
		time.Sleep(20 * time.Millisecond)
	}
}
