package service

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// campaignTopIssues is how many issue types a platform's line of a report names.
const campaignTopIssues = 3

// CampaignReport is a campaign's report (调查报告): per platform, the figures of the rating
// formula (API.md 7) over the complaints tagged into the campaign, and the questionnaires'
// results. Live until the campaign is reported, then frozen.
type CampaignReport struct {
	CampaignID     string `json:"campaign_id"`
	Title          string `json:"title" example:"电商平台“仅退款”调查行动"`
	Status         string `json:"status" example:"reported" enums:"planned,open,closed,reported"`
	StatusLabel    string `json:"status_label" example:"已发布报告"`
	StartDate      string `json:"start_date" example:"2024-07-23" format:"date"`
	EndDate        string `json:"end_date" example:"2024-09-04" format:"date"`
	Frozen         bool   `json:"frozen"`
	FormulaVersion string `json:"formula_version" example:"2024.2"`
	GeneratedAt    string `json:"generated_at" format:"date-time"`
	// ComplaintCount is how many complaints are tagged into the campaign.
	ComplaintCount int64                    `json:"complaint_count" example:"240"`
	Platforms      []CampaignPlatformReport `json:"platforms"`
	Questionnaires []QuestionnaireResult    `json:"questionnaires"`
	// Cases are the published typical cases (典型案例) of the complaints tagged into the
	// campaign, newest publication first, at most 50. They are not figures: they are read on
	// every read, also of a frozen report, so that an unpublished case is gone from it.
	Cases []models.CaseRef `json:"cases"`
}

// CampaignPlatformReport is one platform's line of a campaign report.
type CampaignPlatformReport struct {
	Platform RatingPlatform `json:"platform"`
	// Filed counts its tagged complaints; Accepted those review let through (and not
	// withdrawn); Delivered the rating population among them: delivered, replied or completed,
	// less those still within their reply window unreplied (while the report is live). A
	// platform without a delivered complaint (or not rateable) is `unrated`, index null.
	Filed     int64 `json:"filed" example:"130"`
	Accepted  int64 `json:"accepted" example:"120"`
	Delivered int64 `json:"delivered" example:"118"`
	// Replied and Rated count within Delivered.
	Replied       int64           `json:"replied" example:"101"`
	Rated         int64           `json:"rated" example:"40"`
	ReplyRate     float64         `json:"reply_rate" example:"0.8559"`
	Timeliness    float64         `json:"timeliness" example:"0.7525"`
	Satisfaction  *float64        `json:"satisfaction" example:"6.4" extensions:"x-nullable"`
	Index         *float64        `json:"index" example:"0.7815" extensions:"x-nullable"`
	Grade         string          `json:"grade" example:"recommended" enums:"recommended,caution,not_recommended,unrated"`
	GradeLabel    string          `json:"grade_label" example:"建议下单"`
	TopIssueTypes []IssueTypeLine `json:"top_issue_types"`
}

// IssueTypeLine is how many of a platform's tagged complaints are of one issue type;
// refund-only complaints count as refund_only.
type IssueTypeLine struct {
	IssueType string `json:"issue_type" example:"refund" enums:"refund,quality,false_advertising,unfair_terms,delivery,after_sales,privacy,fraud,other,refund_only"`
	Label     string `json:"label" example:"退款问题"`
	Count     int64  `json:"count" example:"57"`
}

func issueLabel(t string) string {
	if t == string(models.ChannelRefundOnly) {
		return "仅退款"
	}
	return models.IssueTypeLabels[t]
}

// Report is a campaign's report: the frozen one once it is reported, else computed now.
// staff adds the free-text answers of the questionnaires.
func (cs *Campaigns) Report(ctx context.Context, id string, staff bool) (*CampaignReport, error) {
	c, err := cs.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	var r *CampaignReport
	if c.Report != nil {
		r = &CampaignReport{}
		if err := json.Unmarshal([]byte(*c.Report), r); err != nil {
			return nil, err
		}
	} else if r, err = computeReport(ctx, cs.st, c, now(cs.clock), false); err != nil {
		return nil, err
	}
	if r.Cases, err = campaignCases(ctx, cs.st, c.ID); err != nil {
		return nil, err
	}
	switch {
	case !staff:
		dropTexts(r)
	case c.Report != nil:
		// A frozen report keeps no free text: the staff view reads the answers as they are now,
		// so that an erased person's words are gone from it too.
		if err := liveTexts(ctx, cs.st, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// dropTexts leaves the free-text answers out of a report.
func dropTexts(r *CampaignReport) {
	for i := range r.Questionnaires {
		for j := range r.Questionnaires[i].Questions {
			r.Questionnaires[i].Questions[j].Texts = nil
		}
	}
}

// liveTexts fills the free-text questions of a frozen report with the answers stored now.
func liveTexts(ctx context.Context, st *store.Store, r *CampaignReport) error {
	for i := range r.Questionnaires {
		q := &r.Questionnaires[i]
		texts, err := st.AnswerTexts(ctx, q.ID)
		if err != nil {
			return err
		}
		for j := range q.Questions {
			qr := &q.Questions[j]
			if qr.Kind != string(models.QuestionText) {
				continue
			}
			qr.Texts = []string{}
			for _, t := range texts {
				if t.QuestionID == qr.ID && t.Text != nil {
					qr.Texts = append(qr.Texts, *t.Text)
				}
			}
		}
	}
	return nil
}

// freezeReport computes the report a campaign keeps once it is reported, without the free-text
// answers: they are personal, and a frozen copy would outlive their author's erasure. Nor does
// it hold the cases (computeReport leaves them out): Report reads them on every read.
func freezeReport(ctx context.Context, st *store.Store, c *models.Campaign, at time.Time) (string, error) {
	r, err := computeReport(ctx, st, c, at, true)
	if err != nil {
		return "", err
	}
	dropTexts(r)
	b, err := json.Marshal(r)
	return string(b), err
}

// ReportClosedCampaign makes a closed campaign reported with its report frozen at at, as the
// status endpoint does, outside a request (the seed's campaigns of past years).
func ReportClosedCampaign(ctx context.Context, st *store.Store, c *models.Campaign, at time.Time) error {
	if c.Status != models.CampaignClosed {
		return models.ErrInvalidState
	}
	c.Status, c.ReportedAt = models.CampaignReported, &at
	body, err := freezeReport(ctx, st, c, at)
	if err != nil {
		return err
	}
	c.Report = &body
	_, err = st.MoveCampaign(ctx, c.ID, models.CampaignClosed, models.CampaignReported, at, &body)
	return err
}

// computeReport computes a campaign's report at a moment, by the rating formula of models.
func computeReport(ctx context.Context, st *store.Store, c *models.Campaign, at time.Time, frozen bool) (*CampaignReport, error) {
	// A live report leaves out complaints still within their reply window unreplied; the
	// frozen one judges every complaint, as a frozen rating list does (API.md 7.1).
	pendingAfter := at.Add(-replyWindow)
	if frozen {
		pendingAfter = time.Time{}
	}
	rows, err := st.CampaignCounts(ctx, c.ID, pendingAfter)
	if err != nil {
		return nil, err
	}
	issues, err := st.CampaignIssueCounts(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].PlatformID
	}
	platforms, err := st.PlatformsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	r := &CampaignReport{CampaignID: c.ID, Title: c.Title, Status: string(c.Status), StatusLabel: c.Status.Label(),
		StartDate: c.StartsOn, EndDate: c.EndsOn, Frozen: frozen, FormulaVersion: models.RatingFormulaVersion,
		GeneratedAt: Ts(at), Platforms: []CampaignPlatformReport{}}
	for _, row := range rows {
		r.ComplaintCount += row.Filed
		i := slices.IndexFunc(platforms, func(p models.Platform) bool { return p.ID == row.PlatformID })
		if i < 0 {
			continue
		}
		pl := &platforms[i]
		res := models.ComputeRating(models.RatingCounts{ComplaintCount: row.ComplaintCount, RepliedCount: row.RepliedCount,
			RatedCount: row.RatedCount, TimelinessSum: row.TimelinessSum, ScoreSum: row.ScoreSum},
			// Without a delivered complaint there is nothing to grade: unrated, index null.
			pl.Rateable() && row.ComplaintCount > 0)
		r.Platforms = append(r.Platforms, CampaignPlatformReport{
			Platform: RatingPlatform{ID: pl.ID, Name: pl.Name, Slug: pl.Slug, Sector: string(pl.Sector)},
			Filed:    row.Filed, Accepted: row.Accepted, Delivered: row.ComplaintCount, Replied: row.RepliedCount, Rated: row.RatedCount,
			ReplyRate: res.ReplyRate, Timeliness: res.Timeliness, Satisfaction: res.Satisfaction, Index: res.Index,
			Grade: res.Grade, GradeLabel: models.GradeLabels[res.Grade], TopIssueTypes: topIssues(issues, pl.ID)})
	}
	slices.SortFunc(r.Platforms, func(a, b CampaignPlatformReport) int {
		return cmp.Or(cmp.Compare(b.Filed, a.Filed), cmp.Compare(a.Platform.Name, b.Platform.Name))
	})
	if r.Questionnaires, err = questionnaireResults(ctx, st, c.ID); err != nil {
		return nil, err
	}
	return r, nil
}

// topIssues are a platform's most frequent issue types, most first, then by name.
func topIssues(all []store.IssueCount, platformID string) []IssueTypeLine {
	out := []IssueTypeLine{}
	for _, ic := range all {
		if ic.PlatformID == platformID {
			out = append(out, IssueTypeLine{IssueType: ic.IssueType, Label: issueLabel(ic.IssueType), Count: ic.N})
		}
	}
	return topByCount(out, func(l *IssueTypeLine) (int64, string) { return l.Count, l.IssueType }, campaignTopIssues)
}
