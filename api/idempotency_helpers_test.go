package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
