package api_test

import (
	"net/http"
	"slices"
	"testing"
)

// The kinds of caller every route's authorisation is checked for.
var principalKinds = []string{"anonymous", "consumer", "merchant", "moderator", "admin", "lawyer", "platform"}

// principals returns a token for each kind of caller ("" for anonymous): the world's consumer,
// admin and platform key, and a merchant, a moderator and a lawyer made for the purpose.
func (w *world) principals() map[string]string {
	w.t.Helper()
	merchant, _ := w.register("merchant")
	_, moderator, _ := w.staffAccount(w.admin, "moderator", "moderator-authz@example.com", "审核员")
	_, lawyer, _ := w.staffAccount(w.admin, "lawyer", "lawyer-authz@example.com", "律师")
	return map[string]string{"anonymous": "", "consumer": w.consumer, "merchant": merchant,
		"moderator": moderator, "admin": w.admin, "lawyer": lawyer, "platform": w.key}
}

// access is one route and the kinds of caller it lets through; "public" lets everyone.
type access struct {
	method, path string
	body         any
	allowed      []string
}

// checkAccess sends each route as each kind of caller: a caller not allowed gets 401
// (anonymous) or 403 or 404 (it may not even learn that the resource exists), and the body
// is a problem; an allowed caller gets neither 401 nor 403 (whatever its body deserves).
func checkAccess(t *testing.T, w *world, tokens map[string]string, routes []access) {
	t.Helper()
	for _, rt := range routes {
		for _, kind := range principalKinds {
			r := w.do(req{method: rt.method, path: rt.path, token: tokens[kind], body: rt.body})
			allowed := slices.Contains(rt.allowed, kind) || slices.Contains(rt.allowed, "public")
			switch {
			case allowed && (r.Code == http.StatusUnauthorized || r.Code == http.StatusForbidden):
				t.Errorf("%s %s as %s: %d, want it let through: %s", rt.method, rt.path, kind, r.Code, r.Body)
			case !allowed && kind == "anonymous" && r.Code != http.StatusUnauthorized:
				t.Errorf("%s %s anonymously: %d, want 401: %s", rt.method, rt.path, r.Code, r.Body)
			case !allowed && kind != "anonymous" && r.Code != http.StatusForbidden && r.Code != http.StatusNotFound:
				t.Errorf("%s %s as %s: %d, want 403 or 404: %s", rt.method, rt.path, kind, r.Code, r.Body)
			}
		}
	}
}

// The table checks itself on routes whose rules are known.
func TestCheckAccessOnKnownRoutes(t *testing.T) {
	w := newWorld(t)
	tokens := w.principals()
	checkAccess(t, w, tokens, []access{
		{method: "GET", path: "/api/v1/platforms", allowed: []string{"public"}},
		{method: "GET", path: "/api/v1/complaints", allowed: []string{"consumer", "merchant"}},
		{method: "GET", path: "/api/v1/admin/complaints", allowed: []string{"moderator", "admin"}},
		{method: "GET", path: "/api/v1/admin/users", allowed: []string{"admin"}},
		{method: "GET", path: "/api/v1/platform/complaints", allowed: []string{"platform"}},
	})
}
