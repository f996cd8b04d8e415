package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/config"
	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

func (w *world) addTerm(term string) map[string]any {
	w.t.Helper()
	return expect(w.t, w.do(req{method: "POST", path: "/api/v1/admin/screening-terms", token: w.admin,
		body: map[string]any{"term": term}}), http.StatusCreated)
}

// allTerms follows the list's pages to the end.
func (w *world) allTerms() []map[string]any {
	w.t.Helper()
	var out []map[string]any
	cursor := ""
	for {
		page := expect(w.t, w.do(req{method: "GET", path: "/api/v1/admin/screening-terms?limit=100&cursor=" + cursor, token: w.admin}), http.StatusOK)
		for _, t := range page["data"].([]any) {
			out = append(out, t.(map[string]any))
		}
		next, _ := page["next_cursor"].(string)
		if next == "" {
			return out
		}
		cursor = next
	}
}

func TestScreeningTermsAdmin(t *testing.T) {
	w := newWorld(t)
	// Seeded from the shipped list on the database's first start.
	seeded := w.allTerms()
	if want := len(models.ParseWordList(config.DefaultScreeningWords)); len(seeded) != want {
		t.Fatalf("%d terms listed, the shipped list has %d", len(seeded), want)
	}
	merchant, _ := w.register("merchant")
	file := func(order, description string) map[string]any {
		return expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
			body: refundBody(w.platformID, map[string]any{"order_no": order, "description": description})}), http.StatusCreated)
	}
	const text = "买家签收后说草莓是黑心烂果，申请仅退款，平台直接同意了，商品也没有退回。"
	if s := file("o1", text)["status"]; s != "delivered" {
		t.Fatalf("before the term: %v", s)
	}

	// Added: applies at once, in its folded form.
	term := w.addTerm(" 黑心烂果 ")
	if term["term"] != "黑心烂果" || term["folded"] != "黑心烂果" || term["created_by"] == nil {
		t.Fatalf("added: %v", term)
	}
	if s := file("o2", text)["status"]; s != "rejected" {
		t.Fatalf("after the term: %v", s)
	}
	// The same term in another case, width, script or with separators is the same term.
	for _, same := range []string{"黑心爛果", "黑 心*烂.果", "ＮＭＳＬ", "N.m*S-l"} {
		expect(t, w.do(req{method: "POST", path: "/api/v1/admin/screening-terms", token: w.admin, body: map[string]any{"term": same}}),
			http.StatusConflict, "screening_term_taken")
	}
	for body, field := range map[string]string{"*** ...": "term", "": "term", strings.Repeat("坏", 65): "term"} {
		m := expect(t, w.do(req{method: "POST", path: "/api/v1/admin/screening-terms", token: w.admin, body: map[string]any{"term": body}}),
			http.StatusUnprocessableEntity)
		assertFieldError(t, m, field)
	}
	if got := len(w.allTerms()); got != len(seeded)+1 {
		t.Fatalf("%d terms after one add", got)
	}

	// Admins only: moderators and others are refused, and change nothing.
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/users", token: w.admin,
		body: map[string]any{"role": "moderator", "email": "mod@example.com", "password": "password-123", "real_name": "李四"}}), http.StatusCreated)
	mod := expect(t, w.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": "mod@example.com", "password": "password-123"}}), http.StatusOK)["access_token"].(string)
	for _, token := range []string{mod, merchant, w.key} {
		expect(t, w.do(req{method: "GET", path: "/api/v1/admin/screening-terms", token: token}), http.StatusForbidden)
		expect(t, w.do(req{method: "POST", path: "/api/v1/admin/screening-terms", token: token, body: map[string]any{"term": "新词"}}), http.StatusForbidden)
		expect(t, w.do(req{method: "DELETE", path: "/api/v1/admin/screening-terms/" + term["id"].(string), token: token}), http.StatusForbidden)
	}

	// Removed: applies at once; removing it again is 404.
	r := w.do(req{method: "DELETE", path: "/api/v1/admin/screening-terms/" + term["id"].(string), token: w.admin})
	if r.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Code, r)
	}
	expect(t, w.do(req{method: "DELETE", path: "/api/v1/admin/screening-terms/" + term["id"].(string), token: w.admin}), http.StatusNotFound)
	if s := file("o3", text)["status"]; s != "delivered" {
		t.Fatalf("after removing the term: %v", s)
	}

	// A seeded term removed stays removed when the service starts again: seeding is once.
	var nmsl string
	for _, s := range seeded {
		if s["folded"] == "nmsl" {
			nmsl = s["id"].(string)
		}
	}
	if r := w.do(req{method: "DELETE", path: "/api/v1/admin/screening-terms/" + nmsl, token: w.admin}); r.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Code, r)
	}
	again := newApp(t, func(o *appOptions) { o.store = w.st })
	if again.svc.Screening.Match("nmsl") || !again.svc.Screening.Match("傻逼") {
		t.Fatal("a restart seeded the list again")
	}
}

// TestScreeningTermsApplyOnEveryInstance: two instances over one database; a term added through
// one is matched by the other within the reload interval, and so is its removal.
func TestScreeningTermsApplyOnEveryInstance(t *testing.T) {
	w := newWorld(t)
	other := newApp(t, func(o *appOptions) { o.store = w.st })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); other.svc.Screening.Run(ctx, service.ScreeningReloadInterval) }()
	t.Cleanup(func() { cancel(); <-done })

	const text = "客服说我是个大冤种，还挂我电话"
	if other.svc.Screening.Match(text) {
		t.Fatal("the text hits before the term is added")
	}
	applied := func(want bool) time.Duration {
		start := time.Now()
		for other.svc.Screening.Match(text) != want {
			if time.Since(start) > service.ScreeningReloadInterval+2*time.Second {
				t.Fatalf("the other instance did not apply the change within %v", time.Since(start))
			}
			time.Sleep(20 * time.Millisecond)
		}
		return time.Since(start)
	}
	term := w.addTerm("大冤种")
	if !w.svc.Screening.Match(text) {
		t.Fatal("the instance that added the term does not match it")
	}
	t.Logf("added: applied by the other instance after %v", applied(true))
	if r := w.do(req{method: "DELETE", path: "/api/v1/admin/screening-terms/" + term["id"].(string), token: w.admin}); r.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Code, r)
	}
	t.Logf("removed: applied by the other instance after %v", applied(false))
}

// TestScreeningTermsAnnouncedOverRedis: with Redis, a change reaches the other instance
// within milliseconds of its commit, not at its next poll (an hour away here).
func TestScreeningTermsAnnouncedOverRedis(t *testing.T) {
	rd := testkit.Redis(t)
	if rd == nil {
		t.Skip("DSB_TEST_REDIS_URL not set")
	}
	w := newWorldWith(t, func(o *appOptions) { o.screeningNotifier = kv.Waker{Redis: rd, Channel: "screening:changed"} })
	other := newApp(t, func(o *appOptions) { o.store = w.st })
	ctx, cancel := context.WithCancel(context.Background())
	var done sync.WaitGroup
	done.Add(2)
	go func() { defer done.Done(); other.svc.Screening.Run(ctx, time.Hour) }()
	subscribed := make(chan struct{})
	go func() {
		defer done.Done()
		close(subscribed)
		rd.Subscribe(ctx, "screening:changed", other.svc.Screening.Wake)
	}()
	t.Cleanup(func() { cancel(); done.Wait() })
	<-subscribed
	time.Sleep(100 * time.Millisecond) // let the subscription reach the server

	start := time.Now()
	w.addTerm("大冤种")
	testkit.WaitFor(t, time.Second, "the other instance applies the term", func() bool { return other.svc.Screening.Match("真是个大冤种") })
	t.Logf("applied by the other instance after %v", time.Since(start))
}

// TestConsumerScreeningFlagsAndModeratorDecides: a consumer complaint with a hit is flagged,
// not rejected; staff see the hits (in the queue too); the moderator's accept delivers it.
func TestConsumerScreeningFlagsAndModeratorDecides(t *testing.T) {
	w := newWorld(t)
	c := w.file(w.consumer, map[string]any{"title": "客服ＮＭＳＬ，拒不退款", "description": "11月1日购买手机一部，客服骂我傻 逼，至今未发货也不退款，请平台处理。"})
	id := c["id"].(string)
	if c["status"] != "pending_review" {
		t.Fatalf("a consumer complaint was refused by screening: %v", c["status"])
	}
	want := "[map[end:6 field:title start:2 term:nmsl] map[end:19 field:description start:16 term:傻逼]]"
	queue := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints?flag=abusive_language", token: w.admin}), http.StatusOK)["data"].([]any)
	if len(queue) != 1 || fmt.Sprint(queue[0].(map[string]any)["screening_hits"]) != want {
		t.Fatalf("queue: %v", queue)
	}
	acc := w.accept(id)
	if acc["status"] != "delivered" || fmt.Sprint(acc["screening_hits"]) != want {
		t.Fatalf("accepted: %v %v", acc["status"], acc["screening_hits"])
	}
	pv := w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key})
	if strings.Contains(pv.String(), "screening_hits") || strings.Contains(pv.String(), "flags") {
		t.Fatalf("the platform sees staff members: %s", pv)
	}
}

// TestConsumerCorrectionAfterRejection: a consumer complaint rejected as abusive_content comes
// back with a corrected title and description; the moderator reviews the corrected text, the
// platform receives only that, and the originals stay in the timeline.
func TestConsumerCorrectionAfterRejection(t *testing.T) {
	w := newWorld(t)
	const title, desc = "客服傻逼不退款", "11月1日购买手机一部，客服就是傻逼，至今未发货也不退款，请平台处理。"
	id := w.file(w.consumer, map[string]any{"title": title, "description": desc})["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/reject", token: w.admin,
		body: map[string]any{"reason_code": "abusive_content", "note": "请文明用语后补充提交"}}), http.StatusOK)
	back := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
		body: map[string]any{"text": "已修改措辞。", "title": "商品未发货且拒绝退款", "description": "11月1日购买手机一部，商家至今未发货，申请退款被拒绝，请平台处理。"}}), http.StatusOK)
	if back["status"] != "pending_review" || back["title"] != "商品未发货且拒绝退款" {
		t.Fatalf("re-submitted: %v %v", back["status"], back["title"])
	}
	tl := fmt.Sprint(back["timeline"])
	if !strings.Contains(tl, "原标题："+title) || !strings.Contains(tl, "原描述："+desc) {
		t.Fatalf("originals not in the timeline: %s", tl)
	}
	staff := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + id, token: w.admin}), http.StatusOK)
	if fmt.Sprint(staff["screening_hits"]) != "[]" || !strings.Contains(fmt.Sprint(staff["timeline"]), "原描述："+desc) {
		t.Fatalf("staff view: %v", staff["screening_hits"])
	}
	w.accept(id)
	pv := w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key})
	if pv.Code != http.StatusOK || strings.Contains(pv.String(), "傻逼") {
		t.Fatalf("platform view: %d %s", pv.Code, pv)
	}
	for _, e := range w.eventsOf(w.platformID, "complaint.delivered") {
		if strings.Contains(string(e.Payload), "傻逼") {
			t.Fatalf("the delivered event carries the original: %s", e.Payload)
		}
	}
}

// TestWaitingComplaintScreenedAgainOnDelivery: a term added while a complaint waits for its
// platform is applied when the platform becomes reachable: a refund-only complaint is rejected
// instead of delivered, a consumer one (a moderator accepted it) is delivered and flagged.
func TestWaitingComplaintScreenedAgainOnDelivery(t *testing.T) {
	w := newWorld(t)
	dark := w.createPlatform(w.admin, "xianyu", map[string]any{"name": "闲鱼", "onboarded": true})["id"].(string)
	merchant, _ := w.register("merchant")
	const text = "买家签收后说草莓是黑心烂果，申请仅退款，平台直接同意了，商品也没有退回。"
	refund := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
		body: refundBody(dark, map[string]any{"description": text})}), http.StatusCreated)
	consumer := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer,
		body: complaintBody(dark, map[string]any{"description": text})}), http.StatusCreated)
	if refund["status"] != "awaiting_contact" || w.accept(consumer["id"].(string))["status"] != "awaiting_contact" {
		t.Fatalf("not waiting: %v", refund["status"])
	}
	w.addTerm("黑心烂果")
	key, _ := w.issueKey(w.admin, dark)
	w.runJobs()
	r := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + refund["id"].(string), token: merchant}), http.StatusOK)
	if r["status"] != "rejected" || r["rejection"].(map[string]any)["reason_code"] != "abusive_content" {
		t.Fatalf("waiting refund-only complaint with a hit: %v %v", r["status"], r["rejection"])
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + refund["id"].(string), token: key}), http.StatusNotFound)
	if len(w.eventsOf(dark, "complaint.delivered")) != 1 {
		t.Fatalf("delivered events: %d, want the consumer complaint's only", len(w.eventsOf(dark, "complaint.delivered")))
	}
	c := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + consumer["id"].(string), token: w.admin}), http.StatusOK)
	if c["status"] != "delivered" || fmt.Sprint(c["flags"]) != "[abusive_language]" {
		t.Fatalf("waiting consumer complaint: %v %v", c["status"], c["flags"])
	}
}
