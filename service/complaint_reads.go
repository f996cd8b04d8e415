package service

import (
	"context"
	"errors"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// FeedLag is how far behind the clock the change feed (updated_since) reads. A change is stamped
// inside its transaction and store.TxTimeout < FeedLag bounds stamp → commit, so by the time a
// stamp is FeedLag old its transaction has committed or rolled back, and no change appears on
// the feed behind one already paged. Instances' clocks must agree to well within FeedLag.
const FeedLag = 5 * time.Second

// View loads a complaint and presents it to aud.
func (cs *Complaints) View(ctx context.Context, id string, aud Audience) (*ComplaintView, error) {
	c, err := cs.st.ComplaintRow(ctx, id)
	if err != nil {
		return nil, err
	}
	return cs.present(ctx, cs.st, c, aud)
}

// viewOf presents a complaint already loaded with its children; st reads the evidence (it may
// be the caller's transaction).
func (cs *Complaints) viewOf(ctx context.Context, st *store.Store, c *models.Complaint, aud Audience) (*ComplaintView, error) {
	views, err := cs.build(ctx, st, []*models.Complaint{c}, aud)
	if err != nil {
		return nil, err
	}
	return &views[0], nil
}

// present loads the children aud sees (the timeline only for owner and staff) and builds the view.
func (cs *Complaints) present(ctx context.Context, st *store.Store, c *models.Complaint, aud Audience) (*ComplaintView, error) {
	if err := st.LoadChildren(ctx, []*models.Complaint{c}, aud != AudiencePlatform); err != nil {
		return nil, err
	}
	return cs.viewOf(ctx, st, c, aud)
}

// Get is a complaint for its owner, staff, or (once delivered) its platform; to anybody else it
// does not exist. Access is checked on the row before any child is read.
func (cs *Complaints) Get(ctx context.Context, p *models.Principal, id string) (*ComplaintView, error) {
	if len(id) > 64 {
		return nil, models.NotFound("complaint")
	}
	c, err := cs.st.ComplaintRow(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Kind == models.PrincipalPlatform:
		if !visibleToPlatform(c, p.PlatformID) {
			return nil, models.NotFound("complaint")
		}
		return cs.present(ctx, cs.st, c, AudiencePlatform)
	case p.Role.IsStaff():
		return cs.present(ctx, cs.st, c, AudienceStaff)
	case c.ComplainantID == p.UserID:
		return cs.present(ctx, cs.st, c, AudienceOwner)
	}
	return nil, models.NotFound("complaint")
}

// List returns one page of complaints for the caller: a complainant's own, the moderator queue
// (oldest first), or a platform's delivered complaints.
func (cs *Complaints) List(ctx context.Context, p *models.Principal, f ComplaintListFilter, page models.Page) ([]ComplaintView, string, error) {
	var v models.Validator
	sf := store.ComplaintFilter{Limit: page.Limit + 1}
	if f.Status != "" {
		if !models.Status(f.Status).Valid() {
			v.Add("status", "is not a complaint status")
		}
		sf.Status = models.Status(f.Status)
	}
	if f.Channel != "" {
		if !models.Channel(f.Channel).Valid() {
			v.Add("channel", "must be consumer or refund_only")
		}
		sf.Channel = models.Channel(f.Channel)
	}
	aud := AudienceOwner
	keys := 1
	switch {
	case p.Kind == models.PrincipalPlatform:
		aud, sf.PlatformID, sf.DeliveredOnly = AudiencePlatform, p.PlatformID, true
		if f.UpdatedSince != "" {
			t, err := time.Parse(time.RFC3339, f.UpdatedSince)
			t = t.UTC()
			if err != nil || t.Year() < 2000 || t.Year() > 9999 {
				// Years outside what the databases keep (a valid offset can push year 0 or 9999
				// over the edge in UTC) are refused here, not by the driver.
				v.Add("updated_since", "must be an RFC 3339 time such as 2026-11-26T08:00:00Z, from the year 2000 on")
			}
			until := now(cs.clock).Add(-FeedLag)
			sf.UpdatedSince, sf.UpdatedUntil = &t, &until
			keys = 2
		}
	case p.Role.IsStaff():
		aud, sf.Ascending, sf.PlatformID = AudienceStaff, true, f.PlatformID
		if f.Flag != "" {
			if f.Flag != models.FlagAbusiveLanguage {
				v.Add("flag", "must be abusive_language")
			}
			sf.Flag = f.Flag
		}
	default:
		sf.ComplainantID = p.UserID
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	after, err := models.DecodeCursor(page.Cursor, keys)
	if err != nil {
		return nil, "", err
	}
	sf.After = after
	items, err := cs.st.ListComplaints(ctx, sf)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > page.Limit {
		items = items[:page.Limit]
		last := items[len(items)-1]
		if keys == 2 {
			next = models.EncodeCursor(last.UpdatedAt.UTC().Format(time.RFC3339Nano), last.ID)
		} else {
			next = models.EncodeCursor(last.ID)
		}
	}
	views, err := cs.views(ctx, items, aud)
	return views, next, err
}

// views presents a page of complaints: their children in one statement, their platforms from
// the cache (or one statement when the page spans several), evidence only when any is cited.
func (cs *Complaints) views(ctx context.Context, items []models.Complaint, aud Audience) ([]ComplaintView, error) {
	ptrs := make([]*models.Complaint, len(items))
	for i := range items {
		ptrs[i] = &items[i]
	}
	if err := cs.st.LoadChildren(ctx, ptrs, aud != AudiencePlatform); err != nil {
		return nil, err
	}
	return cs.build(ctx, cs.st, ptrs, aud)
}

// build presents complaints loaded with their children.
func (cs *Complaints) build(ctx context.Context, st *store.Store, items []*models.Complaint, aud Audience) ([]ComplaintView, error) {
	pByID := map[string]*models.Platform{}
	var evidenceIDs []string
	for _, c := range items {
		pByID[c.PlatformID] = nil
		evidenceIDs = append(evidenceIDs, allEvidenceIDs(c)...)
	}
	switch len(pByID) {
	case 0:
	case 1:
		for id := range pByID {
			p, err := cs.platforms.Platform(ctx, id)
			if err != nil && !errors.Is(err, models.ErrNotFound) {
				return nil, err
			}
			pByID[id] = p
		}
	default:
		ids := make([]string, 0, len(pByID))
		for id := range pByID {
			ids = append(ids, id)
		}
		platforms, err := st.PlatformsByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		for i := range platforms {
			pByID[platforms[i].ID] = &platforms[i]
		}
	}
	var evByID map[string]models.Evidence
	if len(evidenceIDs) > 0 {
		evs, err := st.EvidenceByIDs(ctx, evidenceIDs)
		if err != nil {
			return nil, err
		}
		evByID = make(map[string]models.Evidence, len(evs))
		for _, e := range evs {
			evByID[e.ID] = e
		}
	}
	out := make([]ComplaintView, 0, len(items))
	for _, c := range items {
		out = append(out, cs.view(c, pByID[c.PlatformID], evByID, aud))
	}
	return out, nil
}
