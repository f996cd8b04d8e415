package service

import (
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// CaseView is a published typical case as the public reads it. Nothing in it leads to the
// complainant: no complaint id or number, no contact, order number or account.
type CaseView struct {
	ID      string `json:"id"`
	Title   string `json:"title" example:"付款后商家拒不发货，平台督促后全额退款"`
	Summary string `json:"summary"`
	// Body tells the complaint as the platform read it, what was asked and the outcome.
	Body string `json:"body" example:"【投诉】付款后商家一直不发货\n11月1日在该平台购买手机一部……\n【诉求】退款（涉及金额1999.00元）\n【处理结果】平台已回复，投诉已完成。消费者对处理结果评分9分（满分10分）。"`
	// PlatformReply holds the platform's replies, oldest first, each after its date.
	PlatformReply string          `json:"platform_reply" example:"【2026-11-27】您好，已为您办理退款，款项将在1-3个工作日内原路退回。"`
	Platform      PlatformRef     `json:"platform"`
	Sector        string          `json:"sector" example:"digital_retail" enums:"digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics"`
	SectorLabel   string          `json:"sector_label" example:"数字零售"`
	Tags          []string        `json:"tags" example:"退款"`
	Outcome       CaseOutcomeView `json:"outcome"`
	// Timeline is the complaint's course in outline, oldest first, by day (China time).
	Timeline    []CaseEventView `json:"timeline"`
	PublishedAt *string         `json:"published_at" extensions:"x-nullable" format:"date-time"`
	UpdatedAt   string          `json:"updated_at" format:"date-time"`
}

// CaseOutcomeView is how the complaint ended.
type CaseOutcomeView struct {
	Status      string `json:"status" example:"completed" enums:"pending_review,rejected,awaiting_contact,delivered,replied,completed,withdrawn"`
	StatusLabel string `json:"status_label" example:"已完成"`
	// Rating is the complainant's score of the reply (1–10); null when nobody rated it and the
	// complaint was completed automatically.
	Rating         *int     `json:"rating" extensions:"x-nullable" example:"9" minimum:"1" maximum:"10"`
	Channel        string   `json:"channel" example:"consumer" enums:"consumer,refund_only"`
	IssueType      *string  `json:"issue_type" extensions:"x-nullable" example:"delivery" enums:"refund,quality,false_advertising,unfair_terms,delivery,after_sales,privacy,fraud,other"`
	IssueTypeLabel *string  `json:"issue_type_label" extensions:"x-nullable" example:"发货物流"`
	Demands        []string `json:"demands" example:"refund" enums:"refund,exchange,compensation,apology,other"`
}

// CaseEventView is one step of a case's timeline.
type CaseEventView struct {
	Event string `json:"event" example:"delivered" enums:"filed,delivered,replied,rated,completed"`
	Label string `json:"label" example:"递交平台"`
	Date  string `json:"date" example:"2026-11-26" format:"date"`
}

// CaseHitView is a piece of personal information in a case's text or tags: its kind, the
// marker that replaced it (or would replace it) and where, in characters of the field (of the
// tag, for a tag). It never holds the value itself. A possible_name is a word that may be a
// name: drafting leaves it, but it needs the complainant's consent as any other.
type CaseHitView struct {
	Field  string `json:"field" example:"body" enums:"title,summary,body,platform_reply,tags"`
	Kind   string `json:"kind" example:"mobile" enums:"name,mobile,landline,id_card,bank_card,email,order_no,address,possible_name"`
	Marker string `json:"marker" example:"138****5678"`
	Start  int    `json:"start" example:"12"`
	End    int    `json:"end" example:"23"`
}

// AdminCaseView is a case as staff review it: the public view with its status, its
// complaint, what drafting scrubbed and what personal information the texts hold now.
type AdminCaseView struct {
	CaseView
	Status      string `json:"status" example:"draft" enums:"draft,published,withdrawn"`
	StatusLabel string `json:"status_label" example:"草稿"`
	// UnpublishedReason says why a withdrawn case was: staff, the complainant's consent
	// withdrawn (its text needed it), the complainant's erasure, or a term added to the
	// screening list that its texts or tags hold (screened).
	UnpublishedReason *string `json:"unpublished_reason" extensions:"x-nullable" enums:"staff,consent_withdrawn,erased,screened"`
	ComplaintID       string  `json:"complaint_id"`
	ComplaintNumber   string  `json:"complaint_number" example:"DSB20261126000123"`
	// PublishConsentAt is when the complainant consented to the publication of their personal
	// information in the case; null without consent.
	PublishConsentAt *string `json:"publish_consent_at" extensions:"x-nullable" format:"date-time"`
	// Scrubbed is what drafting replaced (positions in the drafted text); a text staff edited
	// loses its entries.
	Scrubbed []CaseHitView `json:"scrubbed"`
	// PersonalInformation is what the texts hold now, positions in the current text.
	PersonalInformation []CaseHitView `json:"personal_information"`
	// Publishable: publishing would be accepted now (no personal information, or consent; and
	// no term of the screening list in the texts or tags).
	Publishable bool   `json:"publishable"`
	CreatedBy   string `json:"created_by"`
	CreatedAt   string `json:"created_at" format:"date-time"`
	Version     int    `json:"version" example:"1"`
}

// The steps of a case's timeline with their labels.
var caseEventLabels = map[string]string{"filed": "投诉提交", "delivered": "递交平台", "replied": "平台回复",
	"rated": "用户评价", "completed": "投诉办结"}

// CaseEvents are the steps of a case's timeline, in order.
var CaseEvents = []string{"filed", "delivered", "replied", "rated", "completed"}

// caseView presents a case to the public; p may be nil (a platform that is gone).
func caseView(k *models.Case, p *models.Platform) CaseView {
	v := CaseView{ID: k.ID, Title: k.Title, Summary: k.Summary, Body: k.Body, PlatformReply: k.PlatformReply,
		Platform: PlatformRef{ID: k.PlatformID}, Sector: string(k.Sector), SectorLabel: models.SectorLabels[k.Sector],
		Tags: k.Tags, PublishedAt: TsPtr(k.PublishedAt), UpdatedAt: Ts(k.UpdatedAt), Timeline: []CaseEventView{},
		Outcome: CaseOutcomeView{Status: string(models.StatusCompleted), StatusLabel: models.StatusCompleted.Label(),
			Rating: k.RatingScore, Channel: string(k.Channel), IssueType: k.IssueType, Demands: k.Demands}}
	if p != nil {
		v.Platform = PlatformRef{ID: p.ID, Name: p.Name, Slug: p.Slug}
	}
	if v.Tags == nil {
		v.Tags = []string{}
	}
	if v.Outcome.Demands == nil {
		v.Outcome.Demands = []string{}
	}
	if k.IssueType != nil {
		label := models.IssueTypeLabels[*k.IssueType]
		v.Outcome.IssueTypeLabel = &label
	}
	filed := k.FiledAt
	for _, e := range []struct {
		event string
		at    *time.Time
	}{{"filed", &filed}, {"delivered", k.DeliveredAt}, {"replied", k.RepliedAt}, {"rated", k.RatedAt}, {"completed", k.CompletedAt}} {
		if e.at != nil {
			v.Timeline = append(v.Timeline, CaseEventView{Event: e.event, Label: caseEventLabels[e.event],
				Date: e.at.In(models.ChinaTime).Format(time.DateOnly)})
		}
	}
	return v
}

// adminCaseView presents a case to staff with its complaint and complainant (u may be nil),
// its personal information found again.
func (cs *Cases) adminCaseView(k *models.Case, c *models.Complaint, u *models.User, p *models.Platform) AdminCaseView {
	return cs.adminCaseViewHolding(k, c, p, k.PersonalInfo(models.KnownValues(c, u)))
}

// adminCaseViewHolding presents a case to staff with the personal information pii its texts
// hold; it is publishable when publishing would be accepted now, screening included.
func (cs *Cases) adminCaseViewHolding(k *models.Case, c *models.Complaint, p *models.Platform, pii []models.CaseHit) AdminCaseView {
	v := AdminCaseView{CaseView: caseView(k, p), Status: string(k.Status), StatusLabel: k.Status.Label(),
		UnpublishedReason: k.UnpublishedReason, ComplaintID: k.ComplaintID, ComplaintNumber: c.Number,
		PublishConsentAt: TsPtr(c.PublishConsentAt), Scrubbed: caseHitViews(k.Scrubbed),
		PersonalInformation: caseHitViews(pii),
		Publishable:         !c.Erased() && (len(pii) == 0 || c.PublishConsentAt != nil) && cs.screenCase(k) == nil,
		CreatedBy:           k.CreatedBy, CreatedAt: Ts(k.CreatedAt), Version: k.Version}
	return v
}

func caseHitViews(hits []models.CaseHit) []CaseHitView {
	out := make([]CaseHitView, len(hits))
	for i, h := range hits {
		out[i] = CaseHitView{Field: h.Field, Kind: string(h.Kind), Marker: h.Marker, Start: h.Start, End: h.End}
	}
	return out
}
