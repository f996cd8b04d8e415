package queue

import (
	"context"
	"fmt"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// maintain rescues jobs whose lease expired, schedules the periodic tasks' current slots and
// refreshes the gauges. It reports whether it made jobs available.
func (r *Runner) maintain(ctx context.Context) bool {
	now := r.cfg.Clock.Now().UTC().Truncate(time.Millisecond)
	more := false
	if n, err := r.st.RescueJobs(ctx, now); err != nil {
		r.cfg.Logger.WarnContext(ctx, "rescuing expired job leases failed", "error", err)
	} else if n > 0 {
		r.cfg.Logger.InfoContext(ctx, "rescued jobs whose lease expired", "jobs", n)
		more = true
	}
	if r.schedulePeriodic(ctx, now) {
		more = true
	}
	if r.m.registered {
		r.refreshGauges(ctx, now)
	}
	return more
}

// schedulePeriodic inserts the job of each periodic task's current slot. Every instance may
// try; the unique key leaves one row per slot.
func (r *Runner) schedulePeriodic(ctx context.Context, now time.Time) bool {
	more := false
	for name, p := range r.periodic {
		slot := now.Truncate(p.Every)
		if r.lastSlot[name] == slot.Unix() {
			continue
		}
		key := fmt.Sprintf("periodic:%s:%d", name, slot.Unix())
		job := models.Job{ID: models.NewID(), Kind: models.JobPeriodic, State: models.JobAvailable, DueAt: slot,
			Ref: name, Destination: "periodic:" + name, UniqueKey: &key, CreatedAt: now, UpdatedAt: now}
		if err := r.st.EnqueueJobs(ctx, []models.Job{job}); err != nil {
			r.cfg.Logger.WarnContext(ctx, "scheduling a periodic task failed", "task", name, "error", err)
			continue
		}
		r.lastSlot[name] = slot.Unix()
		more = true
	}
	return more
}

// runPeriodic is the handler of periodic jobs. A failed run is not retried: the next slot
// runs the task again.
func (r *Runner) runPeriodic(ctx context.Context, job *models.Job) Result {
	p, ok := r.periodic[job.Ref]
	if !ok {
		return Result{State: models.JobDiscarded, Error: "no periodic task named " + job.Ref}
	}
	n, err := p.Run(ctx)
	if err != nil {
		return Result{State: models.JobDiscarded, Error: err.Error()}
	}
	if n > 0 {
		r.cfg.Logger.InfoContext(ctx, "periodic task ran", "task", p.Name, "items", n)
	}
	return Result{State: models.JobCompleted}
}

// refreshGauges sets the backlog gauges from one grouped count.
func (r *Runner) refreshGauges(ctx context.Context, now time.Time) {
	stats, err := r.st.JobQueueStats(ctx)
	if err != nil {
		r.cfg.Logger.WarnContext(ctx, "reading the queue's backlog failed", "error", err)
		return
	}
	r.m.depth.Reset()
	r.m.oldest.Reset()
	r.m.webhookDepth.Set(0)
	r.m.webhookOldest.Set(0)
	for _, s := range stats {
		age := 0.0
		if !s.EarliestDue.IsZero() && s.EarliestDue.Before(now) {
			age = now.Sub(s.EarliestDue).Seconds()
		}
		r.m.depth.WithLabelValues(s.Kind).Set(float64(s.Depth))
		r.m.oldest.WithLabelValues(s.Kind).Set(age)
		if s.Kind == models.JobWebhookDelivery {
			r.m.webhookDepth.Set(float64(s.Depth))
			r.m.webhookOldest.Set(age)
		}
	}
}
