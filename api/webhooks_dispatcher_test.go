package api_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
)

// TestWebhookNothingLostWhenADispatcherDies abandons a dispatcher after it claimed a batch: a
// fresh dispatcher delivers every event once the dead one's lease expires.
func TestWebhookNothingLostWhenADispatcherDies(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	w.endpoint(w.key, rc.URL)
	for i := range 30 {
		w.accept(w.file(w.consumer, map[string]any{"order_no": fmt.Sprintf("C%d", i)})["id"].(string))
	}
	// The doomed instance claims everything and dies before sending or recording anything.
	now := w.clock.Now()
	claimed, err := w.st.ClaimJobs(context.Background(), "doomed", now, now.Add(45*time.Second), 100)
	deliveries := 0
	for _, j := range claimed {
		if j.Kind == models.JobWebhookDelivery {
			deliveries++
		}
	}
	if err != nil || deliveries != 30 {
		t.Fatalf("claimed %d deliveries: %v", deliveries, err)
	}
	fresh := newRunner(w.st, runnerOptions{policy: testPolicy, clock: w.clock, instance: "fresh"})
	if n, _ := fresh.RunOnce(context.Background()); n != 0 {
		t.Fatalf("took over %d live leases", n)
	}
	w.clock.Advance(46 * time.Second)
	for {
		n, err := fresh.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	seen := map[string]bool{}
	for _, r := range rc.got() {
		seen[r.header.Get("webhook-id")] = true
	}
	if len(seen) != 30 {
		t.Fatalf("%d of 30 events delivered after the crash", len(seen))
	}
}

// TestWebhookTwoDispatchersNeverSendTogether runs two dispatchers on one database against a slow
// receiver and checks that no delivery is ever in flight twice, and that each is sent once.
func TestWebhookTwoDispatchersNeverSendTogether(t *testing.T) {
	w := newWorld(t)
	var inFlight sync.Map
	var concurrent, total atomic.Int64
	rc := newReceiver(t)
	rc.setAnswer(func(r *http.Request) (int, http.Header) {
		id := r.Header.Get("webhook-id")
		if _, busy := inFlight.LoadOrStore(id, true); busy {
			concurrent.Add(1)
		}
		time.Sleep(2 * time.Millisecond)
		inFlight.Delete(id)
		total.Add(1)
		return http.StatusOK, nil
	})
	w.endpoint(w.key, rc.URL)
	const events = 60
	for i := range events {
		w.accept(w.file(w.consumer, map[string]any{"order_no": fmt.Sprintf("D%d", i)})["id"].(string))
	}
	mk := func(instance string) *queue.Runner {
		return newRunner(w.st, runnerOptions{schedule: []time.Duration{0, time.Second}, policy: testPolicy, clock: w.clock,
			instance: instance, workers: 4})
	}
	var wg sync.WaitGroup
	for _, d := range []*queue.Runner{mk("one"), mk("two")} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := d.RunOnce(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	if concurrent.Load() != 0 {
		t.Fatalf("%d deliveries were in flight twice at once", concurrent.Load())
	}
	if total.Load() != events {
		t.Fatalf("%d requests for %d events", total.Load(), events)
	}
	var pending int64
	w.st.DB().Model(&models.Job{}).Where("kind = ? AND state <> ?", models.JobWebhookDelivery, models.JobCompleted).Count(&pending)
	if pending != 0 {
		t.Fatalf("%d deliveries not succeeded", pending)
	}
}

func TestWebhookWakeUpInProcess(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	w.endpoint(w.key, rc.URL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.disp.Run(ctx) }()
	defer func() { cancel(); <-done }()
	time.Sleep(20 * time.Millisecond) // let the lanes finish their first, empty sweep
	w.accept(w.file(w.consumer, nil)["id"].(string))
	waitFor(t, "delivery after commit", func() bool { return len(rc.got()) == 1 })
}

func TestWebhookWakeUpAcrossInstancesOverRedis(t *testing.T) {
	rd := testkit.Redis(t)
	if rd == nil {
		t.Skip("DSB_TEST_REDIS_URL not set")
	}
	// This instance only publishes; the other instance's dispatcher is subscribed.
	w := newWorldWith(t, func(o *appOptions) { o.waker = kv.Waker{Redis: rd, Channel: "webhooks:wake"} })
	rc := newReceiver(t)
	w.endpoint(w.key, rc.URL)
	other := newRunner(w.st, runnerOptions{schedule: []time.Duration{0}, policy: testPolicy, clock: w.clock, instance: "other-instance"})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); rd.Subscribe(ctx, "webhooks:wake", other.Wake) }()
	go func() { defer wg.Done(); other.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	time.Sleep(50 * time.Millisecond) // subscribed, first sweep done
	w.accept(w.file(w.consumer, nil)["id"].(string))
	waitFor(t, "delivery by the other instance", func() bool { return len(rc.got()) == 1 })
}
