package service

import (
	"context"
	"errors"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Idempotent is what the API layer knows of a request that carries an Idempotency-Key and has
// no record yet. It travels in the request context to the command, which writes the record in
// its own transaction (API.md section 1): the change and the answer commit together or not at
// all, and a request refused before any change stores nothing.
type Idempotent struct {
	// RecordID is the record's primary key: a hash of caller, method, path and key.
	RecordID string
	// Fingerprint is the SHA-256 of the request body.
	Fingerprint string
	// Status is the HTTP status the command answers on success.
	Status int
	// Render turns the command's result (what fn returns) into the exact response body.
	Render func(result any) ([]byte, error)
	// Seal encrypts the body for storage.
	Seal func(body []byte) []byte
	// Owner is the person who sent the request (empty for platforms and anonymous callers);
	// a command on a complaint sets Subject to its complainant. An erasure of either deletes
	// the record.
	Owner, Subject string
	// Created and Expires bound the record's life.
	Created, Expires time.Time
	// Body is the response body as recorded, once the command committed; the handler sends
	// these bytes, so that a replay is byte for byte the first answer.
	Body []byte
}

type idempotentKey struct{}

// WithIdempotent puts the request's idempotency intent in ctx.
func WithIdempotent(ctx context.Context, im *Idempotent) context.Context {
	return context.WithValue(ctx, idempotentKey{}, im)
}

// IdempotentOf returns the request's idempotency intent, or nil.
func IdempotentOf(ctx context.Context) *Idempotent {
	im, _ := ctx.Value(idempotentKey{}).(*Idempotent)
	return im
}

// ErrIdempotencyKeyInUse is a concurrent request with the same key that committed first.
var ErrIdempotencyKeyInUse = models.Conflict("idempotency_key_in_use", "another request with this Idempotency-Key was processed at the same time; retry to get its response")

// IdempotencyContentType is the type of every recorded body: commands answer JSON.
const IdempotencyContentType = "application/json; charset=utf-8"

// command runs fn as one transaction (retried from scratch on a deadlock) and, when the request
// carries an Idempotency-Key, writes its record in that same transaction, rendered from fn's
// result: fn must return the value the handler renders.
func command[T any](ctx context.Context, st *store.Store, fn func(tx *store.Store) (T, error)) (T, error) {
	var (
		out  T
		body []byte
	)
	im := IdempotentOf(ctx)
	if im != nil && im.Render == nil {
		im = nil // the handler does not record this command's answer
	}
	err := st.Tx(ctx, func(tx *store.Store) error {
		v, err := fn(tx)
		if err != nil {
			return err
		}
		if im != nil {
			if body, err = im.Render(v); err != nil {
				return err
			}
			// One insert, the transaction's last write (sent with the inserts queued by Later,
			// just before COMMIT): a concurrent request with the same key waits on this row
			// (MariaDB) or the write lock (SQLite) and fails as a duplicate once this one
			// commits, rolling its own work back; if this one rolls back, the other commits.
			rec := &models.IdempotencyRecord{ID: im.RecordID, Fingerprint: im.Fingerprint,
				Status: im.Status, ContentType: IdempotencyContentType, Sealed: im.Seal(body), OwnerID: im.Owner, SubjectID: im.Subject,
				CreatedAt: im.Created, ExpiresAt: im.Expires}
			err := tx.Later(ctx, func(ctx context.Context, tx *store.Store) error { return tx.AddIdempotencyRecord(ctx, rec) })
			if store.IsDuplicate(err) {
				return ErrIdempotencyKeyInUse // inserted at once (SQLite)
			}
			if err != nil {
				return err
			}
		}
		out = v
		return nil
	})
	if err != nil {
		var zero T
		if im != nil && store.IsDeferredDuplicate(err) {
			// The inserts sent with the commit: every row among them but the record has a
			// fresh key (jobs with a unique key skip a taken one), so the record is what a
			// request with the same key committed meanwhile.
			return zero, ErrIdempotencyKeyInUse
		}
		if im != nil && !errors.Is(err, ErrIdempotencyKeyInUse) {
			// A twin with the same key that committed first makes this one fail on what the
			// twin wrote (a duplicate complaint, a state already changed): it is a retry, and
			// the caller replays the twin's answer.
			if rec, rerr := st.IdempotencyRecordByID(context.WithoutCancel(ctx), im.RecordID); rerr == nil && rec.Fingerprint == im.Fingerprint {
				return zero, ErrIdempotencyKeyInUse
			}
		}
		return zero, err
	}
	if im != nil {
		im.Body = body
	}
	return out, nil
}

// IdempotencyRecord is the live record under the first of ids that has one (the names a
// request's record has under each key, the current key's first). A record past its expiry is
// removed, so that the key can be used again; none live is ErrNotFound.
func (s *Services) IdempotencyRecord(ctx context.Context, ids []string, at time.Time) (*models.IdempotencyRecord, error) {
	rs, err := s.st.IdempotencyRecordsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		for i := range rs {
			if rs[i].ID != id {
				continue
			}
			if at.Before(rs[i].ExpiresAt) {
				return &rs[i], nil
			}
			if err := s.st.DeleteExpiredIdempotencyRecord(ctx, id, at); err != nil {
				return nil, err
			}
		}
	}
	return nil, models.NotFound("idempotency record")
}
