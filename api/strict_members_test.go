package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestStrictMembers: what encoding/json alone lets pass is refused by name — a member given
// twice (the last used to win), a member in another letter case (it used to match), an unknown
// member inside a nested object (named with its path), null for a member that is not nullable
// (it used to read as left out, so {"url":null} answered 200 and changed nothing) — and a body
// with a member that takes no body is refused too. Nothing is changed by a refused request.
func TestStrictMembers(t *testing.T) {
	w := newWorld(t)
	ep := expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints", token: w.key,
		body: map[string]any{"url": "http://127.0.0.1:9/hook", "event_types": []string{}}}), http.StatusCreated)["id"].(string)
	pending := w.file(w.consumer, nil)["id"].(string)
	cases := []struct {
		method, path, token, body string
		status                    int
		code, field               string
	}{
		{"POST", "/api/v1/admin/platforms", w.admin, `{"name":"京东","name":"京西","slug":"jd","sector":"digital_retail"}`, 422, "validation_failed", "name"},
		{"POST", "/api/v1/admin/platforms", w.admin, `{"Name":"京东","slug":"jd","sector":"digital_retail"}`, 422, "unknown_field", "Name"},
		{"PATCH", "/api/v1/admin/platforms/" + w.platformID, w.admin, `{"after_sales_contact":{"emial":"kefu@example.com"}}`, 422, "unknown_field", "after_sales_contact.emial"},
		{"PATCH", "/api/v1/platform/webhook-endpoints/" + ep, w.key, `{"url":null}`, 422, "validation_failed", "url"},
		{"PATCH", "/api/v1/platform/webhook-endpoints/" + ep, w.key, `{"event_types":["complaint.rated",null]}`, 422, "validation_failed", "event_types[1]"},
		{"POST", "/api/v1/complaints", w.consumer, strings.Replace(mustJSON(complaintBody(w.platformID, nil)), `"order_no":"TB2026112600001"`, `"order_no":null`, 1), 422, "validation_failed", "order_no"},
		{"POST", "/api/v1/admin/complaints/" + pending + "/accept", w.admin, `{"note":"x"}`, 422, "unknown_field", "note"},
		{"POST", "/api/v1/admin/complaints/" + pending + "/accept", w.admin, `{"`, 400, "malformed_json", ""},
		{"POST", "/api/v1/platform/webhook-endpoints/" + ep + "/rotate-secret", w.key, `[]`, 422, "validation_failed", "(body)"},
		{"DELETE", "/api/v1/platform/webhook-endpoints/" + ep, w.key, `{"force":true}`, 422, "unknown_field", "force"},
	}
	for _, tc := range cases {
		m := expect(t, w.do(req{method: tc.method, path: tc.path, token: tc.token, body: tc.body}), tc.status, tc.code)
		errs, _ := m["errors"].([]any)
		if tc.field != "" && (len(errs) != 1 || errs[0].(map[string]any)["field"] != tc.field) {
			t.Errorf("%s %s %s: errors %v, want %q named", tc.method, tc.path, tc.body, m["errors"], tc.field)
		}
	}
	// Nothing changed: the complaint is still pending, the endpoint is there with its URL.
	if s := w.complaintStatus(pending); s != "pending_review" {
		t.Errorf("the refused accept changed the complaint: %s", s)
	}
	got := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/webhook-endpoints/" + ep, token: w.key}), http.StatusOK)
	if got["url"] != "http://127.0.0.1:9/hook" {
		t.Errorf("the refused PATCH changed the endpoint: %v", got)
	}
	// Disabling and enabling a staff account take no body either.
	mod := expect(t, w.do(req{method: "POST", path: "/api/v1/admin/users", token: w.admin,
		body: map[string]any{"role": "moderator", "email": "strict-mod@example.com", "password": "password-123", "real_name": "李四"}}), http.StatusCreated)["id"].(string)
	for _, action := range []string{"disable", "enable"} {
		expect(t, w.do(req{method: "POST", path: "/api/v1/admin/users/" + mod + "/" + action, token: w.admin, body: `{"x":1}`}),
			http.StatusUnprocessableEntity, "unknown_field")
	}
	users := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/users?disabled=true", token: w.admin}), http.StatusOK)["data"].([]any)
	if len(users) != 0 {
		t.Errorf("a refused disable disabled the account: %v", users)
	}
	// A body-less command still takes no body, or an empty object.
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + pending + "/accept", token: w.admin, body: `{}`}), http.StatusOK)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
