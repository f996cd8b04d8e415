package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/models"
)

// CreateWebSession stores a browser session.
func (s *Store) CreateWebSession(ctx context.Context, ws *models.WebSession) error {
	return s.conn(ctx).Create(ws).Error
}

// WebSessionByHash finds a session by its id's SHA-256; models.ErrNotFound when none.
func (s *Store) WebSessionByHash(ctx context.Context, hash string) (*models.WebSession, error) {
	var ws models.WebSession
	err := s.conn(ctx).Where("id_hash = ?", hash).Take(&ws).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrNotFound
	}
	return &ws, err
}

// TouchWebSession records that a session was used at t.
func (s *Store) TouchWebSession(ctx context.Context, hash string, t time.Time) error {
	return s.conn(ctx).Model(&models.WebSession{}).Where("id_hash = ?", hash).Update("last_seen", t).Error
}

// DeleteWebSession ends a session.
func (s *Store) DeleteWebSession(ctx context.Context, hash string) error {
	return s.conn(ctx).Where("id_hash = ?", hash).Delete(&models.WebSession{}).Error
}

// DeleteWebSessionsOf ends every browser session of a user (a password change, a disabled or
// erased account).
func (s *Store) DeleteWebSessionsOf(ctx context.Context, userID string) error {
	return s.conn(ctx).Where("user_id = ?", userID).Delete(&models.WebSession{}).Error
}
