package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Text a platform reads without a moderator reading it first, or that cannot be corrected once
// stored, is refused (422 naming the field) when it hits the screening list; nothing is stored.

// TestConsumerSupplementAfterAcceptanceScreened: once a moderator accepted a consumer complaint,
// a supplement goes to the platform as it is (its view, complaint.supplemented), so an abusive
// one is refused; before acceptance it is only flagged.
func TestConsumerSupplementAfterAcceptanceScreened(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	if s := w.accept(id)["status"]; s != "delivered" {
		t.Fatalf("accepted: %v", s)
	}
	supplement := func(text string) *response {
		return w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer, body: map[string]any{"text": text}})
	}
	for _, text := range []string{"客服就是傻 逼", "n m s l，还不退款"} {
		assertFieldError(t, expect(t, supplement(text), http.StatusUnprocessableEntity, "validation_failed"), "text")
	}
	w.reply(w.key, id, "您好，我们正在核实。")
	assertFieldError(t, expect(t, supplement("他媽的，还在核实"), http.StatusUnprocessableEntity, "validation_failed"), "text")
	own := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: w.consumer}), http.StatusOK)
	if n := len(own["supplements"].([]any)); n != 0 {
		t.Fatalf("%d refused supplements stored", n)
	}
	if n := len(w.eventsOf(w.platformID, "complaint.supplemented")); n != 0 {
		t.Fatalf("%d supplemented events for refused supplements", n)
	}
	pv := w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key})
	if pv.Code != http.StatusOK || strings.Contains(pv.String(), "傻") || strings.Contains(pv.String(), "媽") {
		t.Fatalf("platform view: %d %s", pv.Code, pv)
	}
	// A clean one still goes through, with its event.
	expect(t, supplement("补充：商家客服电话一直无人接听。"), http.StatusOK)
	if n := len(w.eventsOf(w.platformID, "complaint.supplemented")); n != 1 {
		t.Fatalf("%d supplemented events, want 1", n)
	}
}

// TestRatingCommentScreened: the comment reaches the platform (its view, complaint.rated and
// complaint.completed) unreviewed, on both channels.
func TestRatingCommentScreened(t *testing.T) {
	w := newWorld(t)
	merchant, _ := w.register("merchant")
	consumerID := w.file(w.consumer, nil)["id"].(string)
	w.accept(consumerID)
	refundID := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
		body: refundBody(w.platformID, nil)}), http.StatusCreated)["id"].(string)
	for _, c := range []struct{ id, token string }{{consumerID, w.consumer}, {refundID, merchant}} {
		w.reply(w.key, c.id, "您好，已为您办理退款。")
		rate := func(comment string) *response {
			return w.do(req{method: "POST", path: "/api/v1/complaints/" + c.id + "/rating", token: c.token,
				body: map[string]any{"score": 2, "comment": comment}})
		}
		assertFieldError(t, expect(t, rate("处理太慢，NMSL"), http.StatusUnprocessableEntity, "validation_failed"), "comment")
		own := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + c.id, token: c.token}), http.StatusOK)
		if own["status"] != "replied" || own["rating"] != nil {
			t.Fatalf("a refused rating was stored: %v %v", own["status"], own["rating"])
		}
		if s := expect(t, rate("处理还算及时"), http.StatusOK)["status"]; s != "completed" {
			t.Fatalf("clean rating: %v", s)
		}
	}
	for _, e := range append(w.eventsOf(w.platformID, "complaint.rated"), w.eventsOf(w.platformID, "complaint.completed")...) {
		if strings.Contains(string(e.Payload), "NMSL") {
			t.Fatalf("an event carries the refused comment: %s", e.Payload)
		}
	}
	if n := len(w.eventsOf(w.platformID, "complaint.rated")); n != 2 {
		t.Fatalf("%d rated events, want 2", n)
	}
}

// TestUncorrectableFieldsScreened: the order number and the contact name at filing, the names
// a merchant's contact name is made of at registration, and evidence file names at upload.
func TestUncorrectableFieldsScreened(t *testing.T) {
	w := newWorld(t)
	merchant, _ := w.register("merchant")
	t.Run("filing", func(t *testing.T) { screenedAtFiling(t, w, merchant) })
	t.Run("registration", func(t *testing.T) { screenedAtRegistration(t, w) })
	t.Run("evidence", func(t *testing.T) { screenedAtUpload(t, w) })
}

func screenedAtFiling(t *testing.T, w *world, merchant string) {
	complaints := func(token string) int {
		l := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints", token: token}), http.StatusOK)
		return len(l["data"].([]any))
	}
	for field, value := range map[string]string{"order_no": "TB-傻逼-2026", "contact_name": "ＮＭＳＬ"} {
		m := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer,
			body: complaintBody(w.platformID, map[string]any{field: value})}), http.StatusUnprocessableEntity, "validation_failed")
		assertFieldError(t, m, field)
	}
	m := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
		body: refundBody(w.platformID, map[string]any{"order_no": "PDD他 妈 的01"})}), http.StatusUnprocessableEntity, "validation_failed")
	assertFieldError(t, m, "order_no")
	if complaints(w.consumer) != 0 || complaints(merchant) != 0 {
		t.Fatal("a refused complaint was stored")
	}
	// Whole Latin words only: an order number that merely contains the letters is fine.
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer,
		body: complaintBody(w.platformID, map[string]any{"order_no": "NMSL2026X", "contact_name": "Cnmall旗舰店"})}), http.StatusCreated)
	// An account registered before its names were screened: its contact name is refused at
	// filing, not left to a rejection the complaint could not correct.
	legacy, legacyID := w.register("merchant")
	if err := w.st.DB().Exec("UPDATE users SET shop_name = ? WHERE id = ?", "傻逼小店", legacyID).Error; err != nil {
		t.Fatal(err)
	}
	m = expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: legacy,
		body: refundBody(w.platformID, map[string]any{"order_no": "PDD02"})}), http.StatusUnprocessableEntity, "validation_failed")
	assertFieldError(t, m, "contact_name")
	if complaints(legacy) != 0 {
		t.Fatal("a refused refund-only complaint was stored")
	}
}

func screenedAtRegistration(t *testing.T, w *world) {
	register := func(body map[string]any) *response {
		body["phone"], body["password"] = nextPhone(), "password-123"
		return w.do(req{method: "POST", path: "/api/v1/auth/register", body: body})
	}
	assertFieldError(t, expect(t, register(map[string]any{"role": "consumer", "real_name": "傻*逼"}), http.StatusUnprocessableEntity), "real_name")
	assertFieldError(t, expect(t, register(map[string]any{"role": "merchant", "real_name": "张三", "shop_name": "他媽的小店"}), http.StatusUnprocessableEntity), "shop_name")
	assertFieldError(t, expect(t, register(map[string]any{"role": "merchant", "real_name": "nmsl", "shop_name": "张三的小店"}), http.StatusUnprocessableEntity), "real_name")
	expect(t, register(map[string]any{"role": "merchant", "real_name": "张三", "shop_name": "Shitake 香菇店"}), http.StatusCreated)
}

func screenedAtUpload(t *testing.T, w *world) {
	png := testPNG(t)
	assertFieldError(t, expect(t, w.upload(w.consumer, "客服傻逼.png", "image/png", png), http.StatusUnprocessableEntity, "validation_failed"), "filename")
	assertFieldError(t, expect(t, w.upload(w.key, "photos/ＮＭＳＬ.png", "image/png", png), http.StatusUnprocessableEntity, "validation_failed"), "filename")
	if ev := expect(t, w.upload(w.consumer, "ATMD-100 发票.png", "image/png", png), http.StatusCreated); ev["filename"] != "ATMD-100 发票.png" {
		t.Fatalf("clean upload: %v", ev)
	}
}

// TestOrderAndContactScreenedBeforeDelivery: the order number and the contact name are part of
// what the platform reads, so the screening before delivery covers them too (here a term
// listed while the complaints waited, as for complaints filed before these fields were
// screened at filing).
func TestOrderAndContactScreenedBeforeDelivery(t *testing.T) {
	w := newWorld(t)
	dark := w.createPlatform(w.admin, "xianyu", map[string]any{"name": "闲鱼", "onboarded": true})["id"].(string)
	merchant, _ := w.register("merchant")
	refund := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
		body: refundBody(dark, map[string]any{"order_no": "PDD黑心烂果01"})}), http.StatusCreated)["id"].(string)
	consumer := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer,
		body: complaintBody(dark, map[string]any{"contact_name": "黑心烂果"})}), http.StatusCreated)["id"].(string)
	w.accept(consumer)
	w.addTerm("黑心烂果")
	w.issueKey(w.admin, dark)
	w.runJobs()
	r := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + refund, token: w.admin}), http.StatusOK)
	if r["status"] != "rejected" || fmt.Sprint(r["screening_hits"]) != "[map[end:7 field:order_no start:3 term:黑心烂果]]" {
		t.Fatalf("refund-only: %v %v", r["status"], r["screening_hits"])
	}
	c := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + consumer, token: w.admin}), http.StatusOK)
	if fmt.Sprint(c["flags"]) != "[abusive_language]" || fmt.Sprint(c["screening_hits"]) != "[map[end:4 field:contact_name start:0 term:黑心烂果]]" {
		t.Fatalf("consumer: %v %v", c["flags"], c["screening_hits"])
	}
}

// TestAbusiveFlagClearedByCorrection: the flag follows the current text, so a correction that
// leaves no hit clears it (and the moderator's queue by flag no longer lists the complaint).
func TestAbusiveFlagClearedByCorrection(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, map[string]any{"description": "11月1日购买手机一部，客服就是傻逼，至今未发货也不退款，请平台处理。"})["id"].(string)
	flags := func() string {
		return fmt.Sprint(expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + id, token: w.admin}), http.StatusOK)["flags"])
	}
	if f := flags(); f != "[abusive_language]" {
		t.Fatalf("filed: %s", f)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/reject", token: w.admin,
		body: map[string]any{"reason_code": "abusive_content", "note": "请文明用语后补充提交"}}), http.StatusOK)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
		body: map[string]any{"text": "已修改措辞。", "description": "11月1日购买手机一部，商家至今未发货，申请退款被拒绝，请平台处理。"}}), http.StatusOK)
	if f := flags(); f != "[]" {
		t.Fatalf("corrected: %s", f)
	}
	q := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints?flag=abusive_language", token: w.admin}), http.StatusOK)
	if n := len(q["data"].([]any)); n != 0 {
		t.Fatalf("%d flagged complaints after the correction", n)
	}
}
