package web

import (
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// publicMaxAge is how long the campaign pages may be kept, as the API's public reads are.
const publicMaxAge = 60 * time.Second

// maxListed bounds the campaigns a page lists: there are a handful a year.
const maxListed = 100

// campaignLine is a campaign as the lists show it.
type campaignLine struct {
	ID, Title, Topic, StartDate, EndDate, Status, StatusLabel string
}

func campaignLineOf(c *models.Campaign) campaignLine {
	return campaignLine{ID: c.ID, Title: c.Title, Topic: c.Topic, StartDate: c.StartsOn, EndDate: c.EndsOn,
		Status: string(c.Status), StatusLabel: c.Status.Label()}
}

// latestCampaigns is up to n campaigns, the latest to start first.
func (s *site) latestCampaigns(c *gin.Context, n int) ([]campaignLine, error) {
	items, _, err := s.svc.Campaigns.List(c.Request.Context(), "", models.Page{Limit: maxListed})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(items, func(a, b models.Campaign) int {
		if a.StartsOn != b.StartsOn {
			if a.StartsOn > b.StartsOn {
				return -1
			}
			return 1
		}
		return 0
	})
	out := make([]campaignLine, 0, min(n, len(items)))
	for i := range items {
		if len(out) == n {
			break
		}
		out = append(out, campaignLineOf(&items[i]))
	}
	return out, nil
}

// campaigns lists the investigation campaigns (调查行动).
func (s *site) campaigns(c *gin.Context) {
	s.cached(c, "campaigns", publicMaxAge, htmlType, func() ([]byte, error) {
		lines, err := s.latestCampaigns(c, maxListed)
		if err != nil {
			return nil, err
		}
		return renderPage("campaigns", &Page{Title: "调查行动", Nav: NavCampaigns, Data: lines})
	})
}

// campaignView is the data of a campaign's page: the campaign and its report (public view).
type campaignView struct {
	Campaign campaignLine
	Keywords []string
	Report   *service.CampaignReport
}

// campaign is one campaign with its report: per platform the figures of the rating formula
// over its tagged complaints, and the questionnaires' results.
func (s *site) campaign(c *gin.Context) {
	ctx := c.Request.Context()
	camp, err := s.svc.Campaigns.Get(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cached(c, "campaign|"+camp.ID+"|"+camp.UpdatedAt.String(), publicMaxAge, htmlType, func() ([]byte, error) {
		r, err := s.svc.Campaigns.Report(ctx, camp.ID, false)
		if err != nil {
			return nil, err
		}
		v := campaignView{Campaign: campaignLineOf(camp), Keywords: camp.Keywords, Report: r}
		return renderPage("campaign", &Page{Title: camp.Title, Nav: NavCampaigns, Data: v})
	})
}
