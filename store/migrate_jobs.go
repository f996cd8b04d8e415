package store

import (
	"context"
	"fmt"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// legacyDelivery is a row of webhook_deliveries, the outbox that work-queue jobs replaced.
type legacyDelivery struct {
	ID, EventID, EndpointID, PlatformID, EventType, Trigger, State string
	Attempts                                                       int
	NextAttemptAt, CreatedAt                                       time.Time
}

// adoptPendingWork queues, once, what the code before the work queue left unsent: text
// messages still pending (or caught mid-send) and webhook deliveries still waiting in the old
// outbox. Unique keys make a second run, or two instances starting together, queue nothing
// twice.
func (s *Store) adoptPendingWork(ctx context.Context) error {
	db := s.conn(ctx)
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := db.Model(&models.Notification{}).Where("status = ?", "sending").
		Update("status", models.NotificationPending).Error; err != nil {
		return fmt.Errorf("adopt notifications: %w", err)
	}
	var pending []models.Notification
	if err := db.Where("status = ? AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.ref = notifications.id AND jobs.kind = ?)",
		models.NotificationPending, models.JobSMS).Find(&pending).Error; err != nil {
		return fmt.Errorf("adopt notifications: %w", err)
	}
	var jobs []models.Job
	for _, n := range pending {
		key := "adopted:" + n.ID
		jobs = append(jobs, models.Job{ID: models.NewID(), Kind: models.JobSMS, State: models.JobAvailable, DueAt: now,
			UniqueKey: &key, Ref: n.ID, Destination: models.DestinationSMS, CreatedAt: now, UpdatedAt: now})
	}
	var ds []legacyDelivery
	if db.Migrator().HasTable("webhook_deliveries") {
		if err := db.Table("webhook_deliveries").Where("state IN ?", []string{"pending", "retrying"}).Find(&ds).Error; err != nil {
			return fmt.Errorf("adopt webhook deliveries: %w", err)
		}
	}
	for _, d := range ds {
		key := "adopted:" + d.ID
		jobs = append(jobs, models.Job{ID: models.NewID(), Kind: models.JobWebhookDelivery, State: models.JobAvailable,
			DueAt: d.NextAttemptAt, Attempts: d.Attempts, UniqueKey: &key, Ref: d.EventID, Destination: d.EndpointID,
			PlatformID: d.PlatformID, EventType: d.EventType, Trigger: d.Trigger, CreatedAt: d.CreatedAt, UpdatedAt: now})
	}
	if err := s.EnqueueJobs(ctx, jobs); err != nil {
		return fmt.Errorf("adopt pending work: %w", err)
	}
	// The adopted rows are done with: a later start finds nothing left to adopt.
	for i := 0; i < len(ds); i += 500 {
		ids := make([]string, 0, 500)
		for _, d := range ds[i:min(i+500, len(ds))] {
			ids = append(ids, d.ID)
		}
		if err := db.Table("webhook_deliveries").Where("id IN ?", ids).Update("state", "adopted").Error; err != nil {
			return fmt.Errorf("adopt webhook deliveries: %w", err)
		}
	}
	return nil
}
