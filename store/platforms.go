package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
)

var lockingUpdate = clause.Locking{Strength: "UPDATE"}

// CreatePlatform inserts a platform; a taken slug is a duplicate error.
func (s *Store) CreatePlatform(ctx context.Context, p *models.Platform) error {
	return s.conn(ctx).Create(p).Error
}

// PlatformByID loads one platform.
func (s *Store) PlatformByID(ctx context.Context, id string) (*models.Platform, error) {
	var p models.Platform
	err := s.conn(ctx).Where("id = ?", id).Take(&p).Error
	return &p, translate(err, "platform")
}

// PlatformBySlug loads the platform with that slug.
func (s *Store) PlatformBySlug(ctx context.Context, slug string) (*models.Platform, error) {
	var p models.Platform
	err := s.conn(ctx).Where("slug = ?", slug).Take(&p).Error
	return &p, translate(err, "platform")
}

// PlatformNameKeyTaken reports whether a platform other than exceptID holds the name key.
func (s *Store) PlatformNameKeyTaken(ctx context.Context, key, exceptID string) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&models.Platform{}).Where("name_key = ? AND id <> ?", key, exceptID).Count(&n).Error
	return n > 0, err
}

// PlatformForUpdate loads a platform with a row lock, inside a transaction.
func (s *Store) PlatformForUpdate(ctx context.Context, id string) (*models.Platform, error) {
	var p models.Platform
	err := s.withLock(s.conn(ctx)).Where("id = ?", id).Take(&p).Error
	return &p, translate(err, "platform")
}

// SavePlatform writes every column of the platform.
func (s *Store) SavePlatform(ctx context.Context, p *models.Platform) error {
	return s.conn(ctx).Save(p).Error
}

// PlatformFilter narrows a platform listing.
type PlatformFilter struct {
	Sector models.Sector
	// NameContains keeps the platforms whose name key contains this (a name key itself).
	NameContains string
	// AfterID continues a listing ordered by id ascending.
	AfterID string
	Limit   int
}

// ListPlatforms returns platforms ordered by id (creation order), one page.
func (s *Store) ListPlatforms(ctx context.Context, f PlatformFilter) ([]models.Platform, error) {
	q := s.conn(ctx).Model(&models.Platform{}).Order("id ASC").Limit(f.Limit)
	if f.Sector != "" {
		q = q.Where("sector = ?", f.Sector)
	}
	if f.NameContains != "" {
		q = q.Where("name_key LIKE ? ESCAPE '!'", "%"+likeEscape(f.NameContains)+"%")
	}
	if f.AfterID != "" {
		q = q.Where("id > ?", f.AfterID)
	}
	var out []models.Platform
	return out, q.Find(&out).Error
}

// CreateAPIKey stores a key (its hash only).
func (s *Store) CreateAPIKey(ctx context.Context, k *models.APIKey) error {
	return s.conn(ctx).Create(k).Error
}

// ListAPIKeys lists a platform's keys, newest first, those before beforeID when it is set.
func (s *Store) ListAPIKeys(ctx context.Context, platformID, beforeID string, limit int) ([]models.APIKey, error) {
	q := s.conn(ctx).Where("platform_id = ?", platformID).Order("id DESC").Limit(limit)
	if beforeID != "" {
		q = q.Where("id < ?", beforeID)
	}
	var out []models.APIKey
	return out, q.Find(&out).Error
}

// APIKeyByID loads one key of a platform.
func (s *Store) APIKeyByID(ctx context.Context, platformID, keyID string) (*models.APIKey, error) {
	var k models.APIKey
	err := s.conn(ctx).Where("id = ? AND platform_id = ?", keyID, platformID).Take(&k).Error
	return &k, translate(err, "API key")
}

// APIKeyByHash loads a key by the SHA-256 of its value.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (*models.APIKey, error) {
	var k models.APIKey
	err := s.conn(ctx).Where("key_hash = ?", hash).Take(&k).Error
	return &k, translate(err, "API key")
}

// RevokeAPIKey sets revoked_at once; revoking twice keeps the first time.
func (s *Store) RevokeAPIKey(ctx context.Context, keyID string, at time.Time) error {
	return s.conn(ctx).Model(&models.APIKey{}).
		Where("id = ? AND revoked_at IS NULL", keyID).Update("revoked_at", at).Error
}

// TouchAPIKeys records the latest use of each key, one UPDATE per key. A time never moves
// last_used_at back, so instances flushing in any order keep the latest.
func (s *Store) TouchAPIKeys(ctx context.Context, uses map[string]time.Time) error {
	for id, at := range uses {
		err := s.conn(ctx).Model(&models.APIKey{}).
			Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, at).
			Update("last_used_at", at).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// CountActiveAPIKeys counts a platform's unrevoked keys.
func (s *Store) CountActiveAPIKeys(ctx context.Context, platformID string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&models.APIKey{}).
		Where("platform_id = ? AND revoked_at IS NULL", platformID).Count(&n).Error
	return n, err
}
