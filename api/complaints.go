package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/service"
)

type complaintsHandler struct {
	svc           *service.Complaints
	notifications *service.Notifications
	views         *service.PlatformViews
}

// respond writes a service result or its error.
func respond[T any](c *gin.Context, status int, v T, err error) {
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(status, v)
}

// bindAnd binds the JSON body into a fresh T and runs the command fn with it.
func bindAnd[T any](c *gin.Context, fn func(ctx context.Context, req T) (*service.ComplaintView, error), status int) {
	var req T
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	respondCommand(c, status, func(ctx context.Context) (*service.ComplaintView, error) { return fn(ctx, req) }, same)
}

func (h *complaintsHandler) list(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	f := service.ComplaintListFilter{Status: c.Query("status"), Channel: c.Query("channel"),
		PlatformID: c.Query("platform_id"), Flag: c.Query("flag"), UpdatedSince: c.Query("updated_since")}
	items, next, err := h.svc.List(c.Request.Context(), principal(c), f, page)
	respond(c, http.StatusOK, listOf(items, next), err)
}

func (h *complaintsHandler) get(c *gin.Context) {
	v, err := h.svc.Get(c.Request.Context(), principal(c), c.Param("id"))
	respond(c, http.StatusOK, v, err)
}

// create godoc
//
//	@Summary		File a complaint (consumer channel)
//	@Description	Files a complaint against a platform; it starts in `pending_review` (待审核) with a human number such as `DSB20261126000123`. `declaration_accepted` must be true: the complainant affirms the complaint is true (恶意投诉需承担法律责任).
//	@Description	No duplicates (请不要重复递交投诉): the same `order_no` against the same platform while an earlier complaint is open, or without `order_no` the same title and description within 24 h, is 409 `duplicate_complaint` with `existing_id`.
//	@Description	Text matching the screening list (`/api/v1/admin/screening-terms`) sets the staff-only flag `abusive_language` (cleared again when a correction leaves no hit), and staff views list where each term occurs in `screening_hits`; it does not reject the complaint: the moderator decides. `order_no` and `contact_name`, which the platform reads and which cannot be corrected later, are refused instead: a hit is 422 `validation_failed` naming the field, and nothing is stored.
//	@Tags			complaints
//	@ID				createComplaint
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			body			body		service.CreateComplaintRequest	true	"the complaint"
//	@Param			Idempotency-Key	header		string							false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	service.ComplaintView
//	@Failure		400				{object}	Problem	"malformed_json"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not a consumer"
//	@Failure		409				{object}	Problem	"duplicate_complaint (with existing_id); idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed, with the fields named; idempotency_key_reused"
//	@Failure		429				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/complaints [post]
func (h *complaintsHandler) create(c *gin.Context) {
	bindAnd(c, func(ctx context.Context, req service.CreateComplaintRequest) (*service.ComplaintView, error) {
		return h.svc.Create(ctx, principal(c), req)
	}, http.StatusCreated)
}

// listOwn godoc
//
//	@Summary		My complaints (进度查询)
//	@Description	The caller's own complaints, newest first, with `status` and `status_label`.
//	@Tags			complaints
//	@ID				listMyComplaints
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			status	query		string	false	"only this status"	Enums(pending_review,rejected,awaiting_contact,delivered,replied,completed,withdrawn)
//	@Param			channel	query		string	false	"only this channel"	Enums(consumer,refund_only)
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	ListResponse[service.ComplaintView]
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Failure		429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/complaints [get]
func (h *complaintsHandler) listOwn(c *gin.Context) { h.list(c) }

// getOwn godoc
//
//	@Summary		One complaint, with its timeline
//	@Description	For the complainant and staff; anybody else gets 404.
//	@Tags			complaints
//	@ID				getComplaint
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"complaint id"
//	@Success		200	{object}	service.ComplaintView
//	@Failure		401	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		403	{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/complaints/{id} [get]
func (h *complaintsHandler) getOwn(c *gin.Context) { h.get(c) }

// supplement godoc
//
//	@Summary		Add a supplement
//	@Description	Allowed in every status but the final ones (`completed`, `withdrawn`, and `rejected` for a reason that cannot be re-submitted). A complaint rejected as `abusive_content` or `missing_information` goes back to `pending_review` (refund-only ones are screened again and delivered at once when clean); on a `delivered` or `replied` complaint the platform gets `complaint.supplemented`. A complaint takes at most 20 supplements (DSB_MAX_SUPPLEMENTS_PER_COMPLAINT, 20 by default; `max` says the value in force): one more is 409 `limit_reached` with `limit` {"name":"supplements_per_complaint","max":20}.
//	@Description	**Correcting the complaint.** With such a re-submission, `description` (and `title` for consumer complaints, `product_name` for refund-only ones) replace what the platform will see; the originals stay in the `timeline` note of the re-submission, which only the complainant and staff read, never in a platform view or webhook. In any other status they are 409 `invalid_state`; `title` on a refund-only complaint, or `product_name` on a consumer one, is 422.
//	@Description	**Screening.** Before any delivery, everything the platform will read — title, description, product name and every supplement — is screened: a refund-only complaint with a hit stays `rejected` (`abusive_content`), so a clean supplement alone does not deliver an abusive description: correct it. When no moderator reads a supplement before the platform — every supplement of a refund-only complaint, and a consumer's once the complaint was accepted (`awaiting_contact`, `delivered`, `replied`) — a supplement or correction that itself hits the list is 422 `validation_failed` naming the field (`text`, `title`, `description`, `product_name`), nothing is stored and no event is sent. Other consumer supplements with a hit are flagged for the moderator; the flag follows the current text and is cleared when a correction leaves no hit.
//	@Tags			complaints
//	@ID				supplementComplaint
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string						true	"complaint id"
//	@Param			body			body		service.SupplementRequest	true	"the supplement"
//	@Param			Idempotency-Key	header		string						false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	service.ComplaintView
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"invalid_state; limit_reached (supplements_per_complaint); duplicate_complaint (with existing_id) when a re-submission finds another open complaint about the same order; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed; idempotency_key_reused"
//	@Failure		403				{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/complaints/{id}/supplements [post]
func (h *complaintsHandler) supplement(c *gin.Context) {
	bindAnd(c, func(ctx context.Context, req service.SupplementRequest) (*service.ComplaintView, error) {
		return h.svc.Supplement(ctx, principal(c), c.Param("id"), req)
	}, http.StatusOK)
}

// rate godoc
//
//	@Summary		Rate the platform's reply (用户满意度评价)
//	@Description	Only in `replied`, once: the score (1–10) completes the complaint, and the platform gets `complaint.rated` and `complaint.completed`. The platform reads `comment` unreviewed, so a comment that hits the screening list is 422 `validation_failed` naming `comment`, and nothing is stored.
//	@Tags			complaints
//	@ID				rateComplaint
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string					true	"complaint id"
//	@Param			body			body		service.RatingRequest	true	"the rating"
//	@Param			Idempotency-Key	header		string					false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	service.ComplaintView
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"invalid_state or already_rated; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed; idempotency_key_reused"
//	@Failure		403				{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/complaints/{id}/rating [post]
func (h *complaintsHandler) rate(c *gin.Context) {
	bindAnd(c, func(ctx context.Context, req service.RatingRequest) (*service.ComplaintView, error) {
		return h.svc.Rate(ctx, principal(c), c.Param("id"), req)
	}, http.StatusOK)
}

// withdraw godoc
//
//	@Summary		Withdraw a complaint
//	@Description	Before completion only. A platform that had the complaint gets `complaint.withdrawn`.
//	@Tags			complaints
//	@ID				withdrawComplaint
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string					true	"complaint id"
//	@Param			body			body		service.WithdrawRequest	true	"why"
//	@Param			Idempotency-Key	header		string					false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	service.ComplaintView
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"invalid_state; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed; idempotency_key_reused"
//	@Failure		403				{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/complaints/{id}/withdraw [post]
func (h *complaintsHandler) withdraw(c *gin.Context) {
	bindAnd(c, func(ctx context.Context, req service.WithdrawRequest) (*service.ComplaintView, error) {
		return h.svc.Withdraw(ctx, principal(c), c.Param("id"), req)
	}, http.StatusOK)
}

// createRefundOnly godoc
//
//	@Summary		File a refund-only complaint (merchant channel, 仅退款投诉通道)
//	@Description	For merchants whose platform granted a buyer a refund without a return (仅退款). The complaint is accepted at once (平台即时受理): automatic screening only, no moderator. Clean text → `delivered` (or `awaiting_contact` if the platform cannot be reached yet) in this same request, and the platform gets the webhook `complaint.delivered` with `"channel":"refund_only"`. A screening hit anywhere the platform would read (product name, description) → `rejected` with `abusive_content`: correct it with a supplement carrying a corrected `description` (`POST /api/v1/complaints/{id}/supplements`); the whole text is screened again and, when clean, delivered at once. The response shows the final status. `order_no` and the contact name (the account's `real_name` and `shop_name`, screened at registration), which cannot be corrected, are refused instead: a hit is 422 `validation_failed` naming `order_no` or `contact_name`, and nothing is stored.
//	@Description	One open complaint per order: the same `order_no` against the same platform while an earlier one is open is 409 `duplicate_complaint` with `existing_id`. The merchant then follows the complaint with the owner endpoints (list, detail, supplements, rating — the channel's 用户满意度评价 —, withdraw).
//	@Description
//	@Description	Example: `{"platform_id":"…","order_no":"PDD20261120998877","product_name":"有机草莓 500g","refund_amount":"59.90","description":"买家签收后以“坏果”为由申请仅退款，未提供任何照片，平台直接同意退款，商品未退回。","demands":["refund"],"evidence_ids":[],"declaration_accepted":true}`
//	@Tags			refund-only
//	@ID				createRefundOnlyComplaint
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			body			body		service.CreateRefundOnlyRequest	true	"the complaint"
//	@Param			Idempotency-Key	header		string							false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	service.ComplaintView
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not a merchant"
//	@Failure		409				{object}	Problem	"duplicate_complaint (with existing_id); idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed; idempotency_key_reused"
//	@Failure		429				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/refund-only/complaints [post]
func (h *complaintsHandler) createRefundOnly(c *gin.Context) {
	bindAnd(c, func(ctx context.Context, req service.CreateRefundOnlyRequest) (*service.ComplaintView, error) {
		return h.svc.CreateRefundOnly(ctx, principal(c), req)
	}, http.StatusCreated)
}
