package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/service"
)

type consultationsHandler struct {
	svc *service.Consultations
}

// request godoc
//
//	@Summary		Ask a lawyer about one of your complaints
//	@Description	Opens a legal consultation (法律咨询) on the caller's complaint, in any status; another's complaint is 404. With `preferred_specialty`, the active lawyer who practises it and has the fewest open consultations (ties: the lowest id) is assigned at once (`assigned`) and the complaint's contact phone gets a text message (`consultation_assigned`); without one, or when no lawyer practises it, it stays `requested` until staff assign a lawyer. A complaint has at most 3 open (not closed or cancelled) consultations: one more is 409 `limit_reached` with `limit` {"name":"open_consultations_per_complaint","max":3}.
//	@Tags			consultations
//	@ID				requestConsultation
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string								true	"complaint id"
//	@Param			body			body		service.RequestConsultationRequest	true	"the question (10–2000 characters)"
//	@Param			Idempotency-Key	header		string								false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	service.ConsultationView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not a consumer or merchant"
//	@Failure		404				{object}	Problem	"no such complaint of yours"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"limit_reached (open_consultations_per_complaint); idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (question, preferred_specialty), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/complaints/{id}/consultations [post]
func (h *consultationsHandler) request(c *gin.Context) {
	var req service.RequestConsultationRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	p, id := principal(c), c.Param("id")
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (*service.ConsultationView, error) {
		return h.svc.Request(ctx, p, id, req)
	}, same[*service.ConsultationView])
}

// listOwn godoc
//
//	@Summary		List your consultations
//	@Description	The caller's consultations, newest first, each with its thread.
//	@Tags			consultations
//	@ID				listOwnConsultations
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			status	query		string	false	"only this status"	Enums(requested,assigned,answered,closed,cancelled)
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	ListResponse[service.ConsultationView]
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem	"not a consumer or merchant"
//	@Failure		422		{object}	Problem	"validation_failed (status, limit), invalid_cursor"
//	@Failure		429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/consultations [get]
func (h *consultationsHandler) listOwn(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := h.svc.ListOwn(c.Request.Context(), principal(c), c.Query("status"), page)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(items, next))
}

// getOwn godoc
//
//	@Summary		One of your consultations
//	@Description	With the lawyer assigned and the thread; another's consultation is 404.
//	@Tags			consultations
//	@ID				getOwnConsultation
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"consultation id"
//	@Success		200	{object}	service.ConsultationView
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem	"not a consumer or merchant"
//	@Failure		404	{object}	Problem
//	@Failure		429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/consultations/{id} [get]
func (h *consultationsHandler) getOwn(c *gin.Context) {
	v, err := h.svc.GetOwn(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// followUp godoc
//
//	@Summary		Add a follow-up question to your consultation
//	@Description	Allowed while the consultation is `requested`, `assigned` or `answered`; an answered one goes back to `assigned` (the lawyer's turn). Closed or cancelled: 409 `invalid_state`. A thread holds at most 50 messages: one more is 409 `limit_reached` with `limit` {"name":"messages_per_consultation","max":50}.
//	@Tags			consultations
//	@ID				followUpConsultation
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string								true	"consultation id"
//	@Param			body			body		service.ConsultationMessageRequest	true	"the message (1–5000 characters)"
//	@Param			Idempotency-Key	header		string								false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	service.ConsultationView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not a consumer or merchant"
//	@Failure		404				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"invalid_state, limit_reached (messages_per_consultation); idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (body), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/consultations/{id}/messages [post]
func (h *consultationsHandler) followUp(c *gin.Context) {
	var req service.ConsultationMessageRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	p, id := principal(c), c.Param("id")
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (*service.ConsultationView, error) {
		return h.svc.FollowUp(ctx, p, id, req)
	}, same[*service.ConsultationView])
}

// cancel godoc
//
//	@Summary		Cancel your consultation
//	@Description	Allowed while it is `requested`, `assigned` or `answered`; closed or cancelled already: 409 `invalid_state`. The thread stays readable.
//	@Tags			consultations
//	@ID				cancelConsultation
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string	true	"consultation id"
//	@Param			Idempotency-Key	header		string	false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key within 24 h replays the first answer (same status and bytes, with Idempotent-Replayed: true); a refused request (4xx) is not recorded"
//	@Success		200				{object}	service.ConsultationView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not a consumer or merchant"
//	@Failure		404				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"invalid_state; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (a body was sent), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/consultations/{id}/cancel [post]
func (h *consultationsHandler) cancel(c *gin.Context) {
	p, id := principal(c), c.Param("id")
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.ConsultationView, error) {
		return h.svc.Cancel(ctx, p, id)
	}, same[*service.ConsultationView])
}

// queue godoc
//
//	@Summary		List consultations (staff)
//	@Description	Every consultation, oldest first, optionally in one status: `?status=requested` is the queue waiting for a lawyer.
//	@Tags			admin
//	@ID				adminListConsultations
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			status	query		string	false	"only this status"	Enums(requested,assigned,answered,closed,cancelled)
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	ListResponse[service.ConsultationView]
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem	"not staff"
//	@Failure		422		{object}	Problem	"validation_failed (status, limit), invalid_cursor"
//	@Failure		429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/consultations [get]
func (h *consultationsHandler) queue(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := h.svc.Queue(c.Request.Context(), c.Query("status"), page)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(items, next))
}

// assign godoc
//
//	@Summary		Assign a lawyer to a consultation (staff)
//	@Description	A `requested` consultation becomes `assigned`; an `assigned` or `answered` one moves to the lawyer named (the previous lawyer no longer sees it). The lawyer must be active and linked to an enabled lawyer account, else 422 naming `lawyer_id`. The complaint's contact phone gets a text message (`consultation_assigned`). Closed or cancelled: 409 `invalid_state`.
//	@Tags			admin
//	@ID				assignConsultation
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string								true	"consultation id"
//	@Param			body			body		service.AssignConsultationRequest	true	"the lawyer"
//	@Param			Idempotency-Key	header		string								false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	service.ConsultationView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not staff"
//	@Failure		404				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"invalid_state; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (lawyer_id), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/consultations/{id}/assign [post]
func (h *consultationsHandler) assign(c *gin.Context) {
	var req service.AssignConsultationRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	id := c.Param("id")
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.ConsultationView, error) {
		return h.svc.Assign(ctx, id, req)
	}, same[*service.ConsultationView])
}
