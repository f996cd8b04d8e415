package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// expectLimit checks a limit_reached problem: 409, the limit named with its maximum, and a
// detail that says it in words.
func expectLimit(t *testing.T, r *response, name string, max int, detail string) {
	t.Helper()
	m := expect(t, r, http.StatusConflict, "limit_reached")
	l, _ := m["limit"].(map[string]any)
	if l["name"] != name || l["max"] != float64(max) {
		t.Fatalf("limit %v, want {name:%s max:%d}: %s", m["limit"], name, max, r.Body)
	}
	if m["detail"] != detail {
		t.Fatalf("detail %q, want %q", m["detail"], detail)
	}
}

// rowCount counts the rows of a table that match a condition.
func (a *testApp) rowCount(model any, where string, args ...any) int64 {
	a.t.Helper()
	var n int64
	if err := a.st.DB().Model(model).Where(where, args...).Count(&n).Error; err != nil {
		a.t.Fatal(err)
	}
	return n
}

// concurrently sends n copies of a request at once and counts the answers by status.
func (a *testApp) concurrently(n int, rq func(i int) req) map[int]int {
	a.t.Helper()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts = map[int]int{}
	)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := a.do(rq(i))
			mu.Lock()
			counts[r.Code]++
			mu.Unlock()
			if r.Code == http.StatusConflict {
				if m := r.JSON(a.t); m["code"] != "limit_reached" {
					a.t.Errorf("409 %v, want limit_reached: %s", m["code"], r.Body)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	return counts
}

func TestSupplementLimit(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	supplement := func(i int) req {
		return req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
			body: map[string]any{"text": fmt.Sprintf("补充说明第%d条：商家仍未回复。", i)}}
	}
	for i := range 19 {
		expect(t, w.do(supplement(i)), http.StatusOK)
	}
	events := len(w.eventsOf(w.platformID, models.EventComplaintSupplemented))

	// At 19 of 20, concurrent supplements: the complaint's row lock lets exactly one through.
	counts := w.concurrently(6, func(i int) req { return supplement(100 + i) })
	if counts[http.StatusOK] != 1 || counts[http.StatusConflict] != 5 {
		t.Fatalf("answers %v, want one 200 and five 409", counts)
	}
	if n := w.rowCount(&models.Supplement{}, "complaint_id = ?", id); n != 20 {
		t.Fatalf("%d supplements stored, want 20", n)
	}
	expectLimit(t, w.do(supplement(200)), "supplements_per_complaint", 20, "at most 20 supplements per complaint")
	// A refused supplement tells the platform nothing.
	if n := len(w.eventsOf(w.platformID, models.EventComplaintSupplemented)); n != events+1 {
		t.Fatalf("%d supplemented events, want %d", n, events+1)
	}
	got := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: w.consumer}), http.StatusOK)
	if n := len(got["supplements"].([]any)); n != 20 {
		t.Fatalf("the complaint shows %d supplements, want 20", n)
	}
}

func TestReplyLimit(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	reply := func(i int) req {
		return req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: w.key,
			body: map[string]any{"content": fmt.Sprintf("第%d次回复：正在核实。", i)}}
	}
	for i := range 49 {
		expect(t, w.do(reply(i)), http.StatusCreated)
	}
	counts := w.concurrently(6, func(i int) req { return reply(100 + i) })
	if counts[http.StatusCreated] != 1 || counts[http.StatusConflict] != 5 {
		t.Fatalf("answers %v, want one 201 and five 409", counts)
	}
	if n := w.rowCount(&models.Reply{}, "complaint_id = ?", id); n != 50 {
		t.Fatalf("%d replies stored, want 50", n)
	}
	expectLimit(t, w.do(reply(200)), "replies_per_complaint", 50, "at most 50 replies per complaint")
}

func TestAPIKeyLimit(t *testing.T) {
	w := newWorld(t) // the platform has one key
	issue := func(int) req {
		return req{method: "POST", path: "/api/v1/admin/platforms/" + w.platformID + "/api-keys", token: w.admin,
			body: map[string]string{"name": "another"}}
	}
	_, revokedID := w.issueKey(w.admin, w.platformID)
	expect(t, w.do(req{method: "DELETE", path: "/api/v1/admin/platforms/" + w.platformID + "/api-keys/" + revokedID, token: w.admin}), http.StatusOK)
	for range 3 {
		w.issueKey(w.admin, w.platformID)
	}
	// Four active keys of five (and a revoked one that does not count): concurrent issues, one passes.
	counts := w.concurrently(6, issue)
	if counts[http.StatusCreated] != 1 || counts[http.StatusConflict] != 5 {
		t.Fatalf("answers %v, want one 201 and five 409", counts)
	}
	if n := w.rowCount(&models.APIKey{}, "platform_id = ? AND revoked_at IS NULL", w.platformID); n != 5 {
		t.Fatalf("%d active keys, want 5", n)
	}
	expectLimit(t, w.do(issue(0)), "active_api_keys_per_platform", 5, "at most 5 active API keys per platform")

	// A refusal is not recorded under its Idempotency-Key: once revoking a key makes room, the
	// same request with the same key issues one.
	keyed := issue(0)
	keyed.header = map[string]string{"Idempotency-Key": "after-the-limit"}
	expect(t, w.do(keyed), http.StatusConflict, "limit_reached")
	expect(t, w.do(req{method: "DELETE", path: "/api/v1/admin/platforms/" + w.platformID + "/api-keys/" + w.keyIDs()[0], token: w.admin}), http.StatusOK)
	expect(t, w.do(keyed), http.StatusCreated)
	expect(t, w.do(issue(0)), http.StatusConflict, "limit_reached")

	// The limit is the platform's: another platform still gets keys.
	other := w.createPlatform(w.admin, "jd", nil)["id"].(string)
	w.issueKey(w.admin, other)
}

// keyIDs lists the ids of the world's platform's active keys.
func (w *world) keyIDs() []string {
	w.t.Helper()
	var ids []string
	if err := w.st.DB().Model(&models.APIKey{}).Where("platform_id = ? AND revoked_at IS NULL", w.platformID).Order("id").Pluck("id", &ids).Error; err != nil {
		w.t.Fatal(err)
	}
	return ids
}

func TestWebhookEndpointLimit(t *testing.T) {
	w := newWorld(t)
	create := func(i int) req {
		return req{method: "POST", path: "/api/v1/platform/webhook-endpoints", token: w.key,
			body: map[string]any{"url": fmt.Sprintf("http://127.0.0.1:9/hooks/%d", i), "event_types": []string{}}}
	}
	var first string
	for i := range 19 {
		id, _ := w.endpoint(w.key, fmt.Sprintf("http://127.0.0.1:9/hooks/%d", i))
		if i == 0 {
			first = id
		}
	}
	// A disabled endpoint counts: it can be enabled again.
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/platform/webhook-endpoints/" + first, token: w.key,
		body: map[string]any{"enabled": false}}), http.StatusOK)
	counts := w.concurrently(6, func(i int) req { return create(100 + i) })
	if counts[http.StatusCreated] != 1 || counts[http.StatusConflict] != 5 {
		t.Fatalf("answers %v, want one 201 and five 409", counts)
	}
	if n := w.rowCount(&models.WebhookEndpoint{}, "platform_id = ?", w.platformID); n != 20 {
		t.Fatalf("%d endpoints, want 20", n)
	}
	expectLimit(t, w.do(create(200)), "webhook_endpoints_per_platform", 20, "at most 20 webhook endpoints per platform")

	// Deleting one makes room for one.
	if r := w.do(req{method: "DELETE", path: "/api/v1/platform/webhook-endpoints/" + first, token: w.key, raw: true}); r.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Code, r.Body)
	}
	expect(t, w.do(create(201)), http.StatusCreated)
	expect(t, w.do(create(202)), http.StatusConflict, "limit_reached")
}

// The limits are settings: the services take them from DSB_MAX_* through their options.
func TestLimitsAreConfigurable(t *testing.T) {
	w := newWorldWith(t, func(o *appOptions) {
		o.maxima = service.Limits{SupplementsPerComplaint: 2, RepliesPerComplaint: 1, WebhookEndpointsPerPlatform: 1, ActiveAPIKeysPerPlatform: 2}
	})
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	for i := range 2 {
		expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
			body: map[string]any{"text": fmt.Sprintf("补充%d", i)}}), http.StatusOK)
	}
	expectLimit(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
		body: map[string]any{"text": "再补充"}}), "supplements_per_complaint", 2, "at most 2 supplements per complaint")

	w.reply(w.key, id, "已处理")
	expectLimit(t, w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: w.key,
		body: map[string]any{"content": "再次回复"}}), "replies_per_complaint", 1, "at most 1 replies per complaint")

	w.endpoint(w.key, "http://127.0.0.1:9/hooks")
	expectLimit(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints", token: w.key,
		body: map[string]any{"url": "http://127.0.0.1:9/other", "event_types": []string{}}}),
		"webhook_endpoints_per_platform", 1, "at most 1 webhook endpoints per platform")

	w.issueKey(w.admin, w.platformID)
	expectLimit(t, w.do(req{method: "POST", path: "/api/v1/admin/platforms/" + w.platformID + "/api-keys", token: w.admin,
		body: map[string]string{"name": "third"}}), "active_api_keys_per_platform", 2, "at most 2 active API keys per platform")
}
