package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

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
	p, err := cs.platforms.Platform(ctx, c.PlatformID)
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
	if err := tx.EnqueueJobs(ctx, []models.Job{smsJob(n)}); err != nil {
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

// committed wakes the work-queue runner after a change that queued jobs (its messages and
// webhook deliveries); the work itself runs there, never in the request.
func (cs *Complaints) committed(_ context.Context, fx *effects) {
	if !fx.empty() {
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
func (cs *Complaints) reachable(ctx context.Context, _ *store.Store, platformID string) (bool, error) {
	return cs.platforms.Reachable(ctx, platformID)
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
