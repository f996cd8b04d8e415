package store

import (
	"context"

	"github.com/dianshubao/dianshubao/models"
)

// CreateLawyer inserts a lawyer's profile; an account linked to another profile already is a
// duplicate error (IsDuplicate).
func (s *Store) CreateLawyer(ctx context.Context, l *models.Lawyer) error {
	return s.conn(ctx).Create(l).Error
}

// LawyerByID loads one profile.
func (s *Store) LawyerByID(ctx context.Context, id string) (*models.Lawyer, error) {
	var l models.Lawyer
	err := s.conn(ctx).Where("id = ?", id).Take(&l).Error
	return &l, translate(err, "lawyer")
}

// LawyerForUpdate loads one profile with a row lock, inside a transaction.
func (s *Store) LawyerForUpdate(ctx context.Context, id string) (*models.Lawyer, error) {
	var l models.Lawyer
	err := s.withLock(s.conn(ctx)).Where("id = ?", id).Take(&l).Error
	return &l, translate(err, "lawyer")
}

// LawyerByUserID loads the profile linked to an account; ErrNotFound when none is.
func (s *Store) LawyerByUserID(ctx context.Context, userID string) (*models.Lawyer, error) {
	var l models.Lawyer
	err := s.conn(ctx).Where("user_id = ?", userID).Take(&l).Error
	return &l, translate(err, "lawyer")
}

// LawyersByIDs loads the profiles with these ids (those that exist).
func (s *Store) LawyersByIDs(ctx context.Context, ids []string) ([]models.Lawyer, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []models.Lawyer
	return out, s.conn(ctx).Where("id IN ?", ids).Find(&out).Error
}

// SaveLawyer writes every column of a profile loaded under its row lock.
func (s *Store) SaveLawyer(ctx context.Context, l *models.Lawyer) error {
	return s.conn(ctx).Save(l).Error
}

// LawyerFilter narrows a listing of profiles, ordered by id. Zero values do not filter.
type LawyerFilter struct {
	Specialty  models.Specialty
	ActiveOnly bool
	After      string
	Limit      int
}

// ListLawyers lists one page of profiles, oldest first.
func (s *Store) ListLawyers(ctx context.Context, f LawyerFilter) ([]models.Lawyer, error) {
	q := s.conn(ctx).Order("id").Limit(f.Limit)
	if f.Specialty != "" {
		q = q.Where("specialties LIKE ? ESCAPE '!'", `%"`+likeEscape(string(f.Specialty))+`"%`)
	}
	if f.ActiveOnly {
		q = q.Where("active = ?", true)
	}
	if f.After != "" {
		q = q.Where("id > ?", f.After)
	}
	var out []models.Lawyer
	return out, q.Find(&out).Error
}

// AssignableLawyers are the active profiles with specialty whose lawyer-role account is
// enabled, in id order.
func (s *Store) AssignableLawyers(ctx context.Context, specialty models.Specialty) ([]models.Lawyer, error) {
	accounts := s.conn(ctx).Model(&models.User{}).Select("id").
		Where("role = ? AND disabled_at IS NULL AND erased_at IS NULL", models.RoleLawyer)
	var out []models.Lawyer
	err := s.conn(ctx).Where("active = ? AND user_id IN (?)", true, accounts).
		Where("specialties LIKE ? ESCAPE '!'", `%"`+likeEscape(string(specialty))+`"%`).
		Order("id").Find(&out).Error
	return out, err
}

// OpenConsultationLoads counts, for each lawyer, the consultations assigned to them that are
// not closed or cancelled.
func (s *Store) OpenConsultationLoads(ctx context.Context, lawyerIDs []string) (map[string]int64, error) {
	out := make(map[string]int64, len(lawyerIDs))
	if len(lawyerIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		LawyerID string
		N        int64
	}
	err := s.conn(ctx).Model(&models.Consultation{}).Select("lawyer_id, COUNT(*) AS n").
		Where("lawyer_id IN ? AND status IN ?", lawyerIDs, []models.ConsultationStatus{models.ConsultationAssigned, models.ConsultationAnswered}).
		Group("lawyer_id").Scan(&rows).Error
	for _, r := range rows {
		out[r.LawyerID] = r.N
	}
	return out, err
}
