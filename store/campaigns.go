package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
)

// CreateCampaign inserts a campaign.
func (s *Store) CreateCampaign(ctx context.Context, c *models.Campaign) error {
	return s.conn(ctx).Create(c).Error
}

// CampaignByID loads a campaign, or ErrNotFound.
func (s *Store) CampaignByID(ctx context.Context, id string) (*models.Campaign, error) {
	var c models.Campaign
	err := s.conn(ctx).Where("id = ?", id).Take(&c).Error
	return &c, translate(err, "campaign")
}

// CampaignStatusShared reads a campaign's status with a shared row lock held to the end of the
// transaction (MariaDB/MySQL; SQLite has one writer anyway): a change of status waits for the
// transactions that saw it open, so that nothing joins a campaign after it closed.
func (s *Store) CampaignStatusShared(ctx context.Context, id string) (models.CampaignStatus, error) {
	q := "SELECT status FROM campaigns WHERE id = ?"
	if s.driver == "mysql" {
		q += " LOCK IN SHARE MODE"
	}
	var status []models.CampaignStatus
	if err := s.conn(ctx).Raw(q, id).Scan(&status).Error; err != nil {
		return "", err
	}
	if len(status) == 0 {
		return "", models.NotFound("campaign")
	}
	return status[0], nil
}

// ListCampaigns lists one page of campaigns in the order they were created, optionally of
// one status. The frozen reports are not loaded.
func (s *Store) ListCampaigns(ctx context.Context, status models.CampaignStatus, afterID string, limit int) ([]models.Campaign, error) {
	q := s.conn(ctx).Omit("report").Order("id").Limit(limit)
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if afterID != "" {
		q = q.Where("id > ?", afterID)
	}
	var out []models.Campaign
	return out, q.Find(&out).Error
}

// MoveCampaign changes a campaign's status from one to the next, storing the frozen report
// when one is given; it reports false when the campaign was not in from (another change won).
func (s *Store) MoveCampaign(ctx context.Context, id string, from, to models.CampaignStatus, at time.Time, report *string) (bool, error) {
	set := map[string]any{"status": to, "updated_at": at}
	if report != nil {
		set["report"], set["reported_at"] = *report, at
	}
	res := s.conn(ctx).Model(&models.Campaign{}).Where("id = ? AND status = ?", id, from).Updates(set)
	return res.RowsAffected == 1, res.Error
}

// TagComplaints adds memberships, skipping the pairs that exist, and returns how many it added.
func (s *Store) TagComplaints(ctx context.Context, rows []models.CampaignComplaint) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 500)
	return res.RowsAffected, res.Error
}

// ComplaintPlatform is a complaint's id and platform.
type ComplaintPlatform struct {
	ID         string
	PlatformID string
}

// ComplaintPlatforms loads the platform of each complaint of ids that exists.
func (s *Store) ComplaintPlatforms(ctx context.Context, ids []string) ([]ComplaintPlatform, error) {
	var out []ComplaintPlatform
	if len(ids) == 0 {
		return out, nil
	}
	return out, s.conn(ctx).Model(&models.Complaint{}).Select("id, platform_id").Where("id IN ?", ids).Scan(&out).Error
}

// TagRule selects complaints for a campaign: filed in [From, To), against one of the
// platforms, of one of the channels and issue types, with one of the keywords in the title or
// the description (an empty list does not restrict).
type TagRule struct {
	PlatformIDs []string
	Channels    []models.Channel
	IssueTypes  []string
	Keywords    []string
	From, To    time.Time
}

func (s *Store) ruleQuery(ctx context.Context, r TagRule) *gorm.DB {
	q := s.conn(ctx).Table("complaints AS c").Where("c.created_at >= ? AND c.created_at < ?", r.From, r.To)
	if len(r.PlatformIDs) > 0 {
		q = q.Where("c.platform_id IN ?", r.PlatformIDs)
	}
	if len(r.Channels) > 0 {
		q = q.Where("c.channel IN ?", r.Channels)
	}
	if len(r.IssueTypes) > 0 {
		q = q.Where("c.issue_type IN ?", r.IssueTypes)
	}
	if len(r.Keywords) > 0 {
		or := s.conn(ctx)
		for i, k := range r.Keywords {
			p := "%" + likeEscape(k) + "%"
			cond := "c.title LIKE ? ESCAPE '!' OR c.description LIKE ? ESCAPE '!'"
			if i == 0 {
				or = or.Where(cond, p, p)
			} else {
				or = or.Or(cond, p, p)
			}
		}
		q = q.Where(or)
	}
	return q
}

// notTagged restricts a rule query to the complaints not yet in the campaign.
func notTagged(q *gorm.DB, campaignID string) *gorm.DB {
	return q.Where("NOT EXISTS (SELECT 1 FROM campaign_complaints cc WHERE cc.campaign_id = ? AND cc.complaint_id = c.id)", campaignID)
}

// CountTagRule counts the complaints the rule matches and those of them already tagged.
func (s *Store) CountTagRule(ctx context.Context, campaignID string, r TagRule) (matched, untagged int64, err error) {
	if err = s.ruleQuery(ctx, r).Count(&matched).Error; err != nil {
		return 0, 0, err
	}
	err = notTagged(s.ruleQuery(ctx, r), campaignID).Count(&untagged).Error
	return matched, untagged, err
}

// UntaggedByRule returns up to limit ids the rule matches that the campaign does not hold yet,
// oldest first.
func (s *Store) UntaggedByRule(ctx context.Context, campaignID string, r TagRule, limit int) ([]string, error) {
	var ids []string
	err := notTagged(s.ruleQuery(ctx, r), campaignID).Order("c.id").Limit(limit).Pluck("c.id", &ids).Error
	return ids, err
}

// CampaignRow is one platform's raw counts over a campaign's tagged complaints: Filed all of
// them, Accepted those review let through, and the rating population's counts as RatingRow.
type CampaignRow struct {
	RatingRow
	Filed    int64
	Accepted int64
}

// CampaignCounts aggregates a campaign's tagged complaints per platform with the rating
// lists' SQL (API.md 7): the population is the tagged complaints that are delivered, replied
// or completed, less those delivered after pendingAfter and not yet replied (still within
// their reply window), when pendingAfter is set.
func (s *Store) CampaignCounts(ctx context.Context, campaignID string, pendingAfter time.Time) ([]CampaignRow, error) {
	inPopulation := "c.delivered_at IS NOT NULL AND c.status IN ?"
	args := []any{ratedStatuses}
	if !pendingAfter.IsZero() {
		inPopulation += " AND (c.first_replied_at IS NOT NULL OR c.delivered_at <= ?)"
		args = append(args, pendingAfter)
	}
	pop := func(then string) string { return "CASE WHEN " + inPopulation + " THEN " + then + " ELSE 0 END" }
	repeat := func(n int) []any {
		out := []any{}
		for range n {
			out = append(out, args...)
		}
		return out
	}
	sel := `c.platform_id AS platform_id, COUNT(*) AS filed,
		SUM(CASE WHEN c.accepted_at IS NOT NULL AND c.status IN ? THEN 1 ELSE 0 END) AS accepted,
		SUM(` + pop("1") + `) AS complaint_count,
		SUM(` + pop("CASE WHEN c.first_replied_at IS NULL THEN 0 ELSE 1 END") + `) AS replied_count,
		SUM(` + pop("CASE WHEN c.rating_score IS NULL THEN 0 ELSE 1 END") + `) AS rated_count,
		SUM(` + pop("CASE WHEN c.first_replied_at IS NULL THEN 0 WHEN c.reply_seconds < ? THEN 1.0 WHEN c.reply_seconds < ? THEN 0.6 ELSE 0 END") + `) AS timeliness_sum,
		SUM(` + pop("COALESCE(c.rating_score, 0)") + `) AS score_sum`
	vals := []any{acceptedStatuses}
	vals = append(vals, repeat(3)...)
	vals = append(vals, args...)
	vals = append(vals, int64(72*time.Hour/time.Second), int64(120*time.Hour/time.Second))
	vals = append(vals, args...)
	var rows []CampaignRow
	err := s.conn(ctx).Table("campaign_complaints AS cc").Joins("JOIN complaints c ON c.id = cc.complaint_id").
		Select(sel, vals...).Where("cc.campaign_id = ?", campaignID).Group("c.platform_id").Scan(&rows).Error
	return rows, err
}

// IssueCount is how many of a platform's tagged complaints are of one issue type; a
// refund-only complaint, which has none, counts under its channel.
type IssueCount struct {
	PlatformID string
	IssueType  string
	N          int64
}

// CampaignIssueCounts counts a campaign's tagged complaints per platform and issue type.
func (s *Store) CampaignIssueCounts(ctx context.Context, campaignID string) ([]IssueCount, error) {
	var rows []IssueCount
	err := s.conn(ctx).Table("campaign_complaints AS cc").Joins("JOIN complaints c ON c.id = cc.complaint_id").
		Select("c.platform_id AS platform_id, COALESCE(c.issue_type, c.channel) AS issue_type, COUNT(*) AS n").
		Where("cc.campaign_id = ?", campaignID).Group("c.platform_id, COALESCE(c.issue_type, c.channel)").Scan(&rows).Error
	return rows, err
}
