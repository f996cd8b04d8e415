package api

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/kv"
)

type countingAdder struct {
	*kv.Memory
	adds atomic.Int64
}

func (c *countingAdder) IncrBy(ctx context.Context, key string, n int64, ttl time.Duration) (int64, time.Duration, error) {
	c.adds.Add(1)
	return c.Memory.IncrBy(ctx, key, n, ttl)
}

// TestRateBudgetsFarFromTheirLimitAreCountedLocally: far from its limit a budget costs one
// addition to the shared counter per rateSync, not one per request, and loses no request
// (the next addition carries what was counted locally); near the limit every request adds
// itself, so the shared counter is exact where the 429 is decided.
func TestRateBudgetsFarFromTheirLimitAreCountedLocally(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	shared := &countingAdder{Memory: kv.NewMemory(func() time.Time { return now })}
	var rb rateBatch
	const name, window, far = "rl:k:1", int64(1), 1_000_000
	for i := int64(1); i <= 1000; i++ {
		n, err := rb.count(ctx, shared, name, window, far, now)
		if err != nil || n != i {
			t.Fatalf("request %d counted as %d (%v)", i, n, err)
		}
	}
	if a := shared.adds.Load(); a != 1 {
		t.Fatalf("%d additions to the shared counter for 1000 requests within %v, want 1", a, rateSync)
	}
	later := now.Add(rateSync)
	if n, _ := rb.count(ctx, shared, name, window, far, later); n != 1001 {
		t.Fatalf("request 1001 counted as %d", n)
	}
	if got, _, _ := shared.Count(ctx, name); got != 1001 || shared.adds.Load() != 2 {
		t.Fatalf("shared counter %d after %d additions, want 1001 after 2", got, shared.adds.Load())
	}

	// Near the limit: exact, request by request.
	const near = 50
	var rb2 rateBatch
	for i := int64(1); i <= 60; i++ {
		n, _ := rb2.count(ctx, shared, "rl:k2:1", window, near, now)
		if n != i {
			t.Fatalf("request %d near the limit counted as %d", i, n)
		}
		if got, _, _ := shared.Count(ctx, "rl:k2:1"); i > near-rateHeadroom(near) && got != i {
			t.Fatalf("request %d near the limit: shared counter %d", i, got)
		}
	}
}
