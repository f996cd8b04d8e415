package store

import (
	"context"

	"github.com/dianshubao/dianshubao/models"
)

// CountEnabledWebhookEndpoints counts a platform's enabled endpoints.
func (s *Store) CountEnabledWebhookEndpoints(ctx context.Context, platformID string) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.WebhookEndpoint{}).
		Where("platform_id = ? AND enabled = ?", platformID, true).Count(&n).Error
	return n, err
}
