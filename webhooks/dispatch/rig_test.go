package dispatch_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
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

var quiet = slog.New(slog.DiscardHandler)

// receiver is a webhook endpoint that tracks, per event, the requests in flight: two at once
// for one event is the failure these tests look for.
type receiver struct {
	*httptest.Server
	handle     func(w http.ResponseWriter, r *http.Request)
	mu         sync.Mutex
	inFlight   map[string]int
	requests   map[string]int
	receivedAt map[string]time.Time
	concurrent atomic.Int64
	total      atomic.Int64
}

func newReceiver(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{handle: handle, inFlight: map[string]int{}, requests: map[string]int{}, receivedAt: map[string]time.Time{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("webhook-id")
		rc.mu.Lock()
		if rc.inFlight[id]++; rc.inFlight[id] > 1 {
			rc.concurrent.Add(1)
		}
		rc.requests[id]++
		if _, ok := rc.receivedAt[id]; !ok {
			rc.receivedAt[id] = time.Now()
		}
		rc.mu.Unlock()
		rc.total.Add(1)
		if rc.handle != nil {
			rc.handle(w, r)
		}
		rc.mu.Lock()
		rc.inFlight[id]--
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) count(id string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.requests[id]
}

// endpoint adds an enabled endpoint of a platform of its own.
func endpoint(t *testing.T, st *store.Store, url string) models.WebhookEndpoint {
	t.Helper()
	secret, _ := webhooks.NewSecret()
	now := time.Now().UTC().Truncate(time.Millisecond)
	ep := models.WebhookEndpoint{ID: models.NewID(), PlatformID: models.NewID(), URL: url, Enabled: true, Secret: secret,
		CreatedAt: now, UpdatedAt: now}
	if err := st.CreateWebhookEndpoint(context.Background(), &ep); err != nil {
		t.Fatal(err)
	}
	return ep
}

// commit writes n events for the endpoint with their delivery jobs in one transaction, as a
// complaint change does, and returns the event ids.
func commit(t testing.TB, st *store.Store, ep models.WebhookEndpoint, n int) []string {
	now := time.Now().UTC().Truncate(time.Millisecond)
	ids := make([]string, n)
	err := st.Tx(context.Background(), func(tx *store.Store) error {
		jobs := make([]models.Job, n)
		for i := range n {
			ids[i] = "evt_" + models.NewID()
			if err := tx.AddWebhookEvent(context.Background(), &models.WebhookEvent{ID: ids[i], PlatformID: ep.PlatformID,
				Type: models.EventComplaintDelivered, Payload: []byte(`{"id":"` + ids[i] + `"}`), CreatedAt: now}); err != nil {
				return err
			}
			jobs[i] = models.Job{ID: models.NewID(), Kind: models.JobWebhookDelivery, State: models.JobAvailable, DueAt: now,
				Ref: ids[i], Destination: ep.ID, PlatformID: ep.PlatformID, EventType: models.EventComplaintDelivered,
				Trigger: models.TriggerScheduled, CreatedAt: now, UpdatedAt: now}
		}
		return tx.EnqueueJobs(context.Background(), jobs)
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// runner is the work queue with the webhook sender, at the default settings unless cfg says.
func runner(st *store.Store, cfg queue.Config, timeout time.Duration, wrap func(queue.Handler) queue.Handler) *queue.Runner {
	sender := dispatch.NewSender(st, dispatch.Config{Schedule: []time.Duration{0, time.Minute}, Timeout: timeout,
		Policy: webhooks.URLPolicy{AllowPrivate: true, AllowInsecure: true}, Logger: quiet})
	h := queue.Handler(sender.Handle)
	if wrap != nil {
		h = wrap(h)
	}
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	return queue.New(st, cfg, map[string]queue.Handler{models.JobWebhookDelivery: h}, nil)
}

func start(r *queue.Runner) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	var once sync.Once
	return func() { once.Do(func() { cancel(); <-done }) }
}

func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	testkit.WaitFor(t, within, what, cond)
}

func percentile(ds []time.Duration, p float64) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[int(p*float64(len(ds)-1))]
}
