package models

import "time"

// Job is one row of the work queue that carries every side effect of a command: a webhook
// delivery, a text message, the delivery of complaints waiting for their platform, an
// auto-completion, a periodic task. It is written in the transaction of the change that causes
// it and claimed later by a worker with a lease, in the shape River and Oban use.
//
// The claim reads one state ordered by due time from idx_jobs_claim (state, due_at, id), so it
// touches only the rows it takes; running, completed and discarded rows are outside that range.
// The rescue of expired leases reads the running range of the same index: at most the workers'
// leases of every instance, so lease_until needs no index of its own, which every claim, lease
// renewal and result would have rewritten.
type Job struct {
	ID    string    `gorm:"primaryKey;size:40;index:idx_jobs_claim,priority:3"`
	Kind  string    `gorm:"size:32;not null"`
	State string    `gorm:"size:16;not null;index:idx_jobs_claim,priority:1"`
	DueAt time.Time `gorm:"not null;index:idx_jobs_claim,priority:2"`
	// Attempts counts the attempts made; the next one is attempt Attempts+1.
	Attempts int `gorm:"not null"`
	// LeaseOwner is the token of the claim that holds a running job until LeaseUntil; a worker
	// that dies leaves the lease to expire and the job to be rescued.
	LeaseOwner *string `gorm:"size:64"`
	LeaseUntil *time.Time
	// UniqueKey, when set, makes the insert of a second such job a no-op (periodic tasks: one
	// per slot across every instance).
	UniqueKey *string `gorm:"size:128;uniqueIndex"`
	// Ref is what the job acts on: the event of a webhook delivery, the notification of a text
	// message, the complaint or platform of a follow-up.
	Ref string `gorm:"size:64;not null;index:idx_jobs_ref,priority:1"`
	// Destination is where the job's I/O goes (a webhook endpoint id, "sms"); workers cap the
	// concurrency per destination.
	Destination string     `gorm:"size:64;not null;index:idx_jobs_ref,priority:2"`
	PlatformID  string     `gorm:"size:40;not null"`
	EventType   string     `gorm:"size:40;not null"`
	Trigger     string     `gorm:"size:16;not null"`
	LastError   *string    `gorm:"type:text"`
	CreatedAt   time.Time  `gorm:"not null"`
	UpdatedAt   time.Time  `gorm:"autoUpdateTime:false;not null"`
	FinishedAt  *time.Time ``
}

// Job states. available jobs wait for due_at; running jobs are leased; completed and discarded
// jobs are finished and stay only as a record.
const (
	JobAvailable = "available"
	JobRunning   = "running"
	JobCompleted = "completed"
	JobDiscarded = "discarded"
)

// Job kinds.
const (
	JobWebhookDelivery = "webhook_delivery"
	JobSMS             = "sms"
	// JobDeliverAwaiting delivers a platform's complaints in awaiting_contact (Ref: platform).
	JobDeliverAwaiting = "deliver_awaiting"
	// JobAutoComplete completes a replied complaint nobody rated (Ref: complaint), due
	// DSB_AUTO_COMPLETE_AFTER after the first reply.
	JobAutoComplete = "auto_complete"
	// JobEraseBlob deletes an erased evidence file from blob storage (Ref: its SHA-256)
	// unless another evidence row still holds the same bytes.
	JobEraseBlob = "erase_blob"
	// JobEraseSweep erases, a minute after an erasure, what requests racing it stored
	// (Ref: the account).
	JobEraseSweep = "erase_sweep"
	// JobPeriodic runs a periodic task (Ref: the task's name), one per slot.
	JobPeriodic = "periodic"
)

// DestinationSMS is the destination of every text message: the SMS provider.
const DestinationSMS = "sms"

// DestinationBlobs is the destination of the jobs that delete erased evidence files.
const DestinationBlobs = "blobs"
