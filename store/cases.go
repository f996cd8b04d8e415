package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/models"
)

// CreateCase inserts a drafted case.
func (s *Store) CreateCase(ctx context.Context, k *models.Case) error {
	return s.conn(ctx).Create(k).Error
}

// CaseByID loads a case.
func (s *Store) CaseByID(ctx context.Context, id string) (*models.Case, error) {
	var k models.Case
	err := s.conn(ctx).Where("id = ?", id).Take(&k).Error
	return &k, translate(err, "case")
}

// CaseForUpdate loads a case with a row lock, inside a transaction.
func (s *Store) CaseForUpdate(ctx context.Context, id string) (*models.Case, error) {
	var k models.Case
	err := s.withLock(s.conn(ctx)).Where("id = ?", id).Take(&k).Error
	return &k, translate(err, "case")
}

// CasesOfComplaintsForUpdate loads, with a lock, the cases made of the complaints (one each at
// most), in id order.
func (s *Store) CasesOfComplaintsForUpdate(ctx context.Context, complaintIDs []string) ([]models.Case, error) {
	var out []models.Case
	for _, ids := range chunks(complaintIDs) {
		var part []models.Case
		if err := s.withLock(s.conn(ctx)).Where("complaint_id IN ?", ids).Order("id ASC").Find(&part).Error; err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

// PublishedCases loads up to limit published cases after the id afterID ("": from the
// first), in id order.
func (s *Store) PublishedCases(ctx context.Context, afterID string, limit int) ([]models.Case, error) {
	var out []models.Case
	q := s.conn(ctx).Where("status = ?", models.CasePublished)
	if afterID != "" {
		q = q.Where("id > ?", afterID)
	}
	return out, q.Order("id ASC").Limit(limit).Find(&out).Error
}

// SaveCase writes every column of a case whose row still has version before.
func (s *Store) SaveCase(ctx context.Context, before int, k *models.Case) error {
	res := s.conn(ctx).Model(k).Select("*").Omit("id", "complaint_id", "created_at").
		Where("version = ?", before).Updates(k)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return models.Conflict("complaint_changed", "the case was changed at the same time; retry")
	}
	return nil
}

// CaseFilter narrows a case listing. Zero values do not filter.
type CaseFilter struct {
	Status     models.CaseStatus
	Sector     models.Sector
	PlatformID string
	Tag        string
	// Query is a part of the title, summary or body, ignoring the case of Latin letters.
	Query string
	// Published lists newest publication first, after the cursor [published_at, id];
	// otherwise newest draft first, after [id].
	Published bool
	After     []string
	Limit     int
}

// ListCases returns one page of cases.
func (s *Store) ListCases(ctx context.Context, f CaseFilter) ([]models.Case, error) {
	q := s.conn(ctx).Model(&models.Case{}).Limit(f.Limit)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Sector != "" {
		q = q.Where("sector = ?", f.Sector)
	}
	if f.PlatformID != "" {
		q = q.Where("platform_id = ?", f.PlatformID)
	}
	if f.Tag != "" {
		// Tags are stored as the JSON encoder writes them: the tag as JSON, quotes included,
		// is a part of the array nothing else matches.
		b, _ := json.Marshal(f.Tag)
		q = q.Where("tags LIKE ? ESCAPE '!'", "%"+likeEscape(string(b))+"%")
	}
	if f.Query != "" {
		like := "%" + likeEscape(strings.ToLower(f.Query)) + "%"
		q = q.Where("(LOWER(title) LIKE ? ESCAPE '!' OR LOWER(summary) LIKE ? ESCAPE '!' OR LOWER(body) LIKE ? ESCAPE '!')",
			like, like, like)
	}
	if f.Published {
		q = q.Order("published_at DESC, id DESC")
		if len(f.After) == 2 {
			at, err := time.Parse(time.RFC3339Nano, f.After[0])
			if err != nil || at.UTC().Year() < 2000 || at.UTC().Year() > 9999 {
				return nil, models.ErrInvalidCursor
			}
			q = q.Where("(published_at < ? OR (published_at = ? AND id < ?))", at, at, f.After[1])
		}
	} else {
		q = q.Order("id DESC")
		if len(f.After) == 1 {
			q = q.Where("id < ?", f.After[0])
		}
	}
	var out []models.Case
	return out, q.Find(&out).Error
}

// ComplaintRowsByIDs loads complaints' own columns by id.
func (s *Store) ComplaintRowsByIDs(ctx context.Context, ids []string) ([]models.Complaint, error) {
	var out []models.Complaint
	for _, part := range chunks(ids) {
		var rows []models.Complaint
		if err := s.conn(ctx).Where("id IN ?", part).Find(&rows).Error; err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// UsersByIDs loads accounts by id.
func (s *Store) UsersByIDs(ctx context.Context, ids []string) ([]models.User, error) {
	var out []models.User
	for _, part := range chunks(ids) {
		var rows []models.User
		if err := s.conn(ctx).Where("id IN ?", part).Find(&rows).Error; err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// EraseCasesOf withdraws the cases made of the complaints and replaces their texts and tags by
// models.ErasedText, and counts them.
func (s *Store) EraseCasesOf(ctx context.Context, complaintIDs []string, at time.Time) (int64, error) {
	var n int64
	reason := models.UnpublishedByErasure
	for _, ids := range chunks(complaintIDs) {
		res := s.conn(ctx).Model(&models.Case{}).Where("complaint_id IN ?", ids).
			Select("title", "summary", "body", "platform_reply", "tags", "scrubbed", "holds", "status", "unpublished_reason", "updated_at", "version").
			Updates(map[string]any{"title": models.ErasedText, "summary": models.ErasedText, "body": models.ErasedText,
				"platform_reply": models.ErasedText, "tags": "[]", "scrubbed": "[]", "holds": "[]", "status": models.CaseWithdrawn,
				"unpublished_reason": reason, "updated_at": at, "version": gorm.Expr("version + 1")})
		if res.Error != nil {
			return n, res.Error
		}
		n += res.RowsAffected
	}
	return n, nil
}
