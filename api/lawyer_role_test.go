package api_test

import (
	"net/http"
	"testing"
)

// A lawyer's account is made by an admin and signs in by e-mail; it is no complainant and no
// staff: every complainant's, moderator's and admin's route refuses it.
func TestLawyerAccountIsNeitherComplainantNorStaff(t *testing.T) {
	w := newWorld(t)
	_, lawyer, _ := w.staffAccount(w.admin, "lawyer", "lawyer@example.com", "王律师")
	me := expect(t, w.do(req{method: "GET", path: "/api/v1/me", token: lawyer}), http.StatusOK)
	if me["role"] != "lawyer" {
		t.Fatalf("role = %v, want lawyer", me["role"])
	}
	id := w.file(w.consumer, nil)["id"].(string)
	for _, rq := range []req{
		{method: "POST", path: "/api/v1/complaints", body: complaintBody(w.platformID, nil)},
		{method: "GET", path: "/api/v1/complaints"},
		{method: "GET", path: "/api/v1/admin/complaints"},
		{method: "GET", path: "/api/v1/admin/complaints/" + id},
		{method: "POST", path: "/api/v1/admin/complaints/" + id + "/accept"},
		{method: "GET", path: "/api/v1/admin/users"},
		{method: "GET", path: "/api/v1/platform/complaints"},
	} {
		rq.token = lawyer
		if r := w.do(rq); r.Code != http.StatusForbidden {
			t.Errorf("%s %s as a lawyer: %d, want 403", rq.method, rq.path, r.Code)
		}
	}
	if r := w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: lawyer}); r.Code != http.StatusNotFound {
		t.Errorf("another's complaint as a lawyer: %d, want 404", r.Code)
	}
	// Admins disable lawyers' accounts as they do staff's; erasure is for complainants.
	users := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/users?role=lawyer", token: w.admin}), http.StatusOK)
	ids := userIDs(t, users)
	if len(ids) != 1 {
		t.Fatalf("lawyers listed: %v", ids)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/users/" + ids[0] + "/erase", token: w.admin}), http.StatusForbidden)
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/users/" + ids[0] + "/disable", token: w.admin}), http.StatusOK)
}
