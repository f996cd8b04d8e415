package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

type erasureHandler struct {
	svc *service.Erasures
}

// ErasureView is the record of an account's erasure: who erased whom, when, and how much of
// each kind of data was erased. It holds nothing personal.
type ErasureView struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	Role   string `json:"role" example:"consumer" enums:"consumer,merchant"`
	// ErasedBy is admin (POST /admin/users/{id}/erase) or self (DELETE /me).
	ErasedBy string `json:"erased_by" example:"admin" enums:"admin,self"`
	// ActorID is the admin's id, or the person's own.
	ActorID   string        `json:"actor_id"`
	CreatedAt string        `json:"created_at" format:"date-time"`
	Counts    ErasureCounts `json:"counts"`
}

// ErasureCounts are how many rows of each kind an erasure anonymised, deleted or revoked.
type ErasureCounts struct {
	// Complaints filed by the account, anonymised (ids, status, platform, times and scores stay).
	Complaints int `json:"complaints" example:"3"`
	// Withdrawn are those of them that were still open and unanswered, withdrawn by the erasure.
	Withdrawn int `json:"withdrawn" example:"1"`
	// Supplements, Replies and TimelineEntries had their texts replaced.
	Supplements     int `json:"supplements" example:"2"`
	Replies         int `json:"replies" example:"1"`
	TimelineEntries int `json:"timeline_entries" example:"7"`
	// Notifications had their phone and text replaced (unsent ones will not be sent).
	Notifications int `json:"notifications" example:"4"`
	// WebhookEvents had their stored bodies rewritten without the personal data.
	WebhookEvents int `json:"webhook_events" example:"3"`
	// IdempotencyRecords recorded answers that could hold the person's data, deleted.
	IdempotencyRecords int `json:"idempotency_records" example:"2"`
	// EvidenceFiles the person uploaded: names replaced, files deleted from storage.
	EvidenceFiles int `json:"evidence_files" example:"2"`
	// RefreshTokens revoked.
	RefreshTokens int `json:"refresh_tokens" example:"1"`
	// Cases made of the complaints (典型案例): withdrawn, texts and tags replaced.
	Cases int `json:"cases" example:"0"`
}

func erasureView(e *models.Erasure) ErasureView {
	return ErasureView{ID: e.ID, UserID: e.UserID, Role: string(e.Role), ErasedBy: e.ActorType, ActorID: e.ActorID,
		CreatedAt: service.Ts(e.CreatedAt), Counts: ErasureCounts{Complaints: e.Complaints, Withdrawn: e.Withdrawn,
			Supplements: e.Supplements, Replies: e.Replies, TimelineEntries: e.TimelineEntries,
			Notifications: e.Notifications, WebhookEvents: e.WebhookEvents, IdempotencyRecords: e.IdempotencyRecords,
			EvidenceFiles: e.EvidenceFiles, RefreshTokens: e.RefreshTokens, Cases: e.Cases}}
}

// eraseUser godoc
//
//	@Summary		Erase a consumer's or merchant's account (admin)
//	@Description	Anonymises the account and the personal data of its complaints (个人信息删除): names, phones, order numbers, titles, descriptions, product names, supplements, replies, timeline notes, rating comments, text messages and stored webhook bodies become `[已删除]`, the typical cases made of the complaints are withdrawn and their texts become `[已删除]` too, the files the person uploaded are deleted from storage, the recorded answers of the person's requests are deleted, every refresh token is revoked and access tokens are refused at once (within 2 s on other instances). Complaint ids, numbers, status, platform, channel, times and scores stay, so the rating lists keep their counts and no frozen list changes. Open complaints the platform has not answered (pending review, awaiting contact, delivered, rejected but re-submittable) are withdrawn first (`complaint.withdrawn`, already anonymised). A minute later a second sweep erases what requests racing the erasure stored, adding it to the counts. Erasing an erased account changes nothing and answers the same record. Staff accounts are disabled, not erased (403); an admin cannot erase their own account here (403).
//	@Tags			admin
//	@ID				eraseUser
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string	true	"user id"
//	@Param			Idempotency-Key	header		string	false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	ErasureView
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not an admin; the caller's own account; a staff account"
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"complaint_changed; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"unknown_field (the command takes no body); idempotency_key_reused"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/users/{id}/erase [post]
func (h *erasureHandler) eraseUser(c *gin.Context) {
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*models.Erasure, error) {
		return h.svc.EraseByAdmin(ctx, principal(c), c.Param("id"))
	}, func(e *models.Erasure) any { return erasureView(e) })
}

// eraseMe godoc
//
//	@Summary		Erase the caller's own account (consumers and merchants)
//	@Description	The same erasure as POST /api/v1/admin/users/{id}/erase, asked by the person: the account can never log in again (the token of this request is refused from now on), and the answer is the erasure's record. Staff accounts are not erased (403).
//	@Tags			auth
//	@ID				eraseMe
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Success		200	{object}	ErasureView
//	@Failure		400	{object}	Problem
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem	"a staff account or a platform API key"
//	@Failure		409	{object}	Problem	"complaint_changed: retry"
//	@Failure		422	{object}	Problem	"unknown_field (the command takes no body)"
//	@Failure		408	{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413	{object}	Problem	"body_too_large"
//	@Failure		415	{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/me [delete]
func (h *erasureHandler) eraseMe(c *gin.Context) {
	e, err := h.svc.EraseSelf(c.Request.Context(), principal(c))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, erasureView(e))
}

// listErasures godoc
//
//	@Summary		List erasures (admin)
//	@Description	Every erasure of an account, oldest first: whom, by whom (an admin, or the person), when, and how much was erased.
//	@Tags			admin
//	@ID				listErasures
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	ListResponse[ErasureView]
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem	"not an admin"
//	@Failure		422		{object}	Problem	"validation_failed (limit); invalid_cursor"
//	@Failure		429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/erasures [get]
func (h *erasureHandler) listErasures(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	recs, next, err := h.svc.ListErasures(c.Request.Context(), page)
	if err != nil {
		writeProblem(c, err)
		return
	}
	views := make([]ErasureView, len(recs))
	for i := range recs {
		views[i] = erasureView(&recs[i])
	}
	c.JSON(http.StatusOK, listOf(views, next))
}
