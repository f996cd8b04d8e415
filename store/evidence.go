package store

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
)

// CreateEvidence inserts the row of an uploaded file (its bytes are already in blob storage).
func (s *Store) CreateEvidence(ctx context.Context, e *models.Evidence) error {
	return s.conn(ctx).Create(e).Error
}

// EvidenceByID loads one piece of evidence.
func (s *Store) EvidenceByID(ctx context.Context, id string) (*models.Evidence, error) {
	var e models.Evidence
	err := s.conn(ctx).Where("id = ?", id).Take(&e).Error
	return &e, translate(err, "evidence")
}

// EvidenceByIDs loads the evidence with these ids, in no particular order; unknown ids are
// simply absent from the result.
func (s *Store) EvidenceByIDs(ctx context.Context, ids []string) ([]models.Evidence, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []models.Evidence
	err := s.conn(ctx).Where("id IN ?", ids).Find(&out).Error
	return out, err
}

// LinkEvidence records that a complaint cites these pieces of evidence; links that already
// exist are left as they are, so citing the same file twice is harmless.
func (s *Store) LinkEvidence(ctx context.Context, complaintID string, evidenceIDs []string) error {
	if len(evidenceIDs) == 0 {
		return nil
	}
	links := make([]models.EvidenceLink, 0, len(evidenceIDs))
	seen := make(map[string]bool, len(evidenceIDs))
	for _, id := range evidenceIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		links = append(links, models.EvidenceLink{EvidenceID: id, ComplaintID: complaintID})
	}
	return s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&links).Error
}

// PlatformCanSeeEvidence reports whether a complaint citing the evidence has been delivered to
// the platform: only then may the platform download the file.
func (s *Store) PlatformCanSeeEvidence(ctx context.Context, evidenceID, platformID string) (bool, error) {
	var hits []string
	err := s.conn(ctx).Table("evidence_links").
		Joins("JOIN complaints ON complaints.id = evidence_links.complaint_id").
		Where("evidence_links.evidence_id = ? AND complaints.platform_id = ? AND complaints.delivered_at IS NOT NULL",
			evidenceID, platformID).
		Limit(1).
		Pluck("evidence_links.evidence_id", &hits).Error
	return len(hits) > 0, err
}

// ComplainantCanSeeEvidence reports whether the evidence is cited by a complaint of the user's
// (a platform's reply evidence, for one).
func (s *Store) ComplainantCanSeeEvidence(ctx context.Context, evidenceID, userID string) (bool, error) {
	var hits []string
	err := s.conn(ctx).Table("evidence_links").
		Joins("JOIN complaints ON complaints.id = evidence_links.complaint_id").
		Where("evidence_links.evidence_id = ? AND complaints.complainant_id = ?", evidenceID, userID).
		Limit(1).
		Pluck("evidence_links.evidence_id", &hits).Error
	return len(hits) > 0, err
}

// LawyerCanSeeEvidence reports whether the evidence is cited by a complaint with a consultation
// assigned to the lawyer whose account is userID (and not emptied by an erasure): the lawyer
// sees that complaint with its evidence.
func (s *Store) LawyerCanSeeEvidence(ctx context.Context, evidenceID, userID string) (bool, error) {
	var hits []string
	err := s.conn(ctx).Table("evidence_links").
		Joins("JOIN complaints ON complaints.id = evidence_links.complaint_id").
		Joins("JOIN consultations ON consultations.complaint_id = complaints.id").
		Joins("JOIN lawyers ON lawyers.id = consultations.lawyer_id").
		Where("evidence_links.evidence_id = ? AND lawyers.user_id = ? AND consultations.question <> ?",
			evidenceID, userID, models.ErasedText).
		Limit(1).
		Pluck("evidence_links.evidence_id", &hits).Error
	return len(hits) > 0, err
}

// DeleteUncitedEvidence deletes an evidence row that no complaint links to.
func (s *Store) DeleteUncitedEvidence(ctx context.Context, id string) error {
	return s.conn(ctx).
		Where("id = ? AND NOT EXISTS (SELECT 1 FROM evidence_links WHERE evidence_links.evidence_id = evidence.id)", id).
		Delete(&models.Evidence{}).Error
}

// UncitedEvidenceForUpdate loads, with a lock, an evidence row that no complaint, supplement or
// reply cites; a cited or missing one is ErrNotFound. The citations are read with a shared lock
// (MariaDB), so a citation another transaction has written but not committed is waited for and
// then seen, not missed.
func (s *Store) UncitedEvidenceForUpdate(ctx context.Context, id string) (*models.Evidence, error) {
	var ev models.Evidence
	if err := s.withLock(s.conn(ctx)).Where("id = ?", id).Take(&ev).Error; err != nil {
		return nil, translate(err, "evidence")
	}
	q := s.withShareLock(s.conn(ctx)).Model(&models.EvidenceLink{}).Where("evidence_id = ?", id).Limit(1)
	var cited []string
	if err := q.Pluck("evidence_id", &cited).Error; err != nil {
		return nil, err
	}
	if len(cited) > 0 {
		return nil, models.NotFound("evidence")
	}
	return &ev, nil
}

// DeleteEvidence deletes an evidence row (its bytes are the blob store's).
func (s *Store) DeleteEvidence(ctx context.Context, id string) error {
	return s.conn(ctx).Where("id = ?", id).Delete(&models.Evidence{}).Error
}
