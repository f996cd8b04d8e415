package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestConcurrentIdenticalFilings sends the same filing 20 times at once, with an order number
// and without one: exactly one 201, and 19 × 409 duplicate_complaint naming the winner.
func TestConcurrentIdenticalFilings(t *testing.T) {
	w := newWorld(t)
	variants := map[string]map[string]any{
		"order_no": {"order_no": "RACE-20"},
		"text":     {"order_no": nil, "title": "同时递交的投诉", "description": "同一段文字同时递交二十次，只有一次可以成功，其余都是重复投诉。"},
	}
	for name, overrides := range variants {
		t.Run(name, func(t *testing.T) {
			body := complaintBody(w.platformID, overrides)
			res := make([]*response, 20)
			var wg sync.WaitGroup
			for i := range res {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res[i] = w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: body})
				}()
			}
			wg.Wait()
			winner := ""
			for _, r := range res {
				if r.Code == http.StatusCreated {
					if winner != "" {
						t.Fatal("two filings won")
					}
					winner = r.JSON(t)["id"].(string)
				}
			}
			if winner == "" {
				t.Fatal("no filing won")
			}
			for _, r := range res {
				if r.Code == http.StatusCreated {
					continue
				}
				m := expect(t, r, http.StatusConflict, "duplicate_complaint")
				if m["existing_id"] != winner {
					t.Fatalf("existing_id %v, want the winner %s", m["existing_id"], winner)
				}
			}
		})
	}
}

// TestDuplicateClaimLifecycle: an order number is free again once its complaint is completed,
// withdrawn or rejected, and taken again by a resubmission; a text is free again after 24 h.
func TestDuplicateClaimLifecycle(t *testing.T) {
	w := newWorld(t)
	post := func(path string, body any, token string) *response {
		return w.do(req{method: "POST", path: "/api/v1" + path, token: token, body: body})
	}
	dup := func(r *response, existing any) {
		t.Helper()
		if m := expect(t, r, http.StatusConflict, "duplicate_complaint"); m["existing_id"] != existing {
			t.Fatalf("existing_id %v, want %v", m["existing_id"], existing)
		}
	}
	order := map[string]any{"order_no": "LIFE-1"}
	// Completed by the rating: the order may be complained about again.
	a := w.file(w.consumer, order)
	w.accept(a["id"].(string))
	w.reply(w.key, a["id"].(string), "已退款")
	expect(t, post("/complaints/"+a["id"].(string)+"/rating", map[string]any{"score": 9}, w.consumer), http.StatusOK)
	b := w.file(w.consumer, order)
	dup(post("/complaints", complaintBody(w.platformID, order), w.consumer), b["id"])
	// Rejected: free again; the rejected one, supplemented, finds the order taken.
	expect(t, post("/admin/complaints/"+b["id"].(string)+"/reject", map[string]any{"reason_code": "missing_information", "note": "请补充订单截图"}, w.admin), http.StatusOK)
	c := w.file(w.consumer, order)
	dup(post("/complaints/"+b["id"].(string)+"/supplements", map[string]any{"text": "补充订单截图"}, w.consumer), c["id"])
	// Withdrawn: the rejected one may come back, and holds the order again.
	expect(t, post("/complaints/"+c["id"].(string)+"/withdraw", map[string]any{"reason": "重复了"}, w.consumer), http.StatusOK)
	back := expect(t, post("/complaints/"+b["id"].(string)+"/supplements", map[string]any{"text": "补充订单截图"}, w.consumer), http.StatusOK)
	if back["status"] != "pending_review" {
		t.Fatalf("resubmitted: %v", back["status"])
	}
	dup(post("/complaints", complaintBody(w.platformID, order), w.consumer), b["id"])

	// Without an order number the text is held for 24 h, and then taken over by a new filing.
	text := map[string]any{"order_no": nil, "title": "客服不处理问题", "description": fmt.Sprintf("第%d次联系客服均被敷衍，问题一直没有得到处理，请平台介入。", 3)}
	first := w.file(w.consumer, text)
	w.advance(23 * time.Hour)
	dup(post("/complaints", complaintBody(w.platformID, text), w.consumer), first["id"])
	w.advance(time.Hour + time.Second)
	second := w.file(w.consumer, text)
	dup(post("/complaints", complaintBody(w.platformID, text), w.consumer), second["id"])
	// The first one, withdrawn now, does not give up what the second holds.
	expect(t, post("/complaints/"+first["id"].(string)+"/withdraw", map[string]any{"reason": "重复了"}, w.consumer), http.StatusOK)
	dup(post("/complaints", complaintBody(w.platformID, text), w.consumer), second["id"])
}

// TestConcurrentAcceptsAndFilings accepts 200 complaints from 16 goroutines while more are
// filed: no request answers 5xx (deadlock victims are retried inside the service).
func TestConcurrentAcceptsAndFilings(t *testing.T) {
	w := newWorld(t)
	w.endpoint(w.key, "http://127.0.0.1:9/hook", "complaint.delivered")
	ids := make(chan string, 200)
	for i := range 200 {
		ids <- w.file(w.consumer, map[string]any{"order_no": fmt.Sprintf("LOAD-%d", i)})["id"].(string)
	}
	close(ids)
	codes := make(chan int, 400)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for id := range ids {
				codes <- w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/accept", token: w.admin}).Code
			}
		}()
		go func() {
			defer wg.Done()
			for i := range 12 {
				codes <- w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer,
					body: complaintBody(w.platformID, map[string]any{"order_no": fmt.Sprintf("NEW-%d-%d", g, i)})}).Code
			}
		}()
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[http.StatusOK] != 200 || count[http.StatusCreated] != 16*12 || len(count) != 2 {
		t.Fatalf("answers: %v", count)
	}
}
