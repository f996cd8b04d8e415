package service

import (
	"context"
	"sync"
	"time"

	"github.com/dianshubao/dianshubao/store"
)

// accountStateTTL bounds how long an instance keeps accepting the access tokens of an account
// that another instance disabled; the instance that disabled it refuses them at once. It is
// measured on the services' clock.
const accountStateTTL = 2 * time.Second

// accountStates remembers, for accountStateTTL, whether an account is disabled: one indexed
// read per person and TTL instead of one per request.
type accountStates struct {
	st    *store.Store
	clock Clock
	ttl   time.Duration
	mu    sync.Mutex
	gen   uint64
	m     map[string]accountState
}

type accountState struct {
	at       time.Time
	disabled bool
}

func newAccountStates(st *store.Store, clock Clock) *accountStates {
	return &accountStates{st: st, clock: clock, ttl: accountStateTTL, m: map[string]accountState{}}
}

// disabled reports whether the account is disabled; a missing account is ErrNotFound.
func (s *accountStates) disabled(ctx context.Context, userID string) (bool, error) {
	t := s.clock.Now()
	s.mu.Lock()
	e, ok := s.m[userID]
	gen := s.gen
	s.mu.Unlock()
	if ok && t.Sub(e.at) < s.ttl && !t.Before(e.at) {
		return e.disabled, nil
	}
	at, err := s.st.UserDisabledAt(ctx, userID)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	// A change made on this instance while the read ran may not be in it: keep nothing then.
	if s.gen == gen {
		if len(s.m) > 100000 {
			s.m = map[string]accountState{} // bounded: a cold start costs one read per person
		}
		s.m[userID] = accountState{at: t, disabled: at != nil}
	}
	s.mu.Unlock()
	return at != nil, nil
}

// forget drops what is known of an account after this instance changed it.
func (s *accountStates) forget(userID string) {
	s.mu.Lock()
	s.gen++
	delete(s.m, userID)
	s.mu.Unlock()
}
