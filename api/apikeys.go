package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/service"
)

// createKey godoc
//
//	@Summary		Issue an API key
//	@Description	The response's `key` is the only time the secret is shown; the service stores only its SHA-256. `prefix` (the first 12 characters) tells keys apart in listings. A platform has at most 5 active (not revoked) keys (DSB_MAX_API_KEYS_PER_PLATFORM, 5 by default): one more is 409 `limit_reached` with `limit` {"name":"active_api_keys_per_platform","max":5}; revoke one first.
//	@Tags			admin
//	@ID				createAPIKey
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string						true	"platform id"
//	@Param			body			body		service.CreateAPIKeyRequest	true	"a name for the key"
//	@Param			Idempotency-Key	header		string						false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	CreatedAPIKey
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"limit_reached (active_api_keys_per_platform); idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed; idempotency_key_reused"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/platforms/{id}/api-keys [post]
func (h *platformsHandler) createKey(c *gin.Context) {
	var req service.CreateAPIKeyRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (service.IssuedAPIKey, error) {
		k, plain, err := h.svc.CreateAPIKey(ctx, c.Param("id"), req)
		return service.IssuedAPIKey{Key: k, Secret: plain}, err
	}, func(k service.IssuedAPIKey) any { return CreatedAPIKey{APIKeyView: apiKeyView(k.Key), Key: k.Secret} })
}

// listKeys godoc
//
//	@Summary	List a platform's API keys
//	@Tags		admin
//	@ID			listAPIKeys
//	@Produce	json,application/problem+json
//	@Security	BearerAuth
//	@Param		id		path		string	true	"platform id"
//	@Param		limit	query		int		false	"page size, 1–100"	default(20)
//	@Param		cursor	query		string	false	"next_cursor of the previous page"
//	@Success	200		{object}	ListResponse[APIKeyView]
//	@Failure	401		{object}	Problem
//	@Failure	403		{object}	Problem
//	@Failure	404		{object}	Problem
//	@Failure	429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure	503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure	500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router		/api/v1/admin/platforms/{id}/api-keys [get]
func (h *platformsHandler) listKeys(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	keys, next, err := h.svc.ListAPIKeys(c.Request.Context(), c.Param("id"), page)
	if err != nil {
		writeProblem(c, err)
		return
	}
	views := make([]APIKeyView, len(keys))
	for i := range keys {
		views[i] = apiKeyView(&keys[i])
	}
	c.JSON(http.StatusOK, listOf(views, next))
}

// revokeKey godoc
//
//	@Summary		Revoke an API key
//	@Description	Takes effect on the key's next request. Revoking twice is harmless.
//	@Tags			admin
//	@ID				revokeAPIKey
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id		path		string	true	"platform id"
//	@Param			key_id	path		string	true	"key id"
//	@Success		200		{object}	APIKeyView
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Failure		429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		400		{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		408		{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413		{object}	Problem	"body_too_large"
//	@Failure		415		{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422		{object}	Problem	"validation_failed (fields named), unknown_field; idempotency_key_reused"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/platforms/{id}/api-keys/{key_id} [delete]
func (h *platformsHandler) revokeKey(c *gin.Context) {
	k, err := h.svc.RevokeAPIKey(c.Request.Context(), c.Param("id"), c.Param("key_id"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, apiKeyView(k))
}
