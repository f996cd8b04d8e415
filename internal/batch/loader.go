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
// at most the callers waiting, so a read holds no more than they asked for.
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

// Load returns the value of key, and whether it has one.
func (l *Loader[K, V]) Load(ctx context.Context, key K) (V, bool, error) {
	r := &request[K, V]{key: key, done: make(chan struct{})}
	l.mu.Lock()
	l.pending = append(l.pending, r)
	if !l.leading {
		l.leading = true
		l.mu.Unlock()
		l.lead()
	} else {
		l.mu.Unlock()
	}
	select {
	case <-r.done:
		return r.value, r.found, r.err
	case <-ctx.Done():
		var zero V
		return zero, false, ctx.Err()
	}
}

// lead serves one batch; if more requests queued meanwhile, another goroutine serves them,
// so that no caller waits for batches after its own.
func (l *Loader[K, V]) lead() {
	l.mu.Lock()
	batch := l.pending
	l.pending = nil
	l.mu.Unlock()

	keys := make([]K, 0, len(batch))
	seen := make(map[K]bool, len(batch))
	for _, r := range batch {
		if !seen[r.key] {
			seen[r.key] = true
			keys = append(keys, r.key)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.Timeout)
	values, err := l.Fetch(ctx, keys)
	cancel()
	for _, r := range batch {
		if r.err = err; err == nil {
			r.value, r.found = values[r.key]
		}
		close(r.done)
	}

	l.mu.Lock()
	if len(l.pending) == 0 {
		l.leading = false
		l.mu.Unlock()
		return
	}
	l.mu.Unlock()
	go l.lead()
}
