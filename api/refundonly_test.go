package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
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

// TestRefundOnlyScreeningAndResubmission: an abusive description is never delivered. A clean
// supplement alone leaves the complaint rejected (the description the platform would read is
// still abusive); a supplement that corrects the description delivers it, and the platform's
// view and its stored webhook event carry the corrected text only, while the original stays in
// the owner's and staff's timeline.
func TestRefundOnlyScreeningAndResubmission(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	w.endpoint(w.key, rc.URL)
	merchant, _ := w.register("merchant")
	const original = "这个买家就是个傻逼，收了货还要仅退款，平台也不管，气死我了。"
	const corrected = "买家签收后以坏果为由申请仅退款，未提供任何照片，平台直接同意退款，商品未退回，请平台核实。"
	c := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
		body: refundBody(w.platformID, map[string]any{"description": original})}), http.StatusCreated)
	rej := c["rejection"].(map[string]any)
	if c["status"] != "rejected" || rej["reason_code"] != "abusive_content" || rej["resubmittable"] != true {
		t.Fatalf("abusive refund-only complaint: %v", c)
	}
	id := c["id"].(string)
	// Staff see which term matched, and where.
	staff := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + id, token: w.admin}), http.StatusOK)
	hits := fmt.Sprint(staff["screening_hits"])
	if hits != "[map[end:9 field:description start:7 term:傻逼]]" || fmt.Sprint(staff["flags"]) != "[abusive_language]" {
		t.Fatalf("staff view: hits %s, flags %v", hits, staff["flags"])
	}
	if _, ok := c["screening_hits"]; ok {
		t.Fatal("the owner's view shows screening hits")
	}

	// The bypass: a clean supplement alone does not deliver the abusive description.
	still := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: merchant,
		body: map[string]any{"text": "更正：买家未提供任何质量问题凭证。"}}), http.StatusOK)
	if still["status"] != "rejected" || still["rejection"].(map[string]any)["reason_code"] != "abusive_content" {
		t.Fatalf("clean supplement without a correction: %v", still["status"])
	}
	w.dispatch()
	if len(rc.got()) != 0 {
		t.Fatal("a rejected complaint reached the platform")
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key}), http.StatusNotFound)

	// Corrected: screened whole again, delivered at once.
	ok := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: merchant,
		body: map[string]any{"text": "抱歉言辞过激，已更正描述。", "description": corrected}}), http.StatusOK)
	if ok["status"] != "delivered" || ok["rejection"] != nil || ok["description"] != corrected || len(ok["supplements"].([]any)) != 2 {
		t.Fatalf("corrected: %v", ok)
	}
	// The original stays in the owner's and the staff's timeline.
	for _, view := range []map[string]any{ok, expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + id, token: w.admin}), http.StatusOK)} {
		if !strings.Contains(fmt.Sprint(view["timeline"]), "原描述："+original) {
			t.Fatalf("the original description is not in the timeline: %v", view["timeline"])
		}
	}
	// The platform reads the corrected text only, in its view and in the webhook.
	pv := w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key})
	if pv.Code != http.StatusOK || !strings.Contains(pv.String(), corrected) || strings.Contains(pv.String(), "傻逼") {
		t.Fatalf("platform view: %d %s", pv.Code, pv)
	}
	w.dispatch()
	if len(rc.got()) != 1 || eventOf(t, rc.got()[0])["type"] != "complaint.delivered" {
		t.Fatalf("webhooks after the correction: %d", len(rc.got()))
	}
	var events []models.WebhookEvent
	if err := w.st.DB().Where("platform_id = ?", w.platformID).Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Type != "complaint.delivered" {
		t.Fatalf("stored events: %d", len(events))
	}
	if p := string(events[0].Payload); !strings.Contains(p, corrected) || strings.Contains(p, "傻逼") || strings.Contains(p, "原描述") {
		t.Fatalf("the delivered payload carries the original text: %s", p)
	}
	if fmt.Sprint(expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + id, token: w.admin}), http.StatusOK)["screening_hits"]) != "[]" {
		t.Fatal("hits remain after the correction")
	}
}

// TestRefundOnlyAbusiveSupplementRefused: no moderator reads a refund-only complaint before its
// platform, so an abusive supplement or correction is refused (422, nothing stored) instead of
// being kept where it could never be taken back; an abusive product name is corrected like the
// description.
func TestRefundOnlyAbusiveSupplementRefused(t *testing.T) {
	w := newWorld(t)
	merchant, _ := w.register("merchant")
	c := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
		body: refundBody(w.platformID, map[string]any{"product_name": "傻*逼草莓"})}), http.StatusCreated)
	id := c["id"].(string)
	if c["status"] != "rejected" {
		t.Fatalf("abusive product name: %v", c["status"])
	}
	staff := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + id, token: w.admin}), http.StatusOK)
	if got := fmt.Sprint(staff["screening_hits"]); got != "[map[end:3 field:product_name start:0 term:傻逼]]" {
		t.Fatalf("hits: %s", got)
	}
	supplement := func(id string, body map[string]any) *response {
		return w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: merchant, body: body})
	}
	assertFieldError(t, expect(t, supplement(id, map[string]any{"text": "他 媽 的，凭什么不给我处理"}), http.StatusUnprocessableEntity), "text")
	assertFieldError(t, expect(t, supplement(id, map[string]any{"text": "已更正", "product_name": "ＮＭＳＬ草莓"}), http.StatusUnprocessableEntity), "product_name")
	if n := len(expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: merchant}), http.StatusOK)["supplements"].([]any)); n != 0 {
		t.Fatalf("a refused supplement was stored: %d", n)
	}
	// A clean supplement alone leaves the abusive product name: still rejected.
	if s := expect(t, supplement(id, map[string]any{"text": "请平台核实。"}), http.StatusOK)["status"]; s != "rejected" {
		t.Fatalf("clean supplement, abusive product name: %v", s)
	}
	ok := expect(t, supplement(id, map[string]any{"text": "已更正商品名称。", "product_name": "有机草莓 500g"}), http.StatusOK)
	if ok["status"] != "delivered" || ok["product_name"] != "有机草莓 500g" || !strings.Contains(fmt.Sprint(ok["timeline"]), "原商品名称：傻*逼草莓") {
		t.Fatalf("corrected product name: %v %v", ok["status"], ok["product_name"])
	}
	// Delivered: an abusive supplement never reaches the platform.
	assertFieldError(t, expect(t, supplement(id, map[string]any{"text": "NMSL"}), http.StatusUnprocessableEntity), "text")
	if n := len(w.eventsOf(w.platformID, "complaint.supplemented")); n != 0 {
		t.Fatalf("%d supplemented events", n)
	}
	// Consumer complaints keep the flag-and-moderate rule: a product name is not theirs to correct.
	cid := w.file(w.consumer, nil)["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + cid + "/reject", token: w.admin,
		body: map[string]any{"reason_code": "missing_information", "note": "请补充订单截图"}}), http.StatusOK)
	assertFieldError(t, expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + cid + "/supplements", token: w.consumer,
		body: map[string]any{"text": "补充截图", "product_name": "手机"}}), http.StatusUnprocessableEntity), "product_name")
}

// TestSupplementCorrectionRules: corrections come only with a re-submission, a refund-only
// complaint has no title, and corrected text is validated as at filing, before anything is stored.
func TestSupplementCorrectionRules(t *testing.T) {
	w := newWorld(t)
	merchant, _ := w.register("merchant")
	rejected := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
		body: refundBody(w.platformID, map[string]any{"description": "这个买家就是个傻逼，收了货还要仅退款，平台也不管。"})}), http.StatusCreated)["id"].(string)
	delivered := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
		body: refundBody(w.platformID, map[string]any{"order_no": "PDD2"})}), http.StatusCreated)["id"].(string)
	supplement := func(id string, body map[string]any) *response {
		return w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: merchant, body: body})
	}
	expect(t, supplement(delivered, map[string]any{"text": "补充说明", "description": "这是一段足够长的更正描述，但投诉已经递交给平台了。"}), http.StatusConflict, "invalid_state")
	assertFieldError(t, expect(t, supplement(rejected, map[string]any{"text": "补充说明", "title": "仅退款投诉标题"}), http.StatusUnprocessableEntity), "title")
	assertFieldError(t, expect(t, supplement(rejected, map[string]any{"text": "补充说明", "description": "太短"}), http.StatusUnprocessableEntity), "description")
	after := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + rejected, token: merchant}), http.StatusOK)
	if after["status"] != "rejected" || len(after["supplements"].([]any)) != 0 {
		t.Fatalf("a refused correction changed the complaint: %v", after)
	}
	pv := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + delivered, token: w.key}), http.StatusOK)
	if pv["description"] != refundBody("", nil)["description"] || len(pv["supplements"].([]any)) != 0 {
		t.Fatalf("a refused correction reached the platform: %v", pv)
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
