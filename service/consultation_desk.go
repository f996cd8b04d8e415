package service

import (
	"context"
	"errors"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// The lawyer's desk and the staff's queue of consultations.

// AssignConsultationRequest is the body of POST /admin/consultations/{id}/assign.
type AssignConsultationRequest struct {
	// LawyerID is an active lawyer's profile linked to an enabled lawyer account.
	LawyerID string `json:"lawyer_id"`
}

// deskOf is the profile of the lawyer p signs in as; nil when no profile is linked to the
// account (such a lawyer sees no consultation).
func (cs *Consultations) deskOf(ctx context.Context, p *models.Principal) (*models.Lawyer, error) {
	if p.Kind != models.PrincipalPerson || p.Role != models.RoleLawyer {
		return nil, models.ErrForbidden
	}
	l, err := cs.st.LawyerByUserID(ctx, p.UserID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil
	}
	return l, err
}

// assignedTo lets only the lawyer a consultation is assigned to see it.
func assignedTo(l *models.Lawyer) consultationGuard {
	return func(c *models.Consultation) error {
		if l == nil || c.LawyerID == nil || *c.LawyerID != l.ID || c.Question == models.ErasedText {
			return models.NotFound("consultation")
		}
		return nil
	}
}

// lawyerView presents a consultation to its lawyer, with the complaint as its platform would
// see it (no timeline, no moderation flags; the contact name and phone included).
func (cs *Consultations) lawyerView(ctx context.Context) func(*store.Store, *models.Consultation) (*LawyerConsultationView, error) {
	return func(st *store.Store, c *models.Consultation) (*LawyerConsultationView, error) {
		views, err := consultationViews(ctx, st, []*models.Consultation{c})
		if err != nil {
			return nil, err
		}
		row, err := st.ComplaintRow(ctx, c.ComplaintID)
		if err != nil {
			return nil, err
		}
		complaint, err := cs.complaints.present(ctx, st, row, AudiencePlatform)
		if err != nil {
			return nil, err
		}
		return &LawyerConsultationView{ConsultationView: views[0], Complaint: *complaint}, nil
	}
}

// DeskList lists the consultations assigned to the calling lawyer, newest first; those an
// erasure emptied are gone from the desk.
func (cs *Consultations) DeskList(ctx context.Context, p *models.Principal, status string, page models.Page) ([]ConsultationView, string, error) {
	st, err := parseConsultationStatus(status)
	if err != nil {
		return nil, "", err
	}
	l, err := cs.deskOf(ctx, p)
	if err != nil {
		return nil, "", err
	}
	if l == nil {
		_, err := models.DecodeCursor(page.Cursor, 1)
		return nil, "", err
	}
	return listConsultations(ctx, cs.st, store.ConsultationFilter{LawyerID: l.ID, Status: st, Unerased: true}, page)
}

// DeskGet is one consultation assigned to the calling lawyer, with its complaint.
func (cs *Consultations) DeskGet(ctx context.Context, p *models.Principal, id string) (*LawyerConsultationView, error) {
	l, err := cs.deskOf(ctx, p)
	if err != nil {
		return nil, err
	}
	c, err := cs.read(ctx, id, assignedTo(l))
	if err != nil {
		return nil, err
	}
	return cs.lawyerView(ctx)(cs.st, c)
}

// Answer adds the lawyer's message to the thread; the complainant is told by text message.
func (cs *Consultations) Answer(ctx context.Context, p *models.Principal, id string, req ConsultationMessageRequest) (*LawyerConsultationView, error) {
	body, err := messageBody(req)
	if err != nil {
		return nil, err
	}
	l, err := cs.deskOf(ctx, p)
	if err != nil {
		return nil, err
	}
	return consultationChange(ctx, cs, id, assignedTo(l), func(tx *store.Store, c *models.Consultation, fx *consultFx) error {
		if err := cs.addMessage(c, fx, models.ConsultantLawyer, l.ID, body); err != nil {
			return err
		}
		return cs.transition(ctx, tx, c, models.ConsultAnswer, models.ConsultantLawyer, fx)
	}, cs.lawyerView(ctx))
}

// Close ends the consultation; the thread stays readable.
func (cs *Consultations) Close(ctx context.Context, p *models.Principal, id string) (*LawyerConsultationView, error) {
	l, err := cs.deskOf(ctx, p)
	if err != nil {
		return nil, err
	}
	return consultationChange(ctx, cs, id, assignedTo(l), func(tx *store.Store, c *models.Consultation, fx *consultFx) error {
		return cs.transition(ctx, tx, c, models.ConsultClose, models.ConsultantLawyer, fx)
	}, cs.lawyerView(ctx))
}

// Queue lists consultations for staff, oldest first, optionally in one status.
func (cs *Consultations) Queue(ctx context.Context, status string, page models.Page) ([]ConsultationView, string, error) {
	st, err := parseConsultationStatus(status)
	if err != nil {
		return nil, "", err
	}
	return listConsultations(ctx, cs.st, store.ConsultationFilter{Status: st, Ascending: true}, page)
}

// Assign hands a consultation to a lawyer (staff); the complainant is told by text message.
func (cs *Consultations) Assign(ctx context.Context, id string, req AssignConsultationRequest) (*ConsultationView, error) {
	if req.LawyerID == "" || len(req.LawyerID) > 64 {
		return nil, models.Invalid("lawyer_id", "must be the id of a lawyer's profile")
	}
	visible := func(c *models.Consultation) error {
		if c.Question == models.ErasedText {
			return models.NotFound("consultation")
		}
		return nil
	}
	return consultationChange(ctx, cs, id, visible, func(tx *store.Store, c *models.Consultation, fx *consultFx) error {
		l, err := tx.LawyerByID(ctx, req.LawyerID)
		if errors.Is(err, models.ErrNotFound) {
			return models.Invalid("lawyer_id", "must be the id of a lawyer's profile")
		}
		if err != nil {
			return err
		}
		if !l.Assignable() {
			return models.Invalid("lawyer_id", "the lawyer must be active and linked to an account")
		}
		u, err := tx.UserByID(ctx, *l.UserID)
		if err != nil {
			return err
		}
		if u.DisabledAt != nil || u.Role != models.RoleLawyer {
			return models.Invalid("lawyer_id", "the lawyer's account is disabled")
		}
		c.LawyerID = &l.ID
		return cs.transition(ctx, tx, c, models.ConsultAssign, models.ConsultantStaff, fx)
	}, ownerView(ctx))
}

// eraseRequester empties, in an erasure's transaction, the consultations a person requested:
// the question and their own messages become ErasedText (the lawyer's answers stay, as a
// platform's replies do), and the open ones are cancelled. It reports how many it erased.
func (cs *Consultations) eraseRequester(ctx context.Context, tx *store.Store, userID string) (int, error) {
	all, err := tx.ConsultationsOfRequesterForUpdate(ctx, userID)
	if err != nil {
		return 0, err
	}
	ids := make([]string, 0, len(all))
	erased := 0
	for i := range all {
		c := &all[i]
		ids = append(ids, c.ID)
		if c.Question == models.ErasedText && !c.Status.Open() {
			continue
		}
		prev := c.Version
		if c.Status.Open() {
			if err := cs.transition(ctx, tx, c, models.ConsultCancel, models.ConsultantSystem, &consultFx{}); err != nil {
				return 0, err
			}
		} else {
			c.UpdatedAt = now(cs.clock)
			c.Version++
		}
		c.Question = models.ErasedText
		if err := tx.UpdateConsultation(ctx, c, prev); err != nil {
			return 0, err
		}
		erased++
	}
	_, err = tx.EraseConsultationMessagesBy(ctx, ids, userID)
	return erased, err
}
