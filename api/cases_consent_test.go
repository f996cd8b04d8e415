package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestCaseEditsNeedConsent: staff edits are kept as entered; a text that names the
// complainant again cannot be published until the complainant consents, and withdrawing the
// consent unpublishes the case that needed it but not one that did not.
func TestCaseEditsNeedConsent(t *testing.T) {
	w := newWorld(t)
	complaintID := w.completed(w.consumer, nil)
	id := w.draftCase(complaintID, nil)["id"].(string)
	path := "/api/v1/admin/cases/" + id

	// An edit that brings the contact's name back: kept, flagged, not publishable.
	edited := expect(t, w.do(req{method: "PATCH", path: path, token: w.admin,
		body: map[string]any{"body": "张三于11月1日购买手机，商家未发货，经平台督促后退款。", "tags": []string{"退款"}}}), http.StatusOK)
	if edited["body"] != "张三于11月1日购买手机，商家未发货，经平台督促后退款。" || edited["publishable"] != false || edited["version"] != float64(2) {
		t.Fatalf("edited: %v", edited)
	}
	pii := edited["personal_information"].([]any)
	if len(pii) != 1 || pii[0].(map[string]any)["field"] != "body" || pii[0].(map[string]any)["kind"] != "name" ||
		pii[0].(map[string]any)["marker"] != "张**" || pii[0].(map[string]any)["start"] != float64(0) {
		t.Fatalf("personal_information: %v", pii)
	}
	for _, h := range edited["scrubbed"].([]any) {
		if h.(map[string]any)["field"] == "body" {
			t.Errorf("the edited body keeps its scrubbing record: %v", h)
		}
	}
	p := expect(t, w.do(req{method: "POST", path: path + "/publish", token: w.admin}), http.StatusConflict, "consent_required")
	if !strings.Contains(p["detail"].(string), "body") {
		t.Errorf("detail: %v", p["detail"])
	}
	// Only the complainant gives consent.
	other, _ := w.register("consumer")
	consent := "/api/v1/complaints/" + complaintID + "/publish-consent"
	expect(t, w.do(req{method: "POST", path: consent, token: other}), http.StatusNotFound)
	given := expect(t, w.do(req{method: "POST", path: consent, token: w.consumer}), http.StatusOK)
	at, ok := given["publish_consent_at"].(string)
	if !ok || at == "" {
		t.Fatalf("consent: %v", given)
	}
	if again := expect(t, w.do(req{method: "POST", path: consent, token: w.consumer}), http.StatusOK); again["publish_consent_at"] != at {
		t.Errorf("consent given again moved: %v", again["publish_consent_at"])
	}
	staffView := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + complaintID, token: w.admin}), http.StatusOK)
	platformView := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + complaintID, token: w.key}), http.StatusOK)
	if staffView["publish_consent_at"] != at || platformView["publish_consent_at"] != nil {
		t.Errorf("consent in the staff view %v, the platform's %v", staffView["publish_consent_at"], platformView["publish_consent_at"])
	}
	pub := w.publishCase(id)
	if pub["publishable"] != true || pub["publish_consent_at"] != at {
		t.Fatalf("published with consent: %v", pub)
	}
	// A published case stays publishable: with consent the name may stay, an edit is fine.
	expect(t, w.do(req{method: "PATCH", path: path, token: w.admin, body: map[string]any{"summary": "张三的投诉已解决。"}}), http.StatusOK)

	// A second, clean case of another complaint of the same consumer, published without consent.
	cleanComplaint := w.completed(w.consumer, map[string]any{"order_no": "TB-CLEAN-1"})
	clean := w.draftCase(cleanComplaint, nil)["id"].(string)
	w.publishCase(clean)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + cleanComplaint + "/publish-consent", token: w.consumer}), http.StatusOK)

	// Withdrawn: the case that needed it goes, the clean one stays.
	withdrawn := expect(t, w.do(req{method: "DELETE", path: consent, token: w.consumer}), http.StatusOK)
	if _, has := withdrawn["publish_consent_at"]; has {
		t.Errorf("consent still shown: %v", withdrawn)
	}
	k := expect(t, w.do(req{method: "GET", path: path, token: w.admin}), http.StatusOK)
	if k["status"] != "withdrawn" || k["unpublished_reason"] != "consent_withdrawn" || k["publishable"] != false {
		t.Fatalf("after the consent was withdrawn: %v", k)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/cases/" + id}), http.StatusNotFound)
	expect(t, w.do(req{method: "DELETE", path: "/api/v1/complaints/" + cleanComplaint + "/publish-consent", token: w.consumer}), http.StatusOK)
	expect(t, w.do(req{method: "GET", path: "/api/v1/cases/" + clean}), http.StatusOK)
	// Withdrawing a consent never given (or twice) changes nothing.
	expect(t, w.do(req{method: "DELETE", path: consent, token: w.consumer}), http.StatusOK)

	// Without consent, a published case cannot be edited into naming the complainant.
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/cases/" + clean, token: w.admin,
		body: map[string]any{"title": "张三的手机订单纠纷"}}), http.StatusConflict, "consent_required")
	if c := expect(t, w.do(req{method: "GET", path: "/api/v1/cases/" + clean}), http.StatusOK); strings.Contains(c["title"].(string), "张三") {
		t.Errorf("the refused edit was stored: %v", c["title"])
	}
	// Scrubbing the text by hand makes it publishable again.
	expect(t, w.do(req{method: "PATCH", path: path, token: w.admin,
		body: map[string]any{"body": "消费者于11月1日购买手机，商家未发货，经平台督促后退款。", "summary": "投诉已解决。"}}), http.StatusOK)
	w.publishCase(id)

	// Edits are validated.
	for _, bad := range []map[string]any{{"title": "短"}, {"body": ""}, {"sector": "space"}, {"tags": []string{"a", "a"}},
		{"platform_reply": strings.Repeat("长", 10001)}} {
		expect(t, w.do(req{method: "PATCH", path: path, token: w.admin, body: bad}), http.StatusUnprocessableEntity, "validation_failed")
	}
}

// TestErasureWithdrawsCases: erasing the complainant withdraws their cases and empties them.
func TestErasureWithdrawsCases(t *testing.T) {
	w := newWorld(t)
	token, userID := w.register("consumer")
	complaintID := w.completed(token, nil)
	id := w.draftCase(complaintID, nil)["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + complaintID + "/publish-consent", token: token}), http.StatusOK)
	w.publishCase(id)

	rec := expect(t, w.do(req{method: "POST", path: "/api/v1/admin/users/" + userID + "/erase", token: w.admin}), http.StatusOK)
	if rec["counts"].(map[string]any)["cases"] != float64(1) {
		t.Errorf("erasure counts: %v", rec["counts"])
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/cases/" + id}), http.StatusNotFound)
	k := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/cases/" + id, token: w.admin}), http.StatusOK)
	if k["status"] != "withdrawn" || k["unpublished_reason"] != "erased" || k["body"] != "[已删除]" || k["title"] != "[已删除]" ||
		k["publishable"] != false || k["publish_consent_at"] != nil || len(k["scrubbed"].([]any)) != 0 {
		t.Fatalf("after the erasure: %v", k)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/cases/" + id + "/publish", token: w.admin}), http.StatusConflict, "invalid_state")
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/cases", token: w.admin,
		body: map[string]any{"complaint_id": complaintID, "title": "已注销用户的投诉", "summary": "摘要"}}), http.StatusConflict)
}
