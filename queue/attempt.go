package queue

import (
	"context"
	"fmt"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// attempt runs t's handler and turns its result into the record of the job's next state. The
// handler's context is not the runner's: an attempt in flight at shutdown finishes; the loss of
// its lease cancels it, and it may run for AttemptTimeout at most. A task whose lease was lost
// before it started is not attempted at all.
func (r *Runner) attempt(t *task) (record, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.AttemptTimeout)
	defer cancel()
	r.mu.Lock()
	t.cancel = cancel
	lost := t.lost
	r.mu.Unlock()
	if lost {
		// Its result would change nothing; another runner holds the job now.
		return record{kind: t.job.Kind, out: store.JobOutcome{ID: t.job.ID, Token: t.token, State: models.JobAvailable,
			DueAt: r.cfg.Clock.Now().UTC().Truncate(time.Millisecond), Release: true}}, false
	}

	began := time.Now()
	res := r.call(ctx, t)
	r.m.observe(t.job.Kind, res.State, time.Since(began))
	out := store.JobOutcome{ID: t.job.ID, Token: t.token, State: res.State, Error: res.Error,
		DueAt:   res.DueAt.UTC().Truncate(time.Millisecond),
		Release: res.Unattempted && res.State == models.JobAvailable}
	if res.State == models.JobAvailable && res.DueAt.IsZero() {
		out.DueAt = r.cfg.Clock.Now().UTC().Truncate(time.Millisecond)
	}
	return record{kind: t.job.Kind, out: out, apply: res.Apply, insert: res.Insert, grouped: res.Grouped}, res.Failure
}

// unhandledDelay is how long a job of a kind this runner has no handler for is put back: an
// instance of another version may handle it meanwhile.
const unhandledDelay = time.Minute

// call runs the handler of the job's kind. A job of a kind without a handler goes back
// unattempted; a handler that panics ends its job as discarded rather than the process.
func (r *Runner) call(ctx context.Context, t *task) (res Result) {
	h := r.handlers[t.job.Kind]
	if h == nil {
		return Result{State: models.JobAvailable, DueAt: r.cfg.Clock.Now().Add(unhandledDelay), Unattempted: true,
			Error: "no handler for jobs of kind " + t.job.Kind}
	}
	defer func() {
		if p := recover(); p != nil {
			r.cfg.Logger.Error("job handler panicked", "kind", t.job.Kind, "job_id", t.job.ID, "panic", p)
			res = Result{State: models.JobDiscarded, Error: fmt.Sprintf("handler panicked: %v", p)}
		}
	}()
	res = h(ctx, &t.job)
	switch res.State {
	case models.JobCompleted, models.JobAvailable, models.JobDiscarded:
	default:
		res = Result{State: models.JobDiscarded, Error: fmt.Sprintf("handler returned state %q", res.State)}
	}
	return res
}
