package service

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"math/big"
	"strings"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// APIKeyPrefix starts every live API key, so that leaked keys are easy to recognise and scan for.
const APIKeyPrefix = "dsb_live_"

// apiKeyTouchEvery bounds how often last_used_at is written for a busy key.
const apiKeyTouchEvery = time.Minute

// Platforms manages platform profiles and their API keys.
type Platforms struct {
	st    *store.Store
	clock Clock
	log   *slog.Logger
	cache *platformCache
	keys  apiKeys
	// waker is told when a change queued the delivery of waiting complaints.
	waker Waker
	// limits bound the active keys of a platform.
	limits Limits
}

// changed forgets the cached platform after a commit, and wakes the runner when the commit
// queued the delivery of its waiting complaints.
func (ps *Platforms) changed(platformID string, queued bool) {
	ps.cache.Forget(platformID)
	if queued && ps.waker != nil {
		ps.waker.Wake()
	}
}

// AfterSalesContact is how complainants and the service reach a platform's after-sales team.
type AfterSalesContact struct {
	Phone string `json:"phone,omitempty" example:"95188"`
	Email string `json:"email,omitempty" example:"kefu@example.com"`
}

// CreatePlatformRequest is the body of POST /admin/platforms.
type CreatePlatformRequest struct {
	Name              string             `json:"name" example:"淘宝"`
	Slug              string             `json:"slug" example:"taobao"`
	Sector            string             `json:"sector" example:"digital_retail" enums:"digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics"`
	Tags              []string           `json:"tags" example:"综合电商" validate:"optional"`
	Onboarded         bool               `json:"onboarded" validate:"optional"`
	AfterSalesContact *AfterSalesContact `json:"after_sales_contact" validate:"optional"`
}

// NullableContact is an after_sales_contact in a PATCH: absent leaves it, null removes it.
type NullableContact struct {
	Set   bool
	Value *AfterSalesContact
}

// UnmarshalJSON records that the member was present, and whether it was null.
func (n *NullableContact) UnmarshalJSON(b []byte) error {
	n.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		n.Value = nil
		return nil
	}
	n.Value = &AfterSalesContact{}
	return json.Unmarshal(b, n.Value)
}

// UpdatePlatformRequest is the body of PATCH /admin/platforms/{id}: only the members present
// change; "after_sales_contact": null removes the contact.
type UpdatePlatformRequest struct {
	Name              *string         `json:"name,omitempty"`
	Slug              *string         `json:"slug,omitempty"`
	Sector            *string         `json:"sector,omitempty" enums:"digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics"`
	Tags              *[]string       `json:"tags,omitempty"`
	Onboarded         *bool           `json:"onboarded,omitempty"`
	AfterSalesContact NullableContact `json:"after_sales_contact" swaggertype:"object" validate:"optional" extensions:"x-nullable"`
}

// CreateAPIKeyRequest is the body of POST /admin/platforms/{id}/api-keys.
type CreateAPIKeyRequest struct {
	Name string `json:"name" example:"production"`
}

func validatePlatform(v *models.Validator, name, slug, sector string, tags []string, contact *AfterSalesContact) {
	v.Text("name", name, 1, 255)
	if !models.ValidSlug(slug) {
		v.Add("slug", "must be 1–64 lower-case letters, digits and inner hyphens")
	}
	if !models.Sector(sector).Valid() {
		v.Add("sector", "must be one of digital_retail, digital_life, digital_health, digital_education, cross_border, industrial, logistics")
	}
	if len(tags) > 20 {
		v.Add("tags", "at most 20 tags")
	}
	for _, t := range tags {
		if !v.Text("tags", t, 1, 64) {
			break
		}
	}
	if contact != nil {
		if contact.Phone == "" && contact.Email == "" {
			v.Add("after_sales_contact", "give a phone, an email, or null for none")
		}
		if contact.Phone != "" {
			v.Text("after_sales_contact.phone", contact.Phone, 3, 32)
		}
		if contact.Email != "" {
			if _, ok := models.NormalizeEmail(contact.Email); !ok {
				v.Add("after_sales_contact.email", "must be an e-mail address")
			}
		}
	}
}

func applyContact(p *models.Platform, c *AfterSalesContact) {
	p.AfterSalesPhone, p.AfterSalesEmail = nil, nil
	if c == nil {
		return
	}
	if c.Phone != "" {
		ph := strings.TrimSpace(c.Phone)
		p.AfterSalesPhone = &ph
	}
	if c.Email != "" {
		e, _ := models.NormalizeEmail(c.Email)
		p.AfterSalesEmail = &e
	}
}

func cleanTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		out = append(out, strings.TrimSpace(t))
	}
	return out
}

// Create adds a platform; a taken slug is 409 slug_taken.
func (ps *Platforms) Create(ctx context.Context, req CreatePlatformRequest) (*models.Platform, error) {
	var v models.Validator
	validatePlatform(&v, req.Name, req.Slug, req.Sector, req.Tags, req.AfterSalesContact)
	if err := v.Err(); err != nil {
		return nil, err
	}
	t := now(ps.clock)
	p := &models.Platform{ID: models.NewID(), Name: strings.TrimSpace(req.Name), Slug: req.Slug,
		Sector: models.Sector(req.Sector), Tags: cleanTags(req.Tags), Onboarded: req.Onboarded,
		CreatedAt: t, UpdatedAt: t}
	applyContact(p, req.AfterSalesContact)
	return command(ctx, ps.st, func(tx *store.Store) (*models.Platform, error) {
		if err := tx.CreatePlatform(ctx, p); err != nil {
			if store.IsDuplicate(err) {
				return nil, models.Conflict("slug_taken", "a platform with slug %q already exists", req.Slug)
			}
			return nil, err
		}
		return p, nil
	})
}

// Update changes the members present in req. A change that leaves the platform onboarded may
// make it reachable, so it queues the delivery of its waiting complaints in its own
// transaction; the delivery itself runs in the work queue, never in this request.
func (ps *Platforms) Update(ctx context.Context, id string, req UpdatePlatformRequest) (*models.Platform, error) {
	if len(id) > 64 {
		return nil, models.NotFound("platform")
	}
	queued := false
	out, err := command(ctx, ps.st, func(tx *store.Store) (*models.Platform, error) {
		queued = false
		p, err := tx.PlatformForUpdate(ctx, id)
		if err != nil {
			return nil, err
		}
		if req.Name != nil {
			p.Name = strings.TrimSpace(*req.Name)
		}
		if req.Slug != nil {
			p.Slug = *req.Slug
		}
		if req.Sector != nil {
			p.Sector = models.Sector(*req.Sector)
		}
		if req.Tags != nil {
			p.Tags = cleanTags(*req.Tags)
		}
		if req.Onboarded != nil {
			p.Onboarded = *req.Onboarded
		}
		contact := currentContact(p)
		if req.AfterSalesContact.Set {
			contact = req.AfterSalesContact.Value
		}
		var v models.Validator
		validatePlatform(&v, p.Name, p.Slug, string(p.Sector), p.Tags, contact)
		if err := v.Err(); err != nil {
			return nil, err
		}
		applyContact(p, contact)
		p.UpdatedAt = now(ps.clock)
		if err := tx.SavePlatform(ctx, p); err != nil {
			if store.IsDuplicate(err) {
				return nil, models.Conflict("slug_taken", "a platform with slug %q already exists", p.Slug)
			}
			return nil, err
		}
		if p.Onboarded {
			if err := tx.EnqueueJobs(ctx, []models.Job{awaitingJob(p.ID, p.UpdatedAt)}); err != nil {
				return nil, err
			}
			queued = true
		}
		return p, nil
	})
	if err != nil {
		return nil, err
	}
	ps.changed(id, queued)
	return out, nil
}

func currentContact(p *models.Platform) *AfterSalesContact {
	if !p.HasAfterSalesContact() {
		return nil
	}
	c := &AfterSalesContact{}
	if p.AfterSalesPhone != nil {
		c.Phone = *p.AfterSalesPhone
	}
	if p.AfterSalesEmail != nil {
		c.Email = *p.AfterSalesEmail
	}
	return c
}

// Get loads one platform.
func (ps *Platforms) Get(ctx context.Context, id string) (*models.Platform, error) {
	if len(id) > 64 {
		return nil, models.NotFound("platform")
	}
	return ps.st.PlatformByID(ctx, id)
}

// List returns one page of platforms, optionally of one sector, and the cursor of the next.
func (ps *Platforms) List(ctx context.Context, sector string, page models.Page) ([]models.Platform, string, error) {
	if sector != "" && !models.Sector(sector).Valid() {
		return nil, "", models.Invalid("sector", "is not a known sector")
	}
	return pageByID(page, func(p *models.Platform) string { return p.ID },
		func(after string, limit int) ([]models.Platform, error) {
			return ps.st.ListPlatforms(ctx, store.PlatformFilter{Sector: models.Sector(sector), AfterID: after, Limit: limit})
		})
}

// IssuedAPIKey is a new key with its plaintext: the result of CreateAPIKey's command, from
// which its idempotent response is rendered.
type IssuedAPIKey struct {
	Key    *models.APIKey
	Secret string
}

// CreateAPIKey issues a key for the platform and returns it with its plaintext, which is shown
// once and never stored. A key may make an onboarded platform reachable, so the delivery of
// its waiting complaints is queued in the same transaction.
func (ps *Platforms) CreateAPIKey(ctx context.Context, platformID string, req CreateAPIKeyRequest) (*models.APIKey, string, error) {
	var v models.Validator
	v.Text("name", req.Name, 1, 255)
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	p, err := ps.Get(ctx, platformID)
	if err != nil {
		return nil, "", err
	}
	plain, err := newAPIKey()
	if err != nil {
		return nil, "", err
	}
	k := &models.APIKey{ID: models.NewID(), PlatformID: platformID, Name: strings.TrimSpace(req.Name),
		Prefix: plain[:12], KeyHash: sha256Hex(plain), CreatedAt: now(ps.clock)}
	out, err := command(ctx, ps.st, func(tx *store.Store) (IssuedAPIKey, error) {
		// The platform's row lock serializes key creation, so that the count stays true until
		// this insert commits.
		if _, err := tx.PlatformForUpdate(ctx, platformID); err != nil {
			return IssuedAPIKey{}, err
		}
		n, err := tx.CountActiveAPIKeys(ctx, platformID)
		if err != nil {
			return IssuedAPIKey{}, err
		}
		if err := within(models.LimitActiveAPIKeys, n, ps.limits.ActiveAPIKeysPerPlatform); err != nil {
			return IssuedAPIKey{}, err
		}
		if err := tx.CreateAPIKey(ctx, k); err != nil {
			return IssuedAPIKey{}, err
		}
		if p.Onboarded {
			if err := tx.EnqueueJobs(ctx, []models.Job{awaitingJob(platformID, k.CreatedAt)}); err != nil {
				return IssuedAPIKey{}, err
			}
		}
		return IssuedAPIKey{Key: k, Secret: plain}, nil
	})
	if err != nil {
		return nil, "", err
	}
	ps.changed(platformID, p.Onboarded)
	return out.Key, out.Secret, nil
}

// newAPIKey returns dsb_live_ followed by 32 base62 characters (about 190 random bits).
func newAPIKey() (string, error) {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var sb strings.Builder
	sb.WriteString(APIKeyPrefix)
	max := big.NewInt(int64(len(alphabet)))
	for range 32 {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		sb.WriteByte(alphabet[n.Int64()])
	}
	return sb.String(), nil
}

// ListAPIKeys lists one page of the platform's keys, newest first, without their secrets.
func (ps *Platforms) ListAPIKeys(ctx context.Context, platformID string, page models.Page) ([]models.APIKey, string, error) {
	if _, err := ps.Get(ctx, platformID); err != nil {
		return nil, "", err
	}
	return pageByID(page, func(k *models.APIKey) string { return k.ID },
		func(before string, limit int) ([]models.APIKey, error) {
			return ps.st.ListAPIKeys(ctx, platformID, before, limit)
		})
}

// RevokeAPIKey revokes a key; the next request made with it is refused.
func (ps *Platforms) RevokeAPIKey(ctx context.Context, platformID, keyID string) (*models.APIKey, error) {
	if len(keyID) > 64 {
		return nil, models.NotFound("API key")
	}
	if _, err := ps.st.APIKeyByID(ctx, platformID, keyID); err != nil {
		return nil, err
	}
	if err := ps.st.RevokeAPIKey(ctx, keyID, now(ps.clock)); err != nil {
		return nil, err
	}
	ps.keys.forget(keyID)
	ps.cache.Forget(platformID)
	return ps.st.APIKeyByID(ctx, platformID, keyID)
}

// AuthenticateAPIKey resolves a presented key to its platform. A known key is remembered for
// at most a second: a revocation takes effect on the next request on the instance that revoked
// and within a second on the others. Uses are noted in memory and written by RunKeyUseFlusher,
// so a request writes nothing; a bogus key costs one indexed read.
func (ps *Platforms) AuthenticateAPIKey(ctx context.Context, plain string) (*models.Principal, error) {
	if !strings.HasPrefix(plain, APIKeyPrefix) || len(plain) > 128 {
		return nil, models.ErrInvalidToken
	}
	hash := sha256Hex(plain)
	p, gen := ps.keys.lookup(hash)
	if p == nil {
		start := time.Now()
		k, err := ps.st.APIKeyByHash(ctx, hash)
		if err != nil {
			if errors.Is(err, models.ErrNotFound) {
				return nil, models.ErrInvalidToken
			}
			return nil, err
		}
		if !k.Active() {
			return nil, models.ErrInvalidToken
		}
		p = &models.Principal{Kind: models.PrincipalPlatform, PlatformID: k.PlatformID, APIKeyID: k.ID}
		ps.keys.remember(hash, *p, gen, start)
	}
	ps.keys.used(p.APIKeyID, now(ps.clock))
	return p, nil
}

// JSONShape tells strict body readers the members an after_sales_contact has.
func (NullableContact) JSONShape() any { return AfterSalesContact{} }
