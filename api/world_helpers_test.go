package api_test

import (
	"net/http"
	"regexp"
	"testing"
	"time"
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
