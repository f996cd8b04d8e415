package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

type screeningHandler struct {
	svc *service.ScreeningList
}

// ScreeningTermView is one term of the screening list.
type ScreeningTermView struct {
	ID string `json:"id"`
	// Term is the term as it was entered.
	Term string `json:"term" example:"傻逼"`
	// Folded is the form it is matched in: lower case, half-width, simplified characters,
	// spaces, punctuation and symbols removed.
	Folded string `json:"folded" example:"傻逼"`
	// CreatedBy is the admin who added it; null for the terms the list was seeded with.
	CreatedBy *string `json:"created_by" extensions:"x-nullable"`
	CreatedAt string  `json:"created_at" format:"date-time"`
}

// AddedScreeningTermView is a term just added.
type AddedScreeningTermView struct {
	ScreeningTermView
	// WithdrawnCases are the ids of the published typical cases that hold the term, withdrawn
	// in the same transaction (`unpublished_reason` `screened`); empty when none did.
	WithdrawnCases []string `json:"withdrawn_cases"`
}

func screeningTermView(t *models.ScreeningTerm) ScreeningTermView {
	return ScreeningTermView{ID: t.ID, Term: t.Term, Folded: t.Folded, CreatedBy: t.CreatedBy, CreatedAt: service.Ts(t.CreatedAt)}
}

// list godoc
//
//	@Summary		List the screening terms
//	@Description	The terms automatic screening matches, oldest first. The list is seeded on the database's first start from the shipped word list (or `DSB_SCREENING_WORDS_FILE`) and changed with this API only; every instance applies a change within 2 seconds. Matching ignores letter case, full-/half-width forms, traditional versus simplified characters, and spaces, punctuation or symbols put between a term's characters (傻 逼, 傻*逼, n m s l), and so are a term's own (`go die` matches `godie`). A term of ASCII letters and digits only matches as a whole word: no ASCII letter or digit may touch it in the original text (`shit` is not in `Shitake`, `cnm` not in `Cnmall旗舰店`); Chinese terms match anywhere.
//	@Tags			admin
//	@ID				listScreeningTerms
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	ListResponse[ScreeningTermView]
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		422		{object}	Problem	"validation_failed (limit), invalid_cursor"
//	@Failure		429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/screening-terms [get]
func (h *screeningHandler) list(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	terms, next, err := h.svc.List(c.Request.Context(), page)
	if err != nil {
		writeProblem(c, err)
		return
	}
	views := make([]ScreeningTermView, len(terms))
	for i := range terms {
		views[i] = screeningTermView(&terms[i])
	}
	c.JSON(http.StatusOK, listOf(views, next))
}

// add godoc
//
//	@Summary		Add a screening term
//	@Description	Applies at once on this instance and within 2 seconds on every other, to complaints filed, supplemented or delivered from then on. Published typical cases whose texts or tags hold the term are withdrawn in the same transaction (`withdrawn`, `unpublished_reason` `screened`: the API's public case list, case, feed and reports no longer serve them; what a client or the website cached stays up to its `Cache-Control` max-age), their ids listed in `withdrawn_cases`; staff may rephrase and publish them again. A publication or edit of a case on any instance waits for the addition and screens with the list as committed. A term that matches as a listed one does (after folding case, width, traditional forms and separators) is 409 `screening_term_taken`; a term of only spaces, punctuation or symbols is 422.
//	@Tags			admin
//	@ID				addScreeningTerm
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			body			body		service.AddScreeningTermRequest	true	"the term, 1–64 characters"
//	@Param			Idempotency-Key	header		string							false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	AddedScreeningTermView
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"screening_term_taken; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/screening-terms [post]
func (h *screeningHandler) add(c *gin.Context) {
	var req service.AddScreeningTermRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	p := principal(c)
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (*service.AddedScreeningTerm, error) {
		return h.svc.Add(ctx, p, req)
	}, func(a *service.AddedScreeningTerm) any {
		return AddedScreeningTermView{ScreeningTermView: screeningTermView(a.Term), WithdrawnCases: a.WithdrawnCases}
	})
}

// remove godoc
//
//	@Summary		Remove a screening term
//	@Description	Applies at once on this instance and within 2 seconds on every other.
//	@Tags			admin
//	@ID				removeScreeningTerm
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id	path	string	true	"term id"
//	@Success		204	"removed"
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		400	{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		408	{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413	{object}	Problem	"body_too_large"
//	@Failure		415	{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422	{object}	Problem	"validation_failed (fields named), unknown_field; idempotency_key_reused"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/screening-terms/{id} [delete]
func (h *screeningHandler) remove(c *gin.Context) {
	if err := h.svc.Remove(c.Request.Context(), c.Param("id")); err != nil {
		writeProblem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
