package store

import (
	"context"
	"slices"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// CountEnabledWebhookEndpoints counts a platform's enabled endpoints.
func (s *Store) CountEnabledWebhookEndpoints(ctx context.Context, platformID string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&models.WebhookEndpoint{}).
		Where("platform_id = ? AND enabled = ?", platformID, true).Count(&n).Error
	return n, err
}

// CountWebhookEndpoints counts all of a platform's endpoints, enabled or not.
func (s *Store) CountWebhookEndpoints(ctx context.Context, platformID string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&models.WebhookEndpoint{}).Where("platform_id = ?", platformID).Count(&n).Error
	return n, err
}

// CreateWebhookEndpoint inserts an endpoint.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e *models.WebhookEndpoint) error {
	return s.conn(ctx).Create(e).Error
}

// SaveWebhookEndpoint writes every column of the endpoint.
func (s *Store) SaveWebhookEndpoint(ctx context.Context, e *models.WebhookEndpoint) error {
	return s.conn(ctx).Save(e).Error
}

// DeleteWebhookEndpoint removes an endpoint of the platform.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, platformID, id string) error {
	res := s.conn(ctx).Where("id = ? AND platform_id = ?", id, platformID).Delete(&models.WebhookEndpoint{})
	if res.Error == nil && res.RowsAffected == 0 {
		return models.NotFound("webhook endpoint")
	}
	return res.Error
}

// WebhookEndpointByID loads one endpoint of the platform.
func (s *Store) WebhookEndpointByID(ctx context.Context, platformID, id string) (*models.WebhookEndpoint, error) {
	var e models.WebhookEndpoint
	err := s.conn(ctx).Where("id = ? AND platform_id = ?", id, platformID).Take(&e).Error
	return &e, translate(err, "webhook endpoint")
}

// WebhookEndpointForUpdate loads one endpoint of the platform with a row lock.
func (s *Store) WebhookEndpointForUpdate(ctx context.Context, platformID, id string) (*models.WebhookEndpoint, error) {
	var e models.WebhookEndpoint
	err := s.withLock(s.conn(ctx)).Where("id = ? AND platform_id = ?", id, platformID).Take(&e).Error
	return &e, translate(err, "webhook endpoint")
}

// EndpointIDsOfEvent lists the endpoints an event was queued for, from its delivery jobs
// (idx_jobs_ref) and, since retention deletes finished jobs before the delivery log, from its
// attempts.
func (s *Store) EndpointIDsOfEvent(ctx context.Context, eventID string) ([]string, error) {
	var ids, attempted []string
	err := s.conn(ctx).Model(&models.Job{}).Where("ref = ? AND kind = ?", eventID, models.JobWebhookDelivery).
		Distinct("destination").Pluck("destination", &ids).Error
	if err != nil {
		return nil, err
	}
	err = s.conn(ctx).Model(&models.WebhookAttempt{}).Where("event_id = ?", eventID).
		Distinct("endpoint_id").Pluck("endpoint_id", &attempted).Error
	for _, id := range attempted {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, err
}

// ListWebhookEndpoints lists a platform's endpoints, oldest first, after afterID.
func (s *Store) ListWebhookEndpoints(ctx context.Context, platformID, afterID string, limit int) ([]models.WebhookEndpoint, error) {
	q := s.conn(ctx).Where("platform_id = ?", platformID).Order("id").Limit(limit)
	if afterID != "" {
		q = q.Where("id > ?", afterID)
	}
	var out []models.WebhookEndpoint
	return out, q.Find(&out).Error
}

// EnabledWebhookEndpoints lists the enabled endpoints of a platform.
func (s *Store) EnabledWebhookEndpoints(ctx context.Context, platformID string) ([]models.WebhookEndpoint, error) {
	var out []models.WebhookEndpoint
	err := s.conn(ctx).Where("platform_id = ? AND enabled = ?", platformID, true).Order("id").Find(&out).Error
	return out, err
}

// WebhookEndpointsByIDs loads endpoints by id.
func (s *Store) WebhookEndpointsByIDs(ctx context.Context, ids []string) ([]models.WebhookEndpoint, error) {
	var out []models.WebhookEndpoint
	if len(ids) == 0 {
		return out, nil
	}
	return out, s.conn(ctx).Where("id IN ?", ids).Find(&out).Error
}

// WebhookEventByID loads one event of the platform.
func (s *Store) WebhookEventByID(ctx context.Context, platformID, id string) (*models.WebhookEvent, error) {
	var e models.WebhookEvent
	err := s.conn(ctx).Where("id = ? AND platform_id = ?", id, platformID).Take(&e).Error
	return &e, translate(err, "webhook event")
}

// WebhookEventsByIDs loads events by id.
func (s *Store) WebhookEventsByIDs(ctx context.Context, ids []string) ([]models.WebhookEvent, error) {
	var out []models.WebhookEvent
	if len(ids) == 0 {
		return out, nil
	}
	return out, s.conn(ctx).Where("id IN ?", ids).Find(&out).Error
}

// DisableWebhookEndpoint disables an enabled endpoint (when failingBefore is set, only if it
// has been failing since then) and reports whether it did.
func (s *Store) DisableWebhookEndpoint(ctx context.Context, id, reason string, at time.Time, failingBefore *time.Time) (bool, error) {
	q := s.conn(ctx).Model(&models.WebhookEndpoint{}).Where("id = ? AND enabled = ?", id, true)
	if failingBefore != nil {
		q = q.Where("failing_since IS NOT NULL AND failing_since <= ?", *failingBefore)
	}
	res := q.Updates(map[string]any{"enabled": false, "disabled_reason": reason, "updated_at": at})
	return res.RowsAffected == 1, res.Error
}

// SetWebhookEndpointFailingSince starts an endpoint's run of failures (since, if none is
// running) or ends it (nil).
func (s *Store) SetWebhookEndpointFailingSince(ctx context.Context, id string, since *time.Time) error {
	q := s.conn(ctx).Model(&models.WebhookEndpoint{}).Where("id = ?", id)
	if since != nil {
		q = q.Where("failing_since IS NULL")
	} else {
		q = q.Where("failing_since IS NOT NULL")
	}
	return q.Update("failing_since", since).Error
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
	q := s.conn(ctx).Where("platform_id = ?", f.PlatformID).Order("id DESC").Limit(f.Limit)
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
