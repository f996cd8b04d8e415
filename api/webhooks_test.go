package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
	"github.com/dianshubao/dianshubao/webhooks"
)

// receiver is a webhook endpoint under test: it records every request and answers with what
// the test tells it to.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests []received
	answer   func(r *http.Request) (int, http.Header)
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{answer: func(*http.Request) (int, http.Header) { return http.StatusOK, nil }}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.requests = append(rc.requests, received{header: r.Header.Clone(), body: body})
		answer := rc.answer
		rc.mu.Unlock()
		status, h := answer(r)
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.requests...)
}

func (rc *receiver) setAnswer(f func(r *http.Request) (int, http.Header)) {
	rc.mu.Lock()
	rc.answer = f
	rc.mu.Unlock()
}

func (w *world) endpoint(key, url string, types ...string) (id, secret string) {
	w.t.Helper()
	if types == nil {
		types = []string{}
	}
	m := expect(w.t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints", token: key,
		body: map[string]any{"url": url, "event_types": types, "description": "测试"}}), http.StatusCreated)
	return m["id"].(string), m["secret"].(string)
}

// testPolicy lets webhooks reach httptest receivers on 127.0.0.1.
var testPolicy = webhooks.URLPolicy{AllowPrivate: true, AllowInsecure: true}

// dispatch runs the work queue until nothing is due.
func (w *world) dispatch() {
	w.t.Helper()
	for {
		n, err := w.disp.RunOnce(context.Background())
		if err != nil {
			w.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func (w *world) attempts(key string, query string) []map[string]any {
	w.t.Helper()
	m := expect(w.t, w.do(req{method: "GET", path: "/api/v1/platform/webhook-deliveries?limit=100&" + query, token: key}), http.StatusOK)
	var out []map[string]any
	for _, it := range m["data"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func eventOf(t *testing.T, r received) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("webhook body: %v", err)
	}
	return m
}

func TestWebhookEndpoints(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	created := expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints", token: w.key,
		body: map[string]any{"url": rc.URL + "/hook", "event_types": []string{"complaint.delivered"}}}), http.StatusCreated)
	id, secret := created["id"].(string), created["secret"].(string)
	if !strings.HasPrefix(secret, "whsec_") || created["enabled"] != true || created["disabled_reason"] != nil {
		t.Fatalf("created: %v", created)
	}
	if b, err := webhooks.DecodeSecret(secret); err != nil || len(b) < 24 {
		t.Fatalf("secret holds %d bytes: %v", len(b), err)
	}
	got := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/webhook-endpoints/" + id, token: w.key}), http.StatusOK)
	list := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/webhook-endpoints", token: w.key}), http.StatusOK)
	for _, v := range []map[string]any{got, list["data"].([]any)[0].(map[string]any)} {
		if _, has := v["secret"]; has {
			t.Fatal("the secret is shown again")
		}
	}
	for name, body := range map[string]map[string]any{
		"unknown type": {"url": rc.URL, "event_types": []string{"complaint.eaten"}},
		"no url":       {"event_types": []string{}},
		"relative":     {"url": "/hook"},
		"ftp":          {"url": "ftp://example.com/hook"},
	} {
		m := expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints", token: w.key, body: body}), http.StatusUnprocessableEntity)
		if !strings.Contains(fmt.Sprint(m["errors"]), "url") && !strings.Contains(fmt.Sprint(m["errors"]), "event_types") {
			t.Errorf("%s: %v", name, m["errors"])
		}
	}
	upd := expect(t, w.do(req{method: "PATCH", path: "/api/v1/platform/webhook-endpoints/" + id, token: w.key,
		body: map[string]any{"event_types": []string{}, "enabled": false, "description": "改"}}), http.StatusOK)
	if upd["enabled"] != false || len(upd["event_types"].([]any)) != 0 || upd["description"] != "改" {
		t.Fatalf("updated: %v", upd)
	}
	rot := expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints/" + id + "/rotate-secret", token: w.key}), http.StatusOK)
	if rot["secret"] == secret || !strings.HasPrefix(rot["secret"].(string), "whsec_") {
		t.Fatal("rotation kept the secret")
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints/" + id + "/test", token: w.key}), http.StatusConflict, "endpoint_disabled")

	// Another platform sees none of it.
	otherKey, _ := w.issueKey(w.admin, w.createPlatform(w.admin, "jd", nil)["id"].(string))
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/webhook-endpoints/" + id, token: otherKey}), http.StatusNotFound)
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/platform/webhook-endpoints/" + id, token: otherKey, body: map[string]any{"enabled": true}}), http.StatusNotFound)
	expect(t, w.do(req{method: "DELETE", path: "/api/v1/platform/webhook-endpoints/" + id, token: otherKey}), http.StatusNotFound)
	expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints/" + id + "/rotate-secret", token: otherKey}), http.StatusNotFound)
	if n := len(expect(t, w.do(req{method: "GET", path: "/api/v1/platform/webhook-endpoints", token: otherKey}), http.StatusOK)["data"].([]any)); n != 0 {
		t.Fatalf("another platform lists %d endpoints", n)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/webhook-endpoints", token: w.consumer}), http.StatusForbidden)

	r := w.do(req{method: "DELETE", path: "/api/v1/platform/webhook-endpoints/" + id, token: w.key, raw: true})
	if r.Code != http.StatusNoContent {
		t.Fatalf("delete: %d", r.Code)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/webhook-endpoints/" + id, token: w.key}), http.StatusNotFound)
}

func TestWebhookURLGuard(t *testing.T) {
	a := newApp(t, func(o *appOptions) { o.strictWebhooks = true })
	admin := a.adminToken()
	key, _ := a.issueKey(admin, a.createPlatform(admin, "taobao", nil)["id"].(string))
	for _, url := range []string{
		"http://93.184.215.14/hook",        // plain http
		"https://127.0.0.1/hook",           // loopback
		"https://[::1]/hook",               // loopback v6
		"https://10.1.2.3/hook",            // private
		"https://172.16.0.1/hook",          // private
		"https://192.168.1.1/hook",         // private
		"https://169.254.169.254/latest",   // link-local (cloud metadata)
		"https://[fe80::1]/hook",           // link-local v6
		"https://224.0.0.1/hook",           // multicast
		"https://0.0.0.0/hook",             // unspecified
		"https://100.64.0.1/hook",          // carrier-grade NAT
		"https://[::ffff:10.0.0.1]/hook",   // private, IPv4-mapped
		"https://localhost/hook",           // a name for loopback
		"https://user:pw@example.com/hook", // credentials
	} {
		m := expect(t, a.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints", token: key,
			body: map[string]any{"url": url, "event_types": []string{}}}), http.StatusUnprocessableEntity, "validation_failed")
		if !strings.Contains(fmt.Sprint(m["errors"]), "url") {
			t.Errorf("%s: %v", url, m["errors"])
		}
	}
	// A public address passes the guard.
	expect(t, a.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints", token: key,
		body: map[string]any{"url": "https://93.184.215.14/hook", "event_types": []string{}}}), http.StatusCreated)
}

func TestWebhookDeliveredAndVerified(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	_, secret := w.endpoint(w.key, rc.URL+"/hook")
	id := w.file(w.consumer, nil)["id"].(string)
	if len(rc.got()) != 0 {
		t.Fatal("sent before review")
	}
	w.accept(id)
	w.dispatch()
	got := rc.got()
	if len(got) != 1 {
		t.Fatalf("%d requests, want 1", len(got))
	}
	r := got[0]
	if err := webhooks.VerifyAt(secret, r.header, r.body, w.clock.Now()); err != nil {
		t.Fatalf("signature: %v", err)
	}
	ev := eventOf(t, r)
	c := ev["data"].(map[string]any)["complaint"].(map[string]any)
	if ev["type"] != "complaint.delivered" || r.header.Get("webhook-id") != ev["id"] || !strings.HasPrefix(ev["id"].(string), "evt_") ||
		c["id"] != id || c["status"] != "delivered" || c["contact_phone"] != "13800138000" || c["version"] == nil || c["updated_at"] == nil {
		t.Fatalf("event: %v", ev)
	}
	if _, has := c["flags"]; has {
		t.Fatal("the platform's payload shows staff flags")
	}
	log := w.attempts(w.key, "")
	if len(log) != 1 || log[0]["state"] != "succeeded" || log[0]["response_status"] != float64(200) || log[0]["attempt"] != float64(1) ||
		log[0]["trigger"] != "scheduled" || log[0]["event_type"] != "complaint.delivered" || log[0]["response_body"] != `{"ok":true}` {
		t.Fatalf("delivery log: %v", log)
	}

	// The rest of the lifecycle: reply (no event), supplement, rating (rated + completed).
	w.reply(w.key, id, "已处理")
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer, body: map[string]any{"text": "补充说明"}}), http.StatusOK)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: w.consumer, body: map[string]any{"score": 7}}), http.StatusOK)
	w.dispatch()
	// No ordering promise: the payload's version tells receivers which state is newer.
	version := map[string]float64{}
	for _, r := range rc.got()[1:] {
		ev := eventOf(t, r)
		version[ev["type"].(string)] = ev["data"].(map[string]any)["complaint"].(map[string]any)["version"].(float64)
	}
	if len(version) != 3 || version["complaint.supplemented"] == 0 || version["complaint.rated"] == 0 || version["complaint.completed"] == 0 {
		t.Fatalf("event types: %v", version)
	}
	if !(version["complaint.supplemented"] < version["complaint.rated"] && version["complaint.rated"] <= version["complaint.completed"]) {
		t.Fatalf("versions do not grow with the changes: %v", version)
	}

	// The test event.
	epID := w.attempts(w.key, "")[0]["endpoint_id"].(string)
	test := expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints/" + epID + "/test", token: w.key}), http.StatusAccepted)
	w.dispatch()
	last := rc.got()[len(rc.got())-1]
	if eventOf(t, last)["type"] != "webhook.test" || last.header.Get("webhook-id") != test["event_id"] {
		t.Fatalf("test event: %s", last.body)
	}
}

func TestWebhookWithdrawnOnlyIfDelivered(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	w.endpoint(w.key, rc.URL)
	before := w.file(w.consumer, map[string]any{"order_no": "A"})["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + before + "/withdraw", token: w.consumer, body: map[string]any{"reason": "不需要了"}}), http.StatusOK)
	after := w.file(w.consumer, map[string]any{"order_no": "B"})["id"].(string)
	w.accept(after)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + after + "/withdraw", token: w.consumer, body: map[string]any{"reason": "已解决"}}), http.StatusOK)
	w.dispatch()
	types := map[string]string{}
	for _, r := range rc.got() {
		ev := eventOf(t, r)
		types[ev["type"].(string)] = ev["data"].(map[string]any)["complaint"].(map[string]any)["id"].(string)
	}
	if len(rc.got()) != 2 || types["complaint.delivered"] != after || types["complaint.withdrawn"] != after {
		t.Fatalf("events: %v", types)
	}
}

func TestWebhookRetrySchedule(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	rc.setAnswer(func(*http.Request) (int, http.Header) { return http.StatusInternalServerError, nil })
	w.endpoint(w.key, rc.URL)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	w.dispatch()
	schedule := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	for i, delay := range schedule {
		log := w.attempts(w.key, "")
		if len(log) != i+1 || log[0]["state"] != "retrying" {
			t.Fatalf("after attempt %d: %v", i+1, log[0])
		}
		due, _ := time.Parse(time.RFC3339, log[0]["next_attempt_at"].(string))
		if want := w.clock.Now().Add(delay); !due.Equal(want) {
			t.Fatalf("attempt %d: next at %v, want %v", i+2, due, want)
		}
		// Not a moment early.
		w.clock.Advance(delay - time.Second)
		w.dispatch()
		if n := len(rc.got()); n != i+1 {
			t.Fatalf("attempt %d sent early (%d requests)", i+2, n)
		}
		w.clock.Advance(time.Second)
		w.dispatch()
		if n := len(rc.got()); n != i+2 {
			t.Fatalf("attempt %d not sent when due (%d requests)", i+2, n)
		}
	}
	log := w.attempts(w.key, "")
	if len(log) != 8 || log[0]["state"] != "failed" || log[0]["next_attempt_at"] != nil || log[0]["attempt"] != float64(8) {
		t.Fatalf("after the last attempt: %v", log[0])
	}
	ids := map[string]bool{}
	for _, r := range rc.got() {
		ids[r.header.Get("webhook-id")] = true
	}
	if len(ids) != 1 {
		t.Fatalf("retries used %d webhook-ids, want the same one", len(ids))
	}
	if n := len(w.attempts(w.key, "state=failed")); n != 1 {
		t.Fatalf("state filter: %d", n)
	}

	// Redelivery of the failed event, now that the receiver is healthy.
	rc.setAnswer(func(*http.Request) (int, http.Header) { return http.StatusNoContent, nil })
	evID := log[0]["event_id"].(string)
	rd := expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-events/" + evID + "/redeliver", token: w.key}), http.StatusAccepted)
	if rd["deliveries"] != float64(1) {
		t.Fatalf("redeliver: %v", rd)
	}
	w.dispatch()
	log = w.attempts(w.key, "event_id="+evID)
	if log[0]["state"] != "succeeded" || log[0]["trigger"] != "manual" || log[0]["attempt"] != float64(1) {
		t.Fatalf("redelivered: %v", log[0])
	}
	if got := rc.got(); got[len(got)-1].header.Get("webhook-id") != evID {
		t.Fatal("a redelivery has another webhook-id")
	}
}

func TestWebhookRetryAfterAndGone(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	rc.setAnswer(func(*http.Request) (int, http.Header) {
		return http.StatusTooManyRequests, http.Header{"Retry-After": []string{"120"}}
	})
	epID, _ := w.endpoint(w.key, rc.URL)
	w.accept(w.file(w.consumer, nil)["id"].(string))
	w.dispatch()
	log := w.attempts(w.key, "")
	due, _ := time.Parse(time.RFC3339, log[0]["next_attempt_at"].(string))
	if want := w.clock.Now().Add(120 * time.Second); !due.Equal(want) {
		t.Fatalf("429 with Retry-After 120: next at %v, want %v", due, want)
	}
	rc.setAnswer(func(*http.Request) (int, http.Header) {
		return http.StatusServiceUnavailable, http.Header{"Retry-After": []string{"600"}}
	})
	w.clock.Advance(120 * time.Second)
	w.dispatch()
	log = w.attempts(w.key, "")
	due, _ = time.Parse(time.RFC3339, log[0]["next_attempt_at"].(string))
	if want := w.clock.Now().Add(600 * time.Second); log[0]["response_status"] != float64(503) || !due.Equal(want) {
		t.Fatalf("503 with Retry-After 600: %v", log[0])
	}

	// 410 Gone disables the endpoint and ends the delivery.
	rc.setAnswer(func(*http.Request) (int, http.Header) { return http.StatusGone, nil })
	w.clock.Advance(600 * time.Second)
	w.dispatch()
	ep := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/webhook-endpoints/" + epID, token: w.key}), http.StatusOK)
	if ep["enabled"] != false || !strings.Contains(fmt.Sprint(ep["disabled_reason"]), "410") {
		t.Fatalf("after 410: %v", ep)
	}
	if log = w.attempts(w.key, ""); log[0]["state"] != "failed" {
		t.Fatalf("after 410: %v", log[0])
	}
	// New events skip a disabled endpoint; re-enabling brings it back.
	n := len(rc.got())
	w.consumer = w.login(w.consumerPhone)
	w.admin = w.adminToken()
	w.accept(w.file(w.consumer, map[string]any{"order_no": "X2"})["id"].(string))
	w.dispatch()
	if len(rc.got()) != n {
		t.Fatal("a disabled endpoint was sent to")
	}
	ep = expect(t, w.do(req{method: "PATCH", path: "/api/v1/platform/webhook-endpoints/" + epID, token: w.key, body: map[string]any{"enabled": true}}), http.StatusOK)
	if ep["enabled"] != true || ep["disabled_reason"] != nil {
		t.Fatalf("re-enabled: %v", ep)
	}
}

func TestWebhookDisabledAfterFiveDaysOfFailures(t *testing.T) {
	// The events come from supplements to one complaint, more than the default limit allows.
	w := newWorldWith(t, func(o *appOptions) { o.maxima.SupplementsPerComplaint = 30 })
	rc := newReceiver(t)
	rc.setAnswer(func(*http.Request) (int, http.Header) { return http.StatusBadGateway, nil })
	epID, _ := w.endpoint(w.key, rc.URL)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	w.dispatch()
	// A new event every 12 hours keeps the endpoint busy; every attempt fails.
	for day := 0; day < 12; day++ {
		w.advance(12 * time.Hour)
		expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
			body: map[string]any{"text": fmt.Sprintf("第%d次补充", day)}}), http.StatusOK)
		w.dispatch()
	}
	ep := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/webhook-endpoints/" + epID, token: w.key}), http.StatusOK)
	if ep["enabled"] != false || !strings.Contains(fmt.Sprint(ep["disabled_reason"]), "5 days") {
		t.Fatalf("after 6 days of failures: %v", ep)
	}
	// Four days of failures followed by a success keep it enabled: covered by the reset on
	// success (FailingSince cleared), checked here on a second endpoint.
	rc2 := newReceiver(t)
	rc2.setAnswer(func(*http.Request) (int, http.Header) { return http.StatusBadGateway, nil })
	ep2, _ := w.endpoint(w.key, rc2.URL)
	for i := 0; i < 8; i++ {
		w.advance(12 * time.Hour)
		if i == 7 {
			rc2.setAnswer(func(*http.Request) (int, http.Header) { return http.StatusOK, nil })
		}
		expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
			body: map[string]any{"text": fmt.Sprintf("再补充%d", i)}}), http.StatusOK)
		w.dispatch()
	}
	for i := 0; i < 4; i++ {
		w.advance(24 * time.Hour)
		expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
			body: map[string]any{"text": fmt.Sprintf("又补充%d", i)}}), http.StatusOK)
		w.dispatch()
	}
	if e := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/webhook-endpoints/" + ep2, token: w.key}), http.StatusOK); e["enabled"] != true {
		t.Fatalf("an endpoint that recovered was disabled: %v", e)
	}
}

func TestWebhookSecretRotation(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	epID, oldSecret := w.endpoint(w.key, rc.URL)
	rot := expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints/" + epID + "/rotate-secret", token: w.key}), http.StatusOK)
	newSecret := rot["secret"].(string)
	w.accept(w.file(w.consumer, nil)["id"].(string))
	w.dispatch()
	r := rc.got()[0]
	if sigs := strings.Fields(r.header.Get("webhook-signature")); len(sigs) != 2 {
		t.Fatalf("during rotation: %d signatures", len(sigs))
	}
	for _, s := range []string{oldSecret, newSecret} {
		if err := webhooks.VerifyAt(s, r.header, r.body, w.clock.Now()); err != nil {
			t.Fatalf("secret does not verify during rotation: %v", err)
		}
	}
	// After 24 h only the new secret signs.
	w.advance(24*time.Hour + time.Second)
	w.accept(w.file(w.consumer, map[string]any{"order_no": "R2"})["id"].(string))
	w.dispatch()
	r = rc.got()[1]
	if err := webhooks.VerifyAt(oldSecret, r.header, r.body, w.clock.Now()); err == nil {
		t.Fatal("the old secret still verifies after 24 h")
	}
	if err := webhooks.VerifyAt(newSecret, r.header, r.body, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookEventTypeFilterAndIsolation(t *testing.T) {
	w := newWorld(t)
	all, ratedOnly := newReceiver(t), newReceiver(t)
	w.endpoint(w.key, all.URL)
	w.endpoint(w.key, ratedOnly.URL, "complaint.rated")
	otherPID := w.createPlatform(w.admin, "jd", map[string]any{"onboarded": true})["id"].(string)
	otherKey, _ := w.issueKey(w.admin, otherPID)
	other := newReceiver(t)
	w.endpoint(otherKey, other.URL)

	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	w.dispatch()
	if len(all.got()) != 1 || len(ratedOnly.got()) != 0 || len(other.got()) != 0 {
		t.Fatalf("delivered: all %d, rated-only %d, other platform %d", len(all.got()), len(ratedOnly.got()), len(other.got()))
	}
	w.reply(w.key, id, "ok")
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: w.consumer, body: map[string]any{"score": 10}}), http.StatusOK)
	w.dispatch()
	if len(ratedOnly.got()) != 1 || eventOf(t, ratedOnly.got()[0])["type"] != "complaint.rated" {
		t.Fatalf("rated-only endpoint got %d", len(ratedOnly.got()))
	}
	// The delivery log and the events are the owner's alone.
	if n := len(w.attempts(otherKey, "")); n != 0 {
		t.Fatalf("another platform sees %d attempts", n)
	}
	evID := w.attempts(w.key, "")[0]["event_id"].(string)
	if n := len(w.attempts(otherKey, "event_id="+evID)); n != 0 {
		t.Fatal("another platform sees the event's attempts")
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-events/" + evID + "/redeliver", token: otherKey}), http.StatusNotFound)
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/webhook-deliveries?state=lost", token: w.key}), http.StatusUnprocessableEntity)
}

// TestWebhookNothingLostWhenADispatcherDies abandons a dispatcher after it claimed a batch: a
// fresh dispatcher delivers every event once the dead one's lease expires.
func TestWebhookNothingLostWhenADispatcherDies(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	w.endpoint(w.key, rc.URL)
	for i := range 30 {
		w.accept(w.file(w.consumer, map[string]any{"order_no": fmt.Sprintf("C%d", i)})["id"].(string))
	}
	// The doomed instance claims everything and dies before sending or recording anything.
	now := w.clock.Now()
	claimed, err := w.st.ClaimJobs(context.Background(), "doomed", now, now.Add(45*time.Second), 100)
	deliveries := 0
	for _, j := range claimed {
		if j.Kind == models.JobWebhookDelivery {
			deliveries++
		}
	}
	if err != nil || deliveries != 30 {
		t.Fatalf("claimed %d deliveries: %v", deliveries, err)
	}
	fresh := newRunner(w.st, runnerOptions{policy: testPolicy, clock: w.clock, instance: "fresh"})
	if n, _ := fresh.RunOnce(context.Background()); n != 0 {
		t.Fatalf("took over %d live leases", n)
	}
	w.clock.Advance(46 * time.Second)
	for {
		n, err := fresh.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	seen := map[string]bool{}
	for _, r := range rc.got() {
		seen[r.header.Get("webhook-id")] = true
	}
	if len(seen) != 30 {
		t.Fatalf("%d of 30 events delivered after the crash", len(seen))
	}
}

// TestWebhookTwoDispatchersNeverSendTogether runs two dispatchers on one database against a slow
// receiver and checks that no delivery is ever in flight twice, and that each is sent once.
func TestWebhookTwoDispatchersNeverSendTogether(t *testing.T) {
	w := newWorld(t)
	var inFlight sync.Map
	var concurrent, total atomic.Int64
	rc := newReceiver(t)
	rc.setAnswer(func(r *http.Request) (int, http.Header) {
		id := r.Header.Get("webhook-id")
		if _, busy := inFlight.LoadOrStore(id, true); busy {
			concurrent.Add(1)
		}
		time.Sleep(2 * time.Millisecond)
		inFlight.Delete(id)
		total.Add(1)
		return http.StatusOK, nil
	})
	w.endpoint(w.key, rc.URL)
	const events = 60
	for i := range events {
		w.accept(w.file(w.consumer, map[string]any{"order_no": fmt.Sprintf("D%d", i)})["id"].(string))
	}
	mk := func(instance string) *queue.Runner {
		return newRunner(w.st, runnerOptions{schedule: []time.Duration{0, time.Second}, policy: testPolicy, clock: w.clock,
			instance: instance, workers: 4})
	}
	var wg sync.WaitGroup
	for _, d := range []*queue.Runner{mk("one"), mk("two")} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := d.RunOnce(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	if concurrent.Load() != 0 {
		t.Fatalf("%d deliveries were in flight twice at once", concurrent.Load())
	}
	if total.Load() != events {
		t.Fatalf("%d requests for %d events", total.Load(), events)
	}
	var pending int64
	w.st.DB().Model(&models.Job{}).Where("kind = ? AND state <> ?", models.JobWebhookDelivery, models.JobCompleted).Count(&pending)
	if pending != 0 {
		t.Fatalf("%d deliveries not succeeded", pending)
	}
}

// waitFor polls cond for up to 10 s; the sweep of the dispatchers under test is an hour, so only
// the wake-up signal can make it true in time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testkit.WaitFor(t, 10*time.Second, what, cond)
}

func TestWebhookWakeUpInProcess(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	w.endpoint(w.key, rc.URL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.disp.Run(ctx) }()
	defer func() { cancel(); <-done }()
	time.Sleep(20 * time.Millisecond) // let the lanes finish their first, empty sweep
	w.accept(w.file(w.consumer, nil)["id"].(string))
	waitFor(t, "delivery after commit", func() bool { return len(rc.got()) == 1 })
}

func TestWebhookWakeUpAcrossInstancesOverRedis(t *testing.T) {
	rd := testkit.Redis(t)
	if rd == nil {
		t.Skip("DSB_TEST_REDIS_URL not set")
	}
	// This instance only publishes; the other instance's dispatcher is subscribed.
	w := newWorldWith(t, func(o *appOptions) { o.waker = kv.Waker{Redis: rd, Channel: "webhooks:wake"} })
	rc := newReceiver(t)
	w.endpoint(w.key, rc.URL)
	other := newRunner(w.st, runnerOptions{schedule: []time.Duration{0}, policy: testPolicy, clock: w.clock, instance: "other-instance"})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); rd.Subscribe(ctx, "webhooks:wake", other.Wake) }()
	go func() { defer wg.Done(); other.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	time.Sleep(50 * time.Millisecond) // subscribed, first sweep done
	w.accept(w.file(w.consumer, nil)["id"].(string))
	waitFor(t, "delivery by the other instance", func() bool { return len(rc.got()) == 1 })
}

func TestWebhookMetrics(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	w.endpoint(w.key, rc.URL)
	reg := prometheus.NewRegistry()
	d := newRunner(w.st, runnerOptions{schedule: []time.Duration{0, time.Minute}, policy: testPolicy, clock: w.clock,
		instance: "metrics", registry: reg})
	w.accept(w.file(w.consumer, nil)["id"].(string))
	rc.setAnswer(func(*http.Request) (int, http.Header) { return http.StatusInternalServerError, nil })
	w.accept(w.file(w.consumer, map[string]any{"order_no": "M2"})["id"].(string))
	// Two deliveries due; the receiver fails both: both retrying.
	if _, err := d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }() // the gauges are refreshed by Run
	waitFor(t, "queue gauges", func() bool {
		mfs, _ := reg.Gather()
		for _, mf := range mfs {
			if mf.GetName() == "dsb_webhook_queue_depth" && mf.GetMetric()[0].GetGauge().GetValue() == 2 {
				return true
			}
		}
		return false
	})
	cancel()
	<-done
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch mf.GetName() {
			case "dsb_webhook_attempts_total":
				found["attempts_"+m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
			case "dsb_webhook_attempt_duration_seconds":
				found["latency_count"] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	if found["attempts_retrying"] != 2 || found["latency_count"] != 2 {
		t.Fatalf("metrics: %v", found)
	}
}
