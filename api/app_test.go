package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/api"
	"github.com/dianshubao/dianshubao/config"
	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/store"
	"github.com/dianshubao/dianshubao/webhooks"
	"github.com/dianshubao/dianshubao/webhooks/dispatch"
)

func init() { gin.SetMode(gin.TestMode) }

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testApp is the real router over a real database, driven as a client would.
type testApp struct {
	t      testing.TB
	h      http.Handler
	st     *store.Store
	svc    *service.Services
	disp   *queue.Runner
	clock  *testkit.Clock
	logs   *syncBuffer
	secret []byte
}

type appOptions struct {
	rateLimit, authRateLimit int
	evidenceMaxBytes         int64
	limits                   kv.Store
	// strictWebhooks refuses private and http:// webhook URLs, as production does; by default
	// tests allow them so that httptest receivers on 127.0.0.1 work.
	strictWebhooks bool
	// waker replaces the app's own dispatcher as the one told about new deliveries.
	waker service.Waker
	// store replaces the test's own fresh database; ready adds readiness checks.
	store *store.Store
	ready map[string]func(context.Context) error
	// instance names the app's runner in its lease tokens; runnerSweep is its sweep (an hour
	// unless set); registry receives its metrics.
	instance    string
	runnerSweep time.Duration
	registry    prometheus.Registerer
	// sms is the SMS provider; nil logs the messages.
	sms service.SMSSender
	// maxima are the limits per complaint and per platform; zero fields take the defaults.
	maxima service.Limits
	// screeningNotifier announces screening-list changes to other instances.
	screeningNotifier service.Waker
	// blobs is where evidence goes (and a readiness check, as main wires it); nil is a
	// directory of the test's own.
	blobs service.BlobStore
	// viewAnnouncer tells other instances of changes to what platforms read (main wires it
	// to Redis).
	viewAnnouncer func(store.ViewChange)
	// cacheTTL is how long platforms and API keys are remembered (a second unless set).
	cacheTTL time.Duration
	// secret and previous are DSB_JWT_SECRET and DSB_JWT_SECRET_PREVIOUS; secret has a test
	// value unless set.
	secret, previous []byte
}

const adminEmail, adminPassword = "admin@example.com", "admin-password-1"

func newApp(t testing.TB, opts ...func(*appOptions)) *testApp {
	t.Helper()
	o := appOptions{rateLimit: 100000, authRateLimit: 100000, evidenceMaxBytes: 1 << 20}
	for _, f := range opts {
		f(&o)
	}
	st := o.store
	if st == nil {
		st = testkit.Store(t)
	}
	clock := testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	logs := &syncBuffer{}
	log := slog.New(api.ContextHandler{Handler: slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})})
	secret := o.secret
	if secret == nil {
		secret = []byte("test-secret-test-secret-test-secret!")
	}
	cfg := &config.Config{JWTSecret: secret, JWTSecretPrevious: o.previous}
	policy := webhooks.URLPolicy{AllowPrivate: !o.strictWebhooks, AllowInsecure: !o.strictWebhooks}
	schedule := []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	relay := &runnerWaker{}
	if o.waker == nil {
		o.waker = relay
	}
	svc := service.New(st, nil, service.Options{TokenKeys: cfg.TokenKeys(), BcryptCost: bcrypt.MinCost, Clock: clock, Logger: log,
		WebhookPolicy: policy, WebhookSchedule: schedule, Waker: o.waker, SMS: o.sms, AwaitingBatch: 2,
		EvidenceDir: t.TempDir(), EvidenceMaxBytes: o.evidenceMaxBytes, Blobs: o.blobs, Limits: o.maxima, ScreeningNotifier: o.screeningNotifier,
		Registry: o.registry, CacheTTL: o.cacheTTL, ViewAnnouncer: o.viewAnnouncer})
	if err := svc.Screening.Start(context.Background(), models.ParseWordList(config.DefaultScreeningWords)); err != nil {
		t.Fatalf("screening list: %v", err)
	}
	if o.limits == nil {
		o.limits = kv.NewMemory(clock.Now)
	}
	ready := map[string]func(context.Context) error{"database": st.Ping}
	if o.blobs != nil {
		ready["evidence_storage"] = o.blobs.Check
	}
	for name, check := range o.ready {
		ready[name] = check
	}
	h := api.NewRouter(api.Deps{Services: svc, Limits: o.limits, Logger: log,
		IdempotencyKeys: cfg.IdempotencyKeys(), LegacySecrets: legacySecrets(secret, o.previous),
		Ready:            ready,
		EvidenceMaxBytes: o.evidenceMaxBytes, RateLimitPerMinute: o.rateLimit, AuthRateLimitPerMinute: o.authRateLimit, Now: clock.Now})
	if err := svc.Accounts.EnsureAdmin(context.Background(), adminEmail, adminPassword); err != nil {
		t.Fatalf("bootstrap admin: %v", err)
	}
	if o.instance == "" {
		o.instance = "test-runner"
	}
	app := &testApp{}
	// Every command behind an Idempotency-Key must write its record in its transaction; the
	// handler logs when one did not, and no test may leave such a line.
	// Every webhook body the test made matches the schema its type's catalogue entry serves.
	t.Cleanup(func() { app.checkStoredEvents() })
	t.Cleanup(func() {
		if strings.Contains(logs.String(), "command did not record") {
			t.Errorf("a command answered without writing its idempotency record:\n%s", logs.String())
		}
	})
	disp := newRunner(st, runnerOptions{schedule: schedule, policy: policy, clock: clock, logger: log, instance: o.instance,
		handlers: svc.JobHandlers(), sweep: o.runnerSweep, registry: o.registry})
	relay.r.Store(disp)
	*app = testApp{t: t, h: h, st: st, svc: svc, disp: disp, clock: clock, logs: logs, secret: secret}
	return app
}

// legacySecrets are the secrets as they are, which main hands the router for records named
// and sealed before keys were derived per purpose.
func legacySecrets(secrets ...[]byte) [][]byte {
	var out [][]byte
	for _, s := range secrets {
		if len(s) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// runnerOptions shape a work-queue runner as tests build it.
type runnerOptions struct {
	schedule []time.Duration
	policy   webhooks.URLPolicy
	clock    queue.Clock
	logger   *slog.Logger
	registry prometheus.Registerer
	instance string
	workers  int
	// sweep is an hour unless set: tests drive the runner with RunOnce or wake it.
	sweep time.Duration
	// handlers are the service's job handlers, beside the webhook sender.
	handlers map[string]queue.Handler
}

// runnerWaker lets the services, which wake the runner, be built before it.
type runnerWaker struct{ r atomic.Pointer[queue.Runner] }

func (w *runnerWaker) Wake() {
	if r := w.r.Load(); r != nil {
		r.Wake()
	}
}

// newRunner builds the work-queue runner with every handler the service registers.
func newRunner(st *store.Store, o runnerOptions) *queue.Runner {
	if o.sweep == 0 {
		o.sweep = time.Hour
	}
	if o.schedule == nil {
		o.schedule = []time.Duration{0, 5 * time.Second}
	}
	sender := dispatch.NewSender(st, dispatch.Config{Schedule: o.schedule, Timeout: 5 * time.Second, Policy: o.policy,
		Clock: o.clock, Logger: o.logger, Registry: o.registry, Jitter: func() float64 { return 0.5 }})
	handlers := map[string]queue.Handler{models.JobWebhookDelivery: sender.Handle}
	for kind, h := range o.handlers {
		handlers[kind] = h
	}
	return queue.New(st, queue.Config{Workers: o.workers, Sweep: o.sweep, Lease: 45 * time.Second, Clock: o.clock,
		Logger: o.logger, Registry: o.registry, Instance: o.instance}, handlers, nil)
}

type response struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (r *response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

func (r *response) String() string { return string(r.Body) }

// req is one request: body is a string sent as is, or a value sent as JSON.
type req struct {
	method, path string
	body         any
	token        string
	header       map[string]string
	remoteAddr   string
	// raw skips the checks every API response must pass (for ops endpoints).
	raw bool
	// contentLength, when set, is the Content-Length the request announces.
	contentLength int64
}

func (a *testApp) do(rq req) *response {
	a.t.Helper()
	var body io.Reader
	switch b := rq.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	r := httptest.NewRequest(rq.method, rq.path, body)
	if rq.body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if rq.token != "" {
		r.Header.Set("Authorization", "Bearer "+rq.token)
	}
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	if rq.remoteAddr != "" {
		r.RemoteAddr = rq.remoteAddr
	}
	if rq.contentLength > 0 {
		r.ContentLength = rq.contentLength
	}
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, r)
	res := &response{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
	if rq.raw {
		return res
	}
	if w.Header().Get("X-Request-ID") == "" {
		a.t.Errorf("%s %s: no X-Request-ID", rq.method, rq.path)
	}
	// Every error of the API is a problem document with a stable code.
	if w.Code >= 400 {
		if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
			a.t.Errorf("%s %s: %d with Content-Type %q, want application/problem+json", rq.method, rq.path, w.Code, ct)
		}
		var p map[string]any
		if err := json.Unmarshal(res.Body, &p); err != nil || p["code"] == "" || p["code"] == nil || p["status"] != float64(w.Code) {
			a.t.Errorf("%s %s: %d with a body that is not a problem: %s", rq.method, rq.path, w.Code, res.Body)
		}
		// The code is in the catalogue, with the status the catalogue gives it.
		if c, ok := catalogue()[fmt.Sprint(p["code"])]; !ok || c.Status != w.Code {
			a.t.Errorf("%s %s: %d with code %v, which the error catalogue lists as %+v", rq.method, rq.path, w.Code, p["code"], c)
		}
	}
	if w.Code >= 500 {
		a.t.Errorf("%s %s: server error %d: %s", rq.method, rq.path, w.Code, res.Body)
	}
	checkContract(a.t, r, res)
	return res
}

// expect fails the test unless the response has the status (and, for errors, the code).
func expect(t testing.TB, r *response, status int, code ...string) map[string]any {
	t.Helper()
	if r.Code != status {
		t.Fatalf("status %d, want %d: %s", r.Code, status, r.Body)
	}
	if status == http.StatusNotModified {
		return nil
	}
	m := r.JSON(t)
	if len(code) > 0 && m["code"] != code[0] {
		t.Fatalf("code %v, want %s: %s", m["code"], code[0], r.Body)
	}
	return m
}

func (a *testApp) adminToken() string {
	a.t.Helper()
	r := a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": adminEmail, "password": adminPassword}})
	return expect(a.t, r, 200)["access_token"].(string)
}

var phoneSeq struct {
	sync.Mutex
	n int
}

// nextPhone hands out distinct valid mobile numbers.
func nextPhone() string {
	phoneSeq.Lock()
	defer phoneSeq.Unlock()
	phoneSeq.n++
	return "139" + strings.Repeat("0", 8-len(itoa(phoneSeq.n))) + itoa(phoneSeq.n)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// register creates a consumer (or merchant) and returns its access token and user id.
func (a *testApp) register(role string) (token, id string) {
	token, id, _ = a.registerPhone(role)
	return token, id
}

// registerPhone is register, also returning the phone to log in with again.
func (a *testApp) registerPhone(role string) (token, id, phone string) {
	a.t.Helper()
	phone = nextPhone()
	body := map[string]any{"role": role, "phone": phone, "password": "password-123", "real_name": "张三"}
	if role == "merchant" {
		body["shop_name"] = "张三的小店"
	}
	m := expect(a.t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: body}), 201)
	return m["access_token"].(string), m["user"].(map[string]any)["id"].(string), phone
}

// login gets a fresh access token for a registered phone (tokens live 15 minutes of the clock).
func (a *testApp) login(phone string) string {
	a.t.Helper()
	r := a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": phone, "password": "password-123"}})
	return expect(a.t, r, 200)["access_token"].(string)
}

func (a *testApp) createPlatform(admin, slug string, extra map[string]any) map[string]any {
	a.t.Helper()
	body := map[string]any{"name": "平台 " + slug, "slug": slug, "sector": "digital_retail", "tags": []string{"综合电商"}}
	for k, v := range extra {
		body[k] = v
	}
	return expect(a.t, a.do(req{method: "POST", path: "/api/v1/admin/platforms", token: admin, body: body}), 201)
}

func (a *testApp) issueKey(admin, platformID string) (key, keyID string) {
	a.t.Helper()
	m := expect(a.t, a.do(req{method: "POST", path: "/api/v1/admin/platforms/" + platformID + "/api-keys", token: admin,
		body: map[string]string{"name": "production"}}), 201)
	return m["key"].(string), m["id"].(string)
}
