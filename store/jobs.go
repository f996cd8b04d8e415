package store

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
)

// EnqueueJobs inserts work-queue rows in the caller's transaction, in one statement per 200.
// A job whose UniqueKey is taken already is skipped.
func (s *Store) EnqueueJobs(ctx context.Context, jobs []models.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	db := s.db.WithContext(ctx)
	for _, j := range jobs {
		if j.UniqueKey != nil {
			// Unique jobs go one by one, so that a taken key skips only its own row.
			if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&j).Error; err != nil {
				return err
			}
		}
	}
	plain := make([]models.Job, 0, len(jobs))
	for _, j := range jobs {
		if j.UniqueKey == nil {
			plain = append(plain, j)
		}
	}
	if len(plain) == 0 {
		return nil
	}
	return db.CreateInBatches(plain, 200).Error
}
