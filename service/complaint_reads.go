package service

import (
	"context"
	"errors"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// View loads a complaint and presents it to aud.
func (cs *Complaints) View(ctx context.Context, id string, aud Audience) (*ComplaintView, error) {
	c, err := cs.st.ComplaintByID(ctx, id)
	if err != nil {
		return nil, err
	}
	v, err := cs.viewOf(ctx, cs.st, c, aud)
	return v, err
}

func (cs *Complaints) viewOf(ctx context.Context, st *store.Store, c *models.Complaint, aud Audience) (*ComplaintView, error) {
	p, err := st.PlatformByID(ctx, c.PlatformID)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return nil, err
	}
	evs, err := st.EvidenceByIDs(ctx, allEvidenceIDs(c))
	if err != nil {
		return nil, err
	}
	byID := make(map[string]models.Evidence, len(evs))
	for _, e := range evs {
		byID[e.ID] = e
	}
	v := buildView(c, p, byID, aud)
	return &v, nil
}

// Get is a complaint for its owner, staff, or (once delivered) its platform; to anybody else it
// does not exist.
func (cs *Complaints) Get(ctx context.Context, p *models.Principal, id string) (*ComplaintView, error) {
	if len(id) > 64 {
		return nil, models.NotFound("complaint")
	}
	c, err := cs.st.ComplaintByID(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Kind == models.PrincipalPlatform:
		if !visibleToPlatform(c, p.PlatformID) {
			return nil, models.NotFound("complaint")
		}
		return cs.viewOf(ctx, cs.st, c, AudiencePlatform)
	case p.Role.IsStaff():
		return cs.viewOf(ctx, cs.st, c, AudienceStaff)
	case c.ComplainantID == p.UserID:
		return cs.viewOf(ctx, cs.st, c, AudienceOwner)
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
			if err != nil {
				v.Add("updated_since", "must be an RFC 3339 time such as 2026-11-26T08:00:00Z")
			}
			t = t.UTC()
			sf.UpdatedSince = &t
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

// views presents a page of complaints, loading their children, platforms and evidence for the
// whole page at once.
func (cs *Complaints) views(ctx context.Context, items []models.Complaint, aud Audience) ([]ComplaintView, error) {
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].ID
	}
	full, err := cs.st.ComplaintsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*models.Complaint, len(full))
	var platformIDs, evidenceIDs []string
	for i := range full {
		byID[full[i].ID] = &full[i]
		platformIDs = append(platformIDs, full[i].PlatformID)
		evidenceIDs = append(evidenceIDs, allEvidenceIDs(&full[i])...)
	}
	platforms, err := cs.st.PlatformsByIDs(ctx, platformIDs)
	if err != nil {
		return nil, err
	}
	pByID := make(map[string]*models.Platform, len(platforms))
	for i := range platforms {
		pByID[platforms[i].ID] = &platforms[i]
	}
	evs, err := cs.st.EvidenceByIDs(ctx, evidenceIDs)
	if err != nil {
		return nil, err
	}
	evByID := make(map[string]models.Evidence, len(evs))
	for _, e := range evs {
		evByID[e.ID] = e
	}
	out := make([]ComplaintView, 0, len(items))
	for _, it := range items {
		if c := byID[it.ID]; c != nil {
			out = append(out, buildView(c, pByID[c.PlatformID], evByID, aud))
		}
	}
	return out, nil
}
