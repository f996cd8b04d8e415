package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/service"
)

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
