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
// requests to be counted locally; closer than that each request adds itself to the shared
// counter, so that the 429 comes where the shared count says. A budget under 100 requests a
// minute is never counted locally.
func rateHeadroom(limit int) int64 { return max(int64(limit)/10, 10) }

// rateAllowance is how many requests an instance counts locally between two additions to the
// shared counter: a quarter of the headroom. One instance never admits more than the limit.
// Several may, by what the others have counted and not yet added when the shared count reaches
// the limit: at most rateAllowance per other instance (a fortieth of the limit), and none with
// four instances or fewer until the last tenth of the budget. What an instance has counted but
// not yet added when the window ends is not carried into the next window.
func rateAllowance(limit int) int64 { return rateHeadroom(limit) / 4 }

// rateBudgetsKept is how many budgets an instance keeps counts of before it forgets the idle
// ones (nothing counted here unsent, nothing on its way).
const rateBudgetsKept = 100_000

// rateBatch holds, per budget window, what this instance counted and the shared count last
// seen.
type rateBatch struct {
	mu     sync.Mutex
	counts map[string]*rateCount
	// swept is the latest window whose arrival removed the budgets of windows before the last.
	swept int64
}

type rateCount struct {
	window   int64
	known    int64 // the shared counter as last read, this instance's adds included
	inflight int64 // being added to the shared counter now
	pending  int64 // counted here since, not yet added
	synced   time.Time
	// carrying is closed when the addition that carries requests counted here comes back.
	// Until then no other request of the budget is sent: one that overtook it would take a
	// place in the shared counter that a request admitted here already stands on.
	carrying chan struct{}
}

// idle reports a budget whose count can be forgotten without losing a request admitted here.
func (rc *rateCount) idle() bool { return rc.pending == 0 && rc.inflight == 0 && rc.carrying == nil }

// budget returns the count of the budget name in window; rb.mu is held. A window's arrival
// forgets the budgets of windows before the last (their requests no longer count); past
// rateBudgetsKept budgets, the idle ones are forgotten, never one with requests counted here
// and not yet added.
func (rb *rateBatch) budget(name string, window int64) *rateCount {
	if rb.counts == nil {
		rb.counts = map[string]*rateCount{}
	}
	if window > rb.swept {
		for k, old := range rb.counts {
			if old.window < window-1 {
				delete(rb.counts, k)
			}
		}
		rb.swept = window
	}
	rc := rb.counts[name]
	if rc == nil || rc.window != window {
		if len(rb.counts) >= rateBudgetsKept {
			for k, old := range rb.counts {
				if old.idle() {
					delete(rb.counts, k)
				}
			}
		}
		rc = &rateCount{window: window}
		rb.counts[name] = rc
	}
	return rc
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
	rc := rb.budget(name, window)
	for rc.carrying != nil {
		wait := rc.carrying
		rb.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		rb.mu.Lock()
	}
	seen := rc.known + rc.inflight + rc.pending
	// While an addition is on its way every request adds itself: its answer is then the exact
	// count, which a request counted here meanwhile would make stale.
	if rc.inflight == 0 && !rc.synced.IsZero() && now.Sub(rc.synced) < rateSync && rc.pending < rateAllowance(limit) &&
		int64(limit)-(seen+1) >= rateHeadroom(limit) {
		rc.pending++
		rb.mu.Unlock()
		return seen + 1, nil
	}
	delta := rc.pending + 1
	rc.pending = 0
	rc.inflight += delta
	var carried chan struct{}
	if delta > 1 {
		carried = make(chan struct{})
		rc.carrying = carried
	}
	rb.mu.Unlock()
	// release ends the addition's hold on the budget (rb.mu held): its requests no longer in
	// flight, its waiters free.
	release := func() {
		rc.inflight -= delta
		if carried != nil {
			rc.carrying = nil
			close(carried)
		}
	}
	returned := false
	defer func() {
		if !returned { // the addition panicked: release, then let the panic go on
			rb.mu.Lock()
			release()
			rb.mu.Unlock()
		}
	}()
	n, _, err := adder.IncrBy(ctx, name, delta, 2*time.Minute)
	returned = true
	rb.mu.Lock()
	defer rb.mu.Unlock()
	release()
	if err != nil {
		// These requests are let through uncounted, as a down limiter does; what was counted
		// here goes with them, so that the next request is sent alone (not a carrier the
		// others would wait for, one failing round trip after another).
		return 0, err
	}
	// Requests counted here while the addition was on its way stay pending, after it.
	rc.known = max(rc.known, n)
	rc.synced = now
	return n, nil
}
