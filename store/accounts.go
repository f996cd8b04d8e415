package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
)

// CreateUser inserts a user; a taken phone or e-mail comes back as a duplicate error. During
// a data key rotation a phone registered under the previous key is taken too.
func (s *Store) CreateUser(ctx context.Context, u *models.User) error {
	s.SetUserHashes(u)
	if u.Phone != nil && len(s.keys.Hashes(*u.Phone)) > 1 {
		var n int64
		if err := s.conn(ctx).Model(&models.User{}).Where("phone_hash IN ?", s.keys.Hashes(*u.Phone)).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return gorm.ErrDuplicatedKey
		}
	}
	return s.conn(ctx).Create(u).Error
}

// SetUserHashes sets the lookup hashes of an account from its phone and real name, under the
// current data key: whatever inserts users directly (the seed) calls it too.
func (s *Store) SetUserHashes(u *models.User) {
	u.PhoneHash = nil
	if u.Phone != nil {
		h := s.keys.Hash(*u.Phone)
		u.PhoneHash = &h
	}
	u.RealNameHash = s.keys.Hash(models.NameLookupKey(u.RealName))
}

// UserByID loads one user.
func (s *Store) UserByID(ctx context.Context, id string) (*models.User, error) {
	var u models.User
	err := s.conn(ctx).Where("id = ?", id).Take(&u).Error
	return &u, translate(err, "user")
}

// UserByPhone loads the user with that normalised phone, found by its keyed hash (under the
// current or, during a rotation, the previous data key).
func (s *Store) UserByPhone(ctx context.Context, phone string) (*models.User, error) {
	var u models.User
	err := s.conn(ctx).Where("phone_hash IN ?", s.keys.Hashes(phone)).Take(&u).Error
	return &u, translate(err, "user")
}

// UserByEmail loads the user with that normalised e-mail.
func (s *Store) UserByEmail(ctx context.Context, email string) (*models.User, error) {
	var u models.User
	err := s.conn(ctx).Where("email = ?", email).Take(&u).Error
	return &u, translate(err, "user")
}

// CreateRefreshToken stores a refresh token (its hash only).
func (s *Store) CreateRefreshToken(ctx context.Context, t *models.RefreshToken) error {
	return s.conn(ctx).Create(t).Error
}

// RefreshTokenByHash loads a refresh token by the hash of its value.
func (s *Store) RefreshTokenByHash(ctx context.Context, hash string) (*models.RefreshToken, error) {
	var t models.RefreshToken
	err := s.conn(ctx).Where("token_hash = ?", hash).Take(&t).Error
	return &t, translate(err, "refresh token")
}

// MarkRefreshTokenUsed marks the token used if it is still fresh and reports whether this call
// did it. The conditional update makes two concurrent uses impossible to both succeed.
func (s *Store) MarkRefreshTokenUsed(ctx context.Context, id string, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&models.RefreshToken{}).
		Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", id).
		Update("used_at", at)
	return res.RowsAffected == 1, res.Error
}

// RevokeRefreshFamily revokes every token of a login family.
func (s *Store) RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error {
	return s.conn(ctx).Model(&models.RefreshToken{}).
		Where("family_id = ? AND revoked_at IS NULL", familyID).
		Update("revoked_at", at).Error
}

// withLock adds a row lock on databases that have one; SQLite serialises writers anyway.
func (s *Store) withLock(db *gorm.DB) *gorm.DB {
	if s.driver == "mysql" {
		return db.Clauses(lockingUpdate)
	}
	return db
}

// withShareLock makes a read a locking one (FOR SHARE) on databases that have row locks: a
// row another transaction has written but not committed is waited for and then seen, which a
// plain read at READ COMMITTED would miss. SQLite has one writer at a time.
func (s *Store) withShareLock(db *gorm.DB) *gorm.DB {
	if s.driver == "mysql" {
		return db.Clauses(clause.Locking{Strength: "SHARE"})
	}
	return db
}
