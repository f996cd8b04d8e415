package service

import (
	"context"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
)

// JobHandlers are the service's handlers of work-queue jobs, by kind. Webhook deliveries have
// their own sender, outside the service.
func (s *Services) JobHandlers() map[string]queue.Handler {
	return map[string]queue.Handler{
		models.JobSMS:             s.Notifications.sendJob,
		models.JobDeliverAwaiting: s.Complaints.deliverAwaitingJob,
		models.JobAutoComplete:    s.Complaints.autoCompleteJob,
		models.JobEraseBlob:       s.Erasures.eraseBlobJob,
		models.JobEraseSweep:      s.Erasures.eraseSweepJob,
	}
}

// PeriodicTasks are the database chores the work queue runs once per interval across every
// instance. Each is safe to run twice: every change is made under a row lock with its
// precondition checked again, or is idempotent.
func (s *Services) PeriodicTasks() []queue.Periodic {
	return append([]queue.Periodic{
		{Name: "freeze_ratings", Every: 5 * time.Minute, Run: s.Ratings.FreezeDue},
		{Name: "freeze_rankings", Every: 5 * time.Minute, Run: s.Rankings.FreezeDue},
		{Name: "freeze_reports", Every: 5 * time.Minute, Run: s.Reports.FreezeDue},
		{Name: "deliver_awaiting", Every: 30 * time.Second, Run: s.Complaints.QueueAwaiting},
		{Name: "auto_complete", Every: time.Hour, Run: s.Complaints.AutoComplete},
	}, s.Retention.Tasks()...)
}

// RunLocalChores runs, until ctx ends, the chores that belong to this instance rather than to
// the database: the temporary files of uploads a crash interrupted, on this instance's disk.
func (s *Services) RunLocalChores(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := s.Evidence.SweepStaleUploads(ctx, time.Hour)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.WarnContext(ctx, "stale upload sweep failed", "error", err)
		case n > 0:
			s.log.InfoContext(ctx, "stale uploads removed", "count", n)
		}
	}
}
