package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/internal/openapi"
)

// lawyerBody is a valid profile for POST /admin/lawyers.
func lawyerBody(overrides map[string]any) map[string]any {
	b := map[string]any{"name": "王明", "firm": "浙江泽大律师事务所", "city": "杭州",
		"specialties": []string{"ecommerce_law", "consumer_law"}, "bio": "执业十年，专注电子商务与消费者权益纠纷。"}
	for k, v := range overrides {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

// lawyer makes a lawyer account and its profile with the specialties; it returns the
// profile's id and the account's access token.
func (w *world) lawyer(email string, specialties ...string) (profileID, token string) {
	w.t.Helper()
	userID, token, _ := w.staffAccount(w.admin, "lawyer", email, "律师")
	p := expect(w.t, w.do(req{method: "POST", path: "/api/v1/admin/lawyers", token: w.admin,
		body: lawyerBody(map[string]any{"user_id": userID, "specialties": specialties})}), http.StatusCreated)
	return p["id"].(string), token
}

// Staff make and change profiles; a profile links only a lawyer account, and one account one
// profile; the public list shows the active ones, by specialty.
func TestLawyerProfiles(t *testing.T) {
	w := newWorld(t)
	lawyerID, _, _ := w.staffAccount(w.admin, "lawyer", "wang@example.com", "王明")
	_, moderator, _ := w.staffAccount(w.admin, "moderator", "mod@example.com", "审核员")
	create := func(body map[string]any) *response {
		return w.do(req{method: "POST", path: "/api/v1/admin/lawyers", token: moderator, body: body})
	}
	for name, body := range map[string]map[string]any{
		"consumer account":   lawyerBody(map[string]any{"user_id": w.consumerID}),
		"unknown account":    lawyerBody(map[string]any{"user_id": "no-such-account"}),
		"unknown specialty":  lawyerBody(map[string]any{"specialties": []string{"tax_law"}}),
		"repeated specialty": lawyerBody(map[string]any{"specialties": []string{"ip_law", "ip_law"}}),
		"no specialty":       lawyerBody(map[string]any{"specialties": []string{}}),
		"no name":            lawyerBody(map[string]any{"name": " "}),
	} {
		if r := create(body); r.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422: %s", name, r.Code, r.Body)
		}
	}
	linked := expect(t, create(lawyerBody(map[string]any{"user_id": lawyerID})), http.StatusCreated)
	if linked["user_id"] != lawyerID || linked["active"] != true || linked["specialties"].([]any)[0].(map[string]any)["label"] != "电子商务法" {
		t.Fatalf("created: %v", linked)
	}
	expect(t, create(lawyerBody(map[string]any{"user_id": lawyerID, "name": "李四"})), http.StatusUnprocessableEntity, "validation_failed")
	ip := expect(t, create(lawyerBody(map[string]any{"name": "赵律师", "firm": "北京国标律师事务所", "specialties": []string{"ip_law"}})), http.StatusCreated)
	if ip["user_id"] != nil {
		t.Errorf("unlinked profile: %v", ip)
	}

	public := func(query string) []string {
		t.Helper()
		r := expect(t, w.do(req{method: "GET", path: "/api/v1/lawyers" + query}), http.StatusOK)
		var names []string
		for _, l := range r["data"].([]any) {
			m := l.(map[string]any)
			if _, ok := m["user_id"]; ok {
				t.Errorf("the public list shows the account: %v", m)
			}
			names = append(names, m["name"].(string))
		}
		return names
	}
	if got := strings.Join(public(""), ","); got != "王明,赵律师" {
		t.Errorf("public list: %s", got)
	}
	if got := strings.Join(public("?specialty=ip_law"), ","); got != "赵律师" {
		t.Errorf("ip_law: %s", got)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/lawyers?specialty=ip"}), http.StatusUnprocessableEntity, "validation_failed")
	if got := public("?limit=1"); len(got) != 1 {
		t.Errorf("a page of 1: %v", got)
	}

	id := ip["id"].(string)
	changed := expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/lawyers/" + id, token: moderator,
		body: map[string]any{"active": false, "city": "北京"}}), http.StatusOK)
	if changed["active"] != false || changed["city"] != "北京" || changed["version"] != float64(2) {
		t.Errorf("changed: %v", changed)
	}
	if got := strings.Join(public(""), ","); got != "王明" {
		t.Errorf("an inactive lawyer is listed: %s", got)
	}
	all := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/lawyers", token: w.admin}), http.StatusOK)
	if n := len(all["data"].([]any)); n != 2 {
		t.Errorf("staff list: %d profiles, want 2", n)
	}
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/lawyers/" + id, token: moderator,
		body: map[string]any{"specialties": []string{"nope"}}}), http.StatusUnprocessableEntity, "validation_failed")
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/lawyers/" + id, token: moderator,
		body: map[string]any{"user_id": lawyerID}}), http.StatusUnprocessableEntity, "validation_failed")
	expect(t, w.do(req{method: "GET", path: "/api/v1/admin/lawyers/" + id, token: moderator}), http.StatusOK)
	expect(t, w.do(req{method: "GET", path: "/api/v1/admin/lawyers/nope", token: moderator}), http.StatusNotFound, "not_found")
}

// TestLawyerRoutesAccess: every route of the lawyer team, as every kind of caller.
func TestLawyerRoutesAccess(t *testing.T) {
	w := newWorld(t)
	tokens := w.principals()
	users := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/users?role=lawyer", token: w.admin}), http.StatusOK)
	lawyerUser := userIDs(t, users)[0]
	profile := expect(t, w.do(req{method: "POST", path: "/api/v1/admin/lawyers", token: w.admin,
		body: lawyerBody(map[string]any{"user_id": lawyerUser})}), http.StatusCreated)["id"].(string)
	complaint := w.file(w.consumer, nil)["id"].(string)
	ask := func() string {
		return expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + complaint + "/consultations", token: w.consumer,
			body: map[string]any{"question": "商家拒绝退款，我能否要求平台先行赔付？", "preferred_specialty": "ecommerce_law"}}), http.StatusCreated)["id"].(string)
	}
	con, other := ask(), ask()
	question := map[string]any{"question": "平台是否应当承担连带责任？"}
	message := map[string]any{"body": "补充：商家承诺过七天无理由退货。"}
	complainants, staff, lawyer := []string{"consumer", "merchant"}, []string{"moderator", "admin"}, []string{"lawyer"}
	checkAccess(t, w, tokens, []access{
		{method: "GET", path: "/api/v1/lawyers", allowed: []string{"public"}},
		{method: "POST", path: "/api/v1/admin/lawyers", body: lawyerBody(nil), allowed: staff},
		{method: "GET", path: "/api/v1/admin/lawyers", allowed: staff},
		{method: "GET", path: "/api/v1/admin/lawyers/" + profile, allowed: staff},
		{method: "PATCH", path: "/api/v1/admin/lawyers/" + profile, body: map[string]any{"city": "杭州"}, allowed: staff},
		{method: "POST", path: "/api/v1/complaints/" + complaint + "/consultations", body: question, allowed: complainants},
		{method: "GET", path: "/api/v1/consultations", allowed: complainants},
		{method: "GET", path: "/api/v1/consultations/" + con, allowed: complainants},
		{method: "POST", path: "/api/v1/consultations/" + con + "/messages", body: message, allowed: complainants},
		{method: "POST", path: "/api/v1/consultations/" + other + "/cancel", allowed: complainants},
		{method: "GET", path: "/api/v1/admin/consultations", allowed: staff},
		{method: "POST", path: "/api/v1/admin/consultations/" + con + "/assign", body: map[string]any{"lawyer_id": profile}, allowed: staff},
		{method: "GET", path: "/api/v1/lawyer/consultations", allowed: lawyer},
		{method: "GET", path: "/api/v1/lawyer/consultations/" + con, allowed: lawyer},
		{method: "POST", path: "/api/v1/lawyer/consultations/" + con + "/messages", body: message, allowed: lawyer},
		{method: "POST", path: "/api/v1/lawyer/consultations/" + con + "/close", allowed: lawyer},
	})
	// The merchant was let through the complainant's routes, and found nothing of theirs.
	for _, path := range []string{"/api/v1/consultations/" + con, "/api/v1/lawyer/consultations/" + con} {
		token := tokens["merchant"]
		if strings.Contains(path, "/lawyer/") {
			token = tokens["lawyer"]
		}
		r := w.do(req{method: "GET", path: path, token: token})
		if strings.Contains(path, "/lawyer/") && r.Code != http.StatusOK {
			t.Errorf("the lawyer assigned: %d", r.Code)
		}
		if !strings.Contains(path, "/lawyer/") && r.Code != http.StatusNotFound {
			t.Errorf("another complainant's consultation: %d, want 404", r.Code)
		}
	}
}

// TestLawyerTokenReachesOnlyTheDesk sends a lawyer's token to every operation of the document
// that takes credentials: only its own account (/me) and the lawyer's desk (/lawyer/…) let it
// through; everything else is 403 or 404.
func TestLawyerTokenReachesOnlyTheDesk(t *testing.T) {
	w := newWorld(t)
	_, lawyer := w.lawyer("desk@example.com", "ecommerce_law")
	complaint := w.file(w.consumer, nil)["id"].(string)
	con := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + complaint + "/consultations", token: w.consumer,
		body: map[string]any{"question": "商家拒绝退款，我能否要求平台先行赔付？", "preferred_specialty": "ecommerce_law"}}), http.StatusCreated)["id"].(string)
	doc, err := openapi.V3()
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	own := regexp.MustCompile(`^/api/v1/(me(/.*)?|lawyer/.*)$`)
	checked := 0
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Security == nil || len(*op.Security) == 0 || !strings.HasPrefix(p, "/api/") {
				continue
			}
			// A real id where the operation is the lawyer's own, a real complaint elsewhere:
			// the refusal must not come from a missing resource alone where one exists.
			id := complaint
			if strings.HasPrefix(p, "/api/v1/lawyer/") || strings.HasPrefix(p, "/api/v1/consultations/") || strings.HasPrefix(p, "/api/v1/admin/consultations/") {
				id = con
			}
			path := param.ReplaceAllString(p, id)
			r := w.do(req{method: method, path: path, token: lawyer, body: "{}"})
			checked++
			switch {
			case own.MatchString(p):
				if r.Code == http.StatusUnauthorized || (r.Code == http.StatusForbidden && p != "/api/v1/me") {
					// DELETE /me is erasure, refused to managed accounts (403): that is a refusal too.
					if !(method == http.MethodDelete && p == "/api/v1/me") {
						t.Errorf("%s %s: %d, the lawyer's own route refuses it: %s", method, p, r.Code, r.Body)
					}
				}
			case r.Code != http.StatusForbidden && r.Code != http.StatusNotFound:
				t.Errorf("%s %s as a lawyer: %d, want 403 or 404: %s", method, p, r.Code, r.Body)
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d operations checked", checked)
	}
}
