package models

import "time"

// WebhookEndpoint is a URL of a platform's that receives its events.
type WebhookEndpoint struct {
	ID          string   `gorm:"primaryKey;size:40"`
	PlatformID  string   `gorm:"size:40;not null;index"`
	URL         string   `gorm:"size:2048;not null"`
	Description string   `gorm:"size:1020;not null"`
	EventTypes  []string `gorm:"serializer:json;type:text"`
	Enabled     bool     `gorm:"not null"`
	// DisabledReason says why the service disabled the endpoint (410 Gone, days of failures).
	DisabledReason *string `gorm:"size:255"`
	// Secret signs every request; during a rotation PreviousSecret signs too until it expires.
	Secret                  string     `gorm:"size:255;not null"`
	PreviousSecret          *string    `gorm:"size:255"`
	PreviousSecretExpiresAt *time.Time ``
	CreatedAt               time.Time  `gorm:"not null"`
	UpdatedAt               time.Time  `gorm:"autoUpdateTime:false;not null"`
}

// Subscribes reports whether the endpoint wants events of type t (empty means all).
func (e *WebhookEndpoint) Subscribes(t string) bool {
	if len(e.EventTypes) == 0 {
		return true
	}
	for _, et := range e.EventTypes {
		if et == t {
			return true
		}
	}
	return false
}
