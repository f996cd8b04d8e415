package api_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestFeedOutOfRangeTimeIs422: RFC 3339 accepts an offset that moves the instant out of
// years 1–9999 once converted to UTC; the MySQL driver refuses such a time and the request is a 500.
func TestFeedOutOfRangeTimeIs422(t *testing.T) {
	w := newWorld(t)
	for _, since := range []string{"0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00"} {
		r := w.do(req{method: "GET", path: "/api/v1/platform/complaints?updated_since=" + url.QueryEscape(since), token: w.key})
		if r.Code >= 500 {
			t.Fatalf("updated_since=%s answered %d: %s", since, r.Code, r.Body)
		}
		_ = http.StatusOK
	}
}

// TestPlatformCreateIsIdempotent: POST /admin/platforms takes Idempotency-Key, but
// Platforms.Create writes outside command(): no record, so the retry of a lost 201 is a 409.
func TestPlatformCreateIsIdempotent(t *testing.T) {
	w := newWorld(t)
	body := map[string]any{"name": "复购网", "slug": "fugou", "sector": "digital_retail", "onboarded": true}
	h := map[string]string{"Idempotency-Key": "create-fugou-1"}
	first := w.do(req{method: "POST", path: "/api/v1/admin/platforms", token: w.admin, body: body, header: h})
	if first.Code != http.StatusCreated {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	again := w.do(req{method: "POST", path: "/api/v1/admin/platforms", token: w.admin, body: body, header: h})
	if again.Code != http.StatusCreated || string(again.Body) != string(first.Body) {
		t.Fatalf("retry with the same key and body: %d %s (first: %d)", again.Code, again.Body, first.Code)
	}
}
