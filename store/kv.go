package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
)

// KV is a kv.Store kept in the database, for what must outlive a restart without Redis.
type KV struct {
	s   *Store
	now func() time.Time
}

var _ kv.Store = (*KV)(nil)

// KV returns the database-backed key-value store.
func (s *Store) KV(now func() time.Time) *KV {
	if now == nil {
		now = time.Now
	}
	return &KV{s: s, now: now}
}

// Get implements kv.Store.
func (k *KV) Get(ctx context.Context, key string) ([]byte, error) {
	var e models.KVEntry
	err := k.s.conn(ctx).Where("id = ? AND expires_at > ?", key, k.now().UTC()).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, kv.ErrMiss
	}
	return e.Value, err
}

// SetNX implements kv.Store: an expired record is replaced, a live one is kept.
func (k *KV) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	now := k.now().UTC()
	db := k.s.conn(ctx)
	if err := db.Where("id = ? AND expires_at <= ?", key, now).Delete(&models.KVEntry{}).Error; err != nil {
		return false, err
	}
	res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.KVEntry{Key: key, Value: value, ExpiresAt: now.Add(ttl).Truncate(time.Millisecond)})
	if res.Error != nil {
		return false, res.Error
	}
	return res.RowsAffected == 1, nil
}

// Set implements kv.Store.
func (k *KV) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	e := models.KVEntry{Key: key, Value: value, ExpiresAt: k.now().UTC().Add(ttl).Truncate(time.Millisecond)}
	return k.s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "expires_at"}),
	}).Create(&e).Error
}

// Del implements kv.Store.
func (k *KV) Del(ctx context.Context, key string) error {
	return k.s.conn(ctx).Where("id = ?", key).Delete(&models.KVEntry{}).Error
}

// Incr implements kv.Store in one transaction; it is correct but slow, so rate limits use the
// in-process or Redis store instead.
func (k *KV) Incr(ctx context.Context, key string, ttl time.Duration) (int64, time.Duration, error) {
	var n int64
	var left time.Duration
	err := k.s.Tx(ctx, func(tx *Store) error {
		now := k.now().UTC()
		var e models.KVEntry
		err := tx.withLock(tx.conn(ctx)).Where("id = ?", key).Take(&e).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !e.ExpiresAt.After(now)):
			e = models.KVEntry{Key: key, ExpiresAt: now.Add(ttl)}
			n = 1
		case err != nil:
			return err
		default:
			n = decodeCounter(e.Value) + 1
		}
		e.Value = encodeCounter(n)
		left = e.ExpiresAt.Sub(now)
		return tx.conn(ctx).Save(&e).Error
	})
	return n, left, err
}

// Count implements kv.Store.
func (k *KV) Count(ctx context.Context, key string) (int64, time.Duration, error) {
	now := k.now().UTC()
	var e models.KVEntry
	err := k.s.conn(ctx).Where("id = ? AND expires_at > ?", key, now).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	return decodeCounter(e.Value), e.ExpiresAt.Sub(now), nil
}

// Ping implements kv.Store.
func (k *KV) Ping(ctx context.Context) error { return k.s.Ping(ctx) }

// DeleteExpired removes expired records; a scheduler calls it.
func (k *KV) DeleteExpired(ctx context.Context) (int64, error) {
	res := k.s.conn(ctx).Where("expires_at <= ?", k.now().UTC()).Delete(&models.KVEntry{})
	return res.RowsAffected, res.Error
}

func encodeCounter(n int64) []byte {
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = byte(n)
		n >>= 8
	}
	return b
}

func decodeCounter(b []byte) int64 {
	var n int64
	for _, c := range b {
		n = n<<8 | int64(c)
	}
	return n
}
