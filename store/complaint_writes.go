package store

import (
	"context"
	"reflect"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/dianshubao/dianshubao/models"
)

// ErrComplaintChanged is a complaint written by someone else since it was read: the version
// check of UpdateComplaint found no row to change.
var ErrComplaintChanged = models.Conflict("complaint_changed", "the complaint was changed at the same time; retry")

// ReserveComplaintNumbers reserves the next n numbers of the day and returns the first and the
// last. It runs in a short transaction of its own, so that the day's row is locked only for
// the reservation, not for a filing.
func (s *Store) ReserveComplaintNumbers(ctx context.Context, day string, n int64) (first, last int64, err error) {
	db := s.conn(ctx)
	err = db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "day"}},
		DoUpdates: clause.Assignments(map[string]any{"last": gorm.Expr("last + ?", n)}),
	}).Create(&models.ComplaintSequence{Day: day, Last: n}).Error
	if err != nil {
		return 0, 0, err
	}
	var seq models.ComplaintSequence
	if err := db.Where("day = ?", day).Take(&seq).Error; err != nil {
		return 0, 0, err
	}
	return seq.Last - n + 1, seq.Last, nil
}

// InsertClaim takes a duplicate key; false when another complaint holds it.
func (s *Store) InsertClaim(ctx context.Context, cl *models.ComplaintClaim) (bool, error) {
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(cl)
	return res.RowsAffected == 1, res.Error
}

// ClaimHolder reads who holds a key, with a row lock (the latest committed holder, whatever
// the transaction's snapshot).
func (s *Store) ClaimHolder(ctx context.Context, key string) (*models.ComplaintClaim, error) {
	var cl models.ComplaintClaim
	err := s.withLock(s.conn(ctx)).Where("dedupe_key = ?", key).Take(&cl).Error
	return &cl, translate(err, "complaint claim")
}

// TakeOverClaim moves a lapsed key from its holder to cl's complaint; false when the holder
// is no longer the one read.
func (s *Store) TakeOverClaim(ctx context.Context, holder string, cl *models.ComplaintClaim) (bool, error) {
	res := s.conn(ctx).Model(&models.ComplaintClaim{}).
		Where("dedupe_key = ? AND complaint_id = ?", cl.Key, holder).
		Updates(map[string]any{"complaint_id": cl.ComplaintID, "expires_at": cl.ExpiresAt})
	return res.RowsAffected == 1, res.Error
}

// ReleaseClaim gives a key up, if the complaint still holds it.
func (s *Store) ReleaseClaim(ctx context.Context, key, complaintID string) error {
	return s.conn(ctx).Where("dedupe_key = ? AND complaint_id = ?", key, complaintID).
		Delete(&models.ComplaintClaim{}).Error
}

// backfillClaims gives the complaints that are open when the claims table is created their
// duplicate keys, so that the rule holds across the upgrade.
func (s *Store) backfillClaims(ctx context.Context, now time.Time) error {
	var batch []models.Complaint
	q := s.conn(ctx).Select("id", "complainant_id", "platform_id", "order_no", "content_hash", "status", "created_at").
		Where("(order_no IS NOT NULL AND status NOT IN ?) OR (order_no IS NULL AND status <> ? AND created_at > ?)",
			[]models.Status{models.StatusCompleted, models.StatusWithdrawn, models.StatusRejected},
			models.StatusWithdrawn, now.Add(-models.DuplicateWindow))
	return q.FindInBatches(&batch, 500, func(tx *gorm.DB, _ int) error {
		claims := make([]models.ComplaintClaim, 0, len(batch))
		for i := range batch {
			if key, exp, held := batch[i].DuplicateClaim(); held {
				claims = append(claims, models.ComplaintClaim{Key: key, ComplaintID: batch[i].ID, ExpiresAt: exp})
			}
		}
		if len(claims) == 0 {
			return nil
		}
		return s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&claims).Error
	}).Error
}

// LoadComplaintChildren loads the supplements and replies of c, and its timeline when asked,
// oldest first. A complaint never replied to has no replies to read.
func (s *Store) LoadComplaintChildren(ctx context.Context, c *models.Complaint, timeline bool) error {
	return s.LoadChildren(ctx, []*models.Complaint{c}, timeline)
}

// UpdateComplaint writes the columns of c that differ from before, where the row still has
// before's version; ErrComplaintChanged when it does not.
func (s *Store) UpdateComplaint(ctx context.Context, before, c *models.Complaint) error {
	cols, err := s.changedColumns(before, c)
	if err != nil || len(cols) == 0 {
		return err
	}
	res := s.conn(ctx).Model(c).Select(cols).Omit(clause.Associations).
		Where("version = ?", before.Version).Updates(c)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrComplaintChanged
	}
	return nil
}

var complaintSchema struct {
	once sync.Once
	s    *schema.Schema
	err  error
}

// changedColumns names the columns whose values differ between two versions of a complaint.
func (s *Store) changedColumns(before, after *models.Complaint) ([]string, error) {
	complaintSchema.once.Do(func() {
		complaintSchema.s, complaintSchema.err = schema.Parse(&models.Complaint{}, &sync.Map{}, s.db.NamingStrategy)
	})
	if complaintSchema.err != nil {
		return nil, complaintSchema.err
	}
	b, a := reflect.ValueOf(before).Elem(), reflect.ValueOf(after).Elem()
	var cols []string
	for _, f := range complaintSchema.s.Fields {
		if f.DBName == "" || f.PrimaryKey {
			continue
		}
		if !reflect.DeepEqual(b.FieldByIndex(f.StructField.Index).Interface(), a.FieldByIndex(f.StructField.Index).Interface()) {
			cols = append(cols, f.DBName)
		}
	}
	return cols, nil
}

// AddTimelineItems appends status changes, in one statement.
func (s *Store) AddTimelineItems(ctx context.Context, items []models.TimelineItem) error {
	if len(items) == 0 {
		return nil
	}
	return s.conn(ctx).Create(&items).Error
}

// AddSupplements appends supplements, in one statement.
func (s *Store) AddSupplements(ctx context.Context, sps []models.Supplement) error {
	if len(sps) == 0 {
		return nil
	}
	return s.conn(ctx).Create(&sps).Error
}

// AddReplies appends platform replies, in one statement.
func (s *Store) AddReplies(ctx context.Context, rs []models.Reply) error {
	if len(rs) == 0 {
		return nil
	}
	return s.conn(ctx).Create(&rs).Error
}

// AddNotifications writes text messages to be sent by the work queue, in one statement.
func (s *Store) AddNotifications(ctx context.Context, ns []models.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	for i := range ns {
		ns[i].PhoneHash = s.keys.Hash(ns[i].Phone)
	}
	return s.conn(ctx).Create(&ns).Error
}

// AddWebhookEvents writes events to the outbox, in one statement.
func (s *Store) AddWebhookEvents(ctx context.Context, evs []models.WebhookEvent) error {
	if len(evs) == 0 {
		return nil
	}
	return s.conn(ctx).Create(&evs).Error
}
