package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// registerCampaignRoutes adds the investigation campaigns (调查行动): public reads, staff
// commands under /admin, and answering questionnaires for merchants and consumers.
func registerCampaignRoutes(v1, adm *gin.RouterGroup, s *service.Services, person, budget, staff, idem gin.HandlerFunc) {
	h := &campaignsHandler{svc: s.Campaigns}
	q := &questionnairesHandler{svc: s.Questionnaires}
	v1.GET("/campaigns", h.list)
	v1.GET("/campaigns/:id", h.get)
	v1.GET("/campaigns/:id/report", h.report)
	v1.GET("/campaigns/:id/questionnaires", q.list)
	v1.POST("/campaigns/:id/questionnaires/:qid/responses", person, budget, requireRole(models.RoleConsumer, models.RoleMerchant), idem, q.respond)
	adm.POST("/campaigns", staff, idem, h.create)
	adm.POST("/campaigns/:id/status", staff, idem, h.move)
	adm.POST("/campaigns/:id/complaints", staff, idem, h.tag)
	adm.POST("/campaigns/:id/tag-rule/preview", staff, idem, h.preview)
	adm.POST("/campaigns/:id/tag-rule/apply", staff, idem, h.apply)
	adm.POST("/campaigns/:id/questionnaires", staff, idem, q.create)
	adm.GET("/campaigns/:id/report", staff, h.staffReport)
}

type campaignsHandler struct {
	svc *service.Campaigns
}

// CampaignView is an investigation campaign (调查行动).
type CampaignView struct {
	ID    string `json:"id"`
	Title string `json:"title" example:"电商平台“仅退款”调查行动"`
	Topic string `json:"topic" example:"调查电商平台“仅退款”服务的现状、漏洞与困局。"`
	// StartDate and EndDate are China-time days, both included.
	StartDate string `json:"start_date" example:"2024-07-23" format:"date"`
	EndDate   string `json:"end_date" example:"2024-09-04" format:"date"`
	// PlatformIDs are the platforms it watches; empty: every platform.
	PlatformIDs []string `json:"platform_ids"`
	IssueTypes  []string `json:"issue_types" example:"refund" enums:"refund,quality,false_advertising,unfair_terms,delivery,after_sales,privacy,fraud,other"`
	Keywords    []string `json:"keywords" example:"仅退款"`
	Status      string   `json:"status" example:"open" enums:"planned,open,closed,reported"`
	StatusLabel string   `json:"status_label" example:"进行中"`
	CreatedAt   string   `json:"created_at" format:"date-time"`
	UpdatedAt   string   `json:"updated_at" format:"date-time"`
	// ReportedAt is when the report was frozen; null before.
	ReportedAt *string `json:"reported_at" format:"date-time" extensions:"x-nullable"`
}

func nonNilList(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

func campaignView(c *models.Campaign) CampaignView {
	return CampaignView{ID: c.ID, Title: c.Title, Topic: c.Topic, StartDate: c.StartsOn, EndDate: c.EndsOn,
		PlatformIDs: nonNilList(c.PlatformIDs), IssueTypes: nonNilList(c.IssueTypes), Keywords: nonNilList(c.Keywords),
		Status: string(c.Status), StatusLabel: c.Status.Label(), CreatedAt: service.Ts(c.CreatedAt), UpdatedAt: service.Ts(c.UpdatedAt),
		ReportedAt: service.TsPtr(c.ReportedAt)}
}

// list godoc
//
//	@Summary		List the investigation campaigns (调查行动)
//	@Description	Every campaign, oldest first, optionally of one status. Public and cacheable (`Cache-Control`, `ETag`).
//	@Tags			campaigns
//	@ID				listCampaigns
//	@Produce		json,application/problem+json
//	@Param			status	query		string	false	"only campaigns in this status"	Enums(planned,open,closed,reported)
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	ListResponse[CampaignView]
//	@Success		304		"not modified"
//	@Failure		422		{object}	Problem	"validation_failed (status, limit), invalid_cursor"
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/campaigns [get]
func (h *campaignsHandler) list(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := h.svc.List(c.Request.Context(), c.Query("status"), page)
	if err != nil {
		writeProblem(c, err)
		return
	}
	views := make([]CampaignView, len(items))
	for i := range items {
		views[i] = campaignView(&items[i])
	}
	writeCacheable(c, listOf(views, next), publicMaxAge)
}

// get godoc
//
//	@Summary		An investigation campaign
//	@Description	Public and cacheable (`Cache-Control`, `ETag`).
//	@Tags			campaigns
//	@ID				getCampaign
//	@Produce		json,application/problem+json
//	@Param			id	path		string	true	"campaign id"
//	@Success		200	{object}	CampaignView
//	@Success		304	"not modified"
//	@Failure		404	{object}	Problem
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/campaigns/{id} [get]
func (h *campaignsHandler) get(c *gin.Context) {
	camp, err := h.svc.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	writeCacheable(c, campaignView(camp), publicMaxAge)
}

// report godoc
//
//	@Summary		A campaign's report (调查报告)
//	@Description	Computed from the complaints tagged into the campaign only, per platform with tagged complaints, by the rating formula of the rating lists (`formula_version`): `delivered` is the population (tagged complaints delivered, replied or completed, less those delivered under 120 h ago and not yet replied), `reply_rate` = replied ÷ delivered, `timeliness` the mean of 1.0 (first reply < 72 h), 0.6 (< 120 h) or 0 over replied ones, `satisfaction` the mean 1–10 score of rated ones (null when none), `index` = reply_rate × 0.5 + timeliness × 0.3 + satisfaction / 10 × 0.2 and its `grade`; `top_issue_types` the three most frequent issue types (refund-only complaints count as `refund_only`). Platforms ordered by `filed`, then name.
//	@Description	`questionnaires` aggregates each questionnaire per question: counts and shares of each option (or scale value 1–5, with the mean); free-text answers are in the staff view only (`texts` is null here). Live while the campaign is planned, open or closed; computed once and frozen when it becomes reported (`frozen`: true), and from then on served unchanged whatever happens to the complaints. Public and cacheable (`Cache-Control`, `ETag`).
//	@Tags			campaigns
//	@ID				getCampaignReport
//	@Produce		json,application/problem+json
//	@Param			id	path		string	true	"campaign id"
//	@Success		200	{object}	service.CampaignReport
//	@Success		304	"not modified"
//	@Failure		404	{object}	Problem
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/campaigns/{id}/report [get]
func (h *campaignsHandler) report(c *gin.Context) {
	r, err := h.svc.Report(c.Request.Context(), c.Param("id"), false)
	if err != nil {
		writeProblem(c, err)
		return
	}
	writeCacheable(c, r, publicMaxAge)
}

// staffReport godoc
//
//	@Summary		A campaign's report with the free-text answers
//	@Description	The report of `GET /api/v1/campaigns/{id}/report`, with each free-text question's answers listed in `texts` (an empty list when none; null for the other kinds).
//	@Tags			admin
//	@ID				getCampaignStaffReport
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"campaign id"
//	@Success		200	{object}	service.CampaignReport
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/campaigns/{id}/report [get]
func (h *campaignsHandler) staffReport(c *gin.Context) {
	r, err := h.svc.Report(c.Request.Context(), c.Param("id"), true)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// create godoc
//
//	@Summary		Create an investigation campaign
//	@Description	Staff (moderators and admins). `status` is `planned` (the default) or `open`; a campaign then goes planned → open → closed → reported through `POST …/{id}/status`. `platform_ids` must be known platforms (empty: it watches every platform), `issue_types` and `keywords` describe the complaints it collects (a tag rule's defaults are the campaign's platforms and dates).
//	@Tags			admin
//	@ID				createCampaign
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			body			body		service.CreateCampaignRequest	true	"the campaign"
//	@Param			Idempotency-Key	header		string							false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	CampaignView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (fields named), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/campaigns [post]
func (h *campaignsHandler) create(c *gin.Context) {
	var req service.CreateCampaignRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	p := principal(c)
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (*models.Campaign, error) {
		return h.svc.Create(ctx, p, req)
	}, func(m *models.Campaign) any { return campaignView(m) })
}

// move godoc
//
//	@Summary		Move a campaign to its next status
//	@Description	planned → open → closed → reported, one step at a time; any other move is 409 `invalid_state`. Complaints join and questionnaires are answered while it is open. Becoming `reported` computes the report and freezes it in the same transaction.
//	@Tags			admin
//	@ID				moveCampaign
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string							true	"campaign id"
//	@Param			body			body		service.CampaignStatusRequest	true	"the next status"
//	@Param			Idempotency-Key	header		string							false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	CampaignView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"invalid_state: not the next status; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (status), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/campaigns/{id}/status [post]
func (h *campaignsHandler) move(c *gin.Context) {
	var req service.CampaignStatusRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	p, id := principal(c), c.Param("id")
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*models.Campaign, error) {
		return h.svc.Move(ctx, p, id, req)
	}, func(m *models.Campaign) any { return campaignView(m) })
}
