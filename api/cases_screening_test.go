package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestCaseTextsAreScreened: a typical case whose text or tag holds a term of the screening
// list is not published (422 naming the field), and a published case cannot be edited into
// one; rephrased, it is published.
func TestCaseTextsAreScreened(t *testing.T) {
	w := newWorld(t)
	id := w.draftCase(w.completed(w.consumer, nil), nil)["id"].(string)
	path := "/api/v1/admin/cases/" + id
	expect(t, w.do(req{method: "PATCH", path: path, token: w.admin,
		body: map[string]any{"body": "客服说你这个傻逼爱买不买，经平台督促后退款。", "tags": []string{"退款", "傻逼商家"}}}), http.StatusOK)
	p := expect(t, w.do(req{method: "POST", path: path + "/publish", token: w.admin}), http.StatusUnprocessableEntity, "validation_failed")
	fields := map[string]bool{}
	for _, e := range p["errors"].([]any) {
		fields[e.(map[string]any)["field"].(string)] = true
	}
	if !fields["body"] || !fields["tags[1]"] || len(fields) != 2 {
		t.Fatalf("the refusal names %v, want body and tags[1]: %v", fields, p)
	}
	if k := expect(t, w.do(req{method: "GET", path: path, token: w.admin}), http.StatusOK); k["status"] != "draft" {
		t.Fatalf("a refused publication changed the case: %v", k["status"])
	}
	expect(t, w.do(req{method: "PATCH", path: path, token: w.admin,
		body: map[string]any{"body": "客服态度恶劣，经平台督促后退款。", "tags": []string{"退款"}}}), http.StatusOK)
	if pub := w.publishCase(id); pub["status"] != "published" {
		t.Fatalf("rephrased: %v", pub)
	}
	p = expect(t, w.do(req{method: "PATCH", path: path, token: w.admin, body: map[string]any{"summary": "商家骂人傻逼，平台处理后退款。"}}),
		http.StatusUnprocessableEntity, "validation_failed")
	if !strings.Contains(p["errors"].([]any)[0].(map[string]any)["field"].(string), "summary") {
		t.Fatalf("an edit of a published case: %v", p)
	}
	if k := expect(t, w.do(req{method: "GET", path: path, token: w.admin}), http.StatusOK); strings.Contains(k["summary"].(string), "傻逼") {
		t.Fatal("the refused edit was stored")
	}
}
