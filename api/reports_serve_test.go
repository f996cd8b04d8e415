package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/pdftext"
)

// TestReportLiveThenFrozen: a live report is cached for 30 s and shows a change within a
// minute; once the period's rating list freezes, the report is stored and later changes to
// the period's complaints leave it, and its PDF, as they were.
func TestReportLiveThenFrozen(t *testing.T) {
	rw := &ratingWorld{newWorld(t)}
	nov := time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC)
	open := rw.complaintAt(rw.platformID, nov, -1, 0, rw.key)
	rw.complaintAt(rw.platformID, nov.Add(time.Hour), time.Hour, 8, rw.key)

	rw.clock.Set(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	get := func() map[string]any {
		t.Helper()
		return expect(t, rw.do(req{method: "GET", path: "/api/v1/reports/2026-11/consumer"}), http.StatusOK)
	}
	before := get()
	if before["frozen"] != false || before["replied"] != float64(1) || before["delivered"] != float64(2) {
		t.Fatalf("live report: %v", before)
	}
	rw.reply(rw.key, open, "迟到的回复")
	// Within 30 s the cached report is served as it was computed.
	rw.clock.Advance(10 * time.Second)
	if cached := get(); cached["replied"] != float64(1) || cached["generated_at"] != before["generated_at"] {
		t.Fatalf("the live report was not served from the cache: %v", cached)
	}
	rw.clock.Advance(21 * time.Second)
	after := get()
	if after["replied"] != float64(2) {
		t.Fatalf("a reply did not show within a minute: %v", after)
	}

	end := time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)
	rw.clock.Set(end.Add(168*time.Hour - time.Second))
	if r := get(); r["frozen"] != false {
		t.Fatal("frozen before the rating list")
	}
	rw.clock.Set(end.Add(168 * time.Hour))
	if n, err := rw.svc.Reports.FreezeDue(t.Context()); err != nil || n == 0 {
		t.Fatalf("FreezeDue: %d %v", n, err)
	}
	r := rw.do(req{method: "GET", path: "/api/v1/reports/2026-11/consumer"})
	frozen := expect(t, r, http.StatusOK)
	if frozen["frozen"] != true || frozen["replied"] != float64(2) || frozen["satisfaction"] != float64(8) ||
		r.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("frozen report: %v %v", frozen, r.Header)
	}
	pdf := rw.do(req{method: "GET", path: "/api/v1/reports/2026-11/consumer.pdf"})
	if pdf.Code != http.StatusOK || pdf.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("frozen PDF: %d %v", pdf.Code, pdf.Header)
	}

	// A later change to November's complaints: a rating, which would move the satisfaction.
	rw.consumer = rw.login(rw.consumerPhone)
	expect(t, rw.do(req{method: "POST", path: "/api/v1/complaints/" + open + "/rating", token: rw.consumer, body: map[string]any{"score": 1}}), http.StatusOK)
	rw.clock.Advance(2 * time.Hour) // past every cache
	again := rw.do(req{method: "GET", path: "/api/v1/reports/2026-11/consumer"})
	expect(t, again, http.StatusOK)
	if !bytes.Equal(again.Body, r.Body) || again.Header.Get("ETag") != r.Header.Get("ETag") {
		t.Fatalf("a frozen report changed:\n%s\n%s", r.Body, again.Body)
	}
	pdfAgain := rw.do(req{method: "GET", path: "/api/v1/reports/2026-11/consumer.pdf"})
	if pdfAgain.Code != http.StatusOK || pdfAgain.Header.Get("ETag") != pdf.Header.Get("ETag") {
		t.Fatal("a frozen report's PDF changed")
	}
	if n, _ := rw.svc.Reports.FreezeDue(t.Context()); n != 0 {
		t.Fatalf("froze %d reports twice", n)
	}
	// The rating list agrees: the report froze with it.
	list := expect(t, rw.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"}), http.StatusOK)
	if it := itemFor(t, list, rw.platformID); list["frozen"] != true || it["satisfaction"] != frozen["satisfaction"] {
		t.Fatalf("rating list %v, report satisfaction %v", list, frozen["satisfaction"])
	}
	// An old period without complaints is frozen and empty, and stores nothing.
	old := expect(t, rw.do(req{method: "GET", path: "/api/v1/reports/2019/merchant"}), http.StatusOK)
	if old["frozen"] != true || old["received"] != float64(0) || len(old["top_platforms"].([]any)) != 0 || len(old["by_sector"].([]any)) != 7 {
		t.Fatalf("old period: %v", old)
	}
	var stored int64
	rw.st.DB().Table("report_snapshots").Where("period = ?", "2019").Count(&stored)
	if stored != 0 {
		t.Fatalf("%d snapshots stored for an empty period", stored)
	}
}

// TestReportPDF: the PDF comes by suffix or by Accept, holds the title in Chinese (extracted
// through its fonts' ToUnicode maps), stays small (the font is subset), and is cacheable.
func TestReportPDF(t *testing.T) {
	rw := &ratingWorld{newWorld(t)}
	rw.complaintAt(rw.platformID, time.Date(2026, 10, 5, 2, 0, 0, 0, time.UTC), 2*time.Hour, 9, rw.key)
	rw.clock.Set(time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC))
	for _, r := range []*response{
		rw.do(req{method: "GET", path: "/api/v1/reports/2026-10/consumer.pdf"}),
		rw.do(req{method: "GET", path: "/api/v1/reports/2026-10/consumer", header: map[string]string{"Accept": "application/pdf"}}),
	} {
		if r.Code != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
			t.Fatalf("%d %v %q", r.Code, r.Header, r.Body[:min(len(r.Body), 64)])
		}
		if len(r.Body) > 1<<20 {
			t.Errorf("the PDF is %d bytes", len(r.Body))
		}
		if r.Header.Get("Cache-Control") != "public, max-age=30" || r.Header.Get("ETag") == "" || r.Header.Get("Vary") != "Accept" {
			t.Errorf("headers: %v", r.Header)
		}
		text, err := pdftext.Text(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "电诉宝2026年10月用户体验报告（月报）") || !strings.Contains(text, "淘宝") {
			t.Fatalf("the PDF's text lacks the title or the platform:\n%s", text)
		}
		expect(t, rw.do(req{method: "GET", path: "/api/v1/reports/2026-10/consumer.pdf", header: map[string]string{"If-None-Match": r.Header.Get("ETag")}}),
			http.StatusNotModified)
	}
	js := rw.do(req{method: "GET", path: "/api/v1/reports/2026-10/consumer", header: map[string]string{"Accept": "application/json, */*"}})
	if expect(t, js, http.StatusOK)["kind"] != "consumer" || !strings.HasPrefix(js.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("JSON by default: %v", js.Header)
	}
	expect(t, rw.do(req{method: "GET", path: "/api/v1/reports/2026-10/consumer", header: map[string]string{"If-None-Match": js.Header.Get("ETag")}}),
		http.StatusNotModified)
}

// TestReportBadInput: an unknown kind is 404, a period that does not parse or has not begun
// is 422, whether JSON or PDF; never a 500.
func TestReportBadInput(t *testing.T) {
	rw := &ratingWorld{newWorld(t)}
	rw.clock.Set(time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC))
	for path, status := range map[string]int{
		"/api/v1/reports/2026-10/nobody":       http.StatusNotFound,
		"/api/v1/reports/2026-10/nobody.pdf":   http.StatusNotFound,
		"/api/v1/reports/2026-10/consumer.PDF": http.StatusNotFound,
		"/api/v1/reports/2026-10/.pdf":         http.StatusNotFound,
		"/api/v1/reports/2026-13/consumer":     http.StatusUnprocessableEntity,
		"/api/v1/reports/2026-q4/merchant.pdf": http.StatusUnprocessableEntity,
		"/api/v1/reports/26/consumer":          http.StatusUnprocessableEntity,
		"/api/v1/reports/2026-11/consumer":     http.StatusUnprocessableEntity, // not begun
		"/api/v1/reports/2026-10/consumer/x":   http.StatusNotFound,
		"/api/v1/reports?period_type=week":     http.StatusUnprocessableEntity,
		"/api/v1/reports?limit=0":              http.StatusUnprocessableEntity,
		"/api/v1/reports?cursor=bogus":         http.StatusUnprocessableEntity,
	} {
		r := rw.do(req{method: "GET", path: path})
		if r.Code != status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d %s, want a %d problem", path, r.Code, r.Body, status)
		}
	}
	// A cursor of another period type is not one this list issued.
	cursor := expect(t, rw.do(req{method: "GET", path: "/api/v1/reports?period_type=quarter&limit=1"}), http.StatusOK)
	if cursor["next_cursor"] != nil {
		t.Fatalf("a list without complaints has more pages: %v", cursor)
	}
}

// TestReportList lists the periods from the current one back to that of the first complaint,
// newest first, a page at a time, each with its two reports' links.
func TestReportList(t *testing.T) {
	rw := &ratingWorld{newWorld(t)}
	rw.clock.Set(time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC))
	if l := expect(t, rw.do(req{method: "GET", path: "/api/v1/reports"}), http.StatusOK); len(l["data"].([]any)) != 0 {
		t.Fatalf("reports without complaints: %v", l)
	}
	rw.complaintAt(rw.platformID, time.Date(2026, 8, 5, 2, 0, 0, 0, time.UTC), time.Hour, 9, rw.key)
	rw.clock.Set(time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC))
	first := expect(t, rw.do(req{method: "GET", path: "/api/v1/reports?limit=2"}), http.StatusOK)
	data := first["data"].([]any)
	if len(data) != 2 || data[0].(map[string]any)["period"] != "2026-10" || data[1].(map[string]any)["period"] != "2026-09" || first["next_cursor"] == nil {
		t.Fatalf("first page: %v", first)
	}
	one := data[0].(map[string]any)
	links := one["reports"].([]any)
	if one["period_label"] != "2026年10月" || one["frozen"] != false || len(links) != 2 {
		t.Fatalf("entry: %v", one)
	}
	for i, kind := range []string{"consumer", "merchant"} {
		l := links[i].(map[string]any)
		if l["kind"] != kind || l["url"] != "/api/v1/reports/2026-10/"+kind || l["pdf_url"] != "/api/v1/reports/2026-10/"+kind+".pdf" {
			t.Fatalf("links: %v", links)
		}
		expect(t, rw.do(req{method: "GET", path: l["url"].(string)}), http.StatusOK)
	}
	second := expect(t, rw.do(req{method: "GET", path: "/api/v1/reports?limit=2&cursor=" + first["next_cursor"].(string)}), http.StatusOK)
	if d := second["data"].([]any); len(d) != 1 || d[0].(map[string]any)["period"] != "2026-08" || second["next_cursor"] != nil {
		t.Fatalf("second page: %v", second)
	}
	expect(t, rw.do(req{method: "GET", path: "/api/v1/reports?period_type=quarter&cursor=" + first["next_cursor"].(string)}), http.StatusUnprocessableEntity)
	years := expect(t, rw.do(req{method: "GET", path: "/api/v1/reports?period_type=year"}), http.StatusOK)["data"].([]any)
	if len(years) != 1 || years[0].(map[string]any)["reports"].([]any)[1].(map[string]any)["title"] != "电诉宝2026年商家投诉报告（年报）" {
		t.Fatalf("years: %v", years)
	}
	// Months long closed are frozen.
	rw.clock.Set(time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC))
	months := expect(t, rw.do(req{method: "GET", path: "/api/v1/reports"}), http.StatusOK)["data"].([]any)
	if len(months) != 5 || months[0].(map[string]any)["frozen"] != false || months[4].(map[string]any)["frozen"] != true {
		t.Fatalf("months: %v", months)
	}
}

// TestReportRoutesArePublic: every kind of caller reads the reports, with or without a token.
func TestReportRoutesArePublic(t *testing.T) {
	w := newWorld(t)
	w.clock.Set(time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC))
	w.admin, w.consumer = w.adminToken(), w.login(w.consumerPhone)
	tokens := w.principals()
	checkAccess(t, w, tokens, []access{
		{method: "GET", path: "/api/v1/reports", allowed: []string{"public"}},
		{method: "GET", path: "/api/v1/reports?period_type=year", allowed: []string{"public"}},
		{method: "GET", path: "/api/v1/reports/2026-10/consumer", allowed: []string{"public"}},
		{method: "GET", path: "/api/v1/reports/2026-Q3/merchant.pdf", allowed: []string{"public"}},
	})
}
