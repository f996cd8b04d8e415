package models

import (
	"fmt"
	"strings"
	"time"
)

// CaseStatus is where a typical case (典型案例) stands.
type CaseStatus string

// The statuses of a case: staff draft it, publish it, and may withdraw it again (unpublish).
const (
	CaseDraft     CaseStatus = "draft"
	CasePublished CaseStatus = "published"
	CaseWithdrawn CaseStatus = "withdrawn"
)

// CaseStatusLabels are the statuses in Chinese.
var CaseStatusLabels = map[CaseStatus]string{CaseDraft: "草稿", CasePublished: "已发布", CaseWithdrawn: "已撤回"}

// CaseStatuses lists the statuses in order.
var CaseStatuses = []CaseStatus{CaseDraft, CasePublished, CaseWithdrawn}

// Label is the status in Chinese.
func (s CaseStatus) Label() string { return CaseStatusLabels[s] }

// Valid reports whether s is a known status.
func (s CaseStatus) Valid() bool { _, ok := CaseStatusLabels[s]; return ok }

// Why a published case was withdrawn: by staff, because the complainant withdrew the consent
// its text needed, because the complainant's account was erased, or because a term added to
// the screening list occurs in its texts or tags.
const (
	UnpublishedByStaff     = "staff"
	UnpublishedNoConsent   = "consent_withdrawn"
	UnpublishedByErasure   = "erased"
	UnpublishedByScreening = "screened"
)

// The texts of a case.
const (
	CaseFieldTitle         = "title"
	CaseFieldSummary       = "summary"
	CaseFieldBody          = "body"
	CaseFieldPlatformReply = "platform_reply"
)

const (
	// maxCaseReplyRunes bounds the platform's replies a draft quotes.
	maxCaseReplyRunes = 10000
	caseDate          = "2006-01-02"
	caseRatingOutOf   = 10
	// caseAutoCompleted is the outcome of a complaint nobody rated.
	caseAutoCompleted = "平台已回复，消费者未在期限内评价，投诉已自动办结。"
)

// UnpublishedReasons are every reason a case was withdrawn for.
var UnpublishedReasons = []string{UnpublishedByStaff, UnpublishedNoConsent, UnpublishedByErasure, UnpublishedByScreening}

// CaseFields are the texts of a case, in the order views list them.
var CaseFields = []string{CaseFieldTitle, CaseFieldSummary, CaseFieldBody, CaseFieldPlatformReply}

// CaseFieldTags names the tags in a case's personal information: they are published as they
// are, beside the texts.
const CaseFieldTags = "tags"

// CaseHitFields are the fields a piece of personal information may stand in: the texts and
// the tags.
var CaseHitFields = append(append([]string{}, CaseFields...), CaseFieldTags)

// Case is a typical case: a completed complaint told to the public, with the complainant's
// personal information scrubbed. Its texts are drafted from the complaint (as the platform
// read it), the platform's replies and the outcome; what the complaint's timeline and outcome
// say is copied when it is drafted (a completed complaint changes no more). idx_cases_public
// (status, published_at, id) serves the public list, newest publication first.
type Case struct {
	ID            string     `gorm:"primaryKey;size:40;index:idx_cases_public,priority:3"`
	ComplaintID   string     `gorm:"size:40;not null;uniqueIndex"`
	PlatformID    string     `gorm:"size:40;not null;index"`
	Sector        Sector     `gorm:"size:32;not null"`
	Tags          []string   `gorm:"serializer:json;type:text"`
	Title         string     `gorm:"size:400;not null"`
	Summary       string     `gorm:"type:text;not null"`
	Body          string     `gorm:"type:text;not null"`
	PlatformReply string     `gorm:"type:text;not null"`
	Status        CaseStatus `gorm:"size:16;not null;index:idx_cases_public,priority:1"`
	// PublishedAt is the latest publication; UnpublishedReason says why a withdrawn case was.
	PublishedAt       *time.Time `gorm:"index:idx_cases_public,priority:2"`
	UnpublishedReason *string    `gorm:"size:32"`
	// Scrubbed is what drafting replaced in each text; a text staff edit loses its entries.
	Scrubbed []CaseHit `gorm:"serializer:json;type:text"`
	// Holds is the personal information the texts and tags held when the case was last
	// written (PersonalInfo with the complainant's values then), for staff lists, which do
	// not run the detector on every case of a page; a case's own view and publishing look
	// again. Nil on a row written before it was kept.
	Holds []CaseHit `gorm:"serializer:json;type:text"`
	// The complaint's outcome and times, as they were when the case was drafted.
	Channel     Channel    `gorm:"size:16;not null"`
	IssueType   *string    `gorm:"size:32"`
	Demands     []string   `gorm:"serializer:json;type:text"`
	RatingScore *int       ``
	FiledAt     time.Time  `gorm:"not null"`
	DeliveredAt *time.Time ``
	RepliedAt   *time.Time ``
	RatedAt     *time.Time ``
	CompletedAt *time.Time ``
	CreatedBy   string     `gorm:"size:40;not null"`
	CreatedAt   time.Time  `gorm:"not null"`
	UpdatedAt   time.Time  `gorm:"autoUpdateTime:false;not null"`
	Version     int        `gorm:"not null"`
}

// TableName keeps the table's name plain.
func (Case) TableName() string { return "cases" }

// CaseHit is a piece of personal information in one of a case's texts: the marker that
// replaced it (or would), and where, in characters of that text. It never holds the value.
type CaseHit struct {
	Field  string    `json:"field"`
	Kind   ScrubKind `json:"kind"`
	Marker string    `json:"marker"`
	Start  int       `json:"start"`
	End    int       `json:"end"`
}

// text is the case's text of a field, for reading and writing.
func (k *Case) text(field string) *string {
	switch field {
	case CaseFieldTitle:
		return &k.Title
	case CaseFieldSummary:
		return &k.Summary
	case CaseFieldBody:
		return &k.Body
	}
	return &k.PlatformReply
}

// Text is the case's text of a field (CaseFields).
func (k *Case) Text(field string) string { return *k.text(field) }

// ScrubTexts scrubs every text of the case and records what it replaced.
func (k *Case) ScrubTexts(known []Known) {
	k.Scrubbed = []CaseHit{}
	for _, f := range CaseFields {
		t := k.text(f)
		var hits []ScrubHit
		*t, hits = Scrub(*t, known)
		for _, h := range hits {
			k.Scrubbed = append(k.Scrubbed, CaseHit{Field: f, Kind: h.Kind, Marker: h.Marker, Start: h.Start, End: h.End})
		}
	}
}

// SetText replaces a text as staff wrote it, kept as entered; the field's scrubbing record
// no longer describes it and goes.
func (k *Case) SetText(field, text string) {
	*k.text(field) = text
	kept := []CaseHit{}
	for _, h := range k.Scrubbed {
		if h.Field != field {
			kept = append(kept, h)
		}
	}
	k.Scrubbed = kept
}

// PersonalInfo lists the personal information the case's texts and tags hold now (a tag's
// positions are in the tag).
func (k *Case) PersonalInfo(known []Known) []CaseHit {
	out := []CaseHit{}
	for _, f := range CaseFields {
		for _, h := range DetectPersonalInfo(*k.text(f), known) {
			out = append(out, CaseHit{Field: f, Kind: h.Kind, Marker: h.Marker, Start: h.Start, End: h.End})
		}
	}
	for _, t := range k.Tags {
		for _, h := range DetectPersonalInfo(t, known) {
			out = append(out, CaseHit{Field: CaseFieldTags, Kind: h.Kind, Marker: h.Marker, Start: h.Start, End: h.End})
		}
	}
	return out
}

// KnownValues are the complainant's values that a case about the complaint must not show
// whatever their form: the contact's name (and a merchant's shop, which names it) and phone,
// the order number, the account's real name, shop and phone.
func KnownValues(c *Complaint, u *User) []Known {
	var out []Known
	name := func(v string) {
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune("（）()", r) }) {
			out = append(out, Known{Kind: ScrubName, Value: part})
		}
	}
	name(c.ContactName)
	out = append(out, Known{Kind: ScrubMobile, Value: c.ContactPhone})
	if c.OrderNo != nil {
		out = append(out, Known{Kind: ScrubOrderNo, Value: *c.OrderNo})
	}
	if u != nil {
		name(u.RealName)
		if u.ShopName != nil {
			name(*u.ShopName)
		}
		if u.Phone != nil {
			out = append(out, Known{Kind: ScrubMobile, Value: *u.Phone})
		}
	}
	return out
}

// CaseInput is what staff give to make a case of a complaint.
type CaseInput struct {
	ID, Title, Summary string
	Sector             Sector
	Tags               []string
	CreatedBy          string
	At                 time.Time
}

// DraftCase drafts a case of a completed complaint loaded with its replies: the complaint as
// the platform read it (its title or product, its description after any correction, what was
// asked), the outcome, and the platform's replies, oldest first, as long as they fit
// maxCaseReplyRunes. Nothing is scrubbed yet (ScrubTexts).
func DraftCase(c *Complaint, d CaseInput) *Case {
	k := &Case{ID: d.ID, ComplaintID: c.ID, PlatformID: c.PlatformID, Sector: d.Sector, Tags: d.Tags,
		Title: strings.TrimSpace(d.Title), Summary: strings.TrimSpace(d.Summary), Status: CaseDraft,
		Channel: c.Channel, IssueType: c.IssueType, Demands: c.Demands, RatingScore: c.RatingScore,
		FiledAt: c.CreatedAt, DeliveredAt: c.DeliveredAt, RepliedAt: c.FirstRepliedAt, RatedAt: c.RatedAt,
		CompletedAt: c.CompletedAt, CreatedBy: d.CreatedBy, CreatedAt: d.At, UpdatedAt: d.At, Version: 1}
	if k.Tags == nil {
		k.Tags = []string{}
	}
	if k.Demands == nil {
		k.Demands = []string{}
	}
	var b strings.Builder
	subject := orEmpty(c.Title)
	if c.Channel == ChannelRefundOnly {
		subject = orEmpty(c.ProductName) + "仅退款纠纷"
	}
	fmt.Fprintf(&b, "【投诉】%s\n%s\n", subject, strings.TrimSpace(c.Description))
	var demands []string
	for _, dm := range c.Demands {
		demands = append(demands, DemandLabels[dm])
	}
	fmt.Fprintf(&b, "【诉求】%s", strings.Join(demands, "、"))
	switch {
	case c.RefundAmountFen != nil:
		fmt.Fprintf(&b, "（退款金额%s元）", FormatMoney(*c.RefundAmountFen))
	case c.AmountFen != nil:
		fmt.Fprintf(&b, "（涉及金额%s元）", FormatMoney(*c.AmountFen))
	}
	b.WriteString("\n【处理结果】")
	if c.RatingScore != nil {
		fmt.Fprintf(&b, "平台已回复，投诉%s。消费者对处理结果评分%d分（满分%d分）", c.Status.Label(), *c.RatingScore, caseRatingOutOf)
		if c.RatingComment != nil && strings.TrimSpace(*c.RatingComment) != "" {
			fmt.Fprintf(&b, "，评价：“%s”", strings.TrimSpace(*c.RatingComment))
		}
		b.WriteString("。")
	} else {
		b.WriteString(caseAutoCompleted)
	}
	k.Body = b.String()
	var replies []string
	used := 0
	for _, r := range c.Replies {
		line := "【" + r.CreatedAt.In(ChinaTime).Format(caseDate) + "】" + strings.TrimSpace(r.Content)
		n := len([]rune(line))
		if used > 0 && used+n > maxCaseReplyRunes {
			break
		}
		replies, used = append(replies, line), used+n
	}
	k.PlatformReply = strings.Join(replies, "\n")
	return k
}

func orEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
