package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

type accountsHandler struct {
	svc     *service.Accounts
	limiter *rateLimiter
	limit   int
	budgets *authBudgets
}

// spendPhone limits registration per phone, on top of the per-IP budget. Logins are not
// limited per account: see authBudgets.
func (h *accountsHandler) spendPhone(c *gin.Context, phone string) bool {
	// The budget is the number's, however the client spells it.
	id := strings.TrimSpace(phone)
	if p, ok := models.NormalizePhone(phone); ok {
		id = p
	}
	if id == "" {
		return true
	}
	return h.limiter.spend(c, "id:"+h.budgets.name(id), h.limit)
}

// register godoc
//
//	@Summary		Register a consumer or merchant
//	@Description	Creates an account and logs it in. `phone` is a mainland mobile number (`1[3-9]` + 9 digits, optional `+86`); merchants must give `shop_name`. Platforms read `real_name` and `shop_name` as the contact name of the account's refund-only complaints, so either one hitting the screening list is 422 `validation_failed` naming it. Limited per client IP and per phone (`DSB_AUTH_RATE_LIMIT_PER_MINUTE`).
//	@Tags			auth
//	@ID				register
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Param			body			body		service.RegisterRequest	true	"the new account"
//	@Param			Idempotency-Key	header		string					false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	TokenResponse
//	@Failure		400				{object}	Problem	"malformed JSON"
//	@Failure		409				{object}	Problem	"phone_taken; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed, with field errors; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/auth/register [post]
func (h *accountsHandler) register(c *gin.Context) {
	var req service.RegisterRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	if !h.spendPhone(c, req.Phone) {
		return
	}
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (*service.Session, error) {
		return h.svc.Register(ctx, req)
	}, tokenResponse)
}

// login godoc
//
//	@Summary		Log in with phone or e-mail
//	@Description	Consumers and merchants log in with `phone`, staff with `email`. Wrong credentials are 401 `invalid_credentials`, the same answer in the same time whether the account exists or not (a missing account costs the same password comparison). The right password of an account an admin disabled is 403 `account_disabled`.
//	@Description
//	@Description	Limits, all answered 429 `rate_limited` with `Retry-After` and the same body whether the account exists or not, and none of them able to keep the owner out from another address:
//	@Description	- every client address has `DSB_AUTH_RATE_LIMIT_PER_MINUTE` requests a minute for register, login and refresh together;
//	@Description	- failed logins count for 15 minutes from the first one, per account and client address (`DSB_AUTH_RATE_LIMIT_PER_MINUTE` of them, then that address is refused for that account until the count expires) and per client address over all accounts (5 × `DSB_AUTH_RATE_LIMIT_PER_MINUTE`); a successful login clears its address's count for the account. Wrong passwords from one address never refuse the right password from another;
//	@Description	- an account that failed more than 5 × `DSB_AUTH_RATE_LIMIT_PER_MINUTE` times in 15 minutes from all addresses is slowed down, not locked: each address may try it once per delay, the delay starting at 1 s and doubling with every further failure, never more than 60 s.
//	@Description	An account is named by its normalised phone (with or without `+86`) or e-mail (any case), so every spelling shares one count; for the failure counts an IPv6 client is its /64.
//	@Tags			auth
//	@ID				login
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Param			body			body		service.LoginRequest	true	"credentials"
//	@Param			Idempotency-Key	header		string					false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	TokenResponse
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem	"invalid_credentials"
//	@Failure		403				{object}	Problem	"account_disabled"
//	@Failure		409				{object}	Problem	"idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: this address spent a budget, or tried this slowed-down account less than its delay ago; see Retry-After"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/auth/login [post]
func (h *accountsHandler) login(c *gin.Context) {
	var req service.LoginRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	at := h.budgets.loginAttemptOf(c, req.Phone, req.Email)
	if !h.budgets.admitLogin(c, at) {
		return
	}
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.Session, error) {
		s, err := h.svc.Login(ctx, req)
		h.budgets.loginDone(c, at, err)
		return s, err
	}, tokenResponse)
}

// refresh godoc
//
//	@Summary		Rotate a refresh token
//	@Description	Returns a new token pair; the refresh token given is spent. Presenting a spent refresh token again is 401 and revokes every token of that login. Disabling an account or changing its password revokes its refresh tokens (401).
//	@Tags			auth
//	@ID				refreshToken
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Param			body			body		service.RefreshRequest	true	"the refresh token"
//	@Param			Idempotency-Key	header		string					false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	TokenResponse
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem	"invalid_token"
//	@Failure		409				{object}	Problem	"idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"idempotency_key_reused"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/auth/refresh [post]
func (h *accountsHandler) refresh(c *gin.Context) {
	var req service.RefreshRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.Session, error) {
		return h.svc.Refresh(ctx, req)
	}, tokenResponse)
}

// me godoc
//
//	@Summary	The caller's account
//	@Tags		auth
//	@ID			getMe
//	@Produce	json,application/problem+json
//	@Security	BearerAuth
//	@Success	200	{object}	UserView
//	@Failure	401	{object}	Problem
//	@Failure	429	{object}	Problem
//	@Failure	403	{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure	503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure	500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router		/api/v1/me [get]
func (h *accountsHandler) me(c *gin.Context) {
	u, err := h.svc.Me(c.Request.Context(), principal(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, userView(u))
}

// createStaff godoc
//
//	@Summary	Create a moderator, admin or lawyer account
//	@Tags		admin
//	@ID			createStaffUser
//	@Accept		json
//	@Produce	json,application/problem+json
//	@Security	BearerAuth
//	@Param		body			body		service.CreateStaffRequest	true	"the staff account"
//	@Param		Idempotency-Key	header		string						false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success	201				{object}	UserView
//	@Failure	400				{object}	Problem
//	@Failure	401				{object}	Problem
//	@Failure	403				{object}	Problem	"not an admin"
//	@Failure	409				{object}	Problem	"email_taken; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure	422				{object}	Problem	"validation_failed; idempotency_key_reused"
//	@Failure	408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure	413				{object}	Problem	"body_too_large"
//	@Failure	415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure	429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure	503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure	500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router		/api/v1/admin/users [post]
func (h *accountsHandler) createStaff(c *gin.Context) {
	var req service.CreateStaffRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (*models.User, error) {
		return h.svc.CreateStaff(ctx, req)
	}, func(u *models.User) any { return userView(u) })
}
