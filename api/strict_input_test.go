package api_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestUnknownMembersAreRefused: a misspelt member is a 422 unknown_field naming it, on every
// JSON endpoint alike, and nothing is stored ({"onbaorded":true} used to create a platform that
// was not onboarded, with 201).
func TestUnknownMembersAreRefused(t *testing.T) {
	w := newWorld(t)
	ep := expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints", token: w.key,
		body: map[string]any{"url": "http://127.0.0.1:9/hook", "event_types": []string{}}}), http.StatusCreated)["id"].(string)
	cases := []struct {
		method, path, token, member string
		body                        map[string]any
	}{
		{"POST", "/api/v1/admin/platforms", w.admin, "onbaorded", map[string]any{"name": "京东", "slug": "jd", "sector": "digital_retail", "onbaorded": true}},
		{"PATCH", "/api/v1/admin/platforms/" + w.platformID, w.admin, "sectr", map[string]any{"sectr": "logistics"}},
		{"POST", "/api/v1/auth/register", "", "nickname", map[string]any{"role": "consumer", "phone": "13900000077", "password": "password-123", "real_name": "李四", "nickname": "x"}},
		{"POST", "/api/v1/complaints", w.consumer, "order_number", complaintBody(w.platformID, map[string]any{"order_number": "X1"})},
		{"PATCH", "/api/v1/platform/webhook-endpoints/" + ep, w.key, "enable", map[string]any{"enable": false}},
	}
	for _, tc := range cases {
		m := expect(t, w.do(req{method: tc.method, path: tc.path, token: tc.token, body: tc.body}), http.StatusUnprocessableEntity, "unknown_field")
		errs, _ := m["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["field"] != tc.member {
			t.Errorf("%s %s: errors %v, want the member %q named", tc.method, tc.path, m["errors"], tc.member)
		}
	}
	var platforms int64
	w.st.DB().Table("platforms").Count(&platforms)
	if platforms != 1 {
		t.Fatalf("%d platforms after the refused creation, want 1", platforms)
	}
}

// TestStrictBodies: invalid UTF-8 inside a string is a 400 (it used to be stored as U+FFFD);
// a body that is not an object, null on PATCH included, is a 422; a fraction where an integer
// belongs is a 422 "must be an integer".
func TestStrictBodies(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	w.reply(w.key, id, "您好，已为您办理退款。")
	badUTF8 := `{"content":"已退款` + "\xff\xfe" + `"}`
	expect(t, w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: w.key, body: badUTF8}),
		http.StatusBadRequest, "malformed_json")
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + w.platformID, token: w.admin, body: `{"name":"` + "\xc3\x28" + `"}`}),
		http.StatusBadRequest, "malformed_json")
	for _, body := range []string{"null", "[]", `"淘宝"`} {
		expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + w.platformID, token: w.admin, body: body}),
			http.StatusUnprocessableEntity, "validation_failed")
	}
	m := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: w.consumer, body: `{"score":8.5}`}),
		http.StatusUnprocessableEntity, "validation_failed")
	if errs, _ := m["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "score" ||
		errs[0].(map[string]any)["message"] != "must be an integer" {
		t.Fatalf("a fractional score: %v", m["errors"])
	}
}

// rawRequest sends head (and body) on a fresh connection and returns the first status line.
func rawRequest(t *testing.T, addr, head, body string, wait time.Duration) (string, time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := fmt.Fprint(conn, head+body); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("no answer within %v: %v", wait, err)
	}
	return strings.TrimSpace(line), time.Since(start)
}

// TestBodyLimitsOnTheWire: over a real connection, a Content-Length over the limit is 413 at
// once, without 100 Continue and before any of the body is sent; a body that stops short of its
// Content-Length is 408 within seconds, not after the server's two-minute read timeout.
func TestBodyLimitsOnTheWire(t *testing.T) {
	w := newWorld(t)
	srv := httptest.NewServer(w.h)
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	head := func(length int, expect100 bool) string {
		h := "POST /api/v1/complaints HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: Bearer " + w.consumer +
			"\r\nContent-Type: application/json\r\nContent-Length: " + fmt.Sprint(length) + "\r\n"
		if expect100 {
			h += "Expect: 100-continue\r\n"
		}
		return h + "\r\n"
	}
	line, _ := rawRequest(t, addr, head(10<<20, true), "", 5*time.Second)
	if !strings.HasPrefix(line, "HTTP/1.1 413") {
		t.Fatalf("10 MiB announced with Expect: 100-continue: first line %q, want 413 without 100 Continue", line)
	}
	line, took := rawRequest(t, addr, head(200, false), `{"platform_id":`, 15*time.Second)
	if !strings.HasPrefix(line, "HTTP/1.1 408") || took > 10*time.Second {
		t.Fatalf("a body stalled after 15 of 200 bytes: %q after %v, want 408 within seconds", line, took)
	}
}

// TestUploadLimitsOnTheWire: an upload announcing more than the limit is 413 at once, without
// 100 Continue; an upload that stalls is answered once it has sent nothing for the idle
// timeout (10 s), not after the server's two-minute read timeout — and so is one refused
// early for its credentials, whose unread body the server would otherwise wait to drain.
func TestUploadLimitsOnTheWire(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	srv := httptest.NewServer(w.h)
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	head := func(token string, length int64, expect100 bool) string {
		h := "POST /api/v1/evidence HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: Bearer " + token +
			"\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: " + fmt.Sprint(length) + "\r\n"
		if expect100 {
			h += "Expect: 100-continue\r\n"
		}
		return h + "\r\n"
	}
	line, _ := rawRequest(t, addr, head(w.consumer, 64<<20, true), "", 5*time.Second)
	if !strings.HasPrefix(line, "HTTP/1.1 413") {
		t.Fatalf("64 MiB announced with Expect: 100-continue: first line %q, want 413 without 100 Continue", line)
	}
	part := "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n\x89PNG"
	for _, token := range []string{w.consumer, w.admin} {
		line, took := rawRequest(t, addr, head(token, 1000, false), part, 30*time.Second)
		if !strings.HasPrefix(line, "HTTP/1.1 4") || took > 15*time.Second {
			t.Errorf("an upload stalled after %d of 1000 bytes: %q after %v, want a 4xx within the idle timeout", len(part), line, took)
		}
	}
}
