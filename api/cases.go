package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/service"
)

// The public side of typical cases (典型案例): the list, one case, and the Atom feed the media
// accounts syndicate. Only published cases exist here, and nothing in them names the
// complainant.

type casesHandler struct {
	svc *service.Cases
}

// caseFilter reads a listing's filters from the query string.
func caseFilter(c *gin.Context) service.CaseListFilter {
	return service.CaseListFilter{Status: c.Query("status"), Sector: c.Query("sector"), PlatformID: c.Query("platform_id"),
		Tag: c.Query("tag"), Query: c.Query("q")}
}

// publicList godoc
//
//	@Summary		Typical cases (典型案例)
//	@Description	Published cases, the latest publication first: completed complaints told with the complainant's personal information scrubbed (names, phones, ID-card and bank-card numbers, e-mail addresses, order numbers, street addresses), the platform's reply, the outcome and the timeline in outline. Public and cacheable (`Cache-Control`, `ETag`). The same cases as an Atom feed: `/api/v1/cases.atom`.
//	@Tags			cases
//	@ID				listCases
//	@Produce		json,application/problem+json
//	@Param			sector		query		string	false	"only this sector"	Enums(digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics)
//	@Param			platform_id	query		string	false	"only cases about this platform"
//	@Param			tag			query		string	false	"only cases with this tag (the whole tag, at most 20 characters)"
//	@Param			q			query		string	false	"only cases whose title, summary or body contains this (ignoring the case of Latin letters, at most 100 characters)"
//	@Param			limit		query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor		query		string	false	"next_cursor of the previous page"
//	@Success		200			{object}	ListResponse[service.CaseView]
//	@Success		304			"not modified"
//	@Failure		422			{object}	Problem	"validation_failed (a filter), invalid_cursor"
//	@Failure		503			{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500			{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/cases [get]
func (h *casesHandler) publicList(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := h.svc.List(c.Request.Context(), caseFilter(c), page)
	if err != nil {
		writeProblem(c, err)
		return
	}
	writeCacheable(c, listOf(items, next), publicMaxAge)
}

// publicGet godoc
//
//	@Summary		One typical case
//	@Description	A published case; a draft or a withdrawn one does not exist here (404). Public and cacheable.
//	@Tags			cases
//	@ID				getCase
//	@Produce		json,application/problem+json
//	@Param			id	path		string	true	"case id"
//	@Success		200	{object}	service.CaseView
//	@Success		304	"not modified"
//	@Failure		404	{object}	Problem
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/cases/{id} [get]
func (h *casesHandler) publicGet(c *gin.Context) {
	v, err := h.svc.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	writeCacheable(c, v, publicMaxAge)
}

// feed godoc
//
//	@Summary		Typical cases as an Atom feed
//	@Description	An Atom 1.0 feed (RFC 4287) of the latest 50 published cases, the latest publication first, for syndication: each entry has the case's `id` (a tag URI), `title`, `updated`, `published`, `summary`, the body and the platform's reply as text `content`, the sector and tags as categories, and a link to the case (`/api/v1/cases/{id}`, relative to the feed). `sector`, `platform_id` and `tag` narrow it as they narrow the list. Public and cacheable.
//	@Tags			cases
//	@ID				casesFeed
//	@Produce		application/atom+xml,application/problem+json
//	@Param			sector		query	string	false	"only this sector"	Enums(digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics)
//	@Param			platform_id	query	string	false	"only cases about this platform"
//	@Param			tag			query	string	false	"only cases with this tag"
//	@Success		200			{file}	binary	"the Atom feed"
//	@Success		304			"not modified"
//	@Failure		422			{object}	Problem	"validation_failed (a filter)"
//	@Failure		503			{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500			{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/cases.atom [get]
func (h *casesHandler) feed(c *gin.Context) {
	items, updated, err := h.svc.Feed(c.Request.Context(), caseFilter(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	body, err := atomFeedOf(items, updated, c.Request.URL.RequestURI())
	if err != nil {
		writeProblem(c, err)
		return
	}
	sum := sha256.Sum256(body)
	writeBytes(c, body, `"`+hex.EncodeToString(sum[:16])+`"`, atomContentType, publicMaxAge)
}

const atomContentType = "application/atom+xml; charset=utf-8"

// The Atom document (RFC 4287); every element is in the Atom namespace.
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Entries  []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    atomText       `xml:"content"`
}

// atomIDBase makes the feed's and entries' permanent ids (tag URIs, RFC 4151): they name a
// case wherever the feed is served from.
const atomIDBase = "tag:dianshubao.example,2026:"

// atomFeedOf renders the cases as a feed served at self; updated is the newest change (the
// epoch for an empty feed, which has none).
func atomFeedOf(items []service.CaseView, updated time.Time, self string) ([]byte, error) {
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	f := atomFeed{ID: atomIDBase + "cases", Title: "电诉宝典型案例", Subtitle: "网络消费纠纷典型案例：投诉、平台回复与处理结果（已隐去个人信息）",
		Updated: service.Ts(updated), Author: atomPerson{Name: "电诉宝"},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "application/json", Href: "/api/v1/cases"}}}
	for _, v := range items {
		e := atomEntry{ID: atomIDBase + "case:" + v.ID, Title: atomText{Type: "text", Text: v.Title},
			Updated: v.UpdatedAt, Published: v.UpdatedAt,
			Links:      []atomLink{{Rel: "alternate", Type: "application/json", Href: "/api/v1/cases/" + v.ID}},
			Categories: []atomCategory{{Term: v.Sector, Label: v.SectorLabel}},
			Summary:    atomText{Type: "text", Text: v.Summary}}
		if v.PublishedAt != nil {
			e.Published = *v.PublishedAt
		}
		for _, t := range v.Tags {
			e.Categories = append(e.Categories, atomCategory{Term: t})
		}
		content := v.Body
		if v.PlatformReply != "" {
			content += "\n【平台回复】\n" + v.PlatformReply
		}
		if v.Platform.Name != "" {
			content = "【平台】" + v.Platform.Name + "\n" + content
		}
		e.Content = atomText{Type: "text", Text: content}
		f.Entries = append(f.Entries, e)
	}
	body, err := xml.Marshal(f)
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), body...), nil
}

// writeBytes answers a public read rendered already, with its ETag and type: 304 when the
// client holds this version.
func writeBytes(c *gin.Context, body []byte, etag, contentType string, maxAge time.Duration) {
	h := c.Writer.Header()
	h["Etag"] = []string{etag}
	h["Cache-Control"] = []string{cacheControl(maxAge)}
	if notModified(c, etag) {
		return
	}
	c.Data(http.StatusOK, contentType, body)
}
