package store

import (
	"context"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"gorm.io/gorm/clause"
)

// ComplaintIDsOfComplainant lists the ids of every complaint an account filed, in id order
// (the order in which an erasure locks them).
func (s *Store) ComplaintIDsOfComplainant(ctx context.Context, userID string) ([]string, error) {
	var ids []string
	err := s.conn(ctx).Model(&models.Complaint{}).Where("complainant_id = ?", userID).Order("id ASC").Pluck("id", &ids).Error
	return ids, err
}

// ReleaseClaimsOf deletes every duplicate claim a complaint holds.
func (s *Store) ReleaseClaimsOf(ctx context.Context, complaintID string) error {
	return s.conn(ctx).Where("complaint_id = ?", complaintID).Delete(&models.ComplaintClaim{}).Error
}

// EraseSupplementTexts replaces the text of every supplement of the complaints by
// models.ErasedText and counts the supplements.
func (s *Store) EraseSupplementTexts(ctx context.Context, complaintIDs []string) (int64, error) {
	return s.eraseColumn(ctx, &models.Supplement{}, "text", complaintIDs)
}

// EraseReplyContents replaces the content of every reply to the complaints.
func (s *Store) EraseReplyContents(ctx context.Context, complaintIDs []string) (int64, error) {
	return s.eraseColumn(ctx, &models.Reply{}, "content", complaintIDs)
}

// EraseTimelineNotes replaces the note of every timeline entry of the complaints.
func (s *Store) EraseTimelineNotes(ctx context.Context, complaintIDs []string) (int64, error) {
	return s.eraseColumn(ctx, &models.TimelineItem{}, "note", complaintIDs)
}

func (s *Store) eraseColumn(ctx context.Context, model any, column string, complaintIDs []string) (int64, error) {
	var n int64
	for _, ids := range chunks(complaintIDs) {
		res := s.conn(ctx).Model(model).Where("complaint_id IN ?", ids).Update(column, models.ErasedText)
		if res.Error != nil {
			return n, res.Error
		}
		n += res.RowsAffected
	}
	return n, nil
}

// EraseNotifications replaces the phone, text and template parameters of the complaints'
// notifications; one not sent yet fails with the reason, so that its sms job sends nothing.
func (s *Store) EraseNotifications(ctx context.Context, complaintIDs []string) (int64, error) {
	var n int64
	for _, ids := range chunks(complaintIDs) {
		if err := s.conn(ctx).Model(&models.Notification{}).
			Where("complaint_id IN ? AND status = ?", ids, models.NotificationPending).
			Updates(map[string]any{"status": models.NotificationFailed, "last_error": "the account was erased"}).Error; err != nil {
			return n, err
		}
		res := s.conn(ctx).Model(&models.Notification{}).Where("complaint_id IN ?", ids).
			Select("phone", "phone_hash", "text", "params").
			Updates(&models.Notification{Phone: models.ErasedText, PhoneHash: s.keys.Hash(models.ErasedText), Text: models.ErasedText, Params: nil})
		if res.Error != nil {
			return n, res.Error
		}
		n += res.RowsAffected
	}
	return n, nil
}

// WebhookEventsOfComplaint loads the events about a complaint, with a lock: those that name it
// and, among the platform's older ones that do not, those whose body links to it (INSTR over
// the bytes: SQLite's LIKE does not read a BLOB as text).
func (s *Store) WebhookEventsOfComplaint(ctx context.Context, platformID, complaintID, path string) ([]models.WebhookEvent, error) {
	var evs []models.WebhookEvent
	err := s.withLock(s.conn(ctx)).
		Where("complaint_id = ? OR (platform_id = ? AND complaint_id = '' AND INSTR(payload, ?) > 0)",
			complaintID, platformID, []byte(`"url":"`+path+`"`)).
		Order("id ASC").Find(&evs).Error
	return evs, err
}

// ReplaceWebhookEventPayload stores an event's new body.
func (s *Store) ReplaceWebhookEventPayload(ctx context.Context, id string, payload []byte) error {
	return s.conn(ctx).Model(&models.WebhookEvent{}).Where("id = ?", id).Update("payload", payload).Error
}

// DeleteIdempotencyRecordsOf deletes the idempotency records of the person's own requests and
// of every command on the person's complaints, and counts them.
func (s *Store) DeleteIdempotencyRecordsOf(ctx context.Context, userID string) (int64, error) {
	res := s.conn(ctx).Where("owner_id = ? OR subject_id = ?", userID, userID).Delete(&models.IdempotencyRecord{})
	return res.RowsAffected, res.Error
}

// EvidenceOfUploaderForUpdate loads, with a lock, every evidence row a person uploaded.
func (s *Store) EvidenceOfUploaderForUpdate(ctx context.Context, userID string) ([]models.Evidence, error) {
	var evs []models.Evidence
	err := s.withLock(s.conn(ctx)).Where("uploader_kind = ? AND uploader_id = ?", models.UploaderUser, userID).
		Order("id ASC").Find(&evs).Error
	return evs, err
}

// EraseEvidence writes the anonymised name and hash of evidence rows (models.Evidence.Anonymise).
func (s *Store) EraseEvidence(ctx context.Context, ids []string) error {
	for _, part := range chunks(ids) {
		e := models.Evidence{}
		e.Anonymise()
		if err := s.conn(ctx).Model(&models.Evidence{}).Where("id IN ?", part).
			Select("filename", "sha256").Updates(&e).Error; err != nil {
			return err
		}
	}
	return nil
}

// EvidenceHoldsBlob reports whether an evidence row still stores its bytes under key. The rows
// are read with a shared lock (MariaDB): a row another transaction has written but not
// committed is waited for and then seen.
func (s *Store) EvidenceHoldsBlob(ctx context.Context, key string) (bool, error) {
	var ids []string
	q := s.withShareLock(s.conn(ctx)).Model(&models.Evidence{}).Where("sha256 = ?", key).Limit(1)
	err := q.Pluck("id", &ids).Error
	return len(ids) > 0, err
}

// MarkBlobDeletion writes (or moves to at) the mark of a deletion of the bytes under key
// (models.BlobDeletion); a mark another transaction holds is waited for.
func (s *Store) MarkBlobDeletion(ctx context.Context, key string, at time.Time) error {
	return s.conn(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&models.BlobDeletion{SHA256: key, CreatedAt: at}).Error
}

// BlobDeletionMarked reports whether the bytes under key have a deletion's mark, waiting for
// one another transaction is writing (a shared lock on MariaDB; SQLite has one writer at a
// time).
func (s *Store) BlobDeletionMarked(ctx context.Context, key string) (bool, error) {
	var keys []string
	err := s.withShareLock(s.conn(ctx)).Model(&models.BlobDeletion{}).Where("sha256 = ?", key).Limit(1).Pluck("sha256", &keys).Error
	return len(keys) > 0, err
}

// CountLiveRefreshTokens counts an account's refresh tokens that are not revoked.
func (s *Store) CountLiveRefreshTokens(ctx context.Context, userID string, at time.Time) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&models.RefreshToken{}).
		Where("user_id = ? AND revoked_at IS NULL AND expires_at > ?", userID, at).Count(&n).Error
	return n, err
}

// EraseUser anonymises an account: no phone or e-mail (nobody can log in with them again, and
// they may be registered anew), ErasedText as its names, no password, disabled and erased at t.
func (s *Store) EraseUser(ctx context.Context, u *models.User, at time.Time) error {
	u.Phone, u.Email, u.PasswordHash, u.RealName = nil, nil, "", models.ErasedText
	if u.ShopName != nil {
		name := models.ErasedText
		u.ShopName = &name
	}
	u.DisabledAt, u.ErasedAt, u.UpdatedAt = &at, &at, at
	// The lookup hashes go with the values: the phone may register again, and the name is
	// found no more.
	s.SetUserHashes(u)
	return s.conn(ctx).Model(u).
		Select("phone", "phone_hash", "email", "password_hash", "real_name", "real_name_hash", "shop_name", "disabled_at", "erased_at", "updated_at").
		Updates(u).Error
}

// CreateErasure records an erasure.
func (s *Store) CreateErasure(ctx context.Context, e *models.Erasure) error {
	return s.conn(ctx).Create(e).Error
}

// SaveErasure writes an erasure's counts again, after its second sweep.
func (s *Store) SaveErasure(ctx context.Context, e *models.Erasure) error {
	return s.conn(ctx).Save(e).Error
}

// ErasureOfUser is the record of an account's erasure, or ErrNotFound.
func (s *Store) ErasureOfUser(ctx context.Context, userID string) (*models.Erasure, error) {
	var e models.Erasure
	err := s.conn(ctx).Where("user_id = ?", userID).Take(&e).Error
	return &e, translate(err, "erasure")
}

// ListErasures returns erasures in id order after afterID.
func (s *Store) ListErasures(ctx context.Context, afterID string, limit int) ([]models.Erasure, error) {
	q := s.conn(ctx).Order("id ASC").Limit(limit)
	if afterID != "" {
		q = q.Where("id > ?", afterID)
	}
	var out []models.Erasure
	return out, q.Find(&out).Error
}

// chunks splits ids into slices short enough for one IN list.
func chunks(ids []string) [][]string {
	var out [][]string
	for len(ids) > 500 {
		out = append(out, ids[:500])
		ids = ids[500:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}
