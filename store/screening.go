package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
)

// screeningStateID is the id of the screening list's one version row.
const screeningStateID = 1

// SeedScreeningTerms fills the list with terms if it was never seeded, and reports whether
// it did. The version row is taken first: of two instances starting at once, one seeds.
func (s *Store) SeedScreeningTerms(ctx context.Context, terms []models.ScreeningTerm, at time.Time) (bool, error) {
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&models.ScreeningListState{ID: screeningStateID, Version: 1, UpdatedAt: at})
	if res.Error != nil || res.RowsAffected == 0 {
		return false, res.Error
	}
	if len(terms) == 0 {
		return true, nil
	}
	return true, s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(terms, 200).Error
}

// ScreeningVersion is the list's version; 0 before it was seeded.
func (s *Store) ScreeningVersion(ctx context.Context) (int64, error) {
	return screeningVersionOf(s.conn(ctx))
}

// ScreeningVersionForUpdate reads the list's version with a lock on its row, inside a
// transaction: a change to the list (which writes the row first) and a transaction that holds
// the lock wait for each other.
func (s *Store) ScreeningVersionForUpdate(ctx context.Context) (int64, error) {
	return screeningVersionOf(s.withLock(s.conn(ctx)))
}

// screeningVersionOf reads the version row through db; none yet is version 0.
func screeningVersionOf(db *gorm.DB) (int64, error) {
	var st models.ScreeningListState
	err := db.Where("id = ?", screeningStateID).Take(&st).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, nil
	}
	return st.Version, err
}

// ScreeningTermsAll loads the whole list and a version it is at least as new as: the version
// is read first, so a change committed in between makes the copy look stale, never current.
func (s *Store) ScreeningTermsAll(ctx context.Context) ([]models.ScreeningTerm, int64, error) {
	version, err := s.ScreeningVersion(ctx)
	if err != nil {
		return nil, 0, err
	}
	var terms []models.ScreeningTerm
	return terms, version, s.conn(ctx).Select("id", "folded").Order("id").Find(&terms).Error
}

// ListScreeningTerms lists one page of terms in the order they were added.
func (s *Store) ListScreeningTerms(ctx context.Context, afterID string, limit int) ([]models.ScreeningTerm, error) {
	q := s.conn(ctx).Order("id").Limit(limit)
	if afterID != "" {
		q = q.Where("id > ?", afterID)
	}
	var out []models.ScreeningTerm
	return out, q.Find(&out).Error
}

// AddScreeningTerm inserts a term; a duplicate fold is gorm.ErrDuplicatedKey (IsDuplicate).
func (s *Store) AddScreeningTerm(ctx context.Context, t *models.ScreeningTerm) error {
	return s.conn(ctx).Create(t).Error
}

// DeleteScreeningTerm removes a term; ErrNotFound when there is none with this id.
func (s *Store) DeleteScreeningTerm(ctx context.Context, id string) error {
	res := s.conn(ctx).Where("id = ?", id).Delete(&models.ScreeningTerm{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return models.NotFound("screening term")
	}
	return nil
}

// BumpScreeningVersion marks the list changed, in the transaction that changed it.
func (s *Store) BumpScreeningVersion(ctx context.Context, at time.Time) error {
	res := s.conn(ctx).Model(&models.ScreeningListState{}).Where("id = ?", screeningStateID).
		Updates(map[string]any{"version": gorm.Expr("version + 1"), "updated_at": at})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		// A list changed before it was seeded (the admin API on a database never started by
		// this version): the row starts here, and seeding will not overwrite the change.
		return s.conn(ctx).Create(&models.ScreeningListState{ID: screeningStateID, Version: 2, UpdatedAt: at}).Error
	}
	return nil
}
