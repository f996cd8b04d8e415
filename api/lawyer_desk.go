package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/service"
)

// deskList godoc
//
//	@Summary		List the consultations assigned to you (lawyer)
//	@Description	Only the consultations assigned to the calling lawyer's profile, newest first; a lawyer account without a profile sees none. Every other route but these and /me refuses a lawyer's token.
//	@Tags			lawyer
//	@ID				lawyerListConsultations
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			status	query		string	false	"only this status"	Enums(requested,assigned,answered,closed,cancelled)
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	ListResponse[service.ConsultationView]
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem	"not a lawyer"
//	@Failure		422		{object}	Problem	"validation_failed (status, limit), invalid_cursor"
//	@Failure		429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/lawyer/consultations [get]
func (h *consultationsHandler) deskList(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := h.svc.DeskList(c.Request.Context(), principal(c), c.Query("status"), page)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(items, next))
}

// deskGet godoc
//
//	@Summary		A consultation assigned to you, with its complaint (lawyer)
//	@Description	The complaint is shown as its platform sees it, the complainant's contact name and phone included (no timeline, no moderation flags). A consultation not assigned to the caller is 404, whoever it belongs to.
//	@Tags			lawyer
//	@ID				lawyerGetConsultation
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"consultation id"
//	@Success		200	{object}	service.LawyerConsultationView
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem	"not a lawyer"
//	@Failure		404	{object}	Problem	"not assigned to you"
//	@Failure		429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/lawyer/consultations/{id} [get]
func (h *consultationsHandler) deskGet(c *gin.Context) {
	v, err := h.svc.DeskGet(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// answer godoc
//
//	@Summary		Answer a consultation (lawyer)
//	@Description	Adds the lawyer's message to the thread; an `assigned` consultation becomes `answered` (an answered one takes further answers), and the complaint's contact phone gets a text message (`consultation_answered`). Closed or cancelled: 409 `invalid_state`. At most 50 messages a thread: 409 `limit_reached` (messages_per_consultation).
//	@Tags			lawyer
//	@ID				lawyerAnswerConsultation
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string								true	"consultation id"
//	@Param			body			body		service.ConsultationMessageRequest	true	"the answer (1–5000 characters)"
//	@Param			Idempotency-Key	header		string								false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	service.LawyerConsultationView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not a lawyer"
//	@Failure		404				{object}	Problem	"not assigned to you"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"invalid_state, limit_reached (messages_per_consultation); idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (body), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/lawyer/consultations/{id}/messages [post]
func (h *consultationsHandler) answer(c *gin.Context) {
	var req service.ConsultationMessageRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	p, id := principal(c), c.Param("id")
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (*service.LawyerConsultationView, error) {
		return h.svc.Answer(ctx, p, id, req)
	}, same[*service.LawyerConsultationView])
}

// close godoc
//
//	@Summary		Close a consultation (lawyer)
//	@Description	An `assigned` or `answered` consultation becomes `closed`; its thread stays readable. Otherwise 409 `invalid_state`.
//	@Tags			lawyer
//	@ID				lawyerCloseConsultation
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string	true	"consultation id"
//	@Param			Idempotency-Key	header		string	false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key within 24 h replays the first answer (same status and bytes, with Idempotent-Replayed: true); a refused request (4xx) is not recorded"
//	@Success		200				{object}	service.LawyerConsultationView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not a lawyer"
//	@Failure		404				{object}	Problem	"not assigned to you"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"invalid_state; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (a body was sent), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/lawyer/consultations/{id}/close [post]
func (h *consultationsHandler) close(c *gin.Context) {
	p, id := principal(c), c.Param("id")
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.LawyerConsultationView, error) {
		return h.svc.Close(ctx, p, id)
	}, same[*service.LawyerConsultationView])
}
