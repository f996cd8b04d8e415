package api_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// TestRankingFreezing: a live period shows a change once its 30 s cache has passed; at the
// rating lists' freeze point (DSB_RATING_FREEZE_DELAY after the period's end) the freezing job
// takes a snapshot, and from then on the period's rankings — whatever the filters — are
// served unchanged whatever happens to its complaints and platforms: new rows, a withdrawal,
// a platform renamed and re-tagged. An old period is frozen when first asked for, even empty.
func TestRankingFreezing(t *testing.T) {
	w := newWorld(t)
	oct := time.Date(2026, 10, 10, 0, 0, 0, 0, cst)
	other := w.createPlatform(w.admin, "xianyu", map[string]any{"name": "闲鱼", "tags": []string{"二手电商"}})["id"].(string)
	row := rankRow{platform: other, created: oct, status: models.StatusCompleted, issueType: "quality", channel: models.ChannelConsumer}
	w.insertRanked(append(times(3, row), rankRow{platform: w.platformID, created: oct, status: models.StatusDelivered,
		issueType: "refund", channel: models.ChannelConsumer}))
	get := func(q string) *response {
		t.Helper()
		r := w.do(req{method: "GET", path: "/api/v1/rankings?" + q})
		expect(t, r, http.StatusOK)
		return r
	}
	tagged := "period=2026-10&tag=" + url.QueryEscape("二手电商")

	w.clock.Set(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
	live := get("period=2026-10").JSON(t)
	if live["frozen"] != false || itemFor(t, live, other)["complaint_count"] != float64(3) {
		t.Fatalf("live: %v", live)
	}
	// Cached for 30 s, then recomputed.
	w.insertRanked([]rankRow{row})
	w.clock.Advance(20 * time.Second)
	if n := itemFor(t, get("period=2026-10").JSON(t), other)["complaint_count"]; n != float64(3) {
		t.Fatalf("within the cache's 30 s: %v", n)
	}
	w.clock.Advance(11 * time.Second)
	if n := itemFor(t, get("period=2026-10").JSON(t), other)["complaint_count"]; n != float64(4) {
		t.Fatalf("after 30 s: %v, want 4", n)
	}

	// October ends at 1 November 00:00 in China time; it freezes 168 h later.
	end := time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC)
	w.clock.Set(end.Add(168*time.Hour - time.Second))
	if l := get("period=2026-10").JSON(t); l["frozen"] != false {
		t.Fatal("frozen before the delay")
	}
	w.clock.Set(end.Add(168 * time.Hour))
	if n, err := w.svc.Rankings.FreezeDue(t.Context()); err != nil || n == 0 {
		t.Fatalf("FreezeDue: %d %v", n, err)
	}
	whole, byTag := get("period=2026-10"), get(tagged)
	frozen := whole.JSON(t)
	if frozen["frozen"] != true || itemFor(t, frozen, other)["complaint_count"] != float64(4) || len(byTag.JSON(t)["items"].([]any)) != 1 {
		t.Fatalf("frozen: %v / %s", frozen, byTag.Body)
	}
	if cc := whole.Header.Get("Cache-Control"); cc != "public, max-age=86400" || whole.Header.Get("ETag") == "" {
		t.Fatalf("frozen caching headers: %q %q", cc, whole.Header.Get("ETag"))
	}
	if r := w.do(req{method: "GET", path: "/api/v1/rankings?period=2026-10", header: map[string]string{"If-None-Match": whole.Header.Get("ETag")}}); r.Code != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", r.Code)
	}

	// Everything changes; the frozen rankings do not, past every cache lifetime.
	w.insertRanked(times(5, rankRow{platform: w.platformID, created: oct, status: models.StatusReplied, issueType: "fraud", channel: models.ChannelConsumer}))
	if err := w.st.DB().Model(&models.Complaint{}).Where("platform_id = ?", other).Update("status", models.StatusWithdrawn).Error; err != nil {
		t.Fatal(err)
	}
	w.admin = w.adminToken()
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + other, token: w.admin,
		body: map[string]any{"name": "闲鱼二手", "tags": []string{"综合电商"}}}), http.StatusOK)
	w.clock.Advance(2 * time.Hour)
	if again := get("period=2026-10"); string(again.Body) != string(whole.Body) {
		t.Fatalf("a frozen ranking changed:\n%s\n%s", whole.Body, again.Body)
	}
	if again := get(tagged); string(again.Body) != string(byTag.Body) {
		t.Fatalf("a frozen ranking by tag changed:\n%s\n%s", byTag.Body, again.Body)
	}
	if n, _ := w.svc.Rankings.FreezeDue(t.Context()); n != 0 {
		t.Fatalf("froze %d periods twice", n)
	}
	// Another instance, with a cache of its own, serves the same snapshot.
	fresh := service.New(w.st, kv.NewMemory(w.clock.Now), service.Options{Clock: w.clock})
	l, err := fresh.Rankings.List(t.Context(), service.RankingQuery{Period: "2026-10", Tag: "二手电商"})
	if err != nil || !l.Frozen || len(l.Items) != 1 || l.Items[0].Platform.Name != "闲鱼" || l.Items[0].ComplaintCount != 4 {
		t.Fatalf("another instance: %+v %v", l, err)
	}
	// November, still live, compares with frozen October: the platform's line shows October's count.
	w.insertRanked([]rankRow{{platform: other, created: time.Date(2026, 11, 3, 0, 0, 0, 0, cst), status: models.StatusDelivered, channel: models.ChannelConsumer}})
	nov := get("period=2026-11").JSON(t)
	if it := itemFor(t, nov, other); nov["frozen"] != false || it["previous_count"] != float64(4) || it["previous_rank"] != float64(1) {
		t.Fatalf("November against frozen October: %v", nov)
	}

	// An old period nobody froze freezes when first asked for, and stays as it was.
	old := get("period=2025-03")
	if l := old.JSON(t); l["frozen"] != true || len(l["items"].([]any)) != 0 {
		t.Fatalf("old period: %s", old.Body)
	}
	w.insertRanked([]rankRow{{platform: other, created: time.Date(2025, 3, 3, 0, 0, 0, 0, cst), status: models.StatusDelivered, channel: models.ChannelConsumer}})
	w.clock.Advance(2 * time.Hour)
	if again := get("period=2025-03"); string(again.Body) != string(old.Body) {
		t.Fatalf("a frozen empty period changed: %s", again.Body)
	}
}
