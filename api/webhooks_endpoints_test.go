package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/webhooks"
)

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
