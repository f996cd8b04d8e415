package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
)

// CreateComplaint inserts a complaint with its first timeline entry.
func (s *Store) CreateComplaint(ctx context.Context, c *models.Complaint) error {
	return s.conn(ctx).Omit(clause.Associations).Create(c).Error
}

// ComplaintForUpdate loads a complaint with a row lock, inside a transaction.
func (s *Store) ComplaintForUpdate(ctx context.Context, id string) (*models.Complaint, error) {
	var c models.Complaint
	err := s.withLock(s.conn(ctx)).Where("id = ?", id).Take(&c).Error
	return &c, translate(err, "complaint")
}

// AddWebhookEvent writes an event to the outbox.
func (s *Store) AddWebhookEvent(ctx context.Context, e *models.WebhookEvent) error {
	return s.conn(ctx).Create(e).Error
}

// ComplaintFilter narrows a complaint listing. Zero values do not filter.
type ComplaintFilter struct {
	ComplainantID string
	PlatformID    string
	Status        models.Status
	Channel       models.Channel
	Flag          string
	// DeliveredOnly keeps complaints the platform has been given.
	DeliveredOnly bool
	// UpdatedSince switches the order to (updated_at, id) ascending, the order in which a
	// client can follow changes without missing one.
	UpdatedSince *time.Time
	// UpdatedUntil leaves out changes stamped after it: the feed's safety lag.
	UpdatedUntil *time.Time
	// Ascending lists oldest first (by id); otherwise newest first.
	Ascending bool
	// After continues after the cursor's keys: [id] or [updated_at, id].
	After []string
	Limit int
}

// ListComplaints returns one page of complaints without their children.
func (s *Store) ListComplaints(ctx context.Context, f ComplaintFilter) ([]models.Complaint, error) {
	q := s.conn(ctx).Model(&models.Complaint{}).Limit(f.Limit)
	if f.ComplainantID != "" {
		q = q.Where("complainant_id = ?", f.ComplainantID)
	}
	if f.PlatformID != "" {
		q = q.Where("platform_id = ?", f.PlatformID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Channel != "" {
		q = q.Where("channel = ?", f.Channel)
	}
	if f.Flag != "" {
		q = q.Where("flags LIKE ?", `%"`+f.Flag+`"%`)
	}
	if f.DeliveredOnly {
		q = q.Where("delivered_at IS NOT NULL AND status NOT IN ?",
			[]models.Status{models.StatusPendingReview, models.StatusRejected, models.StatusAwaitingContact})
	}
	switch {
	case f.UpdatedSince != nil:
		q = q.Where("updated_at >= ?", *f.UpdatedSince).Order("updated_at ASC, id ASC")
		if f.UpdatedUntil != nil {
			q = q.Where("updated_at <= ?", *f.UpdatedUntil)
		}
		if len(f.After) == 2 {
			at, err := time.Parse(time.RFC3339Nano, f.After[0])
			if err != nil || at.UTC().Year() < 2000 || at.UTC().Year() > 9999 {
				return nil, models.ErrInvalidCursor
			}
			q = q.Where("(updated_at > ? OR (updated_at = ? AND id > ?))", at, at, f.After[1])
		}
	case f.Ascending:
		q = q.Order("id ASC")
		if len(f.After) == 1 {
			q = q.Where("id > ?", f.After[0])
		}
	default:
		q = q.Order("id DESC")
		if len(f.After) == 1 {
			q = q.Where("id < ?", f.After[0])
		}
	}
	var out []models.Complaint
	return out, q.Find(&out).Error
}

// RepliedComplaintsBefore lists replied complaints whose first reply came at or before t,
// oldest first: the auto-completion scheduler's work.
func (s *Store) RepliedComplaintsBefore(ctx context.Context, t time.Time, limit int) ([]string, error) {
	var ids []string
	err := s.conn(ctx).Model(&models.Complaint{}).
		Where("status = ? AND first_replied_at <= ?", models.StatusReplied, t).
		Order("first_replied_at").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

// AwaitingComplaintIDs lists a platform's complaints that wait for it to become reachable.
func (s *Store) AwaitingComplaintIDs(ctx context.Context, platformID string, limit int) ([]string, error) {
	var ids []string
	err := s.conn(ctx).Model(&models.Complaint{}).
		Where("status = ? AND platform_id = ?", models.StatusAwaitingContact, platformID).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

// PlatformsWithAwaitingComplaints lists the platforms that have complaints waiting for them.
func (s *Store) PlatformsWithAwaitingComplaints(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.conn(ctx).Model(&models.Complaint{}).Where("status = ?", models.StatusAwaitingContact).
		Distinct("platform_id").Pluck("platform_id", &ids)
	return ids, err.Error
}

// PlatformsByIDs loads platforms by id.
func (s *Store) PlatformsByIDs(ctx context.Context, ids []string) ([]models.Platform, error) {
	var out []models.Platform
	if len(ids) == 0 {
		return out, nil
	}
	return out, s.conn(ctx).Where("id IN ?", ids).Find(&out).Error
}
