package store

import (
	"context"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// AddIdempotencyRecord stores a command's record in the caller's transaction. A record already
// there under the same id (a concurrent request with the same key) is a duplicate error, and
// the caller's transaction must roll back.
func (s *Store) AddIdempotencyRecord(ctx context.Context, r *models.IdempotencyRecord) error {
	return s.conn(ctx).Create(r).Error
}

// IdempotencyRecordByID loads a record, expired or not.
func (s *Store) IdempotencyRecordByID(ctx context.Context, id string) (*models.IdempotencyRecord, error) {
	var r models.IdempotencyRecord
	err := s.conn(ctx).Where("id = ?", id).Take(&r).Error
	return &r, translate(err, "idempotency record")
}

// IdempotencyRecordsByIDs loads the records under any of ids, expired or not, in one query:
// during a key rotation a request's record may be under its name by any of the keys.
func (s *Store) IdempotencyRecordsByIDs(ctx context.Context, ids []string) ([]models.IdempotencyRecord, error) {
	var rs []models.IdempotencyRecord
	err := s.conn(ctx).Where("id IN ?", ids).Find(&rs).Error
	return rs, err
}

// DeleteExpiredIdempotencyRecord removes the record under id if it has expired.
func (s *Store) DeleteExpiredIdempotencyRecord(ctx context.Context, id string, now time.Time) error {
	return s.conn(ctx).Where("id = ? AND expires_at <= ?", id, now).Delete(&models.IdempotencyRecord{}).Error
}
