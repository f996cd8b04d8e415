package api_test

import (
	"net/http"
	"testing"
	"time"
)

func campaignLine(t *testing.T, w *world, id string) map[string]any {
	t.Helper()
	r := expect(t, w.do(req{method: "GET", path: "/api/v1/campaigns/" + id + "/report"}), http.StatusOK)
	ps := r["platforms"].([]any)
	if len(ps) != 1 {
		t.Fatalf("report platforms: %v", ps)
	}
	return ps[0].(map[string]any)
}

// A platform of a campaign report with no delivered complaint has nothing to grade: unrated,
// index null — not 不建议下单 with an index of 0.
func TestCampaignReportUnratedWithoutDelivered(t *testing.T) {
	w := newWorld(t)
	id := w.campaign(w.admin, nil)["id"].(string)
	w.file(w.consumer, map[string]any{"campaign_id": id})
	line := campaignLine(t, w, id)
	if line["grade"] != "unrated" || line["index"] != nil || line["delivered"] != float64(0) {
		t.Fatalf("line without a delivered complaint: %v", line)
	}
}

// The frozen report judges every complaint, as a frozen rating list does: one delivered an
// hour before the report, unreplied, counts (the live report leaves it out for 120 h).
func TestFrozenCampaignReportJudgesEveryComplaint(t *testing.T) {
	w := newWorld(t)
	id := w.campaign(w.admin, nil)["id"].(string)
	c := w.file(w.consumer, map[string]any{"campaign_id": id})["id"].(string)
	w.accept(c)
	w.clock.Advance(time.Hour)
	if line := campaignLine(t, w, id); line["delivered"] != float64(0) {
		t.Fatalf("live line counts a complaint within its reply window: %v", line)
	}
	w.admin = w.adminToken() // an hour later: a fresh token
	w.moveCampaign(id, "closed")
	w.moveCampaign(id, "reported")
	w.clock.Advance(30 * 24 * time.Hour)
	line := campaignLine(t, w, id)
	if line["delivered"] != float64(1) || line["reply_rate"] != float64(0) || line["grade"] != "not_recommended" {
		t.Fatalf("frozen line: %v", line)
	}
}

// Campaign days are of the years 2000–9998: a first-century day is a 422, not a campaign whose
// every rule answers 500 on MariaDB.
func TestCampaignDaysBounded(t *testing.T) {
	w := newWorld(t)
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns", token: w.admin, body: map[string]any{
		"title": "远古行动", "topic": "t", "start_date": "0001-01-01", "end_date": "2026-12-31"}}), http.StatusUnprocessableEntity, "validation_failed")
	id := w.campaign(w.admin, nil)["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns/" + id + "/tag-rule/preview", token: w.admin,
		body: map[string]any{"from": "0001-01-01"}}), http.StatusUnprocessableEntity, "validation_failed")
}

// The public lawyer list is cacheable like the other public reads.
func TestLawyerListCacheable(t *testing.T) {
	w := newWorld(t)
	r := w.do(req{method: "GET", path: "/api/v1/lawyers"})
	expect(t, r, http.StatusOK)
	etag := r.Header.Get("ETag")
	if etag == "" || r.Header.Get("Cache-Control") == "" {
		t.Fatalf("headers: %v", r.Header)
	}
	if again := w.do(req{method: "GET", path: "/api/v1/lawyers", header: map[string]string{"If-None-Match": etag}}); again.Code != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", again.Code)
	}
}
