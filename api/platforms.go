package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

type platformsHandler struct {
	svc *service.Platforms
}

// publicMaxAge is how long CDNs and browsers may keep public reads.
const publicMaxAge = 60 * time.Second

// createPlatform godoc
//
//	@Summary		Create a platform
//	@Description	`name` is unique ignoring letter case, full-width forms and surrounding spaces (淘宝 and "淘宝 ", JD and ＪＤ are one name): a taken name is 409 `name_taken`, a taken slug 409 `slug_taken`. `after_sales_contact.phone` is a mainland mobile (13800138000), a landline with its area code (010-12345678 or 01012345678, optional -extension), a 400/800 number (400-123-4567) or a 95xxx/96xxx service number (95188); `after_sales_contact.email` one address without a display name; anything else is 422 naming the field.
//	@Tags			admin
//	@ID				createPlatform
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			body			body		service.CreatePlatformRequest	true	"the platform"
//	@Param			Idempotency-Key	header		string							false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	PlatformView
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		409				{object}	Problem	"slug_taken, name_taken (names are unique ignoring case, full-width forms and surrounding spaces); idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"validation_failed; idempotency_key_reused"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/platforms [post]
func (h *platformsHandler) create(c *gin.Context) {
	var req service.CreatePlatformRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (*models.Platform, error) {
		return h.svc.Create(ctx, req)
	}, func(p *models.Platform) any { return platformView(p) })
}

// adminList godoc
//
//	@Summary	List all platforms (admin)
//	@Tags		admin
//	@ID			adminListPlatforms
//	@Produce	json,application/problem+json
//	@Security	BearerAuth
//	@Param		sector	query		string	false	"only this sector"	Enums(digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics)
//	@Param		q		query		string	false	"only names containing this, ignoring case, full-width forms and surrounding spaces (at most 255 characters)"
//	@Param		limit	query		int		false	"page size, 1–100"	default(20)
//	@Param		cursor	query		string	false	"next_cursor of the previous page"
//	@Success	200		{object}	ListResponse[PlatformView]
//	@Failure	401		{object}	Problem
//	@Failure	403		{object}	Problem
//	@Failure	422		{object}	Problem
//	@Failure	429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure	503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure	500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router		/api/v1/admin/platforms [get]
func (h *platformsHandler) adminList(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := h.svc.List(c.Request.Context(), platformFilter(c), page)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(platformViews(items), next))
}

// update godoc
//
//	@Summary		Change a platform
//	@Description	Only the members present change. Onboard a platform with `"onboarded":true` and give its after-sales contact; `"after_sales_contact":null` removes the contact. The name and contact rules of createPlatform apply: a name another platform has (ignoring case, full-width forms and surrounding spaces) is 409 `name_taken`.
//	@Tags			admin
//	@ID				updatePlatform
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id		path		string							true	"platform id"
//	@Param			body	body		service.UpdatePlatformRequest	true	"the members to change"
//	@Success		200		{object}	PlatformView
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Failure		409		{object}	Problem	"slug_taken, name_taken"
//	@Failure		422		{object}	Problem
//	@Failure		408		{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413		{object}	Problem	"body_too_large"
//	@Failure		415		{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/platforms/{id} [patch]
func (h *platformsHandler) update(c *gin.Context) {
	var req service.UpdatePlatformRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	p, err := h.svc.Update(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, platformView(p))
}

// publicList godoc
//
//	@Summary		List platform profiles
//	@Description	Public and cacheable (`Cache-Control`, `ETag`); `rateable` tells whether the rating list grades the platform.
//	@Tags			platforms
//	@ID				listPlatforms
//	@Produce		json,application/problem+json
//	@Param			sector	query		string	false	"only this sector"	Enums(digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics)
//	@Param			q		query		string	false	"only names containing this, ignoring case, full-width forms and surrounding spaces (at most 255 characters): q=jd finds 京东JD and ＪＤ"
//	@Param			limit	query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor	query		string	false	"next_cursor of the previous page"
//	@Success		200		{object}	ListResponse[PlatformView]
//	@Success		304		"not modified"
//	@Failure		422		{object}	Problem
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/platforms [get]
func (h *platformsHandler) publicList(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := h.svc.List(c.Request.Context(), platformFilter(c), page)
	if err != nil {
		writeProblem(c, err)
		return
	}
	writeCacheable(c, listOf(platformViews(items), next), publicMaxAge)
}

// publicGet godoc
//
//	@Summary		A platform profile, by id or slug
//	@Description	`/api/v1/platforms/taobao` and `/api/v1/platforms/{id}` answer the same profile; an id is looked up first.
//	@Tags			platforms
//	@ID				getPlatform
//	@Produce		json,application/problem+json
//	@Param			id	path		string	true	"platform id or slug"
//	@Success		200	{object}	PlatformView
//	@Success		304	"not modified"
//	@Failure		404	{object}	Problem
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/platforms/{id} [get]
func (h *platformsHandler) publicGet(c *gin.Context) {
	p, err := h.svc.Lookup(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	writeCacheable(c, platformView(p), publicMaxAge)
}

// adminGet godoc
//
//	@Summary		A platform (admin)
//	@Description	The platform's profile with what an admin needs to onboard it: whether complaints reach it now (`reachable`: onboarded, and an after-sales contact, an active API key or an enabled webhook endpoint), its active API keys and enabled webhook endpoints. Read from the database, so a change shows at once. The path takes the id or the slug.
//	@Tags			admin
//	@ID				adminGetPlatform
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"platform id or slug"
//	@Success		200	{object}	AdminPlatformView
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem	"not an admin"
//	@Failure		404	{object}	Problem
//	@Failure		429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/platforms/{id} [get]
func (h *platformsHandler) adminGet(c *gin.Context) {
	v, err := h.svc.AdminGet(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, adminPlatformView(v))
}

// platformFilter reads the listing's filters from the query string.
func platformFilter(c *gin.Context) service.PlatformListFilter {
	return service.PlatformListFilter{Sector: c.Query("sector"), Query: c.Query("q")}
}

// platformMe godoc
//
//	@Summary	The calling platform
//	@Tags		platform
//	@ID			getPlatformMe
//	@Produce	json,application/problem+json
//	@Security	APIKeyAuth
//	@Success	200	{object}	PlatformView
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem	"a person's token, not an API key"
//	@Failure	429	{object}	Problem
//	@Failure	503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure	500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router		/api/v1/platform/me [get]
func (h *platformsHandler) platformMe(c *gin.Context) {
	p, err := h.svc.Get(c.Request.Context(), principal(c).PlatformID)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, platformView(p))
}
