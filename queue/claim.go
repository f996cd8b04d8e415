package queue

import (
	"context"
	"strconv"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// task is a job this runner holds a lease on.
type task struct {
	job   models.Job
	token string
	// The fields below are guarded by Runner.mu.
	leaseUntil time.Time
	cancel     func()
	running    bool
	lost       bool
}

// newToken names one claim: each claim holds its leases under a token of its own, so that a
// result is recorded only by the claim that still holds the job.
func (r *Runner) newToken() string {
	return r.cfg.Instance + "/" + strconv.FormatUint(r.seq.Add(1), 36)
}

// minClaim is the smallest claim worth a round trip while workers are busy.
func (r *Runner) minClaim() int { return max(1, r.cfg.Workers/4) }

// queueLimit is how many claimed jobs one destination may keep waiting for a slot.
func (r *Runner) queueLimit() int {
	return max(r.cfg.PerDestination, r.cfg.Workers-r.cfg.PerDestination)
}

// claimer leases due jobs as capacity frees up. It claims when woken, on each sweep, and when
// a worker finishes while the last claim came back full; an idle runner runs one claim per
// sweep and nothing else, and it never wakes itself.
func (r *Runner) claimer(ctx context.Context, ready chan<- *task, results chan<- record) {
	sweep := time.NewTicker(r.cfg.Sweep)
	defer sweep.Stop()
	maint := time.NewTicker(r.cfg.Maintenance)
	defer maint.Stop()
	r.maintain(ctx)
	more := true // due jobs may be waiting that this runner has not claimed
	var backoff time.Duration
	for {
		r.shed(results)
		if free := r.free(); more && (free >= r.minClaim() || (free > 0 && r.busy() == 0)) {
			n, err := r.claim(ctx, free, ready, results)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				backoff = nextBackoff(backoff)
				r.cfg.Logger.WarnContext(ctx, "claiming jobs failed", "error", err, "retry_in", backoff)
				if !sleep(ctx, backoff) {
					return
				}
				continue
			}
			backoff = 0
			more = n == free
			if more && r.free() >= r.minClaim() {
				continue // everything claimed went back (busy destinations): claim on
			}
		}
		var freed <-chan struct{}
		if more {
			freed = r.freed
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
			more = true
		case <-sweep.C:
			more = true
		case <-freed:
		case <-maint.C:
			if r.maintain(ctx) {
				more = true
			}
		}
	}
}

func nextBackoff(b time.Duration) time.Duration {
	if b == 0 {
		return 100 * time.Millisecond
	}
	return min(2*b, 5*time.Second)
}

// sleep waits for d and reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// free is how many more jobs this runner can hold.
func (r *Runner) free() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cfg.Workers - r.held
}

func (r *Runner) busy() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.held
}

// claim leases up to n jobs and hands each to a worker, to its destination's queue, or back.
func (r *Runner) claim(ctx context.Context, n int, ready chan<- *task, results chan<- record) (int, error) {
	token := r.newToken()
	now := r.cfg.Clock.Now().UTC().Truncate(time.Millisecond)
	jobs, err := r.st.ClaimJobs(ctx, token, now, now.Add(r.cfg.Lease), n, r.full(now)...)
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	var back []record
	r.mu.Lock()
	for i := range jobs {
		t := &task{job: jobs[i], token: token, leaseUntil: now.Add(r.cfg.Lease)}
		if rec, ok := r.admit(t, now, ready); !ok {
			back = append(back, rec)
		}
	}
	r.mu.Unlock()
	for _, rec := range back {
		results <- rec
	}
	return len(jobs), nil
}

// admit starts t, queues it behind its destination's attempts, or returns the record that
// puts it back: its destination's breaker is open, or the destination is slow or has enough
// waiting already, so that it holds no worker another destination could use. A manual job (a
// person asked for it now) passes an open breaker as its probe. r.mu is held.
func (r *Runner) admit(t *task, now time.Time, ready chan<- *task) (record, bool) {
	d := r.dest(t.job.Destination)
	switch {
	case d.open(now) && t.job.Trigger != models.TriggerManual:
		r.m.released.WithLabelValues(t.job.Kind, "breaker_open").Inc()
		return release(t, d.openUntil), false
	case d.running < r.slots(d, now):
		r.start(t, d, ready)
	case d.oldest() >= r.cfg.Stall || len(d.queue) >= r.queueLimit():
		r.m.released.WithLabelValues(t.job.Kind, "destination_busy").Inc()
		return release(t, now.Add(r.retryIn(d))), false
	default:
		d.queue = append(d.queue, t)
	}
	r.held++
	r.tasks[t.job.ID] = t
	return record{}, true
}

// full lists the destinations that could take no job now: breaker open, or every slot busy
// and as many waiting as may wait. The claim passes their jobs over instead of leasing them
// only to send them back.
func (r *Runner) full(now time.Time) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for name, d := range r.dests {
		if d.open(now) || (d.running >= r.slots(d, now) && (d.oldest() >= r.cfg.Stall || len(d.queue) >= r.queueLimit())) {
			out = append(out, name)
		}
	}
	return out
}

// slots is how many attempts d may have in flight: PerDestination, or a single probe while it
// is slow (an attempt has run past Stall) or half-open (its breaker
// closed again after failures).
func (r *Runner) slots(d *destination, now time.Time) int {
	if d.oldest() >= r.cfg.Stall || (d.fails >= r.cfg.BreakAfter && !d.open(now)) {
		return 1
	}
	return r.cfg.PerDestination
}

// retryIn is when a job sent back from a busy destination is due again: about when its slots
// may be free, judged by how long its attempts in flight have been running; a slow one is
// given at least Stall.
func (r *Runner) retryIn(d *destination) time.Duration {
	if d.oldest() < r.cfg.Stall {
		return min(max(100*time.Millisecond, 2*d.oldest()), r.cfg.Stall)
	}
	return min(max(r.cfg.Stall, 2*d.oldest()), time.Minute)
}

// start hands t to a worker; r.mu is held.
func (r *Runner) start(t *task, d *destination, ready chan<- *task) {
	d.running++
	d.started[t] = time.Now()
	t.running = true
	ready <- t
}

func release(t *task, due time.Time) record {
	return record{kind: t.job.Kind, out: store.JobOutcome{ID: t.job.ID, Token: t.token, State: models.JobAvailable,
		DueAt: due.UTC().Truncate(time.Millisecond), Release: true}}
}

// shed sends back the waiting jobs of destinations that turned slow or whose breaker opened.
func (r *Runner) shed(results chan<- record) {
	now := r.cfg.Clock.Now()
	var back []record
	r.mu.Lock()
	for _, d := range r.dests {
		if len(d.queue) == 0 {
			continue
		}
		due := time.Time{}
		switch {
		case d.open(now):
			due = d.openUntil
		case d.oldest() >= r.cfg.Stall:
			due = now.Add(r.retryIn(d))
		default:
			continue
		}
		for _, t := range d.queue {
			back = append(back, release(t, due))
			delete(r.tasks, t.job.ID)
			r.held--
			r.m.released.WithLabelValues(t.job.Kind, "destination_busy").Inc()
		}
		d.queue = nil
	}
	r.mu.Unlock()
	for _, rec := range back {
		results <- rec
	}
}

// stop sends back every job still waiting for a slot; the workers take no more from queues.
func (r *Runner) stop(results chan<- record) {
	var back []record
	r.mu.Lock()
	r.stopping = true
	for _, d := range r.dests {
		for _, t := range d.queue {
			back = append(back, release(t, t.job.DueAt))
			delete(r.tasks, t.job.ID)
			r.held--
		}
		d.queue = nil
	}
	r.mu.Unlock()
	for _, rec := range back {
		results <- rec
	}
}

// work runs one attempt and then its destination's next waiting job, if any.
func (r *Runner) work(t *task, ready chan<- *task, results chan<- record) {
	rec, failure := r.attempt(t)
	now := r.cfg.Clock.Now()
	var back []record
	r.mu.Lock()
	d := r.dest(t.job.Destination)
	d.running--
	delete(d.started, t)
	t.running, t.cancel = false, nil
	r.held--
	d.observe(failure, now, &r.cfg)
	if len(d.queue) > 0 && !r.stopping {
		if d.open(now) {
			for _, q := range d.queue {
				back = append(back, release(q, d.openUntil))
				delete(r.tasks, q.job.ID)
				r.held--
			}
			d.queue = nil
		} else if d.running < r.slots(d, now) {
			next := d.queue[0]
			d.queue = d.queue[1:]
			r.start(next, d, ready)
		}
	}
	if d.idle() && !d.open(now) {
		delete(r.dests, t.job.Destination)
	}
	r.mu.Unlock()
	results <- rec
	for _, b := range back {
		results <- b
	}
	select {
	case r.freed <- struct{}{}:
	default:
	}
}
