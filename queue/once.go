package queue

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// RunOnce claims every due job (in batches), runs each and records the results before it
// returns: a synchronous drain for tests and tools. It returns how many jobs it ran. It first
// rescues expired leases and schedules the periodic tasks, as Run's maintenance does; it must
// not run beside Run on the same runner.
func (r *Runner) RunOnce(ctx context.Context) (int, error) {
	r.maintain(ctx)
	stop, beat := make(chan struct{}), make(chan struct{})
	go func() { defer close(beat); r.heartbeat(stop) }()
	defer func() { close(stop); <-beat }()
	total := 0
	for {
		token := r.newToken()
		now := r.cfg.Clock.Now().UTC().Truncate(time.Millisecond)
		jobs, err := r.st.ClaimJobs(ctx, token, now, now.Add(r.cfg.Lease), r.cfg.Workers)
		if err != nil {
			return total, err
		}
		if len(jobs) == 0 {
			return total, nil
		}
		recs := make([]record, len(jobs))
		slots := map[string]chan struct{}{}
		var wg sync.WaitGroup
		for i := range jobs {
			t := &task{job: jobs[i], token: token, leaseUntil: now.Add(r.cfg.Lease), running: true}
			r.mu.Lock()
			d := r.dest(t.job.Destination)
			open, until := d.open(now) && t.job.Trigger != models.TriggerManual, d.openUntil
			if !open {
				r.tasks[t.job.ID] = t
			}
			r.mu.Unlock()
			if open {
				recs[i] = release(t, until)
				continue
			}
			total++
			slot := slots[t.job.Destination]
			if slot == nil {
				slot = make(chan struct{}, r.cfg.PerDestination)
				slots[t.job.Destination] = slot
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				slot <- struct{}{}
				defer func() { <-slot }()
				rec, failure := r.attempt(t)
				r.mu.Lock()
				t.running = false
				r.dest(t.job.Destination).observe(failure, r.cfg.Clock.Now(), &r.cfg)
				r.mu.Unlock()
				recs[i] = rec
			}()
		}
		wg.Wait()
		if refused, left := r.write(recs); len(refused)+len(left) > 0 {
			// Unrecorded, their leases are no longer renewed: they expire and are rescued.
			r.mu.Lock()
			for _, rec := range append(refused, left...) {
				delete(r.tasks, rec.out.ID)
			}
			r.mu.Unlock()
			return total, fmt.Errorf("recording %d job results failed", len(refused)+len(left))
		}
	}
}
