package api

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
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

// TestRateBudgetsAreNotExceededByConcurrentRequests: 64 concurrent clients of one instance
// spend one budget of 300; never more than 300 are admitted, whether the shared counter is in
// memory or in Redis (additions in flight count as spent).
func TestRateBudgetsAreNotExceededByConcurrentRequests(t *testing.T) {
	stores := map[string]kv.Store{"memory": kv.NewMemory(time.Now)}
	if rd := testkit.Redis(t); rd != nil {
		stores["redis"] = rd
	}
	for name, shared := range stores {
		t.Run(name, func(t *testing.T) {
			for round := range 20 {
				const limit = 300
				key := fmt.Sprintf("rl:concurrent:%d:%d", round, time.Now().UnixNano())
				if a := spendConcurrently(t, shared, key, limit); a > limit {
					t.Fatalf("round %d: %d admitted under a limit of %d", round, a, limit)
				}
			}
		})
	}
}

// slowCarrier is a shared counter whose additions of more than one request (the one that
// carries what was counted locally) arrive late, after the single additions sent meanwhile.
type slowCarrier struct{ *kv.Memory }

func (c slowCarrier) IncrBy(ctx context.Context, key string, n int64, ttl time.Duration) (int64, time.Duration, error) {
	if n > 1 {
		time.Sleep(3 * time.Millisecond)
	}
	return c.Memory.IncrBy(ctx, key, n, ttl)
}

// TestRateBudgetsHoldWhenTheLocalCountArrivesLast: the requests counted locally were
// admitted on the place they would take in the shared counter; if the addition that carries
// them arrives after single additions sent later, the single ones must not take those places
// too. 64 clients, the carrier made slow: never more than the limit admitted.
func TestRateBudgetsHoldWhenTheLocalCountArrivesLast(t *testing.T) {
	shared := slowCarrier{kv.NewMemory(time.Now)}
	const limit = 300
	for round := range 10 {
		if a := spendConcurrently(t, shared, fmt.Sprintf("rl:late:%d", round), limit); a > limit {
			t.Fatalf("round %d: %d admitted under a limit of %d", round, a, limit)
		}
	}
}

// spendConcurrently has 64 clients of one instance spend 20 requests each of the budget key
// (of limit) at once, and returns how many were admitted.
func spendConcurrently(t *testing.T, shared kv.Store, key string, limit int) int64 {
	t.Helper()
	var rb rateBatch
	var admitted atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range 20 {
				n, err := rb.count(context.Background(), shared, key, 1, limit, time.Now())
				if err != nil {
					t.Error(err)
					return
				}
				if n <= int64(limit) {
					admitted.Add(1)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	return admitted.Load()
}

// TestRateBudgetsHoldAcrossFourInstances: four instances over one shared counter, all within
// one rateSync (their local counts unseen by the others): together they admit no more than the
// limit and what the three others may have counted unseen (rateAllowance each).
func TestRateBudgetsHoldAcrossFourInstances(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	shared := kv.NewMemory(func() time.Time { return now })
	instances := make([]rateBatch, 4)
	const key, window, limit = "rl:four:1", int64(1), 1000
	admitted := 0
	for i := range 4000 {
		n, err := instances[i%4].count(ctx, shared, key, window, limit, now)
		if err != nil {
			t.Fatal(err)
		}
		if n <= limit {
			admitted++
		}
	}
	if bound := limit + 3*int(rateAllowance(limit)); admitted > bound {
		t.Fatalf("%d requests admitted in one window under a limit of %d by four instances, want at most %d", admitted, limit, bound)
	}
}

// failingAdder is a shared counter that is down: each addition fails after delay.
type failingAdder struct {
	*kv.Memory
	delay time.Duration
}

func (f failingAdder) IncrBy(ctx context.Context, key string, n int64, ttl time.Duration) (int64, time.Duration, error) {
	time.Sleep(f.delay)
	return 0, 0, errors.New("i/o timeout")
}

// TestRateBudgetsOfADownCounterDoNotQueue: when the shared counter fails, the requests of a
// budget that had requests counted locally go through side by side, as with no counting here
// at all — not one behind another, each waiting for the previous one's failing addition.
func TestRateBudgetsOfADownCounterDoNotQueue(t *testing.T) {
	ctx := context.Background()
	var rb rateBatch
	up := kv.NewMemory(time.Now)
	for range 6 { // counted locally, far from the limit
		if _, err := rb.count(ctx, up, "rl:down:1", 1, 1000, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(rateSync + 10*time.Millisecond)
	down := failingAdder{Memory: up, delay: 30 * time.Millisecond}
	start := time.Now()
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := rb.count(ctx, down, "rl:down:1", 1, 1000, time.Now()); err == nil {
				t.Error("an addition to a down counter succeeded")
			}
		}()
	}
	wg.Wait()
	if took := time.Since(start); took > 300*time.Millisecond {
		t.Fatalf("32 requests against a counter failing in 30 ms took %v: they queued", took)
	}
}

// TestRateBudgetsForgetOnlyIdleCounts: past rateBudgetsKept budgets an instance forgets the
// idle ones, never the requests it counted and has not yet added: one budget of 300 still
// admits no more than 300 across the forgetting.
func TestRateBudgetsForgetOnlyIdleCounts(t *testing.T) {
	ctx := context.Background()
	shared := kv.NewMemory(time.Now)
	var rb rateBatch
	admitted := 0
	for i := range 400 {
		if i == 7 {
			rb.mu.Lock()
			for j := range rateBudgetsKept + 1 {
				rb.counts[fmt.Sprintf("rl:other:%d", j)] = &rateCount{window: 1}
			}
			pending := rb.counts["rl:kept:1"].pending
			rb.mu.Unlock()
			if pending == 0 {
				t.Fatal("nothing counted locally before the forgetting: the test tests nothing")
			}
			// A new budget past the bound makes the instance forget.
			if _, err := rb.count(ctx, shared, "rl:new:1", 1, 300, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		n, err := rb.count(ctx, shared, "rl:kept:1", 1, 300, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if n <= 300 {
			admitted++
		}
	}
	if admitted > 300 {
		t.Fatalf("%d admitted under a limit of 300 across the forgetting of idle budgets", admitted)
	}
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if len(rb.counts) != 2 {
		t.Fatalf("%d budgets kept, want the two in use", len(rb.counts))
	}
}

// panickyAdder panics on its first addition of more than one request.
type panickyAdder struct {
	*kv.Memory
	panicked *atomic.Bool
}

func (p panickyAdder) IncrBy(ctx context.Context, key string, n int64, ttl time.Duration) (int64, time.Duration, error) {
	if n > 1 && p.panicked.CompareAndSwap(false, true) {
		panic("malformed reply")
	}
	return p.Memory.IncrBy(ctx, key, n, ttl)
}

// TestRateBudgetsSurviveAPanickingAddition: an addition that panics (a malformed reply) does
// not leave the budget's other requests waiting for it.
func TestRateBudgetsSurviveAPanickingAddition(t *testing.T) {
	ctx := context.Background()
	shared := panickyAdder{Memory: kv.NewMemory(time.Now), panicked: new(atomic.Bool)}
	var rb rateBatch
	for range 3 {
		if _, err := rb.count(ctx, shared, "rl:panic:1", 1, 1000, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(rateSync + 10*time.Millisecond)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the addition did not panic")
			}
		}()
		rb.count(ctx, shared, "rl:panic:1", 1, 1000, time.Now())
	}()
	wctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := rb.count(wctx, shared, "rl:panic:1", 1, 1000, time.Now()); err != nil {
		t.Fatalf("the next request after a panicking addition: %v", err)
	}
}
