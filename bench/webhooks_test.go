package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
	"github.com/dianshubao/dianshubao/store"
	"github.com/dianshubao/dianshubao/webhooks"
	"github.com/dianshubao/dianshubao/webhooks/dispatch"
)

// webhookRig is a database with one platform, one endpoint pointing at a local receiver that
// answers 200 at once, and the work-queue runner with the webhook sender.
type webhookRig struct {
	st       *store.Store
	endpoint models.WebhookEndpoint
	received atomic.Int64
	// onReceive sees every request's webhook-id.
	onReceive func(id string)
	disp      *queue.Runner
}

func newWebhookRig(b *testing.B) *webhookRig {
	rig := &webhookRig{st: testkit.Store(b)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rig.onReceive != nil {
			rig.onReceive(r.Header.Get("webhook-id"))
		}
		rig.received.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	b.Cleanup(srv.Close)
	secret, _ := webhooks.NewSecret()
	now := time.Now().UTC()
	rig.endpoint = models.WebhookEndpoint{ID: models.NewID(), PlatformID: "bench-platform", URL: srv.URL, Enabled: true,
		Secret: secret, CreatedAt: now, UpdatedAt: now}
	if err := rig.st.CreateWebhookEndpoint(context.Background(), &rig.endpoint); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	sender := dispatch.NewSender(rig.st, dispatch.Config{Schedule: []time.Duration{0, 5 * time.Second},
		Timeout: 15 * time.Second, Policy: webhooks.URLPolicy{AllowPrivate: true, AllowInsecure: true}, Logger: log})
	// The default settings, as the service runs.
	rig.disp = queue.New(rig.st, queue.Config{Logger: log, Lease: 45 * time.Second},
		map[string]queue.Handler{models.JobWebhookDelivery: sender.Handle}, nil)
	return rig
}

// payload is the size of a real complaint.delivered body (about 2 KB).
var payload = []byte(`{"id":"evt_x","type":"complaint.delivered","created_at":"2026-11-26T08:00:00Z","data":{"complaint":{"id":"0193a1b2c3d4e5f60718293a4b5c6d7e","number":"DSB20261126000123","channel":"consumer","complainant_type":"consumer","status":"delivered","status_label":"已递交","platform":{"id":"p","name":"淘宝","slug":"taobao"},"issue_type":"refund","title":"商品未发货且拒绝退款","description":"11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝，客服不予回复。11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝，客服不予回复。11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝，客服不予回复。","order_no":"TB2026112612345","amount":"1999.00","product_name":null,"refund_amount":null,"demands":["refund"],"contact_name":"张三","contact_phone":"13800138000","evidence":[],"supplements":[],"replies":[],"rating":null,"rejection":null,"created_at":"2026-11-26T08:00:00Z","delivered_at":"2026-11-26T09:00:00Z","reply_due_at":"2026-11-29T09:00:00Z","first_replied_at":null,"completed_at":null,"updated_at":"2026-11-26T09:00:00Z","version":2}}}`)

// commit writes n events with their delivery jobs in one transaction, as a complaint change does.
func (rig *webhookRig) commit(ctx context.Context, n int) ([]string, error) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	ids := make([]string, n)
	err := rig.st.Tx(ctx, func(tx *store.Store) error {
		jobs := make([]models.Job, n)
		for i := range n {
			ids[i] = "evt_" + models.NewID()
			if err := tx.AddWebhookEvent(ctx, &models.WebhookEvent{ID: ids[i], PlatformID: rig.endpoint.PlatformID,
				Type: models.EventComplaintDelivered, Payload: payload, CreatedAt: now}); err != nil {
				return err
			}
			jobs[i] = models.Job{ID: models.NewID(), Kind: models.JobWebhookDelivery, State: models.JobAvailable, DueAt: now,
				Ref: ids[i], Destination: rig.endpoint.ID, PlatformID: rig.endpoint.PlatformID,
				EventType: models.EventComplaintDelivered, Trigger: models.TriggerScheduled, CreatedAt: now, UpdatedAt: now}
		}
		return tx.EnqueueJobs(ctx, jobs)
	})
	return ids, err
}

// BenchmarkWebhookThroughput drains a backlog of b.N deliveries to a receiver that answers 200
// at once, and reports deliveries per second.
//
//	DSB_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/?parseTime=true&charset=utf8mb4&loc=UTC' \
//	  go test ./bench/ -run '^$' -bench WebhookThroughput -benchtime 20000x
func BenchmarkWebhookThroughput(b *testing.B) {
	rig := newWebhookRig(b)
	ctx := context.Background()
	for left := b.N; left > 0; left -= 500 {
		if _, err := rig.commit(ctx, min(500, left)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); rig.disp.Run(runCtx) }()
	for rig.received.Load() < int64(b.N) {
		time.Sleep(2 * time.Millisecond)
	}
	b.StopTimer()
	cancel()
	<-done
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}

// BenchmarkWebhookLatency commits events at a steady rate (one per transaction, each followed by
// a wake-up, as complaint changes do) and measures the time from commit to receipt.
//
//	DSB_TEST_MYSQL_DSN='…' go test ./bench/ -run '^$' -bench WebhookLatency -benchtime 1x
func BenchmarkWebhookLatency(b *testing.B) {
	const rate, seconds = 500, 10
	rig := newWebhookRig(b)
	var mu sync.Mutex
	committed := map[string]time.Time{}
	var latencies []time.Duration
	rig.onReceive = func(id string) {
		at := time.Now()
		mu.Lock()
		if c, ok := committed[id]; ok {
			latencies = append(latencies, at.Sub(c))
			delete(committed, id)
		}
		mu.Unlock()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rig.disp.Run(ctx) }()
	b.ResetTimer()
	tick := time.NewTicker(time.Second / rate)
	total := rate * seconds
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := 0; i < total; i++ {
		<-tick.C
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			// The commit time is taken just before the commit returns to the caller; a receipt
			// that races ahead of the bookkeeping is matched below by id.
			ids, err := rig.commit(ctx, 1)
			at := time.Now()
			if err != nil {
				b.Error(err)
				return
			}
			mu.Lock()
			committed[ids[0]] = at
			mu.Unlock()
			rig.disp.Wake()
		}()
	}
	tick.Stop()
	wg.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for rig.received.Load() < int64(total) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(latencies) < total*9/10 {
		b.Fatalf("matched %d of %d receipts", len(latencies), total)
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(float64(len(latencies)), "events")
	fmt.Fprintln(testWriter{b}, "commit-to-receipt at", rate, "events/s:", "p50", strconv.FormatFloat(pct(0.5), 'f', 1, 64), "ms, p99",
		strconv.FormatFloat(pct(0.99), 'f', 1, 64), "ms")
}

type testWriter struct{ b *testing.B }

func (w testWriter) Write(p []byte) (int, error) { w.b.Log(string(p)); return len(p), nil }
