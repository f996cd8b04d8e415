package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

var idemTables = []string{"complaints", "complaint_timeline", "jobs", "webhook_deliveries", "notifications", "users", "idempotency_records"}

// rows counts each table's rows; a table the schema does not have counts as empty.
func (a *testApp) rows(tables ...string) map[string]int64 {
	a.t.Helper()
	out := map[string]int64{}
	for _, table := range tables {
		var n int64
		if !a.st.DB().Migrator().HasTable(table) {
			out[table] = 0
			continue
		}
		if err := a.st.DB().Table(table).Count(&n).Error; err != nil {
			a.t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// sameAnswer fails unless a replay is the first answer, byte for byte, marked as a replay.
func sameAnswer(t *testing.T, first, again *response) {
	t.Helper()
	if again.Code != first.Code || string(again.Body) != string(first.Body) {
		t.Fatalf("replay differs:\n%d %s\n%d %s", first.Code, first.Body, again.Code, again.Body)
	}
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay not marked: %v", again.Header)
	}
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("the first answer is marked as a replay")
	}
}

func filing(w *world, key string, body map[string]any) req {
	return req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: body,
		header: map[string]string{"Idempotency-Key": key}}
}

// A client that never saw its answer retries with the same key and body: it gets that answer
// again, and the command ran once.
func TestIdempotentLostResponse(t *testing.T) {
	w := newWorld(t)
	staff := req{method: "POST", path: "/api/v1/admin/users", token: w.admin, header: map[string]string{"Idempotency-Key": "staff-1"},
		body: map[string]any{"role": "moderator", "email": "mod@example.com", "password": "password-123", "real_name": "李四"}}
	for _, rq := range []req{filing(w, "file-1", complaintBody(w.platformID, nil)), staff} {
		t.Run(rq.path, func(t *testing.T) {
			before := w.rows("complaints", "users")
			first := w.do(rq) // the client lost this answer
			expect(t, first, http.StatusCreated)
			sameAnswer(t, first, w.do(rq))
			after := w.rows("complaints", "users")
			if after["complaints"]+after["users"] != before["complaints"]+before["users"]+1 {
				t.Fatalf("rows before %v, after %v: want one more", before, after)
			}
		})
	}
}

// The server fails after the command committed (here: the answer is replaced by a 500 on its
// way out). The retry must not run the command again: it gets the committed answer.
func TestIdempotentCommitThenServerError(t *testing.T) {
	w := newWorld(t)
	inner := w.h
	var committed *httptest.ResponseRecorder
	w.h = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if committed != nil {
			inner.ServeHTTP(rw, r)
			return
		}
		committed = httptest.NewRecorder()
		inner.ServeHTTP(committed, r)
		rw.Header().Set("Content-Type", "application/problem+json")
		rw.WriteHeader(http.StatusInternalServerError)
		_, _ = rw.Write([]byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"code":"internal_error"}`))
	})
	body := complaintBody(w.platformID, nil)
	raw := rawDo(t, w.h, filing(w, "file-500", body), context.Background())
	if raw.Code != http.StatusInternalServerError || committed.Code != http.StatusCreated {
		t.Fatalf("first attempt: client saw %d, server answered %d: %s", raw.Code, committed.Code, committed.Body)
	}
	before := w.rows(idemTables...)
	again := w.do(filing(w, "file-500", body))
	sameAnswer(t, &response{Code: committed.Code, Header: committed.Header(), Body: committed.Body.Bytes()}, again)
	after := w.rows(idemTables...)
	for table, n := range before {
		if after[table] != n {
			t.Errorf("%s: %d rows before the retry, %d after: the command ran again", table, n, after[table])
		}
	}
	if before["complaints"] != 1 || before["complaint_timeline"] != 1 {
		t.Fatalf("after the first attempt: %v", before)
	}
}

// crashingWaker panics once, when armed: the server fails after a command committed.
type crashingWaker struct{ armed atomic.Bool }

func (w *crashingWaker) Wake() {
	if w.armed.CompareAndSwap(true, false) {
		panic("the server failed after the commit")
	}
}

// A command that fails after its commit, inside the request: the retry gets the committed
// answer, and the command's effects exist once.
func TestIdempotentCommitThenPanic(t *testing.T) {
	crash := &crashingWaker{}
	w := newWorldWith(t, func(o *appOptions) { o.waker = crash })
	id := w.file(w.consumer, nil)["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints", token: w.key,
		body: map[string]any{"url": "https://receiver.example/hooks"}}), http.StatusCreated)
	rq := req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/accept", token: w.admin,
		header: map[string]string{"Idempotency-Key": "accept-1"}}
	pending := w.rows(idemTables...)
	crash.armed.Store(true)
	if r := rawDo(t, w.h, rq, context.Background()); r.Code != http.StatusInternalServerError {
		t.Fatalf("first attempt: %d %s", r.Code, r.Body)
	}
	if crash.armed.Load() {
		t.Fatal("the command did not reach its post-commit step")
	}
	before := w.rows(idemTables...)
	again := w.do(rq)
	m := expect(t, again, http.StatusOK)
	if m["status"] != "delivered" || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %v %s", again.Header, again.Body)
	}
	after := w.rows(idemTables...)
	for table, n := range before {
		if after[table] != n {
			t.Errorf("%s: %d rows before the retry, %d after: the command ran again", table, n, after[table])
		}
	}
	if before["complaint_timeline"] != pending["complaint_timeline"]+1 ||
		before["jobs"]+before["webhook_deliveries"] <= pending["jobs"]+pending["webhook_deliveries"] {
		t.Fatalf("the accept left no timeline entry or no queued delivery: %v, then %v", pending, before)
	}
}

// rawDo sends one request without the response checks of testApp.do (which fail on a 5xx).
func rawDo(t *testing.T, h http.Handler, rq req, ctx context.Context) *response {
	t.Helper()
	r := httptest.NewRequest(rq.method, rq.path, strings.NewReader(jsonOf(t, rq.body))).WithContext(ctx)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+rq.token)
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return &response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	switch b := v.(type) {
	case nil:
		return ""
	case string:
		return b
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A request that fails before its transaction commits (its client went away) leaves nothing:
// the retry with the same key runs the command.
func TestIdempotentFailureBeforeCommitStoresNothing(t *testing.T) {
	w := newWorld(t)
	body := complaintBody(w.platformID, nil)
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if r := rawDo(t, w.h, filing(w, "file-gone", body), gone); r.Code < 400 {
		t.Fatalf("a request whose client is gone answered %d", r.Code)
	}
	if n := w.rows("complaints", "idempotency_records"); n["complaints"] != 0 || n["idempotency_records"] != 0 {
		t.Fatalf("rows after a failed attempt: %v", n)
	}
	r := w.do(filing(w, "file-gone", body))
	expect(t, r, http.StatusCreated)
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("the retry of a failed request was a replay")
	}
}

// A refused request is not recorded: corrected, it succeeds under the same key.
func TestIdempotentRefusalIsNotRecorded(t *testing.T) {
	w := newWorld(t)
	expect(t, w.do(filing(w, "file-422", complaintBody(w.platformID, map[string]any{"title": "短"}))),
		http.StatusUnprocessableEntity, "validation_failed")
	r := w.do(filing(w, "file-422", complaintBody(w.platformID, nil)))
	expect(t, r, http.StatusCreated)
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("the corrected request was answered from a record")
	}

	// A conflict raised inside the command's transaction (an e-mail already taken) rolls the
	// record back with the change.
	staff := func(email string) req {
		return req{method: "POST", path: "/api/v1/admin/users", token: w.admin, header: map[string]string{"Idempotency-Key": "staff-1"},
			body: map[string]any{"role": "moderator", "email": email, "password": "password-123", "real_name": "李四"}}
	}
	expect(t, w.do(staff(adminEmail)), http.StatusConflict, "email_taken")
	expect(t, w.do(staff(adminEmail)), http.StatusConflict, "email_taken") // asked again: run again, not replayed
	first := w.do(staff("mod@example.com"))
	expect(t, first, http.StatusCreated)
	sameAnswer(t, first, w.do(staff("mod@example.com")))
}

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

// Ten clients send the same request with one key at once: it runs once, and each answer is
// the first one (replayed) or "in use", never a server error.
func TestIdempotencyConcurrent(t *testing.T) {
	w := newWorld(t)
	body := complaintBody(w.platformID, nil)
	reg := map[string]any{"role": "consumer", "phone": nextPhone(), "password": "password-123", "real_name": "x"}
	for _, rq := range []req{filing(w, "burst", body),
		{method: "POST", path: "/api/v1/auth/register", body: reg, header: map[string]string{"Idempotency-Key": "burst"}}} {
		t.Run(rq.path, func(t *testing.T) {
			before := w.rows("complaints", "users")
			var wg sync.WaitGroup
			answers := make([]*response, 10)
			for i := range answers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					answers[i] = w.do(rq)
				}()
			}
			wg.Wait()
			var created *response
			for _, r := range answers {
				switch {
				case r.Code == http.StatusCreated && r.Header.Get("Idempotent-Replayed") == "":
					if created != nil {
						t.Fatalf("two requests ran the command:\n%s\n%s", created.Body, r.Body)
					}
					created = r
				case r.Code == http.StatusConflict:
					expect(t, r, http.StatusConflict, "idempotency_key_in_use")
				}
			}
			if created == nil {
				t.Fatal("no request ran the command")
			}
			for _, r := range answers {
				if r.Code == http.StatusCreated && r != created {
					sameAnswer(t, created, r)
				}
			}
			after := w.rows("complaints", "users")
			if after["complaints"]+after["users"] != before["complaints"]+before["users"]+1 {
				t.Fatalf("rows before %v, after %v: want one more", before, after)
			}
		})
	}
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
