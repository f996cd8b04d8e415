package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
)

// CountEnabledWebhookEndpoints counts a platform's enabled endpoints.
func (s *Store) CountEnabledWebhookEndpoints(ctx context.Context, platformID string) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.WebhookEndpoint{}).
		Where("platform_id = ? AND enabled = ?", platformID, true).Count(&n).Error
	return n, err
}

// CreateWebhookEndpoint inserts an endpoint.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e *models.WebhookEndpoint) error {
	return s.db.WithContext(ctx).Create(e).Error
}

// SaveWebhookEndpoint writes every column of the endpoint.
func (s *Store) SaveWebhookEndpoint(ctx context.Context, e *models.WebhookEndpoint) error {
	return s.db.WithContext(ctx).Save(e).Error
}

// DeleteWebhookEndpoint removes an endpoint of the platform.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, platformID, id string) error {
	res := s.db.WithContext(ctx).Where("id = ? AND platform_id = ?", id, platformID).Delete(&models.WebhookEndpoint{})
	if res.Error == nil && res.RowsAffected == 0 {
		return models.NotFound("webhook endpoint")
	}
	return res.Error
}

// WebhookEndpointByID loads one endpoint of the platform.
func (s *Store) WebhookEndpointByID(ctx context.Context, platformID, id string) (*models.WebhookEndpoint, error) {
	var e models.WebhookEndpoint
	err := s.db.WithContext(ctx).Where("id = ? AND platform_id = ?", id, platformID).Take(&e).Error
	return &e, translate(err, "webhook endpoint")
}

// WebhookEndpointForUpdate loads one endpoint of the platform with a row lock.
func (s *Store) WebhookEndpointForUpdate(ctx context.Context, platformID, id string) (*models.WebhookEndpoint, error) {
	var e models.WebhookEndpoint
	err := s.withLock(s.db.WithContext(ctx)).Where("id = ? AND platform_id = ?", id, platformID).Take(&e).Error
	return &e, translate(err, "webhook endpoint")
}

// EndpointIDsOfEvent lists the endpoints an event was queued for, from its delivery jobs
// (idx_jobs_ref).
func (s *Store) EndpointIDsOfEvent(ctx context.Context, eventID string) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Model(&models.Job{}).Where("ref = ? AND kind = ?", eventID, models.JobWebhookDelivery).
		Distinct("destination").Pluck("destination", &ids).Error
	return ids, err
}

// ListWebhookEndpoints lists a platform's endpoints, oldest first, after afterID.
func (s *Store) ListWebhookEndpoints(ctx context.Context, platformID, afterID string, limit int) ([]models.WebhookEndpoint, error) {
	q := s.db.WithContext(ctx).Where("platform_id = ?", platformID).Order("id").Limit(limit)
	if afterID != "" {
		q = q.Where("id > ?", afterID)
	}
	var out []models.WebhookEndpoint
	return out, q.Find(&out).Error
}

// EnabledWebhookEndpoints lists the enabled endpoints of a platform.
func (s *Store) EnabledWebhookEndpoints(ctx context.Context, platformID string) ([]models.WebhookEndpoint, error) {
	var out []models.WebhookEndpoint
	err := s.db.WithContext(ctx).Where("platform_id = ? AND enabled = ?", platformID, true).Order("id").Find(&out).Error
	return out, err
}

// WebhookEndpointsByIDs loads endpoints by id.
func (s *Store) WebhookEndpointsByIDs(ctx context.Context, ids []string) ([]models.WebhookEndpoint, error) {
	var out []models.WebhookEndpoint
	if len(ids) == 0 {
		return out, nil
	}
	return out, s.db.WithContext(ctx).Where("id IN ?", ids).Find(&out).Error
}

// CreateWebhookDeliveries inserts outbox rows.
func (s *Store) CreateWebhookDeliveries(ctx context.Context, ds []models.WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	return s.db.WithContext(ctx).CreateInBatches(ds, 200).Error
}

// WebhookEventByID loads one event of the platform.
func (s *Store) WebhookEventByID(ctx context.Context, platformID, id string) (*models.WebhookEvent, error) {
	var e models.WebhookEvent
	err := s.db.WithContext(ctx).Where("id = ? AND platform_id = ?", id, platformID).Take(&e).Error
	return &e, translate(err, "webhook event")
}

// WebhookEventsByIDs loads events by id.
func (s *Store) WebhookEventsByIDs(ctx context.Context, ids []string) ([]models.WebhookEvent, error) {
	var out []models.WebhookEvent
	if len(ids) == 0 {
		return out, nil
	}
	return out, s.db.WithContext(ctx).Where("id IN ?", ids).Find(&out).Error
}

// ClaimDueDeliveries leases up to limit deliveries whose attempt is due and whose lease is
// free or expired. On MariaDB/MySQL the candidates are locked with SKIP LOCKED so that
// dispatchers on several instances claim disjoint batches without waiting on each other; on
// SQLite the write transaction is the single writer.
func (s *Store) ClaimDueDeliveries(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]models.WebhookDelivery, error) {
	var claimed []models.WebhookDelivery
	err := s.Tx(ctx, func(tx *Store) error {
		q := tx.db.WithContext(ctx).
			Where("state IN ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)",
				[]string{models.DeliveryPending, models.DeliveryRetrying}, now, now).
			Order("next_attempt_at").Limit(limit)
		if tx.driver == "mysql" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		if err := q.Find(&claimed).Error; err != nil || len(claimed) == 0 {
			return err
		}
		ids := make([]string, len(claimed))
		for i := range claimed {
			ids[i] = claimed[i].ID
			claimed[i].LeaseOwner, claimed[i].LeaseUntil = &owner, &leaseUntil
		}
		return tx.db.WithContext(ctx).Model(&models.WebhookDelivery{}).Where("id IN ?", ids).
			Updates(map[string]any{"lease_owner": owner, "lease_until": leaseUntil}).Error
	})
	return claimed, err
}

// AttemptOutcome is what one attempt did to its delivery and endpoint.
type AttemptOutcome struct {
	Attempt  models.WebhookAttempt
	Delivery models.WebhookDelivery
	// Endpoint changes to write (failing_since, enabled, disabled_reason), or nil.
	EndpointUpdate map[string]any
}

// RecordAttempts writes a batch of attempts and their deliveries' new state in one
// transaction. A delivery whose lease another dispatcher has taken over is left alone; its
// attempt is still logged.
func (s *Store) RecordAttempts(ctx context.Context, owner string, outcomes []AttemptOutcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	return s.Tx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		attempts := make([]models.WebhookAttempt, len(outcomes))
		for i := range outcomes {
			attempts[i] = outcomes[i].Attempt
		}
		if err := db.CreateInBatches(attempts, 200).Error; err != nil {
			return err
		}
		for _, o := range outcomes {
			d := o.Delivery
			if err := db.Model(&models.WebhookDelivery{}).Where("id = ? AND lease_owner = ?", d.ID, owner).
				Updates(map[string]any{"state": d.State, "attempts": d.Attempts, "next_attempt_at": d.NextAttemptAt,
					"lease_owner": nil, "lease_until": nil, "updated_at": d.UpdatedAt}).Error; err != nil {
				return err
			}
			if o.EndpointUpdate != nil {
				if err := db.Model(&models.WebhookEndpoint{}).Where("id = ?", d.EndpointID).Updates(o.EndpointUpdate).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// AttemptFilter narrows the delivery log.
type AttemptFilter struct {
	PlatformID string
	EndpointID string
	EventID    string
	State      string
	BeforeID   string
	Limit      int
}

// ListWebhookAttempts lists attempts newest first.
func (s *Store) ListWebhookAttempts(ctx context.Context, f AttemptFilter) ([]models.WebhookAttempt, error) {
	q := s.db.WithContext(ctx).Where("platform_id = ?", f.PlatformID).Order("id DESC").Limit(f.Limit)
	if f.EndpointID != "" {
		q = q.Where("endpoint_id = ?", f.EndpointID)
	}
	if f.EventID != "" {
		q = q.Where("event_id = ?", f.EventID)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if f.BeforeID != "" {
		q = q.Where("id < ?", f.BeforeID)
	}
	var out []models.WebhookAttempt
	return out, q.Find(&out).Error
}

// DeliveryQueueStats reports how many webhook deliveries wait for an attempt and since when
// the oldest due one has been due, from the claim index of the work queue.
func (s *Store) DeliveryQueueStats(ctx context.Context, now time.Time) (depth int64, oldestDue *time.Time, err error) {
	waiting := func() *gorm.DB {
		return s.db.WithContext(ctx).Model(&models.Job{}).Where("state = ? AND kind = ?", models.JobAvailable, models.JobWebhookDelivery)
	}
	if err = waiting().Count(&depth).Error; err != nil || depth == 0 {
		return depth, nil, err
	}
	var due []time.Time
	err = waiting().Where("due_at <= ?", now).Order("due_at").Limit(1).Pluck("due_at", &due).Error
	if err == nil && len(due) > 0 {
		oldestDue = &due[0]
	}
	return depth, oldestDue, err
}
