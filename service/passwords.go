package service

import (
	"context"

	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// ChangePasswordRequest is the body of POST /me/password.
type ChangePasswordRequest struct {
	CurrentPassword string `json:"current_password" example:"correct-horse-9"`
	NewPassword     string `json:"new_password" example:"battery-staple-7"`
}

// ErrWrongPassword answers a password change whose current password is not the account's.
var ErrWrongPassword = &models.Error{Kind: models.KindValidation, Code: "wrong_password",
	Detail: "current_password is not this account's password",
	Fields: []models.FieldError{{Field: "current_password", Message: "is not this account's password"}}}

// ChangePassword replaces the caller's password. Every refresh token of the account is revoked
// (every other login has to log in again) and a new pair is issued for the caller.
func (a *Accounts) ChangePassword(ctx context.Context, p *models.Principal, req ChangePasswordRequest) (*Session, error) {
	var v models.Validator
	v.Text("current_password", req.CurrentPassword, 1, 128)
	v.Password("new_password", req.NewPassword)
	if req.NewPassword != "" && req.NewPassword == req.CurrentPassword {
		v.Add("new_password", "must differ from the current password")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := a.Me(ctx, p)
	if err != nil {
		return nil, err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(req.CurrentPassword)) != nil {
		return nil, ErrWrongPassword
	}
	hash, err := a.hash(req.NewPassword)
	if err != nil {
		return nil, err
	}
	t := now(a.clock)
	s, err := command(ctx, a.st, func(tx *store.Store) (*Session, error) {
		// The hash checked above must still be the account's: of two changes sent with the
		// same current password, the second finds it replaced.
		ok, err := tx.ReplacePasswordHash(ctx, u.ID, u.PasswordHash, hash, t)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrWrongPassword
		}
		if err := tx.RevokeUserRefreshTokens(ctx, u.ID, t); err != nil {
			return nil, err
		}
		if err := tx.DeleteWebSessionsOf(ctx, u.ID); err != nil {
			return nil, err
		}
		u.PasswordHash, u.UpdatedAt = hash, t
		return a.issueIn(ctx, tx, u, "")
	})
	if err != nil {
		return nil, err
	}
	a.log.InfoContext(ctx, "password changed; refresh tokens revoked", "user_id", u.ID)
	return s, nil
}
