package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/kv"
)

// TestBadCredentialsHaveAnAddressBudget: bad API keys and bad or expired tokens count against
// the client's address; past five times DSB_AUTH_RATE_LIMIT_PER_MINUTE in a minute the address is
// answered 429 before any lookup, while other addresses are served as before.
func TestBadCredentialsHaveAnAddressBudget(t *testing.T) {
	a := newApp(t, func(o *appOptions) { o.authRateLimit = 2 }) // 10 bad credentials a minute
	admin := a.adminToken()
	p := a.createPlatform(admin, "jd", nil)
	key, _ := a.issueKey(admin, p["id"].(string))
	consumer, _ := a.register("consumer")
	a.clock.Advance(16 * time.Minute) // the consumer's access token has expired

	stmts := countStatements(t, a.st.DB())
	lookups := func() int {
		n := 0
		for _, q := range stmts.take() {
			if strings.Contains(q, "api_keys") {
				n++
			}
		}
		return n
	}
	const flooder, other = "203.0.113.66:1", "203.0.113.67:1"
	bogus := "dsb_live_" + strings.Repeat("x", 40)
	tries := []req{
		{method: "GET", path: "/api/v1/me", token: consumer, remoteAddr: flooder},                       // expired
		{method: "GET", path: "/api/v1/me", token: "eyJhbGciOiJIUzI1NiJ9.e30.bad", remoteAddr: flooder}, // bad signature
	}
	for range 8 {
		tries = append(tries, req{method: "GET", path: "/api/v1/platform/me", token: bogus, remoteAddr: flooder})
	}
	for _, rq := range tries {
		expect(t, a.do(rq), http.StatusUnauthorized, "invalid_token")
	}
	if n := lookups(); n != 8 {
		t.Fatalf("%d key lookups for 8 bogus keys, want one each", n)
	}
	// Past the budget: refused before the key is looked up, whatever it is.
	for _, token := range []string{bogus, key} {
		r := a.do(req{method: "GET", path: "/api/v1/platform/me", token: token, remoteAddr: flooder})
		expect(t, r, http.StatusTooManyRequests, "rate_limited")
		if r.Header.Get("Retry-After") == "" || r.Header.Get("RateLimit-Remaining") != "0" {
			t.Fatalf("429 headers: %v", r.Header)
		}
	}
	if n := lookups(); n != 0 {
		t.Fatalf("%d key lookups past the budget, want none", n)
	}
	// Other addresses are not touched.
	expect(t, a.do(req{method: "GET", path: "/api/v1/platform/me", token: key, remoteAddr: other}), http.StatusOK)
	expect(t, a.do(req{method: "GET", path: "/api/v1/platform/me", token: bogus, remoteAddr: other}), http.StatusUnauthorized, "invalid_token")
	// A minute later the address has its budget again.
	a.clock.Advance(time.Minute)
	stmts.reset()
	expect(t, a.do(req{method: "GET", path: "/api/v1/platform/me", token: bogus, remoteAddr: flooder}), http.StatusUnauthorized, "invalid_token")
	if n := lookups(); n != 1 {
		t.Fatalf("%d key lookups after the window, want 1", n)
	}
}

// countingKV counts the reads of budgets in the in-process store it wraps.
type countingKV struct {
	kv.Store
	counts atomic.Int64
}

func (c *countingKV) Count(ctx context.Context, key string) (int64, time.Duration, error) {
	c.counts.Add(1)
	return c.Store.Count(ctx, key)
}

// TestGoodCredentialsReadTheBudgetOncePerSecond: an address whose bad-credential budget is
// unspent presents credentials for a second without the shared counter being read again (one
// read a second, not one per request); a bad credential from it makes the next one read it.
func TestGoodCredentialsReadTheBudgetOncePerSecond(t *testing.T) {
	limits := &countingKV{Store: kv.NewMemory(time.Now)}
	a := newApp(t, func(o *appOptions) { o.limits = limits })
	admin := a.adminToken()
	p := a.createPlatform(admin, "jd", nil)
	key, _ := a.issueKey(admin, p["id"].(string))
	const addr = "203.0.113.70:1"
	me := func(token string, status int) {
		t.Helper()
		expect(t, a.do(req{method: "GET", path: "/api/v1/platform/me", token: token, remoteAddr: addr}), status)
	}
	limits.counts.Store(0)
	for range 20 {
		me(key, http.StatusOK)
	}
	if n := limits.counts.Load(); n != 1 {
		t.Fatalf("%d budget reads for 20 requests within a second, want 1", n)
	}
	a.clock.Advance(time.Second)
	me(key, http.StatusOK)
	if n := limits.counts.Load(); n != 2 {
		t.Fatalf("%d budget reads a second later, want 2", n)
	}
	me("dsb_live_"+strings.Repeat("y", 40), http.StatusUnauthorized)
	me(key, http.StatusOK)
	if n := limits.counts.Load(); n != 3 {
		t.Fatalf("%d budget reads after a bad credential, want 3 (it is read again)", n)
	}
}
