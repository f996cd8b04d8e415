package kv

import (
	"context"
	"sync"
	"time"
)

// Memory is the in-process Store: correct for one instance, lost on restart.
type Memory struct {
	mu    sync.Mutex
	items map[string]memItem
	now   func() time.Time
	ops   int
}

type memItem struct {
	value   []byte
	counter int64
	expires time.Time
}

// NewMemory returns an empty in-process store. now may be nil for the wall clock.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{items: map[string]memItem{}, now: now}
}

// get returns a live item; the caller holds mu.
func (m *Memory) get(key string, now time.Time) (memItem, bool) {
	it, ok := m.items[key]
	if ok && !now.Before(it.expires) {
		delete(m.items, key)
		return memItem{}, false
	}
	return it, ok
}

// sweep drops expired items now and then so that memory stays bounded; the caller holds mu.
func (m *Memory) sweep(now time.Time) {
	m.ops++
	if m.ops%1024 != 0 {
		return
	}
	for k, it := range m.items {
		if !now.Before(it.expires) {
			delete(m.items, k)
		}
	}
}

// Incr implements Store.
func (m *Memory) Incr(ctx context.Context, key string, ttl time.Duration) (int64, time.Duration, error) {
	return m.IncrBy(ctx, key, 1, ttl)
}

// IncrBy implements Adder.
func (m *Memory) IncrBy(_ context.Context, key string, n int64, ttl time.Duration) (int64, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	it, ok := m.get(key, now)
	if !ok {
		it = memItem{expires: now.Add(ttl)}
	}
	it.counter += n
	m.items[key] = it
	return it.counter, it.expires.Sub(now), nil
}

// Count implements Store.
func (m *Memory) Count(_ context.Context, key string) (int64, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	it, ok := m.get(key, now)
	if !ok {
		return 0, 0, nil
	}
	return it.counter, it.expires.Sub(now), nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.get(key, m.now())
	if !ok || it.value == nil {
		return nil, ErrMiss
	}
	return append([]byte(nil), it.value...), nil
}

// SetNX implements Store.
func (m *Memory) SetNX(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	if _, ok := m.get(key, now); ok {
		return false, nil
	}
	m.items[key] = memItem{value: append([]byte(nil), value...), expires: now.Add(ttl)}
	return true, nil
}

// Set implements Store.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	m.items[key] = memItem{value: append([]byte(nil), value...), expires: now.Add(ttl)}
	return nil
}

// Del implements Store.
func (m *Memory) Del(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.items, key)
	return nil
}

// Ping implements Store.
func (m *Memory) Ping(context.Context) error { return nil }
