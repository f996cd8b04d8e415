package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/service"
)

// The moderators' side of complaints: the review queue, accept and reject, and the
// notification log.

// queue godoc
//
//	@Summary		Review queue
//	@Description	Every complaint, oldest first, with the staff-only `flags` and `screening_hits` (which listed terms occur where in what the platform would read). Filter with `status=pending_review` for the work to do.
//	@Tags			review
//	@ID				listReviewQueue
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			status		query		string	false	"only this status"	Enums(pending_review,rejected,awaiting_contact,delivered,replied,completed,withdrawn)
//	@Param			platform_id	query		string	false	"only this platform"
//	@Param			flag		query		string	false	"only complaints with this flag"	Enums(abusive_language)
//	@Param			channel		query		string	false	"only this channel"					Enums(consumer,refund_only)
//	@Param			limit		query		int		false	"page size, 1–100"					default(20)
//	@Param			cursor		query		string	false	"next_cursor of the previous page"
//	@Success		200			{object}	ListResponse[service.ComplaintView]
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Failure		429			{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503			{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500			{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/complaints [get]
func (h *complaintsHandler) queue(c *gin.Context) { h.list(c) }

// staffGet godoc
//
//	@Summary	One complaint, full staff view with flags
//	@Tags		review
//	@ID			reviewGetComplaint
//	@Produce	json,application/problem+json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"complaint id"
//	@Success	200	{object}	service.ComplaintView
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Failure	429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure	503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure	500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router		/api/v1/admin/complaints/{id} [get]
func (h *complaintsHandler) staffGet(c *gin.Context) { h.get(c) }

// accept godoc
//
//	@Summary		Accept a complaint
//	@Description	`pending_review` → `delivered` when the platform is reachable (onboarded, and an after-sales contact, an active API key or an enabled webhook endpoint), else → `awaiting_contact` (未有效处理), from which it is delivered automatically once the platform becomes reachable. What the platform will read is screened first: a consumer complaint with a hit is flagged `abusive_language` and delivered (the moderator decided, seeing `screening_hits`); a refund-only one is `rejected` as `abusive_content` instead, and so is a waiting refund-only complaint that hits a term added while it waited.
//	@Tags			review
//	@ID				acceptComplaint
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string	true	"complaint id"
//	@Param			Idempotency-Key	header		string	false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	service.ComplaintView
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"invalid_state; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"idempotency_key_reused"
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/complaints/{id}/accept [post]
func (h *complaintsHandler) accept(c *gin.Context) {
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.ComplaintView, error) {
		return h.svc.Accept(ctx, principal(c), c.Param("id"))
	}, same)
}

// reject godoc
//
//	@Summary		Reject a complaint (经审核投诉不予受理)
//	@Description	`pending_review` → `rejected` with a reason code and a note for the complainant, who is told by SMS. `abusive_content` and `missing_information` may be re-submitted with a supplement.
//	@Tags			review
//	@ID				rejectComplaint
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string					true	"complaint id"
//	@Param			body			body		service.RejectRequest	true	"reason"
//	@Param			Idempotency-Key	header		string					false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	service.ComplaintView
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"invalid_state; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed; idempotency_key_reused"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/complaints/{id}/reject [post]
func (h *complaintsHandler) reject(c *gin.Context) {
	bindAnd(c, func(ctx context.Context, req service.RejectRequest) (*service.ComplaintView, error) {
		return h.svc.Reject(ctx, principal(c), c.Param("id"), req)
	}, http.StatusOK)
}

// listNotifications godoc
//
//	@Summary		Notifications sent to complainants
//	@Description	Every SMS notification (rejected with the reason, delivered, replied), newest first.
//	@Tags			admin
//	@ID				listNotifications
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			phone	query		string	false	"only this mainland mobile number (matched by its keyed hash: phones are stored encrypted)"
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	ListResponse[service.NotificationView]
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Failure		429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/notifications [get]
func (h *complaintsHandler) listNotifications(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := h.notifications.List(c.Request.Context(), c.Query("phone"), page)
	respond(c, http.StatusOK, listOf(items, next), err)
}
