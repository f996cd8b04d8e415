package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestCaseRoutesAuthorisation: every route of typical cases and of the publication consent,
// for every kind of caller.
func TestCaseRoutesAuthorisation(t *testing.T) {
	w := newWorld(t)
	tokens := w.principals()
	complaintID := w.completed(w.consumer, nil)
	id := w.draftCase(complaintID, nil)["id"].(string)
	w.publishCase(id)
	other := w.completed(w.consumer, map[string]any{"order_no": "TB-AUTHZ-2"})
	staff := []string{"moderator", "admin"}
	checkAccess(t, w, tokens, []access{
		{method: "GET", path: "/api/v1/cases", allowed: []string{"public"}},
		{method: "GET", path: "/api/v1/cases?sector=digital_retail&tag=退款&q=手机", allowed: []string{"public"}},
		{method: "GET", path: "/api/v1/cases/" + id, allowed: []string{"public"}},
		{method: "GET", path: "/api/v1/cases.atom", allowed: []string{"public"}},
		{method: "POST", path: "/api/v1/admin/cases", allowed: staff,
			body: map[string]any{"complaint_id": other, "title": "授权检查的典型案例", "summary": "摘要"}},
		{method: "GET", path: "/api/v1/admin/cases", allowed: staff},
		{method: "GET", path: "/api/v1/admin/cases/" + id, allowed: staff},
		{method: "PATCH", path: "/api/v1/admin/cases/" + id, allowed: staff, body: map[string]any{"tags": []string{"退款"}}},
		{method: "POST", path: "/api/v1/admin/cases/" + id + "/unpublish", allowed: staff},
		{method: "POST", path: "/api/v1/admin/cases/" + id + "/publish", allowed: staff},
		{method: "POST", path: "/api/v1/complaints/" + complaintID + "/publish-consent", allowed: []string{"consumer"}},
		{method: "DELETE", path: "/api/v1/complaints/" + complaintID + "/publish-consent", allowed: []string{"consumer"}},
	})
	// A merchant's own complaint is theirs to consent for.
	merchant := tokens["merchant"]
	mc := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant, body: map[string]any{
		"platform_id": w.platformID, "order_no": "PDD-AUTHZ-1", "product_name": "有机草莓 500g", "refund_amount": "59.90",
		"description": "买家签收后以坏果为由申请仅退款，未提供任何照片，平台直接同意退款。", "demands": []string{"refund"},
		"evidence_ids": []string{}, "declaration_accepted": true}}), http.StatusCreated)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + mc["id"].(string) + "/publish-consent", token: merchant}), http.StatusOK)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + mc["id"].(string) + "/publish-consent", token: w.consumer}), http.StatusNotFound)
}

// TestCaseLists: the public list's filters and cursor, newest publication first; the staff
// list has drafts too, and a status filter.
func TestCaseLists(t *testing.T) {
	w := newWorld(t)
	life := w.createPlatform(w.admin, "meituan", map[string]any{"name": "美团", "sector": "digital_life", "onboarded": true,
		"after_sales_contact": map[string]string{"phone": "4009208888"}})["id"].(string)
	lifeKey, _ := w.issueKey(w.admin, life)
	var ids []string
	for i := range 4 {
		over := map[string]any{"order_no": fmt.Sprintf("TB-LIST-%d", i)}
		tags := []string{"退款"}
		if i%2 == 1 {
			over["platform_id"], tags = life, []string{"外卖"}
		}
		c := w.file(w.consumer, mergeBody(over, map[string]any{"description": caseDescription}))["id"].(string)
		w.accept(c)
		key := w.key
		if i%2 == 1 {
			key = lifeKey
		}
		w.reply(key, c, "已为您退款。")
		expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + c + "/rating", token: w.consumer, body: map[string]any{"score": 7}}), http.StatusOK)
		k := w.draftCase(c, map[string]any{"title": fmt.Sprintf("第%d个典型案例", i+1), "tags": tags})
		ids = append(ids, k["id"].(string))
	}
	// Published in the order 2, 0, 3; 1 stays a draft.
	for _, i := range []int{2, 0, 3} {
		w.publishCase(ids[i])
		w.clock.Advance(time.Second)
	}
	list := func(query string) []string {
		r := expect(t, w.do(req{method: "GET", path: "/api/v1/cases" + query}), http.StatusOK)
		var out []string
		for _, v := range r["data"].([]any) {
			out = append(out, v.(map[string]any)["id"].(string))
		}
		return out
	}
	if got := list(""); fmt.Sprint(got) != fmt.Sprint([]string{ids[3], ids[0], ids[2]}) {
		t.Errorf("newest publication first: %v, want %v", got, []string{ids[3], ids[0], ids[2]})
	}
	for query, want := range map[string][]string{
		"?sector=digital_life":          {ids[3]},
		"?platform_id=" + w.platformID:  {ids[0], ids[2]},
		"?tag=" + url.QueryEscape("外卖"): {ids[3]},
		"?q=" + url.QueryEscape("第3个"):  {ids[2]},
		"?q=" + url.QueryEscape("手机一部"): {ids[3], ids[0], ids[2]},
		"?tag=" + url.QueryEscape("退"):  nil,
	} {
		if got := list(query); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
	// The cursor walks the list one at a time.
	var walked []string
	for cursor := ""; ; {
		r := expect(t, w.do(req{method: "GET", path: "/api/v1/cases?limit=1&cursor=" + url.QueryEscape(cursor)}), http.StatusOK)
		for _, v := range r["data"].([]any) {
			walked = append(walked, v.(map[string]any)["id"].(string))
		}
		next, _ := r["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if fmt.Sprint(walked) != fmt.Sprint([]string{ids[3], ids[0], ids[2]}) {
		t.Errorf("walked %v", walked)
	}
	for _, bad := range []string{"?sector=space", "?cursor=bogus", "?limit=0", "?q=" + url.QueryEscape(string(make([]rune, 101)))} {
		expect(t, w.do(req{method: "GET", path: "/api/v1/cases" + bad}), http.StatusUnprocessableEntity)
	}
	if feed := parseFeed(t, w.do(req{method: "GET", path: "/api/v1/cases.atom?sector=digital_retail"})); len(feed) != 2 || feed[0].ID == "" {
		t.Errorf("sector feed: %+v", feed)
	}

	staffList := func(query string) int {
		r := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/cases" + query, token: w.admin}), http.StatusOK)
		return len(r["data"].([]any))
	}
	if all, drafts, published := staffList(""), staffList("?status=draft"), staffList("?status=published"); all != 4 || drafts != 1 || published != 3 {
		t.Errorf("staff list: %d in all, %d drafts, %d published", all, drafts, published)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/admin/cases?status=lost", token: w.admin}), http.StatusUnprocessableEntity)
	page := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/cases?limit=3", token: w.admin}), http.StatusOK)
	next := page["next_cursor"].(string)
	rest := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/cases?limit=3&cursor=" + url.QueryEscape(next), token: w.admin}), http.StatusOK)
	if len(rest["data"].([]any)) != 1 || rest["next_cursor"] != nil || page["data"].([]any)[0].(map[string]any)["id"] != ids[3] {
		t.Errorf("staff pages: %v then %v", page["data"], rest)
	}
}

func mergeBody(maps ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// TestCaseReadStatementBudgets: a public page of cases is one statement once the platform is
// cached; the staff's adds their complaints and complainants, one statement each. Reads write
// nothing.
func TestCaseReadStatementBudgets(t *testing.T) {
	w := newWorldWith(t, func(o *appOptions) { o.cacheTTL = time.Hour })
	var id string
	for i := range 5 {
		c := w.completed(w.consumer, map[string]any{"order_no": fmt.Sprintf("TB-READ-%d", i)})
		id = w.draftCase(c, nil)["id"].(string)
		w.publishCase(id)
	}
	stmts := countStatements(t, w.st.DB())
	for _, c := range []struct {
		name, path, token string
		budget            int
	}{
		{"public list", "/api/v1/cases?limit=20", "", 1},
		{"public get", "/api/v1/cases/" + id, "", 1},
		{"feed", "/api/v1/cases.atom", "", 1},
		{"staff list", "/api/v1/admin/cases?limit=20", w.admin, 3},
		{"staff get", "/api/v1/admin/cases/" + id, w.admin, 3},
	} {
		if r := w.do(req{method: "GET", path: c.path, token: c.token}); r.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", c.name, r.Code, r.Body)
		}
		stmts.reset()
		w.do(req{method: "GET", path: c.path, token: c.token})
		got := stmts.take()
		if len(got) > c.budget || len(writes(got)) > 0 {
			t.Errorf("%s: %d statements, budget %d:\n%s", c.name, len(got), c.budget, strings.Join(got, "\n"))
		}
	}
}
