package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Cases publishes typical cases (典型案例): completed complaints told to the public, drafted
// from the complaint with the complainant's personal information scrubbed (models.Scrub).
// Staff review the draft, may edit it (edits are kept as entered), and publish it; a published
// text that still holds personal information needs the complainant's consent, recorded on the
// complaint. Every command locks the complaint before the case, as the consent's commands do.
type Cases struct {
	st         *store.Store
	clock      Clock
	log        *slog.Logger
	complaints *Complaints
	platforms  *platformCache
	// screening is the list the cases are screened with (complaints.screen); change brings it
	// up to date inside its transaction.
	screening *ScreeningList
}

// CreateCaseRequest is the body of POST /admin/cases.
type CreateCaseRequest struct {
	ComplaintID string `json:"complaint_id" example:"0193a5c2e4f87a01b2c3d4e5f6a7b8c9"`
	Title       string `json:"title" example:"付款后商家拒不发货，平台督促后全额退款" minLength:"5" maxLength:"100"`
	Summary     string `json:"summary" example:"消费者下单购买手机后商家迟迟不发货，经电诉宝递交平台，平台核实后为消费者全额退款。" minLength:"1" maxLength:"500"`
	// Sector defaults to the platform's.
	Sector *string  `json:"sector,omitempty" validate:"optional" example:"digital_retail" enums:"digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics"`
	Tags   []string `json:"tags" validate:"optional" example:"退款,发货物流"`
}

// UpdateCaseRequest is the body of PATCH /admin/cases/{id}: only the members present change,
// and the texts are kept as entered (not scrubbed again).
type UpdateCaseRequest struct {
	Title         *string   `json:"title,omitempty" minLength:"5" maxLength:"100"`
	Summary       *string   `json:"summary,omitempty" minLength:"1" maxLength:"500"`
	Body          *string   `json:"body,omitempty" minLength:"1" maxLength:"10000"`
	PlatformReply *string   `json:"platform_reply,omitempty" maxLength:"10000"`
	Sector        *string   `json:"sector,omitempty" enums:"digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics"`
	Tags          *[]string `json:"tags,omitempty"`
}

// CaseListFilter is the query of a case listing; Status is for staff only.
type CaseListFilter struct {
	Status, Sector, PlatformID, Tag, Query string
}

const (
	maxCaseTags     = 10
	maxCaseTagRunes = 20
	maxCaseQuery    = 100
	maxCaseText     = 10000
)

var (
	errCaseNotPublished = &models.Error{Kind: models.KindInvalidState, Code: "invalid_state", Detail: "the case is not published"}
	errCasePublished    = &models.Error{Kind: models.KindInvalidState, Code: "invalid_state", Detail: "the case is published already"}
	errCaseErased       = &models.Error{Kind: models.KindInvalidState, Code: "invalid_state",
		Detail: "the complainant's account was erased: the complaint cannot be published"}
)

// errConsentRequired refuses to publish personal information without the complainant's consent.
func errConsentRequired(hits []models.CaseHit) error {
	fields := []string{}
	for _, h := range hits {
		if !slices.Contains(fields, h.Field) {
			fields = append(fields, h.Field)
		}
	}
	return &models.Error{Kind: models.KindConflict, Code: "consent_required",
		Detail: "the case's " + strings.Join(fields, ", ") + " still hold personal information (see personal_information) and the complainant has not consented to its publication: scrub it or ask for the consent"}
}

func staffOnly(p *models.Principal) error {
	if p == nil || p.Kind != models.PrincipalPerson || !p.Role.IsStaff() {
		return models.ErrForbidden
	}
	return nil
}

// checkSector reads an optional sector.
func checkSector(v *models.Validator, s *string) models.Sector {
	if s == nil {
		return ""
	}
	if !models.Sector(*s).Valid() {
		v.Add("sector", "must be one of digital_retail, digital_life, digital_health, digital_education, cross_border, industrial, logistics")
	}
	return models.Sector(*s)
}

// checkTags reads the tags: at most 10, each 1–20 characters, none twice, none holding
// personal information (tags are shown and filtered on as they are). The complainant's known
// values are checked in the command (knownInTags).
func checkTags(v *models.Validator, tags []string) []string {
	out := []string{}
	if len(tags) > maxCaseTags {
		v.Add("tags", "at most %d tags", maxCaseTags)
		return out
	}
	for _, t := range tags {
		if !v.Text("tags", t, 1, maxCaseTagRunes) {
			return out
		}
		t = strings.TrimSpace(t)
		switch {
		case slices.Contains(out, t):
			v.Add("tags", "%q is listed twice", t)
			return out
		case len(models.DetectPersonalInfo(t, nil)) > 0:
			v.Add("tags", "%q holds personal information", t)
			return out
		}
		out = append(out, t)
	}
	return out
}

// knownInTags refuses a tag that holds one of the complainant's known values (a tag 张三 of
// the contact 张三).
func knownInTags(tags []string, known []models.Known) error {
	for _, t := range tags {
		if len(models.DetectPersonalInfo(t, known)) > 0 {
			return models.Invalid("tags", fmt.Sprintf("%q holds personal information", t))
		}
	}
	return nil
}

// Create drafts a case of a completed complaint: its texts scrubbed, what was scrubbed listed.
func (cs *Cases) Create(ctx context.Context, p *models.Principal, req CreateCaseRequest) (*AdminCaseView, error) {
	if err := staffOnly(p); err != nil {
		return nil, err
	}
	var v models.Validator
	switch {
	case req.ComplaintID == "":
		v.Add("complaint_id", "is required")
	case len(req.ComplaintID) > 64:
		v.Add("complaint_id", "is not a known complaint")
	}
	v.Text("title", req.Title, 5, 100)
	v.Text("summary", req.Summary, 1, 500)
	sector := checkSector(&v, req.Sector)
	tags := checkTags(&v, req.Tags)
	if err := v.Err(); err != nil {
		return nil, err
	}
	t := now(cs.clock)
	return command(ctx, cs.st, func(tx *store.Store) (*AdminCaseView, error) {
		c, err := tx.ComplaintForUpdate(ctx, req.ComplaintID)
		if errors.Is(err, models.ErrNotFound) {
			return nil, models.Invalid("complaint_id", "is not a known complaint")
		}
		if err != nil {
			return nil, err
		}
		subjectOf(ctx, c)
		switch {
		case c.Erased():
			return nil, errCaseErased
		case c.Status != models.StatusCompleted:
			return nil, &models.Error{Kind: models.KindInvalidState, Code: "invalid_state",
				Detail: "only a completed complaint can become a typical case; this one is " + string(c.Status)}
		}
		existing, err := tx.CasesOfComplaintsForUpdate(ctx, []string{c.ID})
		if err != nil {
			return nil, err
		}
		if len(existing) > 0 {
			return nil, &models.Error{Kind: models.KindConflict, Code: "case_exists",
				Detail: "the complaint is a case already", Extra: map[string]any{"existing_id": existing[0].ID}}
		}
		if err := tx.LoadComplaintChildren(ctx, c, false); err != nil {
			return nil, err
		}
		u, err := complainantOf(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		platform, err := cs.platforms.PlatformVia(ctx, tx, c.PlatformID)
		if err != nil {
			return nil, err
		}
		if sector == "" {
			sector = platform.Sector
		}
		known := models.KnownValues(c, u)
		if err := knownInTags(tags, known); err != nil {
			return nil, err
		}
		k := models.DraftCase(c, models.CaseInput{ID: models.NewID(), Title: req.Title, Summary: req.Summary,
			Sector: sector, Tags: tags, CreatedBy: p.UserID, At: t})
		k.ScrubTexts(known)
		k.Holds = k.PersonalInfo(known)
		if err := tx.CreateCase(ctx, k); err != nil {
			return nil, err
		}
		v := cs.adminCaseView(k, c, u, platform)
		return &v, nil
	})
}

// subjectOf names the complainant as the subject of the request's idempotency record: the
// answer describes their complaint, and their erasure deletes it.
func subjectOf(ctx context.Context, c *models.Complaint) {
	if im := IdempotentOf(ctx); im != nil {
		im.Subject = c.ComplainantID
	}
}

// complainantOf loads the complaint's complainant; an account that is gone is nil.
func complainantOf(ctx context.Context, st *store.Store, c *models.Complaint) (*models.User, error) {
	u, err := st.UserByID(ctx, c.ComplainantID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// change runs a command on case id: the screening list's version row is locked (and this
// instance's copy of the list brought up to it), then the complaint, then the case; fn changes
// the case in memory (and returns false when nothing changed), and the case is written. The
// first lock keeps a publication or an edit from crossing a term being added, whose
// transaction withdraws the published cases that hold it.
func (cs *Cases) change(ctx context.Context, p *models.Principal, id string, fn func(k *models.Case, c *models.Complaint, known []models.Known) (bool, error)) (*AdminCaseView, error) {
	if err := staffOnly(p); err != nil {
		return nil, err
	}
	if len(id) > 64 {
		return nil, models.NotFound("case")
	}
	pre, err := cs.st.CaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return command(ctx, cs.st, func(tx *store.Store) (*AdminCaseView, error) {
		if cs.screening != nil {
			if err := cs.screening.currentIn(ctx, tx); err != nil {
				return nil, err
			}
		}
		c, err := tx.ComplaintForUpdate(ctx, pre.ComplaintID)
		if err != nil {
			return nil, err
		}
		subjectOf(ctx, c)
		k, err := tx.CaseForUpdate(ctx, id)
		if err != nil {
			return nil, err
		}
		u, err := complainantOf(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		before, known := k.Version, models.KnownValues(c, u)
		changed, err := fn(k, c, known)
		if err != nil {
			return nil, err
		}
		if changed {
			k.UpdatedAt, k.Version, k.Holds = now(cs.clock), k.Version+1, k.PersonalInfo(known)
			if err := tx.SaveCase(ctx, before, k); err != nil {
				return nil, err
			}
		}
		platform, err := cs.platforms.PlatformVia(ctx, tx, k.PlatformID)
		if err != nil {
			return nil, err
		}
		v := cs.adminCaseView(k, c, u, platform)
		return &v, nil
	})
}

// publishable refuses a text that holds personal information the complainant did not consent
// to publish.
func publishable(k *models.Case, c *models.Complaint, known []models.Known) error {
	if c.Erased() {
		return errCaseErased
	}
	if hits := k.PersonalInfo(known); len(hits) > 0 && c.PublishConsentAt == nil {
		return errConsentRequired(hits)
	}
	return nil
}

// Publish puts a draft or withdrawn case on the public list.
func (cs *Cases) Publish(ctx context.Context, p *models.Principal, id string) (*AdminCaseView, error) {
	return cs.change(ctx, p, id, func(k *models.Case, c *models.Complaint, known []models.Known) (bool, error) {
		if k.Status == models.CasePublished {
			return false, errCasePublished
		}
		if err := cs.screenCase(k); err != nil {
			return false, err
		}
		if err := publishable(k, c, known); err != nil {
			return false, err
		}
		t := now(cs.clock)
		k.Status, k.PublishedAt, k.UnpublishedReason = models.CasePublished, &t, nil
		return true, nil
	})
}

// Unpublish takes a published case off the public list (withdrawn).
func (cs *Cases) Unpublish(ctx context.Context, p *models.Principal, id string) (*AdminCaseView, error) {
	return cs.change(ctx, p, id, func(k *models.Case, _ *models.Complaint, _ []models.Known) (bool, error) {
		if k.Status != models.CasePublished {
			return false, errCaseNotPublished
		}
		reason := models.UnpublishedByStaff
		k.Status, k.UnpublishedReason = models.CaseWithdrawn, &reason
		return true, nil
	})
}

// Update changes the members present. The texts are kept as entered; a published case must
// stay publishable.
func (cs *Cases) Update(ctx context.Context, p *models.Principal, id string, req UpdateCaseRequest) (*AdminCaseView, error) {
	var v models.Validator
	texts := []struct {
		field    string
		value    *string
		min, max int
	}{
		{models.CaseFieldTitle, req.Title, 5, 100}, {models.CaseFieldSummary, req.Summary, 1, 500},
		{models.CaseFieldBody, req.Body, 1, maxCaseText}, {models.CaseFieldPlatformReply, req.PlatformReply, 0, maxCaseText},
	}
	for _, t := range texts {
		if t.value != nil {
			v.Text(t.field, *t.value, t.min, t.max)
		}
	}
	sector := checkSector(&v, req.Sector)
	var tags []string
	if req.Tags != nil {
		tags = checkTags(&v, *req.Tags)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return cs.change(ctx, p, id, func(k *models.Case, c *models.Complaint, known []models.Known) (bool, error) {
		changed := false
		for _, t := range texts {
			if t.value != nil && strings.TrimSpace(*t.value) != k.Text(t.field) {
				k.SetText(t.field, strings.TrimSpace(*t.value))
				changed = true
			}
		}
		if sector != "" && sector != k.Sector {
			k.Sector, changed = sector, true
		}
		if req.Tags != nil && !slices.Equal(tags, k.Tags) {
			if err := knownInTags(tags, known); err != nil {
				return false, err
			}
			k.Tags, changed = tags, true
		}
		if changed && k.Status == models.CasePublished {
			if err := cs.screenCase(k); err != nil {
				return false, err
			}
			return changed, publishable(k, c, known)
		}
		return changed, nil
	})
}
