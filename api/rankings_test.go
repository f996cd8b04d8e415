package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// TestRankingAccess: the rankings are public; every kind of caller gets them.
func TestRankingAccess(t *testing.T) {
	w := newWorld(t)
	tokens := w.principals()
	checkAccess(t, w, tokens, []access{
		{method: "GET", path: "/api/v1/rankings", allowed: []string{"public"}},
		{method: "GET", path: "/api/v1/rankings?period=2026-Q4&sector=digital_retail&tag=" + url.QueryEscape("二手电商") +
			"&issue_type=refund&channel=consumer", allowed: []string{"public"}},
	})
}

// TestRankingRejectsBadQueries: a query that does not parse is a 422 validation problem
// naming the member, as the rating list answers.
func TestRankingRejectsBadQueries(t *testing.T) {
	w := newWorld(t)
	w.clock.Set(time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC))
	for q, field := range map[string]string{
		"period=2026-13": "period", "period=2026-q4": "period", "period=26": "period", "period=2026-12": "period",
		"sector=fresh": "sector", "issue_type=late": "issue_type", "channel=phone": "channel",
		"tag=" + strings.Repeat("标", 65): "tag",
	} {
		p := expect(t, w.do(req{method: "GET", path: "/api/v1/rankings?" + q}), http.StatusUnprocessableEntity)
		if p["code"] != "validation_failed" || !strings.Contains(fmt.Sprint(p), field) {
			t.Errorf("%s: %v", q, p)
		}
	}
	// The default is the current month in China time (15 November UTC is November there).
	if l := expect(t, w.do(req{method: "GET", path: "/api/v1/rankings"}), http.StatusOK); l["period"] != "2026-11" || l["sector"] != nil ||
		l["tag"] != nil || l["issue_type"] != nil || l["channel"] != nil {
		t.Fatalf("default: %v", l)
	}
}

// rankingPlatforms makes platforms named as given, in the sectors given.
func (w *world) rankingPlatforms(sectors map[string]string) map[string]string {
	w.t.Helper()
	ids := map[string]string{}
	i := 0
	for name, sector := range sectors {
		i++
		ids[name] = w.createPlatform(w.admin, fmt.Sprintf("rk-%d", i), map[string]any{"name": name, "sector": sector})["id"].(string)
	}
	return ids
}

func times(n int, r rankRow) []rankRow {
	out := make([]rankRow, n)
	for i := range out {
		out[i] = r
		out[i].created = r.created.Add(time.Duration(i) * time.Minute)
	}
	return out
}

// TestRankingRankChangeAndTies: rank change is the previous rank minus the current one (up is
// positive), null for a platform new to the list; equal counts are ordered by name; shares are
// within each sector.
func TestRankingRankChangeAndTies(t *testing.T) {
	w := newWorld(t)
	ids := w.rankingPlatforms(map[string]string{"A平台": "digital_retail", "B平台": "digital_retail", "C平台": "digital_retail", "D平台": "logistics"})
	oct := time.Date(2026, 10, 10, 0, 0, 0, 0, cst)
	nov := time.Date(2026, 11, 10, 0, 0, 0, 0, cst)
	row := func(name string, at time.Time) rankRow {
		return rankRow{platform: ids[name], created: at, status: models.StatusDelivered, issueType: "refund", channel: models.ChannelConsumer}
	}
	var rows []rankRow
	for name, n := range map[string]int{"A平台": 3, "B平台": 2, "C平台": 1} {
		rows = append(rows, times(n, row(name, oct))...)
	}
	for name, n := range map[string]int{"C平台": 4, "B平台": 2, "A平台": 2, "D平台": 1} {
		rows = append(rows, times(n, row(name, nov))...)
	}
	w.insertRanked(rows)
	w.clock.Set(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	l := expect(t, w.do(req{method: "GET", path: "/api/v1/rankings?period=2026-11"}), http.StatusOK)
	var got []string
	for _, raw := range l["items"].([]any) {
		it := raw.(map[string]any)
		got = append(got, fmt.Sprintf("%v %s n=%v share=%v prev=%v change=%v prevn=%v dn=%v", it["rank"],
			it["platform"].(map[string]any)["name"], it["complaint_count"], it["share"], it["previous_rank"], it["rank_change"],
			it["previous_count"], it["count_change"]))
	}
	want := []string{
		"1 C平台 n=4 share=0.5 prev=3 change=2 prevn=1 dn=3",
		"2 A平台 n=2 share=0.25 prev=1 change=-1 prevn=3 dn=-1", // tied with B: A before B by name
		"3 B平台 n=2 share=0.25 prev=2 change=-1 prevn=2 dn=0",
		"4 D平台 n=1 share=1 prev=<nil> change=<nil> prevn=0 dn=1", // new, and alone in its sector
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ranking:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if l["total"] != float64(9) || l["frozen"] != false {
		t.Fatalf("header: %v", l)
	}
}

// TestRankingCountsByCurrentStatus: a complaint counts from its filing while pending review;
// rejected it drops out, resubmitted it counts again, withdrawn it drops out — by its status
// when the live list is computed (the cache shows a change within 30 s).
func TestRankingCountsByCurrentStatus(t *testing.T) {
	w := newWorld(t)
	w.clock.Set(time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC))
	w.advance(0)
	count := func() float64 {
		t.Helper()
		w.advance(31 * time.Second)
		it := itemFor(t, expect(t, w.do(req{method: "GET", path: "/api/v1/rankings?period=2026-11"}), http.StatusOK), w.platformID)
		if it == nil {
			return 0
		}
		return it["complaint_count"].(float64)
	}
	id := w.file(w.consumer, nil)["id"].(string)
	w.file(w.consumer, map[string]any{"order_no": "other"})
	if n := count(); n != 2 {
		t.Fatalf("pending review: %v, want 2", n)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/reject", token: w.admin,
		body: map[string]string{"reason_code": "missing_information", "note": "请补充订单截图"}}), http.StatusOK)
	if n := count(); n != 1 {
		t.Fatalf("after rejection: %v, want 1", n)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
		body: map[string]any{"text": "补充订单截图"}}), http.StatusOK)
	if n := count(); n != 2 {
		t.Fatalf("resubmitted: %v, want 2", n)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/withdraw", token: w.consumer,
		body: map[string]any{"reason": "已协商解决"}}), http.StatusOK)
	if n := count(); n != 1 {
		t.Fatalf("withdrawn: %v, want 1", n)
	}
}
