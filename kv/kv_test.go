package kv_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
)

// TestStores runs the same contract against every implementation: memory, the database
// (SQLite or MariaDB) and Redis when configured.
func TestStores(t *testing.T) {
	st := testkit.Store(t)
	for _, impl := range testkit.KVStores(t, st, nil) {
		t.Run(impl.Name, func(t *testing.T) {
			s, ctx := impl.Store, context.Background()
			if _, err := s.Get(ctx, "missing"); !errors.Is(err, kv.ErrMiss) {
				t.Fatalf("Get missing: %v", err)
			}
			ok, err := s.SetNX(ctx, "a", []byte("1"), time.Minute)
			if err != nil || !ok {
				t.Fatalf("first SetNX: %v %v", ok, err)
			}
			ok, err = s.SetNX(ctx, "a", []byte("2"), time.Minute)
			if err != nil || ok {
				t.Fatalf("second SetNX: %v %v", ok, err)
			}
			if v, err := s.Get(ctx, "a"); err != nil || string(v) != "1" {
				t.Fatalf("Get: %q %v", v, err)
			}
			if err := s.Set(ctx, "a", []byte("3"), time.Minute); err != nil {
				t.Fatal(err)
			}
			if v, _ := s.Get(ctx, "a"); string(v) != "3" {
				t.Fatalf("after Set: %q", v)
			}
			if err := s.Del(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Get(ctx, "a"); !errors.Is(err, kv.ErrMiss) {
				t.Fatalf("after Del: %v", err)
			}
			if n, ttl, err := s.Count(ctx, "counter"); err != nil || n != 0 || ttl != 0 {
				t.Fatalf("Count of a missing counter: %d %v %v", n, ttl, err)
			}
			for i := int64(1); i <= 3; i++ {
				n, ttl, err := s.Incr(ctx, "counter", time.Minute)
				if err != nil || n != i || ttl <= 0 || ttl > time.Minute {
					t.Fatalf("Incr %d: %d %v %v", i, n, ttl, err)
				}
			}
			// Count reads without spending.
			for range 2 {
				if n, ttl, err := s.Count(ctx, "counter"); err != nil || n != 3 || ttl <= 0 || ttl > time.Minute {
					t.Fatalf("Count: %d %v %v", n, ttl, err)
				}
			}
			if err := s.Ping(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestMemoryExpiry(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m := kv.NewMemory(clock.Now)
	ctx := context.Background()
	_, _ = m.SetNX(ctx, "k", []byte("v"), time.Second)
	n, _, _ := m.Incr(ctx, "c", time.Second)
	clock.Advance(time.Second)
	if _, err := m.Get(ctx, "k"); !errors.Is(err, kv.ErrMiss) {
		t.Fatal("value outlived its ttl")
	}
	if ok, _ := m.SetNX(ctx, "k", []byte("w"), time.Second); !ok {
		t.Fatal("an expired key blocks SetNX")
	}
	if n2, _, _ := m.Incr(ctx, "c", time.Second); n2 != n {
		t.Fatalf("counter did not restart: %d", n2)
	}
}

func TestDatabaseExpiry(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	d := testkit.Store(t).KV(clock.Now)
	ctx := context.Background()
	if ok, err := d.SetNX(ctx, "k", []byte("v"), time.Hour); !ok || err != nil {
		t.Fatal(ok, err)
	}
	clock.Advance(2 * time.Hour)
	if _, err := d.Get(ctx, "k"); !errors.Is(err, kv.ErrMiss) {
		t.Fatal("value outlived its ttl")
	}
	if ok, err := d.SetNX(ctx, "k", []byte("w"), time.Hour); !ok || err != nil {
		t.Fatalf("an expired record blocks SetNX: %v %v", ok, err)
	}
	clock.Advance(2 * time.Hour)
	if n, err := d.DeleteExpired(ctx); err != nil || n != 1 {
		t.Fatalf("DeleteExpired: %d %v", n, err)
	}
}
