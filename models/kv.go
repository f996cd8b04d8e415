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

// IdempotencyRecord is the response a command gave to a request with an Idempotency-Key. It is
// written in the command's own transaction, so that a change and its record commit together:
// a retry after a crash or a lost response replays the answer instead of running again.
type IdempotencyRecord struct {
	// ID is a keyed hash of the caller, method, path and the client's key.
	ID string `gorm:"primaryKey;size:64"`
	// Fingerprint is the SHA-256 of the request body.
	Fingerprint string `gorm:"size:64;not null"`
	Status      int    `gorm:"not null"`
	ContentType string `gorm:"size:100;not null"`
	// Sealed is the response body, encrypted under a key derived from the client's key.
	Sealed []byte `gorm:"not null"`
	// OwnerID is the person who sent the request, SubjectID the complainant of the complaint
	// the command acted on (empty when none): an erasure deletes the records of both, since a
	// sealed response may hold the person's data.
	OwnerID   string    `gorm:"size:40;not null;default:'';index"`
	SubjectID string    `gorm:"size:40;not null;default:'';index"`
	CreatedAt time.Time `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null;index"`
}
