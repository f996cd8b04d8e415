package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// transition moves c by action and gathers what the new status causes: the timeline entry,
// the notification to the complainant with its text message, the platform's webhook events and
// the follow-up jobs. It writes nothing itself: the command's flush does, in its transaction.
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
	if from != nil && *from == models.StatusPendingReview && (to == models.StatusAwaitingContact || to == models.StatusDelivered) {
		c.AcceptedAt = &t
	}
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
	item := models.TimelineItem{ID: models.NewID(), ComplaintID: c.ID, At: t, From: from, To: to, ActorType: actor, Note: note}
	c.Timeline = append(c.Timeline, item)
	fx.timeline = append(fx.timeline, item)
	switch to {
	case models.StatusDelivered:
		if err := cs.notify(ctx, tx, c, models.NotifyDelivered, fx); err != nil {
			return err
		}
		return cs.emit(ctx, tx, c, fx, models.EventComplaintDelivered)
	case models.StatusReplied:
		// Nobody's rating completes it after DSB_AUTO_COMPLETE_AFTER.
		fx.jobs = append(fx.jobs, models.Job{ID: models.NewID(), Kind: models.JobAutoComplete, State: models.JobAvailable,
			DueAt: t.Add(cs.autoCompleteAfter), Ref: c.ID, PlatformID: c.PlatformID, CreatedAt: t, UpdatedAt: t})
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
func (cs *Complaints) touch(c *models.Complaint) {
	c.UpdatedAt = now(cs.clock)
	c.Version++
}

// notify gathers the complainant's text message and the job that sends it.
func (cs *Complaints) notify(ctx context.Context, tx *store.Store, c *models.Complaint, kind string, fx *effects) error {
	p, err := cs.platforms.PlatformVia(ctx, tx, c.PlatformID)
	if err != nil {
		return err
	}
	var params []string
	switch kind {
	case models.NotifyDelivered:
		params = []string{c.Number, p.Name}
	case models.NotifyReplied:
		params = []string{p.Name, c.Number}
	case models.NotifyRejected:
		params = rejectedParams(c.Number, models.RejectionReason(deref(c.RejectionReason)), deref(c.RejectionNote))
	}
	n := models.Notification{ID: models.NewID(), ComplaintID: c.ID, Phone: c.ContactPhone, Kind: kind,
		Text: renderSMS(kind, params), Params: params, Status: models.NotificationPending, CreatedAt: now(cs.clock)}
	fx.notes = append(fx.notes, n)
	fx.jobs = append(fx.jobs, smsJob(&n))
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// emit gathers webhook events for the platform, each carrying the platform view of the
// complaint as it is now in memory (built once for all of them), bounded in size.
func (cs *Complaints) emit(ctx context.Context, tx *store.Store, c *models.Complaint, fx *effects, eventTypes ...string) error {
	view, err := cs.presentInMemory(ctx, tx, c, fx.agg.evidence, AudiencePlatform)
	if err != nil {
		return err
	}
	t := now(cs.clock)
	for _, eventType := range eventTypes {
		id := "evt_" + models.NewID()
		body, err := complaintEventBody(ComplaintEvent{ID: id, Type: eventType, CreatedAt: Ts(t),
			Data: ComplaintEventData{Complaint: *view, URL: PlatformComplaintPath(c.ID)}})
		if err != nil {
			return err
		}
		fx.outbox = append(fx.outbox, models.WebhookEvent{ID: id, PlatformID: c.PlatformID, ComplaintID: c.ID, Type: eventType,
			Payload: body, CreatedAt: t})
	}
	return nil
}

// committed wakes the work-queue runner after a change that queued jobs (its messages and
// webhook deliveries); the work itself runs there, never in the request.
func (cs *Complaints) committed(_ context.Context, fx *effects) {
	if fx.queued() {
		cs.webhooks.wake()
	}
}

// change loads a complaint with a row lock, lets fn change it, and commits.
// It is for work that answers nobody (deliveries to a platform that became reachable,
// auto-completion); the platform view its events carry needs no timeline.
func (cs *Complaints) change(ctx context.Context, id string, fn func(tx *store.Store, c *models.Complaint, fx *effects) error) error {
	if len(id) > 64 {
		return models.NotFound("complaint")
	}
	var done *effects
	err := cs.st.Tx(ctx, func(tx *store.Store) error {
		a, err := loadAggregate(ctx, tx, id, false, true)
		if err != nil {
			return err
		}
		fx := &effects{agg: a}
		if err := fn(tx, a.c, fx); err != nil {
			return err
		}
		done = fx
		return cs.flush(ctx, tx, fx)
	})
	if err != nil {
		return err
	}
	cs.committed(ctx, done)
	return nil
}

// ownedBy lets only the complainant act on a complaint; to anybody else it does not exist.
func ownedBy(p *models.Principal) guard {
	return func(c *models.Complaint) error {
		// An erased complaint's complainant is gone: a request of theirs that passed the token
		// check just before the erasure committed waits for its lock and finds nothing here.
		if p.Kind != models.PrincipalPerson || c.ComplainantID != p.UserID || c.Erased() {
			return models.NotFound("complaint")
		}
		return nil
	}
}

// Supplement adds text and evidence. A resubmittable rejection goes back to review (for the
// refund-only channel, straight through screening again) and may correct the title and the
// description, which replace what the platform will see; the original stays in the timeline,
// which only the complainant and staff read. A delivered or replied complaint sends the
// platform complaint.supplemented.
func (cs *Complaints) Supplement(ctx context.Context, p *models.Principal, id string, req SupplementRequest) (*ComplaintView, error) {
	var v models.Validator
	v.Text("text", req.Text, 1, 5000)
	if req.Title != nil {
		v.Text("title", *req.Title, 5, 100)
	}
	if req.Description != nil {
		v.Text("description", *req.Description, 20, 5000)
	}
	if req.ProductName != nil {
		v.Text("product_name", *req.ProductName, 1, 255)
	}
	evidence, err := cs.evidenceOf(ctx, &v, p, req.EvidenceIDs)
	if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return cs.act(ctx, id, AudienceOwner, ownedBy(p), func(tx *store.Store, c *models.Complaint, fx *effects) error {
		if c.Final() {
			return &models.Error{Kind: models.KindInvalidState, Code: "invalid_state",
				Detail: "a complaint that is " + string(c.Status) + " takes no supplements"}
		}
		// Counted under the complaint's row lock: two concurrent supplements cannot both pass.
		if err := within(models.LimitSupplements, int64(len(c.Supplements)), cs.limits.SupplementsPerComplaint); err != nil {
			return err
		}
		if err := cs.screenIncoming(c, req); err != nil {
			return err
		}
		note, err := correct(c, req)
		if err != nil {
			return err
		}
		sp := models.Supplement{ID: models.NewID(), ComplaintID: c.ID, Text: strings.TrimSpace(req.Text),
			EvidenceIDs: evidenceIDs(evidence), CreatedAt: now(cs.clock)}
		c.Supplements = append(c.Supplements, sp)
		fx.supplements = append(fx.supplements, sp)
		fx.links = append(fx.links, sp.EvidenceIDs...)
		fx.agg.cite(evidence)
		cs.screenAll(c)
		switch {
		case c.Status == models.StatusRejected:
			if err := cs.transition(ctx, tx, c, models.ActionResubmit, actorOf(p), note, fx); err != nil {
				return err
			}
			if c.Channel == models.ChannelRefundOnly {
				return cs.autoReview(ctx, tx, c, fx)
			}
			return nil
		case c.Status == models.StatusDelivered || c.Status == models.StatusReplied:
			cs.touch(c)
			return cs.emit(ctx, tx, c, fx, models.EventComplaintSupplemented)
		default:
			cs.touch(c)
			return nil
		}
	})
}

// autoReview is the refund-only channel's instant acceptance (平台即时受理): screening alone
// decides, with the system as the reviewer.
func (cs *Complaints) autoReview(ctx context.Context, tx *store.Store, c *models.Complaint, fx *effects) error {
	return cs.accept(ctx, tx, c, models.ActorSystem, "平台即时受理", fx)
}

// accept delivers a reviewed complaint, or holds it until the platform can be reached; a
// refund-only complaint whose text hits the screening list is rejected instead.
func (cs *Complaints) accept(ctx context.Context, tx *store.Store, c *models.Complaint, actor models.Actor, note string, fx *effects) error {
	if ok, err := cs.screenBeforeDelivery(ctx, tx, c, fx); !ok || err != nil {
		return err
	}
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
func (cs *Complaints) reachable(ctx context.Context, st *store.Store, platformID string) (bool, error) {
	return cs.platforms.ReachableVia(ctx, st, platformID)
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
		// The platform reads it (its view, complaint.rated) and nobody reviews it first.
		refuseListed(&v, cs.screen, "comment", *comment)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return cs.act(ctx, id, AudienceOwner, ownedBy(p), func(tx *store.Store, c *models.Complaint, fx *effects) error {
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
	return cs.act(ctx, id, AudienceOwner, ownedBy(p), func(tx *store.Store, c *models.Complaint, fx *effects) error {
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
	return cs.act(ctx, id, AudienceStaff, nil, func(tx *store.Store, c *models.Complaint, fx *effects) error {
		if c.Status != models.StatusPendingReview {
			_, err := models.Transition(c.Status, models.ActionAccept, actorOf(p))
			return err
		}
		return cs.accept(ctx, tx, c, actorOf(p), "审核通过", fx)
	})
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
	return cs.act(ctx, id, AudienceStaff, nil, func(tx *store.Store, c *models.Complaint, fx *effects) error {
		reason, note := req.ReasonCode, strings.TrimSpace(req.Note)
		c.RejectionReason, c.RejectionNote = &reason, &note
		return cs.transition(ctx, tx, c, models.ActionReject, actorOf(p), note, fx)
	})
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
	visible := func(c *models.Complaint) error {
		if !visibleToPlatform(c, p.PlatformID) {
			return models.NotFound("complaint")
		}
		return nil
	}
	return cs.act(ctx, id, AudiencePlatform, visible, func(tx *store.Store, c *models.Complaint, fx *effects) error {
		if c.Status != models.StatusDelivered && c.Status != models.StatusReplied {
			return &models.Error{Kind: models.KindInvalidState, Code: "invalid_state",
				Detail: "a complaint that is " + string(c.Status) + " takes no replies"}
		}
		if err := within(models.LimitReplies, int64(len(c.Replies)), cs.limits.RepliesPerComplaint); err != nil {
			return err
		}
		reply := models.Reply{ID: models.NewID(), ComplaintID: c.ID, PlatformID: p.PlatformID,
			Content: strings.TrimSpace(req.Content), EvidenceIDs: evidenceIDs(evidence), CreatedAt: now(cs.clock)}
		c.Replies = append(c.Replies, reply)
		fx.replies = append(fx.replies, reply)
		fx.links = append(fx.links, reply.EvidenceIDs...)
		fx.agg.cite(evidence)
		if c.Status == models.StatusDelivered {
			return cs.transition(ctx, tx, c, models.ActionReply, models.ActorPlatform, "平台首次回复", fx)
		}
		cs.touch(c)
		return nil
	})
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
