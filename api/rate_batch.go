package api

import (
	"context"
	"sync"
	"time"

	"github.com/dianshubao/dianshubao/kv"
)

// rateSync is how long requests of a budget far from its limit are counted on this instance
// alone before their sum is added to the shared counter: with Redis, one round trip per budget
// each rateSync instead of one per request.
const rateSync = 100 * time.Millisecond

// rateHeadroom is how far from its limit a budget must be, at its last shared count, for its
// requests to be counted locally: closer than that (and for every budget whose limit is under
// ten times the minimum headroom) each request adds to the shared counter itself, so that the
// 429 comes exactly where it should. Far from the limit, the shared count may lag by at most
// rateSync of each instance's requests; what an instance has counted but not yet added when
// its window ends is not carried into the next window.
func rateHeadroom(limit int) int64 { return max(int64(limit)/10, 10) }

// rateBatch holds, per budget window, what this instance counted and the shared count last
// seen.
type rateBatch struct {
	mu     sync.Mutex
	counts map[string]*rateCount
}

type rateCount struct {
	window  int64
	known   int64 // the shared counter as last read, this instance's adds included
	pending int64 // counted here since, not yet added
	synced  time.Time
}

// count takes one unit of the budget named name (of window, with limit) and returns the count
// it stands at: locally when the budget is far from its limit and was read within rateSync,
// otherwise by adding what is pending and this request to the shared counter.
func (rb *rateBatch) count(ctx context.Context, store kv.Store, name string, window int64, limit int, now time.Time) (int64, error) {
	adder, ok := store.(kv.Adder)
	if !ok {
		n, _, err := store.Incr(ctx, name, 2*time.Minute)
		return n, err
	}
	rb.mu.Lock()
	if rb.counts == nil || len(rb.counts) > 100_000 {
		rb.counts = map[string]*rateCount{}
	}
	rc := rb.counts[name]
	if rc == nil || rc.window != window {
		rc = &rateCount{window: window}
		rb.counts[name] = rc
		for k, old := range rb.counts {
			if old.window < window-1 {
				delete(rb.counts, k)
			}
		}
	}
	if !rc.synced.IsZero() && now.Sub(rc.synced) < rateSync && int64(limit)-(rc.known+rc.pending+1) >= rateHeadroom(limit) {
		rc.pending++
		n := rc.known + rc.pending
		rb.mu.Unlock()
		return n, nil
	}
	delta := rc.pending + 1
	rc.pending = 0
	rb.mu.Unlock()
	n, _, err := adder.IncrBy(ctx, name, delta, 2*time.Minute)
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if err != nil {
		rc.pending += delta - 1 // this request is let through uncounted, as a down limiter does
		return 0, err
	}
	// Requests counted here while the addition was on its way stay pending, after it.
	rc.known = max(rc.known, n)
	rc.synced = now
	return n, nil
}
