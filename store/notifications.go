package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/models"
)

// NotificationByID loads one notification.
func (s *Store) NotificationByID(ctx context.Context, id string) (*models.Notification, error) {
	var n models.Notification
	err := s.conn(ctx).Where("id = ?", id).Take(&n).Error
	return &n, translate(err, "notification")
}

// NotificationsByIDs loads the notifications among ids that exist.
func (s *Store) NotificationsByIDs(ctx context.Context, ids []string) ([]models.Notification, error) {
	var ns []models.Notification
	if len(ids) == 0 {
		return ns, nil
	}
	return ns, s.conn(ctx).Where("id IN ?", ids).Find(&ns).Error
}

// SentNotification is a message the provider accepted at At.
type SentNotification struct {
	ID string
	At time.Time
}

// MarkNotificationsSent records messages the provider accepted, in one statement, with status
// sent, or logged when the provider only logged them, each with its own time. Only a pending
// message changes, so that a late record of an earlier attempt cannot undo a later outcome.
func (s *Store) MarkNotificationsSent(ctx context.Context, status string, sent []SentNotification) error {
	if len(sent) == 0 {
		return nil
	}
	ids := make([]string, len(sent))
	when := "CASE id"
	args := make([]any, 0, 2*len(sent))
	for i, n := range sent {
		ids[i] = n.ID
		when += " WHEN ? THEN ?"
		args = append(args, n.ID, n.At)
	}
	return s.conn(ctx).Model(&models.Notification{}).
		Where("id IN ? AND status = ?", ids, models.NotificationPending).
		Updates(map[string]any{"status": status, "attempts": gorm.Expr("attempts + 1"),
			"sent_at": gorm.Expr(when+" END", args...), "last_error": nil}).Error
}

// RecordNotificationFailure records an attempt the provider refused; status is pending while
// attempts remain, failed after the last.
func (s *Store) RecordNotificationFailure(ctx context.Context, id, status, lastError string) error {
	return s.conn(ctx).Model(&models.Notification{}).
		Where("id = ? AND status = ?", id, models.NotificationPending).
		Updates(map[string]any{"status": status, "attempts": gorm.Expr("attempts + 1"), "last_error": lastError}).Error
}

// ListNotifications lists notifications newest first, optionally for one (normalised) phone,
// found by its keyed hash under the current or the previous data key.
func (s *Store) ListNotifications(ctx context.Context, phone, beforeID string, limit int) ([]models.Notification, error) {
	q := s.conn(ctx).Order("id DESC").Limit(limit)
	if phone != "" {
		q = q.Where("phone_hash IN ?", s.keys.Hashes(phone))
	}
	if beforeID != "" {
		q = q.Where("id < ?", beforeID)
	}
	var out []models.Notification
	return out, q.Find(&out).Error
}
