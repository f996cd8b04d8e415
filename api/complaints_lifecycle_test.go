package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

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
