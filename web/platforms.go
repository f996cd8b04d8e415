package web

import (
	"fmt"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// platformView is the data of a platform's page.
type platformView struct {
	Platform *models.Platform
	Sector   string
	Rateable bool
	// History is the last 12 months, newest first; Latest the newest with complaints.
	History []service.RatingEntry
	Latest  *service.RatingEntry
	Chart   any
	// Total counts the complaints of the 12 months.
	Total int64
	// Cases are the platform's latest published typical cases.
	Cases []service.CaseView
}

// platformCases is how many of its cases a platform's page lists.
const platformCases = 5

// platform is a platform's profile: its rating history as a chart and a table, its
// complaint counts by month and its latest published cases.
func (s *site) platform(c *gin.Context) {
	ctx := c.Request.Context()
	p, err := s.svc.Platforms.Lookup(ctx, c.Param("slug"))
	if err != nil {
		s.fail(c, err)
		return
	}
	month := models.PeriodContaining(s.now(), models.PeriodMonth).String()
	// The history reads the same cached lists as the API; the page lives as long as a live list.
	key := fmt.Sprintf("platform|%s|%s|%d", p.ID, month, p.UpdatedAt.UnixNano())
	s.cached(c, key, liveMaxAge, htmlType, func() ([]byte, error) {
		hist, err := s.svc.Ratings.History(ctx, p.ID, string(models.PeriodMonth), "")
		if err != nil {
			return nil, err
		}
		v := platformView{Platform: p, Sector: sectorLabel(string(p.Sector)), Rateable: p.Rateable(), History: hist.Data}
		if v.Cases, _, err = s.svc.Cases.List(ctx, service.CaseListFilter{PlatformID: p.ID}, models.Page{Limit: platformCases}); err != nil {
			return nil, err
		}
		points := make([]chartPoint, 0, len(hist.Data))
		rated := 0
		for i := range hist.Data {
			e := &hist.Data[i]
			if e.Item != nil {
				v.Total += e.Item.ComplaintCount
				if v.Latest == nil {
					v.Latest = e
				}
			}
			pt := chartPoint{Label: e.Period}
			if e.Item != nil && e.Item.Index != nil {
				pt.Value = e.Item.Index
				rated++
			}
			points = append(points, pt)
		}
		slices.Reverse(points)
		summary := fmt.Sprintf("%s近12个月的综合指数折线图，%d个月有评级；各月数值见下表。", p.Name, rated)
		v.Chart = lineChart(p.Name+"综合指数走势", summary, points)
		return renderPage("platform", &Page{Title: p.Name + " · 平台档案", Nav: NavRatings, Data: v})
	})
}
