package service

import (
	"context"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// ConsultationMessageView is one message of a consultation's thread.
type ConsultationMessageView struct {
	ID string `json:"id"`
	// AuthorType: lawyer, an answer; complainant, a follow-up question.
	AuthorType string `json:"author_type" example:"lawyer" enums:"lawyer,complainant"`
	Body       string `json:"body" example:"根据《电子商务法》第三十八条，平台未尽审核义务的应承担相应责任，建议您保留聊天记录。"`
	CreatedAt  string `json:"created_at" format:"date-time"`
}

// ConsultationView is a consultation as its complainant and staff see it.
type ConsultationView struct {
	ID          string `json:"id"`
	ComplaintID string `json:"complaint_id"`
	// Status: requested (waiting for a lawyer), assigned (the lawyer's turn), answered (the
	// lawyer answered), closed, cancelled.
	Status      string `json:"status" example:"assigned" enums:"requested,assigned,answered,closed,cancelled"`
	StatusLabel string `json:"status_label" example:"律师处理中"`
	Question    string `json:"question" example:"商家拒绝退款，我能否要求平台先行赔付？"`
	// PreferredSpecialty is what the complainant asked for; null: any.
	PreferredSpecialty *SpecialtyView `json:"preferred_specialty" extensions:"x-nullable"`
	// Lawyer is the lawyer assigned; null while requested.
	Lawyer *LawyerView `json:"lawyer" extensions:"x-nullable"`
	// Messages are the thread, oldest first.
	Messages   []ConsultationMessageView `json:"messages"`
	CreatedAt  string                    `json:"created_at" format:"date-time"`
	AssignedAt *string                   `json:"assigned_at" extensions:"x-nullable" format:"date-time"`
	AnsweredAt *string                   `json:"answered_at" extensions:"x-nullable" format:"date-time"`
	ClosedAt   *string                   `json:"closed_at" extensions:"x-nullable" format:"date-time"`
	UpdatedAt  string                    `json:"updated_at" format:"date-time"`
	Version    int                       `json:"version" example:"2"`
}

// LawyerConsultationView is a consultation as its lawyer sees it: with the complaint it
// concerns, the complainant's contact name and phone included.
type LawyerConsultationView struct {
	ConsultationView
	Complaint ComplaintView `json:"complaint"`
}

func consultationView(c *models.Consultation, lawyers map[string]models.Lawyer) ConsultationView {
	v := ConsultationView{ID: c.ID, ComplaintID: c.ComplaintID, Status: string(c.Status), StatusLabel: c.Status.Label(),
		Question: c.Question, Messages: make([]ConsultationMessageView, 0, len(c.Messages)),
		CreatedAt: Ts(c.CreatedAt), AssignedAt: TsPtr(c.AssignedAt), AnsweredAt: TsPtr(c.AnsweredAt),
		ClosedAt: TsPtr(c.ClosedAt), UpdatedAt: Ts(c.UpdatedAt), Version: c.Version}
	if c.PreferredSpecialty != nil {
		s := models.Specialty(*c.PreferredSpecialty)
		v.PreferredSpecialty = &SpecialtyView{Code: string(s), Label: s.Label()}
	}
	if c.LawyerID != nil {
		if l, ok := lawyers[*c.LawyerID]; ok {
			lv := NewLawyerView(&l)
			v.Lawyer = &lv
		}
	}
	for _, m := range c.Messages {
		v.Messages = append(v.Messages, ConsultationMessageView{ID: m.ID, AuthorType: string(m.AuthorType), Body: m.Body,
			CreatedAt: Ts(m.CreatedAt)})
	}
	return v
}

// consultationViews presents consultations loaded with their messages, reading their lawyers
// in one query.
func consultationViews(ctx context.Context, st *store.Store, cs []*models.Consultation) ([]ConsultationView, error) {
	var ids []string
	for _, c := range cs {
		if c.LawyerID != nil {
			ids = append(ids, *c.LawyerID)
		}
	}
	ls, err := st.LawyersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]models.Lawyer, len(ls))
	for _, l := range ls {
		byID[l.ID] = l
	}
	out := make([]ConsultationView, len(cs))
	for i, c := range cs {
		out[i] = consultationView(c, byID)
	}
	return out, nil
}

// listConsultations is one page of consultations with their messages, presented.
func listConsultations(ctx context.Context, st *store.Store, f store.ConsultationFilter, page models.Page) ([]ConsultationView, string, error) {
	items, next, err := pageByID(page, func(c *models.Consultation) string { return c.ID },
		func(after string, limit int) ([]models.Consultation, error) {
			f.After, f.Limit = after, limit
			return st.ListConsultations(ctx, f)
		})
	if err != nil {
		return nil, "", err
	}
	ptrs := make([]*models.Consultation, len(items))
	for i := range items {
		ptrs[i] = &items[i]
	}
	if err := st.LoadConsultationMessages(ctx, ptrs); err != nil {
		return nil, "", err
	}
	views, err := consultationViews(ctx, st, ptrs)
	return views, next, err
}

// parseConsultationStatus reads a ?status= filter ("" for any).
func parseConsultationStatus(s string) (models.ConsultationStatus, error) {
	st := models.ConsultationStatus(s)
	if s != "" && !st.Valid() {
		return "", models.Invalid("status", "must be one of requested, assigned, answered, closed, cancelled")
	}
	return st, nil
}
