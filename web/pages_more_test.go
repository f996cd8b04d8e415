package web_test

import (
	"context"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// TestPlatformPageShowsItsHistory: a platform's page has its chart (inline SVG with a text
// alternative, one point per rated month) and its complaint counts by month.
func TestPlatformPageShowsItsHistory(t *testing.T) {
	s := sharedSite(t)
	it := s.list(t, service.RatingQuery{Period: "2026-05"}).Items[0]
	path := "/platforms/" + it.Platform.Slug
	p := s.get(t, path)
	if p.code != http.StatusOK {
		t.Fatalf("%s: %d %s", path, p.code, p.body)
	}
	checkHTML(t, path, p)
	hist, err := s.svc.Ratings.History(context.Background(), it.Platform.ID, "month", "")
	if err != nil {
		t.Fatal(err)
	}
	rated := 0
	for _, e := range hist.Data {
		if e.Item != nil && e.Item.Index != nil {
			rated++
		}
	}
	if got := strings.Count(p.body, `<circle class="dot"`); got != rated || rated == 0 {
		t.Errorf("%d points on the chart, %d rated months", got, rated)
	}
	mustContain(t, path, p.body, "<h1>"+html.EscapeString(it.Platform.Name)+"</h1>", `<svg class="chart"`, `<title id="chart-title">`,
		"2026年5月", ">"+strconv.FormatInt(it.ComplaintCount, 10)+"<", `<polyline class="line"`)
	// Looked up by slug or id alike; an unknown slug is the HTML 404 page.
	if byID := s.get(t, "/platforms/"+it.Platform.ID); byID.code != http.StatusOK {
		t.Errorf("by id: %d", byID.code)
	}
	nf := s.get(t, "/platforms/no-such-platform")
	if nf.code != http.StatusNotFound {
		t.Fatalf("unknown platform: %d", nf.code)
	}
	checkHTML(t, "/platforms/no-such-platform", nf)
}

// TestCampaignPages: the list names every campaign; a campaign's page has its report.
func TestCampaignPages(t *testing.T) {
	s := sharedSite(t)
	camps, _, err := s.svc.Campaigns.List(context.Background(), "", models.Page{Limit: 100})
	if err != nil || len(camps) == 0 {
		t.Fatalf("campaigns %v %v", camps, err)
	}
	p := s.get(t, "/campaigns")
	if p.code != http.StatusOK {
		t.Fatalf("/campaigns: %d", p.code)
	}
	checkHTML(t, "/campaigns", p)
	var reported *models.Campaign
	for i := range camps {
		mustContain(t, "/campaigns", p.body, html.EscapeString(camps[i].Title), `href="/campaigns/`+camps[i].ID+`"`)
		if camps[i].Status == models.CampaignReported {
			reported = &camps[i]
		}
	}
	if reported == nil {
		t.Fatal("the seed has no reported campaign")
	}
	path := "/campaigns/" + reported.ID
	cp := s.get(t, path)
	if cp.code != http.StatusOK {
		t.Fatalf("%s: %d", path, cp.code)
	}
	checkHTML(t, path, cp)
	r, err := s.svc.Campaigns.Report(context.Background(), reported.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, path, cp.body, "调查报告", "报告已发布并定稿", "共 "+strconv.FormatInt(r.ComplaintCount, 10)+" 件投诉")
	for _, pl := range r.Platforms {
		mustContain(t, path, cp.body, html.EscapeString(pl.Platform.Name))
	}
	for _, q := range r.Questionnaires {
		mustContain(t, path, cp.body, html.EscapeString(q.Title))
	}
	if nf := s.get(t, "/campaigns/nope"); nf.code != http.StatusNotFound {
		t.Errorf("unknown campaign: %d", nf.code)
	}
}

// TestNotFoundIsHTMLForTheSiteAndJSONForTheAPI: the router's NoRoute answers a site path with
// the HTML 404 page, an API path with its JSON problem, and the operational routes still work.
func TestNotFoundIsHTMLForTheSiteAndJSONForTheAPI(t *testing.T) {
	s := sharedSite(t)
	p := s.get(t, "/no/such/page")
	if p.code != http.StatusNotFound {
		t.Fatalf("site 404: %d", p.code)
	}
	checkHTML(t, "/no/such/page", p)
	mustContain(t, "/no/such/page", p.body, "页面不存在")
	a := s.get(t, "/api/v1/no-such-thing")
	if a.code != http.StatusNotFound || !strings.HasPrefix(a.header.Get("Content-Type"), "application/problem+json") ||
		!strings.Contains(a.body, `"route_not_found"`) {
		t.Errorf("API 404: %d %s %s", a.code, a.header.Get("Content-Type"), a.body)
	}
	if h := s.get(t, "/healthz"); h.code != http.StatusOK || !strings.Contains(h.body, `"ok"`) {
		t.Errorf("/healthz: %d %s", h.code, h.body)
	}
	if j := s.get(t, "/api/v1/ratings?period=2026-05"); j.code != http.StatusOK || !strings.HasPrefix(j.header.Get("Content-Type"), "application/json") {
		t.Errorf("/api/v1/ratings: %d %s", j.code, j.header.Get("Content-Type"))
	}
	css := s.get(t, "/static/site.css")
	if css.code != http.StatusOK || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") || !strings.Contains(css.body, ".grade-recommended") {
		t.Errorf("/static/site.css: %d %s", css.code, css.header.Get("Content-Type"))
	}
	if st := s.get(t, "/static/nope.css"); st.code != http.StatusNotFound {
		t.Errorf("/static/nope.css: %d", st.code)
	}
}

// TestLawyersPage: the lawyer team's page lists the active lawyers, and a specialty picked
// lists only those who practise it.
func TestLawyersPage(t *testing.T) {
	s := sharedSite(t)
	all, _, err := s.svc.Lawyers.List(context.Background(), "", true, models.Page{Limit: 100})
	if err != nil || len(all) == 0 {
		t.Fatalf("lawyers %v %v", all, err)
	}
	p := s.get(t, "/lawyers")
	if p.code != http.StatusOK {
		t.Fatalf("/lawyers: %d", p.code)
	}
	checkHTML(t, "/lawyers", p)
	for _, l := range all {
		mustContain(t, "/lawyers", p.body, "<h2>"+html.EscapeString(l.Name)+"</h2>", html.EscapeString(l.Firm))
	}
	sp := all[0].Specialties[0]
	path := "/lawyers?specialty=" + sp
	f := s.get(t, path)
	checkHTML(t, path, f)
	for _, l := range all {
		has := l.HasSpecialty(models.Specialty(sp))
		if shown := strings.Contains(f.body, "<h2>"+html.EscapeString(l.Name)+"</h2>"); shown != has {
			t.Errorf("%s: %s shown %v, practises %s %v", path, l.Name, shown, sp, has)
		}
	}
	if bad := s.get(t, "/lawyers?specialty=astrology"); bad.code != http.StatusUnprocessableEntity {
		t.Errorf("an unknown specialty: %d", bad.code)
	}
}

// TestRankingsPage: the complaint rankings' page lists the ranking's platforms with their
// counts, and a sub-sector picked lists only its platforms.
func TestRankingsPage(t *testing.T) {
	s := sharedSite(t)
	ctx := context.Background()
	l, err := s.svc.Rankings.List(ctx, service.RankingQuery{Period: "2026-05"})
	if err != nil || len(l.Items) == 0 {
		t.Fatalf("ranking %v %v", l, err)
	}
	path := "/rankings?period=2026-05"
	p := s.get(t, path)
	if p.code != http.StatusOK {
		t.Fatalf("%s: %d", path, p.code)
	}
	checkHTML(t, path, p)
	for _, it := range l.Items {
		mustContain(t, path, p.body, ">"+html.EscapeString(it.Platform.Name)+"</a>", ">"+strconv.FormatInt(it.ComplaintCount, 10)+"<")
	}
	mustContain(t, path, p.body, "共 "+strconv.FormatInt(l.Total, 10)+" 件投诉", `<option value="2026-05" selected>`)
	tagged, err := s.svc.Rankings.List(ctx, service.RankingQuery{Period: "2026-05", Tag: "二手电商"})
	if err != nil || len(tagged.Items) == 0 {
		t.Fatalf("二手电商 ranking %v %v", tagged, err)
	}
	tp := s.get(t, "/rankings?period=2026-05&tag=%E4%BA%8C%E6%89%8B%E7%94%B5%E5%95%86")
	checkHTML(t, "/rankings?tag=二手电商", tp)
	if got := strings.Count(tp.body, `<td><a href="/platforms/`); got != len(tagged.Items) {
		t.Errorf("二手电商: %d lines, want %d", got, len(tagged.Items))
	}
	if bad := s.get(t, "/rankings?issue_type=weather"); bad.code != http.StatusUnprocessableEntity {
		t.Errorf("an unknown issue type: %d", bad.code)
	}
}
