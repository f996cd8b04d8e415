// Package api is the HTTP layer, the only package that imports gin: every route and its
// authentication in router.go, the middleware, one handler file per resource, and problem.go,
// the one place errors become responses.
package api

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	// The generated OpenAPI document registers itself with swag for /swagger/doc.json.
	_ "github.com/dianshubao/dianshubao/docs"
	"github.com/dianshubao/dianshubao/internal/keyring"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/web"
)

// Deps is what the router needs; main wires it, and tests wire it the same way.
type Deps struct {
	Services *service.Services
	// Limits holds rate-limit counters.
	Limits   kv.Store
	Logger   *slog.Logger
	Registry *prometheus.Registry
	// Ready checks the database and, when configured, Redis.
	Ready                  map[string]func(context.Context) error
	RateLimitPerMinute     int
	AuthRateLimitPerMinute int
	Now                    func() time.Time
	// IdempotencyKeys seal idempotency records (config.Config.IdempotencyKeys); nil is a random
	// secret's, so that records are unusable after the process.
	IdempotencyKeys *keyring.Ring
	// LegacySecrets are DSB_JWT_SECRET and DSB_JWT_SECRET_PREVIOUS as they are: records
	// written before keys were derived per purpose were named and sealed with them, and are
	// still replayed (read only) for the 24 hours they live.
	LegacySecrets [][]byte
	// TrustedProxies are the proxies whose X-Forwarded-For is believed (none by default).
	TrustedProxies []string
	// EvidenceMaxBytes is the per-file upload limit.
	EvidenceMaxBytes int64
	// MaxJSONBytes caps JSON request bodies.
	MaxJSONBytes int64
	// Production marks the website's cookies Secure (DSB_ENV=production).
	Production bool
}

// NewRouter builds the HTTP handler with every route.
func NewRouter(d Deps) http.Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.MaxJSONBytes == 0 {
		d.MaxJSONBytes = 1 << 20
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
		d.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.IdempotencyKeys == nil {
		secret := make([]byte, keyring.KeySize)
		_, _ = rand.Read(secret)
		d.IdempotencyKeys = keyring.New(keyring.PurposeIdempotency, secret)
	}
	r := gin.New()
	// Client addresses come from the connection unless proxies are named: a forged
	// X-Forwarded-For must not buy a fresh login budget.
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		d.Logger.Error("DSB_TRUSTED_PROXIES refused; trusting no proxy", "error", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(requestIDMiddleware(), observe(d.Logger, newMetrics(d.Registry)), recoverer())
	r.NoRoute(func(c *gin.Context) {
		if web.IsSitePath(c.Request) {
			web.NotFound(c)
			return
		}
		writeProblem(c, &models.Error{Kind: models.KindNotFound, Code: "route_not_found", Detail: "no such endpoint; see /swagger/index.html"})
	})
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, &models.Error{Kind: models.KindMethodNotAllowed, Code: "method_not_allowed", Detail: "this endpoint does not take this method"})
	})

	ops := &opsHandler{ready: d.Ready}
	r.GET("/healthz", ops.healthz)
	r.GET("/readyz", ops.readyz)
	r.GET("/metrics", metricsHandler(d.Registry))
	r.GET("/swagger/*any", swaggerUI())
	r.GET("/openapi.json", openAPI3)

	s := d.Services
	limiter := &rateLimiter{kv: d.Limits, now: d.Now}
	idemGuard := &idempotency{keys: d.IdempotencyKeys, legacy: d.LegacySecrets, now: d.Now, records: s.IdempotencyRecord}
	idem := idemGuard.middleware()
	auth := Authenticators{Person: s.Accounts.Authenticate, Platform: s.Platforms.AuthenticateAPIKey}
	// The counters' names are keyed by a key of their own, derived from the idempotency key
	// (a rotation starts them afresh: they live minutes).
	budgets := &authBudgets{kv: d.Limits, limit: d.AuthRateLimitPerMinute, now: d.Now,
		key: keyring.Derive(d.IdempotencyKeys.Current().Secret, "limits").Secret}
	web.Register(r, web.Deps{Services: s, Now: d.Now, Logger: d.Logger, Secure: d.Production, EvidenceMaxBytes: d.EvidenceMaxBytes, Guard: &siteGuard{limiter: limiter, limit: d.AuthRateLimitPerMinute, budgets: budgets, perPerson: d.RateLimitPerMinute}})
	person := authenticate(auth, budgets, true, false)
	platform := authenticate(auth, budgets, false, true)
	budget := limiter.perPrincipal(d.RateLimitPerMinute)
	admin := requireRole(models.RoleAdmin)

	v1 := r.Group("/api/v1", limitBody(d.MaxJSONBytes))

	acc := &accountsHandler{svc: s.Accounts, limiter: limiter, limit: d.AuthRateLimitPerMinute, budgets: budgets}
	authLimited := limiter.perIP(d.AuthRateLimitPerMinute)
	v1.POST("/auth/register", authLimited, idem, acc.register)
	v1.POST("/auth/login", authLimited, idem, acc.login)
	v1.POST("/auth/refresh", authLimited, idem, acc.refresh)
	v1.GET("/me", person, budget, acc.me)
	v1.POST("/me/password", person, budget, authLimited, idem, acc.changePassword)
	er := &erasureHandler{svc: s.Erasures}
	v1.DELETE("/me", person, budget, noBody(), er.eraseMe)

	pl := &platformsHandler{svc: s.Platforms}
	v1.GET("/platforms", pl.publicList)
	v1.GET("/platforms/:id", pl.publicGet)
	v1.GET("/webhook-event-types", listEventTypes)
	rt := &ratingsHandler{svc: s.Ratings}
	v1.GET("/ratings", rt.list)
	v1.GET("/platforms/:id/ratings", rt.history)
	registerRankingRoutes(v1, s.Rankings)
	registerReportRoutes(v1, s.Reports)

	adm := v1.Group("/admin", person, budget)
	adm.POST("/users", admin, idem, acc.createStaff)
	adm.GET("/users", admin, acc.listUsers)
	adm.POST("/users/:id/disable", admin, noBody(), idem, acc.disableStaff)
	adm.POST("/users/:id/enable", admin, noBody(), idem, acc.enableStaff)
	adm.POST("/users/:id/erase", admin, noBody(), idem, er.eraseUser)
	adm.GET("/erasures", admin, er.listErasures)
	adm.POST("/platforms", admin, idem, pl.create)
	adm.GET("/platforms", admin, pl.adminList)
	adm.GET("/platforms/:id", admin, pl.adminGet)
	adm.PATCH("/platforms/:id", admin, pl.update)
	adm.POST("/platforms/:id/api-keys", admin, idem, pl.createKey)
	adm.GET("/platforms/:id/api-keys", admin, pl.listKeys)
	adm.DELETE("/platforms/:id/api-keys/:key_id", admin, noBody(), pl.revokeKey)
	sc := &screeningHandler{svc: s.Screening}
	adm.GET("/screening-terms", admin, sc.list)
	adm.POST("/screening-terms", admin, idem, sc.add)
	adm.DELETE("/screening-terms/:id", admin, noBody(), sc.remove)

	// Uploads stream to disk under their own size limit, outside the JSON body cap, and check
	// Idempotency-Key themselves once the file's hash is known (the middleware would hold the
	// body in memory).
	ev := &evidenceHandler{svc: s.Evidence, maxBytes: d.EvidenceMaxBytes, idem: idemGuard}
	uploader := authenticate(auth, budgets, true, true)
	r.POST("/api/v1/evidence", limitUpload(d.EvidenceMaxBytes+multipartOverhead), uploader, budget, ev.upload)
	v1.GET("/evidence/:id", uploader, budget, ev.download)

	cp := &complaintsHandler{svc: s.Complaints, notifications: s.Notifications, views: s.PlatformViews}
	consumer := requireRole(models.RoleConsumer)
	complainant := requireRole(models.RoleConsumer, models.RoleMerchant)
	staff := requireRole(models.RoleModerator, models.RoleAdmin)
	v1.POST("/complaints", person, budget, consumer, idem, cp.create)
	v1.POST("/refund-only/complaints", person, budget, requireRole(models.RoleMerchant), idem, cp.createRefundOnly)
	v1.GET("/complaints", person, budget, complainant, cp.listOwn)
	v1.GET("/complaints/:id", person, budget, cp.getOwn)
	v1.POST("/complaints/:id/supplements", person, budget, complainant, idem, cp.supplement)
	v1.POST("/complaints/:id/rating", person, budget, complainant, idem, cp.rate)
	v1.POST("/complaints/:id/withdraw", person, budget, complainant, idem, cp.withdraw)
	adm.GET("/complaints", staff, cp.queue)
	adm.GET("/complaints/:id", staff, cp.staffGet)
	adm.POST("/complaints/:id/accept", staff, noBody(), idem, cp.accept)
	adm.POST("/complaints/:id/reject", staff, idem, cp.reject)
	adm.GET("/notifications", admin, cp.listNotifications)
	registerCampaignRoutes(v1, adm, s, person, budget, staff, idem)
	registerLawyerRoutes(s, lawyerRoutes{v1: v1, adm: adm, person: person, budget: budget, staff: staff, complainant: complainant, idem: idem})

	// Typical cases: staff draft and publish them, the public reads the published ones, and
	// the complainant gives or withdraws the consent to publishing personal information.
	ca := &casesHandler{svc: s.Cases}
	v1.GET("/cases", ca.publicList)
	v1.GET("/cases.atom", ca.feed)
	v1.GET("/cases/:id", ca.publicGet)
	adm.POST("/cases", staff, idem, ca.create)
	adm.GET("/cases", staff, ca.adminList)
	adm.GET("/cases/:id", staff, ca.adminGet)
	adm.PATCH("/cases/:id", staff, ca.update)
	adm.POST("/cases/:id/publish", staff, noBody(), idem, ca.publish)
	adm.POST("/cases/:id/unpublish", staff, noBody(), idem, ca.unpublish)
	pc := &consentHandler{svc: s.Cases}
	v1.POST("/complaints/:id/publish-consent", person, budget, complainant, noBody(), idem, pc.give)
	v1.DELETE("/complaints/:id/publish-consent", person, budget, complainant, noBody(), pc.withdraw)

	plat := v1.Group("/platform", platform, budget)
	plat.GET("/me", pl.platformMe)
	plat.GET("/ratings", rt.own)
	plat.GET("/ratings/:period", rt.ownPeriod)
	plat.GET("/complaints", cp.platformList)
	plat.GET("/complaints/:id", cp.platformGet)
	plat.POST("/complaints/:id/replies", idem, cp.reply)

	wh := &webhooksHandler{svc: s.Webhooks}
	plat.POST("/webhook-endpoints", idem, wh.create)
	plat.GET("/webhook-endpoints", wh.list)
	plat.GET("/webhook-endpoints/:id", wh.get)
	plat.PATCH("/webhook-endpoints/:id", wh.update)
	plat.DELETE("/webhook-endpoints/:id", noBody(), wh.delete)
	plat.POST("/webhook-endpoints/:id/rotate-secret", noBody(), idem, wh.rotate)
	plat.POST("/webhook-endpoints/:id/test", noBody(), idem, wh.test)
	plat.GET("/webhook-deliveries", wh.deliveries)
	plat.POST("/webhook-events/:id/redeliver", noBody(), idem, wh.redeliver)

	return headAsGet(r)
}

// headAsGet answers HEAD on the website's pages as GET (net/http drops the body of a HEAD
// response), so that link checkers and uptime probes get the page's status and headers.
func headAsGet(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead && web.IsSitePath(r) {
			r = r.Clone(r.Context())
			r.Method = http.MethodGet
		}
		h.ServeHTTP(w, r)
	})
}

// metrics godoc
//
//	@Summary		Prometheus metrics
//	@Description	The Prometheus text exposition format: request counts and latencies by route, the work queue (jobs by state, claim latency, deliveries by outcome), the database pool. Meant for a scraper on the operators' network, not for the public.
//	@Tags			ops
//	@ID				metrics
//	@Produce		plain
//	@Success		200	{string}	string	"metrics in the text exposition format"
//	@Router			/metrics [get]
func metricsHandler(g prometheus.Gatherer) gin.HandlerFunc {
	return gin.WrapH(promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
}

type opsHandler struct {
	ready map[string]func(context.Context) error
}

// healthz godoc
//
//	@Summary	Liveness: the process answers
//	@Tags		ops
//	@ID			healthz
//	@Produce	json
//	@Success	200	{object}	HealthResponse
//	@Router		/healthz [get]
func (h *opsHandler) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, HealthResponse{Status: "ok"})
}

// readyz godoc
//
//	@Summary		Readiness: the database, the evidence storage and, when configured, Redis answer
//	@Description	`checks` names each: `database`, `evidence_storage` (the bucket when DSB_EVIDENCE_S3_URL or DSB_S3_* is set, else the local directory), `redis`. 503 with `Retry-After` while one of them cannot be reached (the checks give up after 2 s); it turns 200 again by itself when they return.
//	@Tags			ops
//	@ID				readyz
//	@Produce		json
//	@Success		200	{object}	HealthResponse
//	@Failure		503	{object}	HealthResponse
//	@Router			/readyz [get]
func (h *opsHandler) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	res := HealthResponse{Status: "ok", Checks: map[string]string{}}
	status := http.StatusOK
	for name, check := range h.ready {
		if err := check(ctx); err != nil {
			res.Checks[name] = "unavailable"
			res.Status = "unavailable"
			status = http.StatusServiceUnavailable
			c.Header("Retry-After", retryAfterUnavailable)
			loggerOf(c).WarnContext(ctx, "readiness check failed", "check", name, "error", err)
		} else {
			res.Checks[name] = "ok"
		}
	}
	c.JSON(status, res)
}
