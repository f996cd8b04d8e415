package models

import "time"

// WebSession is a person signed in to the website through a browser. The cookie holds a
// random id; the row holds only its SHA-256, so that a copy of the table signs nobody in.
type WebSession struct {
	IDHash    string    `gorm:"primaryKey;size:64"`
	UserID    string    `gorm:"size:40;not null;index"`
	Role      Role      `gorm:"size:20;not null"`
	CSRFToken string    `gorm:"size:64;not null"`
	CreatedAt time.Time `gorm:"not null"`
	LastSeen  time.Time `gorm:"not null;index"`
	// ExpiresAt is the absolute end of the session, however active it stays.
	ExpiresAt time.Time `gorm:"not null;index"`
}
