package service

import (
	"context"
	"sync"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// defaultCacheTTL bounds how stale a platform, its reachability, its enabled endpoints and an
// API key can be on an instance that did not make the change itself (the instance that did
// forgets at once).
const defaultCacheTTL = time.Second

// platformCache holds what every command and read asks about a platform: the row, whether it
// can be reached (API.md 5.1), and its enabled webhook endpoints. Entries live ttl (a second by default).
type platformCache struct {
	st  *store.Store
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]*platformEntry
}

type platformEntry struct {
	at        time.Time
	platform  models.Platform
	reachable bool
	endpoints []models.WebhookEndpoint
}

func newPlatformCache(st *store.Store, ttl time.Duration) *platformCache {
	return &platformCache{st: st, ttl: ttl, m: map[string]*platformEntry{}}
}

func (pc *platformCache) entry(ctx context.Context, id string) (*platformEntry, error) {
	return pc.entryVia(ctx, pc.st, id)
}

// entryVia reads a miss through st: a transaction passes itself, so that it never waits for a
// second connection while it holds one (with every connection held so, nothing would move).
func (pc *platformCache) entryVia(ctx context.Context, st *store.Store, id string) (*platformEntry, error) {
	pc.mu.Lock()
	e := pc.m[id]
	pc.mu.Unlock()
	if e != nil && time.Since(e.at) < pc.ttl {
		return e, nil
	}
	start := time.Now()
	p, err := st.PlatformByID(ctx, id)
	if err != nil {
		return nil, err
	}
	eps, err := st.EnabledWebhookEndpoints(ctx, id)
	if err != nil {
		return nil, err
	}
	reachable := false
	if p.Onboarded {
		reachable = p.HasAfterSalesContact() || len(eps) > 0
		if !reachable {
			n, err := st.CountActiveAPIKeys(ctx, id)
			if err != nil {
				return nil, err
			}
			reachable = n > 0
		}
	}
	e = &platformEntry{at: start, platform: *p, reachable: reachable, endpoints: eps}
	pc.mu.Lock()
	if len(pc.m) > 10000 {
		pc.m = map[string]*platformEntry{} // bounded: a cold start is cheap
	}
	pc.m[id] = e
	pc.mu.Unlock()
	return e, nil
}

// Platform returns a copy of the platform.
func (pc *platformCache) Platform(ctx context.Context, id string) (*models.Platform, error) {
	e, err := pc.entry(ctx, id)
	if err != nil {
		return nil, err
	}
	p := e.platform
	return &p, nil
}

// Reachable applies the rule of API.md 5.1: onboarded, and an after-sales contact, an active
// API key or an enabled webhook endpoint.
func (pc *platformCache) Reachable(ctx context.Context, id string) (bool, error) {
	e, err := pc.entry(ctx, id)
	if err != nil {
		return false, err
	}
	return e.reachable, nil
}

// Endpoints returns the platform's enabled webhook endpoints; callers must not change them.
func (pc *platformCache) Endpoints(ctx context.Context, id string) ([]models.WebhookEndpoint, error) {
	e, err := pc.entry(ctx, id)
	if err != nil {
		return nil, err
	}
	return e.endpoints, nil
}

// Forget drops the platform's entry after a change made on this instance.
func (pc *platformCache) Forget(id string) {
	pc.mu.Lock()
	delete(pc.m, id)
	pc.mu.Unlock()
}

// ForgetAll drops every entry.
func (pc *platformCache) ForgetAll() {
	pc.mu.Lock()
	pc.m = map[string]*platformEntry{}
	pc.mu.Unlock()
}

// PlatformVia is Platform for a caller inside transaction tx.
func (pc *platformCache) PlatformVia(ctx context.Context, tx *store.Store, id string) (*models.Platform, error) {
	e, err := pc.entryVia(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	p := e.platform
	return &p, nil
}

// ReachableVia is Reachable for a caller inside transaction tx.
func (pc *platformCache) ReachableVia(ctx context.Context, tx *store.Store, id string) (bool, error) {
	e, err := pc.entryVia(ctx, tx, id)
	if err != nil {
		return false, err
	}
	return e.reachable, nil
}

// EndpointsVia is Endpoints for a caller inside transaction tx.
func (pc *platformCache) EndpointsVia(ctx context.Context, tx *store.Store, id string) ([]models.WebhookEndpoint, error) {
	e, err := pc.entryVia(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return e.endpoints, nil
}
