package queue_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
	"github.com/dianshubao/dianshubao/store"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestIdleRunnerOnlySweeps: after one job, an idle runner runs one claim per sweep and nothing
// else (no wake-up re-arms itself), and a burst of wake-ups coalesces into a few claims.
func TestIdleRunnerOnlySweeps(t *testing.T) {
	st := testkit.Store(t)
	count := countStatements(t, st)
	var handled atomic.Int64
	r := queue.New(st, queue.Config{Sweep: 200 * time.Millisecond},
		map[string]queue.Handler{kindTest: func(context.Context, *models.Job) queue.Result {
			handled.Add(1)
			return queue.Result{State: models.JobCompleted}
		}}, nil)
	stop := running(r)
	defer stop()
	enqueue(t, st, newJob("a", time.Now()))
	r.Wake()
	waitFor(t, "the job done", func() bool { return countJobs(t, st, models.JobCompleted) == 1 })
	time.Sleep(50 * time.Millisecond) // the result's own statements are counted before the window

	claims, all, cpu := count.claims.Load(), count.all.Load(), cpuTime()
	time.Sleep(2 * time.Second)
	claims, all, cpu = count.claims.Load()-claims, count.all.Load()-all, cpuTime()-cpu
	// 2 s / 200 ms = 10 sweeps, plus one for a tick at the window's edge; maintenance (every
	// 5 s) may add its rescue and its gauges' statements once.
	if claims > 11 || all > claims+3 {
		t.Fatalf("idle for 2 s: %d claims, %d statements on jobs", claims, all)
	}
	t.Logf("idle for 2 s: %d claims, %d statements on jobs, %v of CPU", claims, all, cpu)
	if cpu > 300*time.Millisecond {
		t.Fatalf("idle for 2 s: %v of CPU", cpu)
	}

	claims = count.claims.Load()
	for range 100 {
		r.Wake()
	}
	time.Sleep(300 * time.Millisecond)
	n := count.claims.Load() - claims
	t.Logf("100 wake-ups: %d claims", n)
	if n > 4 {
		t.Fatalf("100 wake-ups in a burst: %d claims", n)
	}
	if handled.Load() != 1 {
		t.Fatalf("handled %d times", handled.Load())
	}
}

// TestRunnerCapsADestinationAndOthersProceed: a destination never has more than
// PerDestination attempts in flight, and while it is saturated another destination's jobs
// run at once.
func TestRunnerCapsADestinationAndOthersProceed(t *testing.T) {
	st := testkit.Store(t)
	var mu sync.Mutex
	inFlight, peak := map[string]int{}, map[string]int{}
	release := make(chan struct{})
	var otherDone atomic.Bool
	r := queue.New(st, queue.Config{Workers: 8, PerDestination: 2, Sweep: 50 * time.Millisecond, Stall: time.Hour},
		map[string]queue.Handler{kindTest: func(ctx context.Context, j *models.Job) queue.Result {
			mu.Lock()
			inFlight[j.Destination]++
			peak[j.Destination] = max(peak[j.Destination], inFlight[j.Destination])
			mu.Unlock()
			if j.Destination == "slow" {
				<-release
			} else {
				otherDone.Store(true)
			}
			mu.Lock()
			inFlight[j.Destination]--
			mu.Unlock()
			return queue.Result{State: models.JobCompleted}
		}}, nil)
	now := time.Now()
	for i := range 6 {
		enqueue(t, st, newJob("slow", now.Add(time.Duration(i-10)*time.Millisecond)))
	}
	stop := running(r)
	defer stop()
	waitFor(t, "the slow destination saturated", func() bool { mu.Lock(); defer mu.Unlock(); return inFlight["slow"] == 2 })
	enqueue(t, st, newJob("fast", time.Now()))
	r.Wake()
	waitFor(t, "the other destination served", otherDone.Load)
	close(release)
	waitFor(t, "all done", func() bool { return countJobs(t, st, models.JobCompleted) == 7 })
	mu.Lock()
	defer mu.Unlock()
	if peak["slow"] != 2 {
		t.Fatalf("peak in flight to one destination: %d, want 2", peak["slow"])
	}
}

// TestBreakerSendsJobsBack: after BreakAfter failures in a row the destination's breaker opens:
// its other jobs are left in the queue unattempted and unleased, and nothing is sent to it
// while the breaker is open, however due they are; when it closes, one probe goes through
// (half-open), and its failure opens the breaker again.
func TestBreakerSendsJobsBack(t *testing.T) {
	st := testkit.Store(t)
	clock := testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	var calls, concurrent, peak atomic.Int64
	r := queue.New(st, queue.Config{Workers: 8, PerDestination: 1, Sweep: 20 * time.Millisecond, Clock: clock,
		BreakAfter: 3, Cooldown: 30 * time.Second, Stall: time.Hour},
		map[string]queue.Handler{kindTest: func(context.Context, *models.Job) queue.Result {
			n := concurrent.Add(1)
			defer concurrent.Add(-1)
			if n > peak.Load() {
				peak.Store(n)
			}
			calls.Add(1)
			return queue.Result{State: models.JobAvailable, DueAt: clock.Now().Add(time.Hour), Error: "timeout", Failure: true}
		}}, nil)
	var ids []string
	for i := range 6 {
		j := newJob("down", clock.Now().Add(time.Duration(i-10)*time.Millisecond))
		ids = append(ids, j.ID)
		enqueue(t, st, j)
	}
	stop := running(r)
	defer stop()
	// Jobs sent back because the single slot was busy come due again within a second of the
	// runner's clock: move it along until three attempts have failed.
	deadline := time.Now().Add(10 * time.Second)
	for calls.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d attempts in 10 s, want 3", calls.Load())
		}
		clock.Advance(200 * time.Millisecond)
		r.Wake()
		time.Sleep(20 * time.Millisecond)
	}
	// Open: due or not, nothing more is attempted.
	for range 20 {
		clock.Advance(time.Second)
		r.Wake()
		time.Sleep(10 * time.Millisecond)
	}
	if calls.Load() != 3 {
		t.Fatalf("%d attempts while the breaker was open, want 3", calls.Load())
	}
	waitFor(t, "nothing left running", func() bool { return countJobs(t, st, models.JobRunning) == 0 })
	untouched := 0
	for _, id := range ids {
		if j := jobState(t, st, id); j.Attempts == 0 {
			untouched++
			if j.State != models.JobAvailable || j.LeaseOwner != nil {
				t.Fatalf("a job of the broken destination: %+v", j)
			}
		}
	}
	if untouched != 3 {
		t.Fatalf("%d jobs left unattempted, want 3", untouched)
	}
	// Closed again (30 s after it opened): one probe, which fails and opens it anew.
	clock.Advance(15 * time.Second)
	for wait := time.Now().Add(5 * time.Second); calls.Load() < 4 && time.Now().Before(wait); {
		r.Wake()
		time.Sleep(10 * time.Millisecond)
	}
	for range 20 { // and no second one
		r.Wake()
		time.Sleep(10 * time.Millisecond)
	}
	if calls.Load() != 4 {
		t.Fatalf("%d attempts after the breaker closed, want exactly one probe (4 in all)", calls.Load())
	}
	if peak.Load() != 1 {
		t.Fatalf("%d attempts at once to a destination with one slot", peak.Load())
	}
}

// TestRunnerRecordsOnceTheDatabaseAnswers: while the database refuses every statement on the
// queue, the runner backs off instead of spinning; the results it holds are kept and recorded
// when the database answers again, each job run once. A result whose own writes fail is
// retried until they succeed.
func TestRunnerRecordsOnceTheDatabaseAnswers(t *testing.T) {
	st := testkit.Store(t)
	count := countStatements(t, st)
	var mu sync.Mutex
	runs := map[string]int{}
	var applyFails atomic.Int64
	r := queue.New(st, queue.Config{Workers: 4, Sweep: 50 * time.Millisecond},
		map[string]queue.Handler{kindTest: func(ctx context.Context, j *models.Job) queue.Result {
			mu.Lock()
			runs[j.ID]++
			first := len(runs) == 1
			mu.Unlock()
			if first {
				count.refuse.Store(true) // the database goes away while the first attempt runs
			}
			res := queue.Result{State: models.JobCompleted}
			if j.Destination == "apply" {
				key := "follow-up:" + j.ID
				res.Apply = func(ctx context.Context, tx *store.Store) error {
					if applyFails.Add(1) <= 3 {
						return fmt.Errorf("deadlock found when trying to get lock")
					}
					f := newJob("f", time.Now().Add(time.Hour))
					f.UniqueKey = &key
					return tx.EnqueueJobs(ctx, []models.Job{f})
				}
			}
			return res
		}}, nil)
	now := time.Now()
	var jobs []models.Job
	for i := range 20 {
		dest := "d"
		if i == 5 {
			dest = "apply"
		}
		jobs = append(jobs, newJob(dest, now.Add(time.Duration(i-100)*time.Millisecond)))
	}
	enqueue(t, st, jobs...)
	stop := running(r)
	defer stop()
	waitFor(t, "the database refusing", count.refuse.Load)
	time.Sleep(time.Second)
	// Backing off from 100 ms doubling: a handful of tries per second, not thousands.
	t.Logf("refused %d statements in 1 s", count.refused.Load())
	if n := count.refused.Load(); n > 30 || n == 0 {
		t.Fatalf("%d statements tried in 1 s against a database that refuses them", n)
	}
	count.refuse.Store(false)
	waitFor(t, "every job completed", func() bool { return countJobs(t, st, models.JobCompleted) == 20 })
	mu.Lock()
	defer mu.Unlock()
	for _, j := range jobs {
		if runs[j.ID] != 1 {
			t.Fatalf("job %s ran %d times", j.ID, runs[j.ID])
		}
	}
	var followUps int64
	st.DB().Model(&models.Job{}).Where("unique_key = ?", "follow-up:"+jobs[5].ID).Count(&followUps)
	if followUps != 1 || applyFails.Load() < 4 {
		t.Fatalf("follow-up written %d times after %d tries", followUps, applyFails.Load())
	}
}

// TestLostLeaseChangesNothing: once another runner has taken a job over, the result of the
// attempt that lost the lease is not recorded (its Apply does not run).
func TestLostLeaseChangesNothing(t *testing.T) {
	st := testkit.Store(t)
	clock := testkit.NewClock(time.Now())
	started, finish := make(chan struct{}), make(chan struct{})
	var applied atomic.Int64
	slow := queue.New(st, queue.Config{Lease: time.Hour, Clock: clock, Instance: "slow"},
		map[string]queue.Handler{kindTest: func(ctx context.Context, j *models.Job) queue.Result {
			close(started)
			<-finish
			return queue.Result{State: models.JobCompleted, Apply: func(context.Context, *store.Store) error { applied.Add(1); return nil }}
		}}, nil)
	j := newJob("d", clock.Now())
	enqueue(t, st, j)
	done := make(chan error)
	go func() { _, err := slow.RunOnce(context.Background()); done <- err }()
	<-started
	// The lease is taken over (as after an expiry and a rescue by another instance).
	st.DB().Model(&models.Job{}).Where("id = ?", j.ID).Updates(map[string]any{"lease_owner": "other/1", "state": models.JobRunning})
	close(finish)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := jobState(t, st, j.ID)
	if applied.Load() != 0 || got.State != models.JobRunning || *got.LeaseOwner != "other/1" || got.Attempts != 0 {
		t.Fatalf("a lost lease's result was recorded: applied %d, job %+v", applied.Load(), got)
	}
}

// TestRunWaitsForAttemptsInFlight: Run returns after its context ends only once the attempts
// in flight are finished and recorded.
func TestRunWaitsForAttemptsInFlight(t *testing.T) {
	st := testkit.Store(t)
	started := make(chan struct{})
	r := queue.New(st, queue.Config{Sweep: 20 * time.Millisecond},
		map[string]queue.Handler{kindTest: func(ctx context.Context, j *models.Job) queue.Result {
			close(started)
			time.Sleep(300 * time.Millisecond)
			if ctx.Err() != nil {
				return queue.Result{State: models.JobDiscarded, Error: "cancelled"}
			}
			return queue.Result{State: models.JobCompleted}
		}}, nil)
	j := newJob("d", time.Now())
	enqueue(t, st, j)
	stop := running(r)
	<-started
	stop()
	if got := jobState(t, st, j.ID); got.State != models.JobCompleted || got.Attempts != 1 {
		t.Fatalf("after Run returned: %+v", got)
	}
}

// TestPeriodicTaskRunsOncePerSlot: two instances each schedule every slot; the task runs once
// per slot.
func TestPeriodicTaskRunsOncePerSlot(t *testing.T) {
	st := testkit.Store(t)
	clock := testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 30, 0, time.UTC))
	var ran atomic.Int64
	p := []queue.Periodic{{Name: "freeze", Every: time.Minute, Run: func(context.Context) (int, error) { ran.Add(1); return 1, nil }}}
	a := queue.New(st, queue.Config{Clock: clock, Instance: "a"}, nil, p)
	b := queue.New(st, queue.Config{Clock: clock, Instance: "b"}, nil, p)
	for _, r := range []*queue.Runner{a, b, a} {
		if _, err := r.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if ran.Load() != 1 {
		t.Fatalf("ran %d times in one slot", ran.Load())
	}
	clock.Advance(time.Minute)
	for _, r := range []*queue.Runner{b, a} {
		if _, err := r.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if ran.Load() != 2 {
		t.Fatalf("ran %d times in two slots", ran.Load())
	}
}

// TestFailedPeriodicRunWaitsForTheNextSlot: a periodic run that fails is not retried within
// its slot; the next slot runs the task again.
func TestFailedPeriodicRunWaitsForTheNextSlot(t *testing.T) {
	st := testkit.Store(t)
	clock := testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 30, 0, time.UTC))
	var ran atomic.Int64
	p := []queue.Periodic{{Name: "flaky", Every: time.Minute, Run: func(context.Context) (int, error) {
		ran.Add(1)
		return 0, fmt.Errorf("provider down")
	}}}
	r := queue.New(st, queue.Config{Clock: clock}, nil, p)
	for range 2 {
		if _, err := r.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if ran.Load() != 1 || countJobs(t, st, models.JobDiscarded) != 1 {
		t.Fatalf("ran %d times, %d discarded", ran.Load(), countJobs(t, st, models.JobDiscarded))
	}
	clock.Advance(time.Minute)
	if _, err := r.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ran.Load() != 2 {
		t.Fatalf("ran %d times over two slots", ran.Load())
	}
}
