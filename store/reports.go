package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
)

// FilingRow counts the complaints of a period's filings that share an issue type, a set of
// demands (as stored: JSON text), a status, a rejection reason and whether review accepted them.
type FilingRow struct {
	IssueType       *string
	Demands         *string
	Status          models.Status
	RejectionReason *string
	Accepted        bool
	N               int64
}

// FilingCounts groups the complaints of a channel filed in [from, to) in one aggregate query.
// The groups are few (issue types × demand sets × statuses), whatever the number of rows.
func (s *Store) FilingCounts(ctx context.Context, channel models.Channel, from, to time.Time) ([]FilingRow, error) {
	const accepted = "CASE WHEN accepted_at IS NULL THEN 0 ELSE 1 END"
	var rows []FilingRow
	err := s.conn(ctx).Table("complaints").
		Select("issue_type, demands, status, rejection_reason, "+accepted+" AS accepted, COUNT(*) AS n").
		Where("channel = ? AND created_at >= ? AND created_at < ?", channel, from, to).
		Group("issue_type, demands, status, rejection_reason, " + accepted).
		Scan(&rows).Error
	return rows, err
}

// EarliestFiling is when the first complaint still stored was filed; ErrNotFound when none is.
func (s *Store) EarliestFiling(ctx context.Context) (time.Time, error) {
	var c models.Complaint
	err := s.conn(ctx).Select("id, created_at").Order("created_at").Take(&c).Error
	return c.CreatedAt, translate(err, "complaint")
}

// ReportSnapshotOf loads a frozen report, or ErrNotFound.
func (s *Store) ReportSnapshotOf(ctx context.Context, period, kind string) (*models.ReportSnapshot, error) {
	var snap models.ReportSnapshot
	err := s.conn(ctx).Where("period = ? AND kind = ?", period, kind).Take(&snap).Error
	return &snap, translate(err, "report snapshot")
}

// FreezeReport stores a report unless one is stored for its period and kind; the first writer
// wins on every instance, and the stored one is returned.
func (s *Store) FreezeReport(ctx context.Context, snap *models.ReportSnapshot) (*models.ReportSnapshot, error) {
	if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(snap).Error; err != nil && !IsDuplicate(err) {
		return nil, err
	}
	stored, err := s.ReportSnapshotOf(ctx, snap.Period, snap.Kind)
	if errors.Is(err, models.ErrNotFound) {
		return snap, nil
	}
	return stored, err
}
