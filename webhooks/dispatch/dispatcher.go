// Package dispatch delivers webhooks: it claims due deliveries from the outbox with a lease,
// sends them signed over a guarded HTTP client, records every attempt and schedules retries.
// It lives apart from package webhooks so that platforms importing webhooks.Verify do not pull
// in the storage layer.
package dispatch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
	"github.com/dianshubao/dianshubao/webhooks"
)

// DisableAfter is how long an endpoint may fail every attempt before it is disabled.
const DisableAfter = 5 * 24 * time.Hour

// maxRetryAfter caps a receiver's Retry-After, so that no answer parks a delivery for ever.
const maxRetryAfter = 24 * time.Hour

// maxResponseBody is how much of a receiver's answer the delivery log keeps.
const maxResponseBody = 2048

// Clock tells the time; tests inject one they can move.
type Clock interface{ Now() time.Time }

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now().UTC() }

// DispatcherConfig tunes a Dispatcher.
type DispatcherConfig struct {
	// Schedule is the delay before each attempt (DSB_WEBHOOK_RETRY_SCHEDULE); its length is
	// the number of attempts.
	Schedule []time.Duration
	// Timeout bounds one attempt (DSB_WEBHOOK_TIMEOUT).
	Timeout time.Duration
	// Policy guards destinations at connect time.
	Policy webhooks.URLPolicy
	// Owner names this dispatcher in leases; unique per instance.
	Owner string
	// Workers bounds concurrent requests; Batch is how many deliveries one claim takes.
	Workers, Batch int
	// Lanes is how many claim–send–record loops run at once, so that database and network
	// work overlap.
	Lanes int
	// Sweep is how often the dispatcher looks for due deliveries without being woken.
	Sweep    time.Duration
	Clock    Clock
	Logger   *slog.Logger
	Registry prometheus.Registerer
	// Jitter returns a number in [0,1) for the ±20 % spread of retry delays.
	Jitter func() float64
	// Transport replaces the HTTP transport (tests); its dialer must still apply Policy.
	Transport http.RoundTripper
}

// Dispatcher claims due deliveries from the outbox, sends them signed, records every attempt
// and schedules the retries. Several dispatchers (one per instance) may share a database.
type Dispatcher struct {
	st      *store.Store
	cfg     DispatcherConfig
	client  *http.Client
	wake    chan struct{}
	metrics *dispatcherMetrics
}

type dispatcherMetrics struct {
	outcomes *prometheus.CounterVec
	latency  prometheus.Histogram
	depth    prometheus.Gauge
	oldest   prometheus.Gauge
}

// NewDispatcher makes a dispatcher over the store.
func NewDispatcher(st *store.Store, cfg DispatcherConfig) *Dispatcher {
	if cfg.Clock == nil {
		cfg.Clock = wallClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 15 * time.Second
	}
	if len(cfg.Schedule) == 0 {
		cfg.Schedule = []time.Duration{0}
	}
	if cfg.Workers == 0 {
		cfg.Workers = 64
	}
	if cfg.Batch == 0 {
		cfg.Batch = 100
	}
	if cfg.Lanes == 0 {
		cfg.Lanes = 2
	}
	if cfg.Sweep == 0 {
		cfg.Sweep = time.Second
	}
	if cfg.Owner == "" {
		cfg.Owner = models.NewID()
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	transport := cfg.Transport
	if transport == nil {
		dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second, Control: cfg.Policy.DialControl()}
		transport = &http.Transport{
			// No proxy: the guard must see the real destination.
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          512,
			MaxIdleConnsPerHost:   cfg.Workers,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: cfg.Timeout,
		}
	}
	d := &Dispatcher{st: st, cfg: cfg, wake: make(chan struct{}, 1),
		client: &http.Client{Transport: transport, Timeout: cfg.Timeout,
			// Redirects are not followed: a 3xx is a failed attempt, and cannot bounce a
			// request to an address the guard would refuse.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		metrics: &dispatcherMetrics{
			outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dsb_webhook_attempts_total",
				Help: "Webhook delivery attempts by outcome (succeeded, retrying, failed)."}, []string{"outcome"}),
			latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "dsb_webhook_attempt_duration_seconds",
				Help: "Duration of webhook delivery attempts.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)}),
			depth: prometheus.NewGauge(prometheus.GaugeOpts{Name: "dsb_webhook_queue_depth",
				Help: "Webhook deliveries waiting for an attempt."}),
			oldest: prometheus.NewGauge(prometheus.GaugeOpts{Name: "dsb_webhook_oldest_due_seconds",
				Help: "How long the oldest due webhook delivery has waited."}),
		}}
	if cfg.Registry != nil {
		cfg.Registry.MustRegister(d.metrics.outcomes, d.metrics.latency, d.metrics.depth, d.metrics.oldest)
	}
	return d
}

// Wake tells the dispatcher that deliveries were committed; it never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, woken by Wake and by a periodic sweep. Attempts in flight when
// ctx ends are finished and recorded; unfinished leases simply expire.
func (d *Dispatcher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range d.cfg.Lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.lane(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.gauges(ctx)
	}()
	wg.Wait()
}

func (d *Dispatcher) lane(ctx context.Context) {
	t := time.NewTicker(d.cfg.Sweep)
	defer t.Stop()
	for {
		for {
			n, err := d.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				d.cfg.Logger.WarnContext(ctx, "webhook dispatch failed", "error", err)
			}
			if n < d.cfg.Batch || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
			// Pass the signal on, so that the other lanes wake up too.
			d.Wake()
		case <-t.C:
		}
	}
}

func (d *Dispatcher) gauges(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		now := d.cfg.Clock.Now().UTC()
		if depth, oldest, err := d.st.DeliveryQueueStats(ctx, now); err == nil {
			d.metrics.depth.Set(float64(depth))
			age := 0.0
			if oldest != nil {
				age = now.Sub(*oldest).Seconds()
			}
			d.metrics.oldest.Set(age)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce claims one batch of due deliveries, sends them, and records the outcomes. It
// returns how many it claimed.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	now := d.cfg.Clock.Now().UTC().Truncate(time.Millisecond)
	// The lease outlives the longest attempt, so that nobody else sends while we do.
	lease := now.Add(d.cfg.Timeout + 30*time.Second)
	batch, err := d.st.ClaimDueDeliveries(ctx, d.cfg.Owner, now, lease, d.cfg.Batch)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	events, endpoints, err := d.load(ctx, batch)
	if err != nil {
		return len(batch), err
	}
	// The attempts finish even when ctx ends, so that what was sent is recorded.
	sendCtx := context.WithoutCancel(ctx)
	outcomes := make([]store.AttemptOutcome, len(batch))
	sem := make(chan struct{}, d.cfg.Workers)
	var wg sync.WaitGroup
	for i := range batch {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			outcomes[i] = d.attempt(sendCtx, &batch[i], events[batch[i].EventID], endpoints[batch[i].EndpointID])
		}()
	}
	wg.Wait()
	d.settleEndpoints(outcomes, endpoints)
	return len(batch), d.st.RecordAttempts(sendCtx, d.cfg.Owner, outcomes)
}

func (d *Dispatcher) load(ctx context.Context, batch []models.WebhookDelivery) (map[string]*models.WebhookEvent, map[string]*models.WebhookEndpoint, error) {
	var evIDs, epIDs []string
	for _, b := range batch {
		evIDs = append(evIDs, b.EventID)
		epIDs = append(epIDs, b.EndpointID)
	}
	evs, err := d.st.WebhookEventsByIDs(ctx, evIDs)
	if err != nil {
		return nil, nil, err
	}
	eps, err := d.st.WebhookEndpointsByIDs(ctx, epIDs)
	if err != nil {
		return nil, nil, err
	}
	events := make(map[string]*models.WebhookEvent, len(evs))
	for i := range evs {
		events[evs[i].ID] = &evs[i]
	}
	endpoints := make(map[string]*models.WebhookEndpoint, len(eps))
	for i := range eps {
		endpoints[eps[i].ID] = &eps[i]
	}
	return events, endpoints, nil
}

// attempt sends one delivery and decides what comes next.
func (d *Dispatcher) attempt(ctx context.Context, del *models.WebhookDelivery, ev *models.WebhookEvent, ep *models.WebhookEndpoint) store.AttemptOutcome {
	start := d.cfg.Clock.Now().UTC().Truncate(time.Millisecond)
	began := time.Now()
	n := del.Attempts + 1
	a := models.WebhookAttempt{ID: models.NewID(), DeliveryID: del.ID, EventID: del.EventID, EndpointID: del.EndpointID,
		PlatformID: del.PlatformID, EventType: del.EventType, Attempt: n, Trigger: del.Trigger, CreatedAt: start}
	var (
		status     int
		retryAfter time.Duration
		sendErr    error
	)
	switch {
	case ev == nil:
		sendErr = errors.New("event no longer exists")
	case ep == nil:
		sendErr = errors.New("endpoint was deleted")
	case !ep.Enabled:
		sendErr = errors.New("endpoint is disabled")
	default:
		var body string
		status, body, retryAfter, sendErr = d.send(ctx, ev, ep, start)
		if status != 0 {
			a.ResponseStatus = &status
			a.ResponseBody = &body
		}
	}
	elapsed := time.Since(began)
	a.DurationMS = elapsed.Milliseconds()
	d.metrics.latency.Observe(elapsed.Seconds())

	next := *del
	next.Attempts = n
	next.UpdatedAt = start
	ok := sendErr == nil && status >= 200 && status < 300
	final := ev == nil || ep == nil || (ep != nil && !ep.Enabled) || status == http.StatusGone
	switch {
	case ok:
		next.State = models.DeliverySucceeded
	case final || n >= len(d.cfg.Schedule):
		next.State = models.DeliveryFailed
	default:
		next.State = models.DeliveryRetrying
		delay := d.jitter(d.cfg.Schedule[n])
		if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && retryAfter > delay {
			delay = min(retryAfter, maxRetryAfter)
		}
		next.NextAttemptAt = start.Add(delay).Truncate(time.Millisecond)
		at := next.NextAttemptAt
		a.NextAttemptAt = &at
	}
	a.State = next.State
	if !ok {
		msg := ""
		if sendErr != nil {
			msg = sendErr.Error()
		} else {
			msg = fmt.Sprintf("receiver answered %d", status)
		}
		a.Error = &msg
	}
	d.metrics.outcomes.WithLabelValues(next.State).Inc()
	return store.AttemptOutcome{Attempt: a, Delivery: next}
}

// jitter spreads a delay by ±20 %.
func (d *Dispatcher) jitter(delay time.Duration) time.Duration {
	return time.Duration(float64(delay) * (0.8 + 0.4*d.cfg.Jitter()))
}

// send makes the HTTP request of one attempt.
func (d *Dispatcher) send(ctx context.Context, ev *models.WebhookEvent, ep *models.WebhookEndpoint, at time.Time) (int, string, time.Duration, error) {
	secrets := []string{ep.Secret}
	if ep.PreviousSecret != nil && ep.PreviousSecretExpiresAt != nil && at.Before(*ep.PreviousSecretExpiresAt) {
		secrets = append(secrets, *ep.PreviousSecret)
	}
	h, err := webhooks.Headers(secrets, ev.ID, at, ev.Payload)
	if err != nil {
		return 0, "", 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(ev.Payload))
	if err != nil {
		return 0, "", 0, err
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Dianshubao-Webhooks/1")
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, "", 0, err
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	// Drain a little more so that the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, validUTF8(head), parseRetryAfter(resp.Header.Get("Retry-After"), at), nil
}

// validUTF8 keeps the logged body valid text: a character cut at the 2 KiB boundary, or binary
// bytes, become U+FFFD.
func validUTF8(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }

// parseRetryAfter reads seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(min(s, int(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// settleEndpoints applies what the batch says about each endpoint: 410 Gone disables it; a
// success clears its failure run; five days of failures disable it.
func (d *Dispatcher) settleEndpoints(outcomes []store.AttemptOutcome, endpoints map[string]*models.WebhookEndpoint) {
	type verdict struct {
		gone, succeeded, failed bool
		at                      time.Time
	}
	vs := map[string]*verdict{}
	for _, o := range outcomes {
		ep := endpoints[o.Delivery.EndpointID]
		if ep == nil || !ep.Enabled {
			continue
		}
		v := vs[ep.ID]
		if v == nil {
			v = &verdict{}
			vs[ep.ID] = v
		}
		v.at = o.Attempt.CreatedAt
		switch {
		case o.Attempt.State == models.DeliverySucceeded:
			v.succeeded = true
		case o.Attempt.ResponseStatus != nil && *o.Attempt.ResponseStatus == http.StatusGone:
			v.gone = true
		default:
			v.failed = true
		}
	}
	for i := range outcomes {
		id := outcomes[i].Delivery.EndpointID
		v, ep := vs[id], endpoints[id]
		if v == nil {
			continue
		}
		delete(vs, id) // one update per endpoint
		switch {
		case v.gone:
			reason := "the endpoint answered 410 Gone"
			outcomes[i].EndpointUpdate = map[string]any{"enabled": false, "disabled_reason": reason, "updated_at": v.at}
			d.cfg.Logger.Warn("webhook endpoint disabled", "endpoint_id", id, "reason", reason)
		case v.succeeded:
			if ep.FailingSince != nil {
				outcomes[i].EndpointUpdate = map[string]any{"failing_since": nil}
			}
		case v.failed:
			switch {
			case ep.FailingSince == nil:
				outcomes[i].EndpointUpdate = map[string]any{"failing_since": v.at}
			case v.at.Sub(*ep.FailingSince) >= DisableAfter:
				reason := "every delivery failed for 5 days"
				outcomes[i].EndpointUpdate = map[string]any{"enabled": false, "disabled_reason": reason, "updated_at": v.at}
				d.cfg.Logger.Warn("webhook endpoint disabled", "endpoint_id", id, "reason", reason)
			}
		}
	}
}
