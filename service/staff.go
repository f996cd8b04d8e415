package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// CreateStaffRequest is the body of POST /admin/users.
type CreateStaffRequest struct {
	Role     string `json:"role" example:"moderator" enums:"moderator,admin,lawyer"`
	Email    string `json:"email" example:"mod@example.com"`
	Password string `json:"password" example:"correct-horse-9"`
	RealName string `json:"real_name" example:"李四"`
}

// CreateStaff creates a moderator's, an admin's or a lawyer's account (admins only; the router
// checks the role).
func (a *Accounts) CreateStaff(ctx context.Context, req CreateStaffRequest) (*models.User, error) {
	var v models.Validator
	role := models.Role(req.Role)
	if !role.IsManaged() {
		v.Add("role", "must be moderator, admin or lawyer")
	}
	email := v.Email("email", req.Email)
	v.Password("password", req.Password)
	v.Text("real_name", req.RealName, 1, 255)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := a.newUser(role, req.Password, req.RealName)
	if err != nil {
		return nil, err
	}
	u.Email = &email
	return command(ctx, a.st, func(tx *store.Store) (*models.User, error) {
		if err := tx.CreateUser(ctx, u); err != nil {
			if store.IsDuplicate(err) {
				return nil, models.Conflict("email_taken", "an account with this e-mail already exists")
			}
			return nil, err
		}
		return u, nil
	})
}

// EnsureAdmin creates the bootstrap admin once; later start-ups leave the account as it is.
func (a *Accounts) EnsureAdmin(ctx context.Context, email, password string) error {
	e, ok := models.NormalizeEmail(email)
	if !ok {
		return fmt.Errorf("DSB_ADMIN_EMAIL %q is not an e-mail address", email)
	}
	if _, err := a.st.UserByEmail(ctx, e); err == nil {
		return nil
	} else if !errors.Is(err, models.ErrNotFound) {
		return err
	}
	_, err := a.CreateStaff(ctx, CreateStaffRequest{Role: string(models.RoleAdmin), Email: e, Password: password, RealName: "Administrator"})
	if errors.Is(err, &models.Error{Kind: models.KindConflict, Code: "email_taken"}) {
		return nil // another instance created it first
	}
	if err == nil {
		a.log.InfoContext(ctx, "bootstrap admin created", "email", e)
	}
	return err
}

// ErrAccountDisabled answers a correct login to a disabled account.
var ErrAccountDisabled = &models.Error{Kind: models.KindForbidden, Code: "account_disabled",
	Detail: "this account is disabled; ask an admin to enable it"}

// UserListFilter narrows GET /admin/users.
type UserListFilter struct {
	Role  string
	Query string
	// Disabled is "true", "false" or empty for both.
	Disabled string
}

// ListUsers returns one page of accounts matching f, oldest first, and the next cursor.
func (a *Accounts) ListUsers(ctx context.Context, f UserListFilter, page models.Page) ([]models.User, string, error) {
	var v models.Validator
	if f.Role != "" && !models.Role(f.Role).Valid() {
		v.Add("role", "must be consumer, merchant, moderator or admin")
	}
	v.Text("q", f.Query, 0, 255)
	var disabled *bool
	switch f.Disabled {
	case "":
	case "true", "false":
		b := f.Disabled == "true"
		disabled = &b
	default:
		v.Add("disabled", "must be true or false")
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	query := strings.TrimSpace(f.Query)
	return pageByID(page, func(u *models.User) string { return u.ID },
		func(after string, limit int) ([]models.User, error) {
			return a.st.ListUsers(ctx, store.UserFilter{Role: models.Role(f.Role), Query: query, Disabled: disabled,
				AfterID: after, Limit: limit})
		})
}

// DisableStaff disables a moderator's, an admin's or a lawyer's account: its access tokens
// are refused at once on this instance and within accountStateTTL on the others, and its
// refresh tokens are revoked. An admin cannot disable themselves, and the last enabled admin stays enabled.
// Disabling a disabled account changes nothing.
func (a *Accounts) DisableStaff(ctx context.Context, actor *models.Principal, id string) (*models.User, error) {
	target, err := a.staffTarget(ctx, id)
	if err != nil {
		return nil, err
	}
	if target.ID == actor.UserID {
		return nil, &models.Error{Kind: models.KindForbidden, Code: "forbidden", Detail: "an admin cannot disable their own account"}
	}
	t := now(a.clock)
	u, err := command(ctx, a.st, func(tx *store.Store) (*models.User, error) {
		// The enabled admins are locked before the target, in id order, by every disable: two
		// admins disabling each other take turns and the second sees the first's change.
		admins, err := tx.LockEnabledAdmins(ctx)
		if err != nil {
			return nil, err
		}
		u, err := tx.UserForUpdate(ctx, target.ID)
		if err != nil {
			return nil, err
		}
		if u.DisabledAt != nil {
			return u, nil
		}
		if u.Role == models.RoleAdmin && len(admins) <= 1 {
			return nil, models.Conflict("last_admin", "this is the last enabled admin account; enable or create another admin first")
		}
		if actor.Role == models.RoleAdmin && !contains(admins, actor.UserID) {
			return nil, models.ErrInvalidToken // the caller was disabled meanwhile
		}
		if err := tx.SetUserDisabled(ctx, u.ID, &t, t); err != nil {
			return nil, err
		}
		if err := tx.RevokeUserRefreshTokens(ctx, u.ID, t); err != nil {
			return nil, err
		}
		if err := tx.DeleteWebSessionsOf(ctx, u.ID); err != nil {
			return nil, err
		}
		u.DisabledAt, u.UpdatedAt = &t, t
		return u, nil
	})
	if err != nil {
		return nil, err
	}
	a.states.forget(u.ID)
	a.log.InfoContext(ctx, "staff account disabled", "user_id", u.ID, "role", u.Role, "by", actor.UserID)
	return u, nil
}

// EnableStaff enables a disabled moderator or admin account; it logs in again with its
// password (its old refresh tokens stay revoked).
func (a *Accounts) EnableStaff(ctx context.Context, actor *models.Principal, id string) (*models.User, error) {
	if _, err := a.staffTarget(ctx, id); err != nil {
		return nil, err
	}
	t := now(a.clock)
	u, err := command(ctx, a.st, func(tx *store.Store) (*models.User, error) {
		u, err := tx.UserForUpdate(ctx, id)
		if err != nil {
			return nil, err
		}
		if u.DisabledAt == nil {
			return u, nil
		}
		if err := tx.SetUserDisabled(ctx, u.ID, nil, t); err != nil {
			return nil, err
		}
		u.DisabledAt, u.UpdatedAt = nil, t
		return u, nil
	})
	if err != nil {
		return nil, err
	}
	a.states.forget(u.ID)
	a.log.InfoContext(ctx, "staff account enabled", "user_id", u.ID, "role", u.Role, "by", actor.UserID)
	return u, nil
}

// staffTarget reads, without a lock, the account an admin acts on: it must exist and be a
// moderator's or an admin's (consumers and merchants are not managed here).
func (a *Accounts) staffTarget(ctx context.Context, id string) (*models.User, error) {
	if len(id) > 64 {
		return nil, models.NotFound("user")
	}
	u, err := a.st.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !u.Role.IsManaged() {
		return nil, &models.Error{Kind: models.KindForbidden, Code: "forbidden",
			Detail: "only moderator, admin and lawyer accounts can be disabled or enabled"}
	}
	return u, nil
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
