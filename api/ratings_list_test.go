package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

func TestRatingList(t *testing.T) {
	rw := &ratingWorld{newWorld(t)}
	// A: rateable (onboarded, contact). B: not onboarded, reachable by key only: unrated.
	a, aKey := rw.platformID, rw.key
	b := rw.createPlatform(rw.admin, "b-platform", map[string]any{"name": "乙平台", "sector": "logistics"})["id"].(string)
	bKey, _ := rw.issueKey(rw.admin, b)
	expect(t, rw.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + b, token: rw.admin, body: map[string]any{"onboarded": true}}), http.StatusOK)
	bKey, _ = rw.issueKey(rw.admin, b) // onboarded and a key: reachable, but no after-sales contact: unrated

	nov := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	// A in November: 5 complaints.
	rw.complaintAt(a, nov, 71*time.Hour, 10, aKey)                  // timeliness 1.0, score 10
	rw.complaintAt(a, nov.Add(time.Hour), 72*time.Hour, 0, aKey)    // exactly 72 h → 0.6, unrated
	rw.complaintAt(a, nov.Add(2*time.Hour), 120*time.Hour, 4, aKey) // exactly 120 h → 0, score 4
	rw.complaintAt(a, nov.Add(3*time.Hour), -1, 0, aKey)            // no reply
	// Delivered at 23:59:59 on 30 November in China time: still November.
	last := rw.complaintAt(a, time.Date(2026, 11, 30, 15, 59, 59, 0, time.UTC), -1, 0, aKey)
	// Not counted for A: pending, rejected, withdrawn; and a complaint delivered in December. The
	// one awaiting a platform that cannot be reached counts for that (unrated) platform.
	rw.clock.Set(nov.Add(4 * time.Hour))
	rw.consumer = rw.login(rw.consumerPhone)
	rw.admin = rw.adminToken()
	expect(t, rw.do(req{method: "POST", path: "/api/v1/complaints", token: rw.consumer, body: complaintBody(a, map[string]any{"order_no": "pending"})}), http.StatusCreated)
	rej := expect(t, rw.do(req{method: "POST", path: "/api/v1/complaints", token: rw.consumer, body: complaintBody(a, map[string]any{"order_no": "rej"})}), http.StatusCreated)["id"].(string)
	expect(t, rw.do(req{method: "POST", path: "/api/v1/admin/complaints/" + rej + "/reject", token: rw.admin, body: map[string]string{"reason_code": "other", "note": "x"}}), http.StatusOK)
	dark := rw.createPlatform(rw.admin, "dark", nil)["id"].(string)
	awaiting := expect(t, rw.do(req{method: "POST", path: "/api/v1/complaints", token: rw.consumer, body: complaintBody(dark, nil)}), http.StatusCreated)["id"].(string)
	rw.accept(awaiting)
	wd := rw.complaintAt(a, nov.Add(5*time.Hour), -1, 0, aKey)
	rw.consumer = rw.login(rw.consumerPhone)
	expect(t, rw.do(req{method: "POST", path: "/api/v1/complaints/" + wd + "/withdraw", token: rw.consumer, body: map[string]any{"reason": "x"}}), http.StatusOK)
	rw.complaintAt(a, time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC), -1, 0, aKey) // 00:00 on 1 December in China
	// B: 6 complaints, all replied within 72 h → would be recommended, but unrated.
	for i := range 6 {
		rw.complaintAt(b, nov.Add(time.Duration(i)*time.Hour), time.Hour, 0, bKey)
	}
	_ = last

	// Past every reply window (the last delivery was 30 November 16:00 UTC), before the freeze.
	rw.clock.Set(time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC))
	list := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"}), http.StatusOK)
	if list["period"] != "2026-11" || list["period_type"] != "month" || list["channel"] != "consumer" || list["frozen"] != false ||
		list["formula_version"] != models.RatingFormulaVersion || list["generated_at"] == nil {
		t.Fatalf("list header: %v", list)
	}
	items := list["items"].([]any)
	if len(items) != 3 {
		t.Fatalf("%d items, want 3 (platforms without complaints are not listed)", len(items))
	}
	// The dark platform (not onboarded) is unrated: its line counts the complaints accepted in
	// the period, the one waiting in awaiting_contact included (API.md 7.7).
	if third := items[2].(map[string]any); third["platform"].(map[string]any)["id"] != dark || third["grade"] != "unrated" ||
		third["complaint_count"] != float64(1) || third["index"] != nil || third["replied_count"] != float64(0) {
		t.Fatalf("unrated platform with a waiting complaint: %v", third)
	}
	// B has more complaints: it ranks first.
	first, second := items[0].(map[string]any), items[1].(map[string]any)
	if first["platform"].(map[string]any)["id"] != b || first["rank"] != float64(1) || second["rank"] != float64(2) {
		t.Fatalf("order: %v", items)
	}
	if first["grade"] != "unrated" || first["grade_label"] != "不予评级" || first["index"] != nil || !nearly(first["reply_rate"], 1) {
		t.Fatalf("unrated platform: %v", first)
	}
	// A by hand: 5 complaints, 3 replied (timeliness 1.0 + 0.6 + 0 = 1.6 / 3 = 0.5333), 2 rated (10, 4 → 7.00).
	// index = 0.6×0.5 + 0.53333×0.3 + 7/10×0.2 = 0.3 + 0.16 + 0.14 = 0.6000 → caution.
	if second["complaint_count"] != float64(5) || second["replied_count"] != float64(3) || second["rated_count"] != float64(2) ||
		!nearly(second["reply_rate"], 0.6) || !nearly(second["timeliness"], 0.5333) || !nearly(second["satisfaction"], 7) ||
		!nearly(second["index"], 0.6) || second["grade"] != "caution" || second["grade_label"] != "谨慎下单" {
		t.Fatalf("platform A: %v", second)
	}

	// The quarter, half and year hold the same data (December has one undelivered-in-November
	// complaint of A, without reply).
	for _, period := range []string{"2026-Q4", "2026-H2", "2026"} {
		l := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=" + period}), http.StatusOK)
		it := itemFor(t, l, a)
		if it == nil || it["complaint_count"] != float64(6) || it["replied_count"] != float64(3) {
			t.Fatalf("%s: %v", period, it)
		}
	}
	dec := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings"}), http.StatusOK) // current month: December
	if dec["period"] != "2026-12" || len(dec["items"].([]any)) != 1 {
		t.Fatalf("default period: %v", dec)
	}
	// Sector and channel.
	logistics := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11&sector=logistics"}), http.StatusOK)["items"].([]any)
	if len(logistics) != 1 || logistics[0].(map[string]any)["rank"] != float64(1) || logistics[0].(map[string]any)["platform"].(map[string]any)["id"] != b {
		t.Fatalf("sector filter: %v", logistics)
	}
	retail := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11&sector=digital_retail"}), http.StatusOK)["items"].([]any)
	if len(retail) != 2 || retail[0].(map[string]any)["rank"] != float64(1) || retail[0].(map[string]any)["platform"].(map[string]any)["id"] != a ||
		retail[1].(map[string]any)["platform"].(map[string]any)["id"] != dark {
		t.Fatalf("sector filter: %v", retail)
	}
	if n := len(expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11&channel=refund_only"}), http.StatusOK)["items"].([]any)); n != 0 {
		t.Fatalf("refund-only channel: %d", n)
	}
	for _, bad := range []string{"period=2026-13", "period=2026-q4", "period=26", "sector=moon", "channel=all"} {
		expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?" + bad}), http.StatusUnprocessableEntity)
	}

	// The platform's own view agrees with the public list.
	own := expect(t, rw.do(req{method: "GET", path: "/api/v1/platform/ratings/2026-11", token: aKey}), http.StatusOK)
	if fmt.Sprint(own["item"]) != fmt.Sprint(second) || own["frozen"] != false || own["period_type"] != "month" {
		t.Fatalf("own view:\n%v\npublic:\n%v", own["item"], second)
	}
	// The list form answers the same shape whatever the query: with period, that one entry.
	one := expect(t, rw.do(req{method: "GET", path: "/api/v1/platform/ratings?period=2026-11", token: aKey}), http.StatusOK)["data"].([]any)
	if len(one) != 1 || fmt.Sprint(one[0]) != fmt.Sprint(own) {
		t.Fatalf("list form with period: %v, want [%v]", one, own)
	}
	quarters := expect(t, rw.do(req{method: "GET", path: "/api/v1/platform/ratings?period_type=quarter", token: aKey}), http.StatusOK)["data"].([]any)
	if len(quarters) != 12 || quarters[0].(map[string]any)["period"] != "2026-Q4" {
		t.Fatalf("own quarters: %v", quarters[:1])
	}
	for _, bad := range []string{"/api/v1/platform/ratings/2026-13", "/api/v1/platform/ratings?period_type=week", "/api/v1/platform/ratings/2026-11?channel=all"} {
		expect(t, rw.do(req{method: "GET", path: bad, token: aKey}), http.StatusUnprocessableEntity)
	}
	hist := expect(t, rw.do(req{method: "GET", path: "/api/v1/platform/ratings", token: aKey}), http.StatusOK)["data"].([]any)
	if len(hist) != 12 || hist[0].(map[string]any)["period"] != "2026-12" || fmt.Sprint(hist[1].(map[string]any)["item"]) != fmt.Sprint(second) ||
		hist[2].(map[string]any)["item"] != nil {
		t.Fatalf("own history: %v", hist[:3])
	}
	pub := expect(t, rw.do(req{method: "GET", path: "/api/v1/platforms/" + a + "/ratings?period_type=quarter"}), http.StatusOK)["data"].([]any)
	if len(pub) != 12 || pub[0].(map[string]any)["period"] != "2026-Q4" || pub[1].(map[string]any)["period"] != "2026-Q3" {
		t.Fatalf("public history: %v", pub[:2])
	}
	expect(t, rw.do(req{method: "GET", path: "/api/v1/platforms/" + a + "/ratings?period_type=week"}), http.StatusUnprocessableEntity)
	expect(t, rw.do(req{method: "GET", path: "/api/v1/platforms/nope/ratings"}), http.StatusNotFound)
}

func TestRatingRefundOnlyChannel(t *testing.T) {
	rw := &ratingWorld{newWorld(t)}
	rw.clock.Set(time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC))
	merchant, _ := rw.register("merchant")
	for i, score := range []int{6, 0} {
		c := expect(t, rw.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
			body: refundBody(rw.platformID, map[string]any{"order_no": fmt.Sprintf("R%d", i)})}), http.StatusCreated)
		if i == 0 {
			rw.clock.Advance(80 * time.Hour) // 72–120 h: 0.6
			rw.reply(rw.key, c["id"].(string), "已核实")
			merchant = rw.login(c["contact_phone"].(string))
			expect(t, rw.do(req{method: "POST", path: "/api/v1/complaints/" + c["id"].(string) + "/rating", token: merchant,
				body: map[string]any{"score": score}}), http.StatusOK)
		}
	}
	rw.complaintAt(rw.platformID, time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC), time.Hour, 10, rw.key) // consumer channel
	rw.clock.Set(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))                                         // past the reply windows
	l := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11&channel=refund_only"}), http.StatusOK)
	it := itemFor(t, l, rw.platformID)
	// 2 complaints, 1 replied (0.6), 1 rated (6): 0.5×0.5 + 0.6×0.3 + 0.6×0.2 = 0.25 + 0.18 + 0.12 = 0.55.
	if l["channel"] != "refund_only" || it["complaint_count"] != float64(2) || !nearly(it["reply_rate"], 0.5) || !nearly(it["timeliness"], 0.6) ||
		!nearly(it["satisfaction"], 6) || !nearly(it["index"], 0.55) || it["grade"] != "caution" {
		t.Fatalf("refund-only list: %v", it)
	}
	consumer := itemFor(t, expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"}), http.StatusOK), rw.platformID)
	if consumer["complaint_count"] != float64(1) {
		t.Fatalf("consumer list counts refund-only complaints: %v", consumer)
	}
	own := expect(t, rw.do(req{method: "GET", path: "/api/v1/platform/ratings/2026-11?channel=refund_only", token: rw.key}), http.StatusOK)
	if fmt.Sprint(own["item"]) != fmt.Sprint(it) {
		t.Fatalf("own refund-only view: %v", own)
	}
}

func TestRatingListCachingHeaders(t *testing.T) {
	rw := &ratingWorld{newWorld(t)}
	rw.complaintAt(rw.platformID, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), time.Hour, 9, rw.key)
	rw.clock.Set(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	r := rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"})
	expect(t, r, http.StatusOK)
	if r.Header.Get("Cache-Control") != "public, max-age=30" || r.Header.Get("ETag") == "" {
		t.Fatalf("live list headers: %v", r.Header)
	}
	expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11", header: map[string]string{"If-None-Match": r.Header.Get("ETag")}}), http.StatusNotModified)
	// A period that has not begun is refused; an old empty one is frozen without being stored.
	expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2027-01"}), http.StatusUnprocessableEntity)
	old := rw.do(req{method: "GET", path: "/api/v1/ratings?period=2019"})
	if expect(t, old, http.StatusOK)["frozen"] != true || old.Header.Get("Cache-Control") != "public, max-age=86400" {
		t.Fatalf("old period: %v %s", old.Header, old.Body)
	}
	var snapshots int64
	rw.st.DB().Table("rating_snapshots").Count(&snapshots)
	if snapshots != 0 {
		t.Fatalf("%d snapshots stored for an empty period", snapshots)
	}
}

// TestRatingRenderingSharedAcrossInstances serves a list from a second service instance that
// shares the first one's cache: it reads the rendering the first stored.
func TestRatingRenderingSharedAcrossInstances(t *testing.T) {
	rw := &ratingWorld{newWorld(t)}
	rw.complaintAt(rw.platformID, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), time.Hour, 9, rw.key)
	rw.clock.Set(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	cache := kv.NewMemory(rw.clock.Now)
	one := service.New(rw.st, cache, service.Options{Clock: rw.clock, BcryptCost: 4})
	two := service.New(rw.st, cache, service.Options{Clock: rw.clock, BcryptCost: 4})
	a, err := one.Ratings.Rendered(t.Context(), service.RatingQuery{Period: "2026-11"})
	if err != nil {
		t.Fatal(err)
	}
	// A change that the shared rendering does not show yet: the second instance still answers
	// with the shared rendering, byte for byte, until it expires.
	rw.complaintAt(rw.platformID, time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), time.Hour, 2, rw.key)
	rw.clock.Set(time.Date(2026, 11, 20, 0, 0, 10, 0, time.UTC))
	b, err := two.Ratings.Rendered(t.Context(), service.RatingQuery{Period: "2026-11"})
	if err != nil {
		t.Fatal(err)
	}
	if a.ETag != b.ETag || string(a.Body) != string(b.Body) {
		t.Fatal("the second instance did not use the shared rendering")
	}
	rw.clock.Set(time.Date(2026, 11, 20, 0, 0, 31, 0, time.UTC))
	c, err := two.Ratings.Rendered(t.Context(), service.RatingQuery{Period: "2026-11"})
	if err != nil {
		t.Fatal(err)
	}
	if c.ETag == a.ETag {
		t.Fatal("the rendering outlived the list it renders")
	}
}
