package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
)

func TestRateLimits(t *testing.T) {
	probe := newApp(t)
	for _, impl := range testkit.KVStores(t, probe.st, probe.clock.Now) {
		if impl.Name != "memory" && impl.Name != "redis" {
			continue // rate limits run on memory or Redis only
		}
		t.Run(impl.Name, func(t *testing.T) {
			// The Redis store keeps real time for expiry, so the windows are keyed by the real clock.
			store := impl.Store
			a := newApp(t, func(o *appOptions) { o.rateLimit = 3; o.authRateLimit = 2; o.limits = store })
			if impl.Name == "memory" {
				mem := kv.NewMemory(a.clock.Now)
				a = newApp(t, func(o *appOptions) { o.rateLimit = 3; o.authRateLimit = 2; o.limits = mem })
			}
			admin := a.adminToken() // one login from 192.0.2.1 (httptest's default address)
			for i := 1; i <= 3; i++ {
				r := a.do(req{method: "GET", path: "/api/v1/me", token: admin})
				expect(t, r, http.StatusOK)
				if r.Header.Get("RateLimit-Limit") != "3" || r.Header.Get("RateLimit-Remaining") != strconv.Itoa(3-i) || r.Header.Get("RateLimit-Reset") == "" {
					t.Fatalf("request %d: headers %v", i, r.Header)
				}
			}
			r := a.do(req{method: "GET", path: "/api/v1/me", token: admin})
			expect(t, r, http.StatusTooManyRequests, "rate_limited")
			retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
			if err != nil || retry < 1 || retry > 60 || r.Header.Get("RateLimit-Remaining") != "0" {
				t.Fatalf("429 headers: %v", r.Header)
			}
			// Another person has a budget of their own.
			body := map[string]any{"role": "consumer", "phone": "13600000001", "password": "password-123", "real_name": "张三"}
			m := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: body, remoteAddr: "198.51.100.7:1234"}), http.StatusCreated)
			expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: m["access_token"].(string)}), http.StatusOK)

			// Login: per client IP ...
			login := map[string]string{"phone": "13600000001", "password": "wrong-password"}
			expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: login, remoteAddr: "198.51.100.7:1234"}), http.StatusUnauthorized)
			r = a.do(req{method: "POST", path: "/api/v1/auth/login", body: login, remoteAddr: "198.51.100.7:1234"})
			expect(t, r, http.StatusTooManyRequests, "rate_limited")
			if r.Header.Get("Retry-After") == "" {
				t.Fatal("no Retry-After")
			}
			// ... a forged X-Forwarded-For buys nothing ...
			expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: login, remoteAddr: "198.51.100.7:1234",
				header: map[string]string{"X-Forwarded-For": "203.0.113.9"}}), http.StatusTooManyRequests)
			// ... but wrong passwords for a phone from other addresses refuse nobody else: they
			// count per account and address (see login_limits_test.go).
			login2 := map[string]string{"phone": "13600000002", "password": "wrong-password"}
			for _, ip := range []string{"203.0.113.1:1", "203.0.113.2:1", "203.0.113.3:1"} {
				expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: login2, remoteAddr: ip}), http.StatusUnauthorized)
			}
			// From one address, an e-mail's failures are the account's, however it is spelled
			// (a minute apart, so that the per-IP budget is not what refuses).
			for _, email := range []string{"mod@example.com", "MOD@Example.com"} {
				expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": email, "password": "x"},
					remoteAddr: "203.0.113.10:1"}), http.StatusUnauthorized)
				a.clock.Advance(time.Minute)
			}
			r = a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": " Mod@EXAMPLE.com", "password": "x"},
				remoteAddr: "203.0.113.10:1"})
			if expect(t, r, http.StatusTooManyRequests, "rate_limited"); !strings.Contains(r.String(), "failed logins") {
				t.Fatalf("refused by another budget: %s", r.Body)
			}
			// Register is limited per phone too, with or without +86.
			reg := map[string]any{"role": "consumer", "phone": "+8613600000009", "password": "short", "real_name": "x"}
			expect(t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: reg, remoteAddr: "203.0.113.30:1"}), http.StatusUnprocessableEntity)
			reg["phone"] = "13600000009"
			expect(t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: reg, remoteAddr: "203.0.113.31:1"}), http.StatusUnprocessableEntity)
			expect(t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: reg, remoteAddr: "203.0.113.32:1"}), http.StatusTooManyRequests)

			if impl.Name == "memory" {
				// The next window gives the budget back.
				a.clock.Advance(time.Minute)
				expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: admin}), http.StatusOK)
			}
		})
	}
}

func TestOpsEndpoints(t *testing.T) {
	a := newApp(t)
	expect(t, a.do(req{method: "GET", path: "/healthz"}), http.StatusOK)
	ready := expect(t, a.do(req{method: "GET", path: "/readyz"}), http.StatusOK)
	if ready["checks"].(map[string]any)["database"] != "ok" {
		t.Fatalf("readyz: %v", ready)
	}
	_ = a.st.Close()
	r := a.do(req{method: "GET", path: "/readyz", raw: true})
	if r.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database closed: %d", r.Code)
	}

	b := newApp(t)
	expect(t, b.do(req{method: "GET", path: "/api/v1/platforms"}), http.StatusOK)
	expect(t, b.do(req{method: "GET", path: "/api/v1/nope"}), http.StatusNotFound, "route_not_found")
	expect(t, b.do(req{method: "DELETE", path: "/api/v1/platforms"}), http.StatusMethodNotAllowed, "method_not_allowed")
	metrics := b.do(req{method: "GET", path: "/metrics"})
	text := string(metrics.Body)
	for _, want := range []string{`dsb_http_requests_total{method="GET",route="/api/v1/platforms",status="200"} 1`,
		`dsb_http_request_duration_seconds_bucket{method="GET",route="/api/v1/platforms",status="200"`,
		`route="unmatched",status="404"`} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	r = b.do(req{method: "GET", path: "/healthz", header: map[string]string{"X-Request-ID": "client-chosen-42"}})
	if r.Header.Get("X-Request-ID") != "client-chosen-42" {
		t.Fatalf("request id not echoed: %v", r.Header)
	}
	r = b.do(req{method: "GET", path: "/api/v1/nope", header: map[string]string{"X-Request-ID": "trace-7"}})
	if r.JSON(t)["request_id"] != "trace-7" {
		t.Fatalf("problem without the request id: %s", r.Body)
	}
	if !strings.Contains(b.logs.String(), `"request_id":"trace-7"`) {
		t.Fatal("logs lack the request id")
	}
	sw := b.do(req{method: "GET", path: "/swagger/index.html"})
	if sw.Code != http.StatusOK || !strings.Contains(string(sw.Body), "swagger") {
		t.Fatalf("swagger UI: %d", sw.Code)
	}
	doc := b.do(req{method: "GET", path: "/swagger/doc.json", raw: true})
	if doc.Code != http.StatusOK || !strings.Contains(string(doc.Body), "/api/v1/admin/platforms/{id}/api-keys") {
		t.Fatalf("swagger document: %d", doc.Code)
	}
}
