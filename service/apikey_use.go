package service

import (
	"context"
	"sync"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// KeyUseFlushInterval is how often main runs the flusher: each key is still written at most once
// per apiKeyTouchEvery, and last_used_at trails the last use by at most the sum of the two.
const KeyUseFlushInterval = 15 * time.Second

// apiKeys remembers recently authenticated keys (hash → principal, ≤ ttl) and coalesces their
// uses, so that a platform request costs no write and usually no lookup. ttl bounds how long
// another instance keeps accepting a revoked key; the instance that revokes forgets the key at
// once, so its next request is refused.
type apiKeys struct {
	ttl     time.Duration
	mu      sync.Mutex
	gen     uint64 // bumped by forget, so that a lookup racing a revocation is not cached
	byHash  map[string]cachedKey
	pending map[string]time.Time // key id → latest use not yet written
	flushed map[string]time.Time // key id → when its use was last written
}

type cachedKey struct {
	at        time.Time
	principal models.Principal
}

func (k *apiKeys) lookup(hash string) (*models.Principal, uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if e, ok := k.byHash[hash]; ok && time.Since(e.at) < k.ttl {
		p := e.principal
		return &p, k.gen
	}
	return nil, k.gen
}

func (k *apiKeys) remember(hash string, p models.Principal, gen uint64, at time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if gen != k.gen {
		return
	}
	if k.byHash == nil || len(k.byHash) > 10000 {
		k.byHash = map[string]cachedKey{}
	}
	k.byHash[hash] = cachedKey{at: at, principal: p}
}

// forget drops a key from the cache after it was revoked on this instance.
func (k *apiKeys) forget(keyID string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.gen++
	for h, e := range k.byHash {
		if e.principal.APIKeyID == keyID {
			delete(k.byHash, h)
		}
	}
}

func (k *apiKeys) used(keyID string, at time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pending == nil {
		k.pending = map[string]time.Time{}
	}
	if at.After(k.pending[keyID]) {
		k.pending[keyID] = at
	}
}

// due takes the uses to write: every pending one when all is set (shutdown), otherwise those
// of keys not written within apiKeyTouchEvery of now.
func (k *apiKeys) due(now time.Time, all bool) map[string]time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := map[string]time.Time{}
	for id, at := range k.pending {
		if last, ok := k.flushed[id]; all || !ok || now.Sub(last) >= apiKeyTouchEvery {
			out[id] = at
			delete(k.pending, id)
		}
	}
	return out
}

func (k *apiKeys) wrote(uses map[string]time.Time, now time.Time, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.flushed == nil {
		k.flushed = map[string]time.Time{}
	}
	for id, at := range uses {
		if err != nil {
			// Not written: keep the use for the next flush unless a later one replaced it.
			if at.After(k.pending[id]) {
				k.pending[id] = at
			}
			continue
		}
		k.flushed[id] = now
	}
}

// FlushKeyUse writes the API key uses noted since the last flush to last_used_at, one UPDATE
// per key, at most once per apiKeyTouchEvery per key.
func (ps *Platforms) FlushKeyUse(ctx context.Context) error {
	return ps.flushKeyUse(ctx, false)
}

func (ps *Platforms) flushKeyUse(ctx context.Context, all bool) error {
	t := now(ps.clock)
	uses := ps.keys.due(t, all)
	if len(uses) == 0 {
		return nil
	}
	err := ps.st.TouchAPIKeys(ctx, uses)
	ps.keys.wrote(uses, t, err)
	return err
}

// RunKeyUseFlusher flushes key uses every interval until ctx ends, then once more for what is
// left, so that a clean shutdown loses no use.
func (ps *Platforms) RunKeyUseFlusher(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := ps.flushKeyUse(fctx, true); err != nil {
				ps.log.WarnContext(fctx, "could not record API key use at shutdown", "error", err)
			}
			cancel()
			return
		case <-tick.C:
			if err := ps.FlushKeyUse(ctx); err != nil {
				ps.log.WarnContext(ctx, "could not record API key use; will retry", "error", err)
			}
		}
	}
}
