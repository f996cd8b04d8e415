package store

import (
	"context"
	"log/slog"

	"github.com/dianshubao/dianshubao/models"
)

// backfillPlatformNameKeys gives every platform created before names were kept unique its
// name key, oldest first. A platform whose name is already another's keeps no key (so the
// unique index can be built) and is logged, for an admin to rename; renaming it sets the key.
// Rows are updated one by one and only while still without a key, so two instances starting
// together settle on the same result.
func (s *Store) backfillPlatformNameKeys(ctx context.Context) error {
	db := s.conn(ctx)
	var missing []models.Platform
	if err := db.Select("id", "name", "slug").Where("name_key IS NULL").
		Order("created_at ASC, id ASC").Find(&missing).Error; err != nil {
		return err
	}
	if len(missing) == 0 {
		return nil
	}
	var taken []string
	if err := db.Model(&models.Platform{}).Where("name_key IS NOT NULL").Pluck("name_key", &taken).Error; err != nil {
		return err
	}
	owner := make(map[string]bool, len(taken))
	for _, k := range taken {
		owner[k] = true
	}
	log := s.log
	if log == nil {
		log = slog.Default()
	}
	for _, p := range missing {
		key := models.PlatformNameKey(p.Name)
		if owner[key] || len([]rune(key)) > models.MaxPlatformNameKey {
			log.WarnContext(ctx, "platform name duplicates an earlier platform's; rename it to make it unique",
				"platform_id", p.ID, "slug", p.Slug, "name", p.Name)
			continue
		}
		err := db.Model(&models.Platform{}).Where("id = ? AND name_key IS NULL", p.ID).Update("name_key", key).Error
		if IsDuplicate(err) {
			log.WarnContext(ctx, "platform name duplicates an earlier platform's; rename it to make it unique",
				"platform_id", p.ID, "slug", p.Slug, "name", p.Name)
			continue
		}
		if err != nil {
			return err
		}
		owner[key] = true
	}
	return nil
}
