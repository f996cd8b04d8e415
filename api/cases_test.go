package api_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
)

// caseDescription is a complaint full of the complainant's personal information.
const caseDescription = "我叫张三，11月1日在该平台购买手机一部，订单号TB2026112600001，联系电话13800138000，" +
	"收货地址：北京市朝阳区建国路88号3号楼1201室，商家至今未发货，申请退款被拒绝。"

// completed files a complaint that names its complainant everywhere, has it accepted, replied
// to (the reply quotes the complainant) and rated: a complaint ready to become a case.
func (w *world) completed(token string, overrides map[string]any) string {
	w.t.Helper()
	body := map[string]any{"description": caseDescription}
	for k, v := range overrides {
		body[k] = v
	}
	id := w.file(token, body)["id"].(string)
	w.accept(id)
	w.reply(w.key, id, "张先生您好，已为您办理退款，款项将在1-3个工作日内退回您的银行卡，如有疑问请致电400-123-4567。")
	expect(w.t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: token,
		body: map[string]any{"score": 9, "comment": "处理及时，谢谢平台"}}), http.StatusOK)
	return id
}

func (w *world) draftCase(complaintID string, extra map[string]any) map[string]any {
	w.t.Helper()
	body := map[string]any{"complaint_id": complaintID, "title": "付款后商家拒不发货，平台督促后全额退款",
		"summary": "消费者下单购买手机后商家迟迟不发货，经电诉宝递交平台，平台核实后全额退款。", "tags": []string{"退款", "发货物流"}}
	for k, v := range extra {
		body[k] = v
	}
	return expect(w.t, w.do(req{method: "POST", path: "/api/v1/admin/cases", token: w.admin, body: body}), http.StatusCreated)
}

func (w *world) publishCase(id string) map[string]any {
	w.t.Helper()
	return expect(w.t, w.do(req{method: "POST", path: "/api/v1/admin/cases/" + id + "/publish", token: w.admin}), http.StatusOK)
}

// noPersonalInformation fails when the public body names the complainant in any way.
func noPersonalInformation(t *testing.T, body []byte, forbidden ...string) {
	t.Helper()
	for _, s := range append([]string{"张三", "13800138000", "1380013", "TB2026112600001", "建国路88号", "1201室",
		"contact_name", "contact_phone", "order_no", "complainant", "complaint_id", "number"}, forbidden...) {
		if strings.Contains(string(body), s) {
			t.Errorf("the public answer holds %q: %s", s, body)
		}
	}
}

// TestCaseLifecycle: a completed complaint becomes a scrubbed draft, which the public does not
// see; published, it is listed, shown and syndicated without the complainant's personal
// information; unpublished, it is gone again.
func TestCaseLifecycle(t *testing.T) {
	w := newWorld(t)
	complaintID := w.completed(w.consumer, nil)
	complaint := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + complaintID, token: w.admin}), http.StatusOK)

	draft := w.draftCase(complaintID, nil)
	id := draft["id"].(string)
	if draft["status"] != "draft" || draft["status_label"] != "草稿" || draft["published_at"] != nil ||
		draft["complaint_id"] != complaintID || draft["complaint_number"] != complaint["number"] || draft["sector"] != "digital_retail" {
		t.Fatalf("draft: %v", draft)
	}
	body := draft["body"].(string)
	for _, want := range []string{"【投诉】商品未发货且拒绝退款", "我叫张**", "订单号****0001", "联系电话138****8000", "北京市朝阳区****",
		"【诉求】退款（涉及金额1999.00元）", "评分9分（满分10分）", "处理及时，谢谢平台"} {
		if !strings.Contains(body, want) {
			t.Errorf("the draft's body lacks %q: %s", want, body)
		}
	}
	if reply := draft["platform_reply"].(string); !strings.HasPrefix(reply, "【2026-11-26】张**您好") || !strings.Contains(reply, "400-123-4567") {
		t.Errorf("platform_reply: %q", reply)
	}
	kinds := map[string]bool{}
	for _, h := range draft["scrubbed"].([]any) {
		hit := h.(map[string]any)
		kinds[hit["field"].(string)+":"+hit["kind"].(string)] = true
		field := []rune(draft[hit["field"].(string)].(string))
		start, end := int(hit["start"].(float64)), int(hit["end"].(float64))
		if string(field[start:end]) != hit["marker"] {
			t.Errorf("hit %v: the text there is %q", hit, string(field[start:end]))
		}
	}
	for _, k := range []string{"body:name", "body:order_no", "body:mobile", "body:address", "platform_reply:name"} {
		if !kinds[k] {
			t.Errorf("scrubbed lacks %s: %v", k, draft["scrubbed"])
		}
	}
	if len(draft["personal_information"].([]any)) != 0 || draft["publishable"] != true {
		t.Errorf("a fresh draft holds personal information: %v", draft["personal_information"])
	}
	tl := draft["timeline"].([]any)
	if len(tl) != 5 || tl[0].(map[string]any)["event"] != "filed" || tl[0].(map[string]any)["date"] != "2026-11-26" ||
		tl[4].(map[string]any)["event"] != "completed" {
		t.Errorf("timeline: %v", tl)
	}
	if o := draft["outcome"].(map[string]any); o["status"] != "completed" || o["rating"] != float64(9) || o["issue_type"] != "refund" {
		t.Errorf("outcome: %v", o)
	}

	// The public sees no draft.
	if l := expect(t, w.do(req{method: "GET", path: "/api/v1/cases"}), http.StatusOK); len(l["data"].([]any)) != 0 {
		t.Fatalf("a draft is listed: %v", l)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/cases/" + id}), http.StatusNotFound, "not_found")

	pub := w.publishCase(id)
	if pub["status"] != "published" || pub["published_at"] == nil || pub["version"] != float64(2) {
		t.Fatalf("published: %v", pub)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/cases/" + id + "/publish", token: w.admin}), http.StatusConflict, "invalid_state")

	list := w.do(req{method: "GET", path: "/api/v1/cases"})
	l := expect(t, list, http.StatusOK)
	if len(l["data"].([]any)) != 1 || list.Header.Get("ETag") == "" || !strings.HasPrefix(list.Header.Get("Cache-Control"), "public") {
		t.Fatalf("public list: %v %v", l, list.Header)
	}
	noPersonalInformation(t, list.Body, w.consumerID, complaintID, complaint["number"].(string))
	one := w.do(req{method: "GET", path: "/api/v1/cases/" + id})
	v := expect(t, one, http.StatusOK)
	noPersonalInformation(t, one.Body, w.consumerID, complaintID, complaint["number"].(string))
	for _, staffOnly := range []string{"status", "scrubbed", "personal_information", "publish_consent_at", "created_by"} {
		if _, ok := v[staffOnly]; ok {
			t.Errorf("the public view has %s", staffOnly)
		}
	}
	if v["platform"].(map[string]any)["name"] != "淘宝" || v["title"] != draft["title"] {
		t.Errorf("public view: %v", v)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/cases/" + id, header: map[string]string{"If-None-Match": one.Header.Get("ETag")}}),
		http.StatusNotModified)

	feed := w.do(req{method: "GET", path: "/api/v1/cases.atom"})
	entries := parseFeed(t, feed)
	if len(entries) != 1 || entries[0].ID != "tag:dianshubao.example,2026:case:"+id || entries[0].Title != draft["title"] ||
		entries[0].Link.Href != "/api/v1/cases/"+id || entries[0].Summary != draft["summary"] || entries[0].Updated == "" ||
		!strings.Contains(entries[0].Content, "【平台回复】") {
		t.Fatalf("feed entries: %+v", entries)
	}
	noPersonalInformation(t, feed.Body, w.consumerID, complaintID, complaint["number"].(string))

	un := expect(t, w.do(req{method: "POST", path: "/api/v1/admin/cases/" + id + "/unpublish", token: w.admin}), http.StatusOK)
	if un["status"] != "withdrawn" || un["status_label"] != "已撤回" || un["unpublished_reason"] != "staff" {
		t.Fatalf("unpublished: %v", un)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/cases/" + id + "/unpublish", token: w.admin}), http.StatusConflict, "invalid_state")
	expect(t, w.do(req{method: "GET", path: "/api/v1/cases/" + id}), http.StatusNotFound)
	if entries := parseFeed(t, w.do(req{method: "GET", path: "/api/v1/cases.atom"})); len(entries) != 0 {
		t.Errorf("a withdrawn case is in the feed: %+v", entries)
	}
	// Published again, it is back, with reason cleared.
	if again := w.publishCase(id); again["unpublished_reason"] != nil {
		t.Errorf("republished: %v", again)
	}
}

type atomEntry struct {
	ID        string `xml:"id"`
	Title     string `xml:"title"`
	Updated   string `xml:"updated"`
	Published string `xml:"published"`
	Summary   string `xml:"summary"`
	Content   string `xml:"content"`
	Link      struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
	} `xml:"link"`
	Categories []struct {
		Term string `xml:"term,attr"`
	} `xml:"category"`
}

// parseFeed reads an Atom 1.0 feed as a reader would: its type, namespace, required elements.
func parseFeed(t *testing.T, r *response) []atomEntry {
	t.Helper()
	if r.Code != http.StatusOK || r.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("feed: %d %s: %s", r.Code, r.Header.Get("Content-Type"), r.Body)
	}
	var feed struct {
		XMLName xml.Name    `xml:"feed"`
		ID      string      `xml:"id"`
		Title   string      `xml:"title"`
		Updated string      `xml:"updated"`
		Author  string      `xml:"author>name"`
		Entries []atomEntry `xml:"entry"`
	}
	if err := xml.Unmarshal(r.Body, &feed); err != nil {
		t.Fatalf("the feed is not XML: %v\n%s", err, r.Body)
	}
	if feed.XMLName.Space != "http://www.w3.org/2005/Atom" || feed.ID == "" || feed.Title == "" || feed.Updated == "" || feed.Author == "" {
		t.Fatalf("not an Atom feed: %+v", feed)
	}
	return feed.Entries
}

// TestCaseRefusals: what cannot become a case, and a second case of one complaint.
func TestCaseRefusals(t *testing.T) {
	w := newWorld(t)
	open := w.file(w.consumer, map[string]any{"order_no": "TB-OPEN-1"})["id"].(string)
	create := func(body map[string]any) *response {
		return w.do(req{method: "POST", path: "/api/v1/admin/cases", token: w.admin, body: body})
	}
	base := map[string]any{"complaint_id": open, "title": "一个典型案例的标题", "summary": "摘要"}
	expect(t, create(base), http.StatusConflict, "invalid_state")
	for field, bad := range map[string]any{"complaint_id": "no-such-complaint", "title": "短", "summary": "",
		"sector": "space", "tags": []string{"张先生"}} {
		b := map[string]any{}
		for k, v := range base {
			b[k] = v
		}
		b[field] = bad
		p := expect(t, create(b), http.StatusUnprocessableEntity, "validation_failed")
		if errs, _ := json.Marshal(p["errors"]); !strings.Contains(string(errs), `"`+field+`"`) {
			t.Errorf("%s=%v: %v", field, bad, p["errors"])
		}
	}
	done := w.completed(w.consumer, map[string]any{"order_no": "TB-DONE-1"})
	first := w.draftCase(done, map[string]any{"sector": "digital_life", "tags": []string{}})
	if first["sector"] != "digital_life" || len(first["tags"].([]any)) != 0 {
		t.Errorf("sector and tags: %v", first)
	}
	p := expect(t, create(map[string]any{"complaint_id": done, "title": "同一投诉的第二个案例", "summary": "摘要"}), http.StatusConflict, "case_exists")
	if p["existing_id"] != first["id"] {
		t.Errorf("existing_id: %v", p)
	}
	// Idempotency-Key: the same request again is the first answer.
	other := w.completed(w.consumer, map[string]any{"order_no": "TB-DONE-2"})
	rq := req{method: "POST", path: "/api/v1/admin/cases", token: w.admin, header: map[string]string{"Idempotency-Key": "case-1"},
		body: map[string]any{"complaint_id": other, "title": "重放的典型案例标题", "summary": "摘要"}}
	one, two := w.do(rq), w.do(rq)
	if one.Code != http.StatusCreated || two.Code != http.StatusCreated || string(one.Body) != string(two.Body) ||
		two.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay: %d %d %s", one.Code, two.Code, two.Header)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/admin/cases/no-such-case", token: w.admin}), http.StatusNotFound)
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/cases/no-such-case/publish", token: w.admin}), http.StatusNotFound)
}
