package api_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dianshubao/dianshubao/internal/testkit"
)

// attemptsOf sums the webhook attempts a runner's registry counted.
func attemptsOf(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() == "dsb_webhook_attempts_total" {
			for _, m := range mf.GetMetric() {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return total
}

// TestTwoInstancesShareOneDatabase: two instances of the service — two routers and two
// runners, each wired as main wires one — over one MariaDB database. Complaints are filed and
// accepted through both routers while both runners deliver: each runner sends a part of the
// backlog, no event is ever in flight twice at once, and every event arrives exactly once.
func TestTwoInstancesShareOneDatabase(t *testing.T) {
	if testkit.Driver() != "mysql" {
		t.Skip("instances share a database only on MariaDB/MySQL: set DSB_TEST_MYSQL_DSN to run this test")
	}
	regA, regB := prometheus.NewRegistry(), prometheus.NewRegistry()
	a := newWorldWith(t, func(o *appOptions) { o.instance, o.runnerSweep, o.registry = "instance-a", 20*time.Millisecond, regA })
	b := &world{testApp: newApp(t, func(o *appOptions) {
		o.store, o.instance, o.runnerSweep, o.registry = a.st, "instance-b", 20*time.Millisecond, regB
	}), admin: a.admin, consumer: a.consumer, platformID: a.platformID, key: a.key}

	var inFlight sync.Map
	var concurrent atomic.Int64
	var mu sync.Mutex
	seen := map[string]int{}
	rc := newReceiver(t)
	rc.setAnswer(func(r *http.Request) (int, http.Header) {
		id := r.Header.Get("webhook-id")
		if _, busy := inFlight.LoadOrStore(id, true); busy {
			concurrent.Add(1)
		}
		time.Sleep(3 * time.Millisecond) // long enough for a second sender to overlap
		inFlight.Delete(id)
		mu.Lock()
		seen[id]++
		mu.Unlock()
		return http.StatusOK, nil
	})
	a.endpoint(a.key, rc.URL, "complaint.delivered")

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, app := range []*world{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); app.disp.Run(ctx) }()
	}
	defer func() { cancel(); wg.Wait() }()

	const complaints = 300
	var filers sync.WaitGroup
	for g := range 4 {
		filers.Add(1)
		go func() {
			defer filers.Done()
			for i := g; i < complaints; i += 4 {
				via := a
				if i%2 == 1 {
					via = b
				}
				c := via.file(a.consumer, map[string]any{"order_no": fmt.Sprintf("TWO-%d", i)})
				via.accept(c["id"].(string))
			}
		}()
	}
	filers.Wait()
	waitFor(t, "every event received", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == complaints
	})
	if n := concurrent.Load(); n != 0 {
		t.Fatalf("%d events were in flight twice at once", n)
	}
	mu.Lock()
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s received %d times", id, n)
		}
	}
	mu.Unlock()
	sentA, sentB := attemptsOf(t, regA), attemptsOf(t, regB)
	t.Logf("instance a sent %v, instance b sent %v", sentA, sentB)
	if sentA == 0 || sentB == 0 {
		t.Fatalf("one instance did all the work: a %v, b %v", sentA, sentB)
	}
}
