package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// TextScreener finds listed abusive or illegal terms in text.
type TextScreener interface {
	Match(text string) bool
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
	notifications     *Notifications
	webhooks          *Webhooks
	autoCompleteAfter time.Duration
}

// CreateComplaintRequest is the body of POST /complaints (consumer channel).
type CreateComplaintRequest struct {
	PlatformID          string   `json:"platform_id"`
	IssueType           string   `json:"issue_type" example:"refund" enums:"refund,quality,false_advertising,unfair_terms,delivery,after_sales,privacy,fraud,other"`
	Title               string   `json:"title" example:"商品未发货且拒绝退款"`
	Description         string   `json:"description" example:"11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝，客服不予回复。"`
	OrderNo             *string  `json:"order_no,omitempty" example:"TB2026112612345"`
	Amount              *string  `json:"amount,omitempty" example:"199.00"`
	Demands             []string `json:"demands" example:"refund"`
	ContactName         string   `json:"contact_name" example:"张三"`
	ContactPhone        string   `json:"contact_phone" example:"13800138000"`
	EvidenceIDs         []string `json:"evidence_ids"`
	DeclarationAccepted bool     `json:"declaration_accepted" example:"true"`
}

// SupplementRequest is the body of POST /complaints/{id}/supplements.
type SupplementRequest struct {
	Text        string   `json:"text" example:"补充：商家客服电话一直无人接听，附通话记录截图。"`
	EvidenceIDs []string `json:"evidence_ids"`
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
	EvidenceIDs []string `json:"evidence_ids"`
}

// ComplaintListFilter is the query of a complaint listing.
type ComplaintListFilter struct {
	Status       string
	Channel      string
	PlatformID   string
	Flag         string
	UpdatedSince string
}

// effects are what a committed change must still do outside the transaction.
type effects struct {
	notifications []string
	events        []string
}

func (fx *effects) empty() bool { return len(fx.notifications) == 0 && len(fx.events) == 0 }

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
	phone := v.Phone("contact_phone", req.ContactPhone)
	platform, evidence, err := cs.checkFiling(ctx, &v, p, req.PlatformID, req.EvidenceIDs, req.DeclarationAccepted)
	if err != nil {
		return nil, err
	}
	title := strings.TrimSpace(req.Title)
	c := &models.Complaint{
		Channel: models.ChannelConsumer, ComplainantType: models.RoleConsumer, ComplainantID: p.UserID,
		PlatformID: platform.ID, IssueType: &req.IssueType, Title: &title, Description: strings.TrimSpace(req.Description),
		OrderNo: orderNo, AmountFen: amount, Demands: req.Demands, ContactName: strings.TrimSpace(req.ContactName),
		ContactPhone: phone, EvidenceIDs: evidence,
	}
	if cs.screen.Match(req.Title + "\n" + req.Description) {
		c.Flags = []string{models.FlagAbusiveLanguage}
	}
	return cs.file(ctx, p, c, nil)
}

// checkFiling checks what every channel's filing shares: the declaration, the platform and
// the evidence. It returns the collected validation error, if any.
func (cs *Complaints) checkFiling(ctx context.Context, v *models.Validator, p *models.Principal, platformID string, evidenceIDs []string, declared bool) (*models.Platform, []string, error) {
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
	p, err := cs.st.PlatformByID(ctx, id)
	if errors.Is(err, models.ErrNotFound) {
		v.Add("platform_id", "is not a known platform")
		return nil, nil
	}
	return p, err
}

// evidenceOf checks that every id is evidence the caller uploaded; problems become field errors.
func (cs *Complaints) evidenceOf(ctx context.Context, v *models.Validator, p *models.Principal, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return []string{}, nil
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
	out := make([]string, len(evs))
	for i := range evs {
		out[i] = evs[i].ID
	}
	return out, nil
}

// file stores a new complaint in pending_review, after the duplicate rule, and lets review
// (for the refund-only channel, the system at once) take it from there.
func (cs *Complaints) file(ctx context.Context, p *models.Principal, c *models.Complaint, review func(tx *store.Store, c *models.Complaint, fx *effects) error) (*ComplaintView, error) {
	// The number is taken in a short transaction of its own, so that filings do not queue on
	// the day's counter for the whole of their transaction; a filing refused later leaves a gap.
	t := now(cs.clock)
	day := t.In(models.ChinaTime).Format("20060102")
	var seq int64
	if err := cs.st.Tx(ctx, func(tx *store.Store) error {
		var err error
		seq, err = tx.NextComplaintNumber(ctx, day)
		return err
	}); err != nil {
		return nil, err
	}
	fx := &effects{}
	orig := *c
	err := cs.st.Tx(ctx, func(tx *store.Store) error {
		// A retried transaction starts over, from the complaint as it was asked for.
		*fx, *c = effects{}, orig
		if err := tx.LockUser(ctx, p.UserID); err != nil {
			return err
		}
		if err := cs.checkDuplicate(ctx, tx, c, t); err != nil {
			return err
		}
		title := ""
		if c.Title != nil {
			title = *c.Title
		}
		c.ID = models.NewID()
		c.Number = fmt.Sprintf("DSB%s%06d", day, seq)
		c.ContentHash = contentHash(title, c.Description)
		c.CreatedAt, c.UpdatedAt = t, t
		if err := cs.transition(ctx, tx, c, models.ActionSubmit, actorOf(p), "", fx); err != nil {
			return err
		}
		if err := tx.LinkEvidence(ctx, c.ID, c.EvidenceIDs); err != nil {
			return err
		}
		if review != nil {
			return review(tx, c, fx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	cs.committed(ctx, fx)
	return cs.View(ctx, c.ID, AudienceOwner)
}

func (cs *Complaints) checkDuplicate(ctx context.Context, tx *store.Store, c *models.Complaint, t time.Time) error {
	var (
		dup *models.Complaint
		err error
	)
	if c.OrderNo != nil {
		dup, err = tx.ActiveComplaintByOrder(ctx, c.ComplainantID, c.PlatformID, *c.OrderNo)
	} else {
		title := ""
		if c.Title != nil {
			title = *c.Title
		}
		dup, err = tx.RecentComplaintByContent(ctx, c.ComplainantID, c.PlatformID, contentHash(title, c.Description), t.Add(-24*time.Hour))
	}
	switch {
	case errors.Is(err, models.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	return &models.Error{Kind: models.KindConflict, Code: "duplicate_complaint",
		Detail: "you already have an open complaint about this against the same platform (请不要重复递交投诉); add a supplement to it instead",
		Extra:  map[string]any{"existing_id": dup.ID}}
}

func actorOf(p *models.Principal) models.Actor {
	if p.Kind == models.PrincipalPlatform {
		return models.ActorPlatform
	}
	return models.ActorForRole(p.Role)
}

// transition moves c by action, appends the timeline entry and writes what the new status
// causes: the notification to the complainant and the platform's webhook event.
func (cs *Complaints) transition(ctx context.Context, tx *store.Store, c *models.Complaint, action models.Action, actor models.Actor, note string, fx *effects) error {
	to, err := models.Transition(c.Status, action, actor)
	if err != nil {
		return err
	}
	t := now(cs.clock)
	var from *models.Status
	if c.Status != "" {
		f := c.Status
		from = &f
	}
	c.Status = to
	c.UpdatedAt = t
	c.Version++
	switch to {
	case models.StatusDelivered:
		c.DeliveredAt = &t
	case models.StatusReplied:
		c.FirstRepliedAt = &t
		if c.DeliveredAt != nil {
			secs := int64(t.Sub(*c.DeliveredAt) / time.Second)
			c.ReplySeconds = &secs
		}
	case models.StatusCompleted:
		c.CompletedAt = &t
	case models.StatusPendingReview:
		c.RejectionReason, c.RejectionNote = nil, nil
	}
	if action == models.ActionSubmit {
		if err := tx.CreateComplaint(ctx, c); err != nil {
			return err
		}
	} else if err := tx.SaveComplaint(ctx, c); err != nil {
		return err
	}
	if err := tx.AddTimeline(ctx, &models.TimelineItem{ID: models.NewID(), ComplaintID: c.ID, At: t, From: from, To: to,
		ActorType: actor, Note: note}); err != nil {
		return err
	}
	switch to {
	case models.StatusDelivered:
		if err := cs.notify(ctx, tx, c, models.NotifyDelivered, fx); err != nil {
			return err
		}
		return cs.emit(ctx, tx, c, fx, models.EventComplaintDelivered)
	case models.StatusReplied:
		return cs.notify(ctx, tx, c, models.NotifyReplied, fx)
	case models.StatusRejected:
		return cs.notify(ctx, tx, c, models.NotifyRejected, fx)
	case models.StatusCompleted:
		if action == models.ActionRate {
			return cs.emit(ctx, tx, c, fx, models.EventComplaintRated, models.EventComplaintCompleted)
		}
		return cs.emit(ctx, tx, c, fx, models.EventComplaintCompleted)
	case models.StatusWithdrawn:
		if c.DeliveredAt != nil {
			return cs.emit(ctx, tx, c, fx, models.EventComplaintWithdrawn)
		}
	}
	return nil
}

// touch records a change that is not a transition (a supplement, a later reply).
func (cs *Complaints) touch(ctx context.Context, tx *store.Store, c *models.Complaint) error {
	c.UpdatedAt = now(cs.clock)
	c.Version++
	return tx.SaveComplaint(ctx, c)
}

// notify writes the complainant's text message; it is sent after commit.
func (cs *Complaints) notify(ctx context.Context, tx *store.Store, c *models.Complaint, kind string, fx *effects) error {
	p, err := tx.PlatformByID(ctx, c.PlatformID)
	if err != nil {
		return err
	}
	var text string
	switch kind {
	case models.NotifyDelivered:
		text = fmt.Sprintf("【电诉宝】您的投诉（编号%s）已递交至%s，请耐心等待商家与您联系和回复。", c.Number, p.Name)
	case models.NotifyReplied:
		text = fmt.Sprintf("【电诉宝】%s已回复您的投诉（编号%s），请登录电诉宝查看处理进度并进行评价。", p.Name, c.Number)
	case models.NotifyRejected:
		reason := models.RejectionReason(deref(c.RejectionReason))
		text = fmt.Sprintf("【电诉宝】您的投诉（编号%s）经审核不予受理，原因：%s。", c.Number, models.RejectionReasonLabels[reason])
		if note := deref(c.RejectionNote); note != "" {
			text += "说明：" + note
		}
		if reason.Resubmittable() {
			text += "您可补充信息后再次提交，请理性维权。"
		}
	}
	n := &models.Notification{ID: models.NewID(), ComplaintID: c.ID, Phone: c.ContactPhone, Kind: kind, Text: text,
		Status: models.NotificationPending, CreatedAt: now(cs.clock)}
	if err := tx.AddNotification(ctx, n); err != nil {
		return err
	}
	fx.notifications = append(fx.notifications, n.ID)
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// emit writes webhook events for the platform to the outbox, each carrying the platform view of
// the complaint as it is now (built once for all of them).
func (cs *Complaints) emit(ctx context.Context, tx *store.Store, c *models.Complaint, fx *effects, eventTypes ...string) error {
	full, err := tx.ComplaintByID(ctx, c.ID)
	if err != nil {
		return err
	}
	view, err := cs.viewOf(ctx, tx, full, AudiencePlatform)
	if err != nil {
		return err
	}
	t := now(cs.clock)
	for _, eventType := range eventTypes {
		id := "evt_" + models.NewID()
		body, err := json.Marshal(EventBody{ID: id, Type: eventType, CreatedAt: Ts(t), Data: EventData{Complaint: view}})
		if err != nil {
			return err
		}
		ev := &models.WebhookEvent{ID: id, PlatformID: c.PlatformID, Type: eventType, Payload: body, CreatedAt: t}
		if err := tx.AddWebhookEvent(ctx, ev); err != nil {
			return err
		}
		fx.events = append(fx.events, id)
		if err := cs.webhooks.fanOut(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// EventBody is the JSON body of a webhook (API.md section 6).
type EventBody struct {
	ID        string    `json:"id" example:"evt_0193a1b2c3d4e5f60718293a4b5c6d7e"`
	Type      string    `json:"type" example:"complaint.delivered"`
	CreatedAt string    `json:"created_at"`
	Data      EventData `json:"data"`
}

// EventData holds the complaint an event is about.
type EventData struct {
	Complaint *ComplaintView `json:"complaint,omitempty"`
	Message   string         `json:"message,omitempty"`
}

// committed runs what a change left to do after its transaction.
func (cs *Complaints) committed(ctx context.Context, fx *effects) {
	if fx.empty() {
		return
	}
	if cs.notifications != nil && len(fx.notifications) > 0 {
		cs.notifications.Send(context.WithoutCancel(ctx), fx.notifications)
	}
	if len(fx.events) > 0 {
		cs.webhooks.wake()
	}
}

// change loads a complaint with a row lock, lets fn change it, and commits.
func (cs *Complaints) change(ctx context.Context, id string, fn func(tx *store.Store, c *models.Complaint, fx *effects) error) error {
	if len(id) > 64 {
		return models.NotFound("complaint")
	}
	fx := &effects{}
	err := cs.st.Tx(ctx, func(tx *store.Store) error {
		*fx = effects{} // a retried transaction starts over
		c, err := tx.ComplaintForUpdate(ctx, id)
		if err != nil {
			return err
		}
		return fn(tx, c, fx)
	})
	if err != nil {
		return err
	}
	cs.committed(ctx, fx)
	return nil
}

// ownerChange is change for the complainant's own complaint; anybody else's is not found.
func (cs *Complaints) ownerChange(ctx context.Context, p *models.Principal, id string, fn func(tx *store.Store, c *models.Complaint, fx *effects) error) (*ComplaintView, error) {
	err := cs.change(ctx, id, func(tx *store.Store, c *models.Complaint, fx *effects) error {
		if p.Kind != models.PrincipalPerson || c.ComplainantID != p.UserID {
			return models.NotFound("complaint")
		}
		return fn(tx, c, fx)
	})
	if err != nil {
		return nil, err
	}
	return cs.View(ctx, id, AudienceOwner)
}

// Supplement adds text and evidence. A resubmittable rejection goes back to review (for the
// refund-only channel, straight through screening again); a delivered or replied complaint
// sends the platform complaint.supplemented.
func (cs *Complaints) Supplement(ctx context.Context, p *models.Principal, id string, req SupplementRequest) (*ComplaintView, error) {
	var v models.Validator
	v.Text("text", req.Text, 1, 5000)
	evidence, err := cs.evidenceOf(ctx, &v, p, req.EvidenceIDs)
	if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return cs.ownerChange(ctx, p, id, func(tx *store.Store, c *models.Complaint, fx *effects) error {
		if c.Final() {
			return &models.Error{Kind: models.KindInvalidState, Code: "invalid_state",
				Detail: "a complaint that is " + string(c.Status) + " takes no supplements"}
		}
		t := now(cs.clock)
		if err := tx.AddSupplement(ctx, &models.Supplement{ID: models.NewID(), ComplaintID: c.ID, Text: strings.TrimSpace(req.Text),
			EvidenceIDs: evidence, CreatedAt: t}); err != nil {
			return err
		}
		if err := tx.LinkEvidence(ctx, c.ID, evidence); err != nil {
			return err
		}
		hit := cs.screen.Match(req.Text)
		if hit && !c.HasFlag(models.FlagAbusiveLanguage) {
			c.Flags = append(c.Flags, models.FlagAbusiveLanguage)
		}
		switch {
		case c.Status == models.StatusRejected:
			if err := cs.transition(ctx, tx, c, models.ActionResubmit, actorOf(p), "补充后再次提交", fx); err != nil {
				return err
			}
			if c.Channel == models.ChannelRefundOnly {
				return cs.autoReview(ctx, tx, c, hit, fx)
			}
			return nil
		case c.Status == models.StatusDelivered || c.Status == models.StatusReplied:
			if err := cs.touch(ctx, tx, c); err != nil {
				return err
			}
			return cs.emit(ctx, tx, c, fx, models.EventComplaintSupplemented)
		default:
			return cs.touch(ctx, tx, c)
		}
	})
}

// autoReview is the refund-only channel's instant acceptance (平台即时受理): screening alone
// decides, with the system as the reviewer.
func (cs *Complaints) autoReview(ctx context.Context, tx *store.Store, c *models.Complaint, hit bool, fx *effects) error {
	if hit {
		reason, note := string(models.RejectAbusiveContent), "自动筛查发现非法或辱骂性词汇，请修改后补充提交。"
		c.RejectionReason, c.RejectionNote = &reason, &note
		return cs.transition(ctx, tx, c, models.ActionReject, models.ActorSystem, note, fx)
	}
	return cs.accept(ctx, tx, c, models.ActorSystem, "平台即时受理", fx)
}

// accept delivers a reviewed complaint, or holds it until the platform can be reached.
func (cs *Complaints) accept(ctx context.Context, tx *store.Store, c *models.Complaint, actor models.Actor, note string, fx *effects) error {
	reachable, err := cs.reachable(ctx, tx, c.PlatformID)
	if err != nil {
		return err
	}
	if reachable {
		return cs.transition(ctx, tx, c, models.ActionAccept, actor, note, fx)
	}
	return cs.transition(ctx, tx, c, models.ActionHold, actor, note+"（暂未与平台取得联系）", fx)
}

// reachable applies the rule of API.md 5.1: onboarded, and an after-sales contact, an active API
// key or an enabled webhook endpoint.
func (cs *Complaints) reachable(ctx context.Context, tx *store.Store, platformID string) (bool, error) {
	p, err := tx.PlatformByID(ctx, platformID)
	if err != nil {
		return false, err
	}
	if !p.Onboarded {
		return false, nil
	}
	if p.HasAfterSalesContact() {
		return true, nil
	}
	n, err := tx.CountActiveAPIKeys(ctx, platformID)
	if err != nil || n > 0 {
		return n > 0, err
	}
	m, err := tx.CountEnabledWebhookEndpoints(ctx, platformID)
	return m > 0, err
}

// Rate records the complainant's 1–10 score; the complaint is completed.
func (cs *Complaints) Rate(ctx context.Context, p *models.Principal, id string, req RatingRequest) (*ComplaintView, error) {
	var v models.Validator
	if req.Score < 1 || req.Score > 10 {
		v.Add("score", "must be an integer from 1 to 10")
	}
	comment := cleanOptional(req.Comment)
	if comment != nil {
		v.Text("comment", *comment, 0, 1000)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return cs.ownerChange(ctx, p, id, func(tx *store.Store, c *models.Complaint, fx *effects) error {
		t := now(cs.clock)
		score := req.Score
		c.RatingScore, c.RatingComment, c.RatedAt = &score, comment, &t
		return cs.transition(ctx, tx, c, models.ActionRate, actorOf(p), fmt.Sprintf("评分 %d", score), fx)
	})
}

// Withdraw ends the complaint at the complainant's request.
func (cs *Complaints) Withdraw(ctx context.Context, p *models.Principal, id string, req WithdrawRequest) (*ComplaintView, error) {
	var v models.Validator
	v.Text("reason", req.Reason, 1, 1000)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return cs.ownerChange(ctx, p, id, func(tx *store.Store, c *models.Complaint, fx *effects) error {
		if c.Final() {
			// A rejection that cannot be re-submitted is as final as a completion.
			return &models.Error{Kind: models.KindInvalidState, Code: "invalid_state",
				Detail: "a complaint that is " + string(c.Status) + " for good cannot be withdrawn"}
		}
		return cs.transition(ctx, tx, c, models.ActionWithdraw, actorOf(p), strings.TrimSpace(req.Reason), fx)
	})
}

// Accept is a moderator's acceptance of a complaint in review.
func (cs *Complaints) Accept(ctx context.Context, p *models.Principal, id string) (*ComplaintView, error) {
	err := cs.change(ctx, id, func(tx *store.Store, c *models.Complaint, fx *effects) error {
		if c.Status != models.StatusPendingReview {
			_, err := models.Transition(c.Status, models.ActionAccept, actorOf(p))
			return err
		}
		return cs.accept(ctx, tx, c, actorOf(p), "审核通过", fx)
	})
	if err != nil {
		return nil, err
	}
	return cs.View(ctx, id, AudienceStaff)
}

// Reject is a moderator's refusal (经审核投诉不予受理) with a reason and a note.
func (cs *Complaints) Reject(ctx context.Context, p *models.Principal, id string, req RejectRequest) (*ComplaintView, error) {
	var v models.Validator
	if _, ok := models.RejectionReasonLabels[models.RejectionReason(req.ReasonCode)]; !ok {
		v.Add("reason_code", "must be one of abusive_content, missing_information, out_of_scope, duplicate, other")
	}
	v.Text("note", req.Note, 1, 1000)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := cs.change(ctx, id, func(tx *store.Store, c *models.Complaint, fx *effects) error {
		reason, note := req.ReasonCode, strings.TrimSpace(req.Note)
		prevReason, prevNote := c.RejectionReason, c.RejectionNote
		c.RejectionReason, c.RejectionNote = &reason, &note
		if err := cs.transition(ctx, tx, c, models.ActionReject, actorOf(p), note, fx); err != nil {
			c.RejectionReason, c.RejectionNote = prevReason, prevNote
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cs.View(ctx, id, AudienceStaff)
}

// Reply posts a platform's reply and returns the complaint with it. The first reply moves the
// complaint to replied.
func (cs *Complaints) Reply(ctx context.Context, p *models.Principal, id string, req ReplyRequest) (*ComplaintView, error) {
	var v models.Validator
	v.Text("content", req.Content, 1, 5000)
	evidence, err := cs.evidenceOf(ctx, &v, p, req.EvidenceIDs)
	if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var reply *models.Reply
	err = cs.change(ctx, id, func(tx *store.Store, c *models.Complaint, fx *effects) error {
		if !visibleToPlatform(c, p.PlatformID) {
			return models.NotFound("complaint")
		}
		reply = &models.Reply{ID: models.NewID(), ComplaintID: c.ID, PlatformID: p.PlatformID,
			Content: strings.TrimSpace(req.Content), EvidenceIDs: evidence, CreatedAt: now(cs.clock)}
		switch c.Status {
		case models.StatusDelivered:
			if err := tx.AddReply(ctx, reply); err != nil {
				return err
			}
			if err := cs.transition(ctx, tx, c, models.ActionReply, models.ActorPlatform, "平台首次回复", fx); err != nil {
				return err
			}
		case models.StatusReplied:
			if err := tx.AddReply(ctx, reply); err != nil {
				return err
			}
			if err := cs.touch(ctx, tx, c); err != nil {
				return err
			}
		default:
			return &models.Error{Kind: models.KindInvalidState, Code: "invalid_state",
				Detail: "a complaint that is " + string(c.Status) + " takes no replies"}
		}
		return tx.LinkEvidence(ctx, c.ID, evidence)
	})
	if err != nil {
		return nil, err
	}
	return cs.View(ctx, id, AudiencePlatform)
}

// visibleToPlatform: a platform sees its complaints once they were delivered to it.
func visibleToPlatform(c *models.Complaint, platformID string) bool {
	if c.PlatformID != platformID || c.DeliveredAt == nil {
		return false
	}
	switch c.Status {
	case models.StatusPendingReview, models.StatusRejected, models.StatusAwaitingContact:
		return false
	}
	return true
}

// View loads a complaint and presents it to aud.
func (cs *Complaints) View(ctx context.Context, id string, aud Audience) (*ComplaintView, error) {
	c, err := cs.st.ComplaintByID(ctx, id)
	if err != nil {
		return nil, err
	}
	v, err := cs.viewOf(ctx, cs.st, c, aud)
	return v, err
}

func (cs *Complaints) viewOf(ctx context.Context, st *store.Store, c *models.Complaint, aud Audience) (*ComplaintView, error) {
	p, err := st.PlatformByID(ctx, c.PlatformID)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return nil, err
	}
	evs, err := st.EvidenceByIDs(ctx, allEvidenceIDs(c))
	if err != nil {
		return nil, err
	}
	byID := make(map[string]models.Evidence, len(evs))
	for _, e := range evs {
		byID[e.ID] = e
	}
	v := buildView(c, p, byID, aud)
	return &v, nil
}

// Get is a complaint for its owner, staff, or (once delivered) its platform; to anybody else it
// does not exist.
func (cs *Complaints) Get(ctx context.Context, p *models.Principal, id string) (*ComplaintView, error) {
	if len(id) > 64 {
		return nil, models.NotFound("complaint")
	}
	c, err := cs.st.ComplaintByID(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Kind == models.PrincipalPlatform:
		if !visibleToPlatform(c, p.PlatformID) {
			return nil, models.NotFound("complaint")
		}
		return cs.viewOf(ctx, cs.st, c, AudiencePlatform)
	case p.Role.IsStaff():
		return cs.viewOf(ctx, cs.st, c, AudienceStaff)
	case c.ComplainantID == p.UserID:
		return cs.viewOf(ctx, cs.st, c, AudienceOwner)
	}
	return nil, models.NotFound("complaint")
}

// List returns one page of complaints for the caller: a complainant's own, the moderator queue
// (oldest first), or a platform's delivered complaints.
func (cs *Complaints) List(ctx context.Context, p *models.Principal, f ComplaintListFilter, page models.Page) ([]ComplaintView, string, error) {
	var v models.Validator
	sf := store.ComplaintFilter{Limit: page.Limit + 1}
	if f.Status != "" {
		if !models.Status(f.Status).Valid() {
			v.Add("status", "is not a complaint status")
		}
		sf.Status = models.Status(f.Status)
	}
	if f.Channel != "" {
		if !models.Channel(f.Channel).Valid() {
			v.Add("channel", "must be consumer or refund_only")
		}
		sf.Channel = models.Channel(f.Channel)
	}
	aud := AudienceOwner
	keys := 1
	switch {
	case p.Kind == models.PrincipalPlatform:
		aud, sf.PlatformID, sf.DeliveredOnly = AudiencePlatform, p.PlatformID, true
		if f.UpdatedSince != "" {
			t, err := time.Parse(time.RFC3339, f.UpdatedSince)
			if err != nil {
				v.Add("updated_since", "must be an RFC 3339 time such as 2026-11-26T08:00:00Z")
			}
			t = t.UTC()
			sf.UpdatedSince = &t
			keys = 2
		}
	case p.Role.IsStaff():
		aud, sf.Ascending, sf.PlatformID = AudienceStaff, true, f.PlatformID
		if f.Flag != "" {
			if f.Flag != models.FlagAbusiveLanguage {
				v.Add("flag", "must be abusive_language")
			}
			sf.Flag = f.Flag
		}
	default:
		sf.ComplainantID = p.UserID
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	after, err := models.DecodeCursor(page.Cursor, keys)
	if err != nil {
		return nil, "", err
	}
	sf.After = after
	items, err := cs.st.ListComplaints(ctx, sf)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > page.Limit {
		items = items[:page.Limit]
		last := items[len(items)-1]
		if keys == 2 {
			next = models.EncodeCursor(last.UpdatedAt.UTC().Format(time.RFC3339Nano), last.ID)
		} else {
			next = models.EncodeCursor(last.ID)
		}
	}
	views, err := cs.views(ctx, items, aud)
	return views, next, err
}

// views presents a page of complaints, loading their children, platforms and evidence for the
// whole page at once.
func (cs *Complaints) views(ctx context.Context, items []models.Complaint, aud Audience) ([]ComplaintView, error) {
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].ID
	}
	full, err := cs.st.ComplaintsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*models.Complaint, len(full))
	var platformIDs, evidenceIDs []string
	for i := range full {
		byID[full[i].ID] = &full[i]
		platformIDs = append(platformIDs, full[i].PlatformID)
		evidenceIDs = append(evidenceIDs, allEvidenceIDs(&full[i])...)
	}
	platforms, err := cs.st.PlatformsByIDs(ctx, platformIDs)
	if err != nil {
		return nil, err
	}
	pByID := make(map[string]*models.Platform, len(platforms))
	for i := range platforms {
		pByID[platforms[i].ID] = &platforms[i]
	}
	evs, err := cs.st.EvidenceByIDs(ctx, evidenceIDs)
	if err != nil {
		return nil, err
	}
	evByID := make(map[string]models.Evidence, len(evs))
	for _, e := range evs {
		evByID[e.ID] = e
	}
	out := make([]ComplaintView, 0, len(items))
	for _, it := range items {
		if c := byID[it.ID]; c != nil {
			out = append(out, buildView(c, pByID[c.PlatformID], evByID, aud))
		}
	}
	return out, nil
}

// DeliverAwaiting delivers the complaints waiting for a platform that has become reachable.
// It is called on every platform, API key and webhook endpoint change, and by a sweep.
func (cs *Complaints) DeliverAwaiting(ctx context.Context, platformID string) (int, error) {
	delivered := 0
	for {
		batch, err := cs.st.AwaitingComplaintIDs(ctx, platformID, 100)
		if err != nil || len(batch) == 0 {
			return delivered, err
		}
		if ok, err := cs.reachable(ctx, cs.st, platformID); err != nil || !ok {
			return delivered, err
		}
		for _, id := range batch {
			err := cs.change(ctx, id, func(tx *store.Store, c *models.Complaint, fx *effects) error {
				if c.Status != models.StatusAwaitingContact {
					return nil // another instance got there first
				}
				return cs.transition(ctx, tx, c, models.ActionDeliver, models.ActorSystem, "已与平台取得联系，自动递交", fx)
			})
			if err != nil {
				return delivered, err
			}
			delivered++
		}
	}
}

// SweepAwaiting delivers waiting complaints of every platform that has become reachable.
func (cs *Complaints) SweepAwaiting(ctx context.Context) (int, error) {
	platforms, err := cs.st.PlatformsWithAwaitingComplaints(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, id := range platforms {
		n, err := cs.DeliverAwaiting(ctx, id)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// AutoComplete completes replied complaints nobody rated within DSB_AUTO_COMPLETE_AFTER. Each
// complaint changes under its row lock with its status checked again, so several instances
// may run this at once.
func (cs *Complaints) AutoComplete(ctx context.Context) (int, error) {
	done := 0
	for {
		ids, err := cs.st.RepliedComplaintsBefore(ctx, now(cs.clock).Add(-cs.autoCompleteAfter), 100)
		if err != nil || len(ids) == 0 {
			return done, err
		}
		progressed := false
		for _, id := range ids {
			err := cs.change(ctx, id, func(tx *store.Store, c *models.Complaint, fx *effects) error {
				if c.Status != models.StatusReplied {
					return nil
				}
				progressed = true
				return cs.transition(ctx, tx, c, models.ActionAutoComplete, models.ActorSystem, "回复后未评价，系统自动完成", fx)
			})
			if err != nil {
				return done, err
			}
			done++
		}
		if !progressed {
			return done, nil
		}
	}
}
