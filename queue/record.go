package queue

import (
	"context"
	"errors"
	"reflect"
	"time"

	"github.com/dianshubao/dianshubao/store"
)

// record is a job's next state as an attempt (or a release) decided it.
type record struct {
	kind   string
	out    store.JobOutcome
	apply  func(ctx context.Context, tx *store.Store) error
	insert []any
}

// maxGroup bounds how many results one transaction records.
const maxGroup = 200

// stopGrace is how long a stopping runner keeps trying to record what it holds.
const stopGrace = 10 * time.Second

// recorder writes results as they come (group commit): it blocks for the first, takes every
// result already waiting, and records them in one transaction, never waiting for more. What
// cannot be recorded is kept and retried with a growing pause until it is.
func (r *Runner) recorder(ctx context.Context, in <-chan record) {
	var pending []record
	var backoff time.Duration
	open := true
	for open || len(pending) > 0 {
		if len(pending) == 0 {
			rec, ok := <-in
			if !ok {
				return
			}
			pending = append(pending, rec)
		}
	drain:
		for open && len(pending) < maxGroup {
			select {
			case rec, ok := <-in:
				if !ok {
					open = false
					break drain
				}
				pending = append(pending, rec)
			default:
				break drain
			}
		}
		pending = r.write(pending)
		if len(pending) == 0 {
			backoff = 0
			continue
		}
		backoff = nextBackoff(backoff)
		r.cfg.Logger.Warn("recording job results failed; keeping them", "results", len(pending), "retry_in", backoff)
		if ctx.Err() != nil && !open {
			// Stopping: the leases of what is left expire and other instances take the jobs.
			deadline := time.Now().Add(stopGrace)
			for len(pending) > 0 && time.Now().Before(deadline) {
				time.Sleep(backoff)
				backoff = nextBackoff(backoff)
				pending = r.write(pending)
			}
			return
		}
		time.Sleep(backoff)
	}
}

// write records a group in one transaction and returns what it could not record. When the
// group fails, its results are tried one by one, so that a result whose own writes fail holds
// no other back; a failure of the database itself ends that and keeps the rest.
func (r *Runner) write(batch []record) []record {
	err := r.writeTx(batch)
	if err == nil {
		r.recorded(batch)
		return nil
	}
	if len(batch) == 1 {
		r.cfg.Logger.Warn("recording a job result failed", "job_id", batch[0].out.ID, "error", err)
		return batch
	}
	var left []record
	for i, rec := range batch {
		err := r.writeTx(batch[i : i+1])
		if err == nil {
			r.recorded(batch[i : i+1])
			continue
		}
		r.cfg.Logger.Warn("recording a job result failed", "job_id", rec.out.ID, "error", err)
		left = append(left, rec)
		if !errors.As(err, new(*applyError)) {
			return append(left, batch[i+1:]...)
		}
	}
	return left
}

// applyError is a failure of a handler's own writes, as opposed to the database's.
type applyError struct{ err error }

func (e *applyError) Error() string { return e.err.Error() }
func (e *applyError) Unwrap() error { return e.err }

func (r *Runner) writeTx(batch []record) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := r.cfg.Clock.Now().UTC().Truncate(time.Millisecond)
	outs := make([]store.JobOutcome, len(batch))
	for i := range batch {
		outs[i] = batch[i].out
	}
	return r.st.Tx(ctx, func(tx *store.Store) error {
		held, err := tx.RecordJobs(ctx, outs, now)
		if err != nil {
			return err
		}
		// Rows of one type from every result go in one statement.
		byType := map[reflect.Type]reflect.Value{}
		var order []reflect.Type
		for i, rec := range batch {
			if !held[i] {
				continue
			}
			for _, row := range rec.insert {
				v := reflect.ValueOf(row)
				rows, ok := byType[v.Type()]
				if !ok {
					rows = reflect.MakeSlice(reflect.SliceOf(v.Type()), 0, len(batch))
					order = append(order, v.Type())
				}
				byType[v.Type()] = reflect.Append(rows, v)
			}
		}
		for _, t := range order {
			if err := tx.InsertRows(ctx, byType[t].Interface()); err != nil {
				return err
			}
		}
		for i, rec := range batch {
			if held[i] && rec.apply != nil {
				if err := rec.apply(ctx, tx); err != nil {
					return &applyError{err}
				}
			}
		}
		return nil
	})
}

// recorded forgets the leases of recorded jobs.
func (r *Runner) recorded(batch []record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range batch {
		if t := r.tasks[rec.out.ID]; t != nil && t.token == rec.out.Token && !t.running {
			delete(r.tasks, rec.out.ID)
		}
	}
}
