package service

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// FeedEntries is how many of the latest published cases the Atom feed carries.
const FeedEntries = 50

// Get is a published case; any other does not exist for the public.
func (cs *Cases) Get(ctx context.Context, id string) (*CaseView, error) {
	if len(id) > 64 {
		return nil, models.NotFound("case")
	}
	k, err := cs.st.CaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if k.Status != models.CasePublished {
		return nil, models.NotFound("case")
	}
	views, err := cs.publicViews(ctx, []models.Case{*k})
	if err != nil {
		return nil, err
	}
	return &views[0], nil
}

// List is one page of published cases, the latest publication first.
func (cs *Cases) List(ctx context.Context, f CaseListFilter, page models.Page) ([]CaseView, string, error) {
	f.Status = ""
	sf, err := checkListFilter(f, false)
	if err != nil {
		return nil, "", err
	}
	sf.Status, sf.Published = models.CasePublished, true
	if sf.After, err = models.DecodeCursor(page.Cursor, 2); err != nil {
		return nil, "", err
	}
	sf.Limit = page.Limit + 1
	items, err := cs.st.ListCases(ctx, sf)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > page.Limit {
		items = items[:page.Limit]
		last := items[len(items)-1]
		next = models.EncodeCursor(last.PublishedAt.UTC().Format(time.RFC3339Nano), last.ID)
	}
	views, err := cs.publicViews(ctx, items)
	return views, next, err
}

// Feed is the latest FeedEntries published cases for the Atom feed, with the time the newest
// change among them was made (zero when there is none).
func (cs *Cases) Feed(ctx context.Context, f CaseListFilter) ([]CaseView, time.Time, error) {
	f.Status, f.Query = "", ""
	sf, err := checkListFilter(f, false)
	if err != nil {
		return nil, time.Time{}, err
	}
	sf.Status, sf.Published, sf.Limit = models.CasePublished, true, FeedEntries
	items, err := cs.st.ListCases(ctx, sf)
	if err != nil {
		return nil, time.Time{}, err
	}
	var updated time.Time
	for i := range items {
		if items[i].UpdatedAt.After(updated) {
			updated = items[i].UpdatedAt
		}
	}
	views, err := cs.publicViews(ctx, items)
	return views, updated, err
}

// AdminGet is any case, as staff review it.
func (cs *Cases) AdminGet(ctx context.Context, p *models.Principal, id string) (*AdminCaseView, error) {
	if err := staffOnly(p); err != nil {
		return nil, err
	}
	if len(id) > 64 {
		return nil, models.NotFound("case")
	}
	k, err := cs.st.CaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	views, err := cs.adminViews(ctx, []models.Case{*k})
	if err != nil {
		return nil, err
	}
	return &views[0], nil
}

// AdminList is one page of every case, drafts too, the newest first.
func (cs *Cases) AdminList(ctx context.Context, p *models.Principal, f CaseListFilter, page models.Page) ([]AdminCaseView, string, error) {
	if err := staffOnly(p); err != nil {
		return nil, "", err
	}
	sf, err := checkListFilter(f, true)
	if err != nil {
		return nil, "", err
	}
	items, next, err := pageByID(page, func(k *models.Case) string { return k.ID },
		func(after string, limit int) ([]models.Case, error) {
			if after != "" {
				sf.After = []string{after}
			}
			sf.Limit = limit
			return cs.st.ListCases(ctx, sf)
		})
	if err != nil {
		return nil, "", err
	}
	views, err := cs.adminViews(ctx, items)
	return views, next, err
}

// platformsOf loads the platforms of the cases: from the cache when they share one, else in
// one statement.
func (cs *Cases) platformsOf(ctx context.Context, items []models.Case) (map[string]*models.Platform, error) {
	byID := map[string]*models.Platform{}
	for i := range items {
		byID[items[i].PlatformID] = nil
	}
	if len(byID) == 1 {
		for id := range byID {
			p, err := cs.platforms.Platform(ctx, id)
			if err != nil && !errors.Is(err, models.ErrNotFound) {
				return nil, err
			}
			byID[id] = p
		}
		return byID, nil
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	ps, err := cs.st.PlatformsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		byID[ps[i].ID] = &ps[i]
	}
	return byID, nil
}

func (cs *Cases) publicViews(ctx context.Context, items []models.Case) ([]CaseView, error) {
	ps, err := cs.platformsOf(ctx, items)
	if err != nil {
		return nil, err
	}
	out := make([]CaseView, len(items))
	for i := range items {
		out[i] = caseView(&items[i], ps[items[i].PlatformID])
	}
	return out, nil
}

// adminViews presents cases with their complaints and complainants, read in one statement each.
func (cs *Cases) adminViews(ctx context.Context, items []models.Case) ([]AdminCaseView, error) {
	out := make([]AdminCaseView, 0, len(items))
	if len(items) == 0 {
		return out, nil
	}
	ps, err := cs.platformsOf(ctx, items)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].ComplaintID
	}
	complaints, err := cs.st.ComplaintRowsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]*models.Complaint{}
	var userIDs []string
	for i := range complaints {
		byID[complaints[i].ID] = &complaints[i]
		userIDs = append(userIDs, complaints[i].ComplainantID)
	}
	users, err := cs.st.UsersByIDs(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	userByID := map[string]*models.User{}
	for i := range users {
		userByID[users[i].ID] = &users[i]
	}
	for i := range items {
		c := byID[items[i].ComplaintID]
		if c == nil {
			c = &models.Complaint{ID: items[i].ComplaintID}
		}
		pii := items[i].Holds // as the case was last written: a page does not run the detector on each
		if pii == nil {
			pii = items[i].PersonalInfo(models.KnownValues(c, userByID[c.ComplainantID]))
		}
		out = append(out, cs.adminCaseViewHolding(&items[i], c, ps[items[i].PlatformID], pii))
	}
	return out, nil
}

// unpublishNeedingConsent withdraws, in tx, the complaint's published cases whose texts hold
// personal information: the consent they were published under is gone. c is locked.
func (cs *Cases) unpublishNeedingConsent(ctx context.Context, tx *store.Store, c *models.Complaint) error {
	ks, err := tx.CasesOfComplaintsForUpdate(ctx, []string{c.ID})
	if err != nil || len(ks) == 0 {
		return err
	}
	u, err := complainantOf(ctx, tx, c)
	if err != nil {
		return err
	}
	known := models.KnownValues(c, u)
	for i := range ks {
		k := &ks[i]
		hits := k.PersonalInfo(known)
		if k.Status != models.CasePublished || len(hits) == 0 {
			continue
		}
		before, reason := k.Version, models.UnpublishedNoConsent
		k.Holds = hits
		k.Status, k.UnpublishedReason = models.CaseWithdrawn, &reason
		k.UpdatedAt, k.Version = now(cs.clock), k.Version+1
		if err := tx.SaveCase(ctx, before, k); err != nil {
			return err
		}
		cs.log.InfoContext(ctx, "case unpublished: the complainant withdrew the consent its text needed", "case_id", k.ID,
			"complaint_id", c.ID)
	}
	return nil
}

// GiveConsent records the complainant's consent to publishing the complaint, personal
// information included, as a typical case. Giving it again changes nothing.
func (cs *Cases) GiveConsent(ctx context.Context, p *models.Principal, complaintID string) (*ComplaintView, error) {
	return cs.complaints.act(ctx, complaintID, AudienceOwner, ownedBy(p), func(_ *store.Store, c *models.Complaint, _ *effects) error {
		if c.PublishConsentAt == nil {
			t := now(cs.clock)
			c.PublishConsentAt = &t
			c.Version++ // not updated_at: nothing a platform reads changed
		}
		return nil
	})
}

// WithdrawConsent withdraws it; the complaint's published cases that needed it (their texts
// hold personal information) are withdrawn in the same transaction, those that did not stay.
func (cs *Cases) WithdrawConsent(ctx context.Context, p *models.Principal, complaintID string) (*ComplaintView, error) {
	return cs.complaints.act(ctx, complaintID, AudienceOwner, ownedBy(p), func(tx *store.Store, c *models.Complaint, _ *effects) error {
		if c.PublishConsentAt == nil {
			return nil
		}
		c.PublishConsentAt = nil
		c.Version++
		return cs.unpublishNeedingConsent(ctx, tx, c)
	})
}

// checkListFilter validates a listing's query.
func checkListFilter(f CaseListFilter, staff bool) (store.CaseFilter, error) {
	var v models.Validator
	sf := store.CaseFilter{Status: models.CaseStatus(f.Status), Sector: models.Sector(f.Sector), PlatformID: f.PlatformID,
		Tag: strings.TrimSpace(f.Tag), Query: strings.TrimSpace(f.Query)}
	if staff && f.Status != "" && !sf.Status.Valid() {
		v.Add("status", "must be draft, published or withdrawn")
	}
	if f.Sector != "" && !sf.Sector.Valid() {
		v.Add("sector", "must be one of digital_retail, digital_life, digital_health, digital_education, cross_border, industrial, logistics")
	}
	if len(f.PlatformID) > 64 || models.ControlChar(f.PlatformID) {
		v.Add("platform_id", "is not a platform id")
	}
	if utf8.RuneCountInString(f.Tag) > maxCaseTagRunes || models.ControlChar(f.Tag) || !utf8.ValidString(f.Tag) {
		v.Add("tag", "must be at most %d printable characters", maxCaseTagRunes)
	}
	if utf8.RuneCountInString(f.Query) > maxCaseQuery || models.ControlChar(f.Query) || !utf8.ValidString(f.Query) {
		v.Add("q", "must be at most %d printable characters", maxCaseQuery)
	}
	return sf, v.Err()
}
