package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

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
