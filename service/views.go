package service

import (
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// The complaint's JSON representation lives here, not in api, because the webhook payload is
// the same platform view the API serves.

// EvidenceView is an uploaded evidence file as complaints, supplements and replies cite it.
type EvidenceView struct {
	ID       string `json:"id" example:"0193a5c2e4f87a01b2c3d4e5f6a7b8c9"`
	Filename string `json:"filename" example:"订单截图.png"`
	// ContentType is sniffed from the bytes, never taken from the name or the client.
	ContentType string `json:"content_type" example:"image/png" enums:"image/jpeg,image/png,image/webp,image/gif,audio/mpeg,audio/x-m4a,audio/wav,video/mp4,video/quicktime,application/pdf"`
	Size        int64  `json:"size" example:"48213"`
	SHA256      string `json:"sha256" example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
}

// NewEvidenceView presents one evidence row.
func NewEvidenceView(e *models.Evidence) EvidenceView {
	return EvidenceView{ID: e.ID, Filename: e.Filename, ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256}
}

// PlatformRef names the platform a complaint is against.
type PlatformRef struct {
	ID   string `json:"id"`
	Name string `json:"name" example:"淘宝"`
	Slug string `json:"slug" example:"taobao"`
}

// SupplementView is a supplement of the complainant.
type SupplementView struct {
	Text      string         `json:"text"`
	Evidence  []EvidenceView `json:"evidence"`
	CreatedAt string         `json:"created_at" format:"date-time"`
}

// ReplyView is a reply of the platform.
type ReplyView struct {
	ID        string         `json:"id"`
	Content   string         `json:"content"`
	Evidence  []EvidenceView `json:"evidence"`
	CreatedAt string         `json:"created_at" format:"date-time"`
}

// RatingView is the complainant's rating of the reply (用户满意度).
type RatingView struct {
	Score     int     `json:"score" example:"8"`
	Comment   *string `json:"comment" extensions:"x-nullable"`
	CreatedAt string  `json:"created_at" format:"date-time"`
}

// RejectionView says why a complaint was not accepted (经审核投诉不予受理).
type RejectionView struct {
	ReasonCode  string `json:"reason_code" example:"missing_information" enums:"abusive_content,missing_information,out_of_scope,duplicate,other"`
	ReasonLabel string `json:"reason_label" example:"投诉信息缺少重要部分"`
	Note        string `json:"note"`
	// Resubmittable is true when a supplement sends the complaint back to review.
	Resubmittable bool `json:"resubmittable"`
}

// TimelineView is one status change.
type TimelineView struct {
	At        string  `json:"at" format:"date-time"`
	From      *string `json:"from" example:"pending_review" extensions:"x-nullable" enums:"pending_review,rejected,awaiting_contact,delivered,replied,completed,withdrawn"`
	To        string  `json:"to" example:"delivered" enums:"pending_review,rejected,awaiting_contact,delivered,replied,completed,withdrawn"`
	ActorType string  `json:"actor_type" example:"moderator" enums:"consumer,merchant,moderator,admin,lawyer,platform,system"`
	Note      string  `json:"note"`
}

// ComplaintView is a complaint as API.md 5.1 shows it. Timeline is in owner and staff views
// only, flags and screening hits in staff views only (omitted elsewhere).
type ComplaintView struct {
	ID              string         `json:"id"`
	Number          string         `json:"number" example:"DSB20261126000123"`
	Channel         string         `json:"channel" example:"consumer" enums:"consumer,refund_only"`
	ComplainantType string         `json:"complainant_type" example:"consumer" enums:"consumer,merchant"`
	Status          string         `json:"status" example:"delivered" enums:"pending_review,rejected,awaiting_contact,delivered,replied,completed,withdrawn"`
	StatusLabel     string         `json:"status_label" example:"已递交"`
	Platform        PlatformRef    `json:"platform"`
	IssueType       *string        `json:"issue_type" example:"refund" extensions:"x-nullable" enums:"refund,quality,false_advertising,unfair_terms,delivery,after_sales,privacy,fraud,other"`
	Title           *string        `json:"title" example:"商品未发货且拒绝退款" extensions:"x-nullable"`
	Description     string         `json:"description"`
	OrderNo         *string        `json:"order_no" example:"TB2026112612345" extensions:"x-nullable"`
	Amount          *string        `json:"amount" example:"199.00" extensions:"x-nullable" format:"money"`
	ProductName     *string        `json:"product_name" extensions:"x-nullable"`
	RefundAmount    *string        `json:"refund_amount" extensions:"x-nullable" format:"money"`
	Demands         []string       `json:"demands" example:"refund" enums:"refund,exchange,compensation,apology,other"`
	ContactName     string         `json:"contact_name" example:"张三"`
	ContactPhone    string         `json:"contact_phone" example:"13800138000"`
	Evidence        []EvidenceView `json:"evidence"`
	// Supplements and Replies are oldest first. The API shows them all; a webhook body only the
	// latest ones (see service.ComplaintEventData), with the totals in the counts below.
	Supplements []SupplementView `json:"supplements"`
	Replies     []ReplyView      `json:"replies"`
	// SupplementCount is how many supplements the complaint has in all, listed or not.
	SupplementCount int `json:"supplement_count" example:"2"`
	// ReplyCount is how many replies the complaint has in all, listed or not.
	ReplyCount int            `json:"reply_count" example:"1"`
	Rating     *RatingView    `json:"rating" extensions:"x-nullable"`
	Rejection  *RejectionView `json:"rejection" extensions:"x-nullable"`
	Flags      *[]string      `json:"flags,omitempty"`
	// ScreeningHits (staff views only) lists where terms of the screening list occur in what
	// the platform reads (title, description, product name, supplements), at most 100.
	ScreeningHits *[]ScreeningHitView `json:"screening_hits,omitempty"`
	// PublishConsentAt (owner and staff views only, and only once given) is when the
	// complainant consented to the complaint's publication as a typical case (典型案例) with
	// their personal information; absent without consent.
	PublishConsentAt *string         `json:"publish_consent_at,omitempty" format:"date-time"`
	Timeline         *[]TimelineView `json:"timeline,omitempty"`
	CreatedAt        string          `json:"created_at" format:"date-time"`
	DeliveredAt      *string         `json:"delivered_at" extensions:"x-nullable" format:"date-time"`
	ReplyDueAt       *string         `json:"reply_due_at" extensions:"x-nullable" format:"date-time"`
	FirstRepliedAt   *string         `json:"first_replied_at" extensions:"x-nullable" format:"date-time"`
	CompletedAt      *string         `json:"completed_at" extensions:"x-nullable" format:"date-time"`
	UpdatedAt        string          `json:"updated_at" format:"date-time"`
	Version          int             `json:"version" example:"3"`
}

// Audience is who a complaint view is for.
type Audience int

// The audiences of complaint views.
const (
	AudienceOwner Audience = iota
	AudienceStaff
	AudiencePlatform
)

// Ts formats a time as RFC 3339 in UTC, the one time format of the API.
func Ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// TsPtr formats an optional time.
func TsPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := Ts(*t)
	return &s
}

func money(fen *int64) *string {
	if fen == nil {
		return nil
	}
	s := models.FormatMoney(*fen)
	return &s
}

// buildView presents a complaint loaded with its children. evidence maps ids to rows.
func buildView(c *models.Complaint, p *models.Platform, evidence map[string]models.Evidence, aud Audience) ComplaintView {
	evs := func(ids []string) []EvidenceView {
		out := make([]EvidenceView, 0, len(ids))
		for _, id := range ids {
			if e, ok := evidence[id]; ok {
				out = append(out, NewEvidenceView(&e))
			}
		}
		return out
	}
	v := ComplaintView{
		ID: c.ID, Number: c.Number, Channel: string(c.Channel), ComplainantType: string(c.ComplainantType),
		Status: string(c.Status), StatusLabel: c.Status.Label(),
		IssueType: c.IssueType, Title: c.Title, Description: c.Description, OrderNo: c.OrderNo,
		Amount: money(c.AmountFen), ProductName: c.ProductName, RefundAmount: money(c.RefundAmountFen),
		Demands: c.Demands, ContactName: c.ContactName, ContactPhone: c.ContactPhone,
		Evidence: evs(c.EvidenceIDs), Supplements: []SupplementView{}, Replies: []ReplyView{},
		SupplementCount: len(c.Supplements), ReplyCount: len(c.Replies),
		CreatedAt: Ts(c.CreatedAt), DeliveredAt: TsPtr(c.DeliveredAt), ReplyDueAt: TsPtr(c.ReplyDueAt()),
		FirstRepliedAt: TsPtr(c.FirstRepliedAt), CompletedAt: TsPtr(c.CompletedAt), UpdatedAt: Ts(c.UpdatedAt),
		Version: c.Version,
	}
	if p != nil {
		v.Platform = PlatformRef{ID: p.ID, Name: p.Name, Slug: p.Slug}
	} else {
		v.Platform = PlatformRef{ID: c.PlatformID}
	}
	if v.Demands == nil {
		v.Demands = []string{}
	}
	for _, s := range c.Supplements {
		v.Supplements = append(v.Supplements, SupplementView{Text: s.Text, Evidence: evs(s.EvidenceIDs), CreatedAt: Ts(s.CreatedAt)})
	}
	for _, r := range c.Replies {
		v.Replies = append(v.Replies, ReplyView{ID: r.ID, Content: r.Content, Evidence: evs(r.EvidenceIDs), CreatedAt: Ts(r.CreatedAt)})
	}
	if c.RatingScore != nil && c.RatedAt != nil {
		v.Rating = &RatingView{Score: *c.RatingScore, Comment: c.RatingComment, CreatedAt: Ts(*c.RatedAt)}
	}
	if c.RejectionReason != nil && c.Status == models.StatusRejected {
		note := ""
		if c.RejectionNote != nil {
			note = *c.RejectionNote
		}
		r := models.RejectionReason(*c.RejectionReason)
		v.Rejection = &RejectionView{ReasonCode: string(r), ReasonLabel: models.RejectionReasonLabels[r], Note: note,
			Resubmittable: r.Resubmittable()}
	}
	if aud == AudienceStaff {
		flags := c.Flags
		if flags == nil {
			flags = []string{}
		}
		v.Flags = &flags
	}
	if aud == AudienceOwner || aud == AudienceStaff {
		v.PublishConsentAt = TsPtr(c.PublishConsentAt)
		tl := make([]TimelineView, 0, len(c.Timeline))
		for _, t := range c.Timeline {
			var from *string
			if t.From != nil {
				f := string(*t.From)
				from = &f
			}
			tl = append(tl, TimelineView{At: Ts(t.At), From: from, To: string(t.To), ActorType: string(t.ActorType), Note: t.Note})
		}
		v.Timeline = &tl
	}
	return v
}

// allEvidenceIDs collects the evidence a complaint cites anywhere.
func allEvidenceIDs(c *models.Complaint) []string {
	ids := append([]string{}, c.EvidenceIDs...)
	for _, s := range c.Supplements {
		ids = append(ids, s.EvidenceIDs...)
	}
	for _, r := range c.Replies {
		ids = append(ids, r.EvidenceIDs...)
	}
	return ids
}
