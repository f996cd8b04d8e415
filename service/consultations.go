package service

import (
	"context"
	"log/slog"
	"strings"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Consultations are complainants' requests for a lawyer's advice on their complaints (法律咨询):
// requested by the complainant, assigned to a lawyer of the team by staff or by the specialty
// rule, answered in a thread, and closed by the lawyer. The complainant gets a text message
// when a lawyer is assigned and on each answer, written in the change's transaction.
type Consultations struct {
	st         *store.Store
	clock      Clock
	log        *slog.Logger
	complaints *Complaints
	limits     Limits
	waker      Waker
}

// RequestConsultationRequest is the body of POST /complaints/{id}/consultations.
type RequestConsultationRequest struct {
	Question string `json:"question" example:"商家拒绝退款，我能否要求平台先行赔付？" minLength:"10" maxLength:"2000"`
	// PreferredSpecialty asks for a lawyer who practises it; the active lawyer with it and the
	// fewest open consultations is assigned at once (ties by id), else staff assign one.
	PreferredSpecialty *string `json:"preferred_specialty,omitempty" validate:"optional" example:"ecommerce_law" enums:"internet_law,ecommerce_law,ip_law,contract_law,consumer_law,privacy_law,advertising_law,dispute_resolution"`
}

// ConsultationMessageRequest is the body of a message in a consultation's thread.
type ConsultationMessageRequest struct {
	Body string `json:"body" example:"补充：商家在聊天中承诺过七天无理由退货。" maxLength:"5000"`
}

// consultFx is what a consultation change writes besides the consultation itself.
type consultFx struct {
	messages []models.ConsultationMessage
	notes    []models.Notification
	jobs     []models.Job
}

// Request opens a consultation on one of the caller's complaints. Ownership is checked on the
// complaint's row before any lock is taken; the complaint is then locked so that the count of
// its open consultations holds until commit.
func (cs *Consultations) Request(ctx context.Context, p *models.Principal, complaintID string, req RequestConsultationRequest) (*ConsultationView, error) {
	var v models.Validator
	question := strings.TrimSpace(req.Question)
	v.Text("question", question, 10, 2000)
	specialty := cleanOptional(req.PreferredSpecialty)
	if specialty != nil && !models.Specialty(*specialty).Valid() {
		v.Add("preferred_specialty", "must be one of %s", specialtyList())
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	owned := ownedBy(p)
	if len(complaintID) > 64 {
		return nil, models.NotFound("complaint")
	}
	row, err := cs.st.ComplaintRow(ctx, complaintID)
	if err != nil {
		return nil, err
	}
	if err := owned(row); err != nil {
		return nil, err
	}
	var wake bool
	out, err := command(ctx, cs.st, func(tx *store.Store) (*ConsultationView, error) {
		wake = false
		c, err := tx.ComplaintForUpdate(ctx, complaintID)
		if err != nil {
			return nil, err
		}
		if err := owned(c); err != nil {
			return nil, err
		}
		n, err := tx.CountOpenConsultations(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		if err := within(models.LimitOpenConsultations, n, cs.limits.OpenConsultationsPerComplaint); err != nil {
			return nil, err
		}
		t := now(cs.clock)
		con := &models.Consultation{ID: models.NewID(), ComplaintID: c.ID, RequesterID: p.UserID, RequesterRole: p.Role,
			Question: question, PreferredSpecialty: specialty, CreatedAt: t, UpdatedAt: t, Messages: []models.ConsultationMessage{}}
		fx := &consultFx{}
		if err := cs.transition(ctx, tx, con, models.ConsultRequest, models.ConsultantComplainant, fx); err != nil {
			return nil, err
		}
		if specialty != nil {
			l, err := cs.pick(ctx, tx, models.Specialty(*specialty))
			if err != nil {
				return nil, err
			}
			if l != nil {
				con.LawyerID = &l.ID
				if err := cs.transition(ctx, tx, con, models.ConsultAssign, models.ConsultantSystem, fx); err != nil {
					return nil, err
				}
			}
		}
		if err := tx.CreateConsultation(ctx, con); err != nil {
			return nil, err
		}
		if wake, err = cs.writeFx(ctx, tx, fx); err != nil {
			return nil, err
		}
		views, err := consultationViews(ctx, tx, []*models.Consultation{con})
		if err != nil {
			return nil, err
		}
		return &views[0], nil
	})
	if err != nil {
		return nil, err
	}
	cs.committed(wake)
	return out, nil
}

// pick is the specialty rule: of the assignable lawyers who practise s, the one with the
// fewest open consultations, ties broken by the lowest id; nil when none practises it.
func (cs *Consultations) pick(ctx context.Context, tx *store.Store, s models.Specialty) (*models.Lawyer, error) {
	ls, err := tx.AssignableLawyers(ctx, s)
	if err != nil || len(ls) == 0 {
		return nil, err
	}
	ids := make([]string, len(ls))
	for i := range ls {
		ids[i] = ls[i].ID
	}
	loads, err := tx.OpenConsultationLoads(ctx, ids)
	if err != nil {
		return nil, err
	}
	best := &ls[0] // ls is in id order: the first of equal loads wins
	for i := range ls[1:] {
		if l := &ls[i+1]; loads[l.ID] < loads[best.ID] {
			best = l
		}
	}
	return best, nil
}

// transition moves c by action and gathers what the rule says it causes.
func (cs *Consultations) transition(ctx context.Context, tx *store.Store, c *models.Consultation, action models.ConsultationAction, actor models.ConsultationActor, fx *consultFx) error {
	rule, err := models.ConsultationTransition(c.Status, action, actor)
	if err != nil {
		return err
	}
	t := now(cs.clock)
	c.Status, c.UpdatedAt = rule.To, t
	c.Version++
	switch action {
	case models.ConsultAssign:
		c.AssignedAt = &t
	case models.ConsultAnswer:
		c.AnsweredAt = &t
	case models.ConsultClose, models.ConsultCancel:
		c.ClosedAt = &t
	}
	if rule.Notify != "" {
		return cs.notify(ctx, tx, c, rule.Notify, fx)
	}
	return nil
}

// notify gathers the complainant's text message, sent to the complaint's contact phone, and
// its sms job. An erased complaint has no phone to write to.
func (cs *Consultations) notify(ctx context.Context, tx *store.Store, c *models.Consultation, kind string, fx *consultFx) error {
	complaint, err := tx.ComplaintRow(ctx, c.ComplaintID)
	if err != nil {
		return err
	}
	if complaint.Erased() || c.LawyerID == nil {
		return nil
	}
	l, err := tx.LawyerByID(ctx, *c.LawyerID)
	if err != nil {
		return err
	}
	var params []string
	switch kind {
	case models.NotifyConsultationAssigned:
		params = []string{complaint.Number, l.Name, l.Firm}
	case models.NotifyConsultationAnswered:
		params = []string{l.Name, complaint.Number}
	}
	n := models.Notification{ID: models.NewID(), ComplaintID: complaint.ID, Phone: complaint.ContactPhone, Kind: kind,
		Text: renderSMS(kind, params), Params: params, Status: models.NotificationPending, CreatedAt: now(cs.clock)}
	fx.notes = append(fx.notes, n)
	fx.jobs = append(fx.jobs, smsJob(&n))
	return nil
}

// writeFx writes the change's messages, notifications and jobs, and reports whether it queued work.
func (cs *Consultations) writeFx(ctx context.Context, tx *store.Store, fx *consultFx) (bool, error) {
	if err := tx.AddConsultationMessages(ctx, fx.messages); err != nil {
		return false, err
	}
	if err := tx.AddNotifications(ctx, fx.notes); err != nil {
		return false, err
	}
	return len(fx.jobs) > 0, tx.EnqueueJobs(ctx, fx.jobs)
}

// committed wakes the work-queue runner after a change that queued text messages.
func (cs *Consultations) committed(wake bool) {
	if wake && cs.waker != nil {
		cs.waker.Wake()
	}
}

// consultationGuard decides whether a caller may act on a consultation; to anybody it refuses
// the consultation does not exist.
type consultationGuard func(c *models.Consultation) error

// change is one command on a consultation: the guard is checked on the row before the lock is
// taken and again under it (an assignment may have moved it meanwhile), fn changes it, and
// render presents the result in the same transaction.
func consultationChange[T any](ctx context.Context, cs *Consultations, id string, check consultationGuard,
	fn func(tx *store.Store, c *models.Consultation, fx *consultFx) error,
	render func(tx *store.Store, c *models.Consultation) (T, error)) (T, error) {
	var zero T
	if len(id) > 64 {
		return zero, models.NotFound("consultation")
	}
	pre, err := cs.st.ConsultationByID(ctx, id)
	if err != nil {
		return zero, err
	}
	if err := check(pre); err != nil {
		return zero, err
	}
	var wake bool
	out, err := command(ctx, cs.st, func(tx *store.Store) (T, error) {
		wake = false
		c, err := tx.ConsultationForUpdate(ctx, id)
		if err != nil {
			return zero, err
		}
		if err := check(c); err != nil {
			return zero, err
		}
		if im := IdempotentOf(ctx); im != nil {
			im.Subject = c.RequesterID // the answer shows the complainant's question and contact
		}
		if err := tx.LoadConsultationMessages(ctx, []*models.Consultation{c}); err != nil {
			return zero, err
		}
		prev := c.Version
		fx := &consultFx{}
		if err := fn(tx, c, fx); err != nil {
			return zero, err
		}
		if err := tx.UpdateConsultation(ctx, c, prev); err != nil {
			return zero, err
		}
		if wake, err = cs.writeFx(ctx, tx, fx); err != nil {
			return zero, err
		}
		return render(tx, c)
	})
	if err != nil {
		return zero, err
	}
	cs.committed(wake)
	return out, nil
}

// addMessage appends a message to c's thread, within the thread's limit.
func (cs *Consultations) addMessage(c *models.Consultation, fx *consultFx, author models.ConsultationActor, authorID, body string) error {
	if err := within(models.LimitConsultationMessages, int64(len(c.Messages)), cs.limits.MessagesPerConsultation); err != nil {
		return err
	}
	m := models.ConsultationMessage{ID: models.NewID(), ConsultationID: c.ID, AuthorType: author, AuthorID: authorID,
		Body: body, CreatedAt: now(cs.clock)}
	c.Messages = append(c.Messages, m)
	fx.messages = append(fx.messages, m)
	return nil
}

// requestedBy lets only the complainant who asked act on a consultation.
func requestedBy(p *models.Principal) consultationGuard {
	return func(c *models.Consultation) error {
		if p.Kind != models.PrincipalPerson || c.RequesterID != p.UserID || c.Question == models.ErasedText {
			return models.NotFound("consultation")
		}
		return nil
	}
}

// ownerView presents a changed consultation to its complainant (and staff).
func ownerView(ctx context.Context) func(*store.Store, *models.Consultation) (*ConsultationView, error) {
	return func(st *store.Store, c *models.Consultation) (*ConsultationView, error) {
		views, err := consultationViews(ctx, st, []*models.Consultation{c})
		if err != nil {
			return nil, err
		}
		return &views[0], nil
	}
}

// ListOwn lists the caller's consultations, newest first.
func (cs *Consultations) ListOwn(ctx context.Context, p *models.Principal, status string, page models.Page) ([]ConsultationView, string, error) {
	st, err := parseConsultationStatus(status)
	if err != nil {
		return nil, "", err
	}
	return listConsultations(ctx, cs.st, store.ConsultationFilter{RequesterID: p.UserID, Status: st}, page)
}

// GetOwn is one of the caller's consultations.
func (cs *Consultations) GetOwn(ctx context.Context, p *models.Principal, id string) (*ConsultationView, error) {
	c, err := cs.read(ctx, id, requestedBy(p))
	if err != nil {
		return nil, err
	}
	views, err := consultationViews(ctx, cs.st, []*models.Consultation{c})
	if err != nil {
		return nil, err
	}
	return &views[0], nil
}

// read loads a consultation the guard lets the caller see, with its messages.
func (cs *Consultations) read(ctx context.Context, id string, check consultationGuard) (*models.Consultation, error) {
	if len(id) > 64 {
		return nil, models.NotFound("consultation")
	}
	c, err := cs.st.ConsultationByID(ctx, id)
	if err == nil {
		err = check(c)
	}
	if err != nil {
		return nil, err
	}
	return c, cs.st.LoadConsultationMessages(ctx, []*models.Consultation{c})
}

// FollowUp adds the complainant's message to the thread: it is the lawyer's turn again.
func (cs *Consultations) FollowUp(ctx context.Context, p *models.Principal, id string, req ConsultationMessageRequest) (*ConsultationView, error) {
	body, err := messageBody(req)
	if err != nil {
		return nil, err
	}
	return consultationChange(ctx, cs, id, requestedBy(p), func(tx *store.Store, c *models.Consultation, fx *consultFx) error {
		if err := cs.transition(ctx, tx, c, models.ConsultFollowUp, models.ConsultantComplainant, fx); err != nil {
			return err
		}
		return cs.addMessage(c, fx, models.ConsultantComplainant, p.UserID, body)
	}, ownerView(ctx))
}

// Cancel withdraws the consultation at the complainant's request.
func (cs *Consultations) Cancel(ctx context.Context, p *models.Principal, id string) (*ConsultationView, error) {
	return consultationChange(ctx, cs, id, requestedBy(p), func(tx *store.Store, c *models.Consultation, fx *consultFx) error {
		return cs.transition(ctx, tx, c, models.ConsultCancel, models.ConsultantComplainant, fx)
	}, ownerView(ctx))
}

func messageBody(req ConsultationMessageRequest) (string, error) {
	var v models.Validator
	body := strings.TrimSpace(req.Body)
	v.Text("body", body, 1, 5000)
	return body, v.Err()
}
