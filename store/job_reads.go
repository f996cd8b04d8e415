package store

import (
	"context"

	"github.com/dianshubao/dianshubao/models"
)

// HasOpenJob reports whether a job of kind for ref is still waiting or running
// (idx_jobs_ref), so that a safety net does not queue the same work twice.
func (s *Store) HasOpenJob(ctx context.Context, kind, ref string) (bool, error) {
	var ids []string
	err := s.conn(ctx).Model(&models.Job{}).
		Where("ref = ? AND kind = ? AND state IN ?", ref, kind, []string{models.JobAvailable, models.JobRunning}).
		Limit(1).Pluck("id", &ids).Error
	return len(ids) > 0, err
}
