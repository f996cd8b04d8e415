package models

import "time"

// KVEntry is a short-lived record kept in the database when Redis is not configured (for
// example idempotency records, which must survive a restart).
type KVEntry struct {
	Key       string    `gorm:"column:id;primaryKey;size:191"`
	Value     []byte    `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null;index"`
}

// TableName keeps the table name short and explicit.
func (KVEntry) TableName() string { return "kv_entries" }
