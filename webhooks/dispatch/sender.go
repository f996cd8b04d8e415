// Package dispatch delivers webhooks: it is the work queue's handler for webhook deliveries
// (models.JobWebhookDelivery). It sends each attempt signed over a guarded HTTP client, logs
// it, schedules the retry and disables endpoints that are gone or keep failing. It lives apart
// from package webhooks so that the signing and URL guard there do not depend on the storage
// layer.
package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dianshubao/dianshubao/internal/batch"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
	"github.com/dianshubao/dianshubao/store"
	"github.com/dianshubao/dianshubao/webhooks"
)

// DisableAfter is how long an endpoint may fail every attempt before it is disabled.
const DisableAfter = 5 * 24 * time.Hour

// Clock tells the time; tests inject one they can move.
type Clock interface{ Now() time.Time }

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now().UTC() }

// Config tunes a Sender.
type Config struct {
	// Schedule is the delay before each attempt (DSB_WEBHOOK_RETRY_SCHEDULE); its length is
	// the number of attempts.
	Schedule []time.Duration
	// Timeout bounds one attempt (DSB_WEBHOOK_TIMEOUT).
	Timeout time.Duration
	// Policy guards destinations at connect time.
	Policy   webhooks.URLPolicy
	Clock    Clock
	Logger   *slog.Logger
	Registry prometheus.Registerer
	// Jitter returns a number in [0,1) for the ±20 % spread of retry delays.
	Jitter func() float64
	// Transport replaces the HTTP transport (tests); its dialer must still apply Policy.
	Transport http.RoundTripper
	// ConnsPerHost is how many idle connections to one receiver are kept (default 64).
	ConnsPerHost int
}

// Sender makes the attempts of webhook deliveries.
type Sender struct {
	st      *store.Store
	cfg     Config
	loader  *batch.Loader[delivery, loaded]
	client  *http.Client
	outcome *prometheus.CounterVec
	latency prometheus.Histogram
}

// NewSender makes a sender over the store.
func NewSender(st *store.Store, cfg Config) *Sender {
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
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	if cfg.ConnsPerHost == 0 {
		cfg.ConnsPerHost = 64
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
			MaxIdleConnsPerHost:   cfg.ConnsPerHost,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: cfg.Timeout,
		}
	}
	s := &Sender{st: st, cfg: cfg, loader: newLoader(st, cfg.Timeout),
		client: &http.Client{Transport: transport, Timeout: cfg.Timeout,
			// Redirects are not followed: a 3xx is a failed attempt, and cannot bounce a
			// request to an address the guard would refuse.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		outcome: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dsb_webhook_attempts_total",
			Help: "Webhook delivery attempts by outcome (succeeded, retrying, failed)."}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "dsb_webhook_attempt_duration_seconds",
			Help: "Duration of webhook delivery attempts.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)}),
	}
	if cfg.Registry != nil {
		cfg.Registry.MustRegister(s.outcome, s.latency)
	}
	return s
}

// Handle makes attempt job.Attempts+1 of a delivery (Ref: the event, Destination: the
// endpoint). Its result logs the attempt and settles the endpoint in the transaction that
// records it; the schedule gives the delay before the next attempt.
func (s *Sender) Handle(ctx context.Context, job *models.Job) queue.Result {
	start := s.cfg.Clock.Now().UTC().Truncate(time.Millisecond)
	ev, ep, err := s.load(ctx, job)
	if err != nil {
		// The database, not the receiver, failed: try again soon without using up an attempt.
		return queue.Result{State: models.JobAvailable, DueAt: start.Add(5 * time.Second), Error: err.Error(), Unattempted: true}
	}
	if ev == nil {
		if res, ok := queue.Unseen(job, start, "event "+job.Ref); ok {
			return res
		}
	}
	began := time.Now()
	n := job.Attempts + 1
	a := models.WebhookAttempt{ID: models.NewID(), DeliveryID: job.ID, EventID: job.Ref, EndpointID: job.Destination,
		PlatformID: job.PlatformID, EventType: job.EventType, Attempt: n, Trigger: job.Trigger, CreatedAt: start}
	var (
		status     int
		retryAfter time.Duration
		sendErr    error
	)
	switch {
	case ev == nil:
		sendErr = errors.New("event no longer exists")
	case ev.PayloadEmptied:
		sendErr = errors.New("event payload was emptied by retention")
	case ep == nil:
		sendErr = errors.New("endpoint was deleted")
	case !ep.Enabled:
		sendErr = errors.New("endpoint is disabled")
	default:
		var body string
		status, body, retryAfter, sendErr = s.send(ctx, ev, ep, start)
		if status != 0 {
			a.ResponseStatus = &status
			a.ResponseBody = &body
		}
	}
	elapsed := time.Since(began)
	a.DurationMS = elapsed.Milliseconds()
	s.latency.Observe(elapsed.Seconds())

	live := ev != nil && !ev.PayloadEmptied && ep != nil && ep.Enabled
	ok := sendErr == nil && status >= 200 && status < 300
	res := queue.Result{Failure: live && (sendErr != nil || status >= 500)}
	switch {
	case ok:
		a.State, res.State = models.DeliverySucceeded, models.JobCompleted
	case !live || status == http.StatusGone || n >= len(s.cfg.Schedule):
		a.State, res.State = models.DeliveryFailed, models.JobDiscarded
	default:
		a.State, res.State = models.DeliveryRetrying, models.JobAvailable
		delay := s.jitter(s.cfg.Schedule[n])
		if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && retryAfter > delay {
			delay = min(retryAfter, maxRetryAfter)
		}
		res.DueAt = start.Add(delay).Truncate(time.Millisecond)
		at := res.DueAt
		a.NextAttemptAt = &at
	}
	if !ok {
		msg := fmt.Sprintf("receiver answered %d", status)
		if sendErr != nil {
			msg = sendErr.Error()
		}
		a.Error, res.Error = &msg, msg
	}
	s.outcome.WithLabelValues(a.State).Inc()
	res.Insert = []any{&a}
	if s.changesEndpoint(ep, ok, status, start) {
		res.Apply = func(ctx context.Context, tx *store.Store) error { return s.settle(ctx, tx, ep, ok, status, start) }
	}
	return res
}

// load reads the delivery's event and endpoint; either is nil when it no longer exists.
func (s *Sender) load(ctx context.Context, job *models.Job) (*models.WebhookEvent, *models.WebhookEndpoint, error) {
	l, _, err := s.loader.Load(ctx, delivery{eventID: job.Ref, endpointID: job.Destination})
	if l.ep != nil {
		c := *l.ep // each attempt gets its own copy of the endpoint: settle reads it later
		l.ep = &c
	}
	return l.ev, l.ep, err
}

// jitter spreads a delay by ±20 %.
func (s *Sender) jitter(delay time.Duration) time.Duration {
	return time.Duration(float64(delay) * (0.8 + 0.4*s.cfg.Jitter()))
}

// changesEndpoint reports whether an attempt may change its endpoint: most change nothing
// and need no statement.
func (s *Sender) changesEndpoint(ep *models.WebhookEndpoint, ok bool, status int, at time.Time) bool {
	switch {
	case ep == nil || !ep.Enabled:
		return false
	case status == http.StatusGone:
		return true
	case ok:
		return ep.FailingSince != nil
	default:
		return ep.FailingSince == nil || at.Sub(*ep.FailingSince) >= DisableAfter
	}
}

// settle applies what an attempt says about its endpoint: 410 Gone disables it; a success
// clears its failure run; five days of failures disable it. The endpoint as loaded says which
// change may be due; each statement checks the row itself, so that concurrent attempts agree.
func (s *Sender) settle(ctx context.Context, tx *store.Store, ep *models.WebhookEndpoint, ok bool, status int, at time.Time) error {
	var (
		reason   string
		disabled bool
		err      error
	)
	switch {
	case status == http.StatusGone:
		reason = "the endpoint answered 410 Gone"
		disabled, err = tx.DisableWebhookEndpoint(ctx, ep.ID, reason, at, nil)
	case ok:
		if ep.FailingSince != nil {
			err = tx.SetWebhookEndpointFailingSince(ctx, ep.ID, nil)
		}
	case ep.FailingSince == nil:
		err = tx.SetWebhookEndpointFailingSince(ctx, ep.ID, &at)
	case at.Sub(*ep.FailingSince) >= DisableAfter:
		reason = "every delivery failed for 5 days"
		before := at.Add(-DisableAfter)
		disabled, err = tx.DisableWebhookEndpoint(ctx, ep.ID, reason, at, &before)
	}
	if disabled {
		s.cfg.Logger.Warn("webhook endpoint disabled", "endpoint_id", ep.ID, "reason", reason)
	}
	return err
}
