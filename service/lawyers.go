package service

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Lawyers manages the lawyer team's (律师团) profiles: staff create and change them, anybody
// lists the active ones.
type Lawyers struct {
	st    *store.Store
	clock Clock
	log   *slog.Logger
}

// SpecialtyView is one specialty with its label.
type SpecialtyView struct {
	Code  string `json:"code" example:"ecommerce_law" enums:"internet_law,ecommerce_law,ip_law,contract_law,consumer_law,privacy_law,advertising_law,dispute_resolution"`
	Label string `json:"label" example:"电子商务法"`
}

// LawyerView is a lawyer's public profile.
type LawyerView struct {
	ID          string          `json:"id"`
	Name        string          `json:"name" example:"王明"`
	Firm        string          `json:"firm" example:"浙江泽大律师事务所"`
	City        string          `json:"city" example:"杭州"`
	Specialties []SpecialtyView `json:"specialties"`
	Bio         string          `json:"bio" example:"执业十年，专注电子商务与消费者权益纠纷。"`
}

// AdminLawyerView is a profile as staff see it: with the account it is linked to and whether
// it is active.
type AdminLawyerView struct {
	LawyerView
	// UserID is the lawyer-role account the lawyer signs in with; null: none linked yet, and
	// no consultation can be assigned to the profile.
	UserID    *string `json:"user_id" extensions:"x-nullable"`
	Active    bool    `json:"active"`
	CreatedAt string  `json:"created_at" format:"date-time"`
	UpdatedAt string  `json:"updated_at" format:"date-time"`
	Version   int     `json:"version" example:"1"`
}

// NewLawyerView is the public profile of l.
func NewLawyerView(l *models.Lawyer) LawyerView {
	sp := make([]SpecialtyView, 0, len(l.Specialties))
	for _, s := range l.Specialties {
		sp = append(sp, SpecialtyView{Code: s, Label: models.Specialty(s).Label()})
	}
	return LawyerView{ID: l.ID, Name: l.Name, Firm: l.Firm, City: l.City, Specialties: sp, Bio: l.Bio}
}

// NewAdminLawyerView is the staff view of l.
func NewAdminLawyerView(l *models.Lawyer) AdminLawyerView {
	return AdminLawyerView{LawyerView: NewLawyerView(l), UserID: l.UserID, Active: l.Active,
		CreatedAt: Ts(l.CreatedAt), UpdatedAt: Ts(l.UpdatedAt), Version: l.Version}
}

// CreateLawyerRequest is the body of POST /admin/lawyers.
type CreateLawyerRequest struct {
	// UserID links the profile to an account with the lawyer role (made with POST
	// /admin/users), not linked to another profile; without it the profile cannot be assigned
	// consultations until linked.
	UserID      *string  `json:"user_id,omitempty" validate:"optional"`
	Name        string   `json:"name" example:"王明" maxLength:"50"`
	Firm        string   `json:"firm" example:"浙江泽大律师事务所" maxLength:"100"`
	City        string   `json:"city" example:"杭州" maxLength:"50"`
	Specialties []string `json:"specialties" example:"ecommerce_law" enums:"internet_law,ecommerce_law,ip_law,contract_law,consumer_law,privacy_law,advertising_law,dispute_resolution"`
	Bio         string   `json:"bio" example:"执业十年，专注电子商务与消费者权益纠纷。" maxLength:"2000"`
	// Active is true unless given.
	Active *bool `json:"active,omitempty" validate:"optional"`
}

// UpdateLawyerRequest is the body of PATCH /admin/lawyers/{id}: the members given replace the
// profile's.
type UpdateLawyerRequest struct {
	UserID      *string   `json:"user_id,omitempty" validate:"optional"`
	Name        *string   `json:"name,omitempty" validate:"optional" maxLength:"50"`
	Firm        *string   `json:"firm,omitempty" validate:"optional" maxLength:"100"`
	City        *string   `json:"city,omitempty" validate:"optional" maxLength:"50"`
	Specialties *[]string `json:"specialties,omitempty" validate:"optional" enums:"internet_law,ecommerce_law,ip_law,contract_law,consumer_law,privacy_law,advertising_law,dispute_resolution"`
	Bio         *string   `json:"bio,omitempty" validate:"optional" maxLength:"2000"`
	Active      *bool     `json:"active,omitempty" validate:"optional"`
}

var errLawyerAccountTaken = models.Invalid("user_id", "is linked to another lawyer profile already")

func validateLawyer(v *models.Validator, l *models.Lawyer) {
	v.Text("name", l.Name, 1, 50)
	v.Text("firm", l.Firm, 1, 100)
	v.Text("city", l.City, 1, 50)
	v.Text("bio", l.Bio, 1, 2000)
	if len(l.Specialties) == 0 || len(l.Specialties) > len(models.AllSpecialties) {
		v.Add("specialties", "give 1 to %d specialties", len(models.AllSpecialties))
	}
	seen := map[string]bool{}
	for _, s := range l.Specialties {
		if !models.Specialty(s).Valid() || seen[s] {
			v.Add("specialties", "each must be one of %s, given once", specialtyList())
			break
		}
		seen[s] = true
	}
}

func specialtyList() string {
	names := make([]string, len(models.AllSpecialties))
	for i, s := range models.AllSpecialties {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// checkAccount makes sure id names an account with the lawyer role (as a field error).
func checkAccount(ctx context.Context, tx *store.Store, id string) error {
	u, err := tx.UserByID(ctx, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && u.Role != models.RoleLawyer) {
		return models.Invalid("user_id", "must be the id of an account with the role lawyer")
	}
	return err
}

// Create adds a profile.
func (ls *Lawyers) Create(ctx context.Context, req CreateLawyerRequest) (*models.Lawyer, error) {
	t := now(ls.clock)
	l := &models.Lawyer{ID: models.NewID(), UserID: cleanOptional(req.UserID), Name: strings.TrimSpace(req.Name),
		Firm: strings.TrimSpace(req.Firm), City: strings.TrimSpace(req.City), Specialties: req.Specialties,
		Bio: strings.TrimSpace(req.Bio), Active: req.Active == nil || *req.Active, CreatedAt: t, UpdatedAt: t, Version: 1}
	var v models.Validator
	validateLawyer(&v, l)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return command(ctx, ls.st, func(tx *store.Store) (*models.Lawyer, error) {
		if l.UserID != nil {
			if err := checkAccount(ctx, tx, *l.UserID); err != nil {
				return nil, err
			}
		}
		if err := tx.CreateLawyer(ctx, l); err != nil {
			if store.IsDuplicate(err) {
				return nil, errLawyerAccountTaken
			}
			return nil, err
		}
		return l, nil
	})
}

// Update changes a profile.
func (ls *Lawyers) Update(ctx context.Context, id string, req UpdateLawyerRequest) (*models.Lawyer, error) {
	if len(id) > 64 {
		return nil, models.NotFound("lawyer")
	}
	return command(ctx, ls.st, func(tx *store.Store) (*models.Lawyer, error) {
		l, err := tx.LawyerForUpdate(ctx, id)
		if err != nil {
			return nil, err
		}
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = strings.TrimSpace(*src)
			}
		}
		set(&l.Name, req.Name)
		set(&l.Firm, req.Firm)
		set(&l.City, req.City)
		set(&l.Bio, req.Bio)
		if req.Specialties != nil {
			l.Specialties = *req.Specialties
		}
		if req.Active != nil {
			l.Active = *req.Active
		}
		var v models.Validator
		validateLawyer(&v, l)
		if err := v.Err(); err != nil {
			return nil, err
		}
		if uid := cleanOptional(req.UserID); uid != nil && (l.UserID == nil || *l.UserID != *uid) {
			if err := checkAccount(ctx, tx, *uid); err != nil {
				return nil, err
			}
			l.UserID = uid
		}
		l.UpdatedAt = now(ls.clock)
		l.Version++
		if err := tx.SaveLawyer(ctx, l); err != nil {
			if store.IsDuplicate(err) {
				return nil, errLawyerAccountTaken
			}
			return nil, err
		}
		return l, nil
	})
}

// Get is one profile for staff.
func (ls *Lawyers) Get(ctx context.Context, id string) (*models.Lawyer, error) {
	if len(id) > 64 {
		return nil, models.NotFound("lawyer")
	}
	return ls.st.LawyerByID(ctx, id)
}

// List lists profiles in the order they were made: the active ones for the public, all for
// staff; specialty ("" for any) keeps those who practise it.
func (ls *Lawyers) List(ctx context.Context, specialty string, activeOnly bool, page models.Page) ([]models.Lawyer, string, error) {
	if specialty != "" && !models.Specialty(specialty).Valid() {
		return nil, "", models.Invalid("specialty", "must be one of "+specialtyList())
	}
	return pageByID(page, func(l *models.Lawyer) string { return l.ID },
		func(after string, limit int) ([]models.Lawyer, error) {
			return ls.st.ListLawyers(ctx, store.LawyerFilter{Specialty: models.Specialty(specialty), ActiveOnly: activeOnly,
				After: after, Limit: limit})
		})
}
