package api

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// limitBody caps JSON bodies; uploads set their own limit.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil && c.Request.Body != http.NoBody && c.Request.Method != http.MethodGet {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
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
	Person   func(token string) (*models.Principal, error)
	Platform func(ctx context.Context, key string) (*models.Principal, error)
}

// authenticate requires a bearer credential of one of the allowed kinds. API keys start with
// dsb_live_; anything else is taken for a JWT.
func authenticate(a Authenticators, allowPerson, allowPlatform bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			writeProblem(c, models.ErrUnauthenticated)
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
			p, err = a.Person(token)
			if err == nil && !allowPerson {
				err = &models.Error{Kind: models.KindForbidden, Code: "forbidden", Detail: "this endpoint takes a platform API key"}
			}
		}
		if err != nil {
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
	kv  kv.Store
	now func() time.Time
}

// spend takes one unit of the budget key, sets the RateLimit-* headers and reports whether the
// request may go on. Limiter errors let the request through: a down cache must not stop service.
func (rl *rateLimiter) spend(c *gin.Context, key string, limit int) bool {
	now := rl.now().Unix()
	window := now / 60
	n, _, err := rl.kv.Incr(c.Request.Context(), fmt.Sprintf("rl:%s:%d", key, window), 2*time.Minute)
	if err != nil {
		loggerOf(c).WarnContext(c.Request.Context(), "rate limiter unavailable", "error", err)
		return true
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
		writeProblem(c, &models.Error{Kind: models.KindRateLimited, Code: "rate_limited",
			Detail: fmt.Sprintf("rate limit of %d requests per minute exceeded; retry after %d s", limit, reset)})
		return false
	}
	return true
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

// idempotency replays the first response of a POST for 24 h when the client repeats its
// Idempotency-Key with the same body, and refuses the key with another body.
type idempotency struct {
	kv kv.Store
	// secret keys the record names and the seal of the stored responses, so that the store's
	// contents are useless without the service's secret and the client's key.
	secret []byte
}

const (
	idempotencyTTL = 24 * time.Hour
	// inFlightTTL bounds how long a request that never finished (a crash) holds its key.
	inFlightTTL = 2 * time.Minute
)

// idemRecord is what is kept of a request. The response body is sealed with a key derived from
// the Idempotency-Key, which only the client holds, so that a response carrying a secret (a new
// API key, a webhook secret) is not readable from the database or Redis.
type idemRecord struct {
	Fingerprint string `json:"fp"`
	Done        bool   `json:"done"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"ct,omitempty"`
	Sealed      []byte `json:"sealed,omitempty"`
}

func (im *idempotency) mac(label, scope, key string) []byte {
	m := hmac.New(sha256.New, im.secret)
	m.Write([]byte(label + "\x00" + scope + "\x00" + key))
	return m.Sum(nil)
}

func (im *idempotency) cipher(scope, key string) cipher.AEAD {
	block, _ := aes.NewCipher(im.mac("seal", scope, key))
	aead, _ := cipher.NewGCM(block)
	return aead
}

func seal(aead cipher.AEAD, plain []byte) []byte {
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plain, nil)
}

func unseal(aead cipher.AEAD, sealed []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("sealed record too short")
	}
	return aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], nil)
}

type captureWriter struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *captureWriter) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

func (im *idempotency) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if key == "" || c.Request.Method != http.MethodPost {
			c.Next()
			return
		}
		if len(key) > 255 || models.ControlChar(key) {
			writeProblem(c, models.Invalid("Idempotency-Key", "must be at most 255 printable characters"))
			return
		}
		ctx := c.Request.Context()
		body, err := readAllLimited(c)
		if err != nil {
			writeProblem(c, err)
			return
		}
		sum := sha256.Sum256(append([]byte(c.Request.Method+" "+c.Request.URL.Path+"\n"), body...))
		fp := hex.EncodeToString(sum[:])
		// Keys belong to their caller; anonymous callers (register, login, refresh) are told apart
		// by address.
		scope := "ip:" + c.ClientIP()
		if p := principal(c); p != nil {
			scope = p.RateKey()
		}
		storeKey := "idem:" + hex.EncodeToString(im.mac("name", scope, key))
		rec, _ := json.Marshal(idemRecord{Fingerprint: fp})
		fresh, err := im.kv.SetNX(ctx, storeKey, rec, inFlightTTL)
		if err != nil {
			writeProblem(c, err)
			return
		}
		if !fresh {
			raw, err := im.kv.Get(ctx, storeKey)
			if errors.Is(err, kv.ErrMiss) {
				writeProblem(c, models.Conflict("idempotency_key_in_use", "retry the request"))
				return
			}
			if err != nil {
				writeProblem(c, err)
				return
			}
			var prev idemRecord
			_ = json.Unmarshal(raw, &prev)
			switch {
			case prev.Fingerprint != fp:
				writeProblem(c, &models.Error{Kind: models.KindValidation, Code: "idempotency_key_reused",
					Detail: "this Idempotency-Key was used with another request body; use a new key"})
			case !prev.Done:
				writeProblem(c, models.Conflict("idempotency_key_in_use", "a request with this Idempotency-Key is still being processed"))
			default:
				body, err := unseal(im.cipher(scope, key), prev.Sealed)
				if err != nil {
					// Sealed under another secret (a restart without DSB_JWT_SECRET).
					writeProblem(c, models.Conflict("idempotency_key_unusable", "this Idempotency-Key's record can no longer be read; use a new key"))
					return
				}
				c.Header("Idempotent-Replayed", "true")
				c.Data(prev.Status, prev.ContentType, body)
				c.Abort()
			}
			return
		}
		cw := &captureWriter{ResponseWriter: c.Writer}
		c.Writer = cw
		finished := false
		defer func() {
			// A panic (answered 500 by the recoverer) must not hold the key either.
			if !finished {
				_ = im.kv.Del(context.WithoutCancel(ctx), storeKey)
			}
		}()
		c.Next()
		finished = true
		status := cw.Status()
		// Server errors are not remembered, so that the client's retry can succeed.
		if status >= 500 {
			_ = im.kv.Del(context.WithoutCancel(ctx), storeKey)
			return
		}
		done, _ := json.Marshal(idemRecord{Fingerprint: fp, Done: true, Status: status,
			ContentType: cw.Header().Get("Content-Type"), Sealed: seal(im.cipher(scope, key), cw.buf.Bytes())})
		if err := im.kv.Set(context.WithoutCancel(ctx), storeKey, done, idempotencyTTL); err != nil {
			loggerOf(c).ErrorContext(ctx, "could not save idempotency record", "error", err)
		}
	}
}

// readAllLimited reads the body (already capped by MaxBytesReader) and puts it back.
func readAllLimited(c *gin.Context) ([]byte, error) {
	var buf bytes.Buffer
	if c.Request.Body != nil {
		if _, err := buf.ReadFrom(c.Request.Body); err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return nil, &models.Error{Kind: models.KindTooLarge, Code: "body_too_large", Detail: "the request body is too large"}
			}
			return nil, models.BadRequest("unreadable_body", "the request body could not be read")
		}
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(buf.Bytes()))
	return buf.Bytes(), nil
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// writeCacheable answers an anonymous public read: cacheable for maxAge, with an ETag, and 304
// when the client already holds this version.
func writeCacheable(c *gin.Context, v any, maxAge time.Duration) {
	body, err := json.Marshal(v)
	if err != nil {
		writeProblem(c, err)
		return
	}
	sum := sha256.Sum256(body)
	writeRendered(c, body, `"`+hex.EncodeToString(sum[:16])+`"`, maxAge)
}

// writeRendered sends a JSON body already serialised, with its ETag. Headers are set by their
// canonical names directly: this is the hot path of the public lists.
func writeRendered(c *gin.Context, body []byte, etag string, maxAge time.Duration) {
	h := c.Writer.Header()
	h["Etag"] = []string{etag}
	h["Cache-Control"] = []string{cacheControl(maxAge)}
	if match := c.GetHeader("If-None-Match"); match != "" && (match == "*" || strings.Contains(match, etag)) {
		c.Status(http.StatusNotModified)
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
