// Package queue runs the work queue (models.Job): a fixed pool of workers fed continuously by
// a claimer that leases due jobs, capped per destination, with a circuit breaker for
// destinations that keep failing; every result is recorded as soon as it is known. Handlers
// for each kind of job are registered by the composition root (webhook deliveries from
// webhooks/dispatch, text messages and follow-ups from service).
package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
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
	// endpoint's failure run) in the transaction that records the result; it may be nil. It
	// is not called when the job's lease was lost meanwhile, and may be called again if that
	// transaction fails and is retried.
	Apply func(ctx context.Context, tx *store.Store) error
	// Insert are rows (pointers to models) to insert with the result, each in one statement
	// with the rows of the same type of other results recorded together (the delivery log);
	// like Apply, they are written only while the job's lease holds.
	Insert []any
	// Grouped is a write of the handler's own that the results recorded together share (see
	// Grouped); like Apply, it is written only while the job's lease holds.
	Grouped *Grouped
	// Unattempted marks a job that was not tried at all (a transient error before any I/O):
	// it goes back at DueAt without counting an attempt.
	Unattempted bool
}

// Grouped is one result's part of a write that the results recorded in one transaction make
// together: those with the same Key are written by one call of the first one's Write, with
// every Arg in the order of their results (one statement for a group of text messages marked
// sent, instead of one each).
type Grouped struct {
	Key   string
	Arg   any
	Write func(ctx context.Context, tx *store.Store, args []any) error
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

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now().UTC() }

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
	// Maintenance is how often the runner rescues expired leases, schedules periodic tasks and
	// refreshes the queue gauges (default 5 s).
	Maintenance time.Duration
	// AttemptTimeout bounds one attempt of any handler (default 2 minutes; the lease is renewed
	// meanwhile), so that a handler with no timeout of its own (a hanging SMS provider) cannot
	// hold a worker for ever.
	AttemptTimeout time.Duration
	// Stall is how long an attempt may run before its destination counts as slow: a slow
	// destination keeps no claimed jobs waiting, so that it holds no capacity others could use
	// (default 250 ms).
	Stall time.Duration
	// BreakAfter consecutive failures open a destination's breaker for Cooldown, doubled on
	// each reopening up to MaxCooldown (defaults 5, 30 s, 5 min).
	BreakAfter            int
	Cooldown, MaxCooldown time.Duration
}

// Runner claims due jobs and runs them through their handlers.
type Runner struct {
	st       *store.Store
	cfg      Config
	handlers map[string]Handler
	periodic map[string]Periodic
	m        *metrics
	wake     chan struct{}
	seq      atomic.Uint64

	mu    sync.Mutex
	dests map[string]*destination
	// tasks are the jobs this runner holds a lease on (queued, running, or finished and not
	// yet recorded), by job id; the heartbeat renews them.
	tasks map[string]*task
	held  int
	// freed tells a claimer waiting for capacity that a worker finished.
	freed    chan struct{}
	lastSlot map[string]int64
	stopping bool
}

// New makes a runner over the store with a handler per job kind.
func New(st *store.Store, cfg Config, handlers map[string]Handler, periodic []Periodic) *Runner {
	if cfg.Workers <= 0 {
		cfg.Workers = 64
	}
	if cfg.PerDestination <= 0 {
		cfg.PerDestination = 16
	}
	if cfg.Sweep <= 0 {
		cfg.Sweep = time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = wallClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Instance == "" {
		cfg.Instance = defaultInstance()
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 2 * time.Minute
	}
	if cfg.Maintenance <= 0 {
		cfg.Maintenance = 5 * time.Second
	}
	if cfg.Stall <= 0 {
		cfg.Stall = 250 * time.Millisecond
	}
	if cfg.BreakAfter <= 0 {
		cfg.BreakAfter = 5
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = 30 * time.Second
	}
	if cfg.MaxCooldown < cfg.Cooldown {
		cfg.MaxCooldown = max(5*time.Minute, cfg.Cooldown)
	}
	r := &Runner{st: st, cfg: cfg, handlers: map[string]Handler{}, periodic: map[string]Periodic{},
		m: newMetrics(cfg.Registry), wake: make(chan struct{}, 1), freed: make(chan struct{}, 1),
		dests: map[string]*destination{}, tasks: map[string]*task{}, lastSlot: map[string]int64{}}
	for k, h := range handlers {
		r.handlers[k] = h
	}
	for _, p := range periodic {
		r.periodic[p.Name] = p
	}
	r.handlers[models.JobPeriodic] = r.runPeriodic
	return r
}

// defaultInstance is the host name with a random suffix, so that two processes on one host
// never share lease tokens.
func defaultInstance() string {
	host, _ := os.Hostname()
	if len(host) > 32 {
		host = host[:32]
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

// Wake tells the runner that jobs were committed; it never blocks, and wake-ups coalesce.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx ends; attempts in flight then are finished and recorded.
func (r *Runner) Run(ctx context.Context) {
	results := make(chan record, 4*r.cfg.Workers)
	// ready never blocks a sender: it holds at most the held jobs, which are at most Workers.
	ready := make(chan *task, r.cfg.Workers)
	recorded := make(chan struct{})
	go func() { defer close(recorded); r.recorder(ctx, results) }()
	stopBeat, beat := make(chan struct{}), make(chan struct{})
	go func() { defer close(beat); r.heartbeat(stopBeat) }()

	var workers sync.WaitGroup
	for range r.cfg.Workers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for t := range ready {
				r.work(t, ready, results)
			}
		}()
	}
	r.claimer(ctx, ready, results)
	// Jobs still waiting for a worker go back at once; those in flight finish.
	r.stop(results)
	close(ready)
	workers.Wait()
	close(stopBeat)
	<-beat
	close(results)
	<-recorded
}
