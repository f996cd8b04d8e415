package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// CreateRefundOnlyRequest is the body of POST /refund-only/complaints: a merchant's complaint
// against a platform's refund-only (仅退款) decision.
type CreateRefundOnlyRequest struct {
	PlatformID          string   `json:"platform_id"`
	OrderNo             string   `json:"order_no" example:"PDD20261120998877"`
	ProductName         string   `json:"product_name" example:"有机草莓 500g"`
	RefundAmount        string   `json:"refund_amount" example:"59.90" format:"money"`
	Description         string   `json:"description" example:"买家签收后以“坏果”为由申请仅退款，未提供任何照片，平台直接同意退款，商品未退回。"`
	Demands             []string `json:"demands" example:"refund" enums:"refund,exchange,compensation,apology,other"`
	EvidenceIDs         []string `json:"evidence_ids" validate:"optional"`
	DeclarationAccepted bool     `json:"declaration_accepted" example:"true"`
	// CampaignID joins the complaint to an open campaign (调查行动) watching its platform.
	CampaignID *string `json:"campaign_id,omitempty" validate:"optional" extensions:"x-nullable"`
}

// CreateRefundOnly files a merchant's refund-only complaint and reviews it at once (平台即时受理):
// screening alone decides. Clean text is delivered to the platform (or waits for it to become
// reachable) in the same transaction; a screening hit is rejected as abusive_content, which
// the merchant may correct with a supplement.
func (cs *Complaints) CreateRefundOnly(ctx context.Context, p *models.Principal, req CreateRefundOnlyRequest) (*ComplaintView, error) {
	if p.Kind != models.PrincipalPerson || p.Role != models.RoleMerchant {
		return nil, models.ErrForbidden
	}
	var v models.Validator
	orderNo := strings.TrimSpace(req.OrderNo)
	v.Text("order_no", orderNo, 1, 255)
	refuseListed(&v, cs.screen, "order_no", orderNo)
	v.Text("product_name", req.ProductName, 1, 255)
	refund, ok := models.ParseMoney(req.RefundAmount)
	if !ok {
		v.Add("refund_amount", "must be a decimal string from 0.00 to 99999999.99 with at most 2 decimals")
	}
	v.Text("description", req.Description, 20, 5000)
	validateDemands(&v, req.Demands)
	join, err := cs.campaignChoice(ctx, &v, req.CampaignID, req.PlatformID)
	if err != nil {
		return nil, err
	}
	platform, evidence, err := cs.checkFiling(ctx, &v, p, req.PlatformID, req.EvidenceIDs, req.DeclarationAccepted)
	if err != nil {
		return nil, err
	}
	merchant, err := cs.st.UserByID(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	contact := merchant.RealName
	if merchant.ShopName != nil {
		contact += "（" + *merchant.ShopName + "）"
	}
	// Screened at registration; an account registered before is refused here rather than
	// rejected later, since the complaint could not correct it.
	if hits := cs.screen.Hits(contact, 1); len(hits) > 0 {
		return nil, models.Invalid("contact_name", fmt.Sprintf("is your account's real_name and shop_name, which contain %q, a term of the screening list: ask support to correct them", hits[0].Term))
	}
	product := strings.TrimSpace(req.ProductName)
	c := &models.Complaint{
		Channel: models.ChannelRefundOnly, ComplainantType: models.RoleMerchant, ComplainantID: p.UserID,
		PlatformID: platform.ID, Description: strings.TrimSpace(req.Description), OrderNo: &orderNo,
		ProductName: &product, RefundAmountFen: &refund, Demands: req.Demands, ContactName: contact,
		ContactPhone: deref(merchant.Phone), EvidenceIDs: evidenceIDs(evidence),
	}
	return cs.file(ctx, p, c, evidence, join.around(func(tx *store.Store, c *models.Complaint, fx *effects) error {
		return cs.autoReview(ctx, tx, c, fx)
	}))
}
