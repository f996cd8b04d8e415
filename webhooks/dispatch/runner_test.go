package dispatch_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
)

// TestHangingEndpointDelaysNoOtherPlatform: one platform's endpoint hangs past the attempt
// timeout with a backlog; another platform's events, committed meanwhile, arrive promptly.
func TestHangingEndpointDelaysNoOtherPlatform(t *testing.T) {
	st := testkit.Store(t)
	quit := make(chan struct{})
	hung := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-quit:
		}
	})
	t.Cleanup(func() { close(quit) })
	healthy := newReceiver(t, nil)
	bad, good := endpoint(t, st, hung.URL), endpoint(t, st, healthy.URL)
	for range 3 {
		commit(t, st, bad, 100)
	}
	// A 3 s attempt timeout: a batch barrier would hold every healthy event for up to that.
	// Under the race detector, whose SQLite statements cost ten times as much, the healthy
	// events come each 30 ms instead of 10 (at 10 they would queue behind their own writes) and
	// the timeout is 8 s, so that a barrier (holding events for seconds) stays far above a
	// bound loose enough for a machine that runs other packages' tests at the same time.
	timeout, every, limit := 3*time.Second, 10*time.Millisecond, 250*time.Millisecond
	if raceEnabled {
		timeout, every, limit = 8*time.Second, 30*time.Millisecond, 2*time.Second
	}
	r := runner(st, queue.Config{}, timeout, nil)
	stop := start(r)
	defer stop()
	r.Wake()
	waitFor(t, 5*time.Second, "the hanging endpoint saturated", func() bool { return hung.total.Load() >= 16 })
	time.Sleep(300 * time.Millisecond)

	committed := map[string]time.Time{}
	var ids []string
	tick := time.NewTicker(every)
	for range 200 {
		<-tick.C
		id := commit(t, st, good, 1)[0]
		committed[id] = time.Now()
		ids = append(ids, id)
		r.Wake()
	}
	tick.Stop()
	waitFor(t, 10*time.Second, "every healthy event received", func() bool { return healthy.total.Load() >= 200 })
	var lat []time.Duration
	healthy.mu.Lock()
	for _, id := range ids {
		lat = append(lat, healthy.receivedAt[id].Sub(committed[id]))
	}
	healthy.mu.Unlock()
	p50, p99 := percentile(lat, 0.5), percentile(lat, 0.99)
	t.Logf("healthy platform, commit to receipt: p50 %v, p99 %v; the hanging endpoint got %d requests", p50, p99, hung.total.Load())
	// The bound of the issue is 250 ms, held without the race detector.
	if p99 > limit {
		t.Fatalf("p99 %v while another endpoint hangs (limit %v)", p99, limit)
	}
}

// TestLongAttemptKeepsItsLease: an attempt that outlasts its lease several times over keeps
// it (renewed while it runs), so another instance sweeping meanwhile never sends the event
// again: one request, never two at once.
func TestLongAttemptKeepsItsLease(t *testing.T) {
	st := testkit.Store(t)
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Second)
		w.WriteHeader(http.StatusOK)
	})
	ep := endpoint(t, st, rc.URL)
	fast := queue.Config{Lease: 300 * time.Millisecond, Sweep: 50 * time.Millisecond, Maintenance: 50 * time.Millisecond}
	a, b := fast, fast
	a.Instance, b.Instance = "a", "b"
	stopA := start(runner(st, a, 5*time.Second, nil))
	defer stopA()
	stopB := start(runner(st, b, 5*time.Second, nil))
	defer stopB()
	id := commit(t, st, ep, 1)[0]
	var job models.Job
	waitFor(t, 10*time.Second, "the delivery completed", func() bool {
		st.DB().Where("ref = ?", id).Take(&job)
		return job.State == models.JobCompleted
	})
	time.Sleep(500 * time.Millisecond) // any second sending would have started by now
	if rc.concurrent.Load() != 0 || rc.count(id) != 1 || job.Attempts != 1 {
		t.Fatalf("%d concurrent, %d requests, %d attempts", rc.concurrent.Load(), rc.count(id), job.Attempts)
	}
}

// TestTwoInstancesShareABacklog: two runners on one MariaDB database deliver one backlog
// together, each a part of it, never one event twice at once and here never twice at all.
func TestTwoInstancesShareABacklog(t *testing.T) {
	if testkit.Driver() != "mysql" {
		t.Skip("two instances share work through SKIP LOCKED claims: set DSB_TEST_MYSQL_DSN to run this on MariaDB")
	}
	st := testkit.Store(t)
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Millisecond)
		w.WriteHeader(http.StatusOK)
	})
	const total = 2000
	var ids []string
	for range 4 {
		ep := endpoint(t, st, rc.URL)
		for range 5 {
			ids = append(ids, commit(t, st, ep, total/20)...)
		}
	}
	var sent [2]atomic.Int64
	count := func(i int) func(queue.Handler) queue.Handler {
		return func(h queue.Handler) queue.Handler {
			return func(ctx context.Context, j *models.Job) queue.Result { sent[i].Add(1); return h(ctx, j) }
		}
	}
	a := runner(st, queue.Config{Instance: "a", Sweep: 100 * time.Millisecond}, 5*time.Second, count(0))
	b := runner(st, queue.Config{Instance: "b", Sweep: 100 * time.Millisecond}, 5*time.Second, count(1))
	stopA, stopB := start(a), start(b)
	defer stopA()
	defer stopB()
	a.Wake()
	b.Wake()
	waitFor(t, 60*time.Second, "the backlog delivered", func() bool {
		var n int64
		st.DB().Model(&models.Job{}).Where("state = ?", models.JobCompleted).Count(&n)
		return n == total
	})
	stopA()
	stopB()
	t.Logf("instance a sent %d, b sent %d", sent[0].Load(), sent[1].Load())
	if sent[0].Load() == 0 || sent[1].Load() == 0 {
		t.Fatalf("one instance did all the work: %d and %d", sent[0].Load(), sent[1].Load())
	}
	if rc.concurrent.Load() != 0 {
		t.Fatalf("%d events in flight twice at once", rc.concurrent.Load())
	}
	for _, id := range ids {
		if n := rc.count(id); n != 1 {
			t.Fatalf("event %s sent %d times", id, n)
		}
	}
}
