package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The fuzz targets drive the real router with bodies nobody would send on purpose. Whatever
// arrives, the answer is never a 5xx, every refusal is a problem document, and what is
// accepted is what the contract (API.md 5.2) allows. Each target builds one app outside
// f.Fuzz; inside, requests go straight to the handler and failures land on the iteration's t.
//
//	go test ./api/ -run '^$' -fuzz FuzzCreateComplaint -fuzztime 30s
//	go test ./api/ -run '^$' -fuzz FuzzComplaintActions -fuzztime 30s

// fuzzApp is a test app with an admin, a reachable platform with a key, and a consumer.
type fuzzApp struct {
	*testApp
	admin, consumer, platformID, key string
	// consumerEvidence and platformEvidence are uploaded by the consumer and the platform.
	consumerEvidence, platformEvidence string
	seq                                int
}

// shortMinimize caps how long the fuzzer minimises each new interesting input, unless
// -fuzzminimizetime was given: every execution here goes through the router to a database,
// and go test's default of 60 s per input would spend a whole 30 s run minimising one.
func shortMinimize() {
	set := false
	flag.Visit(func(fl *flag.Flag) { set = set || fl.Name == "test.fuzzminimizetime" })
	if !set {
		_ = flag.Set("test.fuzzminimizetime", "5s")
	}
}

func newFuzzApp(f *testing.F) *fuzzApp {
	f.Helper()
	shortMinimize()
	// The clock never moves and a fuzz run sends far more than the usual test budget.
	a := newApp(f, func(o *appOptions) { o.rateLimit = 1 << 30 })
	fa := &fuzzApp{testApp: a, admin: a.adminToken()}
	fa.consumer, _ = a.register("consumer")
	fa.platformID = a.createPlatform(fa.admin, "fuzz", map[string]any{"name": "模糊测试平台", "onboarded": true,
		"after_sales_contact": map[string]string{"phone": "95188"}})["id"].(string)
	fa.key, _ = a.issueKey(fa.admin, fa.platformID)
	fa.consumerEvidence = expect(f, a.upload(fa.consumer, "截图.png", "image/png", testPNG(f)), http.StatusCreated)["id"].(string)
	fa.platformEvidence = expect(f, a.upload(fa.key, "凭证.png", "image/png", pngPadded(2048)), http.StatusCreated)["id"].(string)
	// A body over the 1 MiB cap is checked once here rather than seeded: the fuzzer would spend
	// its time mutating and minimising megabyte inputs.
	big := complaintBody(fa.platformID, map[string]any{"description": strings.Repeat("x", 1<<20)})
	expect(f, a.do(req{method: "POST", path: "/api/v1/complaints", token: fa.consumer, body: big}), http.StatusRequestEntityTooLarge)
	return fa
}

// nextOrder is an order number no earlier request used, so that the duplicate rule stays out
// of the way of the templated requests.
func (fa *fuzzApp) nextOrder() string {
	fa.seq++
	return fmt.Sprintf("FUZZ%08d", fa.seq)
}

// post sends one request to the router and checks what every API response must satisfy,
// reporting on t (the fuzz iteration's, never the app's). It returns the decoded body.
func (fa *fuzzApp) post(t *testing.T, path, token string, body []byte) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	fa.h.ServeHTTP(w, r)
	if w.Code >= 500 {
		t.Fatalf("POST %s: server error %d for body %q:\n%s", path, w.Code, clip(body), w.Body.Bytes())
	}
	if w.Header().Get("X-Request-ID") == "" {
		t.Errorf("POST %s: no X-Request-ID", path)
	}
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("POST %s: %d with a body that is not a JSON object (%v): %q", path, w.Code, err, clip(w.Body.Bytes()))
	}
	if w.Code >= 200 && w.Code < 300 {
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("POST %s: %d with Content-Type %q", path, w.Code, ct)
		}
		return w.Code, m
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("POST %s: %d with Content-Type %q, want application/problem+json", path, w.Code, ct)
	}
	if code, _ := m["code"].(string); code == "" || m["status"] != float64(w.Code) || m["type"] == nil || m["title"] == nil {
		t.Fatalf("POST %s: %d with a body that is not a problem: %s", path, w.Code, w.Body.Bytes())
	}
	if w.Code == http.StatusUnprocessableEntity {
		// Without an Idempotency-Key every 422 here is a validation failure or an unknown member,
		// naming its fields.
		errs, _ := m["errors"].([]any)
		if (m["code"] != "validation_failed" && m["code"] != "unknown_field") || len(errs) == 0 {
			t.Fatalf("POST %s: 422 without field errors: %s", path, w.Body.Bytes())
		}
		for _, e := range errs {
			fe, _ := e.(map[string]any)
			if f, _ := fe["field"].(string); f == "" {
				t.Fatalf("POST %s: field error without a field: %s", path, w.Body.Bytes())
			}
			if msg, _ := fe["message"].(string); msg == "" {
				t.Fatalf("POST %s: field error without a message: %s", path, w.Body.Bytes())
			}
		}
	}
	return w.Code, m
}

// must is post for the set-up steps inside an iteration: anything but want fails it.
func (fa *fuzzApp) must(t *testing.T, path, token string, body any, want int) map[string]any {
	t.Helper()
	var j []byte // nil: no body, for the commands that take none
	if body != nil {
		var err error
		if j, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	code, m := fa.post(t, path, token, j)
	if code != want {
		t.Fatalf("POST %s: %d, want %d: %v", path, code, want, m)
	}
	return m
}

func clip(b []byte) []byte {
	if len(b) > 300 {
		return append(b[:300:300], "…"...)
	}
	return b
}

// allowed fails t unless status is one of want.
func allowed(t *testing.T, what string, status int, m map[string]any, want ...int) {
	t.Helper()
	for _, w := range want {
		if status == w {
			return
		}
	}
	t.Fatalf("%s: unexpected status %d: %v", what, status, m)
}

func (fa *fuzzApp) validBody(overrides map[string]any) []byte {
	b, _ := json.Marshal(complaintBody(fa.platformID, overrides))
	return b
}
