package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
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

// waitFor polls cond for up to 10 s; the sweep of the dispatchers under test is an hour, so only
// the wake-up signal can make it true in time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testkit.WaitFor(t, 10*time.Second, what, cond)
}
