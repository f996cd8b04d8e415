package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/models"
)

// ClaimNotification moves a pending notification to sending and reports whether this caller
// won it, so that two instances never send the same message.
func (s *Store) ClaimNotification(ctx context.Context, id string, at time.Time) (*models.Notification, bool, error) {
	res := s.db.WithContext(ctx).Model(&models.Notification{}).
		Where("id = ? AND status = ?", id, models.NotificationPending).
		Updates(map[string]any{"status": "sending", "attempts": gorm.Expr("attempts + 1"), "sent_at": at})
	if res.Error != nil || res.RowsAffected == 0 {
		return nil, false, res.Error
	}
	var n models.Notification
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&n).Error
	return &n, err == nil, err
}

// FinishNotification records the outcome of a send.
func (s *Store) FinishNotification(ctx context.Context, id, status string, lastError *string, at time.Time) error {
	var sentAt *time.Time
	if status == models.NotificationSent {
		sentAt = &at
	}
	return s.db.WithContext(ctx).Model(&models.Notification{}).Where("id = ?", id).
		Updates(map[string]any{"status": status, "last_error": lastError, "sent_at": sentAt}).Error
}

// StaleNotificationIDs lists notifications still pending after before, and those stuck in
// sending since before (an instance died mid-send), which it puts back to pending.
func (s *Store) StaleNotificationIDs(ctx context.Context, before time.Time, limit int) ([]string, error) {
	db := s.db.WithContext(ctx)
	if err := db.Model(&models.Notification{}).Where("status = ? AND sent_at < ?", "sending", before).
		Update("status", models.NotificationPending).Error; err != nil {
		return nil, err
	}
	var ids []string
	err := db.Model(&models.Notification{}).Where("status = ? AND created_at < ?", models.NotificationPending, before).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

// ListNotifications lists notifications newest first, optionally for one phone.
func (s *Store) ListNotifications(ctx context.Context, phone, beforeID string, limit int) ([]models.Notification, error) {
	q := s.db.WithContext(ctx).Order("id DESC").Limit(limit)
	if phone != "" {
		q = q.Where("phone = ?", phone)
	}
	if beforeID != "" {
		q = q.Where("id < ?", beforeID)
	}
	var out []models.Notification
	return out, q.Find(&out).Error
}
