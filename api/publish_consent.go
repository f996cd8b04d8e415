package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/service"
)

// The complainant's consent to the publication of their complaint as a typical case.

type consentHandler struct {
	svc *service.Cases
}

// giveConsent godoc
//
//	@Summary		Consent to publication as a typical case
//	@Description	The complainant allows staff to publish the complaint as a typical case (典型案例) even with personal information left in its text; without the consent only a text with no personal information at all can be published (cases are scrubbed automatically, so most need none). Recorded on the complaint as `publish_consent_at`; giving it again changes nothing. Any status; only the complainant (anybody else: 404).
//	@Tags			complaints
//	@ID				givePublishConsent
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string	true	"complaint id"
//	@Param			Idempotency-Key	header		string	false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	service.ComplaintView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not a complainant"
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"complaint_changed; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"idempotency_key_reused"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/complaints/{id}/publish-consent [post]
func (h *consentHandler) give(c *gin.Context) {
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.ComplaintView, error) {
		return h.svc.GiveConsent(ctx, principal(c), c.Param("id"))
	}, same)
}

// withdrawConsent godoc
//
//	@Summary		Withdraw the consent to publication
//	@Description	Removes `publish_consent_at`. A published case of the complaint whose text still holds personal information (it was published under the consent) is unpublished in the same transaction (`withdrawn`, `unpublished_reason` `consent_withdrawn`): the person is protected first; a case with no personal information left stays published. Withdrawing a consent never given changes nothing. Only the complainant (anybody else: 404).
//	@Tags			complaints
//	@ID				withdrawPublishConsent
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"complaint id"
//	@Success		200	{object}	service.ComplaintView
//	@Failure		400	{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem	"not a complainant"
//	@Failure		404	{object}	Problem
//	@Failure		409	{object}	Problem	"complaint_changed"
//	@Failure		422	{object}	Problem	"validation_failed: a body that is not empty or {}"
//	@Failure		408	{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413	{object}	Problem	"body_too_large"
//	@Failure		415	{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/complaints/{id}/publish-consent [delete]
func (h *consentHandler) withdraw(c *gin.Context) {
	v, err := h.svc.WithdrawConsent(c.Request.Context(), principal(c), c.Param("id"))
	respond(c, http.StatusOK, v, err)
}
