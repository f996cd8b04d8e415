package api

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

const (
	ctxLogger    = "dsb.logger"
	ctxRequestID = "dsb.request_id"
	ctxPrincipal = "dsb.principal"
	headerReqID  = "X-Request-ID"
)

type requestIDKey struct{}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// loggerOf is the router's logger; the request id comes from the context (ContextHandler).
func loggerOf(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

// requestIDMiddleware echoes a sane client X-Request-ID or makes one, and puts it in the
// request context so that every log line of the request carries it.
func requestIDMiddleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(headerReqID)
		if id == "" || len(id) > 200 || models.ControlChar(id) || strings.ContainsAny(id, "\t\r\n") {
			// Request ids need to be unique, not secret: a fast generator will do.
			var b [24]byte
			hex.Encode(b[:16], binary.BigEndian.AppendUint64(nil, mrand.Uint64()))
			hex.Encode(b[16:], binary.BigEndian.AppendUint32(nil, mrand.Uint32()))
			id = string(b[:])
		}
		c.Set(ctxRequestID, id)
		c.Header(headerReqID, id)
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), requestIDKey{}, id))
		c.Next()
	}
}

// ContextHandler adds the request id of the context to every log record.
type ContextHandler struct{ slog.Handler }

// Handle implements slog.Handler.
func (h ContextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h ContextHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return ContextHandler{h.Handler.WithAttrs(a)}
}

// WithGroup implements slog.Handler.
func (h ContextHandler) WithGroup(name string) slog.Handler {
	return ContextHandler{h.Handler.WithGroup(name)}
}

// metrics are the HTTP metrics of one router, registered on the registry it is given.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// series keeps each (route, method, status) pair's counter and histogram, so that a request
	// does not hash its labels again.
	series sync.Map
}

type routeSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	key := routeKey{route, method, status}
	v, ok := m.series.Load(key)
	if !ok {
		code := strconv.Itoa(status)
		v, _ = m.series.LoadOrStore(key, &routeSeries{requests: m.requests.WithLabelValues(route, method, code),
			latency: m.latency.WithLabelValues(route, method, code)})
	}
	rs := v.(*routeSeries)
	rs.requests.Inc()
	rs.latency.Observe(d.Seconds())
}

// methodLabel keeps the method label to the standard methods: a client choosing any token as
// its method must not create metric series at will.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

type routeKey struct {
	route, method string
	status        int
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dsb_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dsb_http_request_duration_seconds", Help: "HTTP request latency by route, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// observe logs each request and records its metrics. The route label is the pattern, never the
// raw path, so that ids do not explode the label space.
func observe(log *slog.Logger, m *metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Set(ctxLogger, log)
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		m.observe(route, methodLabel(c.Request.Method), c.Writer.Status(), d)
		if route == "/healthz" || route == "/metrics" {
			return
		}
		log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
			slog.String("method", c.Request.Method), slog.String("route", route),
			slog.Int("status", c.Writer.Status()), slog.Int64("duration_us", d.Microseconds()),
			slog.Int("bytes", c.Writer.Size()), slog.String("client_ip", c.ClientIP()))
	}
}

// recoverer answers a panic with a 500 problem and logs it, instead of dropping the connection.
func recoverer() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				writeProblem(c, fmt.Errorf("panic: %v", r))
			}
		}()
		c.Next()
	}
}

func principal(c *gin.Context) *models.Principal {
	p, _ := c.Get(ctxPrincipal)
	pr, _ := p.(*models.Principal)
	return pr
}

// Authenticators resolve bearer credentials.
type Authenticators struct {
	Person   func(ctx context.Context, token string) (*models.Principal, error)
	Platform func(ctx context.Context, key string) (*models.Principal, error)
}

// authenticate requires a bearer credential of one of the allowed kinds. API keys start with
// dsb_live_; anything else is taken for a JWT. A bad credential is counted against the
// client's address; past its budget the address is refused before any lookup.
func authenticate(a Authenticators, budgets *authBudgets, allowPerson, allowPlatform bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			writeProblem(c, models.ErrUnauthenticated)
			return
		}
		if !budgets.admitCredential(c) {
			return
		}
		var (
			p   *models.Principal
			err error
		)
		if strings.HasPrefix(token, "dsb_live_") {
			p, err = a.Platform(c.Request.Context(), token)
			if err == nil && !allowPlatform {
				err = &models.Error{Kind: models.KindForbidden, Code: "forbidden", Detail: "this endpoint is for people, not platform API keys"}
			}
		} else {
			p, err = a.Person(c.Request.Context(), token)
			if err == nil && !allowPerson {
				err = &models.Error{Kind: models.KindForbidden, Code: "forbidden", Detail: "this endpoint takes a platform API key"}
			}
		}
		if err != nil {
			if errors.Is(err, models.ErrInvalidToken) {
				budgets.credentialFailed(c)
			}
			writeProblem(c, err)
			return
		}
		c.Set(ctxPrincipal, p)
		c.Next()
	}
}

// requireRole lets only people with one of the roles through.
func requireRole(roles ...models.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principal(c)
		for _, r := range roles {
			if p != nil && p.Kind == models.PrincipalPerson && p.Role == r {
				c.Next()
				return
			}
		}
		writeProblem(c, models.ErrForbidden)
	}
}

// rateLimiter spends budgets kept in a kv.Store: fixed one-minute windows, shared across
// instances when the store is Redis.
type rateLimiter struct {
	kv    kv.Store
	now   func() time.Time
	batch rateBatch
}

// spend takes one unit of the budget key, sets the RateLimit-* headers and reports whether the
// request may go on; when not, it has answered 429.
func (rl *rateLimiter) spend(c *gin.Context, key string, limit int) bool {
	ok, reset := rl.take(c, key, limit)
	if !ok {
		writeProblem(c, &models.Error{Kind: models.KindRateLimited, Code: "rate_limited",
			Detail: fmt.Sprintf("rate limit of %d requests per minute exceeded; retry after %d s", limit, reset)})
	}
	return ok
}

// take takes one unit of the budget key and sets the RateLimit-* headers (and Retry-After when
// the budget is spent); it reports whether the request may go on and the seconds until the
// budget comes back. Limiter errors let the request through: a down cache must not stop service.
func (rl *rateLimiter) take(c *gin.Context, key string, limit int) (bool, int) {
	now := rl.now().Unix()
	window := now / 60
	n, err := rl.batch.count(c.Request.Context(), rl.kv, "rl:"+key+":"+strconv.FormatInt(window, 10), window, limit, rl.now())
	if err != nil {
		if c.Request.Context().Err() == nil { // not the client gone while waiting
			loggerOf(c).WarnContext(c.Request.Context(), "rate limiter unavailable", "error", err)
		}
		return true, 0
	}
	// The budget comes back when the window ends, whatever the counter's own expiry.
	reset := int((window+1)*60 - now)
	remaining := limit - int(n)
	if remaining < 0 {
		remaining = 0
	}
	c.Header("RateLimit-Limit", strconv.Itoa(limit))
	c.Header("RateLimit-Remaining", strconv.Itoa(remaining))
	c.Header("RateLimit-Reset", strconv.Itoa(reset))
	if int(n) > limit {
		c.Header("Retry-After", strconv.Itoa(reset))
		return false, reset
	}
	return true, reset
}

// perPrincipal limits each API key and each person's token.
func (rl *rateLimiter) perPrincipal(limit int) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p := principal(c); p != nil && !rl.spend(c, p.RateKey(), limit) {
			return
		}
		c.Next()
	}
}

// perIP limits anonymous sensitive endpoints (login, register) by client address.
func (rl *rateLimiter) perIP(limit int) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !rl.spend(c, "ip:"+c.ClientIP(), limit) {
			return
		}
		c.Next()
	}
}

// writeCacheable answers an anonymous public read: cacheable for maxAge, with an ETag, and 304
// when the client already holds this version.
func writeCacheable(c *gin.Context, v any, maxAge time.Duration) {
	body, err := json.Marshal(v)
	if err != nil {
		writeProblem(c, err)
		return
	}
	writeRendered(c, body, service.ETag(body), maxAge)
}

// notModified answers 304 when the request's If-None-Match names etag (or is *), and reports
// whether it did.
func notModified(c *gin.Context, etag string) bool {
	if match := c.GetHeader("If-None-Match"); match != "" && (match == "*" || strings.Contains(match, etag)) {
		c.Status(http.StatusNotModified)
		return true
	}
	return false
}

// writeRendered sends a JSON body already serialised, with its ETag. Headers are set by their
// canonical names directly: this is the hot path of the public lists.
func writeRendered(c *gin.Context, body []byte, etag string, maxAge time.Duration) {
	h := c.Writer.Header()
	h["Etag"] = []string{etag}
	h["Cache-Control"] = []string{cacheControl(maxAge)}
	if notModified(c, etag) {
		return
	}
	h["Content-Type"] = jsonContentType
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(body)
}

var jsonContentType = []string{"application/json; charset=utf-8"}

// cacheControl renders a Cache-Control value; the few max-ages in use are kept.
func cacheControl(maxAge time.Duration) string {
	if v, ok := cacheControls.Load(maxAge); ok {
		return v.(string)
	}
	v := fmt.Sprintf("public, max-age=%d", int(maxAge.Seconds()))
	cacheControls.Store(maxAge, v)
	return v
}

var cacheControls sync.Map
