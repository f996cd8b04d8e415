package service

import (
	"context"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Idempotent is what the API layer knows of a request that carries an Idempotency-Key and has
// no record yet. It travels in the request context to the command, which writes the record in
// its own transaction (API.md section 1): the change and the answer commit together or not at
// all, and a request refused before any change stores nothing.
type Idempotent struct {
	// RecordID is the record's primary key: a keyed hash of caller, method, path and key.
	RecordID string
	// Fingerprint is the SHA-256 of the request body.
	Fingerprint string
	// Status is the HTTP status the command answers on success.
	Status int
	// Render turns the command's result into the exact response body.
	Render func(result any) ([]byte, error)
	// Seal encrypts the body for storage.
	Seal func(body []byte) []byte
	// Expires is when the record lapses.
	Expires time.Time
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

// recordIdempotent writes the response to result in tx, when the request asked for it.
func recordIdempotent(ctx context.Context, tx *store.Store, result any) error {
	im := IdempotentOf(ctx)
	if im == nil || im.Render == nil {
		return nil
	}
	body, err := im.Render(result)
	if err != nil {
		return err
	}
	err = tx.AddIdempotencyRecord(ctx, &models.IdempotencyRecord{ID: im.RecordID, Fingerprint: im.Fingerprint,
		Status: im.Status, ContentType: "application/json; charset=utf-8", Sealed: im.Seal(body),
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond), ExpiresAt: im.Expires})
	if store.IsDuplicate(err) {
		return ErrIdempotencyKeyInUse
	}
	if err != nil {
		return err
	}
	im.Body = body
	return nil
}

// command runs fn as one transaction (retried from scratch on a deadlock) and writes the
// idempotency record of the request in that same transaction, from fn's result.
func command[T any](ctx context.Context, st *store.Store, fn func(tx *store.Store) (T, error)) (T, error) {
	var out T
	err := st.Tx(ctx, func(tx *store.Store) error {
		if im := IdempotentOf(ctx); im != nil {
			im.Body = nil
		}
		v, err := fn(tx)
		if err != nil {
			return err
		}
		if err := recordIdempotent(ctx, tx, v); err != nil {
			return err
		}
		out = v
		return nil
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}
