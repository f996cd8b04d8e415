package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// storeThroughProxy opens the service's store on a fresh MariaDB database reached through a proxy.
func storeThroughProxy(t *testing.T) (*store.Store, *testkit.Proxy) {
	driver, dsn := testkit.StoreDSN(t)
	if driver != "mysql" {
		t.Skip("the database going away is tested on MariaDB: set DSB_TEST_MYSQL_DSN")
	}
	mc, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := testkit.StartProxy(t, mc.Addr)
	mc.Addr = proxy.Addr
	st, err := store.Open(context.Background(), "mysql", mc.FormatDSN(), store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st, proxy
}

// unavailable checks a 503 problem with Retry-After, answered in bounded time.
func unavailable(t *testing.T, what string, r *response, took time.Duration) {
	t.Helper()
	if took > 5*time.Second {
		t.Errorf("%s took %v while the database is down", what, took)
	}
	var p map[string]any
	_ = json.Unmarshal(r.Body, &p)
	if r.Code != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("%s while the database is down: %d (Retry-After %q) %s", what, r.Code, r.Header.Get("Retry-After"), r.Body)
	}
	if what != "readyz" && (p["code"] != "service_unavailable" || r.Header.Get("Content-Type") != "application/problem+json") {
		t.Fatalf("%s: not a service_unavailable problem: %s", what, r.Body)
	}
}

// While the database is unreachable requests answer 503 quickly and /readyz says so; when it
// returns everything resumes, and every complaint acknowledged exists exactly once.
func TestDatabaseGoesAwayAndComesBack(t *testing.T) {
	st, proxy := storeThroughProxy(t)
	w := newWorldWith(t, func(o *appOptions) { o.store = st })
	filed := map[string]int{} // order_no → 201s
	fileOne := func(orderNo, key string) *response {
		r := w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, raw: true,
			header: map[string]string{"Idempotency-Key": key}, body: complaintBody(w.platformID, map[string]any{"order_no": orderNo})})
		if r.Code == http.StatusCreated {
			filed[orderNo]++
		}
		return r
	}
	for i := range 3 {
		if r := fileOne(fmt.Sprintf("UP-%d", i), fmt.Sprintf("up-%d", i)); r.Code != http.StatusCreated {
			t.Fatalf("filing before the outage: %d %s", r.Code, r.Body)
		}
	}
	w.clock.Advance(time.Minute)
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints", token: w.key}), http.StatusOK)

	proxy.Down()
	var failed []string
	for i := range 5 {
		start := time.Now()
		orderNo := fmt.Sprintf("DOWN-%d", i)
		r := fileOne(orderNo, "down-"+orderNo)
		unavailable(t, "filing", r, time.Since(start))
		failed = append(failed, orderNo)
	}
	for _, path := range []string{"/api/v1/platform/complaints", "/api/v1/platform/complaints?updated_since=2026-11-26T00:00:00Z"} {
		start := time.Now()
		r := w.do(req{method: "GET", path: path, token: w.key, raw: true})
		unavailable(t, path, r, time.Since(start))
	}
	start := time.Now()
	unavailable(t, "readyz", w.do(req{method: "GET", path: "/readyz", raw: true}), time.Since(start))

	proxy.Up()
	waitReady(t, w, "the database")
	// The client retries what got 503, with the same Idempotency-Key.
	for _, orderNo := range failed {
		r := fileOne(orderNo, "down-"+orderNo)
		if r.Code != http.StatusCreated {
			t.Fatalf("retry of %s after the outage: %d %s", orderNo, r.Code, r.Body)
		}
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints", token: w.key}), http.StatusOK)

	var rows []models.Complaint
	if err := st.DB().Select("order_no").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	inDB := map[string]int{}
	for _, c := range rows {
		inDB[*c.OrderNo]++
	}
	for orderNo, acks := range filed {
		if acks != 1 || inDB[orderNo] != 1 {
			t.Errorf("%s: acknowledged %d times, stored %d times", orderNo, acks, inDB[orderNo])
		}
	}
	if len(inDB) != len(filed) {
		t.Errorf("stored %v, acknowledged %v", inDB, filed)
	}
}

// Filings racing a database that drops every connection mid-flight: each gets 201 or 503 (never
// 500); the client retries every 503 with its Idempotency-Key once the database is back; then
// every complaint exists exactly once.
func TestDatabaseDropsMidFlight(t *testing.T) {
	st, proxy := storeThroughProxy(t)
	w := newWorldWith(t, func(o *appOptions) { o.store = st })
	type outcome struct {
		orderNo string
		code    int
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
		wg       sync.WaitGroup
	)
	stop := make(chan struct{})
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				orderNo := fmt.Sprintf("RACE-%d-%d", g, i)
				r := w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, raw: true,
					header: map[string]string{"Idempotency-Key": orderNo}, body: complaintBody(w.platformID, map[string]any{"order_no": orderNo})})
				mu.Lock()
				outcomes = append(outcomes, outcome{orderNo, r.Code})
				mu.Unlock()
				switch r.Code {
				case http.StatusCreated:
				case http.StatusServiceUnavailable:
					time.Sleep(50 * time.Millisecond) // a client backs off (less than Retry-After, to keep the test short)
				default:
					t.Errorf("%s during the outage: %d %s", orderNo, r.Code, r.Body)
				}
			}
		}()
	}
	for range 3 {
		time.Sleep(150 * time.Millisecond)
		proxy.Down()
		time.Sleep(150 * time.Millisecond)
		proxy.Up()
	}
	time.Sleep(150 * time.Millisecond)
	close(stop)
	wg.Wait()

	acked := map[string]bool{}
	for _, o := range outcomes {
		if o.code == http.StatusCreated {
			acked[o.orderNo] = true
		}
	}
	retried := 0
	for _, o := range outcomes {
		if o.code == http.StatusCreated {
			continue
		}
		retried++
		body := complaintBody(w.platformID, map[string]any{"order_no": o.orderNo})
		r := w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, raw: true,
			header: map[string]string{"Idempotency-Key": o.orderNo}, body: body})
		if r.Code == http.StatusConflict && r.JSON(t)["code"] == "idempotency_key_in_use" {
			// A key whose request died with the connection may stay claimed for a while; the
			// duplicate rule still keeps the retry from filing twice.
			r = w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, raw: true, body: body})
		}
		switch r.Code {
		case http.StatusCreated:
		case http.StatusConflict:
			// The first attempt committed but its answer was lost; the duplicate rule names it.
			if r.JSON(t)["existing_id"] == nil {
				t.Fatalf("retry of %s: 409 without existing_id: %s", o.orderNo, r.Body)
			}
		default:
			t.Fatalf("retry of %s: %d %s", o.orderNo, r.Code, r.Body)
		}
		acked[o.orderNo] = true
	}
	var rows []models.Complaint
	if err := st.DB().Select("order_no").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	inDB := map[string]int{}
	for _, c := range rows {
		inDB[*c.OrderNo]++
	}
	for orderNo := range acked {
		if inDB[orderNo] != 1 {
			t.Errorf("%s stored %d times", orderNo, inDB[orderNo])
		}
	}
	if len(inDB) != len(acked) {
		t.Errorf("%d complaints stored, %d acknowledged", len(inDB), len(acked))
	}
	t.Logf("%d filings, %d answered 503 and retried", len(outcomes), retried)
	if retried == 0 {
		t.Fatal("no filing met the outage; the test proved nothing")
	}
}

// With Redis (the rate limiter's counters) unreachable, requests still get through within
// seconds, /readyz says Redis is down, and the limits apply again once it is back.
func TestRedisGoesAwayAndComesBack(t *testing.T) {
	raw := os.Getenv("DSB_TEST_REDIS_URL")
	if raw == "" {
		t.Skip("Redis going away is tested on Redis: set DSB_TEST_REDIS_URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	proxy := testkit.StartProxy(t, u.Host)
	u.Host = proxy.Addr
	r, err := kv.NewRedis(t.Context(), u.String(), "dsbtest:outage:"+fmt.Sprint(time.Now().UnixNano())+":")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	w := newWorldWith(t, func(o *appOptions) {
		o.limits, o.rateLimit = r, 1000
		o.ready = map[string]func(context.Context) error{"redis": r.Ping}
	})
	ok := func(what string) {
		t.Helper()
		start := time.Now()
		res := w.do(req{method: "GET", path: "/api/v1/platform/complaints", token: w.key, raw: true})
		t.Logf("%s: %v", what, time.Since(start))
		if res.Code != http.StatusOK || time.Since(start) > 5*time.Second {
			t.Fatalf("%s: %d after %v: %s", what, res.Code, time.Since(start), res.Body)
		}
		if (res.Header.Get("RateLimit-Limit") != "") != (what != "down") {
			t.Fatalf("%s: RateLimit-Limit %q", what, res.Header.Get("RateLimit-Limit"))
		}
	}
	ok("before")
	proxy.Down()
	// A budget far from its limit is counted on the instance for up to 100 ms after its last
	// addition to Redis; past that every request asks Redis, which does not answer.
	w.clock.Advance(200 * time.Millisecond)
	for range 3 {
		ok("down")
	}
	start := time.Now()
	unavailable(t, "readyz", w.do(req{method: "GET", path: "/readyz", raw: true}), time.Since(start))
	proxy.Up()
	waitReady(t, w, "Redis")
	ok("after")
}

// waitReady waits up to 10 s for /readyz to answer 200 again once what came back.
func waitReady(t *testing.T, w *world, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for w.do(req{method: "GET", path: "/readyz", raw: true}).Code != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still failing 10 s after %s came back", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
