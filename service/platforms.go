package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

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

func validatePlatform(v *models.Validator, name, slug, sector string, tags []string, contact *AfterSalesContact) {
	if v.Text("name", name, 1, 255) && len([]rune(models.PlatformNameKey(name))) > models.MaxPlatformNameKey {
		v.Add("name", "must be at most %d characters once full-width forms are folded", models.MaxPlatformNameKey)
	}
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
		if contact.Phone != "" && v.Text("after_sales_contact.phone", contact.Phone, 3, 32) &&
			!models.ServicePhone(strings.TrimSpace(contact.Phone)) {
			v.Add("after_sales_contact.phone", "must be a mainland mobile (13800138000), a landline with its area code (010-12345678, optional -extension), a 400/800 number (400-123-4567) or a 95xxx/96xxx service number (95188)")
		}
		if contact.Email != "" {
			if _, ok := models.NormalizeEmail(contact.Email); !ok {
				v.Add("after_sales_contact.email", "must be one e-mail address without a display name (kefu@example.com)")
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

// taken tells which unique member a duplicate-key error on platform p hit: its name (the
// unique index on the name key) or its slug. The index decides the race; this only names it.
func taken(ctx context.Context, tx *store.Store, p *models.Platform) error {
	if p.NameKey != nil {
		if dup, err := tx.PlatformNameKeyTaken(ctx, *p.NameKey, p.ID); err != nil {
			return err
		} else if dup {
			return models.Conflict("name_taken", "a platform named %q exists (names are compared ignoring case, full-width forms and surrounding spaces)", p.Name)
		}
	}
	return models.Conflict("slug_taken", "a platform with slug %q already exists", p.Slug)
}

// Create adds a platform; a taken slug is 409 slug_taken, a taken name 409 name_taken.
func (ps *Platforms) Create(ctx context.Context, req CreatePlatformRequest) (*models.Platform, error) {
	var v models.Validator
	validatePlatform(&v, req.Name, req.Slug, req.Sector, req.Tags, req.AfterSalesContact)
	if err := v.Err(); err != nil {
		return nil, err
	}
	t := now(ps.clock)
	p := &models.Platform{ID: models.NewID(), Slug: req.Slug,
		Sector: models.Sector(req.Sector), Tags: cleanTags(req.Tags), Onboarded: req.Onboarded,
		CreatedAt: t, UpdatedAt: t}
	p.SetName(req.Name)
	applyContact(p, req.AfterSalesContact)
	return command(ctx, ps.st, func(tx *store.Store) (*models.Platform, error) {
		if err := tx.CreatePlatform(ctx, p); err != nil {
			if store.IsDuplicate(err) {
				return nil, taken(ctx, tx, p)
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
			p.SetName(*req.Name)
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
				return nil, taken(ctx, tx, p)
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

// Get loads one platform by id.
func (ps *Platforms) Get(ctx context.Context, id string) (*models.Platform, error) {
	if len(id) > 64 {
		return nil, models.NotFound("platform")
	}
	return ps.st.PlatformByID(ctx, id)
}

// Lookup loads one platform by id or, failing that, by slug: ids and slugs never collide
// in practice (ids are 32 hex digits, slugs are chosen words), and an id is tried first.
func (ps *Platforms) Lookup(ctx context.Context, idOrSlug string) (*models.Platform, error) {
	p, err := ps.Get(ctx, idOrSlug)
	if !errors.Is(err, models.ErrNotFound) || !models.ValidSlug(idOrSlug) {
		return p, err
	}
	return ps.st.PlatformBySlug(ctx, idOrSlug)
}

// PlatformListFilter narrows a platform listing.
type PlatformListFilter struct {
	Sector string
	// Query is a part of the name, compared ignoring case, full-width forms and spaces around.
	Query string
}

// List returns one page of platforms matching f, and the cursor of the next.
func (ps *Platforms) List(ctx context.Context, f PlatformListFilter, page models.Page) ([]models.Platform, string, error) {
	var v models.Validator
	if f.Sector != "" && !models.Sector(f.Sector).Valid() {
		v.Add("sector", "is not a known sector")
	}
	query := ""
	if f.Query != "" && v.Text("q", f.Query, 0, 255) {
		query = models.PlatformNameKey(f.Query)
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	return pageByID(page, func(p *models.Platform) string { return p.ID },
		func(after string, limit int) ([]models.Platform, error) {
			return ps.st.ListPlatforms(ctx, store.PlatformFilter{Sector: models.Sector(f.Sector), NameContains: query,
				AfterID: after, Limit: limit})
		})
}

// JSONShape tells strict body readers the members an after_sales_contact has.
func (NullableContact) JSONShape() any { return AfterSalesContact{} }
