package store

import (
	"context"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// PublishedCasesOfCampaign loads the published cases made of complaints tagged into the
// campaign, newest publication first, at most limit.
func (s *Store) PublishedCasesOfCampaign(ctx context.Context, campaignID string, limit int) ([]models.Case, error) {
	var out []models.Case
	err := s.conn(ctx).Model(&models.Case{}).
		Joins("JOIN campaign_complaints ON campaign_complaints.complaint_id = cases.complaint_id").
		Where("campaign_complaints.campaign_id = ? AND cases.status = ?", campaignID, models.CasePublished).
		Order("cases.published_at DESC, cases.id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// PublishedCasesIn loads the published cases of a channel last published in [from, to),
// newest first, at most limit.
func (s *Store) PublishedCasesIn(ctx context.Context, ch models.Channel, from, to time.Time, limit int) ([]models.Case, error) {
	var out []models.Case
	err := s.conn(ctx).Where("status = ? AND channel = ? AND published_at >= ? AND published_at < ?",
		models.CasePublished, ch, from, to).Order("published_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// PublishedCasesByIDs loads those of the cases that are published now.
func (s *Store) PublishedCasesByIDs(ctx context.Context, ids []string) ([]models.Case, error) {
	var out []models.Case
	for _, part := range chunks(ids) {
		var rows []models.Case
		if err := s.conn(ctx).Where("id IN ? AND status = ?", part, models.CasePublished).Find(&rows).Error; err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// CampaignsOverlapping lists the campaigns whose days [starts_on, ends_on] meet [fromDay,
// toDay] (China-time days, both included), earliest start first, at most limit. The frozen
// reports are not loaded.
func (s *Store) CampaignsOverlapping(ctx context.Context, fromDay, toDay string, limit int) ([]models.Campaign, error) {
	var out []models.Campaign
	err := s.conn(ctx).Omit("report").Where("starts_on <= ? AND ends_on >= ?", toDay, fromDay).
		Order("starts_on ASC, id ASC").Limit(limit).Find(&out).Error
	return out, err
}
