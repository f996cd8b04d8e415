package store

import (
	"context"
	"strings"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// UserFilter narrows the admins' listing of accounts.
type UserFilter struct {
	Role models.Role
	// Query is a substring of the e-mail (case-insensitive), or a whole real name (ignoring
	// case) or phone number: names and phones are sealed, so they are matched by their keyed
	// hashes, never in part.
	Query string
	// Disabled, when set, keeps only disabled (true) or enabled (false) accounts.
	Disabled *bool
	// AfterID continues a listing ordered by id ascending.
	AfterID string
	Limit   int
}

// ListUsers returns accounts ordered by id (creation order), one page.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]models.User, error) {
	q := s.conn(ctx).Model(&models.User{}).Order("id ASC").Limit(f.Limit)
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if f.Query != "" {
		like := "%" + likeEscape(strings.ToLower(f.Query)) + "%"
		phone := f.Query
		if p, ok := models.NormalizePhone(f.Query); ok {
			phone = p
		}
		q = q.Where("(email LIKE ? ESCAPE '!' OR real_name_hash IN ? OR phone_hash IN ?)",
			like, s.keys.Hashes(models.NameLookupKey(f.Query)), s.keys.Hashes(phone))
	}
	if f.Disabled != nil {
		if *f.Disabled {
			q = q.Where("disabled_at IS NOT NULL")
		} else {
			q = q.Where("disabled_at IS NULL")
		}
	}
	if f.AfterID != "" {
		q = q.Where("id > ?", f.AfterID)
	}
	var out []models.User
	return out, q.Find(&out).Error
}

// UserDisabledAt reads only whether (and since when) an account is disabled: what every
// authenticated request needs to know about its person.
func (s *Store) UserDisabledAt(ctx context.Context, id string) (*time.Time, error) {
	var u models.User
	err := s.conn(ctx).Select("id", "disabled_at").Where("id = ?", id).Take(&u).Error
	return u.DisabledAt, translate(err, "user")
}

// UserForUpdate loads an account with a row lock, inside a transaction.
func (s *Store) UserForUpdate(ctx context.Context, id string) (*models.User, error) {
	var u models.User
	err := s.withLock(s.conn(ctx)).Where("id = ?", id).Take(&u).Error
	return &u, translate(err, "user")
}

// LockEnabledAdmins returns the ids of the enabled admins, locking their rows: two admins
// disabling each other at once then take turns, and the second sees the first's change.
func (s *Store) LockEnabledAdmins(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.withLock(s.conn(ctx)).Model(&models.User{}).
		Where("role = ? AND disabled_at IS NULL", models.RoleAdmin).Order("id ASC").Pluck("id", &ids).Error
	return ids, err
}

// SetUserDisabled sets or clears an account's disabled_at.
func (s *Store) SetUserDisabled(ctx context.Context, id string, at *time.Time, updated time.Time) error {
	return s.conn(ctx).Model(&models.User{}).Where("id = ?", id).
		Updates(map[string]any{"disabled_at": at, "updated_at": updated}).Error
}

// ReplacePasswordHash replaces an account's password hash if it is still old, and reports
// whether it did: of two changes made with the same current password, one wins.
func (s *Store) ReplacePasswordHash(ctx context.Context, id, old, hash string, updated time.Time) (bool, error) {
	res := s.conn(ctx).Model(&models.User{}).Where("id = ? AND password_hash = ?", id, old).
		Updates(map[string]any{"password_hash": hash, "updated_at": updated})
	return res.RowsAffected == 1, res.Error
}

// RevokeUserRefreshTokens revokes every live refresh token of an account.
func (s *Store) RevokeUserRefreshTokens(ctx context.Context, userID string, at time.Time) error {
	return s.conn(ctx).Model(&models.RefreshToken{}).
		Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", at).Error
}
