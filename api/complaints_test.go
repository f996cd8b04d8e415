package api_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/service"
)

// world is a test app with an admin, a reachable platform with a key, and a consumer.
type world struct {
	*testApp
	admin, consumer, consumerID, consumerPhone string
	platformID, key                            string
}

// advance moves the clock and logs the admin and the consumer in again, as their clients would.
func (w *world) advance(d time.Duration) {
	w.clock.Advance(d)
	w.admin = w.adminToken()
	w.consumer = w.login(w.consumerPhone)
}

func newWorld(t *testing.T) *world { return newWorldWith(t) }

func newWorldWith(t *testing.T, opts ...func(*appOptions)) *world {
	a := newApp(t, opts...)
	w := &world{testApp: a, admin: a.adminToken()}
	w.consumer, w.consumerID, w.consumerPhone = a.registerPhone("consumer")
	w.platformID = a.createPlatform(w.admin, "taobao", map[string]any{"name": "淘宝", "onboarded": true,
		"after_sales_contact": map[string]string{"phone": "95188"}})["id"].(string)
	w.key, _ = a.issueKey(w.admin, w.platformID)
	return w
}

func complaintBody(platformID string, overrides map[string]any) map[string]any {
	b := map[string]any{
		"platform_id": platformID, "issue_type": "refund", "title": "商品未发货且拒绝退款",
		"description": "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝，客服不予回复。",
		"order_no":    "TB2026112600001", "amount": "1999.00", "demands": []string{"refund"},
		"contact_name": "张三", "contact_phone": "13800138000", "evidence_ids": []string{}, "declaration_accepted": true,
	}
	for k, v := range overrides {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

func (w *world) file(token string, overrides map[string]any) map[string]any {
	w.t.Helper()
	return expect(w.t, w.do(req{method: "POST", path: "/api/v1/complaints", token: token, body: complaintBody(w.platformID, overrides)}), http.StatusCreated)
}

func (w *world) accept(id string) map[string]any {
	w.t.Helper()
	return expect(w.t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/accept", token: w.admin}), http.StatusOK)
}

func (w *world) reply(key, id, content string) map[string]any {
	w.t.Helper()
	return expect(w.t, w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: key,
		body: map[string]any{"content": content}}), http.StatusCreated)
}

var numberRe = regexp.MustCompile(`^DSB\d{8}\d{6}$`)

func TestCreateComplaint(t *testing.T) {
	w := newWorld(t)
	png := testPNG(t)
	ev := expect(t, w.upload(w.consumer, "截图.png", "image/png", png), http.StatusCreated)
	c := w.file(w.consumer, map[string]any{"evidence_ids": []string{ev["id"].(string)}})

	if c["status"] != "pending_review" || c["status_label"] != "待审核" || c["channel"] != "consumer" || c["complainant_type"] != "consumer" {
		t.Fatalf("new complaint: %v", c)
	}
	// Numbers count days in China time: 08:00 UTC on 26 Nov is the 26th there too.
	if n := c["number"].(string); !numberRe.MatchString(n) || !strings.HasPrefix(n, "DSB20261126") {
		t.Fatalf("number %q", n)
	}
	if c["amount"] != "1999.00" || c["refund_amount"] != nil || c["product_name"] != nil || c["delivered_at"] != nil || c["rating"] != nil || c["rejection"] != nil {
		t.Fatalf("fields: %v", c)
	}
	if _, has := c["flags"]; has {
		t.Fatal("the owner sees flags")
	}
	evs := c["evidence"].([]any)
	if len(evs) != 1 || evs[0].(map[string]any)["sha256"] != sha256Of(png) {
		t.Fatalf("evidence: %v", evs)
	}
	tl := c["timeline"].([]any)
	if len(tl) != 1 || tl[0].(map[string]any)["from"] != nil || tl[0].(map[string]any)["to"] != "pending_review" || tl[0].(map[string]any)["actor_type"] != "consumer" {
		t.Fatalf("timeline: %v", tl)
	}
	if c["platform"].(map[string]any)["name"] != "淘宝" || c["version"] != float64(1) {
		t.Fatalf("platform/version: %v", c)
	}

	// A day later in China time the sequence starts again for the new day; within a day it counts up.
	second := w.file(w.consumer, map[string]any{"order_no": "TB2"})
	if second["number"].(string) <= c["number"].(string) {
		t.Fatalf("numbers not increasing: %v %v", c["number"], second["number"])
	}
	w.advance(8*time.Hour + 30*time.Minute) // 16:30 UTC is 00:30 on the 27th in Shanghai
	third := w.file(w.consumer, map[string]any{"order_no": "TB3"})
	if !strings.HasPrefix(third["number"].(string), "DSB20261127") || !strings.HasSuffix(third["number"].(string), "000001") {
		t.Fatalf("number on a new China day: %v", third["number"])
	}

	// Only consumers file on this channel; merchants use refund-only.
	merchant, _ := w.register("merchant")
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: merchant, body: complaintBody(w.platformID, nil)}), http.StatusForbidden)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.key, body: complaintBody(w.platformID, nil)}), http.StatusForbidden)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", body: complaintBody(w.platformID, nil)}), http.StatusUnauthorized)
}

func TestComplaintValidation(t *testing.T) {
	w := newWorld(t)
	other, _ := w.register("consumer")
	othersEvidence := expect(t, w.upload(other, "x.png", "image/png", testPNG(t)), http.StatusCreated)["id"].(string)
	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprintf("ev%d", i)
	}
	cases := map[string]map[string]any{
		"issue_type":           {"issue_type": "bad_service"},
		"title":                {"title": "太短"},
		"description":          {"description": "太短了"},
		"contact_name":         {"contact_name": ""},
		"contact_phone":        {"contact_phone": "12345"},
		"demands":              {"demands": []string{}},
		"platform_id":          {"platform_id": "no-such-platform"},
		"declaration_accepted": {"declaration_accepted": false},
		"amount":               {"amount": "19.999"},
		"order_no":             {"order_no": strings.Repeat("9", 256)},
		"evidence_ids":         {"evidence_ids": many},
	}
	cases["title too long"] = map[string]any{"title": strings.Repeat("长", 101)}
	cases["description too long"] = map[string]any{"description": strings.Repeat("长", 5001)}
	cases["demands unknown"] = map[string]any{"demands": []string{"refund", "revenge"}}
	cases["demands twice"] = map[string]any{"demands": []string{"refund", "refund"}}
	cases["evidence of another"] = map[string]any{"evidence_ids": []string{othersEvidence}}
	cases["evidence unknown"] = map[string]any{"evidence_ids": []string{"nope"}}
	cases["control character"] = map[string]any{"title": "商品未发货\x00拒绝退款"}
	cases["amount negative"] = map[string]any{"amount": "-1.00"}
	cases["amount too big"] = map[string]any{"amount": "100000000.00"}
	cases["declaration missing"] = map[string]any{"declaration_accepted": nil}
	cases["demands missing"] = map[string]any{"demands": nil}
	field := func(name string) string {
		switch {
		case strings.HasPrefix(name, "title"):
			return "title"
		case strings.HasPrefix(name, "description"):
			return "description"
		case strings.HasPrefix(name, "demands"):
			return "demands"
		case strings.HasPrefix(name, "evidence"):
			return "evidence_ids"
		case strings.HasPrefix(name, "amount"):
			return "amount"
		case strings.HasPrefix(name, "declaration"):
			return "declaration_accepted"
		case name == "control character":
			return "title"
		}
		return name
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			m := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: complaintBody(w.platformID, o)}),
				http.StatusUnprocessableEntity, "validation_failed")
			assertFieldError(t, m, field(name))
		})
	}
	// Wrong JSON types are 422 naming the field too.
	m := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer,
		body: complaintBody(w.platformID, map[string]any{"amount": 19.99})}), http.StatusUnprocessableEntity)
	assertFieldError(t, m, "amount")
	// Nothing was stored by the refusals.
	list := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints", token: w.consumer}), http.StatusOK)
	if n := len(list["data"].([]any)); n != 0 {
		t.Fatalf("%d complaints stored by invalid requests", n)
	}
}

func TestDuplicateRule(t *testing.T) {
	w := newWorld(t)
	first := w.file(w.consumer, nil)
	m := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer,
		body: complaintBody(w.platformID, map[string]any{"title": "另一个标题的投诉", "description": "这是另一段不同的描述文字，订单号相同，应当被认为是重复投诉。"})}),
		http.StatusConflict, "duplicate_complaint")
	if m["existing_id"] != first["id"] {
		t.Fatalf("existing_id %v, want %v", m["existing_id"], first["id"])
	}
	// Another platform, or another complainant, is not a duplicate.
	p2 := w.createPlatform(w.admin, "jd", nil)["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: complaintBody(p2, nil)}), http.StatusCreated)
	other, _ := w.register("consumer")
	w.file(other, nil)
	// Once the first is withdrawn, the order may be complained about again.
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + first["id"].(string) + "/withdraw", token: w.consumer,
		body: map[string]string{"reason": "误操作"}}), http.StatusOK)
	w.file(w.consumer, nil)

	// Without an order number: the same text (whitespace aside) within 24 h.
	noOrder := map[string]any{"order_no": nil, "title": "客服态度恶劣不处理", "description": "多次联系客服均被敷衍，问题一直没有得到处理，请平台介入。"}
	a := w.file(w.consumer, noOrder)
	spaced := map[string]any{"order_no": nil, "title": "客服态度 恶劣不处理 ", "description": "多次联系客服均被敷衍，\n问题一直没有得到处理，请平台介入。"}
	m = expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: complaintBody(w.platformID, spaced)}),
		http.StatusConflict, "duplicate_complaint")
	if m["existing_id"] != a["id"] {
		t.Fatalf("existing_id %v, want %v", m["existing_id"], a["id"])
	}
	w.advance(24*time.Hour + time.Second)
	w.file(w.consumer, spaced)
}

func TestScreeningFlags(t *testing.T) {
	w := newWorld(t)
	clean := w.file(w.consumer, nil)
	flagged := w.file(w.consumer, map[string]any{"order_no": "TB9", "description": "这家店主是个傻逼，收了钱不发货还骂人，要求退款并道歉。"})
	if flagged["status"] != "pending_review" {
		t.Fatal("a screening hit must not reject a consumer complaint")
	}
	if _, has := flagged["flags"]; has {
		t.Fatal("the owner sees flags")
	}
	staff := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + flagged["id"].(string), token: w.admin}), http.StatusOK)
	if fmt.Sprint(staff["flags"]) != "[abusive_language]" {
		t.Fatalf("staff flags: %v", staff["flags"])
	}
	cleanStaff := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + clean["id"].(string), token: w.admin}), http.StatusOK)
	if fmt.Sprint(cleanStaff["flags"]) != "[]" {
		t.Fatalf("clean flags: %v", cleanStaff["flags"])
	}
	q := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints?flag=abusive_language", token: w.admin}), http.StatusOK)
	items := q["data"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != flagged["id"] {
		t.Fatalf("flag filter: %v", items)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints?flag=rude", token: w.admin}), http.StatusUnprocessableEntity)
	// A supplement with abusive words flags a clean complaint.
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + clean["id"].(string) + "/supplements", token: w.consumer,
		body: map[string]any{"text": "他妈的到现在还不处理"}}), http.StatusOK)
	cleanStaff = expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + clean["id"].(string), token: w.admin}), http.StatusOK)
	if fmt.Sprint(cleanStaff["flags"]) != "[abusive_language]" {
		t.Fatalf("flags after supplement: %v", cleanStaff["flags"])
	}
}

func TestComplaintLifecycle(t *testing.T) {
	w := newWorld(t)
	c := w.file(w.consumer, nil)
	id := c["id"].(string)
	// Before review the platform sees nothing.
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key}), http.StatusNotFound)
	expect(t, w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: w.key, body: map[string]any{"content": "x"}}), http.StatusNotFound)
	if n := len(expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints", token: w.key}), http.StatusOK)["data"].([]any)); n != 0 {
		t.Fatalf("platform sees %d complaints before delivery", n)
	}
	// Rating before a reply is an invalid state.
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: w.consumer, body: map[string]any{"score": 8}}), http.StatusConflict, "invalid_state")

	w.advance(time.Hour)
	acc := w.accept(id)
	if acc["status"] != "delivered" || acc["status_label"] != "已递交" || acc["delivered_at"] != "2026-11-26T09:00:00Z" || acc["reply_due_at"] != "2026-11-29T09:00:00Z" {
		t.Fatalf("accepted: %v", acc)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/accept", token: w.admin}), http.StatusConflict, "invalid_state")
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/reject", token: w.admin,
		body: map[string]string{"reason_code": "other", "note": "x"}}), http.StatusConflict, "invalid_state")

	pv := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key}), http.StatusOK)
	if pv["contact_name"] != "张三" || pv["contact_phone"] != "13800138000" || pv["delivered_at"] == nil || pv["reply_due_at"] == nil {
		t.Fatalf("platform view: %v", pv)
	}
	for _, hidden := range []string{"flags", "timeline"} {
		if _, has := pv[hidden]; has {
			t.Errorf("platform view shows %s", hidden)
		}
	}

	// The reply, with an idempotency key: a retry does not post twice.
	w.advance(2 * time.Hour)
	hdr := map[string]string{"Idempotency-Key": "reply-1"}
	body := map[string]any{"content": "您好，已为您办理退款，款项将在1-3个工作日内原路退回。"}
	r1 := w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: w.key, body: body, header: hdr})
	replied := expect(t, r1, http.StatusCreated)
	r2 := w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: w.key, body: body, header: hdr})
	if r2.Code != http.StatusCreated || string(r2.Body) != string(r1.Body) || r2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s", r2.Code, r2.Body)
	}
	if replied["status"] != "replied" || replied["first_replied_at"] != "2026-11-26T11:00:00Z" || len(replied["replies"].([]any)) != 1 {
		t.Fatalf("after reply: %v", replied)
	}
	w.advance(time.Hour)
	later := w.reply(w.key, id, "补充说明：退款已到账，请查收。")
	if later["status"] != "replied" || later["first_replied_at"] != "2026-11-26T11:00:00Z" || len(later["replies"].([]any)) != 2 {
		t.Fatalf("second reply: %v", later)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: w.key, body: map[string]any{"content": ""}}), http.StatusUnprocessableEntity)

	// Rating bounds, then once only.
	for _, bad := range []any{0, 11, -1, 5.5, "8"} {
		expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: w.consumer, body: map[string]any{"score": bad}}), http.StatusUnprocessableEntity)
	}
	rated := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: w.consumer,
		body: map[string]any{"score": 9, "comment": "处理及时"}}), http.StatusOK)
	if rated["status"] != "completed" || rated["rating"].(map[string]any)["score"] != float64(9) || rated["completed_at"] == nil {
		t.Fatalf("rated: %v", rated)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: w.consumer, body: map[string]any{"score": 3}}), http.StatusConflict, "invalid_state")
	expect(t, w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: w.key, body: body}), http.StatusConflict, "invalid_state")
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/withdraw", token: w.consumer, body: map[string]any{"reason": "x"}}), http.StatusConflict, "invalid_state")
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer, body: map[string]any{"text": "x"}}), http.StatusConflict, "invalid_state")

	// The timeline tells the whole story, oldest first.
	own := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: w.consumer}), http.StatusOK)
	var steps []string
	for _, e := range own["timeline"].([]any) {
		m := e.(map[string]any)
		steps = append(steps, fmt.Sprintf("%v>%v by %v", m["from"], m["to"], m["actor_type"]))
	}
	want := []string{"<nil>>pending_review by consumer", "pending_review>delivered by admin", "delivered>replied by platform", "replied>completed by consumer"}
	if strings.Join(steps, "; ") != strings.Join(want, "; ") {
		t.Fatalf("timeline:\n%v\nwant\n%v", steps, want)
	}
	if own["version"].(float64) < 5 {
		t.Fatalf("version %v did not count the changes", own["version"])
	}

	// Notifications: delivered and replied, to the complaint's contact phone, handed by their
	// jobs to the default provider, which only logs them: logged, not sent.
	w.runJobs()
	n := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/notifications?phone=13800138000", token: w.admin}), http.StatusOK)
	var kinds []string
	for _, it := range n["data"].([]any) {
		m := it.(map[string]any)
		kinds = append(kinds, m["kind"].(string))
		if m["complaint_id"] != id || m["status"] != "logged" || m["sent_at"] == nil || !strings.Contains(m["text"].(string), c["number"].(string)) {
			t.Errorf("notification: %v", m)
		}
	}
	if strings.Join(kinds, ",") != "replied,delivered" {
		t.Fatalf("notification kinds (newest first): %v", kinds)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/admin/notifications", token: w.consumer}), http.StatusForbidden)
	expect(t, w.do(req{method: "GET", path: "/api/v1/admin/notifications?phone=abc", token: w.admin}), http.StatusUnprocessableEntity)
}

func TestRejectAndResubmit(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/reject", token: w.admin,
		body: map[string]string{"reason_code": "rude", "note": "x"}}), http.StatusUnprocessableEntity)
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/reject", token: w.consumer,
		body: map[string]string{"reason_code": "other", "note": "x"}}), http.StatusForbidden)
	rej := expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/reject", token: w.admin,
		body: map[string]string{"reason_code": "missing_information", "note": "请补充订单截图"}}), http.StatusOK)
	r := rej["rejection"].(map[string]any)
	if rej["status"] != "rejected" || rej["status_label"] != "经审核投诉不予受理" || r["reason_code"] != "missing_information" || r["note"] != "请补充订单截图" {
		t.Fatalf("rejected: %v", rej)
	}
	n := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/notifications?phone=13800138000", token: w.admin}), http.StatusOK)["data"].([]any)
	// The note is a sentence of its own, ended and followed by the next one.
	want := "【电诉宝】您的投诉（编号" + rej["number"].(string) + "）经审核不予受理，原因：投诉信息缺少重要部分。说明：请补充订单截图。您可补充信息后再次提交，请理性维权。"
	if len(n) != 1 || n[0].(map[string]any)["kind"] != "rejected" || n[0].(map[string]any)["text"] != want {
		t.Fatalf("rejection notification: %v\nwant text %s", n, want)
	}
	// A supplement re-submits it.
	back := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
		body: map[string]any{"text": "已补充订单截图和付款凭证。"}}), http.StatusOK)
	if back["status"] != "pending_review" || back["rejection"] != nil || len(back["supplements"].([]any)) != 1 {
		t.Fatalf("re-submitted: %v", back)
	}
	// Out of scope is final: no supplement, but the complainant can see why.
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/reject", token: w.admin,
		body: map[string]string{"reason_code": "out_of_scope", "note": "不属于网络消费纠纷"}}), http.StatusOK)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
		body: map[string]any{"text": "再补充"}}), http.StatusConflict, "invalid_state")
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/withdraw", token: w.consumer,
		body: map[string]any{"reason": "算了"}}), http.StatusConflict, "invalid_state")
}

func TestPaddedAndControlText(t *testing.T) {
	w := newWorld(t)
	// Lengths count what is stored: the text without surrounding white space.
	m := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer,
		body: complaintBody(w.platformID, map[string]any{"title": "  ab    "})}), http.StatusUnprocessableEntity)
	assertFieldError(t, m, "title")
	m = expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer,
		body: complaintBody(w.platformID, map[string]any{"title": "abc\rdefgh"})}), http.StatusUnprocessableEntity)
	assertFieldError(t, m, "title")
	// CRLF, as browsers send text areas, is a newline.
	c := w.file(w.consumer, map[string]any{"description": "第一行：商家不发货。\r\n第二行：客服不回复，要求退款处理。"})
	if !strings.Contains(c["description"].(string), "\n") {
		t.Fatalf("description: %q", c["description"])
	}
}

// TestConcurrentDuplicateFilings files the same order twice at once: exactly one wins.
func TestConcurrentDuplicateFilings(t *testing.T) {
	w := newWorld(t)
	for round := range 5 {
		body := complaintBody(w.platformID, map[string]any{"order_no": fmt.Sprintf("RACE-%d", round)})
		codes := make(chan int, 2)
		for range 2 {
			go func() {
				codes <- w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: body}).Code
			}()
		}
		got := []int{<-codes, <-codes}
		if !((got[0] == 201 && got[1] == 409) || (got[0] == 409 && got[1] == 201)) {
			t.Fatalf("round %d: %v, want one 201 and one 409", round, got)
		}
	}
}

func TestAwaitingContactIsDeliveredWhenReachable(t *testing.T) {
	w := newWorld(t)
	dark := w.createPlatform(w.admin, "xianyu", map[string]any{"name": "闲鱼"})["id"].(string)
	id := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: complaintBody(dark, nil)}), http.StatusCreated)["id"].(string)
	acc := w.accept(id)
	if acc["status"] != "awaiting_contact" || acc["status_label"] != "未有效处理" || acc["delivered_at"] != nil {
		t.Fatalf("accepted for an unreachable platform: %v", acc)
	}
	// Onboarded but without any contact: still unreachable.
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + dark, token: w.admin, body: map[string]any{"onboarded": true}}), http.StatusOK)
	if s := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: w.consumer}), http.StatusOK)["status"]; s != "awaiting_contact" {
		t.Fatalf("status %v", s)
	}
	// An API key makes it reachable: the change queues the delivery, which the work queue
	// makes, not the request and not a later sweep.
	key, _ := w.issueKey(w.admin, dark)
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: key}), http.StatusNotFound)
	w.runJobs()
	got := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: key}), http.StatusOK)
	if got["status"] != "delivered" {
		t.Fatalf("after the key: %v", got["status"])
	}
	own := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: w.consumer}), http.StatusOK)
	tl := own["timeline"].([]any)
	last := tl[len(tl)-1].(map[string]any)
	if last["from"] != "awaiting_contact" || last["to"] != "delivered" || last["actor_type"] != "system" {
		t.Fatalf("timeline: %v", tl)
	}

	// And by contact: a second unreachable platform, made reachable by its after-sales contact.
	dark2 := w.createPlatform(w.admin, "zhuanzhuan", map[string]any{"onboarded": true})["id"].(string)
	id2 := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: complaintBody(dark2, nil)}), http.StatusCreated)["id"].(string)
	if w.accept(id2)["status"] != "awaiting_contact" {
		t.Fatal("not awaiting")
	}
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + dark2, token: w.admin,
		body: map[string]any{"after_sales_contact": map[string]string{"email": "kefu@zhuanzhuan.example"}}}), http.StatusOK)
	w.runJobs()
	if s := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id2, token: w.consumer}), http.StatusOK)["status"]; s != "delivered" {
		t.Fatalf("after the contact: %v", s)
	}

	// An enabled webhook endpoint is enough: with its only key revoked, the platform is still
	// reachable through the endpoint.
	dark3 := w.createPlatform(w.admin, "dark3", map[string]any{"onboarded": true})["id"].(string)
	key3, key3ID := w.issueKey(w.admin, dark3)
	rc := newReceiver(t)
	epID, _ := w.endpoint(key3, rc.URL)
	expect(t, w.do(req{method: "DELETE", path: "/api/v1/admin/platforms/" + dark3 + "/api-keys/" + key3ID, token: w.admin}), http.StatusOK)
	id3 := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: complaintBody(dark3, nil)}), http.StatusCreated)["id"].(string)
	if s := w.accept(id3)["status"]; s != "delivered" {
		t.Fatalf("a platform reachable by its webhook endpoint: %v", s)
	}
	// Without the endpoint (disabled) nothing reaches it.
	key4, _ := w.issueKey(w.admin, dark3)
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/platform/webhook-endpoints/" + epID, token: key4, body: map[string]any{"enabled": false}}), http.StatusOK)
	keys := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/platforms/" + dark3 + "/api-keys", token: w.admin}), http.StatusOK)["data"].([]any)
	expect(t, w.do(req{method: "DELETE", path: "/api/v1/admin/platforms/" + dark3 + "/api-keys/" + keys[0].(map[string]any)["id"].(string), token: w.admin}), http.StatusOK)
	id4 := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: complaintBody(dark3, map[string]any{"order_no": "D4"})}), http.StatusCreated)["id"].(string)
	if s := w.accept(id4)["status"]; s != "awaiting_contact" {
		t.Fatalf("a platform with a disabled endpoint and no key: %v", s)
	}
}

func TestCrossTenantAccess(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	other, _ := w.register("consumer")
	merchant, _ := w.register("merchant")
	otherPlatform := w.createPlatform(w.admin, "pdd", map[string]any{"onboarded": true})["id"].(string)
	otherKey, _ := w.issueKey(w.admin, otherPlatform)

	for name, tok := range map[string]string{"another consumer": other, "a merchant": merchant} {
		t.Run(name, func(t *testing.T) {
			expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: tok}), http.StatusNotFound)
			expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: tok, body: map[string]any{"text": "x"}}), http.StatusNotFound)
			expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/withdraw", token: tok, body: map[string]any{"reason": "x"}}), http.StatusNotFound)
			expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: tok, body: map[string]any{"score": 1}}), http.StatusNotFound)
			list := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints", token: tok}), http.StatusOK)
			if len(list["data"].([]any)) != 0 {
				t.Fatal("sees another's complaint in the list")
			}
		})
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: otherKey}), http.StatusNotFound)
	expect(t, w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: otherKey, body: map[string]any{"content": "x"}}), http.StatusNotFound)
	if n := len(expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints", token: otherKey}), http.StatusOK)["data"].([]any)); n != 0 {
		t.Fatal("another platform lists the complaint")
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints", token: w.consumer}), http.StatusForbidden)
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/accept", token: w.key}), http.StatusForbidden)
	expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/unknown", token: w.consumer}), http.StatusNotFound)
	// Staff and the owner do see it.
	expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: w.admin}), http.StatusOK)
	expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: w.consumer}), http.StatusOK)
}

func TestWithdraw(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/withdraw", token: w.consumer, body: map[string]any{"reason": ""}}), http.StatusUnprocessableEntity)
	wd := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/withdraw", token: w.consumer,
		body: map[string]any{"reason": "商家已主动退款"}}), http.StatusOK)
	if wd["status"] != "withdrawn" || wd["status_label"] != "已撤销" {
		t.Fatalf("withdrawn: %v", wd)
	}
	tl := wd["timeline"].([]any)
	if last := tl[len(tl)-1].(map[string]any); last["note"] != "商家已主动退款" || last["actor_type"] != "consumer" {
		t.Fatalf("timeline: %v", last)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/withdraw", token: w.consumer, body: map[string]any{"reason": "again"}}), http.StatusConflict, "invalid_state")
	// The platform still sees it, withdrawn, and cannot reply.
	pv := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key}), http.StatusOK)
	if pv["status"] != "withdrawn" {
		t.Fatalf("platform view: %v", pv["status"])
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: w.key, body: map[string]any{"content": "x"}}), http.StatusConflict, "invalid_state")
}

func TestAutoComplete(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	w.reply(w.key, id, "已处理")
	other := w.file(w.consumer, map[string]any{"order_no": "TB-other"})["id"].(string)
	w.accept(other)

	w.clock.Advance(359 * time.Hour)
	if n, err := w.svc.Complaints.AutoComplete(t.Context()); err != nil || n != 0 {
		t.Fatalf("before the deadline: %d %v", n, err)
	}
	w.advance(time.Hour + time.Second)
	if n, err := w.svc.Complaints.AutoComplete(t.Context()); err != nil || n != 1 {
		t.Fatalf("after the deadline: %d %v", n, err)
	}
	got := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: w.consumer}), http.StatusOK)
	tl := got["timeline"].([]any)
	if got["status"] != "completed" || got["rating"] != nil || tl[len(tl)-1].(map[string]any)["actor_type"] != "system" {
		t.Fatalf("auto-completed: %v", got)
	}
	if s := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + other, token: w.consumer}), http.StatusOK)["status"]; s != "delivered" {
		t.Fatalf("an unreplied complaint was completed: %v", s)
	}
	// Running again (another instance, say) changes nothing.
	if n, err := w.svc.Complaints.AutoComplete(t.Context()); err != nil || n != 0 {
		t.Fatalf("second run: %d %v", n, err)
	}
}

func TestPlatformListFollowsChanges(t *testing.T) {
	w := newWorld(t)
	var ids []string
	for i := range 5 {
		id := w.file(w.consumer, map[string]any{"order_no": fmt.Sprintf("TB-%d", i)})["id"].(string)
		w.clock.Advance(time.Second)
		w.accept(id)
		ids = append(ids, id)
	}
	since := "2026-11-26T00:00:00Z"
	// The feed reads behind its safety lag.
	w.clock.Advance(service.FeedLag)
	page1 := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints?limit=2&updated_since=" + since, token: w.key}), http.StatusOK)
	seen := map[string]int{}
	for _, it := range page1["data"].([]any) {
		seen[it.(map[string]any)["id"].(string)]++
	}
	// While the client pages, the first complaint changes: it moves to the end and comes again.
	w.clock.Advance(time.Second)
	w.reply(w.key, ids[0], "已处理")
	w.clock.Advance(service.FeedLag)
	cursor := page1["next_cursor"].(string)
	for cursor != "" {
		p := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints?limit=2&updated_since=" + since + "&cursor=" + cursor, token: w.key}), http.StatusOK)
		for _, it := range p["data"].([]any) {
			seen[it.(map[string]any)["id"].(string)]++
		}
		cursor = ""
		if nc, ok := p["next_cursor"].(string); ok {
			cursor = nc
		}
	}
	for _, id := range ids {
		if seen[id] == 0 {
			t.Fatalf("complaint %s missed while paging", id)
		}
	}
	if seen[ids[0]] != 2 {
		t.Fatalf("the changed complaint was seen %d times, want 2", seen[ids[0]])
	}
	// Filters.
	replied := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints?status=replied", token: w.key}), http.StatusOK)["data"].([]any)
	if len(replied) != 1 || replied[0].(map[string]any)["id"] != ids[0] {
		t.Fatalf("status filter: %v", replied)
	}
	if n := len(expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints?channel=refund_only", token: w.key}), http.StatusOK)["data"].([]any)); n != 0 {
		t.Fatalf("channel filter: %d", n)
	}
	later := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints?updated_since=2026-11-26T08:00:06Z", token: w.key}), http.StatusOK)["data"].([]any)
	if len(later) != 1 {
		t.Fatalf("updated_since: %d items", len(later))
	}
	for _, bad := range []string{"updated_since=yesterday", "status=open", "channel=x", "cursor=zzz", "limit=500"} {
		expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints?" + bad, token: w.key}), http.StatusUnprocessableEntity)
	}
	// Newest first without updated_since.
	all := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints", token: w.key}), http.StatusOK)["data"].([]any)
	if len(all) != 5 || all[0].(map[string]any)["id"] != ids[4] {
		t.Fatalf("default order: %d items, first %v", len(all), all[0].(map[string]any)["id"])
	}
}

func TestOwnerListAndQueue(t *testing.T) {
	w := newWorld(t)
	a := w.file(w.consumer, map[string]any{"order_no": "A"})["id"].(string)
	b := w.file(w.consumer, map[string]any{"order_no": "B"})["id"].(string)
	w.accept(a)
	own := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints", token: w.consumer}), http.StatusOK)["data"].([]any)
	if len(own) != 2 || own[0].(map[string]any)["id"] != b {
		t.Fatalf("own list newest first: %v", own)
	}
	pending := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints?status=pending_review", token: w.consumer}), http.StatusOK)["data"].([]any)
	if len(pending) != 1 || pending[0].(map[string]any)["id"] != b {
		t.Fatalf("status filter: %v", pending)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/complaints?status=nope", token: w.consumer}), http.StatusUnprocessableEntity)
	q := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints?status=pending_review&platform_id=" + w.platformID, token: w.admin}), http.StatusOK)["data"].([]any)
	if len(q) != 1 || q[0].(map[string]any)["id"] != b {
		t.Fatalf("queue: %v", q)
	}
	all := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints?limit=1", token: w.admin}), http.StatusOK)
	if all["data"].([]any)[0].(map[string]any)["id"] != a || all["next_cursor"] == nil {
		t.Fatalf("queue oldest first, paginated: %v", all)
	}
}

func TestPlatformSeesEvidenceOnceDelivered(t *testing.T) {
	w := newWorld(t)
	png := testPNG(t)
	evID := expect(t, w.upload(w.consumer, "a.png", "image/png", png), http.StatusCreated)["id"].(string)
	id := w.file(w.consumer, map[string]any{"evidence_ids": []string{evID}})["id"].(string)
	expect(t, w.do(req{method: "GET", path: "/api/v1/evidence/" + evID, token: w.key, raw: true}), http.StatusNotFound)
	w.accept(id)
	r := w.do(req{method: "GET", path: "/api/v1/evidence/" + evID, token: w.key, raw: true})
	if r.Code != http.StatusOK || string(r.Body) != string(png) {
		t.Fatalf("platform download after delivery: %d", r.Code)
	}
	otherKey, _ := w.issueKey(w.admin, w.createPlatform(w.admin, "other", nil)["id"].(string))
	expect(t, w.do(req{method: "GET", path: "/api/v1/evidence/" + evID, token: otherKey}), http.StatusNotFound)
	// A platform's own evidence in a reply is listed in the complaint and downloadable by the
	// complainant.
	pev := expect(t, w.upload(w.key, "退款凭证.pdf", "application/pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")), http.StatusCreated)["id"].(string)
	rep := expect(t, w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: w.key,
		body: map[string]any{"content": "退款凭证见附件", "evidence_ids": []string{pev}}}), http.StatusCreated)
	if evs := rep["replies"].([]any)[0].(map[string]any)["evidence"].([]any); len(evs) != 1 || evs[0].(map[string]any)["id"] != pev {
		t.Fatalf("reply evidence: %v", evs)
	}
	// The complainant can open it; another consumer cannot.
	if r := w.do(req{method: "GET", path: "/api/v1/evidence/" + pev, token: w.consumer, raw: true}); r.Code != http.StatusOK {
		t.Fatalf("complainant download of the reply's evidence: %d", r.Code)
	}
	stranger, _ := w.register("consumer")
	expect(t, w.do(req{method: "GET", path: "/api/v1/evidence/" + pev, token: stranger}), http.StatusNotFound)
	// The platform cannot cite the complainant's evidence as its own.
	expect(t, w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: w.key,
		body: map[string]any{"content": "x", "evidence_ids": []string{evID}}}), http.StatusUnprocessableEntity)
}
