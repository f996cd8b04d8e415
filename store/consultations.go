package store

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
)

// ErrConsultationChanged is an update of a consultation whose version moved on meanwhile.
var ErrConsultationChanged = &models.Error{Kind: models.KindConflict, Code: "invalid_state", Detail: "the consultation was changed at the same time; retry"}

// CreateConsultation inserts a consultation without its messages.
func (s *Store) CreateConsultation(ctx context.Context, c *models.Consultation) error {
	return s.conn(ctx).Omit(clause.Associations).Create(c).Error
}

// AddConsultationMessages inserts messages of a thread, in one statement.
func (s *Store) AddConsultationMessages(ctx context.Context, ms []models.ConsultationMessage) error {
	if len(ms) == 0 {
		return nil
	}
	return s.conn(ctx).Create(&ms).Error
}

// ConsultationByID loads one consultation without its messages.
func (s *Store) ConsultationByID(ctx context.Context, id string) (*models.Consultation, error) {
	var c models.Consultation
	err := s.conn(ctx).Where("id = ?", id).Take(&c).Error
	return &c, translate(err, "consultation")
}

// ConsultationForUpdate loads one consultation with a row lock, inside a transaction.
func (s *Store) ConsultationForUpdate(ctx context.Context, id string) (*models.Consultation, error) {
	var c models.Consultation
	err := s.withLock(s.conn(ctx)).Where("id = ?", id).Take(&c).Error
	return &c, translate(err, "consultation")
}

// UpdateConsultation writes a consultation's changing columns where the row still has version
// prev; ErrConsultationChanged when it does not.
func (s *Store) UpdateConsultation(ctx context.Context, c *models.Consultation, prev int) error {
	res := s.conn(ctx).Model(&models.Consultation{}).Where("id = ? AND version = ?", c.ID, prev).
		Updates(map[string]any{"question": c.Question, "status": c.Status, "lawyer_id": c.LawyerID,
			"assigned_at": c.AssignedAt, "answered_at": c.AnsweredAt, "closed_at": c.ClosedAt,
			"updated_at": c.UpdatedAt, "version": c.Version})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrConsultationChanged
	}
	return nil
}

// LoadConsultationMessages fills the messages of cs, oldest first, in one query.
func (s *Store) LoadConsultationMessages(ctx context.Context, cs []*models.Consultation) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]string, len(cs))
	byID := make(map[string]*models.Consultation, len(cs))
	for i, c := range cs {
		ids[i], byID[c.ID] = c.ID, c
		c.Messages = []models.ConsultationMessage{}
	}
	var ms []models.ConsultationMessage
	if err := s.conn(ctx).Where("consultation_id IN ?", ids).Order("id").Find(&ms).Error; err != nil {
		return err
	}
	for _, m := range ms {
		c := byID[m.ConsultationID]
		c.Messages = append(c.Messages, m)
	}
	return nil
}

// CountOpenConsultations counts the consultations on a complaint that are not closed or cancelled.
func (s *Store) CountOpenConsultations(ctx context.Context, complaintID string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&models.Consultation{}).
		Where("complaint_id = ? AND status IN ?", complaintID, models.OpenConsultationStatuses).Count(&n).Error
	return n, err
}

// ConsultationFilter narrows a listing of consultations. Zero values do not filter.
type ConsultationFilter struct {
	RequesterID string
	LawyerID    string
	Status      models.ConsultationStatus
	// Unerased leaves out the consultations an erasure emptied.
	Unerased bool
	// Ascending lists oldest first (by id); otherwise newest first.
	Ascending bool
	After     string
	Limit     int
}

// ListConsultations lists one page of consultations without their messages.
func (s *Store) ListConsultations(ctx context.Context, f ConsultationFilter) ([]models.Consultation, error) {
	q := s.conn(ctx).Limit(f.Limit)
	if f.RequesterID != "" {
		q = q.Where("requester_id = ?", f.RequesterID)
	}
	if f.LawyerID != "" {
		q = q.Where("lawyer_id = ?", f.LawyerID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Unerased {
		q = q.Where("question <> ?", models.ErasedText)
	}
	if f.Ascending {
		q = q.Order("id ASC")
		if f.After != "" {
			q = q.Where("id > ?", f.After)
		}
	} else {
		q = q.Order("id DESC")
		if f.After != "" {
			q = q.Where("id < ?", f.After)
		}
	}
	var out []models.Consultation
	return out, q.Find(&out).Error
}

// ConsultationsOfRequesterForUpdate loads, with row locks in id order, every consultation a
// person requested (an erasure's).
func (s *Store) ConsultationsOfRequesterForUpdate(ctx context.Context, userID string) ([]models.Consultation, error) {
	var out []models.Consultation
	return out, s.withLock(s.conn(ctx)).Where("requester_id = ?", userID).Order("id").Find(&out).Error
}

// EraseConsultationMessagesBy replaces the bodies of the messages a complainant wrote in these
// consultations with ErasedText, and returns how many it changed.
func (s *Store) EraseConsultationMessagesBy(ctx context.Context, consultationIDs []string, authorID string) (int64, error) {
	if len(consultationIDs) == 0 {
		return 0, nil
	}
	res := s.conn(ctx).Model(&models.ConsultationMessage{}).
		Where("consultation_id IN ? AND author_type = ? AND author_id = ? AND body <> ?", consultationIDs,
			models.ConsultantComplainant, authorID, models.ErasedText).
		Update("body", models.ErasedText)
	return res.RowsAffected, res.Error
}
