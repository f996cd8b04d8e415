package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// leakingComplaint names the complainant and her husband, a phone split by commas, an
// e-mail address with a Chinese name and a unit and room: what once reached the public.
const leakingComplaint = "本人张三投诉，我老公李建国一起去的，他手机138，0013，8000，我的邮箱是张三丰@qq.com，住在阳光小区3单元502室"

var leakingParts = []string{"李建国", "138，0013，8000", "3单元502室", "张三丰@qq.com", "张三丰", "13800138000"}

// TestCaseOfALeakingComplaint: the complaint that leaked is drafted without any of its personal
// information; a tag naming the contact is refused; the public view and the feed of the case
// published with consent hold none of it either.
func TestCaseOfALeakingComplaint(t *testing.T) {
	w := newWorld(t)
	complaintID := w.completed(w.consumer, map[string]any{"description": leakingComplaint})
	p := expect(t, w.do(req{method: "POST", path: "/api/v1/admin/cases", token: w.admin, body: map[string]any{
		"complaint_id": complaintID, "title": "付款后商家拒不发货，平台督促后全额退款", "summary": "商家不发货，平台督促后退款。",
		"tags": []string{"退款", "张三"}}}), http.StatusUnprocessableEntity, "validation_failed")
	if !strings.Contains(mustJSON(p), "tags") {
		t.Errorf("the problem does not name the tags: %v", p)
	}

	draft := w.draftCase(complaintID, map[string]any{"tags": []string{"退款"}})
	id := draft["id"].(string)
	// Everything is scrubbed: nothing is left that would need consent.
	if pii := draft["personal_information"].([]any); len(pii) != 0 || draft["publishable"] != true {
		t.Fatalf("the draft holds %v (publishable %v): %s", pii, draft["publishable"], draft["body"])
	}
	for _, leak := range leakingParts {
		if strings.Contains(draft["body"].(string), leak) {
			t.Errorf("the draft's body holds %q: %s", leak, draft["body"])
		}
	}
	if !strings.Contains(draft["body"].(string), "本人张**投诉") {
		t.Errorf("the body lost the word after the name: %s", draft["body"])
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + complaintID + "/publish-consent", token: w.consumer}), http.StatusOK)
	w.publishCase(id)
	for _, path := range []string{"/api/v1/cases/" + id, "/api/v1/cases", "/api/v1/cases.atom"} {
		r := w.do(req{method: "GET", path: path})
		if r.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.Code)
		}
		noPersonalInformation(t, r.Body, leakingParts...)
	}
}

// TestCaseTagsHoldNoKnownValue: a tag holding one of the complainant's values — here a contact
// name that no pattern would take for a name — is refused when the case is drafted and when
// its tags change, and nothing changes.
func TestCaseTagsHoldNoKnownValue(t *testing.T) {
	w := newWorld(t)
	complaintID := w.completed(w.consumer, map[string]any{"contact_name": "艾丽"})
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/cases", token: w.admin, body: map[string]any{
		"complaint_id": complaintID, "title": "付款后商家拒不发货，平台督促后全额退款", "summary": "商家不发货，平台督促后退款。",
		"tags": []string{"艾丽"}}}), http.StatusUnprocessableEntity, "validation_failed")
	draft := w.draftCase(complaintID, nil)
	path := "/api/v1/admin/cases/" + draft["id"].(string)
	expect(t, w.do(req{method: "PATCH", path: path, token: w.admin, body: map[string]any{"tags": []string{"退款", "艾丽的投诉"}}}),
		http.StatusUnprocessableEntity, "validation_failed")
	after := expect(t, w.do(req{method: "GET", path: path, token: w.admin}), http.StatusOK)
	if after["version"] != draft["version"] || strings.Contains(mustJSON(after["tags"]), "艾丽") {
		t.Errorf("a refused edit changed the case: %v", after)
	}
	// A tag that may be a name needs consent like a text: it is refused as well.
	expect(t, w.do(req{method: "PATCH", path: path, token: w.admin, body: map[string]any{"tags": []string{"王建国"}}}),
		http.StatusUnprocessableEntity, "validation_failed")
}

// TestCasePossibleNameNeedsConsent: a word that may be a name, which drafting leaves, is
// reported to staff and keeps the case from being published without consent.
func TestCasePossibleNameNeedsConsent(t *testing.T) {
	w := newWorld(t)
	complaintID := w.completed(w.consumer, map[string]any{"description": "商家说退款给了刘洋，可我一直没有收到这笔钱，客服也不再回复我的消息。"})
	draft := w.draftCase(complaintID, nil)
	if !strings.Contains(draft["body"].(string), "退款给了刘洋") {
		t.Fatalf("drafting changed ordinary text: %s", draft["body"])
	}
	pii := draft["personal_information"].([]any)
	if len(pii) != 1 || pii[0].(map[string]any)["kind"] != "possible_name" || pii[0].(map[string]any)["marker"] != "刘**" ||
		draft["publishable"] != false {
		t.Fatalf("personal_information %v, publishable %v", pii, draft["publishable"])
	}
	path := "/api/v1/admin/cases/" + draft["id"].(string)
	expect(t, w.do(req{method: "POST", path: path + "/publish", token: w.admin}), http.StatusConflict, "consent_required")
	edited := expect(t, w.do(req{method: "PATCH", path: path, token: w.admin,
		body: map[string]any{"body": strings.Replace(draft["body"].(string), "刘洋", "他人", 1)}}), http.StatusOK)
	if edited["publishable"] != true {
		t.Fatalf("edited: %v", edited["personal_information"])
	}
	w.publishCase(draft["id"].(string))
}

// TestAdminCaseListShowsStoredPersonalInfo: the staff list shows the personal information each
// case held when it was last written, as the case's own view finds it.
func TestAdminCaseListShowsStoredPersonalInfo(t *testing.T) {
	w := newWorld(t)
	draft := w.draftCase(w.completed(w.consumer, nil), nil)
	path := "/api/v1/admin/cases/" + draft["id"].(string)
	expect(t, w.do(req{method: "PATCH", path: path, token: w.admin,
		body: map[string]any{"summary": "张三的手机138，0013，8000打不通。"}}), http.StatusOK)
	one := expect(t, w.do(req{method: "GET", path: path, token: w.admin}), http.StatusOK)
	list := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/cases", token: w.admin}), http.StatusOK)["data"].([]any)
	if len(list) != 1 {
		t.Fatalf("list: %v", list)
	}
	got, want := list[0].(map[string]any), one
	if mustJSON(got["personal_information"]) != mustJSON(want["personal_information"]) || got["publishable"] != false ||
		len(want["personal_information"].([]any)) != 2 {
		t.Errorf("listed %v (publishable %v), the case shows %v", got["personal_information"], got["publishable"], want["personal_information"])
	}
}
