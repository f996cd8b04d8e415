package api_test

import (
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"
)

func TestRatingLiveUpdateAndFreezing(t *testing.T) {
	rw := &ratingWorld{newWorld(t)}
	nov := time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC)
	open := rw.complaintAt(rw.platformID, nov, -1, 0, rw.key)
	rw.complaintAt(rw.platformID, nov.Add(time.Hour), time.Hour, 8, rw.key)

	rw.clock.Set(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	before := itemFor(t, expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"}), http.StatusOK), rw.platformID)
	if before["replied_count"] != float64(1) {
		t.Fatalf("before: %v", before)
	}
	// A reply shows within a minute (the cache lives 30 s).
	rw.reply(rw.key, open, "迟到的回复")
	rw.clock.Advance(31 * time.Second)
	after := itemFor(t, expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"}), http.StatusOK), rw.platformID)
	if after["replied_count"] != float64(2) {
		t.Fatalf("a reply did not show within a minute: %v", after)
	}

	// 168 h after the end of November (1 Dec 00:00 China time) the list freezes.
	end := time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)
	rw.clock.Set(end.Add(168*time.Hour - time.Second))
	if l := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"}), http.StatusOK); l["frozen"] != false {
		t.Fatal("frozen before the delay")
	}
	rw.clock.Set(end.Add(168 * time.Hour))
	if n, err := rw.svc.Ratings.FreezeDue(t.Context()); err != nil || n == 0 {
		t.Fatalf("FreezeDue: %d %v", n, err)
	}
	frozen := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"}), http.StatusOK)
	if frozen["frozen"] != true || fmt.Sprint(itemFor(t, frozen, rw.platformID)) != fmt.Sprint(after) {
		t.Fatalf("frozen list: %v", frozen)
	}
	// Later changes to November's complaints leave the frozen list as it is.
	rw.consumer = rw.login(rw.consumerPhone)
	expect(t, rw.do(req{method: "POST", path: "/api/v1/complaints/" + open + "/rating", token: rw.consumer, body: map[string]any{"score": 1}}), http.StatusOK)
	rw.clock.Advance(time.Hour)
	again := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"}), http.StatusOK)
	if fmt.Sprint(again) != fmt.Sprint(frozen) {
		t.Fatalf("a frozen list changed:\n%v\n%v", frozen, again)
	}
	if n, _ := rw.svc.Ratings.FreezeDue(t.Context()); n != 0 {
		t.Fatalf("froze %d lists twice", n)
	}
	// An old period nobody froze is frozen when first asked for.
	old := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2025-03"}), http.StatusOK)
	if old["frozen"] != true || len(old["items"].([]any)) != 0 {
		t.Fatalf("old period: %v", old)
	}
}

// TestRatingLiveListWaitsForTheReplyWindow: a live list leaves out a complaint delivered less
// than 120 h ago and not yet replied (formula 2024.2) — a platform is not graded down for a
// complaint it still has time to answer —, counts it once replied or once the window is over,
// and the frozen list, computed after every window, counts it too.
func TestRatingLiveListWaitsForTheReplyWindow(t *testing.T) {
	rw := &ratingWorld{newWorld(t)}
	delivered := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	rw.complaintAt(rw.platformID, delivered.Add(-200*time.Hour), time.Hour, 9, rw.key) // old, replied
	rw.complaintAt(rw.platformID, delivered, -1, 0, rw.key)                            // not replied
	list := func(at time.Time) map[string]any {
		t.Helper()
		rw.clock.Set(at)
		return itemFor(t, expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"}), http.StatusOK), rw.platformID)
	}
	if it := list(delivered.Add(119 * time.Hour)); it["complaint_count"] != float64(1) || !nearly(it["reply_rate"], 1) {
		t.Fatalf("within the reply window the unreplied complaint counts: %v", it)
	}
	if it := list(delivered.Add(120 * time.Hour)); it["complaint_count"] != float64(2) || !nearly(it["reply_rate"], 0.5) {
		t.Fatalf("after 120 h the unreplied complaint is not counted: %v", it)
	}
	// A reply within the window counts at once.
	other := rw.complaintAt(rw.platformID, delivered.Add(121*time.Hour), -1, 0, rw.key)
	rw.clock.Set(delivered.Add(122 * time.Hour))
	rw.reply(rw.key, other, "已处理")
	if it := list(delivered.Add(123 * time.Hour)); it["complaint_count"] != float64(3) || it["replied_count"] != float64(2) {
		t.Fatalf("a replied complaint within its window is not counted: %v", it)
	}
	rw.clock.Set(time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC))
	if _, err := rw.svc.Ratings.FreezeDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	frozen := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"}), http.StatusOK)
	if it := itemFor(t, frozen, rw.platformID); frozen["frozen"] != true || it["complaint_count"] != float64(3) {
		t.Fatalf("frozen list: %v", frozen)
	}
}

// TestRatingMatchesIndependentRecomputation recomputes a list from raw rows with a plain query
// (no aggregates, no reply_seconds) and the published formula written out again here with
// plain arithmetic, and compares every number. Deliveries straddle the month's edges in China
// time.
func TestRatingMatchesIndependentRecomputation(t *testing.T) {
	rw := &ratingWorld{newWorld(t)}
	second := rw.createPlatform(rw.admin, "jd", map[string]any{"name": "京东", "onboarded": true, "after_sales_contact": map[string]string{"phone": "950618"}})["id"].(string)
	secondKey, _ := rw.issueKey(rw.admin, second)
	start := time.Date(2026, 9, 30, 15, 59, 59, 0, time.UTC) // 23:59:59 on 30 September in China: September
	delays := []time.Duration{-1, time.Hour, 71 * time.Hour, 72 * time.Hour, 100 * time.Hour, 119*time.Hour + 59*time.Minute, 120 * time.Hour, 200 * time.Hour}
	for i := range 24 {
		pid, key := rw.platformID, rw.key
		if i%3 == 0 {
			pid, key = second, secondKey
		}
		at := start.Add(time.Duration(i) * 29 * time.Hour)
		if i == 1 {
			at = start.Add(time.Second) // 00:00:00 on 1 October in China: October
		}
		rw.complaintAt(pid, at, delays[i%len(delays)], (i*7)%11, key)
	}
	rw.complaintAt(second, time.Date(2026, 10, 31, 15, 59, 59, 0, time.UTC), time.Hour, 9, secondKey) // last second of October
	rw.complaintAt(second, time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC), time.Hour, 9, secondKey)   // first second of November
	rw.clock.Set(time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC))
	list := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-10"}), http.StatusOK)

	type raw struct {
		PlatformID     string
		DeliveredAt    time.Time
		FirstRepliedAt *time.Time
		RatingScore    *int
	}
	var rows []raw
	if err := rw.st.DB().Raw(`SELECT platform_id, delivered_at, first_replied_at, rating_score FROM complaints
		WHERE channel = 'consumer' AND status IN ('delivered', 'replied', 'completed')`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	// October in China time: [1 Oct 00:00 +08:00, 1 Nov 00:00 +08:00).
	from, to := time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC), time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC)
	type tally struct{ n, replied, rated, scoreSum, tenths int }
	tallies := map[string]*tally{}
	for _, r := range rows {
		if r.DeliveredAt.Before(from) || !r.DeliveredAt.Before(to) {
			continue
		}
		c := tallies[r.PlatformID]
		if c == nil {
			c = &tally{}
			tallies[r.PlatformID] = c
		}
		c.n++
		if r.FirstRepliedAt != nil {
			c.replied++
			switch h := r.FirstRepliedAt.Sub(r.DeliveredAt).Hours(); {
			case h < 72:
				c.tenths += 10
			case h < 120:
				c.tenths += 6
			}
		}
		if r.RatingScore != nil {
			c.rated++
			c.scoreSum += *r.RatingScore
		}
	}
	if len(tallies) != 2 || len(list["items"].([]any)) != 2 {
		t.Fatalf("platforms: %d independent, %d listed", len(tallies), len(list["items"].([]any)))
	}
	round := func(x float64, unit float64) float64 { return math.Floor(x/unit+0.5) * unit }
	for pid, c := range tallies {
		got := itemFor(t, list, pid)
		replyRate := float64(c.replied) / float64(c.n)
		timeliness := 0.0
		if c.replied > 0 {
			timeliness = float64(c.tenths) / 10 / float64(c.replied)
		}
		satisfaction := 0.0
		if c.rated > 0 {
			satisfaction = float64(c.scoreSum) / float64(c.rated)
		}
		index := round(replyRate*0.5+timeliness*0.3+satisfaction/10*0.2, 1e-4)
		grade := "not_recommended"
		if index >= 0.75-1e-9 {
			grade = "recommended"
		} else if index >= 0.4-1e-9 {
			grade = "caution"
		}
		if got["complaint_count"] != float64(c.n) || got["replied_count"] != float64(c.replied) || got["rated_count"] != float64(c.rated) ||
			math.Abs(got["reply_rate"].(float64)-round(replyRate, 1e-4)) > 1e-9 ||
			math.Abs(got["timeliness"].(float64)-round(timeliness, 1e-4)) > 1e-9 ||
			math.Abs(got["index"].(float64)-index) > 1e-9 || got["grade"] != grade {
			t.Fatalf("platform %s: listed %v; recomputed reply_rate %.4f timeliness %.4f index %.4f %s from %+v",
				pid, got, replyRate, timeliness, index, grade, *c)
		}
		if (c.rated == 0) != (got["satisfaction"] == nil) || (c.rated > 0 && math.Abs(got["satisfaction"].(float64)-round(satisfaction, 1e-2)) > 1e-9) {
			t.Fatalf("satisfaction: listed %v, recomputed %.2f", got["satisfaction"], satisfaction)
		}
	}
	// The edges: the last second of October is in October, the first second of November not.
	if n := itemFor(t, list, second)["complaint_count"].(float64); n != float64(tallies[second].n) {
		t.Fatalf("edge complaints: %v", n)
	}
}
