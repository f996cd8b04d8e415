package web

import (
	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// homeTop is how many platforms of the current list the home page shows.
const homeTop = 10

// homeView is the data of the home page.
type homeView struct {
	List      *service.RatingList
	Top       []service.RatingItem
	More      int
	Campaigns []campaignLine
	Reports   []reportPeriodLine
	Cases     []service.CaseView
}

// home shows the current month's rating list (its first platforms), the latest monthly
// reports, cases and campaigns.
func (s *site) home(c *gin.Context) {
	r, err := s.svc.Ratings.Rendered(c.Request.Context(), service.RatingQuery{})
	if err != nil {
		s.fail(c, err)
		return
	}
	month := models.PeriodContaining(s.now(), models.PeriodMonth).String()
	s.cached(c, "home|"+r.ETag+"|"+month, liveMaxAge, htmlType, func() ([]byte, error) {
		_, l, err := s.ratingList(c, service.RatingQuery{})
		if err != nil {
			return nil, err
		}
		v := homeView{List: l, Top: l.Items[:min(homeTop, len(l.Items))], More: max(0, len(l.Items)-homeTop)}
		if v.Campaigns, err = s.latestCampaigns(c, 3); err != nil {
			return nil, err
		}
		if v.Reports, err = s.latestReports(c, "", 3); err != nil {
			return nil, err
		}
		if v.Cases, _, err = s.svc.Cases.List(c.Request.Context(), service.CaseListFilter{}, models.Page{Limit: 3}); err != nil {
			return nil, err
		}
		return renderPage("home", &Page{Title: "电诉宝 · 电商消费投诉公共服务平台", Nav: NavHome, Data: v})
	})
}
