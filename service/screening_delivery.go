package service

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Before any delivery, everything the platform will read is screened: the title, the
// description, the product name, the order number, the contact name and every supplement. A
// refund-only complaint, which no moderator reviews, is rejected as abusive_content on a hit;
// a consumer complaint is flagged and its moderator decides, seeing in the staff view which
// terms matched and where. Text the platform reads unreviewed or that cannot be corrected
// later (supplements after acceptance, rating comments, order numbers, contact names, account
// names, evidence file names) is refused when submitted instead.

// maxScreeningHits bounds the hits a staff view lists.
const maxScreeningHits = 100

// ScreeningHitView is one listed term found in a complaint's text, in staff views only.
type ScreeningHitView struct {
	// Field is where the term is: title, description, product_name, order_no, contact_name,
	// or supplements[i].text (i counting from 0 in the order of supplements).
	Field string `json:"field" example:"description"`
	// Term is the listed term, in the form it is matched in (folded).
	Term string `json:"term" example:"傻逼"`
	// Start and End delimit the occurrence in the field's text, in characters (Unicode code
	// points) from 0, End exclusive; the span includes whatever was put between the term's
	// characters.
	Start int `json:"start" example:"12"`
	End   int `json:"end" example:"14"`
}

type screenedField struct{ field, text string }

// platformText is every text of c that a platform will read, by field. The order number and
// the contact name are screened when submitted too; they are here for complaints filed before.
func platformText(c *models.Complaint) []screenedField {
	fields := make([]screenedField, 0, 5+len(c.Supplements))
	if c.Title != nil {
		fields = append(fields, screenedField{"title", *c.Title})
	}
	fields = append(fields, screenedField{"description", c.Description})
	if c.ProductName != nil {
		fields = append(fields, screenedField{"product_name", *c.ProductName})
	}
	if c.OrderNo != nil {
		fields = append(fields, screenedField{"order_no", *c.OrderNo})
	}
	fields = append(fields, screenedField{"contact_name", c.ContactName})
	for i, s := range c.Supplements {
		fields = append(fields, screenedField{fmt.Sprintf("supplements[%d].text", i), s.Text})
	}
	return fields
}

// screenAll screens everything the platform will read and sets c's abusive_language flag to
// the answer: a hit flags c, and a correction that leaves no hit (or a term taken off the
// list) clears the flag.
func (cs *Complaints) screenAll(c *models.Complaint) bool {
	hit := slices.ContainsFunc(platformText(c), func(f screenedField) bool { return cs.screen.Match(f.text) })
	switch {
	case hit && !c.HasFlag(models.FlagAbusiveLanguage):
		c.Flags = append(c.Flags, models.FlagAbusiveLanguage)
	case !hit && c.HasFlag(models.FlagAbusiveLanguage):
		c.Flags = slices.DeleteFunc(slices.Clone(c.Flags), func(f string) bool { return f == models.FlagAbusiveLanguage })
	}
	return hit
}

// refuseListed adds a field error to v when text hits the screening list: for text that goes
// to a platform with nobody reviewing it first, or that cannot be corrected once stored.
func refuseListed(v *models.Validator, screen TextScreener, field, text string) {
	if screen == nil {
		return
	}
	if hits := screen.Hits(text, 1); len(hits) > 0 {
		v.Add(field, "contains %q, a term of the screening list (characters %d–%d): rephrase it", hits[0].Term, hits[0].Start, hits[0].End)
	}
}

// screeningHits lists where listed terms occur in what the platform will read.
func (cs *Complaints) screeningHits(c *models.Complaint) []ScreeningHitView {
	out := []ScreeningHitView{}
	for _, f := range platformText(c) {
		for _, h := range cs.screen.Hits(f.text, maxScreeningHits-len(out)) {
			out = append(out, ScreeningHitView{Field: f.field, Term: h.Term, Start: h.Start, End: h.End})
		}
		if len(out) >= maxScreeningHits {
			break
		}
	}
	return out
}

// rejectAbusive is screening's refusal of a refund-only complaint, resubmittable with a
// corrected text.
func (cs *Complaints) rejectAbusive(ctx context.Context, tx *store.Store, c *models.Complaint, fx *effects) error {
	reason, note := string(models.RejectAbusiveContent), "自动筛查发现非法或辱骂性词汇，请修改后补充提交（可在补充中更正投诉描述或商品名称）。"
	c.RejectionReason, c.RejectionNote = &reason, &note
	return cs.transition(ctx, tx, c, models.ActionReject, models.ActorSystem, note, fx)
}

// screenBeforeDelivery screens c before it is handed to the platform; it reports whether the
// delivery may go on (false: a refund-only complaint was rejected instead).
func (cs *Complaints) screenBeforeDelivery(ctx context.Context, tx *store.Store, c *models.Complaint, fx *effects) (bool, error) {
	if !cs.screenAll(c) || c.Channel != models.ChannelRefundOnly {
		return true, nil
	}
	cs.log.InfoContext(ctx, "screening stopped a delivery", "complaint", c.ID, "status", c.Status)
	return false, cs.rejectAbusive(ctx, tx, c, fx)
}

// view presents a complaint for aud; staff views add where the screening list matched.
func (cs *Complaints) view(c *models.Complaint, p *models.Platform, evidence map[string]models.Evidence, aud Audience) ComplaintView {
	v := buildView(c, p, evidence, aud)
	if aud == AudienceStaff {
		hits := cs.screeningHits(c)
		v.ScreeningHits = &hits
	}
	return v
}

// correct applies a supplement's corrected title and description to c and returns the note of
// the resubmission, which keeps the originals. Corrections come only with a resubmission.
func correct(c *models.Complaint, req SupplementRequest) (string, error) {
	note := "补充后再次提交"
	if req.Title == nil && req.Description == nil && req.ProductName == nil {
		return note, nil
	}
	if !c.Resubmittable() {
		return "", &models.Error{Kind: models.KindInvalidState, Code: "invalid_state",
			Detail: "title, description and product name can be corrected only when re-submitting a complaint rejected as abusive_content or missing_information"}
	}
	if req.Title != nil && c.Title == nil {
		return "", models.Invalid("title", "a refund-only complaint has no title; correct the description or the product name")
	}
	if req.ProductName != nil && c.ProductName == nil {
		return "", models.Invalid("product_name", "only refund-only complaints have a product name")
	}
	if req.ProductName != nil {
		product := strings.TrimSpace(*req.ProductName)
		note += "；更正商品名称，原商品名称：" + *c.ProductName
		c.ProductName = &product
	}
	if req.Title != nil {
		title := strings.TrimSpace(*req.Title)
		note += "；更正标题，原标题：" + *c.Title
		c.Title = &title
	}
	if req.Description != nil {
		note += "；更正描述，原描述：" + c.Description
		c.Description = strings.TrimSpace(*req.Description)
	}
	return note, nil
}

// screenIncoming refuses a supplement's text (and its corrections) when it hits the list and
// no moderator will read it before the platform does: every supplement of a refund-only
// complaint, and a consumer's once a moderator accepted the complaint (awaiting_contact,
// delivered, replied), which goes to the platform as it is. A stored supplement could never be
// taken back, so it is refused before anything is stored and the complainant rephrases it.
// A consumer supplement before acceptance is flagged instead, as at filing.
func (cs *Complaints) screenIncoming(c *models.Complaint, req SupplementRequest) error {
	if c.Channel != models.ChannelRefundOnly && !acceptedByModerator(c) {
		return nil
	}
	var v models.Validator
	for _, f := range []struct {
		field string
		text  *string
	}{{"text", &req.Text}, {"title", req.Title}, {"description", req.Description}, {"product_name", req.ProductName}} {
		if f.text != nil {
			refuseListed(&v, cs.screen, f.field, *f.text)
		}
	}
	return v.Err()
}

// acceptedByModerator: the complaint is past review, on its way to the platform or there.
func acceptedByModerator(c *models.Complaint) bool {
	switch c.Status {
	case models.StatusAwaitingContact, models.StatusDelivered, models.StatusReplied:
		return true
	}
	return false
}
