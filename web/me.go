package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// registerMePages adds the complainant's own pages under /me (the group requires a signed-in
// consumer or merchant). Each page calls the service as the caller, so another person's
// complaint is not found.
func (s *site) registerMePages(g *gin.RouterGroup) {
	g.GET("", s.myComplaints)
	g.GET("/complaints/new", s.newComplaintForm)
	g.POST("/complaints/new", s.checkUploadCSRF, s.once, s.fileComplaint)
	g.GET("/complaints/:id", s.myComplaint)
	g.GET("/complaints/refund-only", s.refundForm)
	g.POST("/complaints/refund-only", s.checkUploadCSRF, s.once, s.fileRefundOnly)
	g.POST("/complaints/:id/supplements", s.checkUploadCSRF, s.once, s.supplement)
	g.GET("/evidence/:id", s.serveEvidence)
	g.POST("/complaints/:id/withdraw", s.checkCSRF, s.once, s.withdraw)
	g.POST("/complaints/:id/rating", s.checkCSRF, s.once, s.rate)
}

// myComplaintsPage is the list of the caller's complaints, one page of them.
type myComplaintsPage struct {
	Items []service.ComplaintView
	Next  string
	// Merchant files refund-only complaints; a consumer files consumer complaints.
	Merchant bool
}

func (s *site) myComplaints(c *gin.Context) {
	ws := sessionOf(c)
	items, next, err := s.svc.Complaints.List(c.Request.Context(), ws.Principal, service.ComplaintListFilter{},
		models.Page{Limit: 50, Cursor: c.Query("cursor")})
	if err != nil {
		s.fail(c, err)
		return
	}
	p := userPage(c, "我的投诉 - 电诉宝", myComplaintsPage{Items: items, Next: next,
		Merchant: ws.Principal.Role == models.RoleMerchant})
	if c.Query("filed") != "" {
		p.Messages = append(p.Messages, Message{Kind: "success", Text: "投诉已提交，审核通过后将递交平台处理。"})
	}
	s.show(c, http.StatusOK, "me", p)
}

// myComplaintPage is one complaint with the forms its state allows.
type myComplaintPage struct {
	C    *service.ComplaintView
	Form *formData
	// IssueLabel, Demands are the complaint's issue type and demands in Chinese.
	IssueLabel string
	Demands    []string
	CanAct     bool
	CanRate    bool
	// Correct offers the fields a re-submission may correct (after a rejection for abusive
	// wording or missing information): the title of a consumer complaint, the product name
	// of a refund-only one, the description of both.
	Correct, CorrectTitle, CorrectProduct bool
}

// pageComplaint reads the complaint of the path as the signed-in person, with f (or a fresh
// form when nil) for its forms; it answers the request itself and reports false when it cannot.
func (s *site) pageComplaint(c *gin.Context, f *formData) (*service.ComplaintView, *formData, bool) {
	ws := sessionOf(c)
	v, err := s.svc.Complaints.Get(c.Request.Context(), ws.Principal, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	if f == nil {
		f = newForm(ws.CSRFToken)
	}
	return v, f, true
}

func (s *site) complaintPage(c *gin.Context, status int, f *formData, msg *Message) {
	v, f, ok := s.pageComplaint(c, f)
	if !ok {
		return
	}
	d := myComplaintPage{C: v, Form: f,
		CanAct:  v.Status != string(models.StatusCompleted) && v.Status != string(models.StatusWithdrawn),
		CanRate: v.Status == string(models.StatusReplied) && v.Rating == nil}
	// A resubmittable rejection (abusive wording, missing information) is one the supplement
	// may correct: the service's rule, read from the view.
	if r := v.Rejection; r != nil && r.Resubmittable {
		d.Correct = true
		d.CorrectTitle = v.Channel == string(models.ChannelConsumer)
		d.CorrectProduct = !d.CorrectTitle
	}
	if v.IssueType != nil {
		d.IssueLabel = models.IssueTypeLabels[*v.IssueType]
	}
	for _, dm := range v.Demands {
		d.Demands = append(d.Demands, models.DemandLabels[dm])
	}
	title := v.Number
	if v.Title != nil {
		title = *v.Title
	}
	p := userPage(c, title+" - 我的投诉 - 电诉宝", d)
	if msg != nil {
		p.Messages = append(p.Messages, *msg)
	} else if c.Query("filed") != "" {
		p.Messages = append(p.Messages, filedMessage(v))
	} else if c.Query("done") != "" {
		p.Messages = append(p.Messages, Message{Kind: "success", Text: "已提交。"})
	}
	s.show(c, status, "me_complaint", p)
}

func (s *site) myComplaint(c *gin.Context) { s.complaintPage(c, http.StatusOK, nil, nil) }

// act runs one change of the complaint, then shows it again: with the form's errors when the
// service refused it, or after a redirect when it succeeded. run's command runs in ctx, which
// records the form's submission (web/once.go).
func (s *site) act(c *gin.Context, f *formData, run func(ctx context.Context, p *models.Principal, id string) error) {
	ws := sessionOf(c)
	id := c.Param("id")
	done := "/me/complaints/" + id + "?done=1"
	if err := run(submit(c, at(done)), ws.Principal, id); err != nil {
		if s.answered(c, f, err) {
			return
		}
		s.complaintPage(c, refusalStatus(err), f, &Message{Kind: "error", Text: f.Error})
		return
	}
	c.Redirect(http.StatusSeeOther, done)
}

// supplement adds a supplement with at most one file, as POST /complaints/{id}/supplements
// does; after a rejection it may carry the corrected title, description or product name.
func (s *site) supplement(c *gin.Context) {
	f := newForm(sessionOf(c).CSRFToken)
	req := service.SupplementRequest{Text: c.PostForm("text"), EvidenceIDs: []string{}}
	f.Values["text"] = req.Text
	for _, k := range []string{"title", "description", "product_name"} {
		v, ok := c.GetPostForm(k)
		if !ok {
			continue
		}
		f.Values[k] = v
		if strings.TrimSpace(v) == "" {
			continue // a correction left empty keeps the text as it is
		}
		switch k {
		case "title":
			req.Title = &v
		case "description":
			req.Description = &v
		default:
			req.ProductName = &v
		}
	}
	s.act(c, f, func(cmd context.Context, p *models.Principal, id string) error {
		ctx := c.Request.Context()
		// The complaint is the caller's (or answers 404) before any file of theirs is stored.
		if _, err := s.svc.Complaints.Get(ctx, p, id); err != nil {
			return err
		}
		ev, err := s.receiveEvidence(ctx, c, p)
		if err != nil {
			return err
		}
		if ev != "" {
			req.EvidenceIDs = append(req.EvidenceIDs, ev)
		}
		_, err = s.svc.Complaints.Supplement(cmd, p, id, req)
		if err != nil {
			s.discardUpload(c, ev)
		}
		if err != nil && ev != "" {
			f.Error += "已上传的附件需重新选择。"
		}
		return err
	})
}

// filedMessage tells the complainant what became of the complaint just filed: a refund-only
// complaint is reviewed at once, so it may already be delivered, or refused for its wording.
func filedMessage(v *service.ComplaintView) Message {
	switch models.Status(v.Status) {
	case models.StatusDelivered:
		return Message{Kind: "success", Text: "投诉已通过系统审核并递交平台处理。"}
	case models.StatusAwaitingContact:
		return Message{Kind: "success", Text: "投诉已通过系统审核，平台接入后将立即递交。"}
	case models.StatusRejected:
		return Message{Kind: "warning", Text: "投诉未通过系统审核，请按下方提示修改后补充提交。"}
	}
	return Message{Kind: "success", Text: "投诉已提交，审核通过后将递交平台处理。"}
}

func (s *site) withdraw(c *gin.Context) {
	f := newForm(sessionOf(c).CSRFToken)
	f.Values["reason"] = c.PostForm("reason")
	s.act(c, f, func(ctx context.Context, p *models.Principal, id string) error {
		_, err := s.svc.Complaints.Withdraw(ctx, p, id, service.WithdrawRequest{Reason: f.Values["reason"]})
		return err
	})
}

func (s *site) rate(c *gin.Context) {
	f := newForm(sessionOf(c).CSRFToken)
	f.Values["score"], f.Values["comment"] = c.PostForm("score"), c.PostForm("comment")
	score, err := strconv.Atoi(strings.TrimSpace(f.Values["score"]))
	if err != nil {
		score = 0 // the service refuses it beside the field
	}
	req := service.RatingRequest{Score: score}
	if cm := strings.TrimSpace(f.Values["comment"]); cm != "" {
		req.Comment = &cm
	}
	s.act(c, f, func(ctx context.Context, p *models.Principal, id string) error {
		_, err := s.svc.Complaints.Rate(ctx, p, id, req)
		return err
	})
}
