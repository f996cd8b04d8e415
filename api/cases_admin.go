package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/service"
)

// The staff side of typical cases: drafting one from a completed complaint, reviewing and
// editing it, publishing and unpublishing it.

// createCase godoc
//
//	@Summary		Draft a typical case (典型案例) from a completed complaint
//	@Description	Drafts the case's texts from the complaint as the platform read it (its title — a refund-only complaint's product —, its description after any correction, what was asked), the outcome (status and rating, with its comment) and the platform's replies, and scrubs the complainant's personal information from them and from `title` and `summary`: names (the complainant's contact and real name wherever they occur, and any name in a name's context — before 先生, 女士, 经理…, after 我叫, 联系人, 收件人, 客服…), mobile and landline numbers, ID-card numbers (check digit), bank-card numbers (Luhn), e-mail addresses, order numbers (the complaint's wherever it occurs) and addresses below the district, each replaced by a marker (张先生 → 张**, 13812345678 → 138****5678, an order number → ****1234). `scrubbed` lists each marker (kind, marker, position) for review. The draft is `draft` until published.
//	@Description	Only a `completed` complaint can become a case (409 `invalid_state` otherwise, and for a complaint whose complainant was erased); a complaint has one case at most (409 `case_exists` with `existing_id`). `sector` defaults to the platform's; `tags` are at most 10 of 1–20 characters, none holding personal information (the complainant's name, phone and order number included, and possible names) — 422. An unknown `complaint_id` is 422.
//	@Tags			cases
//	@ID				createCase
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			body			body		service.CreateCaseRequest	true	"the case"
//	@Param			Idempotency-Key	header		string						false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	service.AdminCaseView
//	@Failure		400				{object}	Problem	"malformed_json"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not staff"
//	@Failure		409				{object}	Problem	"invalid_state (the complaint is not completed, or was erased); case_exists (with existing_id); idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed; idempotency_key_reused"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/cases [post]
func (h *casesHandler) create(c *gin.Context) {
	var req service.CreateCaseRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (*service.AdminCaseView, error) {
		return h.svc.Create(ctx, principal(c), req)
	}, same)
}

// adminList godoc
//
//	@Summary		Every typical case, drafts too (staff)
//	@Description	The newest first, each with its status, complaint, what drafting scrubbed and what personal information its texts hold now.
//	@Tags			cases
//	@ID				adminListCases
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			status		query		string	false	"only this status"	Enums(draft,published,withdrawn)
//	@Param			sector		query		string	false	"only this sector"	Enums(digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics)
//	@Param			platform_id	query		string	false	"only cases about this platform"
//	@Param			tag			query		string	false	"only cases with this tag"
//	@Param			q			query		string	false	"only cases whose title, summary or body contains this"
//	@Param			limit		query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor		query		string	false	"next_cursor of the previous page"
//	@Success		200			{object}	ListResponse[service.AdminCaseView]
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem	"not staff"
//	@Failure		422			{object}	Problem	"validation_failed (a filter), invalid_cursor"
//	@Failure		429			{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503			{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500			{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/cases [get]
func (h *casesHandler) adminList(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := h.svc.AdminList(c.Request.Context(), principal(c), caseFilter(c), page)
	respond(c, http.StatusOK, listOf(items, next), err)
}

// adminGet godoc
//
//	@Summary	One typical case, as staff review it
//	@Tags		cases
//	@ID			adminGetCase
//	@Produce	json,application/problem+json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"case id"
//	@Success	200	{object}	service.AdminCaseView
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem	"not staff"
//	@Failure	404	{object}	Problem
//	@Failure	429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure	503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure	500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router		/api/v1/admin/cases/{id} [get]
func (h *casesHandler) adminGet(c *gin.Context) {
	v, err := h.svc.AdminGet(c.Request.Context(), principal(c), c.Param("id"))
	respond(c, http.StatusOK, v, err)
}

// updateCase godoc
//
//	@Summary		Edit a typical case
//	@Description	Only the members present change, in any status. The texts are kept as entered — they are not scrubbed again —, and `personal_information` says what they and the tags hold, possible names (`possible_name`, which drafting leaves) included. A tag holding personal information, the complainant's values included, is 422. A published case stays publishable: an edit that leaves personal information in it without the complainant's consent is 409 `consent_required`, and one that brings in a term of the screening list is 422 `validation_failed`; nothing changes.
//	@Tags			cases
//	@ID				updateCase
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id		path		string						true	"case id"
//	@Param			body	body		service.UpdateCaseRequest	true	"the members to change"
//	@Success		200		{object}	service.AdminCaseView
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem	"not staff"
//	@Failure		404		{object}	Problem
//	@Failure		409		{object}	Problem	"consent_required; complaint_changed"
//	@Failure		422		{object}	Problem	"validation_failed"
//	@Failure		408		{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413		{object}	Problem	"body_too_large"
//	@Failure		415		{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/cases/{id} [patch]
func (h *casesHandler) update(c *gin.Context) {
	var req service.UpdateCaseRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	v, err := h.svc.Update(c.Request.Context(), principal(c), c.Param("id"), req)
	respond(c, http.StatusOK, v, err)
}

// publishCase godoc
//
//	@Summary		Publish a typical case
//	@Description	A `draft` or `withdrawn` case → `published`: it joins the public list and the Atom feed. Its texts are checked for personal information first (as `personal_information` shows it, the complainant's known names, phone and order number included): with some left, the complainant must have consented (`POST /api/v1/complaints/{id}/publish-consent`), else 409 `consent_required`. A case whose complainant was erased is 409 `invalid_state`, and so is a published one. A text or tag holding a term of the screening list is 422 `validation_failed`, naming the field and where the term stands (a public case carries no abusive wording, whoever wrote it).
//	@Tags			cases
//	@ID				publishCase
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string	true	"case id"
//	@Param			Idempotency-Key	header		string	false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	service.AdminCaseView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not staff"
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"consent_required; invalid_state; complaint_changed; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed: a text or tag holds a term of the screening list; idempotency_key_reused"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/cases/{id}/publish [post]
func (h *casesHandler) publish(c *gin.Context) {
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.AdminCaseView, error) {
		return h.svc.Publish(ctx, principal(c), c.Param("id"))
	}, same)
}

// unpublishCase godoc
//
//	@Summary		Unpublish a typical case
//	@Description	A `published` case → `withdrawn` (`unpublished_reason` `staff`): it leaves the public list and the feed, and can be published again. Any other status is 409 `invalid_state`.
//	@Tags			cases
//	@ID				unpublishCase
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string	true	"case id"
//	@Param			Idempotency-Key	header		string	false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	service.AdminCaseView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not staff"
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"invalid_state; complaint_changed; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"idempotency_key_reused"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/cases/{id}/unpublish [post]
func (h *casesHandler) unpublish(c *gin.Context) {
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.AdminCaseView, error) {
		return h.svc.Unpublish(ctx, principal(c), c.Param("id"))
	}, same)
}
