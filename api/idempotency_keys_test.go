package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// Keys are scoped to the caller, the method and the path; another body is refused, saying so.
func TestIdempotencyScope(t *testing.T) {
	w := newWorld(t)
	hdr := map[string]string{"Idempotency-Key": "same-key"}
	expect(t, w.do(filing(w, "same-key", complaintBody(w.platformID, nil))), http.StatusCreated)
	// The same key on another path is another request.
	r := w.do(req{method: "POST", path: "/api/v1/admin/platforms", token: w.admin, header: hdr,
		body: map[string]any{"name": "美团", "slug": "meituan", "sector": "digital_life"}})
	expect(t, r, http.StatusCreated)
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("a key was replayed on another path")
	}
	// Another caller's same key is another request.
	other, _ := w.register("consumer")
	r = w.do(req{method: "POST", path: "/api/v1/complaints", token: other, header: hdr, body: complaintBody(w.platformID, nil)})
	expect(t, r, http.StatusCreated)
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("another caller's key was replayed")
	}
	// The same caller, path and key with another body.
	staff := func(email string) req {
		return req{method: "POST", path: "/api/v1/admin/users", token: w.admin, header: hdr,
			body: map[string]any{"role": "moderator", "email": email, "password": "password-123", "real_name": "李四"}}
	}
	expect(t, w.do(staff("m1@example.com")), http.StatusCreated)
	for _, rq := range []req{filing(w, "same-key", complaintBody(w.platformID, map[string]any{"order_no": "TB2"})), staff("m2@example.com")} {
		m := expect(t, w.do(rq), http.StatusUnprocessableEntity, "idempotency_key_reused")
		if !strings.Contains(m["detail"].(string), "body") {
			t.Fatalf("the refusal does not say the body differed: %v", m["detail"])
		}
	}
	if n := w.rows("complaints")["complaints"]; n != 2 {
		t.Fatalf("%d complaints, want 2", n)
	}

	// Anonymous callers are told apart by address, and register and login are two paths.
	for i, ip := range []string{"198.51.100.1:1", "198.51.100.2:1"} {
		reg := map[string]any{"role": "consumer", "phone": "1370000000" + strconv.Itoa(i), "password": "password-123", "real_name": "x"}
		expect(t, w.do(req{method: "POST", path: "/api/v1/auth/register", body: reg, remoteAddr: ip, header: hdr}), http.StatusCreated)
	}
	r = w.do(req{method: "POST", path: "/api/v1/auth/login", remoteAddr: "198.51.100.1:1", header: hdr,
		body: map[string]string{"phone": "13700000000", "password": "password-123"}})
	expect(t, r, http.StatusOK)

	expect(t, w.do(filing(w, strings.Repeat("k", 256), complaintBody(w.platformID, nil))), http.StatusUnprocessableEntity, "validation_failed")
	expect(t, w.do(filing(w, "bad\x01key", complaintBody(w.platformID, nil))), http.StatusUnprocessableEntity, "validation_failed")
}

// After 24 h a key is forgotten and may name another request.
func TestIdempotencyExpires(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	hdr := map[string]string{"Idempotency-Key": "platform-1"}
	create := func(slug string) *response {
		return a.do(req{method: "POST", path: "/api/v1/admin/users", token: admin, header: hdr,
			body: map[string]any{"role": "moderator", "email": slug + "@example.com", "password": "password-123", "real_name": "李四"}})
	}
	first := create("m1")
	expect(t, first, http.StatusCreated)
	a.clock.Advance(24*time.Hour - time.Second)
	admin = a.adminToken()
	expect(t, create("m2"), http.StatusUnprocessableEntity, "idempotency_key_reused")
	a.clock.Advance(2 * time.Second)
	admin = a.adminToken()
	r := create("m2")
	expect(t, r, http.StatusCreated)
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("an expired record was replayed")
	}
}

// A record that cannot be unsealed (another server secret) is refused, not served.
func TestIdempotencyUnusableRecord(t *testing.T) {
	a := newApp(t)
	rq := req{method: "POST", path: "/api/v1/auth/register", header: map[string]string{"Idempotency-Key": "signup"},
		body: map[string]any{"role": "consumer", "phone": nextPhone(), "password": "password-123", "real_name": "x"}}
	expect(t, a.do(rq), http.StatusCreated)
	if err := a.st.DB().Exec("UPDATE idempotency_records SET sealed = ?", []byte("sealed under another secret....")).Error; err != nil {
		t.Fatal(err)
	}
	expect(t, a.do(rq), http.StatusConflict, "idempotency_key_unusable")
}

// An upload's key is checked against the file once it is stored; its record commits with its
// row.
func TestIdempotentUpload(t *testing.T) {
	a := newApp(t)
	consumer, _ := a.register("consumer")
	png := testPNG(t)
	send := func(name, key string, content []byte, partType string) *response {
		body, ct := multipartFile(t, "file", name, partType, content)
		return a.do(req{method: "POST", path: "/api/v1/evidence", token: consumer, body: body,
			header: map[string]string{"Content-Type": ct, "Idempotency-Key": key}})
	}
	first := send("a.png", "upload-1", png, "image/png")
	expect(t, first, http.StatusCreated)
	sameAnswer(t, first, send("a.png", "upload-1", png, "image/png"))
	m := expect(t, send("b.png", "upload-1", png, "image/png"), http.StatusUnprocessableEntity, "idempotency_key_reused")
	if !strings.Contains(m["detail"].(string), "name") {
		t.Fatalf("the refusal does not say what differed: %v", m["detail"])
	}
	expect(t, send("b.jpg", "upload-1", testJPEG(t), "image/jpeg"), http.StatusUnprocessableEntity, "idempotency_key_reused")
	// A refused upload is not recorded.
	expect(t, send("c.txt", "upload-2", []byte("plain text is not evidence"), "text/plain"), http.StatusUnsupportedMediaType)
	expect(t, send("c.png", "upload-2", png, "image/png"), http.StatusCreated)
	expect(t, send("d.png", strings.Repeat("k", 256), png, "image/png"), http.StatusUnprocessableEntity, "validation_failed")
	if n := a.rows("evidence", "idempotency_records"); n["evidence"] != 2 || n["idempotency_records"] != 2 {
		t.Fatalf("rows: %v, want 2 evidence rows and their 2 records", n)
	}
}

// A refresh whose answer was lost, retried with its key, gets the same pair instead of being
// taken for a stolen token: the family stays valid.
func TestIdempotentRefresh(t *testing.T) {
	a := newApp(t)
	body := map[string]any{"role": "consumer", "phone": nextPhone(), "password": "password-123", "real_name": "x"}
	refresh := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: body}), http.StatusCreated)["refresh_token"].(string)
	rq := req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": refresh},
		header: map[string]string{"Idempotency-Key": "refresh-1"}}
	first := a.do(rq)
	expect(t, first, http.StatusOK)
	sameAnswer(t, first, a.do(rq))
	next := first.JSON(t)["refresh_token"].(string)
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": next}}), http.StatusOK)
	// Without the key, the spent token is a reuse: refused.
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": refresh}}), http.StatusUnauthorized)
}

// TestIdempotencyScopeIsThePlatform: a platform is one caller whichever of its API keys it
// uses: a reply retried with the same Idempotency-Key through another key (the platform rotated
// its keys in between) replays the first answer and adds no second reply.
func TestIdempotencyScopeIsThePlatform(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	other, _ := w.issueKey(w.admin, w.platformID)
	send := func(key string) *response {
		return w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: key,
			header: map[string]string{"Idempotency-Key": "reply-1"}, body: map[string]any{"content": "您好，已为您办理退款。"}})
	}
	first, again := send(w.key), send(other)
	expect(t, first, http.StatusCreated)
	expect(t, again, http.StatusCreated)
	if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) {
		t.Fatalf("the retry through another key of the platform was not replayed: %s", again.Body)
	}
	var replies int64
	w.st.DB().Model(&models.Reply{}).Where("complaint_id = ?", id).Count(&replies)
	if replies != 1 {
		t.Fatalf("%d replies, want 1", replies)
	}
}
