package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
)

// RatingRow is one platform's raw counts for a period and channel.
type RatingRow struct {
	PlatformID     string
	ComplaintCount int64
	RepliedCount   int64
	RatedCount     int64
	TimelinessSum  float64
	ScoreSum       int64
}

// ratedStatuses are the statuses that count in a rating population (API.md 7.1).
var ratedStatuses = []models.Status{models.StatusDelivered, models.StatusReplied, models.StatusCompleted}

// RatingCounts computes every platform's counts for a period in one aggregate query, grouped
// by platform: an index-only scan of idx_complaints_rating_cover. Reply times are bucketed in SQL from
// reply_seconds: under 72 h scores 1.0, under 120 h 0.6, later 0. A non-zero pendingAfter
// leaves out the complaints delivered after it and not yet replied (a live list's complaints
// still within their reply window, API.md 7.1).
func (s *Store) RatingCounts(ctx context.Context, channel models.Channel, from, to, pendingAfter time.Time) ([]RatingRow, error) {
	q := s.conn(ctx).Table("complaints AS c").
		Select(`c.platform_id AS platform_id,
			COUNT(*) AS complaint_count,
			SUM(CASE WHEN c.first_replied_at IS NULL THEN 0 ELSE 1 END) AS replied_count,
			SUM(CASE WHEN c.rating_score IS NULL THEN 0 ELSE 1 END) AS rated_count,
			SUM(CASE WHEN c.first_replied_at IS NULL THEN 0
				WHEN c.reply_seconds < ? THEN 1.0
				WHEN c.reply_seconds < ? THEN 0.6
				ELSE 0 END) AS timeliness_sum,
			COALESCE(SUM(c.rating_score), 0) AS score_sum`,
			int64(72*time.Hour/time.Second), int64(120*time.Hour/time.Second)).
		Where("c.channel = ? AND c.delivered_at >= ? AND c.delivered_at < ? AND c.status IN ?", channel, from, to, ratedStatuses).
		Group("c.platform_id")
	if !pendingAfter.IsZero() {
		q = q.Where("(c.first_replied_at IS NOT NULL OR c.delivered_at <= ?)", pendingAfter)
	}
	var rows []RatingRow
	return rows, q.Scan(&rows).Error
}

// acceptedStatuses are the statuses of a complaint review let through that still count.
var acceptedStatuses = []models.Status{models.StatusAwaitingContact, models.StatusDelivered, models.StatusReplied, models.StatusCompleted}

// AcceptedCounts counts each platform's complaints accepted in [from, to) and not withdrawn:
// the complaint_count of an unrated platform's line (API.md 7.7), awaiting_contact included.
func (s *Store) AcceptedCounts(ctx context.Context, channel models.Channel, from, to time.Time) (map[string]int64, error) {
	var rows []struct {
		PlatformID string
		N          int64
	}
	err := s.conn(ctx).Table("complaints").Select("platform_id, COUNT(*) AS n").
		Where("accepted_at >= ? AND accepted_at < ? AND channel = ? AND status IN ?", from, to, channel, acceptedStatuses).
		Group("platform_id").Scan(&rows).Error
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.PlatformID] = r.N
	}
	return out, err
}

// backfillAcceptedAt sets accepted_at on complaints from before the column: the moment of the
// timeline's first step out of review. Rows that have it are not touched, so it runs on every
// start at the cost of one indexed scan.
func (s *Store) backfillAcceptedAt(ctx context.Context) error {
	return s.conn(ctx).Exec(`UPDATE complaints SET accepted_at = (
			SELECT MIN(t.at) FROM complaint_timeline t
			WHERE t.complaint_id = complaints.id AND t.from_status = ? AND t.to_status IN ?)
		WHERE accepted_at IS NULL AND status IN ?`,
		models.StatusPendingReview, []models.Status{models.StatusAwaitingContact, models.StatusDelivered}, acceptedStatuses).Error
}

// RatingSnapshotOf loads a frozen list, or ErrNotFound.
func (s *Store) RatingSnapshotOf(ctx context.Context, period, channel string) (*models.RatingSnapshot, error) {
	var snap models.RatingSnapshot
	err := s.conn(ctx).Where("period = ? AND channel = ?", period, channel).Take(&snap).Error
	return &snap, translate(err, "rating snapshot")
}

// FreezeRating stores a snapshot unless one exists; the first writer wins on every instance,
// and the stored one is returned.
func (s *Store) FreezeRating(ctx context.Context, snap *models.RatingSnapshot) (*models.RatingSnapshot, error) {
	if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(snap).Error; err != nil && !IsDuplicate(err) {
		return nil, err
	}
	stored, err := s.RatingSnapshotOf(ctx, snap.Period, snap.Channel)
	if errors.Is(err, models.ErrNotFound) {
		return snap, nil
	}
	return stored, err
}
