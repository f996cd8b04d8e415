package web_test

import (
	"context"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/report"
)

// TestReportPages: the report list links each period's two reports and their PDFs; a report's
// page shows its figures, embeds every chart as a PNG with a text alternative naming the
// figures, and links the PDF, which the API serves.
func TestReportPages(t *testing.T) {
	s := sharedSite(t)
	ctx := context.Background()
	list := s.get(t, "/reports")
	if list.code != http.StatusOK {
		t.Fatalf("/reports: %d", list.code)
	}
	checkHTML(t, "/reports", list)
	mustContain(t, "/reports", list.body, `href="/reports/2026-05/consumer"`, `href="/api/v1/reports/2026-05/consumer.pdf"`,
		`href="/reports/2026-05/merchant"`, html.EscapeString(models.ReportTitle(models.Period{Type: models.PeriodMonth, Year: 2026, N: 5}, models.ReportConsumer)))
	quarters := s.get(t, "/reports?period_type=quarter")
	mustContain(t, "/reports?period_type=quarter", quarters.body, `href="/reports/2026-Q1/consumer"`, `<option value="quarter" selected>`)

	r, err := s.svc.Reports.Get(ctx, "2026-05", "consumer")
	if err != nil {
		t.Fatal(err)
	}
	path := "/reports/2026-05/consumer"
	p := s.get(t, path)
	if p.code != http.StatusOK {
		t.Fatalf("%s: %d %s", path, p.code, p.body)
	}
	checkHTML(t, path, p)
	mustContain(t, path, p.body, "<h1>"+html.EscapeString(r.Title)+"</h1>", `href="/api/v1/reports/2026-05/consumer.pdf"`,
		">"+strconv.FormatInt(r.Received, 10)+"<", ">"+strconv.FormatInt(r.Delivered, 10)+"<")
	for _, tp := range r.TopPlatforms {
		mustContain(t, path, p.body, html.EscapeString(tp.Name))
	}
	for _, ch := range report.Charts {
		src := path + "/charts/" + string(ch) + ".png"
		mustContain(t, path, p.body, `<img src="`+src+`" alt="`+html.EscapeString(report.ChartTitles[ch])+"：")
		img := s.get(t, src)
		if img.code != http.StatusOK || img.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(img.body, "\x89PNG") {
			t.Errorf("%s: %d %s", src, img.code, img.header.Get("Content-Type"))
		}
		if again := s.get(t, src, "If-None-Match", img.header.Get("ETag")); again.code != http.StatusNotModified {
			t.Errorf("%s with its ETag: %d", src, again.code)
		}
	}
	// The sector chart's text alternative names each sector's figure.
	for _, sec := range r.BySector {
		mustContain(t, path, p.body, sec.Label+" "+strconv.FormatInt(sec.Delivered, 10)+"件")
	}
	pdf := s.get(t, "/api/v1/reports/2026-05/consumer.pdf")
	if pdf.code != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF") {
		t.Errorf("the PDF link: %d %s", pdf.code, pdf.header.Get("Content-Type"))
	}
	for path, want := range map[string]int{"/reports/2026-13/consumer": 422, "/reports/2026-05/everyone": 404,
		"/reports/2026-05/consumer/charts/pie.png": 404, "/reports/2026-05/consumer/charts/sectors.gif": 404} {
		if got := s.get(t, path); got.code != want {
			t.Errorf("%s: %d, want %d", path, got.code, want)
		}
	}
	home := s.get(t, "/")
	mustContain(t, "/", home.body, "最新报告", `href="/reports/2026-06/consumer"`)
}

// TestReportPageLinksCasesAndCampaigns: a report's page links the typical cases published in
// its period and the campaigns overlapping it, as the report lists them.
func TestReportPageLinksCasesAndCampaigns(t *testing.T) {
	s := sharedSite(t)
	ctx := context.Background()
	linked := 0
	for _, period := range []string{"2026-06", "2026-Q2", "2026-H1", "2026"} {
		r, err := s.svc.Reports.Get(ctx, period, "consumer")
		if err != nil {
			t.Fatal(err)
		}
		path := "/reports/" + period + "/consumer"
		p := s.get(t, path)
		checkHTML(t, path, p)
		for _, k := range r.Cases {
			mustContain(t, path, p.body, `href="/cases/`+k.ID+`"`, html.EscapeString(k.Title))
			linked++
		}
		for _, c := range r.Campaigns {
			mustContain(t, path, p.body, `href="/campaigns/`+c.ID+`"`)
		}
	}
	if linked == 0 {
		t.Error("no report of 2026 links a case: the test checks nothing")
	}
	// A campaign's page lists the cases its report names.
	camps, _, err := s.svc.Campaigns.List(ctx, "", models.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range camps {
		r, err := s.svc.Campaigns.Report(ctx, c.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		p := s.get(t, "/campaigns/"+c.ID)
		for _, k := range r.Cases {
			mustContain(t, "/campaigns/"+c.ID, p.body, `href="/cases/`+k.ID+`"`)
		}
	}
}
