package service

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dianshubao/dianshubao/queue"
	"github.com/dianshubao/dianshubao/store"
)

// RetentionPolicy says how long the service keeps what it no longer needs (personal
// information is kept no longer than its purpose asks). Zero fields take DefaultRetention's.
type RetentionPolicy struct {
	// EventPayloads: a webhook event's payload is emptied this long after its last delivery
	// attempt (or its creation, if it was never attempted).
	EventPayloads time.Duration
	// WebhookAttempts, Notifications: delivery-log rows and text messages are deleted this
	// long after they were written.
	WebhookAttempts time.Duration
	Notifications   time.Duration
	// Jobs: finished work-queue jobs (completed, discarded) are deleted this long after they
	// finished.
	Jobs time.Duration
	// Batch is how many rows one statement changes at most; Budget bounds one run of a task
	// (the next slot carries on).
	Batch  int
	Budget time.Duration
}

// DefaultRetention is the shipped policy.
var DefaultRetention = RetentionPolicy{EventPayloads: 30 * 24 * time.Hour, WebhookAttempts: 180 * 24 * time.Hour,
	Notifications: 180 * 24 * time.Hour, Jobs: 7 * 24 * time.Hour, Batch: 1000, Budget: 30 * time.Second}

// claimGrace is how long after a duplicate claim lapsed it is deleted: longer than any clock
// difference between instances, so that no instance still counts it as holding.
const claimGrace = time.Hour

// blobDeletionMarkLife is how long the mark of a blob's deletion stays: longer than any upload
// takes from storing its bytes to writing its row (the request's own deadline is minutes).
const blobDeletionMarkLife = 24 * time.Hour

func (p RetentionPolicy) withDefaults() RetentionPolicy {
	d := DefaultRetention
	if p.EventPayloads <= 0 {
		p.EventPayloads = d.EventPayloads
	}
	if p.WebhookAttempts <= 0 {
		p.WebhookAttempts = d.WebhookAttempts
	}
	if p.Notifications <= 0 {
		p.Notifications = d.Notifications
	}
	if p.Jobs <= 0 {
		p.Jobs = d.Jobs
	}
	if p.Batch <= 0 {
		p.Batch = d.Batch
	}
	if p.Budget <= 0 {
		p.Budget = d.Budget
	}
	return p
}

// The kinds of row retention removes, as its metrics label them.
const (
	RetainEventPayloads      = "event_payloads"
	RetainWebhookAttempts    = "webhook_attempts"
	RetainNotifications      = "notifications"
	RetainJobs               = "jobs"
	RetainRefreshTokens      = "refresh_tokens"
	RetainIdempotencyRecords = "idempotency_records"
	RetainKVEntries          = "kv_entries"
	RetainComplaintClaims    = "complaint_claims"
	RetainWebSessions        = "web_sessions"
	RetainBlobDeletions      = "blob_deletions"
)

// Retention empties and deletes, in bounded batches, what the policy no longer keeps. It never
// touches complaints, their children, evidence or rating snapshots: ratings are computed from
// complaints, and frozen lists are kept for ever.
type Retention struct {
	st      *store.Store
	clock   Clock
	log     *slog.Logger
	policy  RetentionPolicy
	purged  *prometheus.CounterVec
	batches *prometheus.CounterVec
}

func newRetention(st *store.Store, clock Clock, log *slog.Logger, policy RetentionPolicy, reg prometheus.Registerer) *Retention {
	r := &Retention{st: st, clock: clock, log: log, policy: policy.withDefaults(),
		purged: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dsb_retention_purged_total",
			Help: "Rows retention deleted (or, for event_payloads, emptied), by kind."}, []string{"kind"}),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dsb_retention_batches_total",
			Help: "Statements retention ran to delete or empty rows, by kind."}, []string{"kind"}),
	}
	if reg != nil {
		r.purged = registerOrReuse(reg, r.purged)
		r.batches = registerOrReuse(reg, r.batches)
	}
	return r
}

// registerOrReuse registers c, or returns the collector already registered under its name
// (several service sets in one process, as tests build them).
func registerOrReuse(reg prometheus.Registerer, c *prometheus.CounterVec) *prometheus.CounterVec {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing
			}
		}
		panic(err)
	}
	return c
}

// Tasks are retention's periodic tasks: one per kind of row kept for a number of days, and
// the janitor, which removes what has expired.
func (r *Retention) Tasks() []queue.Periodic {
	return []queue.Periodic{
		{Name: "retain_event_payloads", Every: time.Hour, Run: r.EventPayloads},
		{Name: "retain_webhook_attempts", Every: time.Hour, Run: r.WebhookAttempts},
		{Name: "retain_notifications", Every: time.Hour, Run: r.Notifications},
		{Name: "retain_jobs", Every: time.Hour, Run: r.Jobs},
		{Name: "janitor", Every: 10 * time.Minute, Run: r.Janitor},
	}
}

// EventPayloads empties the payloads of events last attempted before the window.
func (r *Retention) EventPayloads(ctx context.Context) (int, error) {
	return r.run(ctx, RetainEventPayloads, now(r.clock).Add(-r.policy.EventPayloads), r.st.EmptyEventPayloads)
}

// WebhookAttempts deletes delivery-log rows older than the window.
func (r *Retention) WebhookAttempts(ctx context.Context) (int, error) {
	return r.run(ctx, RetainWebhookAttempts, now(r.clock).Add(-r.policy.WebhookAttempts), r.st.PurgeWebhookAttempts)
}

// Notifications deletes text messages older than the window.
func (r *Retention) Notifications(ctx context.Context) (int, error) {
	return r.run(ctx, RetainNotifications, now(r.clock).Add(-r.policy.Notifications), r.st.PurgeNotifications)
}

// Jobs deletes work-queue jobs that finished before the window.
func (r *Retention) Jobs(ctx context.Context) (int, error) {
	return r.run(ctx, RetainJobs, now(r.clock).Add(-r.policy.Jobs), r.st.PurgeFinishedJobs)
}

// Janitor deletes what has expired: refresh tokens, idempotency records, key-value entries
// kept in the database, browser sessions that ended (idle or past their end), marks of blob
// deletions older than blobDeletionMarkLife, and duplicate claims lapsed for longer than
// claimGrace.
func (r *Retention) Janitor(ctx context.Context) (int, error) {
	t := now(r.clock)
	total := 0
	for _, k := range []struct {
		kind   string
		cutoff time.Time
		purge  func(context.Context, time.Time, int) (int64, error)
	}{
		{RetainRefreshTokens, t, r.st.PurgeRefreshTokens},
		{RetainIdempotencyRecords, t, r.st.PurgeIdempotencyRecords},
		{RetainKVEntries, t, r.st.PurgeKVEntries},
		{RetainBlobDeletions, t.Add(-blobDeletionMarkLife), r.st.PurgeBlobDeletions},
		{RetainWebSessions, t, func(ctx context.Context, t time.Time, n int) (int64, error) {
			return r.st.PurgeWebSessions(ctx, t, t.Add(-WebSessionIdle-WebSessionTouch), n)
		}},
		{RetainComplaintClaims, t.Add(-claimGrace), r.st.PurgeComplaintClaims},
	} {
		n, err := r.run(ctx, k.kind, k.cutoff, k.purge)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// run calls purge batch after batch until one changes fewer rows than a batch, the budget is
// spent or ctx ends, and counts and logs what it did.
func (r *Retention) run(ctx context.Context, kind string, cutoff time.Time,
	purge func(context.Context, time.Time, int) (int64, error)) (int, error) {
	deadline := time.Now().Add(r.policy.Budget)
	total, statements := 0, 0
	var err error
	for ctx.Err() == nil {
		var n int64
		n, err = purge(ctx, cutoff, r.policy.Batch)
		statements++
		r.batches.WithLabelValues(kind).Inc()
		if n > 0 {
			total += int(n)
			r.purged.WithLabelValues(kind).Add(float64(n))
		}
		if err != nil || n < int64(r.policy.Batch) || time.Now().After(deadline) {
			break
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	switch {
	case err != nil:
		r.log.WarnContext(ctx, "retention stopped", "kind", kind, "rows", total, "statements", statements, "error", err)
	case total > 0:
		r.log.InfoContext(ctx, "retention removed rows", "kind", kind, "rows", total, "statements", statements,
			"before", cutoff.Format(time.RFC3339))
	}
	return total, err
}
