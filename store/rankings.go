package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
)

// RankingIndex is the index that serves RankingCounts.
const RankingIndex = "idx_complaints_ranking"

// RankingRow is the number of a platform's complaints of one issue type (nil: none given)
// and channel filed in a period.
type RankingRow struct {
	PlatformID string
	IssueType  *string
	Channel    models.Channel
	N          int64
}

// rankingQuery is the complaint rankings' aggregate over [from, to): one range scan of
// idx_complaints_ranking, which holds every column it reads. On MariaDB/MySQL SQL_BIG_RESULT
// has the groups made by sorting the scanned entries rather than through a temporary table:
// over a year of a million complaints that takes half the time (bench/README.md).
func (s *Store) rankingQuery(ctx context.Context, from, to time.Time) *gorm.DB {
	hint := ""
	if s.driver == "mysql" {
		hint = "SQL_BIG_RESULT "
	}
	return s.conn(ctx).Table("complaints").
		Select(hint+"platform_id, issue_type, channel, COUNT(*) AS n").
		Where("created_at >= ? AND created_at < ? AND status NOT IN ?", from, to, models.RankingExcluded).
		Group("platform_id, issue_type, channel")
}

// RankingCounts counts the complaints filed in [from, to) whose status is now neither
// rejected nor withdrawn, by platform, issue type and channel, in one aggregate query.
func (s *Store) RankingCounts(ctx context.Context, from, to time.Time) ([]RankingRow, error) {
	var rows []RankingRow
	return rows, s.rankingQuery(ctx, from, to).Scan(&rows).Error
}

// ExplainRankingCounts returns the plan the database chooses for RankingCounts (EXPLAIN on
// MariaDB/MySQL, EXPLAIN QUERY PLAN on SQLite), one map per row, so that a test can check the
// plan uses RankingIndex.
func (s *Store) ExplainRankingCounts(ctx context.Context, from, to time.Time) ([]map[string]any, error) {
	stmt := s.rankingQuery(ctx, from, to).Session(&gorm.Session{DryRun: true}).Scan(&[]RankingRow{}).Statement
	explain := "EXPLAIN "
	if s.driver == "sqlite" {
		explain = "EXPLAIN QUERY PLAN "
	}
	var out []map[string]any
	err := s.conn(ctx).Raw(explain+stmt.SQL.String(), stmt.Vars...).Scan(&out).Error
	return out, err
}

// RankingSnapshotOf loads a frozen ranking, or ErrNotFound.
func (s *Store) RankingSnapshotOf(ctx context.Context, period string) (*models.RankingSnapshot, error) {
	var snap models.RankingSnapshot
	err := s.conn(ctx).Where("period = ?", period).Take(&snap).Error
	return &snap, translate(err, "ranking snapshot")
}

// FreezeRanking stores a snapshot unless one exists; the first writer wins on every instance,
// and the stored one is returned.
func (s *Store) FreezeRanking(ctx context.Context, snap *models.RankingSnapshot) (*models.RankingSnapshot, error) {
	if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(snap).Error; err != nil && !IsDuplicate(err) {
		return nil, err
	}
	stored, err := s.RankingSnapshotOf(ctx, snap.Period)
	if errors.Is(err, models.ErrNotFound) {
		return snap, nil
	}
	return stored, err
}
