package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// tagRuleBatch is how many complaints one insert of a rule's application tags; one
// application tags at most tagRuleBatches of them and reports what remains, so that a rule
// matching a year of complaints never holds one long transaction.
const (
	tagRuleBatch   = 500
	tagRuleBatches = 10
	tagRuleSample  = 20
)

// TagRuleRequest is a rule that selects complaints for a campaign: filed from `from` to `to`
// (China-time days, both included; the campaign's dates when left out), against one of
// platform_ids (the campaign's platforms when empty), of one of channels and issue_types, with
// one of keywords in the title or the description. An empty list does not restrict.
type TagRuleRequest struct {
	PlatformIDs []string `json:"platform_ids" validate:"optional" maxItems:"100"`
	Channels    []string `json:"channels" validate:"optional" example:"refund_only" enums:"consumer,refund_only"`
	IssueTypes  []string `json:"issue_types" validate:"optional" example:"refund" enums:"refund,quality,false_advertising,unfair_terms,delivery,after_sales,privacy,fraud,other"`
	Keywords    []string `json:"keywords" validate:"optional" example:"仅退款" maxItems:"20"`
	From        *string  `json:"from,omitempty" validate:"optional" extensions:"x-nullable" example:"2024-07-23" format:"date"`
	To          *string  `json:"to,omitempty" validate:"optional" extensions:"x-nullable" example:"2024-09-04" format:"date"`
}

// TagRulePreview is what a rule would tag.
type TagRulePreview struct {
	// Matched is how many complaints the rule selects; AlreadyTagged how many of them are in
	// the campaign; ToTag how many applying it would add.
	Matched       int64 `json:"matched" example:"120"`
	AlreadyTagged int64 `json:"already_tagged" example:"20"`
	ToTag         int64 `json:"to_tag" example:"100"`
	// SampleIDs are up to 20 of the complaints it would add, oldest first.
	SampleIDs []string `json:"sample_ids"`
}

// TagRuleResult is what applying a rule did.
type TagRuleResult struct {
	Tagged int64 `json:"tagged" example:"100"`
	// Remaining is how many matching complaints are still untagged (over 5000 in one
	// application): apply the rule again to tag them.
	Remaining int64 `json:"remaining" example:"0"`
}

// rule checks a rule against the campaign and turns it into the store's.
func (cs *Campaigns) rule(ctx context.Context, c *models.Campaign, req TagRuleRequest) (store.TagRule, error) {
	var v models.Validator
	if err := cs.checkPlatforms(ctx, &v, "platform_ids", req.PlatformIDs, c); err != nil {
		return store.TagRule{}, err
	}
	r := store.TagRule{PlatformIDs: req.PlatformIDs, IssueTypes: req.IssueTypes, Keywords: trimAll(req.Keywords)}
	if len(r.PlatformIDs) == 0 {
		r.PlatformIDs = c.PlatformIDs
	}
	for i, ch := range req.Channels {
		if !models.Channel(ch).Valid() || slices.Index(req.Channels, ch) < i {
			v.Add(fmt.Sprintf("channels[%d]", i), "must be consumer or refund_only, listed once")
		}
		r.Channels = append(r.Channels, models.Channel(ch))
	}
	checkIssueTypes(&v, "issue_types", req.IssueTypes)
	checkKeywords(&v, "keywords", req.Keywords)
	from, to := c.StartsOn, c.EndsOn
	if req.From != nil {
		from = *req.From
	}
	if req.To != nil {
		to = *req.To
	}
	start, okFrom := models.CampaignDay(from)
	if !okFrom {
		v.Add("from", "must be a day such as 2024-07-23")
	}
	end, okTo := models.CampaignDay(to)
	if !okTo {
		v.Add("to", "must be a day such as 2024-09-04")
	}
	if okFrom && okTo && end.Before(start) {
		v.Add("to", "must not be before from")
	}
	r.From, r.To = start.UTC(), end.AddDate(0, 0, 1).UTC()
	return r, v.Err()
}

// PreviewRule counts what a rule would tag, changing nothing.
func (cs *Campaigns) PreviewRule(ctx context.Context, p *models.Principal, id string, req TagRuleRequest) (*TagRulePreview, error) {
	if !isStaff(p) {
		return nil, models.ErrForbidden
	}
	c, err := cs.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := cs.rule(ctx, c, req)
	if err != nil {
		return nil, err
	}
	// A read, but run as a command so that a request with an Idempotency-Key records its
	// answer as every POST does.
	return command(ctx, cs.st, func(tx *store.Store) (*TagRulePreview, error) {
		matched, untagged, err := tx.CountTagRule(ctx, c.ID, r)
		if err != nil {
			return nil, err
		}
		sample, err := tx.UntaggedByRule(ctx, c.ID, r, tagRuleSample)
		if err != nil {
			return nil, err
		}
		return &TagRulePreview{Matched: matched, AlreadyTagged: matched - untagged, ToTag: untagged, SampleIDs: nonNil(sample)}, nil
	})
}

// ApplyRule tags what a rule selects into an open campaign, in batches; applying it again
// tags only what joined the selection since (nothing twice).
func (cs *Campaigns) ApplyRule(ctx context.Context, p *models.Principal, id string, req TagRuleRequest) (*TagRuleResult, error) {
	if !isStaff(p) {
		return nil, models.ErrForbidden
	}
	c, err := cs.openCampaign(ctx, cs.st, id)
	if err != nil {
		return nil, err
	}
	r, err := cs.rule(ctx, c, req)
	if err != nil {
		return nil, err
	}
	t := now(cs.clock)
	out, err := command(ctx, cs.st, func(tx *store.Store) (*TagRuleResult, error) {
		if err := stillOpen(ctx, tx, id, "complaints join a campaign"); err != nil {
			return nil, err
		}
		res := &TagRuleResult{}
		for range tagRuleBatches {
			ids, err := tx.UntaggedByRule(ctx, c.ID, r, tagRuleBatch)
			if err != nil {
				return nil, err
			}
			rows := make([]models.CampaignComplaint, len(ids))
			for i, cid := range ids {
				rows[i] = models.CampaignComplaint{CampaignID: c.ID, ComplaintID: cid, Source: models.TagByRule, TaggedBy: p.UserID, TaggedAt: t}
			}
			n, err := tx.TagComplaints(ctx, rows)
			if err != nil {
				return nil, err
			}
			res.Tagged += n
			if len(ids) < tagRuleBatch {
				return res, nil
			}
		}
		_, untagged, err := tx.CountTagRule(ctx, c.ID, r)
		res.Remaining = untagged
		return res, err
	})
	if err == nil {
		cs.log.InfoContext(ctx, "campaign tag rule applied", "campaign", c.ID, "tagged", out.Tagged, "remaining", out.Remaining)
	}
	return out, err
}
