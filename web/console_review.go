package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// registerConsoleReview adds the review queue, a complaint's review page with its accept and
// reject forms, and the evidence downloads of the staff.
func (s *site) registerConsoleReview(g *gin.RouterGroup) {
	g.GET("/complaints", s.reviewQueue)
	g.GET("/complaints/:id", s.reviewComplaint)
	g.POST("/complaints/:id/accept", s.checkCSRF, s.once, s.acceptComplaint)
	g.POST("/complaints/:id/reject", s.checkCSRF, s.once, s.rejectComplaint)
	g.GET("/evidence/:id", s.serveEvidence)
}

// queueStatusAll is the status filter's choice of every status (the API's status left out).
const queueStatusAll = "all"

// flagLabels are the staff-only flags of a complaint in Chinese.
var flagLabels = map[string]string{models.FlagAbusiveLanguage: "含不文明用语"}

// reviewQueuePage is one page of the queue with its filter form.
type reviewQueuePage struct {
	Form      *formData
	Items     []service.ComplaintView
	Statuses  []option
	Platforms []option
	Flags     []option
	Channels  []option
	// Next is the service's cursor of the next page; Pages the links to the next, the previous
	// and the first page under the same filters.
	Next  string
	Pages pageLinks
}

// reviewQueue lists complaints under the filters of GET /admin/complaints, pending review
// unless another status (or 全部) is chosen; a filter the service refuses is shown beside its
// field (422).
func (s *site) reviewQueue(c *gin.Context) {
	ws := sessionOf(c)
	f := newForm(ws.CSRFToken)
	status, ok := c.GetQuery("status")
	if !ok {
		status = string(models.StatusPendingReview)
	}
	for k, v := range map[string]string{"status": status, "platform_id": c.Query("platform_id"),
		"flag": c.Query("flag"), "channel": c.Query("channel"), "limit": c.Query("limit")} {
		f.Values[k] = strings.TrimSpace(v)
	}
	platforms, err := s.platformOptions(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := reviewQueuePage{Form: f, Platforms: platforms, Statuses: statusOptions(f.V("status")),
		Flags: labelled(flagLabels), Channels: channelOptions(f.V("channel"))}
	filter := service.ComplaintListFilter{Status: f.V("status"), PlatformID: f.V("platform_id"),
		Flag: f.V("flag"), Channel: f.V("channel")}
	if filter.Status == queueStatusAll {
		filter.Status = ""
	}
	page, err := queuePage(f.V("limit"), c.Query("cursor"), filter.PlatformID, platforms)
	if err == nil {
		d.Items, d.Next, err = s.svc.Complaints.List(c.Request.Context(), ws.Principal, filter, page)
	}
	code := http.StatusOK
	if err != nil {
		if !f.apply(err) {
			s.fail(c, err)
			return
		}
		code, d.Items, d.Next = http.StatusUnprocessableEntity, nil, ""
	}
	q := url.Values{}
	for _, k := range []string{"status", "platform_id", "flag", "channel", "limit"} {
		if v := f.V(k); v != "" {
			q.Set(k, v)
		}
	}
	d.Pages = links("/console/complaints", q, c.Query("cursor"), d.Next, c.Query("back"))
	p := userPage(c, "审核队列 - 管理后台 - 电诉宝", d)
	if f.Error != "" {
		p.Messages = append(p.Messages, Message{Kind: "error", Text: "请修改标出的筛选条件。"})
	} else if id := c.Query("done"); id != "" {
		if m, ok := s.reviewedMessage(c, id); ok {
			p.Messages = append(p.Messages, m)
		}
	}
	s.show(c, code, "console_queue", p)
}

// queuePage reads the page size as the API does, and refuses a platform that is not one of
// the picker's (the service would answer an empty page for it).
func queuePage(limit, cursor, platformID string, platforms []option) (models.Page, error) {
	p, err := models.ParsePage(limit, cursor)
	if err != nil {
		return p, err
	}
	if platformID != "" && !hasOption(platforms, platformID) {
		return p, models.Invalid("platform_id", "is not a known platform")
	}
	return p, nil
}

func hasOption(opts []option, value string) bool {
	for _, o := range opts {
		if o.Value == value {
			return true
		}
	}
	return false
}

// statusOptions are the status filter's choices: every status by its label, then 全部.
func statusOptions(selected string) []option {
	out := make([]option, 0, len(models.AllStatuses)+1)
	for _, st := range models.AllStatuses {
		out = append(out, option{Value: string(st), Label: st.Label(), Selected: selected == string(st)})
	}
	return append(out, option{Value: queueStatusAll, Label: "全部", Selected: selected == queueStatusAll})
}

// channelLabel is a complaint's channel as the filter names it.
func channelLabel(ch string) string {
	for _, o := range channelOptions("") {
		if o.Value == ch {
			return o.Label
		}
	}
	return ch
}

// reviewedMessage says what became of the complaint a review form just changed, from its status.
func (s *site) reviewedMessage(c *gin.Context, id string) (Message, bool) {
	v, err := s.svc.Complaints.Get(c.Request.Context(), sessionOf(c).Principal, id)
	if err != nil {
		return Message{}, false
	}
	switch models.Status(v.Status) {
	case models.StatusDelivered:
		return Message{Kind: "success", Text: "投诉 " + v.Number + " 已受理并递交平台。"}, true
	case models.StatusAwaitingContact:
		return Message{Kind: "success", Text: "投诉 " + v.Number + " 已受理，等待平台接入后递交。"}, true
	case models.StatusRejected:
		return Message{Kind: "success", Text: "投诉 " + v.Number + " 已不予受理。"}, true
	}
	return Message{}, false
}
