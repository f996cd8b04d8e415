package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// lawyerRoutes are the values of NewRouter the lawyer team's routes use.
type lawyerRoutes struct {
	v1, adm                            *gin.RouterGroup
	person, budget, staff, complainant gin.HandlerFunc
	idem                               gin.HandlerFunc
}

// registerLawyerRoutes adds the lawyer team (律师团): the public list of lawyers, staff's
// profiles and queue of consultations, complainants' consultations and the lawyers' desk.
func registerLawyerRoutes(s *service.Services, r lawyerRoutes) {
	lw := &lawyersHandler{svc: s.Lawyers}
	r.v1.GET("/lawyers", lw.publicList)
	r.adm.POST("/lawyers", r.staff, r.idem, lw.create)
	r.adm.GET("/lawyers", r.staff, lw.adminList)
	r.adm.GET("/lawyers/:id", r.staff, lw.adminGet)
	r.adm.PATCH("/lawyers/:id", r.staff, lw.update)

	cn := &consultationsHandler{svc: s.Consultations}
	r.v1.POST("/complaints/:id/consultations", r.person, r.budget, r.complainant, r.idem, cn.request)
	r.v1.GET("/consultations", r.person, r.budget, r.complainant, cn.listOwn)
	r.v1.GET("/consultations/:id", r.person, r.budget, r.complainant, cn.getOwn)
	r.v1.POST("/consultations/:id/messages", r.person, r.budget, r.complainant, r.idem, cn.followUp)
	r.v1.POST("/consultations/:id/cancel", r.person, r.budget, r.complainant, noBody(), r.idem, cn.cancel)
	r.adm.GET("/consultations", r.staff, cn.queue)
	r.adm.POST("/consultations/:id/assign", r.staff, r.idem, cn.assign)

	desk := r.v1.Group("/lawyer", r.person, r.budget, requireRole(models.RoleLawyer))
	desk.GET("/consultations", cn.deskList)
	desk.GET("/consultations/:id", cn.deskGet)
	desk.POST("/consultations/:id/messages", r.idem, cn.answer)
	desk.POST("/consultations/:id/close", noBody(), r.idem, cn.close)
}

type lawyersHandler struct {
	svc *service.Lawyers
}

func lawyerViews(ls []models.Lawyer) []service.LawyerView {
	out := make([]service.LawyerView, len(ls))
	for i := range ls {
		out[i] = service.NewLawyerView(&ls[i])
	}
	return out
}

// publicList godoc
//
//	@Summary		List the lawyer team (律师团)
//	@Description	The active lawyers, in the order they joined, optionally those who practise one specialty. Public: no credentials. A complainant asks one of them with requestConsultation. Cacheable (`Cache-Control`, `ETag`; `If-None-Match` answers 304).
//	@Tags			lawyers
//	@ID				listLawyers
//	@Produce		json,application/problem+json
//	@Param			specialty	query		string	false	"only lawyers who practise this"	Enums(internet_law,ecommerce_law,ip_law,contract_law,consumer_law,privacy_law,advertising_law,dispute_resolution)
//	@Param			limit		query		int		false	"page size, 1–100"					default(20)
//	@Param			cursor		query		string	false	"next_cursor of the previous page"
//	@Success		200			{object}	ListResponse[service.LawyerView]
//	@Success		304			"not modified"
//	@Failure		422			{object}	Problem	"validation_failed (specialty, limit), invalid_cursor"
//	@Failure		503			{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500			{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/lawyers [get]
func (h *lawyersHandler) publicList(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := h.svc.List(c.Request.Context(), c.Query("specialty"), true, page)
	if err != nil {
		writeProblem(c, err)
		return
	}
	writeCacheable(c, listOf(lawyerViews(items), next), publicMaxAge)
}

// adminList godoc
//
//	@Summary		List lawyers' profiles (staff)
//	@Description	Every profile, active or not, in the order they were made, with the account each is linked to.
//	@Tags			admin
//	@ID				adminListLawyers
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			specialty	query		string	false	"only lawyers who practise this"	Enums(internet_law,ecommerce_law,ip_law,contract_law,consumer_law,privacy_law,advertising_law,dispute_resolution)
//	@Param			limit		query		int		false	"page size, 1–100"					default(20)
//	@Param			cursor		query		string	false	"next_cursor of the previous page"
//	@Success		200			{object}	ListResponse[service.AdminLawyerView]
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem	"not staff"
//	@Failure		422			{object}	Problem	"validation_failed (specialty, limit), invalid_cursor"
//	@Failure		429			{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503			{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500			{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/lawyers [get]
func (h *lawyersHandler) adminList(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := h.svc.List(c.Request.Context(), c.Query("specialty"), false, page)
	if err != nil {
		writeProblem(c, err)
		return
	}
	views := make([]service.AdminLawyerView, len(items))
	for i := range items {
		views[i] = service.NewAdminLawyerView(&items[i])
	}
	c.JSON(http.StatusOK, listOf(views, next))
}

// adminGet godoc
//
//	@Summary		A lawyer's profile (staff)
//	@Tags			admin
//	@ID				adminGetLawyer
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"lawyer id"
//	@Success		200	{object}	service.AdminLawyerView
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem	"not staff"
//	@Failure		404	{object}	Problem
//	@Failure		429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/lawyers/{id} [get]
func (h *lawyersHandler) adminGet(c *gin.Context) {
	l, err := h.svc.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, service.NewAdminLawyerView(l))
}

// create godoc
//
//	@Summary		Add a lawyer's profile (staff)
//	@Description	`user_id`, when given, links the profile to an account with the role lawyer (made by an admin with POST /api/v1/admin/users), which signs in to the lawyer's desk (/api/v1/lawyer/…); another role, an unknown account or one linked to another profile is 422 naming `user_id`. A profile without an account is listed but cannot be assigned consultations. `specialties`: 1 to 8 of the closed set, each once.
//	@Tags			admin
//	@ID				createLawyer
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			body			body		service.CreateLawyerRequest	true	"the profile"
//	@Param			Idempotency-Key	header		string						false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	service.AdminLawyerView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"not staff"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (name, firm, city, specialties, bio, user_id), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/lawyers [post]
func (h *lawyersHandler) create(c *gin.Context) {
	var req service.CreateLawyerRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (*models.Lawyer, error) {
		return h.svc.Create(ctx, req)
	}, func(l *models.Lawyer) any { return service.NewAdminLawyerView(l) })
}

// update godoc
//
//	@Summary		Change a lawyer's profile (staff)
//	@Description	Only the members present change. `"active":false` takes the lawyer off the public list and out of assignment (consultations assigned already stay theirs); `user_id` links another lawyer account, as in createLawyer.
//	@Tags			admin
//	@ID				updateLawyer
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id		path		string						true	"lawyer id"
//	@Param			body	body		service.UpdateLawyerRequest	true	"the members to change"
//	@Success		200		{object}	service.AdminLawyerView
//	@Failure		400		{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem	"not staff"
//	@Failure		404		{object}	Problem
//	@Failure		408		{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413		{object}	Problem	"body_too_large"
//	@Failure		415		{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422		{object}	Problem	"validation_failed (fields named), unknown_field"
//	@Failure		429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/lawyers/{id} [patch]
func (h *lawyersHandler) update(c *gin.Context) {
	var req service.UpdateLawyerRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	l, err := h.svc.Update(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		writeProblem(c, err)
		return
	}
	c.JSON(http.StatusOK, service.NewAdminLawyerView(l))
}
