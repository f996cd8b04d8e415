package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// TextScreener finds listed abusive or illegal terms in text.
type TextScreener interface {
	Match(text string) bool
	Hits(text string, max int) []models.ScreeningHit
}

// Complaints runs the complaint lifecycle: filing, review, delivery to platforms, replies,
// supplements, ratings and withdrawal. Every status change goes through the state machine of
// models and is written with its timeline entry, notification and webhook event in one
// transaction.
type Complaints struct {
	st                *store.Store
	clock             Clock
	log               *slog.Logger
	screen            TextScreener
	evidence          *Evidence
	webhooks          *Webhooks
	autoCompleteAfter time.Duration
	// platforms caches platform rows, reachability and enabled endpoints for a second.
	platforms *platformCache
	// numbers is this instance's block of complaint numbers.
	numbersMu sync.Mutex
	numbers   numberBlock
	// awaitingBatch is how many waiting complaints one deliver_awaiting attempt delivers.
	awaitingBatch int
	// limits bound a complaint's supplements and replies.
	limits Limits
}

// CreateComplaintRequest is the body of POST /complaints (consumer channel).
type CreateComplaintRequest struct {
	PlatformID          string   `json:"platform_id"`
	IssueType           string   `json:"issue_type" example:"refund" enums:"refund,quality,false_advertising,unfair_terms,delivery,after_sales,privacy,fraud,other"`
	Title               string   `json:"title" example:"商品未发货且拒绝退款"`
	Description         string   `json:"description" example:"11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝，客服不予回复。"`
	OrderNo             *string  `json:"order_no,omitempty" example:"TB2026112612345"`
	Amount              *string  `json:"amount,omitempty" example:"199.00" format:"money"`
	Demands             []string `json:"demands" example:"refund" enums:"refund,exchange,compensation,apology,other"`
	ContactName         string   `json:"contact_name" example:"张三"`
	ContactPhone        string   `json:"contact_phone" example:"13800138000"`
	EvidenceIDs         []string `json:"evidence_ids" validate:"optional"`
	DeclarationAccepted bool     `json:"declaration_accepted" example:"true"`
	// CampaignID joins the complaint to an open campaign (调查行动) watching its platform.
	CampaignID *string `json:"campaign_id,omitempty" validate:"optional" extensions:"x-nullable"`
}

// SupplementRequest is the body of POST /complaints/{id}/supplements.
type SupplementRequest struct {
	Text        string   `json:"text" example:"补充：商家客服电话一直无人接听，附通话记录截图。"`
	EvidenceIDs []string `json:"evidence_ids" validate:"optional"`
	// Title, Description and ProductName correct the complaint when it is re-submitted after a
	// rejection as abusive_content or missing_information: they replace what the platform will
	// see, and the originals stay in the timeline (complainant and staff only). Title is for
	// consumer complaints only (5–100 characters); Description takes 20–5000 characters.
	Title       *string `json:"title,omitempty" validate:"optional" example:"付款后商家一直不发货" minLength:"5" maxLength:"100"`
	Description *string `json:"description,omitempty" validate:"optional" example:"11月1日购买手机一部，商家至今未发货，申请退款被拒绝。" minLength:"20" maxLength:"5000"`
	// ProductName corrects a refund-only complaint's product name likewise (1–255 characters).
	ProductName *string `json:"product_name,omitempty" validate:"optional" example:"有机草莓 500g" maxLength:"255"`
}

// RatingRequest is the body of POST /complaints/{id}/rating.
type RatingRequest struct {
	Score   int     `json:"score" example:"8" minimum:"1" maximum:"10"`
	Comment *string `json:"comment,omitempty" example:"商家处理及时，已退款。"`
}

// WithdrawRequest is the body of POST /complaints/{id}/withdraw.
type WithdrawRequest struct {
	Reason string `json:"reason" example:"商家已主动退款，问题已解决"`
}

// RejectRequest is the body of POST /admin/complaints/{id}/reject.
type RejectRequest struct {
	ReasonCode string `json:"reason_code" example:"missing_information" enums:"abusive_content,missing_information,out_of_scope,duplicate,other"`
	Note       string `json:"note" example:"请补充订单截图和付款凭证后再次提交。"`
}

// ReplyRequest is the body of POST /platform/complaints/{id}/replies.
type ReplyRequest struct {
	Content     string   `json:"content" example:"您好，已为您办理退款，款项将在1-3个工作日内原路退回。"`
	EvidenceIDs []string `json:"evidence_ids" validate:"optional"`
}

// ComplaintListFilter is the query of a complaint listing.
type ComplaintListFilter struct {
	Status       string
	Channel      string
	PlatformID   string
	Flag         string
	UpdatedSince string
}

// effects are what a change writes besides the complaint's row, gathered in memory while it
// runs and written together at the end of its transaction, and what it leaves to do after
// commit.
type effects struct {
	agg         *aggregate
	timeline    []models.TimelineItem
	supplements []models.Supplement
	replies     []models.Reply
	links       []string
	notes       []models.Notification
	jobs        []models.Job
	outbox      []models.WebhookEvent
}

// queued reports whether the change left work for the queue: jobs of its own, or events whose
// deliveries flush queues.
func (fx *effects) queued() bool { return len(fx.jobs) > 0 || len(fx.outbox) > 0 }

// contentHash is the whitespace-insensitive fingerprint of a complaint's text used by the
// 24-hour duplicate rule.
func contentHash(title, description string) string {
	strip := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
	}
	h := sha256.Sum256([]byte(strip(title) + "\x00" + strip(description)))
	return hex.EncodeToString(h[:])
}

func validateDemands(v *models.Validator, demands []string) {
	if len(demands) == 0 {
		v.Add("demands", "choose at least one of refund, exchange, compensation, apology, other")
		return
	}
	seen := map[string]bool{}
	for _, d := range demands {
		if _, ok := models.DemandLabels[d]; !ok {
			v.Add("demands", "%q is not one of refund, exchange, compensation, apology, other", truncate(d, 32))
			return
		}
		if seen[d] {
			v.Add("demands", "%q is listed twice", d)
			return
		}
		seen[d] = true
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func cleanOptional(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	if t == "" {
		return nil
	}
	return &t
}

// Create files a consumer complaint in pending_review.
func (cs *Complaints) Create(ctx context.Context, p *models.Principal, req CreateComplaintRequest) (*ComplaintView, error) {
	if p.Kind != models.PrincipalPerson || p.Role != models.RoleConsumer {
		return nil, models.ErrForbidden
	}
	var v models.Validator
	if _, ok := models.IssueTypeLabels[req.IssueType]; !ok {
		v.Add("issue_type", "must be one of refund, quality, false_advertising, unfair_terms, delivery, after_sales, privacy, fraud, other")
	}
	v.Text("title", req.Title, 5, 100)
	v.Text("description", req.Description, 20, 5000)
	orderNo := cleanOptional(req.OrderNo)
	if orderNo != nil {
		v.Text("order_no", *orderNo, 1, 255)
		refuseListed(&v, cs.screen, "order_no", *orderNo)
	}
	var amount *int64
	if req.Amount != nil {
		fen, ok := models.ParseMoney(*req.Amount)
		if !ok {
			v.Add("amount", "must be a decimal string from 0.00 to 99999999.99 with at most 2 decimals")
		}
		amount = &fen
	}
	validateDemands(&v, req.Demands)
	v.Text("contact_name", req.ContactName, 1, 255)
	// The order number and the contact name cannot be corrected later: refused, not flagged.
	refuseListed(&v, cs.screen, "contact_name", req.ContactName)
	phone := v.Phone("contact_phone", req.ContactPhone)
	join, err := cs.campaignChoice(ctx, &v, req.CampaignID, req.PlatformID)
	if err != nil {
		return nil, err
	}
	platform, evidence, err := cs.checkFiling(ctx, &v, p, req.PlatformID, req.EvidenceIDs, req.DeclarationAccepted)
	if err != nil {
		return nil, err
	}
	title := strings.TrimSpace(req.Title)
	c := &models.Complaint{
		Channel: models.ChannelConsumer, ComplainantType: models.RoleConsumer, ComplainantID: p.UserID,
		PlatformID: platform.ID, IssueType: &req.IssueType, Title: &title, Description: strings.TrimSpace(req.Description),
		OrderNo: orderNo, AmountFen: amount, Demands: req.Demands, ContactName: strings.TrimSpace(req.ContactName),
		ContactPhone: phone, EvidenceIDs: evidenceIDs(evidence),
	}
	cs.screenAll(c) // flags it for the moderators; it does not reject
	return cs.file(ctx, p, c, evidence, join.around(nil))
}

// checkFiling checks what every channel's filing shares: the declaration, the platform and
// the evidence. It returns the collected validation error, if any.
func (cs *Complaints) checkFiling(ctx context.Context, v *models.Validator, p *models.Principal, platformID string, evidenceIDs []string, declared bool) (*models.Platform, []models.Evidence, error) {
	if !declared {
		v.Add("declaration_accepted", "must be true: you affirm the complaint is true and know that a false or malicious complaint may carry legal liability (恶意投诉需承担法律责任)")
	}
	platform, err := cs.platformForFiling(ctx, v, platformID)
	if err != nil {
		return nil, nil, err
	}
	evidence, err := cs.evidenceOf(ctx, v, p, evidenceIDs)
	if err != nil {
		return nil, nil, err
	}
	return platform, evidence, v.Err()
}

// platformForFiling loads the platform a complaint is filed against; unknown is a field error.
func (cs *Complaints) platformForFiling(ctx context.Context, v *models.Validator, id string) (*models.Platform, error) {
	if id == "" {
		v.Add("platform_id", "is required")
		return nil, nil
	}
	if len(id) > 64 {
		v.Add("platform_id", "is not a known platform")
		return nil, nil
	}
	p, err := cs.platforms.Platform(ctx, id)
	if errors.Is(err, models.ErrNotFound) {
		v.Add("platform_id", "is not a known platform")
		return nil, nil
	}
	return p, err
}

// evidenceOf checks that every id is evidence the caller uploaded and returns the rows;
// problems become field errors.
func (cs *Complaints) evidenceOf(ctx context.Context, v *models.Validator, p *models.Principal, ids []string) ([]models.Evidence, error) {
	if len(ids) == 0 {
		return []models.Evidence{}, nil
	}
	evs, err := cs.evidence.OwnedEvidence(ctx, p, ids)
	if err != nil {
		var de *models.Error
		if errors.As(err, &de) && de.Kind == models.KindValidation {
			for _, f := range de.Fields {
				v.Add(f.Field, "%s", f.Message)
			}
			return nil, nil
		}
		return nil, err
	}
	return evs, nil
}

func evidenceIDs(evs []models.Evidence) []string {
	out := make([]string, len(evs))
	for i := range evs {
		out[i] = evs[i].ID
	}
	return out
}

// file stores a new complaint in pending_review and lets review (for the refund-only channel,
// the system at once) take it from there, in one transaction that first takes the duplicate
// claim (API.md 5.2). The number comes from this instance's reserved block.
func (cs *Complaints) file(ctx context.Context, p *models.Principal, c *models.Complaint, evidence []models.Evidence, review func(tx *store.Store, c *models.Complaint, fx *effects) error) (*ComplaintView, error) {
	t := now(cs.clock)
	number, err := cs.number(ctx, t)
	if err != nil {
		return nil, err
	}
	c.ID, c.Number, c.ContentHash = models.NewID(), number, contentHash(deref(c.Title), c.Description)
	c.CreatedAt, c.UpdatedAt = t, t
	filed := &aggregate{c: c, evidence: map[string]models.Evidence{}}
	filed.cite(evidence)
	var done *effects
	v, err := command(ctx, cs.st, func(tx *store.Store) (*ComplaintView, error) {
		a := filed.clone()
		fx := &effects{agg: a, links: a.c.EvidenceIDs}
		if err := cs.transition(ctx, tx, a.c, models.ActionSubmit, actorOf(p), "", fx); err != nil {
			return nil, err
		}
		if err := cs.takeClaim(ctx, tx, a.c); err != nil {
			return nil, err
		}
		a.claimed = true
		if review != nil {
			if err := review(tx, a.c, fx); err != nil {
				return nil, err
			}
		}
		if err := cs.flush(ctx, tx, fx); err != nil {
			return nil, err
		}
		done = fx
		return cs.presentInMemory(ctx, tx, a.c, a.evidence, AudienceOwner)
	})
	if err != nil {
		return nil, err
	}
	cs.committed(ctx, done)
	return v, nil
}

func actorOf(p *models.Principal) models.Actor {
	if p.Kind == models.PrincipalPlatform {
		return models.ActorPlatform
	}
	return models.ActorForRole(p.Role)
}
