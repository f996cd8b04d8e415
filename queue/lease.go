package queue

import (
	"context"
	"time"
)

// heartbeat renews the leases this runner holds every Lease/4 until stop, so that an attempt
// never loses its lease while it is alive.
func (r *Runner) heartbeat(stop <-chan struct{}) {
	t := time.NewTicker(r.cfg.Lease / 4)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			r.renew()
		}
	}
}

// renew extends every held lease, one statement per claim token. A job whose lease another
// runner has taken is marked lost and its attempt cancelled; an attempt whose lease could not
// be renewed (the database refuses or hangs) is cancelled while about a third of the lease is
// still left, before anyone could take the job over.
func (r *Runner) renew() {
	now := r.cfg.Clock.Now().UTC().Truncate(time.Millisecond)
	until := now.Add(r.cfg.Lease)
	groups := map[string][]string{}
	r.mu.Lock()
	for id, t := range r.tasks {
		groups[t.token] = append(groups[t.token], id)
	}
	r.mu.Unlock()
	// One pass, every token included, takes at most Lease/6: a database that hangs instead of
	// refusing cannot push the check below past the moment a lease may lapse.
	pass, done := context.WithTimeout(context.Background(), r.cfg.Lease/6)
	defer done()
	for token, ids := range groups {
		ctx, cancel := context.WithCancel(pass)
		n, err := r.st.RenewLeases(ctx, token, ids, until, now)
		held := ids
		if err == nil && int(n) < len(ids) {
			held, err = r.st.LeasedJobIDs(ctx, token, ids)
			if err == nil {
				r.markLost(token, ids, held)
			}
		}
		cancel()
		if err != nil {
			r.cfg.Logger.Warn("renewing job leases failed", "error", err)
			continue
		}
		r.mu.Lock()
		for _, id := range held {
			if t := r.tasks[id]; t != nil && t.token == token {
				t.leaseUntil = until
			}
		}
		r.mu.Unlock()
	}
	// Judged by the time now, after the statements, not the time the pass began.
	cur := r.cfg.Clock.Now().UTC()
	r.mu.Lock()
	for _, t := range r.tasks {
		// Half the lease left with this pass failed: the next pass could not save it in time.
		if t.running && t.cancel != nil && t.leaseUntil.Sub(cur) <= r.cfg.Lease/2 {
			t.lost = true
			t.cancel()
		}
	}
	r.mu.Unlock()
}

// markLost flags the jobs of token that it no longer holds: a queued one is dropped, a
// running one cancelled; their results will change nothing.
func (r *Runner) markLost(token string, ids, held []string) {
	keep := make(map[string]bool, len(held))
	for _, id := range held {
		keep[id] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		t := r.tasks[id]
		if keep[id] || t == nil || t.token != token {
			continue
		}
		t.lost = true
		r.cfg.Logger.Warn("job lease lost", "job_id", id, "kind", t.job.Kind)
		if t.cancel != nil {
			t.cancel()
		}
		if !t.running {
			if d := r.dests[t.job.Destination]; d != nil {
				for i, q := range d.queue {
					if q == t {
						d.queue = append(d.queue[:i], d.queue[i+1:]...)
						r.held--
						delete(r.tasks, id)
						break
					}
				}
			}
		}
	}
}
