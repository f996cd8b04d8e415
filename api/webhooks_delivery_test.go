package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dianshubao/dianshubao/webhooks"
)

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
