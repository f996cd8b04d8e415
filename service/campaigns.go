package service

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Campaigns runs investigation campaigns (调查行动): staff create them and move them through
// planned → open → closed → reported, complaints join them while they are open (chosen when
// filing, or tagged by staff), and each has a report per platform (campaign_report.go) and
// questionnaires (questionnaires.go).
type Campaigns struct {
	st    *store.Store
	clock Clock
	log   *slog.Logger
}

// The bounds of a campaign's lists.
const (
	campaignMaxPlatforms = 100
	campaignMaxKeywords  = 20
	campaignKeywordMax   = 50
)

// CreateCampaignRequest is the body of POST /admin/campaigns.
type CreateCampaignRequest struct {
	Title string `json:"title" example:"电商平台“仅退款”调查行动" maxLength:"200"`
	Topic string `json:"topic" example:"调查电商平台“仅退款”服务的现状、漏洞与困局，收集商家与消费者的问卷反馈。" maxLength:"5000"`
	// StartDate and EndDate are China-time days, both included.
	StartDate string `json:"start_date" example:"2024-07-23" format:"date"`
	EndDate   string `json:"end_date" example:"2024-09-04" format:"date"`
	// PlatformIDs are the platforms it watches; empty: every platform.
	PlatformIDs []string `json:"platform_ids" maxItems:"100"`
	IssueTypes  []string `json:"issue_types" example:"refund" enums:"refund,quality,false_advertising,unfair_terms,delivery,after_sales,privacy,fraud,other"`
	Keywords    []string `json:"keywords" example:"仅退款" maxItems:"20"`
	// Status is planned (the default) or open.
	Status *string `json:"status,omitempty" validate:"optional" extensions:"x-nullable" enums:"planned,open"`
}

// CampaignStatusRequest is the body of POST /admin/campaigns/{id}/status.
type CampaignStatusRequest struct {
	Status string `json:"status" example:"open" enums:"open,closed,reported"`
}

// TagComplaintsRequest is the body of POST /admin/campaigns/{id}/complaints.
type TagComplaintsRequest struct {
	ComplaintIDs []string `json:"complaint_ids" minItems:"1" maxItems:"100"`
}

// TagResult is what a tagging did.
type TagResult struct {
	// Tagged is how many complaints joined the campaign; AlreadyTagged how many were members.
	Tagged        int64 `json:"tagged" example:"3"`
	AlreadyTagged int64 `json:"already_tagged" example:"0"`
}

// validateCampaign checks a new campaign's members and returns its watched platforms.
func (cs *Campaigns) validateCampaign(ctx context.Context, req CreateCampaignRequest) (models.CampaignStatus, error) {
	var v models.Validator
	v.Text("title", req.Title, 2, 200)
	v.Text("topic", req.Topic, 1, 5000)
	start, okStart := models.CampaignDay(req.StartDate)
	if !okStart {
		v.Add("start_date", "must be a day such as 2024-07-23")
	}
	end, okEnd := models.CampaignDay(req.EndDate)
	if !okEnd {
		v.Add("end_date", "must be a day such as 2024-09-04")
	}
	if okStart && okEnd && end.Before(start) {
		v.Add("end_date", "must not be before start_date")
	}
	if err := cs.checkPlatforms(ctx, &v, "platform_ids", req.PlatformIDs, nil); err != nil {
		return "", err
	}
	checkIssueTypes(&v, "issue_types", req.IssueTypes)
	checkKeywords(&v, "keywords", req.Keywords)
	status := models.CampaignPlanned
	if req.Status != nil {
		status = models.CampaignStatus(*req.Status)
		if status != models.CampaignPlanned && status != models.CampaignOpen {
			v.Add("status", "must be planned or open: a campaign starts in one of them")
		}
	}
	return status, v.Err()
}

// checkPlatforms checks a list of platform ids: known, not repeated, and (watched not nil)
// watched by the campaign.
func (cs *Campaigns) checkPlatforms(ctx context.Context, v *models.Validator, field string, ids []string, watched *models.Campaign) error {
	if len(ids) > campaignMaxPlatforms {
		v.Add(field, "must list at most %d platforms", campaignMaxPlatforms)
		return nil
	}
	for i, id := range ids {
		if len(id) > 64 || slices.Index(ids, id) < i {
			v.Add(fmt.Sprintf("%s[%d]", field, i), "is not a known platform, or is listed twice")
			return nil
		}
		if watched != nil && !watched.Watches(id) {
			v.Add(fmt.Sprintf("%s[%d]", field, i), "is not a platform the campaign watches")
		}
	}
	found, err := cs.st.PlatformsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	if len(found) != len(ids) {
		for i, id := range ids {
			if !slices.ContainsFunc(found, func(p models.Platform) bool { return p.ID == id }) {
				v.Add(fmt.Sprintf("%s[%d]", field, i), "is not a known platform")
			}
		}
	}
	return nil
}

func checkIssueTypes(v *models.Validator, field string, types []string) {
	for i, t := range types {
		if _, ok := models.IssueTypeLabels[t]; !ok || slices.Index(types, t) < i {
			v.Add(fmt.Sprintf("%s[%d]", field, i), "must be one of refund, quality, false_advertising, unfair_terms, delivery, after_sales, privacy, fraud, other, listed once")
		}
	}
}

func checkKeywords(v *models.Validator, field string, words []string) {
	if len(words) > campaignMaxKeywords {
		v.Add(field, "must list at most %d keywords", campaignMaxKeywords)
		return
	}
	for i, w := range words {
		v.Text(fmt.Sprintf("%s[%d]", field, i), w, 1, campaignKeywordMax)
	}
}

func trimAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// Create creates a campaign (staff).
func (cs *Campaigns) Create(ctx context.Context, p *models.Principal, req CreateCampaignRequest) (*models.Campaign, error) {
	if !isStaff(p) {
		return nil, models.ErrForbidden
	}
	status, err := cs.validateCampaign(ctx, req)
	if err != nil {
		return nil, err
	}
	t := now(cs.clock)
	c := &models.Campaign{ID: models.NewID(), Title: strings.TrimSpace(req.Title), Topic: strings.TrimSpace(req.Topic),
		StartsOn: req.StartDate, EndsOn: req.EndDate, PlatformIDs: nonNil(req.PlatformIDs), IssueTypes: nonNil(req.IssueTypes),
		Keywords: trimAll(req.Keywords), Status: status, CreatedBy: p.UserID, CreatedAt: t, UpdatedAt: t}
	out, err := command(ctx, cs.st, func(tx *store.Store) (*models.Campaign, error) {
		return c, tx.CreateCampaign(ctx, c)
	})
	if err == nil {
		cs.log.InfoContext(ctx, "campaign created", "campaign", c.ID, "status", c.Status)
	}
	return out, err
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

func isStaff(p *models.Principal) bool {
	return p != nil && p.Kind == models.PrincipalPerson && p.Role.IsStaff()
}

// Get loads a campaign.
func (cs *Campaigns) Get(ctx context.Context, id string) (*models.Campaign, error) {
	if len(id) > 64 {
		return nil, models.NotFound("campaign")
	}
	return cs.st.CampaignByID(ctx, id)
}

// List lists one page of campaigns, oldest first, optionally of one status.
func (cs *Campaigns) List(ctx context.Context, status string, page models.Page) ([]models.Campaign, string, error) {
	if status != "" && !models.CampaignStatus(status).Valid() {
		return nil, "", models.Invalid("status", "must be one of planned, open, closed, reported")
	}
	return pageByID(page, func(c *models.Campaign) string { return c.ID },
		func(after string, limit int) ([]models.Campaign, error) {
			return cs.st.ListCampaigns(ctx, models.CampaignStatus(status), after, limit)
		})
}

// Move changes a campaign's status along planned → open → closed → reported. Becoming
// reported computes the report and stores it in the same transaction: from then on it is
// served as it was then.
func (cs *Campaigns) Move(ctx context.Context, p *models.Principal, id string, req CampaignStatusRequest) (*models.Campaign, error) {
	if !isStaff(p) {
		return nil, models.ErrForbidden
	}
	to := models.CampaignStatus(req.Status)
	if !to.Valid() {
		return nil, models.Invalid("status", "must be one of open, closed, reported")
	}
	t := now(cs.clock)
	out, err := command(ctx, cs.st, func(tx *store.Store) (*models.Campaign, error) {
		c, err := tx.CampaignByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if !c.Status.CanBecome(to) {
			return nil, models.Conflict("invalid_state", "a %s campaign cannot become %s: campaigns go planned → open → closed → reported", c.Status, to)
		}
		from, frozen := c.Status, (*string)(nil)
		if to == models.CampaignReported {
			c.Status, c.ReportedAt = to, &t
			body, err := freezeReport(ctx, tx, c, t)
			if err != nil {
				return nil, err
			}
			frozen = &body
		}
		moved, err := tx.MoveCampaign(ctx, id, from, to, t, frozen)
		if err != nil {
			return nil, err
		}
		if !moved {
			return nil, models.Conflict("invalid_state", "the campaign changed at the same moment; reload it")
		}
		c.Status, c.UpdatedAt, c.Report = to, t, frozen
		return c, nil
	})
	if err == nil {
		cs.log.InfoContext(ctx, "campaign moved", "campaign", id, "status", to)
	}
	return out, err
}

// Tag adds complaints to an open campaign by id; each must exist and be against a platform it
// watches. Complaints already in it stay as they are.
func (cs *Campaigns) Tag(ctx context.Context, p *models.Principal, id string, req TagComplaintsRequest) (*TagResult, error) {
	if !isStaff(p) {
		return nil, models.ErrForbidden
	}
	c, err := cs.openCampaign(ctx, cs.st, id)
	if err != nil {
		return nil, err
	}
	var v models.Validator
	if len(req.ComplaintIDs) == 0 || len(req.ComplaintIDs) > 100 {
		v.Add("complaint_ids", "must list 1 to 100 complaint ids")
		return nil, v.Err()
	}
	found, err := cs.st.ComplaintPlatforms(ctx, req.ComplaintIDs)
	if err != nil {
		return nil, err
	}
	t := now(cs.clock)
	rows := make([]models.CampaignComplaint, 0, len(req.ComplaintIDs))
	for i, cid := range req.ComplaintIDs {
		j := slices.IndexFunc(found, func(f store.ComplaintPlatform) bool { return f.ID == cid })
		switch {
		case j < 0 || slices.Index(req.ComplaintIDs, cid) < i:
			v.Add(fmt.Sprintf("complaint_ids[%d]", i), "is not a known complaint, or is listed twice")
		case !c.Watches(found[j].PlatformID):
			v.Add(fmt.Sprintf("complaint_ids[%d]", i), "is against a platform the campaign does not watch")
		default:
			rows = append(rows, models.CampaignComplaint{CampaignID: c.ID, ComplaintID: cid, Source: models.TagByStaff, TaggedBy: p.UserID, TaggedAt: t})
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return command(ctx, cs.st, func(tx *store.Store) (*TagResult, error) {
		if err := stillOpen(ctx, tx, id, "complaints join a campaign"); err != nil {
			return nil, err
		}
		n, err := tx.TagComplaints(ctx, rows)
		if err != nil {
			return nil, err
		}
		return &TagResult{Tagged: n, AlreadyTagged: int64(len(rows)) - n}, nil
	})
}

// stillOpen checks, in a command's transaction, that the campaign is open, and keeps it so
// until the command commits.
func stillOpen(ctx context.Context, tx *store.Store, id, doing string) error {
	status, err := tx.CampaignStatusShared(ctx, id)
	if err != nil {
		return err
	}
	if status != models.CampaignOpen {
		return models.Conflict("invalid_state", "the campaign is %s: %s while it is open", status, doing)
	}
	return nil
}

// openCampaign loads a campaign that complaints may join: it exists and is open.
func (cs *Campaigns) openCampaign(ctx context.Context, st *store.Store, id string) (*models.Campaign, error) {
	if len(id) > 64 {
		return nil, models.NotFound("campaign")
	}
	c, err := st.CampaignByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Status != models.CampaignOpen {
		return nil, models.Conflict("invalid_state", "the campaign is %s: complaints join a campaign while it is open", c.Status)
	}
	return c, nil
}
