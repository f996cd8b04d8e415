package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// The refund-only form's text fields, as CreateRefundOnlyRequest names them.
var refundFields = []string{"platform_id", "order_no", "product_name", "refund_amount", "description"}

// refundPage is the merchant's refund-only (仅退款) filing form.
type refundPage struct {
	Form      *formData
	Platforms []option
	Demands   []option
	Chosen    map[string]bool
}

func (s *site) refundPage(c *gin.Context, status int, f *formData, chosen map[string]bool) {
	platforms, err := s.platformOptions(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := refundPage{Form: f, Platforms: platforms, Demands: labelled(models.DemandLabels), Chosen: chosen}
	s.show(c, status, "me_refund", userPage(c, "仅退款投诉 - 电诉宝", d))
}

// refundForm shows the form to a merchant; a consumer is sent to the consumer's form.
func (s *site) refundForm(c *gin.Context) {
	if sessionOf(c).Principal.Role != models.RoleMerchant {
		c.Redirect(http.StatusSeeOther, "/me/complaints/new")
		return
	}
	s.refundPage(c, http.StatusOK, newForm(sessionOf(c).CSRFToken), map[string]bool{"refund": true})
}

// fileRefundOnly stores the attached file as POST /evidence does, then files the complaint as
// POST /refund-only/complaints does: the system reviews it at once, so the merchant sees on the
// next page whether it was delivered or refused for its wording.
func (s *site) fileRefundOnly(c *gin.Context) {
	ws := sessionOf(c)
	if ws.Principal.Role != models.RoleMerchant {
		writeError(c, http.StatusForbidden, "无权提交", "仅退款投诉只能由商家账号提交；消费者请使用“我要投诉”。")
		return
	}
	f, ff := readFiling(c, ws.CSRFToken, refundFields)
	req := service.CreateRefundOnlyRequest{PlatformID: f.Values["platform_id"], OrderNo: f.Values["order_no"],
		ProductName: f.Values["product_name"], RefundAmount: f.Values["refund_amount"], Description: f.Values["description"],
		Demands: ff.demands, EvidenceIDs: []string{}, DeclarationAccepted: ff.declared}
	s.fileWithEvidence(c, f, func(ids []string) (string, error) {
		req.EvidenceIDs = ids
		v, err := s.svc.Complaints.CreateRefundOnly(submit(c, filedAt), ws.Principal, req)
		if err != nil {
			return "", err
		}
		return filedAt(v), nil
	}, func(status int) { s.refundPage(c, status, f, ff.chosen) })
}

// filedAt is the page of a refund-only complaint just filed, which tells whether it was delivered.
func filedAt(result any) string {
	return "/me/complaints/" + result.(*service.ComplaintView).ID + "?filed=1"
}
