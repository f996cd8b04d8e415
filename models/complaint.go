package models

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"
)

// Channel is how a complaint came in.
type Channel string

// The complaint channels.
const (
	ChannelConsumer   Channel = "consumer"
	ChannelRefundOnly Channel = "refund_only"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return c == ChannelConsumer || c == ChannelRefundOnly }

// IssueTypeLabels are the kinds of problem a consumer complains about (API.md 5.2).
var IssueTypeLabels = map[string]string{
	"refund":            "退款问题",
	"quality":           "商品质量",
	"false_advertising": "虚假宣传",
	"unfair_terms":      "霸王条款",
	"delivery":          "发货物流",
	"after_sales":       "售后服务",
	"privacy":           "个人信息泄露",
	"fraud":             "涉嫌诈骗",
	"other":             "其他",
}

// DemandLabels are what a complainant asks for.
var DemandLabels = map[string]string{
	"refund":       "退款",
	"exchange":     "换货",
	"compensation": "赔偿",
	"apology":      "道歉",
	"other":        "其他",
}

// RejectionReason is why a moderator (or screening) refused a complaint.
type RejectionReason string

// The rejection reasons; abusive_content and missing_information may be re-submitted.
const (
	RejectAbusiveContent     RejectionReason = "abusive_content"
	RejectMissingInformation RejectionReason = "missing_information"
	RejectOutOfScope         RejectionReason = "out_of_scope"
	RejectDuplicate          RejectionReason = "duplicate"
	RejectOther              RejectionReason = "other"
)

// AllRejectionReasons are the reasons, in the order a moderator's form offers them.
var AllRejectionReasons = []RejectionReason{RejectAbusiveContent, RejectMissingInformation, RejectOutOfScope,
	RejectDuplicate, RejectOther}

// RejectionReasonLabels are the reasons in the words the complainant reads.
var RejectionReasonLabels = map[RejectionReason]string{
	RejectAbusiveContent:     "投诉内容含有非法或辱骂性词汇",
	RejectMissingInformation: "投诉信息缺少重要部分",
	RejectOutOfScope:         "不属于受理范围",
	RejectDuplicate:          "重复投诉",
	RejectOther:              "其他原因",
}

// Resubmittable reports whether a complaint rejected for r may come back with a supplement.
func (r RejectionReason) Resubmittable() bool {
	return r == RejectAbusiveContent || r == RejectMissingInformation
}

// FlagAbusiveLanguage marks a complaint whose text matched the screening list.
const FlagAbusiveLanguage = "abusive_language"

// ReplyWindow is how long after delivery a reply earns the full timeliness score.
const ReplyWindow = 72 * time.Hour

// Complaint is one complaint against a platform. Money is kept in fen; times in UTC.
// idx_complaints_rating_cover (channel, delivered_at, status, platform_id, first_replied_at,
// reply_seconds, rating_score) covers the rating lists' aggregate: a year over a million
// complaints is an index-only range scan. idx_complaints_platform_id (platform_id, id) serves a
// platform's newest-first list without sorting its complaints. idx_complaints_ranking
// (created_at, platform_id, issue_type, status, channel) covers the complaint rankings'
// aggregate: a range scan of the period's filings that reads the index alone.
// idx_complaints_filed (channel, created_at) serves the periodic reports' count of a period's
// filings.
type Complaint struct {
	ID              string     `gorm:"primaryKey;size:40;index:idx_complaints_platform_id,priority:2"`
	Number          string     `gorm:"size:32;not null;uniqueIndex"`
	Channel         Channel    `gorm:"size:16;not null;index:idx_complaints_queue,priority:2;index:idx_complaints_rating_cover,priority:1;index:idx_complaints_ranking,priority:5;index:idx_complaints_filed,priority:1"`
	ComplainantType Role       `gorm:"size:16;not null"`
	ComplainantID   string     `gorm:"size:40;not null;index:idx_complaints_owner,priority:1"`
	PlatformID      string     `gorm:"size:40;not null;index:idx_complaints_platform,priority:1;index:idx_complaints_rating_cover,priority:4;index:idx_complaints_platform_id,priority:1;index:idx_complaints_ranking,priority:2"`
	Status          Status     `gorm:"size:24;not null;index:idx_complaints_queue,priority:1;index:idx_complaints_rating_cover,priority:3;index:idx_complaints_ranking,priority:4"`
	IssueType       *string    `gorm:"size:32;index:idx_complaints_ranking,priority:3"`
	Title           *string    `gorm:"size:400"`
	Description     string     `gorm:"type:text;not null"`
	OrderNo         *string    `gorm:"size:255;index"`
	AmountFen       *int64     ``
	ProductName     *string    `gorm:"size:1020"`
	RefundAmountFen *int64     ``
	Demands         []string   `gorm:"serializer:json;type:text"`
	ContactName     string     `gorm:"size:2048;not null;serializer:encrypted"`
	ContactPhone    string     `gorm:"size:255;not null;serializer:encrypted"`
	EvidenceIDs     []string   `gorm:"serializer:json;type:text"`
	Flags           []string   `gorm:"serializer:json;type:text"`
	RejectionReason *string    `gorm:"size:32"`
	RejectionNote   *string    `gorm:"type:text"`
	RatingScore     *int       `gorm:"index:idx_complaints_rating_cover,priority:7"`
	RatingComment   *string    `gorm:"type:text"`
	RatedAt         *time.Time ``
	ContentHash     string     `gorm:"size:64;not null;index"`
	CreatedAt       time.Time  `gorm:"not null;index:idx_complaints_ranking,priority:1;index:idx_complaints_filed,priority:2"`
	// AcceptedAt is when review let the complaint through (to awaiting_contact or delivered):
	// an unrated platform's rating line counts its complaints by it (API.md 7.7).
	AcceptedAt     *time.Time `gorm:"index:idx_complaints_accepted"`
	DeliveredAt    *time.Time `gorm:"index:idx_complaints_rating_cover,priority:2"`
	FirstRepliedAt *time.Time `gorm:"index:idx_complaints_rating_cover,priority:5"`
	// ReplySeconds is first_replied_at − delivered_at, kept so that the rating lists bucket
	// reply times with the same portable SQL on every database.
	ReplySeconds *int64     `gorm:"index:idx_complaints_rating_cover,priority:6"`
	CompletedAt  *time.Time ``
	// PublishConsentAt is when the complainant consented to the complaint's publication as a
	// typical case (典型案例) with their personal information; nil: no consent, or withdrawn.
	PublishConsentAt *time.Time     ``
	UpdatedAt        time.Time      `gorm:"autoUpdateTime:false;not null;index:idx_complaints_platform,priority:2"`
	Version          int            `gorm:"not null"`
	Supplements      []Supplement   `gorm:"foreignKey:ComplaintID"`
	Replies          []Reply        `gorm:"foreignKey:ComplaintID"`
	Timeline         []TimelineItem `gorm:"foreignKey:ComplaintID"`
}

// ReplyDueAt is the last moment for a reply with the full timeliness score.
func (c *Complaint) ReplyDueAt() *time.Time {
	if c.DeliveredAt == nil {
		return nil
	}
	t := c.DeliveredAt.Add(ReplyWindow)
	return &t
}

// Resubmittable reports whether a rejected complaint may come back with a supplement.
func (c *Complaint) Resubmittable() bool {
	return c.Status == StatusRejected && c.RejectionReason != nil && RejectionReason(*c.RejectionReason).Resubmittable()
}

// Final reports whether nothing more can happen to the complaint.
func (c *Complaint) Final() bool {
	return c.Status == StatusCompleted || c.Status == StatusWithdrawn || (c.Status == StatusRejected && !c.Resubmittable())
}

// HasFlag reports whether the complaint carries the flag.
func (c *Complaint) HasFlag(flag string) bool { return slices.Contains(c.Flags, flag) }

// Supplement is more text and evidence the complainant added later.
type Supplement struct {
	ID          string    `gorm:"primaryKey;size:40"`
	ComplaintID string    `gorm:"size:40;not null;index"`
	Text        string    `gorm:"type:text;not null"`
	EvidenceIDs []string  `gorm:"serializer:json;type:text"`
	CreatedAt   time.Time `gorm:"not null"`
}

// Reply is the platform's answer to a complaint.
type Reply struct {
	ID          string    `gorm:"primaryKey;size:40"`
	ComplaintID string    `gorm:"size:40;not null;index"`
	PlatformID  string    `gorm:"size:40;not null"`
	Content     string    `gorm:"type:text;not null"`
	EvidenceIDs []string  `gorm:"serializer:json;type:text"`
	CreatedAt   time.Time `gorm:"not null"`
}

// TimelineItem is one status change of a complaint.
type TimelineItem struct {
	ID          string    `gorm:"primaryKey;size:40"`
	ComplaintID string    `gorm:"size:40;not null;index"`
	At          time.Time `gorm:"not null"`
	From        *Status   `gorm:"column:from_status;size:24"`
	To          Status    `gorm:"column:to_status;size:24;not null"`
	ActorType   Actor     `gorm:"size:16;not null"`
	Note        string    `gorm:"type:text;not null"`
}

// TableName keeps the table's name plain.
func (TimelineItem) TableName() string { return "complaint_timeline" }

// DuplicateWindow is how long a complaint without an order number blocks the same text.
const DuplicateWindow = 24 * time.Hour

// ComplaintClaim holds a duplicate key of API.md 5.2 for the complaint that took it: one
// complainant, one platform, and one order number (while the complaint is open) or one text
// (for DuplicateWindow). A filing inserts its key, so concurrent duplicates meet on the primary
// key instead of on a lock of the complainant.
type ComplaintClaim struct {
	Key         string `gorm:"column:dedupe_key;primaryKey;size:64"`
	ComplaintID string `gorm:"size:40;not null"`
	// ExpiresAt is nil for an order claim, which lasts while the complaint is open.
	// ExpiresAt is indexed for retention, which deletes claims long lapsed.
	ExpiresAt *time.Time `gorm:"index"`
}

// DuplicateClaim is the claim the complaint holds in its current status: its key, when the
// claim lapses (nil: while held), and whether it holds it at all. An order number is held
// until the complaint is completed, withdrawn or rejected; a text without an order number for
// DuplicateWindow after filing, unless withdrawn.
func (c *Complaint) DuplicateClaim() (key string, expires *time.Time, held bool) {
	h := sha256.New()
	if c.OrderNo != nil {
		h.Write([]byte("order\x00" + c.ComplainantID + "\x00" + c.PlatformID + "\x00" + *c.OrderNo))
		held = c.Status != StatusCompleted && c.Status != StatusWithdrawn && c.Status != StatusRejected
	} else {
		h.Write([]byte("text\x00" + c.ComplainantID + "\x00" + c.PlatformID + "\x00" + c.ContentHash))
		t := c.CreatedAt.Add(DuplicateWindow)
		expires, held = &t, c.Status != StatusWithdrawn
	}
	return hex.EncodeToString(h.Sum(nil)), expires, held
}

// ComplaintSequence is the day's highest complaint number handed out; instances reserve
// blocks of numbers from it.
type ComplaintSequence struct {
	Day  string `gorm:"primaryKey;size:8"`
	Last int64  `gorm:"not null"`
}

// Notification is a text message to a complainant, written with the change that causes it and
// sent after commit.
type Notification struct {
	ID          string `gorm:"primaryKey;size:40"`
	ComplaintID string `gorm:"size:40;not null;index"`
	Phone       string `gorm:"size:255;not null;serializer:encrypted"`
	// PhoneHash is the keyed hash of Phone that the admin listing's ?phone= filter matches.
	PhoneHash string `gorm:"size:64;not null;default:'';index"`
	Kind      string `gorm:"size:32;not null"`
	Text      string `gorm:"type:text;not null"`
	// Params are the message as a provider's registered template takes it (service's
	// smsTemplates give their order per kind); rows written before templates have none.
	Params    []string   `gorm:"serializer:json;type:text"`
	Status    string     `gorm:"size:16;not null;index"`
	Attempts  int        `gorm:"not null"`
	LastError *string    `gorm:"type:text"`
	CreatedAt time.Time  `gorm:"not null;index"`
	SentAt    *time.Time ``
}

// Notification kinds and statuses.
const (
	NotifyRejected  = "rejected"
	NotifyDelivered = "delivered"
	NotifyReplied   = "replied"

	NotificationPending = "pending"
	// NotificationSent is a message a provider accepted; NotificationLogged one that the
	// logging provider (the default) only wrote to the log, so nobody received it.
	NotificationSent   = "sent"
	NotificationLogged = "logged"
	NotificationFailed = "failed"
)

// NotificationStatuses are every status a notification can have.
var NotificationStatuses = []string{NotificationPending, NotificationSent, NotificationLogged, NotificationFailed}

// WebhookEvent is an event for a platform, written to this outbox in the same transaction as
// the complaint change that causes it; the webhook dispatcher delivers it.
type WebhookEvent struct {
	ID         string `gorm:"primaryKey;size:40"`
	PlatformID string `gorm:"size:40;not null;index"`
	// ComplaintID is the complaint the event is about (empty for webhook.test and for events
	// written before the column existed).
	ComplaintID string `gorm:"size:40;not null;default:'';index"`
	Type        string `gorm:"size:40;not null"`
	// Payload carries the complainant's contact name and phone: sealed at rest like them.
	Payload []byte `gorm:"type:bytes;not null;serializer:encrypted"`
	// PayloadEmptied marks an event whose payload retention replaced by EmptiedPayload: the
	// row stays (id, type, platform, time) but cannot be delivered again. Retention reads
	// idx_events_retention (payload_emptied, created_at) for the events it has yet to empty.
	PayloadEmptied bool      `gorm:"not null;default:false;index:idx_events_retention,priority:1"`
	CreatedAt      time.Time `gorm:"not null;index:idx_events_retention,priority:2"`
}

// EmptiedPayload is what an event's payload becomes when retention empties it.
var EmptiedPayload = []byte("{}")

// The webhook event types of API.md section 6.
const (
	EventComplaintDelivered    = "complaint.delivered"
	EventComplaintSupplemented = "complaint.supplemented"
	EventComplaintRated        = "complaint.rated"
	EventComplaintWithdrawn    = "complaint.withdrawn"
	EventComplaintCompleted    = "complaint.completed"
	EventWebhookTest           = "webhook.test"
)
