package web

import (
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// casesPerPage is how many cases a page of the list shows.
const casesPerPage = 20

// casesView is the data of the case list.
type casesView struct {
	Cases []service.CaseView
	// Platform is the platform the list is narrowed to, if any.
	Platform *models.Platform
	Sectors  []option
	Query    string
	NextHref string
}

// cases lists the published typical cases (典型案例), the latest first, as GET /api/v1/cases
// does, with a sector picker, a search box and a link to the next page.
func (s *site) cases(c *gin.Context) {
	f := service.CaseListFilter{Sector: c.Query("sector"), Tag: c.Query("tag"), Query: c.Query("q")}
	var pl *models.Platform
	if slug := c.Query("platform"); slug != "" {
		var err error
		if pl, err = s.svc.Platforms.Lookup(c.Request.Context(), slug); err != nil {
			s.fail(c, err)
			return
		}
		f.PlatformID = pl.ID
	}
	cursor := c.Query("cursor")
	key := "cases|" + f.Sector + "|" + f.PlatformID
	if f.Tag != "" || f.Query != "" || cursor != "" {
		key = "" // typed by the visitor: built each time, not kept
	}
	s.cached(c, key, publicMaxAge, htmlType, func() ([]byte, error) {
		items, next, err := s.svc.Cases.List(c.Request.Context(), f, models.Page{Limit: casesPerPage, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		v := casesView{Cases: items, Platform: pl, Sectors: sectorOptions(f.Sector), Query: f.Query}
		if next != "" {
			q := url.Values{"cursor": {next}}
			for k, val := range map[string]string{"sector": f.Sector, "tag": f.Tag, "q": f.Query, "platform": c.Query("platform")} {
				if val != "" {
					q.Set(k, val)
				}
			}
			v.NextHref = "/cases?" + q.Encode()
		}
		return renderPage("cases", &Page{Title: "典型案例", Nav: NavCases, Data: v})
	})
}

// caseView is the data of a case's page.
type caseView struct {
	Case *service.CaseView
}

// caseDetail is one published case.
func (s *site) caseDetail(c *gin.Context) {
	k, err := s.svc.Cases.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cached(c, "case|"+k.ID+"|"+k.UpdatedAt, publicMaxAge, htmlType, func() ([]byte, error) {
		return renderPage("case", &Page{Title: k.Title + " · 典型案例", Nav: NavCases, Data: caseView{Case: k}})
	})
}
