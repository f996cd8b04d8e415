// Package kv holds short-lived shared state behind one small interface: rate-limit counters,
// idempotency records and caches. Redis backs it when configured (shared across instances);
// an in-process implementation serves a single instance otherwise.
package kv

import (
	"context"
	"errors"
	"time"
)

// ErrMiss is returned by Get for a key that does not exist or has expired.
var ErrMiss = errors.New("kv: key not found")

// Adder is a Store whose counters take more than one at a time.
type Adder interface {
	// IncrBy adds n to the counter at key as Incr adds one.
	IncrBy(ctx context.Context, key string, n int64, ttl time.Duration) (int64, time.Duration, error)
}

// Store is the small key-value interface the service needs.
type Store interface {
	// Incr adds one to the counter at key, creating it with the given ttl, and returns the new
	// value and the time left before the counter expires.
	Incr(ctx context.Context, key string, ttl time.Duration) (int64, time.Duration, error)
	// Count reads the counter at key without changing it: its value and the time left before it
	// expires, or 0 and 0 for a counter that does not exist (or has expired).
	Count(ctx context.Context, key string) (int64, time.Duration, error)
	// Get returns the value at key or ErrMiss.
	Get(ctx context.Context, key string) ([]byte, error)
	// SetNX stores value at key only if the key is absent, and reports whether it did.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Set stores value at key, replacing any value.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Del removes key.
	Del(ctx context.Context, key string) error
	// Ping checks the backing service answers.
	Ping(ctx context.Context) error
}
