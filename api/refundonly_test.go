package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/webhooks"
)

func refundBody(platformID string, overrides map[string]any) map[string]any {
	b := map[string]any{"platform_id": platformID, "order_no": "PDD20261120998877", "product_name": "有机草莓 500g",
		"refund_amount": "59.90", "description": "买家签收后以坏果为由申请仅退款，未提供任何照片，平台直接同意退款，商品未退回。",
		"demands": []string{"refund"}, "evidence_ids": []string{}, "declaration_accepted": true}
	for k, v := range overrides {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

func TestRefundOnlyDeliveredAtOnce(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	_, secret := w.endpoint(w.key, rc.URL)
	merchant, merchantID, merchantPhone := w.registerPhone("merchant")

	c := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant, body: refundBody(w.platformID, nil)}), http.StatusCreated)
	if c["status"] != "delivered" || c["channel"] != "refund_only" || c["complainant_type"] != "merchant" ||
		c["refund_amount"] != "59.90" || c["product_name"] != "有机草莓 500g" || c["amount"] != nil || c["delivered_at"] == nil ||
		c["contact_phone"] != merchantPhone || !strings.Contains(c["contact_name"].(string), "张三的小店") {
		t.Fatalf("refund-only complaint: %v", c)
	}
	var steps []string
	for _, e := range c["timeline"].([]any) {
		m := e.(map[string]any)
		steps = append(steps, fmt.Sprintf("%v>%v by %v", m["from"], m["to"], m["actor_type"]))
	}
	if strings.Join(steps, "; ") != "<nil>>pending_review by merchant; pending_review>delivered by system" {
		t.Fatalf("timeline: %v", steps)
	}
	_ = merchantID

	// The platform's webhook went out, signed, with the channel.
	w.dispatch()
	got := rc.got()
	if len(got) != 1 {
		t.Fatalf("%d webhooks", len(got))
	}
	if err := webhooks.VerifyAt(secret, got[0].header, got[0].body, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	ev := eventOf(t, got[0])
	if ev["type"] != "complaint.delivered" || ev["data"].(map[string]any)["complaint"].(map[string]any)["channel"] != "refund_only" {
		t.Fatalf("event: %v", ev)
	}
	// The merchant was told, on the account's phone.
	n := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/notifications?phone=" + merchantPhone, token: w.admin}), http.StatusOK)["data"].([]any)
	if len(n) != 1 || n[0].(map[string]any)["kind"] != "delivered" {
		t.Fatalf("notifications: %v", n)
	}

	// Duplicate on order_no.
	m := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
		body: refundBody(w.platformID, map[string]any{"description": "同一订单的另一次投诉，描述不同但订单号相同，应被视为重复。"})}), http.StatusConflict, "duplicate_complaint")
	if m["existing_id"] != c["id"] {
		t.Fatalf("existing_id: %v", m)
	}

	// Platform reply, merchant rating (用户满意度评价) → completed.
	id := c["id"].(string)
	w.reply(w.key, id, "已核实，已向商家补偿货款。")
	rated := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: merchant,
		body: map[string]any{"score": 6, "comment": "处理一般"}}), http.StatusOK)
	if rated["status"] != "completed" || rated["rating"].(map[string]any)["score"] != float64(6) {
		t.Fatalf("rated: %v", rated)
	}
	tl := rated["timeline"].([]any)
	if last := tl[len(tl)-1].(map[string]any); last["actor_type"] != "merchant" {
		t.Fatalf("rating actor: %v", last)
	}
	// The merchant's own list, filters for platforms and moderators.
	own := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints?channel=refund_only", token: merchant}), http.StatusOK)["data"].([]any)
	if len(own) != 1 {
		t.Fatalf("merchant list: %d", len(own))
	}
	for _, path := range []string{"/api/v1/platform/complaints?channel=refund_only"} {
		if l := expect(t, w.do(req{method: "GET", path: path, token: w.key}), http.StatusOK)["data"].([]any); len(l) != 1 {
			t.Fatalf("%s: %d", path, len(l))
		}
	}
	if l := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints?channel=refund_only", token: w.admin}), http.StatusOK)["data"].([]any); len(l) != 1 {
		t.Fatalf("queue channel filter: %d", len(l))
	}
	if l := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints?channel=consumer", token: w.admin}), http.StatusOK)["data"].([]any); len(l) != 0 {
		t.Fatalf("queue consumer channel: %d", len(l))
	}
}

func TestRefundOnlyScreeningAndResubmission(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	w.endpoint(w.key, rc.URL)
	merchant, _ := w.register("merchant")
	abusive := refundBody(w.platformID, map[string]any{"description": "这个买家就是个傻逼，收了货还要仅退款，平台也不管，气死我了。"})
	c := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant, body: abusive}), http.StatusCreated)
	rej := c["rejection"].(map[string]any)
	if c["status"] != "rejected" || rej["reason_code"] != "abusive_content" || rej["resubmittable"] != true {
		t.Fatalf("abusive refund-only complaint: %v", c)
	}
	w.dispatch()
	if len(rc.got()) != 0 {
		t.Fatal("a rejected complaint reached the platform")
	}
	id := c["id"].(string)
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key}), http.StatusNotFound)
	// A supplement that is still abusive is rejected again.
	again := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: merchant,
		body: map[string]any{"text": "他妈的凭什么不给我处理"}}), http.StatusOK)
	if again["status"] != "rejected" {
		t.Fatalf("abusive supplement: %v", again["status"])
	}
	// A clean one is delivered at once.
	ok := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: merchant,
		body: map[string]any{"text": "抱歉言辞过激。补充：买家未提供任何质量问题凭证，请平台核实后撤销仅退款。"}}), http.StatusOK)
	if ok["status"] != "delivered" || ok["rejection"] != nil || len(ok["supplements"].([]any)) != 2 {
		t.Fatalf("clean supplement: %v", ok)
	}
	w.dispatch()
	if len(rc.got()) != 1 || eventOf(t, rc.got()[0])["type"] != "complaint.delivered" {
		t.Fatalf("webhooks after resubmission: %d", len(rc.got()))
	}
	staff := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + id, token: w.admin}), http.StatusOK)
	if fmt.Sprint(staff["flags"]) != "[abusive_language]" {
		t.Fatalf("flags: %v", staff["flags"])
	}
}

func TestRefundOnlyRules(t *testing.T) {
	w := newWorld(t)
	merchant, _ := w.register("merchant")
	expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: w.consumer, body: refundBody(w.platformID, nil)}), http.StatusForbidden)
	expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: w.key, body: refundBody(w.platformID, nil)}), http.StatusForbidden)
	for field, o := range map[string]map[string]any{
		"order_no":             {"order_no": ""},
		"product_name":         {"product_name": nil},
		"refund_amount":        {"refund_amount": "59.999"},
		"description":          {"description": "太短"},
		"demands":              {"demands": []string{}},
		"declaration_accepted": {"declaration_accepted": false},
		"platform_id":          {"platform_id": "nope"},
	} {
		m := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant, body: refundBody(w.platformID, o)}),
			http.StatusUnprocessableEntity)
		assertFieldError(t, m, field)
	}
	// An unreachable platform: accepted, waiting for contact.
	dark := w.createPlatform(w.admin, "dark", nil)["id"].(string)
	c := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant, body: refundBody(dark, nil)}), http.StatusCreated)
	if c["status"] != "awaiting_contact" {
		t.Fatalf("unreachable platform: %v", c["status"])
	}
	// Cross-tenant: another merchant and the other platform see nothing.
	other, _ := w.register("merchant")
	id := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant, body: refundBody(w.platformID, nil)}), http.StatusCreated)["id"].(string)
	expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: other}), http.StatusNotFound)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/withdraw", token: other, body: map[string]any{"reason": "x"}}), http.StatusNotFound)
	darkKey, _ := w.issueKey(w.admin, dark)
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: darkKey}), http.StatusNotFound)
	// The merchant withdraws.
	wd := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/withdraw", token: merchant, body: map[string]any{"reason": "平台已撤销仅退款"}}), http.StatusOK)
	if wd["status"] != "withdrawn" {
		t.Fatalf("withdraw: %v", wd["status"])
	}
}
