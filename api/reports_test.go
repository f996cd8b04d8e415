package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// reportComplaint files a consumer complaint at `at` with an issue type and demands, then:
// outcome "reject:<reason>" rejects it, "pending" leaves it in review, "withdraw" accepts and
// withdraws it, otherwise it is accepted and replied after replyAfter (<0: never) and rated
// score (0: never).
func (rw *ratingWorld) reportComplaint(platformID, key string, at time.Time, issue string, demands []string, outcome string, replyAfter time.Duration, score int) {
	rw.t.Helper()
	rw.clock.Set(at)
	rw.admin = rw.adminToken()
	rw.consumer = rw.login(rw.consumerPhone)
	body := complaintBody(platformID, map[string]any{"order_no": models.NewID(), "issue_type": issue, "demands": demands})
	id := expect(rw.t, rw.do(req{method: "POST", path: "/api/v1/complaints", token: rw.consumer, body: body}), http.StatusCreated)["id"].(string)
	switch {
	case outcome == "pending":
		return
	case len(outcome) > 7 && outcome[:7] == "reject:":
		expect(rw.t, rw.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/reject", token: rw.admin,
			body: map[string]string{"reason_code": outcome[7:], "note": "请补充材料"}}), http.StatusOK)
		return
	}
	rw.accept(id)
	if outcome == "withdraw" {
		expect(rw.t, rw.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/withdraw", token: rw.consumer, body: map[string]any{"reason": "已协商"}}), http.StatusOK)
		return
	}
	if replyAfter >= 0 && key != "" {
		rw.clock.Set(at.Add(replyAfter))
		rw.reply(key, id, "已处理")
		if score > 0 {
			rw.consumer = rw.login(rw.consumerPhone)
			expect(rw.t, rw.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: rw.consumer,
				body: map[string]any{"score": score}}), http.StatusOK)
		}
	}
}

// reportRow is a complaint as the database holds it, read without any aggregate.
type reportRow struct {
	Channel         string
	PlatformID      string
	Status          string
	IssueType       *string
	Demands         *string
	RejectionReason *string
	CreatedAt       time.Time
	AcceptedAt      *time.Time
	DeliveredAt     *time.Time
	FirstRepliedAt  *time.Time
	RatingScore     *int
	Sector          string
}

// expected is a report's figures recomputed here from raw rows, with plain arithmetic.
type expected struct {
	received, accepted, rejected, delivered, replied, rated int
	reasons, issues, demands                                map[string]int
	replyRate, timeliness                                   float64
	satisfaction                                            *float64
	sectors                                                 map[string][3]int // delivered, replied, rated
}

func round(x, unit float64) float64 { return math.Floor(x/unit+0.5) * unit }

func recomputeReport(t *testing.T, rows []reportRow, channel string, from, to, now time.Time) expected {
	t.Helper()
	e := expected{reasons: map[string]int{}, issues: map[string]int{}, demands: map[string]int{}, sectors: map[string][3]int{}}
	tenths, scores := 0, 0
	for _, r := range rows {
		if r.Channel != channel {
			continue
		}
		if !r.CreatedAt.Before(from) && r.CreatedAt.Before(to) {
			e.received++
			if r.Status == "rejected" {
				e.rejected++
				e.reasons[*r.RejectionReason]++
			}
			if r.AcceptedAt != nil {
				e.accepted++
				if r.IssueType != nil {
					e.issues[*r.IssueType]++
				}
				var ds []string
				if r.Demands != nil {
					if err := json.Unmarshal([]byte(*r.Demands), &ds); err != nil {
						t.Fatal(err)
					}
				}
				slices.Sort(ds)
				for _, d := range slices.Compact(ds) {
					e.demands[d]++
				}
			}
		}
		if r.DeliveredAt == nil || r.DeliveredAt.Before(from) || !r.DeliveredAt.Before(to) ||
			(r.Status != "delivered" && r.Status != "replied" && r.Status != "completed") ||
			// A live report, like the live list, waits out an unreplied complaint's 120 h.
			(r.FirstRepliedAt == nil && r.DeliveredAt.After(now.Add(-120*time.Hour))) {
			continue
		}
		s := e.sectors[r.Sector]
		e.delivered++
		s[0]++
		if r.FirstRepliedAt != nil {
			e.replied++
			s[1]++
			switch h := r.FirstRepliedAt.Sub(*r.DeliveredAt).Hours(); {
			case h < 72:
				tenths += 10
			case h < 120:
				tenths += 6
			}
		}
		if r.RatingScore != nil {
			e.rated++
			s[2]++
			scores += *r.RatingScore
		}
		e.sectors[r.Sector] = s
	}
	if e.delivered > 0 {
		e.replyRate = round(float64(e.replied)/float64(e.delivered), 1e-4)
	}
	if e.replied > 0 {
		e.timeliness = round(float64(tenths)/10/float64(e.replied), 1e-4)
	}
	if e.rated > 0 {
		s := round(float64(scores)/float64(e.rated), 1e-2)
		e.satisfaction = &s
	}
	return e
}

func countsOf(v any) map[string]int {
	out := map[string]int{}
	for _, c := range v.([]any) {
		m := c.(map[string]any)
		out[m["code"].(string)] = int(m["count"].(float64))
	}
	return out
}

// checkReport compares a served report with the recomputation and with the period's rating list.
func checkReport(t *testing.T, rw *ratingWorld, rows []reportRow, period, kind, channel string, now time.Time) map[string]any {
	t.Helper()
	p, err := models.ParsePeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	got := expect(t, rw.do(req{method: "GET", path: "/api/v1/reports/" + period + "/" + kind}), http.StatusOK)
	e := recomputeReport(t, rows, channel, p.Start(), p.End(), now)
	n := func(k string) int { return int(got[k].(float64)) }
	if n("received") != e.received || n("accepted") != e.accepted || n("rejected") != e.rejected ||
		n("delivered") != e.delivered || n("replied") != e.replied || n("rated") != e.rated ||
		!nearly(got["reply_rate"], e.replyRate) || !nearly(got["timeliness"], e.timeliness) ||
		(e.satisfaction == nil) != (got["satisfaction"] == nil) || (e.satisfaction != nil && !nearly(got["satisfaction"], *e.satisfaction)) {
		t.Fatalf("%s %s: served %v\nrecomputed %+v", period, kind, got, e)
	}
	if fmt.Sprint(countsOf(got["rejected_by_reason"])) != fmt.Sprint(e.reasons) || fmt.Sprint(countsOf(got["by_issue_type"])) != fmt.Sprint(e.issues) ||
		fmt.Sprint(countsOf(got["by_demand"])) != fmt.Sprint(e.demands) {
		t.Fatalf("%s %s: reasons %v issues %v demands %v; recomputed %v %v %v", period, kind, got["rejected_by_reason"], got["by_issue_type"],
			got["by_demand"], e.reasons, e.issues, e.demands)
	}
	for _, s := range got["by_sector"].([]any) {
		m := s.(map[string]any)
		want := e.sectors[m["sector"].(string)]
		if int(m["delivered"].(float64)) != want[0] || int(m["replied"].(float64)) != want[1] || int(m["rated"].(float64)) != want[2] ||
			m["label"] != models.SectorLabels[models.Sector(m["sector"].(string))] {
			t.Fatalf("%s %s sector %v: recomputed %v", period, kind, m, want)
		}
	}
	// The platforms, their reply rates and grades are the rating list's.
	list := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=" + period + "&channel=" + channel}), http.StatusOK)["items"].([]any)
	top := got["top_platforms"].([]any)
	grades, bins := map[string]int{}, make([]int, 10)
	for i, it := range list {
		m := it.(map[string]any)
		grades[m["grade"].(string)]++
		bins[min(int(math.Floor(m["reply_rate"].(float64)*10+1e-9)), 9)]++
		if i < len(top) && top[i].(map[string]any)["id"] != m["platform"].(map[string]any)["id"] {
			t.Fatalf("%s: top platform %d is %v, the list's %v", period, i, top[i], m)
		}
	}
	if len(top) != min(len(list), 10) {
		t.Fatalf("%s: %d top platforms of %d listed", period, len(top), len(list))
	}
	for _, g := range models.Grades {
		if countsOf(got["grades"])[g] != grades[g] {
			t.Fatalf("%s: grades %v, the list's %v", period, got["grades"], grades)
		}
	}
	for i, b := range got["reply_rate_distribution"].([]any) {
		if int(b.(map[string]any)["count"].(float64)) != bins[i] {
			t.Fatalf("%s: distribution %v, the list's %v", period, got["reply_rate_distribution"], bins)
		}
	}
	// The previous period, and the trend that ends with this one.
	prev := recomputeReport(t, rows, channel, p.Prev().Start(), p.Prev().End(), now)
	pm := got["previous"].(map[string]any)
	trend := got["trend"].([]any)
	if pm["period"] != p.Prev().String() || int(pm["received"].(float64)) != prev.received || int(pm["delivered"].(float64)) != prev.delivered ||
		!nearly(pm["reply_rate"], prev.replyRate) || len(trend) != models.ReportTrendLength ||
		trend[len(trend)-1].(map[string]any)["period"] != period || fmt.Sprint(trend[len(trend)-2]) != fmt.Sprint(pm) ||
		int(got["change"].(map[string]any)["received"].(float64)) != e.received-prev.received {
		t.Fatalf("%s: previous %v trend %v change %v; recomputed previous %+v", period, pm, trend, got["change"], prev)
	}
	if got["title"] != models.ReportTitle(p, models.ReportKind(kind)) || got["frozen"] != false {
		t.Fatalf("%s: title %v frozen %v", period, got["title"], got["frozen"])
	}
	return got
}

// TestReportMatchesIndependentRecomputation recomputes a month's and a year's reports from raw
// rows (no aggregate query) with the formula written out again, and compares every figure;
// the platforms and grades are compared with the period's rating list.
func TestReportMatchesIndependentRecomputation(t *testing.T) {
	rw := &ratingWorld{newWorld(t)}
	a, aKey := rw.platformID, rw.key
	jd := rw.createPlatform(rw.admin, "jd", map[string]any{"name": "京东", "onboarded": true, "after_sales_contact": map[string]string{"phone": "950618"}})["id"].(string)
	jdKey, _ := rw.issueKey(rw.admin, jd)
	sf := rw.createPlatform(rw.admin, "sf", map[string]any{"name": "顺丰", "sector": "logistics", "onboarded": true,
		"after_sales_contact": map[string]string{"phone": "95338"}})["id"].(string)
	sfKey, _ := rw.issueKey(rw.admin, sf)
	dark := rw.createPlatform(rw.admin, "dark", map[string]any{"name": "暗平台", "sector": "digital_life"})["id"].(string)
	platforms := []struct{ id, key string }{{a, aKey}, {jd, jdKey}, {sf, sfKey}}

	issues := []string{"quality", "refund", "delivery", "after_sales", "false_advertising"}
	demands := [][]string{{"refund"}, {"refund", "compensation"}, {"exchange"}, {"apology", "refund"}}
	delays := []time.Duration{-1, time.Hour, 71 * time.Hour, 72 * time.Hour, 100 * time.Hour, 120 * time.Hour, 200 * time.Hour}
	start := time.Date(2026, 9, 28, 3, 0, 0, 0, time.UTC)
	for i := range 22 {
		pl := platforms[i%3]
		rw.reportComplaint(pl.id, pl.key, start.Add(time.Duration(i)*37*time.Hour), issues[i%len(issues)], demands[i%len(demands)], "",
			delays[i%len(delays)], (i*7)%11)
	}
	oct := time.Date(2026, 10, 12, 3, 0, 0, 0, time.UTC)
	for i, reason := range []string{"missing_information", "duplicate", "other", "missing_information"} {
		rw.reportComplaint(a, aKey, oct.Add(time.Duration(i)*time.Hour), "privacy", []string{"other"}, "reject:"+reason, -1, 0)
	}
	rw.reportComplaint(a, aKey, oct.Add(5*time.Hour), "fraud", []string{"refund"}, "pending", -1, 0)
	rw.reportComplaint(jd, jdKey, oct.Add(6*time.Hour), "quality", []string{"exchange"}, "withdraw", -1, 0)
	rw.reportComplaint(dark, "", oct.Add(7*time.Hour), "unfair_terms", []string{"compensation"}, "", -1, 0) // awaiting contact
	// The edges of October in China time, and the last year's December.
	rw.reportComplaint(jd, jdKey, time.Date(2026, 10, 31, 15, 59, 59, 0, time.UTC), "refund", []string{"refund"}, "", -1, 0)
	rw.reportComplaint(jd, jdKey, time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC), "refund", []string{"refund"}, "", time.Hour, 9)
	rw.reportComplaint(sf, sfKey, time.Date(2025, 12, 10, 3, 0, 0, 0, time.UTC), "delivery", []string{"refund"}, "", 2*time.Hour, 6)
	// Refund-only complaints of a merchant, delivered at once.
	rw.clock.Set(time.Date(2026, 10, 20, 3, 0, 0, 0, time.UTC))
	_, _, merchantPhone := rw.registerPhone("merchant")
	for i := range 3 {
		merchant := rw.login(merchantPhone)
		c := expect(t, rw.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
			body: refundBody(a, map[string]any{"order_no": fmt.Sprintf("RO%d", i)})}), http.StatusCreated)
		if i == 0 {
			rw.clock.Advance(80 * time.Hour)
			rw.reply(aKey, c["id"].(string), "已核实")
		}
	}

	now := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC) // October is live; its last days are within their reply windows
	rw.clock.Set(now)
	var rows []reportRow
	if err := rw.st.DB().Raw(`SELECT c.channel, c.platform_id, c.status, c.issue_type, c.demands, c.rejection_reason, c.created_at,
		c.accepted_at, c.delivered_at, c.first_replied_at, c.rating_score, p.sector
		FROM complaints c JOIN platforms p ON p.id = c.platform_id`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	month := checkReport(t, rw, rows, "2026-10", "consumer", "consumer", now)
	if month["received"].(float64) < 15 || month["rejected"] != float64(4) || len(month["by_demand"].([]any)) < 4 {
		t.Fatalf("the month's report has too little to compare: %v", month)
	}
	t.Logf("2026-10: received %v accepted %v rejected %v delivered %v replied %v reply_rate %v timeliness %v satisfaction %v demands %v",
		month["received"], month["accepted"], month["rejected"], month["delivered"], month["replied"], month["reply_rate"],
		month["timeliness"], month["satisfaction"], month["by_demand"])
	year := checkReport(t, rw, rows, "2026", "consumer", "consumer", now)
	if year["previous"].(map[string]any)["received"] != float64(1) || year["period_label"] != "2026年" {
		t.Fatalf("the year's report: %v", year)
	}
	merchantReport := checkReport(t, rw, rows, "2026-10", "merchant", "refund_only", now)
	if merchantReport["received"] != float64(3) || merchantReport["channel"] != "refund_only" || merchantReport["title"] != "电诉宝2026年10月商家投诉报告（月报）" {
		t.Fatalf("the merchant report: %v", merchantReport)
	}
	checkReport(t, rw, rows, "2026-Q4", "consumer", "consumer", now)
}
