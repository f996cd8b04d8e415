package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/report"
	"github.com/dianshubao/dianshubao/service"
)

// reportLink is one report of a period as the list shows it.
type reportLink struct {
	Title, Href, PDFHref string
}

// reportPeriodLine is one period of the report list with both its reports.
type reportPeriodLine struct {
	Period, Label string
	Frozen        bool
	Reports       []reportLink
}

func reportHref(period string, k models.ReportKind) string {
	return "/reports/" + period + "/" + string(k)
}

func reportPDFHref(period string, k models.ReportKind) string {
	return "/api/v1/reports/" + period + "/" + string(k) + ".pdf"
}

// latestReports is up to n periods of reports of a type ("" for months), newest first.
func (s *site) latestReports(c *gin.Context, periodType string, n int) ([]reportPeriodLine, error) {
	periods, _, err := s.svc.Reports.List(c.Request.Context(), periodType, models.Page{Limit: n})
	if err != nil {
		return nil, err
	}
	out := make([]reportPeriodLine, 0, len(periods))
	for _, p := range periods {
		l := reportPeriodLine{Period: p.Period.String(), Label: models.PeriodLabel(p.Period), Frozen: p.Frozen}
		for _, k := range models.ReportKinds {
			l.Reports = append(l.Reports, reportLink{Title: models.ReportTitle(p.Period, k),
				Href: reportHref(p.Period.String(), k), PDFHref: reportPDFHref(p.Period.String(), k)})
		}
		out = append(out, l)
	}
	return out, nil
}

// reportsView is the data of the report list.
type reportsView struct {
	Periods []reportPeriodLine
	Types   []option
}

// reports lists the periodic reports (月报、季报、半年报、年报), newest first.
func (s *site) reports(c *gin.Context) {
	typ := c.Query("period_type")
	month := models.PeriodContaining(s.now(), models.PeriodMonth).String()
	s.cached(c, "reports|"+typ+"|"+month, liveMaxAge, htmlType, func() ([]byte, error) {
		lines, err := s.latestReports(c, typ, maxListed)
		if err != nil {
			return nil, err
		}
		types := make([]option, 0, len(models.PeriodTypes))
		for _, t := range models.PeriodTypes {
			sel := string(t) == typ || (typ == "" && t == models.PeriodMonth)
			types = append(types, option{Value: string(t), Label: models.PeriodTypeLabels[t], Selected: sel})
		}
		return renderPage("reports", &Page{Title: "报告", Nav: NavReports, Data: reportsView{Periods: lines, Types: types}})
	})
}

// reportChart is one chart of a report page: its image and its text alternative.
type reportChart struct {
	Src, Title, Alt string
}

// reportView is the data of a report's page.
type reportView struct {
	Report  *models.Report
	PDFHref string
	Charts  []reportChart
	Kind    string
}

// loadReport reads a report through the API's rendered cache.
func (s *site) loadReport(c *gin.Context) (*service.RenderedReport, *models.Report, bool) {
	r, err := s.svc.Reports.JSON(c.Request.Context(), c.Param("period"), c.Param("kind"))
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	var rep models.Report
	if err := json.Unmarshal(r.Body, &rep); err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	return r, &rep, true
}

// reportPage is one report: its figures, its charts as images and a link to its PDF.
func (s *site) reportPage(c *gin.Context) {
	r, rep, ok := s.loadReport(c)
	if !ok {
		return
	}
	// A report page lists typical cases, which may be unpublished: a minute at most, frozen or not.
	s.cached(c, "report|"+r.ETag, min(maxAgeOf(r.Frozen), time.Minute), htmlType, func() ([]byte, error) {
		k := models.ReportKind(rep.Kind)
		v := reportView{Report: rep, PDFHref: reportPDFHref(rep.Period, k), Kind: models.ReportKindLabels[k]}
		for _, ch := range report.Charts {
			v.Charts = append(v.Charts, reportChart{Src: reportHref(rep.Period, k) + "/charts/" + string(ch) + ".png",
				Title: report.ChartTitles[ch], Alt: chartAlt(rep, ch)})
		}
		return renderPage("report", &Page{Title: rep.Title, Nav: NavReports, Data: v})
	})
}

// reportChartPNG is one chart of a report as a PNG image, drawn once per rendering of the
// report.
func (s *site) reportChartPNG(c *gin.Context) {
	name, ok := strings.CutSuffix(c.Param("chart"), ".png")
	ch := report.Chart(name)
	if !ok || !ch.Valid() {
		NotFound(c)
		return
	}
	r, rep, ok := s.loadReport(c)
	if !ok {
		return
	}
	s.cached(c, "chart|"+r.ETag+"|"+name, maxAgeOf(r.Frozen), "image/png", func() ([]byte, error) {
		return report.ChartPNG(rep, ch)
	})
}

// chartAlt describes a chart's figures in words, for readers who cannot see it.
func chartAlt(r *models.Report, ch report.Chart) string {
	var parts []string
	switch ch {
	case report.ChartSectors:
		for _, sec := range r.BySector {
			parts = append(parts, fmt.Sprintf("%s %d件", sec.Label, sec.Delivered))
		}
	case report.ChartIssueTypes:
		for _, it := range r.ByIssueType {
			parts = append(parts, fmt.Sprintf("%s %d件", it.Label, it.Count))
		}
	case report.ChartReplyRates:
		for _, b := range r.ReplyRateDistribution {
			parts = append(parts, fmt.Sprintf("%.0f%%–%.0f%% %d个平台", b.From*100, b.To*100, b.Count))
		}
	case report.ChartTrend:
		for _, t := range r.Trend {
			parts = append(parts, fmt.Sprintf("%s 受理%d件、回复率%s", t.PeriodLabel, t.Accepted, pct(t.ReplyRate)))
		}
	case report.ChartGrades:
		for _, sec := range r.BySector {
			var g []string
			for _, c := range sec.Grades {
				g = append(g, fmt.Sprintf("%s%d", c.Label, c.Count))
			}
			parts = append(parts, sec.Label+"："+strings.Join(g, "、"))
		}
	}
	if len(parts) == 0 {
		return report.ChartTitles[ch] + "：本期暂无数据。"
	}
	return report.ChartTitles[ch] + "：" + strings.Join(parts, "；") + "。"
}
