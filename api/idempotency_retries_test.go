package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

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
