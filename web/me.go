package web

import (
	"errors"
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
	g.POST("/complaints/new", s.checkUploadCSRF, s.fileComplaint)
	g.GET("/complaints/:id", s.myComplaint)
	g.POST("/complaints/:id/supplements", s.checkCSRF, s.supplement)
	g.POST("/complaints/:id/withdraw", s.checkCSRF, s.withdraw)
	g.POST("/complaints/:id/rating", s.checkCSRF, s.rate)
}

// myComplaintsPage is the list of the caller's complaints, one page of them.
type myComplaintsPage struct {
	Items []service.ComplaintView
	Next  string
}

func (s *site) myComplaints(c *gin.Context) {
	ws := sessionOf(c)
	items, next, err := s.svc.Complaints.List(c.Request.Context(), ws.Principal, service.ComplaintListFilter{},
		models.Page{Limit: 50, Cursor: c.Query("cursor")})
	if err != nil {
		s.fail(c, err)
		return
	}
	p := userPage(c, "我的投诉 - 电诉宝", myComplaintsPage{Items: items, Next: next})
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
}

func (s *site) complaintPage(c *gin.Context, status int, f *formData, msg *Message) {
	ws := sessionOf(c)
	v, err := s.svc.Complaints.Get(c.Request.Context(), ws.Principal, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if f == nil {
		f = newForm(ws.CSRFToken)
	}
	d := myComplaintPage{C: v, Form: f,
		CanAct:  v.Status != string(models.StatusCompleted) && v.Status != string(models.StatusWithdrawn),
		CanRate: v.Status == string(models.StatusReplied) && v.Rating == nil}
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
	} else if c.Query("done") != "" {
		p.Messages = append(p.Messages, Message{Kind: "success", Text: "已提交。"})
	}
	s.show(c, status, "me_complaint", p)
}

func (s *site) myComplaint(c *gin.Context) { s.complaintPage(c, http.StatusOK, nil, nil) }

// act runs one change of the complaint, then shows it again: with the form's errors when the
// service refused it, or after a redirect when it succeeded.
func (s *site) act(c *gin.Context, f *formData, run func(p *models.Principal, id string) error) {
	ws := sessionOf(c)
	id := c.Param("id")
	if err := run(ws.Principal, id); err != nil {
		var me *models.Error
		if isNotFound(err, &me) || !f.apply(err) {
			s.fail(c, err)
			return
		}
		s.complaintPage(c, http.StatusUnprocessableEntity, f, &Message{Kind: "error", Text: f.Error})
		return
	}
	c.Redirect(http.StatusSeeOther, "/me/complaints/"+id+"?done=1")
}

func (s *site) supplement(c *gin.Context) {
	f := newForm(sessionOf(c).CSRFToken)
	f.Values["text"] = c.PostForm("text")
	s.act(c, f, func(p *models.Principal, id string) error {
		_, err := s.svc.Complaints.Supplement(c.Request.Context(), p, id, service.SupplementRequest{Text: f.Values["text"]})
		return err
	})
}

func (s *site) withdraw(c *gin.Context) {
	f := newForm(sessionOf(c).CSRFToken)
	f.Values["reason"] = c.PostForm("reason")
	s.act(c, f, func(p *models.Principal, id string) error {
		_, err := s.svc.Complaints.Withdraw(c.Request.Context(), p, id, service.WithdrawRequest{Reason: f.Values["reason"]})
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
	s.act(c, f, func(p *models.Principal, id string) error {
		_, err := s.svc.Complaints.Rate(c.Request.Context(), p, id, req)
		return err
	})
}

// isNotFound reports whether err is a missing resource (another's complaint among them).
func isNotFound(err error, me **models.Error) bool {
	return errors.As(err, me) && (*me).Kind == models.KindNotFound
}
