package models

import (
	"slices"
	"time"
)

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
	// FailingSince is when the endpoint's current run of failed attempts began (nil after a
	// success); five days of it disables the endpoint.
	FailingSince *time.Time ``
	CreatedAt    time.Time  `gorm:"not null"`
	UpdatedAt    time.Time  `gorm:"autoUpdateTime:false;not null"`
}

// Subscribes reports whether the endpoint wants events of type t (empty means all).
func (e *WebhookEndpoint) Subscribes(t string) bool {
	return len(e.EventTypes) == 0 || slices.Contains(e.EventTypes, t)
}

// Delivery states, as the attempt log shows them: succeeded and failed are final, retrying
// waits for another attempt (pending is the state of the old outbox rows).
const (
	DeliveryPending   = "pending"
	DeliveryRetrying  = "retrying"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"

	TriggerScheduled = "scheduled"
	TriggerManual    = "manual"
)

// WebhookAttempt is one HTTP request of a delivery, as the delivery log shows it.
type WebhookAttempt struct {
	ID             string     `gorm:"primaryKey;size:40"`
	DeliveryID     string     `gorm:"size:40;not null;index"`
	EventID        string     `gorm:"size:44;not null;index"`
	EndpointID     string     `gorm:"size:40;not null;index"`
	PlatformID     string     `gorm:"size:40;not null;index"`
	EventType      string     `gorm:"size:40;not null"`
	Attempt        int        `gorm:"not null"`
	Trigger        string     `gorm:"size:16;not null"`
	State          string     `gorm:"size:16;not null"`
	ResponseStatus *int       ``
	ResponseBody   *string    `gorm:"type:text"`
	Error          *string    `gorm:"type:text"`
	DurationMS     int64      `gorm:"not null"`
	CreatedAt      time.Time  `gorm:"not null;index"`
	NextAttemptAt  *time.Time ``
}
