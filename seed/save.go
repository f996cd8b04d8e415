package seed

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// savePlatforms creates the planned platforms that do not exist yet (by slug) and adopts the
// stored ones, with their real reachability. It returns how many it created.
func savePlatforms(ctx context.Context, st *store.Store, plans []*platformPlan) (int, error) {
	db := st.DB().WithContext(st.Keyed(ctx))
	bySlug := map[string]*models.Platform{}
	for chunk := range slices.Chunk(plans, 500) {
		slugs := make([]string, len(chunk))
		for i, p := range chunk {
			slugs[i] = p.Slug
		}
		var found []models.Platform
		if err := db.Where("slug IN ?", slugs).Find(&found).Error; err != nil {
			return 0, err
		}
		for i := range found {
			bySlug[found[i].Slug] = &found[i]
		}
	}
	var fresh []models.Platform
	var keys []models.APIKey
	for _, p := range plans {
		if old := bySlug[p.Slug]; old != nil {
			p.Platform = *old
			reachable, err := reachable(ctx, st, old)
			if err != nil {
				return 0, err
			}
			p.reachable, p.apiKey = reachable, reachable && !old.HasAfterSalesContact()
			continue
		}
		fresh = append(fresh, p.Platform)
		if p.apiKey {
			keys = append(keys, unusableAPIKey(p.ID, p.CreatedAt))
		}
	}
	size := insertBatchSize(db, &models.Platform{})
	for chunk := range slices.Chunk(fresh, size) {
		if err := insertRows(ctx, db, chunk, size); err != nil {
			return 0, err
		}
	}
	if len(keys) > 0 {
		if err := insertRows(ctx, db, keys, insertBatchSize(db, &models.APIKey{})); err != nil {
			return 0, err
		}
	}
	return len(fresh), nil
}

// reachable is the service's rule: onboarded, and an after-sales contact, an active API key
// or an enabled webhook endpoint.
func reachable(ctx context.Context, st *store.Store, p *models.Platform) (bool, error) {
	if !p.Onboarded {
		return false, nil
	}
	if p.HasAfterSalesContact() {
		return true, nil
	}
	if n, err := st.CountActiveAPIKeys(ctx, p.ID); err != nil || n > 0 {
		return n > 0, err
	}
	n, err := st.CountEnabledWebhookEndpoints(ctx, p.ID)
	return n > 0, err
}

// unusableAPIKey is an active key whose secret nobody has: it makes a platform without an
// after-sales contact reachable, as an integrated platform is. Its bytes come from
// crypto/rand, so that knowing the seed gives no working key.
func unusableAPIKey(platformID string, at time.Time) models.APIKey {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	plain := "dsb_live_" + hex.EncodeToString(b)
	sum := sha256.Sum256([]byte(plain))
	return models.APIKey{ID: models.NewID(), PlatformID: platformID, Name: "seed", Prefix: plain[:12],
		KeyHash: hex.EncodeToString(sum[:]), CreatedAt: at}
}

// saveAccounts creates the consumer (phones 199xxxxxxxx) and merchant (198xxxxxxxx) accounts
// that do not exist yet, all with one bcrypt hash of Password, and returns every one of them.
func saveAccounts(ctx context.Context, st *store.Store, opts Options, platforms []*platformPlan, cum []float64, order []int) ([]models.User, []models.User, int, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(Password), opts.BcryptCost)
	if err != nil {
		return nil, nil, 0, err
	}
	r := newRand(opts.Seed, streamAccounts)
	pg := &complaintGen{r: r, platforms: platforms, cum: cum, order: order}
	from := opts.From.Start()
	mk := func(role models.Role, prefix string, i int) models.User {
		phone := fmt.Sprintf("%s%08d", prefix, i+1)
		created := from.Add(-seconds(r, time.Hour, 400*24*time.Hour))
		u := models.User{ID: seededID(r, created, uint16(i)), Role: role, Phone: &phone, PasswordHash: string(hash),
			RealName: personName(r), CreatedAt: created, UpdatedAt: created}
		if role == models.RoleMerchant {
			shop := string(pick(r, surnames)) + "记" + pick(r, shopWords)
			u.ShopName = &shop
			pid := pg.platform().ID
			u.ShopPlatformID = &pid
		}
		st.SetUserHashes(&u)
		return u
	}
	consumers := make([]models.User, opts.Consumers)
	for i := range consumers {
		consumers[i] = mk(models.RoleConsumer, "199", i)
	}
	merchants := make([]models.User, opts.Merchants)
	for i := range merchants {
		merchants[i] = mk(models.RoleMerchant, "198", i)
	}
	db := st.DB().WithContext(st.Keyed(ctx))
	created := 0
	for _, group := range [][]models.User{consumers, merchants} {
		var fresh []models.User
		for chunk := range slices.Chunk(group, 1000) {
			var hashes []string
			for i := range chunk {
				hashes = append(hashes, st.Keys().Hashes(*chunk[i].Phone)...)
			}
			var found []models.User
			if err := db.Where("phone_hash IN ?", hashes).Find(&found).Error; err != nil {
				return nil, nil, 0, err
			}
			byPhone := make(map[string]models.User, len(found))
			for _, u := range found {
				byPhone[*u.Phone] = u
			}
			for i := range chunk {
				if old, ok := byPhone[*chunk[i].Phone]; ok {
					if old.Role != chunk[i].Role {
						return nil, nil, 0, fmt.Errorf("phone %s belongs to a %s account, not a %s", *old.Phone, old.Role, chunk[i].Role)
					}
					chunk[i] = old
					continue
				}
				fresh = append(fresh, chunk[i])
			}
		}
		size := insertBatchSize(db, &models.User{})
		for chunk := range slices.Chunk(fresh, size) {
			if err := insertRows(ctx, db, chunk, size); err != nil {
				return nil, nil, 0, err
			}
		}
		created += len(fresh)
	}
	return consumers, merchants, created, nil
}

// reserveNumbers takes each day's numbers before any complaint is written: the day's sequence
// moves up by the day's count in one upsert, exactly as filing takes one, so the seeded
// numbers never collide with numbers already given or taken later, even by a server running
// meanwhile. A failed run leaves a gap, which numbers may have.
func reserveNumbers(ctx context.Context, st *store.Store, days []dayPlan) error {
	return st.DB().WithContext(st.Keyed(ctx)).Transaction(func(tx *gorm.DB) error {
		for i := range days {
			d := &days[i]
			if d.count == 0 {
				continue
			}
			err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "day"}},
				DoUpdates: clause.Assignments(map[string]any{"last": gorm.Expr("last + ?", d.count)}),
			}).Create(&models.ComplaintSequence{Day: d.key, Last: int64(d.count)}).Error
			if err != nil {
				return err
			}
			var seq models.ComplaintSequence
			if err := tx.Where("day = ?", d.key).Take(&seq).Error; err != nil {
				return err
			}
			d.base = seq.Last - int64(d.count)
			if seq.Last > 999_999 {
				return fmt.Errorf("day %s would need numbers beyond 999999", d.key)
			}
		}
		return nil
	})
}
