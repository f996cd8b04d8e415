package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/models"
)

// Retention removes rows in bounded batches: each call reads at most limit primary keys with
// a plain read (no locks, through the index its condition names) and deletes those rows by key
// with the condition checked again, so that one statement locks at most limit rows and a row
// that changed meanwhile (a claim taken over, an event redelivered) is left alone. Each call
// returns how many rows it changed; a caller loops until a call changes fewer than limit.

// purgeBatch deletes up to limit rows of model whose where holds.
func (s *Store) purgeBatch(ctx context.Context, model any, pk string, limit int, where string, args ...any) (int64, error) {
	var ids []string
	if err := s.conn(ctx).Model(model).Where(where, args...).Limit(limit).Pluck(pk, &ids).Error; err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	res := s.conn(ctx).Where(pk+" IN ?", ids).Where(where, args...).Delete(model)
	return res.RowsAffected, res.Error
}

// PurgeWebhookAttempts deletes up to limit delivery-log rows written before cutoff.
func (s *Store) PurgeWebhookAttempts(ctx context.Context, cutoff time.Time, limit int) (int64, error) {
	return s.purgeBatch(ctx, &models.WebhookAttempt{}, "id", limit, "created_at < ?", cutoff)
}

// PurgeNotifications deletes up to limit text messages written before cutoff that are no
// longer waiting to be sent.
func (s *Store) PurgeNotifications(ctx context.Context, cutoff time.Time, limit int) (int64, error) {
	return s.purgeBatch(ctx, &models.Notification{}, "id", limit, "created_at < ? AND status <> ?",
		cutoff, models.NotificationPending)
}

// PurgeFinishedJobs deletes up to limit completed or discarded jobs that finished before
// cutoff. A job is due before it finishes, so the condition on due_at lets idx_jobs_claim
// (state, due_at, id) find them; jobs still waiting or running are never touched.
func (s *Store) PurgeFinishedJobs(ctx context.Context, cutoff time.Time, limit int) (int64, error) {
	return s.purgeBatch(ctx, &models.Job{}, "id", limit,
		"state IN ? AND due_at < ? AND (finished_at IS NULL OR finished_at < ?)",
		[]string{models.JobCompleted, models.JobDiscarded}, cutoff, cutoff)
}

// PurgeRefreshTokens deletes up to limit refresh tokens that expired before now.
func (s *Store) PurgeRefreshTokens(ctx context.Context, now time.Time, limit int) (int64, error) {
	return s.purgeBatch(ctx, &models.RefreshToken{}, "id", limit, "expires_at < ?", now)
}

// PurgeIdempotencyRecords deletes up to limit idempotency records past their expiry.
func (s *Store) PurgeIdempotencyRecords(ctx context.Context, now time.Time, limit int) (int64, error) {
	return s.purgeBatch(ctx, &models.IdempotencyRecord{}, "id", limit, "expires_at <= ?", now)
}

// PurgeWebSessions deletes up to limit browser sessions that ended: past their absolute expiry
// (now) or not seen since idleSince.
func (s *Store) PurgeWebSessions(ctx context.Context, now, idleSince time.Time, limit int) (int64, error) {
	return s.purgeBatch(ctx, &models.WebSession{}, "id_hash", limit, "expires_at < ? OR last_seen < ?", now, idleSince)
}

// PurgeBlobDeletions deletes up to limit marks of blob deletions made before cutoff.
func (s *Store) PurgeBlobDeletions(ctx context.Context, cutoff time.Time, limit int) (int64, error) {
	return s.purgeBatch(ctx, &models.BlobDeletion{}, "sha256", limit, "created_at < ?", cutoff)
}

// PurgeKVEntries deletes up to limit key-value entries kept in the database past their expiry.
func (s *Store) PurgeKVEntries(ctx context.Context, now time.Time, limit int) (int64, error) {
	return s.purgeBatch(ctx, &models.KVEntry{}, "id", limit, "expires_at <= ?", now)
}

// PurgeComplaintClaims deletes up to limit duplicate claims that lapsed before before. Only
// claims with an expiry (a text without an order number) ever lapse; an order claim lasts
// while its complaint is open and is given up by the change that closes it. A lapsed claim
// blocks nothing (a filing takes it over), so deleting it changes no answer.
func (s *Store) PurgeComplaintClaims(ctx context.Context, before time.Time, limit int) (int64, error) {
	return s.purgeBatch(ctx, &models.ComplaintClaim{}, "dedupe_key", limit,
		"expires_at IS NOT NULL AND expires_at < ?", before)
}

// EmptyEventPayloads empties the payloads of up to limit events whose last delivery attempt
// (or creation, for an event never attempted) is before cutoff and that no delivery job is
// waiting for or running. The rows stay, marked PayloadEmptied.
func (s *Store) EmptyEventPayloads(ctx context.Context, cutoff time.Time, limit int) (int64, error) {
	open := []string{models.JobAvailable, models.JobRunning}
	noOpenJob := func(db *gorm.DB) *gorm.DB {
		return db.Where("NOT EXISTS (SELECT 1 FROM jobs j WHERE j.ref = webhook_events.id AND j.state IN ?)", open)
	}
	var ids []string
	err := noOpenJob(s.conn(ctx).Model(&models.WebhookEvent{}).
		Where("payload_emptied = ? AND created_at < ?", false, cutoff).
		Where("NOT EXISTS (SELECT 1 FROM webhook_attempts a WHERE a.event_id = webhook_events.id AND a.created_at >= ?)", cutoff)).
		Limit(limit).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	res := noOpenJob(s.conn(ctx).Model(&models.WebhookEvent{}).Where("id IN ? AND payload_emptied = ?", ids, false)).
		Updates(map[string]any{"payload": models.EmptiedPayload, "payload_emptied": true})
	return res.RowsAffected, res.Error
}
