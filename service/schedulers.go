package service

import (
	"context"
	"time"
)

// expirer is the part of the database key-value store the janitor needs.
type expirer interface {
	DeleteExpired(ctx context.Context) (int64, error)
}

// job is periodic work. Every job is safe with several instances running: each change is made
// under a row lock with its precondition checked again, or is idempotent.
type job struct {
	name  string
	every time.Duration
	run   func(ctx context.Context) (int, error)
}

// RunSchedulers runs the periodic jobs until ctx ends: auto-completion of unrated complaints,
// delivery of complaints whose platform became reachable (a safety net behind the immediate
// delivery), notifications left unsent, freezing closed rating lists, and clean-up of expired
// records.
func (s *Services) RunSchedulers(ctx context.Context, kvs expirer) {
	jobs := []job{
		{"auto_complete", time.Minute, s.Complaints.AutoComplete},
		{"deliver_awaiting", 30 * time.Second, s.Complaints.SweepAwaiting},
		{"notifications", 30 * time.Second, s.Notifications.Sweep},
		{"freeze_ratings", 5 * time.Minute, s.Ratings.FreezeDue},
		{"janitor", 10 * time.Minute, func(ctx context.Context) (int, error) {
			n, err := s.st.DeleteExpiredRefreshTokens(ctx, now(s.clock))
			if err != nil || kvs == nil {
				return int(n), err
			}
			m, err := kvs.DeleteExpired(ctx)
			return int(n + m), err
		}},
		{"stale_uploads", time.Hour, func(ctx context.Context) (int, error) {
			// Temporary files of uploads a crash interrupted.
			return s.Evidence.SweepStaleUploads(ctx, time.Hour)
		}},
	}
	for _, j := range jobs {
		go s.loop(ctx, j)
	}
	<-ctx.Done()
}

func (s *Services) loop(ctx context.Context, j job) {
	t := time.NewTicker(j.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := j.run(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.WarnContext(ctx, "scheduled job failed", "job", j.name, "error", err)
		case n > 0:
			s.log.InfoContext(ctx, "scheduled job done", "job", j.name, "count", n)
		}
	}
}
