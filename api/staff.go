package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// listUsers godoc
//
//	@Summary		List accounts (admin)
//	@Description	Every account, oldest first, with whether it is disabled. `q` matches a part of the e-mail, or a whole real name (ignoring letter case and surrounding spaces) or a whole phone number (any spelling, `+86` or not): real names and phones are stored encrypted and found by a keyed hash, so a part of either finds nothing.
//	@Tags			admin
//	@ID				adminListUsers
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			role		query		string	false	"only this role"	Enums(consumer,merchant,moderator,admin)
//	@Param			q			query		string	false	"a part of the e-mail, or a whole real name (ignoring case) or phone number: names and phones are stored encrypted and matched by a keyed hash, never in part (at most 255 characters)"
//	@Param			disabled	query		string	false	"only disabled (true) or enabled (false) accounts"	Enums(true,false)
//	@Param			limit		query		int		false	"page size, 1–100"									default(20)
//	@Param			cursor		query		string	false	"next_cursor of the previous page"
//	@Success		200			{object}	ListResponse[StaffUserView]
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem	"not an admin"
//	@Failure		422			{object}	Problem	"validation_failed (role, q, disabled, limit); invalid_cursor"
//	@Failure		429			{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503			{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500			{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/users [get]
func (h *accountsHandler) listUsers(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	users, next, err := h.svc.ListUsers(c.Request.Context(), service.UserListFilter{Role: c.Query("role"),
		Query: c.Query("q"), Disabled: c.Query("disabled")}, page)
	if err != nil {
		writeProblem(c, err)
		return
	}
	views := make([]StaffUserView, len(users))
	for i := range users {
		views[i] = staffUserView(&users[i])
	}
	c.JSON(http.StatusOK, listOf(views, next))
}

// disableStaff godoc
//
//	@Summary		Disable a moderator, admin or lawyer account
//	@Description	The account's access tokens are refused at once (on every instance within 2 seconds), its refresh tokens are revoked, and logging in with its password answers 403 `account_disabled`. An admin cannot disable their own account (403), and the last enabled admin cannot be disabled (409 `last_admin`). Consumers and merchants are not disabled here (403). Disabling a disabled account changes nothing.
//	@Tags			admin
//	@ID				disableStaffUser
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string	true	"user id"
//	@Param			Idempotency-Key	header		string	false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	StaffUserView
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not an admin; the caller's own account; not a staff account"
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"last_admin; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"idempotency_key_reused"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/users/{id}/disable [post]
func (h *accountsHandler) disableStaff(c *gin.Context) {
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*models.User, error) {
		return h.svc.DisableStaff(ctx, principal(c), c.Param("id"))
	}, func(u *models.User) any { return staffUserView(u) })
}

// enableStaff godoc
//
//	@Summary		Enable a disabled moderator, admin or lawyer account
//	@Description	The account logs in again with its password; tokens revoked when it was disabled stay revoked. Enabling an enabled account changes nothing.
//	@Tags			admin
//	@ID				enableStaffUser
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string	true	"user id"
//	@Param			Idempotency-Key	header		string	false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	StaffUserView
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not an admin; not a staff account"
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"idempotency_key_reused"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/users/{id}/enable [post]
func (h *accountsHandler) enableStaff(c *gin.Context) {
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*models.User, error) {
		return h.svc.EnableStaff(ctx, principal(c), c.Param("id"))
	}, func(u *models.User) any { return staffUserView(u) })
}

// changePassword godoc
//
//	@Summary		Change the caller's password
//	@Description	For every person. `new_password` is 8–128 characters and at most 72 bytes in UTF-8, and differs from the current one. A wrong `current_password` is 422 `wrong_password`. On success every refresh token of the account is revoked — every other login must log in again — and the answer is a new token pair for this one (access tokens already issued elsewhere live out their 15 minutes). Limited like logins, per client address (`DSB_AUTH_RATE_LIMIT_PER_MINUTE`).
//	@Tags			auth
//	@ID				changePassword
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			body			body		service.ChangePasswordRequest	true	"the current and the new password"
//	@Param			Idempotency-Key	header		string							false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	TokenResponse
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"forbidden: a platform API key"
//	@Failure		409				{object}	Problem	"idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed; wrong_password; idempotency_key_reused"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/me/password [post]
func (h *accountsHandler) changePassword(c *gin.Context) {
	var req service.ChangePasswordRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.Session, error) {
		return h.svc.ChangePassword(ctx, principal(c), req)
	}, tokenResponse)
}
