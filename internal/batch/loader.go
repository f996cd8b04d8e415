// Package batch serves concurrent reads of single rows with one read for all of them.
package batch

import (
	"context"
	"sync"
	"time"
)

// Loader batches the reads of concurrent callers: the keys asked for while a read is in
// flight are read together by the next one, one call of Fetch for all of them instead of one
// each (on a busy server the statements, not the rows, are what the reads cost). A batch is
// at most the callers waiting, so a read holds no more than they asked for. A batch that
// fails is read again a key at a time, so that one key that cannot be read (a row sealed
// under a key the service no longer has) fails only its own callers.
type Loader[K comparable, V any] struct {
	// Fetch reads the values of keys (distinct); a key it leaves out has no value.
	Fetch func(ctx context.Context, keys []K) (map[K]V, error)
	// Timeout bounds each read: a batch serves callers whose contexts differ, so it runs
	// under its own.
	Timeout time.Duration

	mu      sync.Mutex
	pending []*request[K, V]
	leading bool
}

type request[K comparable, V any] struct {
	key   K
	value V
	found bool
	err   error
	done  chan struct{}
}

// Load returns the value of key, and whether it has one. It returns when ctx ends, whether
// or not the read it waits for has.
func (l *Loader[K, V]) Load(ctx context.Context, key K) (V, bool, error) {
	r := &request[K, V]{key: key, done: make(chan struct{})}
	l.mu.Lock()
	l.pending = append(l.pending, r)
	if !l.leading {
		l.leading = true
		go l.lead()
	}
	l.mu.Unlock()
	select {
	case <-r.done:
		return r.value, r.found, r.err
	case <-ctx.Done():
		var zero V
		return zero, false, ctx.Err()
	}
}

// lead serves the waiting requests a batch at a time until none is left.
func (l *Loader[K, V]) lead() {
	for {
		l.mu.Lock()
		batch := l.pending
		l.pending = nil
		if len(batch) == 0 {
			l.leading = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		l.serve(batch)
	}
}

func (l *Loader[K, V]) serve(batch []*request[K, V]) {
	keys := make([]K, 0, len(batch))
	seen := make(map[K]bool, len(batch))
	for _, r := range batch {
		if !seen[r.key] {
			seen[r.key] = true
			keys = append(keys, r.key)
		}
	}
	values, err := l.fetch(keys)
	errs := map[K]error{}
	if err != nil && len(keys) > 1 {
		values, err = map[K]V{}, nil
		for _, k := range keys {
			one, kerr := l.fetch([]K{k})
			if kerr != nil {
				errs[k] = kerr
				continue
			}
			if v, ok := one[k]; ok {
				values[k] = v
			}
		}
	}
	for _, r := range batch {
		r.err = err
		if r.err == nil {
			r.err = errs[r.key]
		}
		if r.err == nil {
			r.value, r.found = values[r.key]
		}
		close(r.done)
	}
}

func (l *Loader[K, V]) fetch(keys []K) (map[K]V, error) {
	ctx, cancel := context.WithTimeout(context.Background(), l.Timeout)
	defer cancel()
	return l.Fetch(ctx, keys)
}
