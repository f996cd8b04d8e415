package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// reviewPage is a complaint as the staff read it, with the screening hits marked in the texts
// the platform will read, and the review forms while it is pending.
type reviewPage struct {
	C    *service.ComplaintView
	Form *formData
	// Title, Description, ProductName, OrderNo, ContactName and Supplements are the texts
	// with their hits marked.
	Title, Description, ProductName, OrderNo, ContactName template.HTML
	Supplements                                           []template.HTML
	Hits                                                  []service.ScreeningHitView
	IssueLabel, ChannelLabel                              string
	Demands, Flags                                        []string
	Reasons                                               []option
	// Pending offers the accept and reject forms.
	Pending bool
}

// reviewComplaint is the full staff view of one complaint.
func (s *site) reviewComplaint(c *gin.Context) { s.reviewPage(c, http.StatusOK, nil, nil) }

func (s *site) reviewPage(c *gin.Context, status int, f *formData, msg *Message) {
	v, f, ok := s.pageComplaint(c, f)
	if !ok {
		return
	}
	d := reviewPage{C: v, Form: f, ChannelLabel: channelLabel(v.Channel),
		Pending: v.Status == string(models.StatusPendingReview)}
	if v.ScreeningHits != nil {
		d.Hits = *v.ScreeningHits
	}
	mark := func(field string, text *string) template.HTML {
		if text == nil {
			return ""
		}
		return highlight(*text, field, d.Hits)
	}
	d.Title, d.ProductName, d.OrderNo = mark("title", v.Title), mark("product_name", v.ProductName), mark("order_no", v.OrderNo)
	d.Description, d.ContactName = mark("description", &v.Description), mark("contact_name", &v.ContactName)
	for i := range v.Supplements {
		d.Supplements = append(d.Supplements, mark("supplements["+strconv.Itoa(i)+"].text", &v.Supplements[i].Text))
	}
	if v.IssueType != nil {
		d.IssueLabel = models.IssueTypeLabels[*v.IssueType]
	}
	for _, dm := range v.Demands {
		d.Demands = append(d.Demands, models.DemandLabels[dm])
	}
	if v.Flags != nil {
		for _, fl := range *v.Flags {
			d.Flags = append(d.Flags, label(flagLabels, fl))
		}
	}
	for _, r := range models.AllRejectionReasons {
		d.Reasons = append(d.Reasons, option{Value: string(r), Label: models.RejectionReasonLabels[r], Selected: f.V("reason") == string(r)})
	}
	p := userPage(c, v.Number+" - 审核队列 - 管理后台 - 电诉宝", d)
	if msg != nil {
		p.Messages = append(p.Messages, *msg)
	}
	s.show(c, status, "console_complaint", p)
}

// acceptComplaint accepts as POST /admin/complaints/{id}/accept does.
func (s *site) acceptComplaint(c *gin.Context) {
	s.review(c, newForm(sessionOf(c).CSRFToken), func(ctx context.Context, p *models.Principal, id string) error {
		_, err := s.svc.Complaints.Accept(ctx, p, id)
		return err
	})
}

// rejectComplaint rejects with a reason and a note for the complainant, as POST
// /admin/complaints/{id}/reject does.
func (s *site) rejectComplaint(c *gin.Context) {
	f := newForm(sessionOf(c).CSRFToken)
	f.Values["reason"], f.Values["note"] = c.PostForm("reason"), c.PostForm("note")
	s.review(c, f, func(ctx context.Context, p *models.Principal, id string) error {
		_, err := s.svc.Complaints.Reject(ctx, p, id, service.RejectRequest{ReasonCode: f.V("reason"), Note: f.V("note")})
		return err
	})
}

// review runs one decision on the complaint: on success back to the queue with a message, on
// a refusal the complaint's page again with the errors (409 for its state, else 422).
func (s *site) review(c *gin.Context, f *formData, run func(ctx context.Context, p *models.Principal, id string) error) {
	id := c.Param("id")
	done := "/console/complaints?done=" + id
	err := run(submit(c, at(done)), sessionOf(c).Principal, id)
	if err == nil {
		c.Redirect(http.StatusSeeOther, done)
		return
	}
	if s.answered(c, f, err) {
		return
	}
	// The form's select is "reason"; the service names the request's field.
	if e := f.Errors["reason_code"]; e != "" {
		f.Errors["reason"] = e
	}
	s.reviewPage(c, refusalStatus(err), f, &Message{Kind: "error", Text: f.Error})
}

// actorLabels name who made a change of the timeline.
var actorLabels = map[string]string{
	string(models.ActorConsumer): "消费者", string(models.ActorMerchant): "商家", string(models.ActorModerator): "审核员",
	string(models.ActorAdmin): "管理员", string(models.ActorPlatform): "平台", string(models.ActorSystem): "系统",
	string(models.RoleLawyer): "律师",
}

// hitFieldLabels name the fields a screening hit may be in.
var hitFieldLabels = map[string]string{"title": "投诉标题", "description": "投诉内容", "product_name": "商品名称",
	"order_no": "订单号", "contact_name": "联系人"}

// hitField is where a hit is, in Chinese: supplements[i].text is the (i+1)th supplement.
func hitField(f string) string {
	if l, ok := hitFieldLabels[f]; ok {
		return l
	}
	var i int
	if _, err := fmt.Sscanf(f, "supplements[%d].text", &i); err == nil {
		return fmt.Sprintf("第 %d 条补充说明", i+1)
	}
	return f
}
