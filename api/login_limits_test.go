package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
)

func loginReq(addr string, body map[string]string) req {
	return req{method: "POST", path: "/api/v1/auth/login", body: body, remoteAddr: addr}
}

// withoutRequestID is a problem body without its request id, to compare two answers.
func withoutRequestID(t *testing.T, r *response) map[string]any {
	t.Helper()
	m := r.JSON(t)
	delete(m, "request_id")
	return m
}

// TestWrongPasswordsElsewhereDoNotLockOutOwner: ten wrong passwords a minute from one address,
// for a phone and for the admin's e-mail, refuse that address — and nobody else: the owner logs
// in from another address with the right password. A missing account is answered the same.
var digits = regexp.MustCompile(`[0-9]+`)

func TestWrongPasswordsElsewhereDoNotLockOutOwner(t *testing.T) {
	probe := newApp(t)
	for _, impl := range testkit.KVStores(t, probe.st, probe.clock.Now) {
		if impl.Name != "memory" && impl.Name != "redis" {
			continue // rate limits run on memory or Redis only
		}
		t.Run(impl.Name, func(t *testing.T) {
			limits := impl.Store
			a := newApp(t, func(o *appOptions) { o.authRateLimit = 10; o.limits = limits })
			if impl.Name == "memory" {
				mem := kv.NewMemory(a.clock.Now)
				a = newApp(t, func(o *appOptions) { o.authRateLimit = 10; o.limits = mem })
			}
			_, _, phone := a.registerPhone("consumer")
			const attacker, owner = "127.0.0.2:1234", "127.0.0.3:1234"
			missing := nextPhone() // never registered

			for _, account := range []map[string]string{{"phone": phone}, {"email": adminEmail}, {"phone": missing}} {
				wrong := map[string]string{"password": "not-the-password"}
				for k, v := range account {
					wrong[k] = v
				}
				for range 10 {
					expect(t, a.do(loginReq(attacker, wrong)), http.StatusUnauthorized, "invalid_credentials")
				}
				// The next minute the address has its request budget again, but not its failure
				// budget for this account: it is refused, even with the right password.
				a.clock.Advance(time.Minute)
				r := a.do(loginReq(attacker, wrong))
				expect(t, r, http.StatusTooManyRequests, "rate_limited")
				if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 15*60 {
					t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
				}
				a.clock.Advance(time.Minute)
			}
			// The owners, from another address, get in with the right password.
			expect(t, a.do(loginReq(owner, map[string]string{"phone": phone, "password": "password-123"})), http.StatusOK)
			expect(t, a.do(loginReq(owner, map[string]string{"email": adminEmail, "password": adminPassword})), http.StatusOK)
			// Right password from the refused address: still refused there.
			expect(t, a.do(loginReq(attacker, map[string]string{"phone": phone, "password": "password-123"})), http.StatusTooManyRequests, "rate_limited")

			// The refusal does not tell an existing account from a missing one.
			a.clock.Advance(time.Minute)
			existing := a.do(loginReq(attacker, map[string]string{"phone": phone, "password": "x"}))
			absent := a.do(loginReq(attacker, map[string]string{"phone": missing, "password": "x"}))
			e, m := withoutRequestID(t, expect2(t, existing, http.StatusTooManyRequests)), withoutRequestID(t, expect2(t, absent, http.StatusTooManyRequests))
			// The seconds left may differ by one: Redis counts them on its own clock, between
			// the two requests.
			for _, p := range []map[string]any{e, m} {
				p["detail"] = digits.ReplaceAllString(fmt.Sprint(p["detail"]), "N")
			}
			if !equalJSON(e, m) {
				t.Fatalf("existing and missing accounts answered differently:\n%v\n%v", e, m)
			}
		})
	}
}

// expect2 is expect returning the response itself.
func expect2(t *testing.T, r *response, status int) *response {
	t.Helper()
	expect(t, r, status)
	return r
}

// TestAddressFailureBudget: one address trying many accounts is refused on all of them past
// five times DSB_AUTH_RATE_LIMIT_PER_MINUTE failures, whichever account it names next.
func TestAddressFailureBudget(t *testing.T) {
	a := newApp(t, func(o *appOptions) { o.authRateLimit = 2 })
	_, _, phone := a.registerPhone("consumer")
	const sprayer = "198.51.100.50:1"
	for i := range 10 {
		expect(t, a.do(loginReq(sprayer, map[string]string{"phone": nextPhone(), "password": "x"})), http.StatusUnauthorized)
		if i%2 == 1 {
			a.clock.Advance(time.Minute) // the per-IP request budget is 2 a minute
		}
	}
	r := a.do(loginReq(sprayer, map[string]string{"phone": phone, "password": "password-123"}))
	if expect(t, r, http.StatusTooManyRequests, "rate_limited"); !strings.Contains(r.String(), "failed logins from this address") {
		t.Fatalf("refused by another budget: %s", r.Body)
	}
	expect(t, a.do(loginReq("198.51.100.51:1", map[string]string{"phone": phone, "password": "password-123"})), http.StatusOK)
}

// TestAccountUnderAttackIsSlowedNotLocked: failures from many addresses past the account's
// ceiling slow its logins down — each address may try once per delay, the delay doubling and
// never above a minute — but the owner still gets in: at once from an address that has not just
// tried, and within a minute after a typo.
func TestAccountUnderAttackIsSlowedNotLocked(t *testing.T) {
	a := newApp(t, func(o *appOptions) { o.authRateLimit = 3 }) // pair 3, ceiling 15 failures
	_, _, phone := a.registerPhone("consumer")
	wrong := map[string]string{"phone": phone, "password": "x"}
	right := map[string]string{"phone": phone, "password": "password-123"}
	// Five addresses fail three times each: the ceiling is reached, nobody is slowed yet.
	for i := range 5 {
		for range 3 {
			expect(t, a.do(loginReq("203.0.113."+strconv.Itoa(100+i)+":1", wrong)), http.StatusUnauthorized)
		}
	}
	expect(t, a.do(loginReq("203.0.113.99:1", wrong)), http.StatusUnauthorized) // 16: one past the ceiling
	owner := "192.0.2.77:1"
	expect(t, a.do(loginReq(owner, wrong)), http.StatusUnauthorized) // a typo: 17 failures
	r := a.do(loginReq(owner, right))
	expect(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.Header.Get("Retry-After") != "1" { // the typo came one failure past the ceiling: 1 s
		t.Fatalf("Retry-After %q one failure past the ceiling, want 1", r.Header.Get("Retry-After"))
	}
	a.clock.Advance(time.Second)
	expect(t, a.do(loginReq(owner, right)), http.StatusOK)

	// Twenty more addresses keep failing: each gets one attempt per delay, and the delay
	// doubles up to its cap of a minute.
	refused := 0
	for i := range 20 {
		for range 3 {
			r := a.do(loginReq("203.0.113."+strconv.Itoa(120+i)+":1", wrong))
			switch r.Code {
			case http.StatusUnauthorized:
			case http.StatusTooManyRequests:
				refused++
			default:
				t.Fatalf("attack: %d %s", r.Code, r.Body)
			}
		}
	}
	if refused != 40 {
		t.Fatalf("%d of the attackers' second and third attempts refused, want all 40", refused)
	}
	// An address that has not tried the account lately gets its attempt at once.
	expect(t, a.do(loginReq("192.0.2.78:1", right)), http.StatusOK)
	a.clock.Advance(time.Minute) // the owner's address has its 3 requests a minute again
	expect(t, a.do(loginReq(owner, wrong)), http.StatusUnauthorized)
	r = a.do(loginReq(owner, right))
	expect(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.Header.Get("Retry-After") != "60" {
		t.Fatalf("Retry-After %q far past the ceiling, want the cap of 60", r.Header.Get("Retry-After"))
	}
	a.clock.Advance(time.Minute)
	expect(t, a.do(loginReq(owner, right)), http.StatusOK)
}

// TestWrongLoginsOverRealSockets drives the router over TCP with the client bound to 127.0.0.2
// (the attacker) and 127.0.0.3 (the owner), so that the address is the connection's own.
func TestWrongLoginsOverRealSockets(t *testing.T) {
	a := newApp(t, func(o *appOptions) { o.authRateLimit = 10 })
	_, _, phone := a.registerPhone("consumer")
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	clientFrom := func(ip string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 2 * time.Second}
		return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
	}
	post := func(c *http.Client, password string) (int, string) {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"phone": phone, "password": password})
		rq, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/api/v1/auth/login", strings.NewReader(string(body)))
		rq.Header.Set("Content-Type", "application/json")
		res, err := c.Do(rq)
		if err != nil {
			t.Skipf("cannot reach the server from a bound loopback address: %v", err)
		}
		defer res.Body.Close()
		var p struct{ Code string }
		_ = json.NewDecoder(res.Body).Decode(&p)
		return res.StatusCode, p.Code
	}
	attacker, owner := clientFrom("127.0.0.2"), clientFrom("127.0.0.3")
	for i := range 10 {
		if status, code := post(attacker, "wrong-password"); status != http.StatusUnauthorized {
			t.Fatalf("wrong login %d: %d %s", i+1, status, code)
		}
	}
	if status, code := post(attacker, "wrong-password"); status != http.StatusTooManyRequests || code != "rate_limited" {
		t.Fatalf("eleventh wrong login: %d %s, want 429 rate_limited", status, code)
	}
	if status, code := post(owner, "password-123"); status != http.StatusOK {
		t.Fatalf("the owner's login from another address: %d %s, want 200", status, code)
	}
}

// TestIPv6NetworkSharesItsBudget: the addresses of one IPv6 /64 are one client to the
// failure budgets, so rotating through them buys nothing; another /64 is another client.
func TestIPv6NetworkSharesItsBudget(t *testing.T) {
	a := newApp(t, func(o *appOptions) { o.authRateLimit = 10 })
	_, _, phone := a.registerPhone("consumer")
	wrong := map[string]string{"phone": phone, "password": "x"}
	for i := range 10 {
		expect(t, a.do(loginReq("[2001:db8:1:2::"+strconv.Itoa(i+1)+"]:1", wrong)), http.StatusUnauthorized)
	}
	expect(t, a.do(loginReq("[2001:db8:1:2:ffff::1]:1", wrong)), http.StatusTooManyRequests, "rate_limited")
	expect(t, a.do(loginReq("[2001:db8:1:3::1]:1", map[string]string{"phone": phone, "password": "password-123"})), http.StatusOK)
}
