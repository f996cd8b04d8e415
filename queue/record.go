package queue

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"time"

	"github.com/dianshubao/dianshubao/store"
)

// record is a job's next state as an attempt (or a release) decided it.
type record struct {
	kind    string
	out     store.JobOutcome
	apply   func(ctx context.Context, tx *store.Store) error
	insert  []any
	grouped *Grouped
	// tries and notBefore pace the retries of a result whose own writes failed.
	tries     int
	notBefore time.Time
}

// maxGroup bounds how many results one transaction records.
const maxGroup = 200

// stopGrace is how long a stopping runner keeps trying to record what it holds.
const stopGrace = 10 * time.Second

// recorder writes results as they come (group commit): it blocks for the first, takes every
// result already waiting, and records them in one transaction, never waiting for more. While
// the database fails, what it holds is kept and retried with a growing pause until it is
// recorded; a result whose own writes fail waits alone, with a pause of its own.
func (r *Runner) recorder(ctx context.Context, in <-chan record) {
	var pending, parked []record
	var backoff time.Duration
	var stopBy time.Time
	open := true
	for open || len(pending) > 0 || len(parked) > 0 {
		if len(pending) == 0 {
			var timer *time.Timer
			var wait <-chan time.Time
			if len(parked) > 0 {
				timer = time.NewTimer(time.Until(parked[0].notBefore))
				wait = timer.C
			}
			if !open && wait == nil {
				return
			}
			select {
			case rec, ok := <-in:
				if !ok {
					open, in = false, nil
				} else {
					pending = append(pending, rec)
				}
			case <-wait:
			}
			if timer != nil {
				timer.Stop()
			}
		}
	drain:
		for open && len(pending) < maxGroup {
			select {
			case rec, ok := <-in:
				if !ok {
					open, in = false, nil
					break drain
				}
				pending = append(pending, rec)
			default:
				break drain
			}
		}
		now := time.Now()
		for len(parked) > 0 && !parked[0].notBefore.After(now) && len(pending) < maxGroup {
			pending, parked = append(pending, parked[0]), parked[1:]
		}
		if len(pending) == 0 {
			continue
		}
		refused, left := r.write(pending)
		for _, rec := range refused {
			rec.tries++
			rec.notBefore = time.Now().Add(min(100*time.Millisecond<<min(rec.tries, 6), 5*time.Second))
			parked = append(parked, rec)
		}
		sort.Slice(parked, func(i, j int) bool { return parked[i].notBefore.Before(parked[j].notBefore) })
		pending = left
		if len(left) == 0 {
			backoff = 0
		} else {
			backoff = nextBackoff(backoff)
			r.cfg.Logger.Warn("recording job results failed; keeping them", "results", len(left), "retry_in", backoff)
			time.Sleep(backoff)
		}
		if ctx.Err() != nil && !open {
			// Stopping: what is left after a grace period is abandoned; its leases expire and
			// other instances take the jobs over.
			if stopBy.IsZero() {
				stopBy = time.Now().Add(stopGrace)
			} else if time.Now().After(stopBy) {
				r.cfg.Logger.Warn("stopped with job results unrecorded", "results", len(pending)+len(parked))
				return
			}
		}
	}
}

// write records a group in one transaction. When the group fails, its results are tried one
// by one, so that a result whose own writes fail (refused) holds no other back; a failure of
// the database itself stops that and leaves the rest (left).
func (r *Runner) write(batch []record) (refused, left []record) {
	err := r.writeTx(batch)
	if err == nil {
		r.recorded(batch)
		return nil, nil
	}
	if len(batch) == 1 {
		r.cfg.Logger.Warn("recording a job result failed", "job_id", batch[0].out.ID, "error", err)
		if errors.As(err, new(*applyError)) {
			return batch, nil
		}
		return nil, batch
	}
	for i, rec := range batch {
		err := r.writeTx(batch[i : i+1])
		if err == nil {
			r.recorded(batch[i : i+1])
			continue
		}
		r.cfg.Logger.Warn("recording a job result failed", "job_id", rec.out.ID, "error", err)
		if !errors.As(err, new(*applyError)) {
			return refused, append(left, batch[i:]...)
		}
		refused = append(refused, rec)
	}
	return refused, nil
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
		return writeGrouped(ctx, tx, batch, held)
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

// writeGrouped makes each group's write once, with the args of the held results in it.
func writeGrouped(ctx context.Context, tx *store.Store, batch []record, held []bool) error {
	groups := map[string][]any{}
	var first []*Grouped
	for i, rec := range batch {
		g := rec.grouped
		if !held[i] || g == nil {
			continue
		}
		if _, ok := groups[g.Key]; !ok {
			first = append(first, g)
		}
		groups[g.Key] = append(groups[g.Key], g.Arg)
	}
	for _, g := range first {
		if err := g.Write(ctx, tx, groups[g.Key]); err != nil {
			return &applyError{err}
		}
	}
	return nil
}
