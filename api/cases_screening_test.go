package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/dianshubao/dianshubao/internal/testkit"
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

// TestAddedScreeningTermWithdrawsPublishedCases: a term added to the list takes the published
// cases holding it (in a text or a tag) off the public pages at once, as withdrawn with the
// reason `screened`, and lists them in the answer; a published case without it and a draft
// with it stay as they were, and the withdrawn case cannot be published again unchanged.
func TestAddedScreeningTermWithdrawsPublishedCases(t *testing.T) {
	w := newWorld(t)
	const term = "套路贷陷阱"
	mk := func(order string, edit map[string]any, publish bool) string {
		id := w.draftCase(w.completed(w.consumer, map[string]any{"order_no": order}), nil)["id"].(string)
		if edit != nil {
			expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/cases/" + id, token: w.admin, body: edit}), http.StatusOK)
		}
		if publish {
			w.publishCase(id)
		}
		return id
	}
	inBody := mk("TB-SCREEN-1", map[string]any{"body": "商家以分期为名设下" + term + "，经平台督促后退款。"}, true)
	inTag := mk("TB-SCREEN-2", map[string]any{"tags": []string{"退款", "套路 贷陷阱"}}, true)
	clean := mk("TB-SCREEN-3", nil, true)
	draft := mk("TB-SCREEN-4", map[string]any{"summary": "消费者遭遇" + term + "后投诉。"}, false)

	added := expect(t, w.do(req{method: "POST", path: "/api/v1/admin/screening-terms", token: w.admin,
		body: map[string]any{"term": term}}), http.StatusCreated)
	got := map[string]bool{}
	for _, id := range added["withdrawn_cases"].([]any) {
		got[id.(string)] = true
	}
	if len(got) != 2 || !got[inBody] || !got[inTag] {
		t.Fatalf("withdrawn_cases %v, want the two published cases holding the term", added["withdrawn_cases"])
	}
	for _, id := range []string{inBody, inTag} {
		expect(t, w.do(req{method: "GET", path: "/api/v1/cases/" + id}), http.StatusNotFound)
		k := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/cases/" + id, token: w.admin}), http.StatusOK)
		if k["status"] != "withdrawn" || k["unpublished_reason"] != "screened" || k["publishable"] != false {
			t.Fatalf("case %s: status %v, reason %v, publishable %v", id, k["status"], k["unpublished_reason"], k["publishable"])
		}
	}
	list := expect(t, w.do(req{method: "GET", path: "/api/v1/cases"}), http.StatusOK)
	var listed []string
	for _, it := range list["data"].([]any) {
		listed = append(listed, it.(map[string]any)["id"].(string))
	}
	if len(listed) != 1 || listed[0] != clean {
		t.Fatalf("the public list holds %v, want only the clean case %s", listed, clean)
	}
	if k := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/cases/" + draft, token: w.admin}), http.StatusOK); k["status"] != "draft" {
		t.Fatalf("the draft holding the term became %v", k["status"])
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/cases/" + inBody + "/publish", token: w.admin}),
		http.StatusUnprocessableEntity, "validation_failed")

	// A term no published case holds withdraws none.
	none := expect(t, w.do(req{method: "POST", path: "/api/v1/admin/screening-terms", token: w.admin,
		body: map[string]any{"term": "从未出现的词语"}}), http.StatusCreated)
	if ids := none["withdrawn_cases"].([]any); len(ids) != 0 {
		t.Fatalf("withdrawn_cases %v for a term no case holds", ids)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/cases/" + clean}), http.StatusOK)
}

// TestCasesAreScreenedWithTheListAsCommitted: a term added on one instance is applied by
// another instance's publication and edit of a case at once, though that instance's copy of
// the list has not reloaded yet: the publication is refused, and so is the edit that would
// put the term into a published case.
func TestCasesAreScreenedWithTheListAsCommitted(t *testing.T) {
	stores := testkit.Stores(t, 2)
	a := newWorldWith(t, func(o *appOptions) { o.store = stores[0] })
	b := &world{testApp: newApp(t, func(o *appOptions) { o.store = stores[1] }),
		admin: a.admin, consumer: a.consumer, platformID: a.platformID, key: a.key}
	const term = "连环套路"
	draft := a.draftCase(a.completed(a.consumer, map[string]any{"order_no": "TB-STALE-1"}), nil)["id"].(string)
	expect(t, a.do(req{method: "PATCH", path: "/api/v1/admin/cases/" + draft, token: a.admin,
		body: map[string]any{"summary": "商家设下" + term + "，消费者投诉后获退款。"}}), http.StatusOK)
	published := a.draftCase(a.completed(a.consumer, map[string]any{"order_no": "TB-STALE-2"}), nil)["id"].(string)
	a.publishCase(published)
	if b.svc.Screening.Match(term) {
		t.Fatal("the term is listed before it was added")
	}

	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/screening-terms", token: a.admin,
		body: map[string]any{"term": term}}), http.StatusCreated)
	expect(t, b.do(req{method: "POST", path: "/api/v1/admin/cases/" + draft + "/publish", token: b.admin}),
		http.StatusUnprocessableEntity, "validation_failed")
	expect(t, b.do(req{method: "PATCH", path: "/api/v1/admin/cases/" + published, token: b.admin,
		body: map[string]any{"summary": "平台处理了" + term + "问题。"}}), http.StatusUnprocessableEntity, "validation_failed")
	expect(t, a.do(req{method: "GET", path: "/api/v1/cases/" + draft}), http.StatusNotFound)
	if k := expect(t, a.do(req{method: "GET", path: "/api/v1/cases/" + published}), http.StatusOK); strings.Contains(k["summary"].(string), term) {
		t.Fatal("the refused edit was stored")
	}
}

// TestAddingATermAndPublishingItDoNotCross: a term added on one instance while another
// instance publishes a case holding it, at the same moment, never leaves the case published:
// either the publication is refused or the addition withdraws it.
func TestAddingATermAndPublishingItDoNotCross(t *testing.T) {
	stores := testkit.Stores(t, 2)
	a := newWorldWith(t, func(o *appOptions) { o.store = stores[0] })
	b := &world{testApp: newApp(t, func(o *appOptions) { o.store = stores[1] }),
		admin: a.admin, consumer: a.consumer, platformID: a.platformID, key: a.key}
	for i := range 8 {
		term := fmt.Sprintf("交叉词%c", rune('甲'+i))
		id := a.draftCase(a.completed(a.consumer, map[string]any{"order_no": fmt.Sprintf("TB-CROSS-%d", i)}), nil)["id"].(string)
		expect(t, a.do(req{method: "PATCH", path: "/api/v1/admin/cases/" + id, token: a.admin,
			body: map[string]any{"summary": "商家设下" + term + "，消费者投诉后获退款。"}}), http.StatusOK)
		var wg sync.WaitGroup
		var added, published *response
		start := make(chan struct{})
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			added = a.do(req{method: "POST", path: "/api/v1/admin/screening-terms", token: a.admin, body: map[string]any{"term": term}})
		}()
		go func() {
			defer wg.Done()
			<-start
			published = b.do(req{method: "POST", path: "/api/v1/admin/cases/" + id + "/publish", token: b.admin})
		}()
		close(start)
		wg.Wait()
		if added.Code != http.StatusCreated || (published.Code != http.StatusOK && published.Code != http.StatusUnprocessableEntity) {
			t.Fatalf("round %d: add %d, publish %d %s", i, added.Code, published.Code, published.Body)
		}
		k := expect(t, a.do(req{method: "GET", path: "/api/v1/admin/cases/" + id, token: a.admin}), http.StatusOK)
		if k["status"] == "published" {
			t.Fatalf("round %d: the case holding %q is published (publish answered %d)", i, term, published.Code)
		}
	}
}
