// Command dianshubao serves the 电诉宝 (Dianshubao) open API: online consumer-dispute
// mediation between consumers, merchants and the platforms they trade on.
//
//	@title						电诉宝 Dianshubao open API
//	@version					1.0
//	@description				Online consumer-dispute mediation (网络消费纠纷调解平台): consumers and merchants file complaints, moderators review them, integrated platforms receive them by API and webhook and reply, and the public reads the consumer rating lists (消费评级榜).
//	@description
//	@description				Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`. Lists use cursor pagination (`limit`, `cursor`, `next_cursor`). `POST` endpoints accept `Idempotency-Key`, scoped to the caller, method and path and kept 24 h; the record is written with the change, so a retry never runs a command twice, and a refused request (4xx) is not recorded. Every response carries `X-Request-ID`; limited responses carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`, and 429 adds `Retry-After`.
//	@BasePath					/
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				A person's access token: `Bearer <jwt>` from /api/v1/auth/login (15 minutes; refresh with /api/v1/auth/refresh). HS256, with a `kid` header naming the server key that signed it; a token whose `kid` names no key the server holds (after a rotation of `DSB_JWT_SECRET` completes) is 401 `invalid_token` like an expired one. A bad or expired token counts against the client address: past 5 × `DSB_AUTH_RATE_LIMIT_PER_MINUTE` bad API keys and tokens in a minute, the address is answered 429 `rate_limited` before any credential is checked.
//	@securityDefinitions.apikey	APIKeyAuth
//	@in							header
//	@name						Authorization
//	@description				A platform's API key: `Bearer dsb_live_…`, issued by an admin. An unknown or revoked key counts against the client address like a bad token: past the budget, 429 `rate_limited` before any lookup.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/dianshubao/dianshubao/api"
	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/config"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
	"github.com/dianshubao/dianshubao/seed"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/store"
	"github.com/dianshubao/dianshubao/webhooks"
	"github.com/dianshubao/dianshubao/webhooks/dispatch"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "seed" {
		// `dianshubao seed …` fills the configured database with synthetic data (seed/).
		if err := seed.Main(os.Args[2:], os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "dianshubao seed:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dianshubao:", err)
		os.Exit(1)
	}
}

// legacySecrets are the configured secrets as they are, which keyed idempotency records before
// keys were derived per purpose; a generated secret keyed nothing that outlived its process.
func legacySecrets(cfg *config.Config) [][]byte {
	if cfg.JWTSecretGenerated {
		return nil
	}
	out := [][]byte{cfg.JWTSecret}
	if len(cfg.JWTSecretPrevious) > 0 {
		out = append(out, cfg.JWTSecretPrevious)
	}
	return out
}

// newLogger logs JSON, one object a line, each with the request id of its request.
func newLogger() *slog.Logger {
	h := slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo})
	return slog.New(api.ContextHandler{Handler: h})
}

func run() error {
	cfg, err := config.Load()
	if err != nil {
		return fmt.Errorf("configuration refused:\n%w", err)
	}
	log := newLogger()
	slog.SetDefault(log)
	if cfg.JWTSecretGenerated {
		log.Warn("DSB_JWT_SECRET is not set: using a random secret, so tokens die with this process and other instances reject them")
	}
	if cfg.DataKeyDevelopment {
		log.Warn("DSB_DATA_KEY is not set: phone numbers and real names are sealed with the public development key, which protects nothing; production refuses to start without DSB_DATA_KEY")
	}
	keys, err := cfg.DataKeys()
	if err != nil {
		return err
	}
	gin.SetMode(gin.ReleaseMode)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := store.Open(ctx, cfg.DBDriver, cfg.DBDSN, store.Options{Logger: log, Keys: keys})
	if err != nil {
		return err
	}
	defer st.Close()

	ready := map[string]func(context.Context) error{"database": st.Ping}
	var (
		limits kv.Store
		rd     *kv.Redis
	)
	if cfg.RedisURL != "" {
		rd, err = kv.NewRedis(ctx, cfg.RedisURL, "dsb:")
		if err != nil {
			return err
		}
		defer rd.Close()
		limits = rd
		ready["redis"] = rd.Ping
		log.Info("redis ready")
	} else {
		// One instance: counters in memory.
		limits = kv.NewMemory(nil)
	}

	blobs, err := evidenceStorage(ctx, cfg, log)
	if err != nil {
		return err
	}
	ready["evidence_storage"] = blobs.Check

	words := config.DefaultScreeningWords
	if cfg.ScreeningWordsFile != "" {
		b, err := os.ReadFile(cfg.ScreeningWordsFile)
		if err != nil {
			return fmt.Errorf("DSB_SCREENING_WORDS_FILE: %w", err)
		}
		words = string(b)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	policy := webhooks.URLPolicy{AllowPrivate: cfg.WebhookAllowPrivate, AllowInsecure: cfg.WebhookAllowInsecure}
	relay := &wakeRelay{}
	var waker service.Waker = relay
	if rd != nil {
		// Commits on any instance wake every instance's runner within milliseconds.
		waker = kv.Waker{Redis: rd, Channel: wakeChannel, Local: relay}
		go rd.Subscribe(ctx, wakeChannel, relay.Wake)
	}

	sender, err := smsSender(cfg, log)
	if err != nil {
		return err
	}
	var screeningNotifier service.Waker
	var viewAnnouncer func(store.ViewChange)
	if rd != nil {
		screeningNotifier = kv.Waker{Redis: rd, Channel: screeningChannel}
		viewAnnouncer = service.AnnounceViews((&kv.SetAnnouncer{Redis: rd, Channel: viewsChannel}).Add)
	}
	svc := service.New(st, limits, service.Options{TokenKeys: cfg.TokenKeys(), BcryptCost: cfg.BcryptCost, Logger: log,
		SMS: sender, AutoCompleteAfter: cfg.AutoCompleteAfter, RatingFreezeDelay: cfg.RatingFreezeDelay,
		WebhookPolicy: policy, WebhookSchedule: cfg.WebhookRetrySchedule, Waker: waker, ScreeningNotifier: screeningNotifier,
		ViewAnnouncer: viewAnnouncer,
		EvidenceDir:   cfg.EvidenceDir, EvidenceMaxBytes: cfg.EvidenceMaxBytes, Blobs: blobs,
		Limits: service.Limits{SupplementsPerComplaint: cfg.MaxSupplementsPerComplaint, RepliesPerComplaint: cfg.MaxRepliesPerComplaint,
			WebhookEndpointsPerPlatform: cfg.MaxWebhookEndpointsPerPlatform, ActiveAPIKeysPerPlatform: cfg.MaxAPIKeysPerPlatform,
			OpenConsultationsPerComplaint: cfg.MaxOpenConsultationsPerComplaint, MessagesPerConsultation: cfg.MaxMessagesPerConsultation},
		Retention: retention(cfg), Registry: reg})
	// The word list seeds the operated list on the database's first start; staff change it
	// through the admin API after that.
	if err := svc.Screening.Start(ctx, models.ParseWordList(words)); err != nil {
		return fmt.Errorf("screening list: %w", err)
	}
	reload := service.ScreeningReloadInterval
	if rd != nil {
		reload = service.ScreeningReloadIntervalAnnounced
		go rd.Subscribe(ctx, screeningChannel, svc.Screening.Wake)
	}
	go svc.Screening.Run(ctx, reload)
	if rd != nil {
		// Other instances' commits drop this instance's rendered platform reads.
		go rd.Listen(ctx, viewsChannel, svc.PlatformViews.Announced, svc.PlatformViews.SetLive)
	}
	if cfg.AdminEmail != "" {
		if err := svc.Accounts.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword); err != nil {
			return fmt.Errorf("bootstrap admin: %w", err)
		}
	}

	log.Info("keys derived from DSB_JWT_SECRET", "token_kid", cfg.TokenKeys().Current().ID,
		"idempotency_kid", cfg.IdempotencyKeys().Current().ID)
	if len(cfg.JWTSecretPrevious) > 0 {
		log.Info("DSB_JWT_SECRET_PREVIOUS is set: tokens and idempotency records made under it stay valid; remove it 24 hours after the rotation, when the last of them has expired",
			"previous_token_kid", cfg.TokenKeys().Keys()[len(cfg.TokenKeys().Keys())-1].ID)
	}
	handler := api.NewRouter(api.Deps{
		Services: svc, Limits: limits, Logger: log, Registry: reg, Ready: ready,
		IdempotencyKeys: cfg.IdempotencyKeys(), LegacySecrets: legacySecrets(cfg),
		TrustedProxies: cfg.TrustedProxies, EvidenceMaxBytes: cfg.EvidenceMaxBytes, RateLimitPerMinute: cfg.RateLimitPerMinute, AuthRateLimitPerMinute: cfg.AuthRateLimitPerMinute,
		Production: cfg.Production(),
	})

	// The runner and the webhook sender have connections of their own, so that requests that
	// fill the shared pool never hold up deliveries.
	qst, err := st.OwnPool(16)
	if err != nil {
		return err
	}
	if qst != st {
		defer qst.Close()
	}
	runner := newRunner(qst, svc, webhookSender(qst, cfg, policy, log, reg), queue.Config{
		Workers: 128, PerDestination: 32, Sweep: time.Second,
		// A lease outlasts one attempt at its longest (the webhook timeout), and is renewed.
		Lease: cfg.WebhookTimeout + 15*time.Second,
		Clock: service.SystemClock{}, Logger: log, Registry: reg, Instance: instanceName()})
	relay.set(runner)
	go svc.RunLocalChores(ctx)
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		// API keys' last_used_at, coalesced in memory; the last flush runs on shutdown.
		svc.Platforms.RunKeyUseFlusher(ctx, service.KeyUseFlushInterval)
	}()
	worked := make(chan struct{})
	go func() {
		defer close(worked)
		runner.Run(ctx)
	}()

	if cfg.PprofAddr != "" {
		go servePprof(ctx, cfg.PprofAddr, log)
	}
	srv := &http.Server{Addr: cfg.HTTPAddr, Handler: handler, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 2 * time.Minute, WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() {
		log.Info("serving", "addr", cfg.HTTPAddr, "env", cfg.Env, "db", cfg.DBDriver, "swagger", "/swagger/index.html")
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		log.Info("shutting down: finishing requests in flight")
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	<-worked // attempts in flight are finished and recorded
	<-flushed
	log.Info("stopped")
	return nil
}

const (
	wakeChannel      = "jobs:wake"
	screeningChannel = "screening:changed"
	// viewsChannel carries the platforms whose complaints changed (PlatformViews).
	viewsChannel = "views:changed"
)

// evidenceStorage is where evidence bytes live: the bucket when one is configured, else the
// local directory — said loudly when the database is shared, since other instances then miss
// every file this one stores. A bucket that does not answer yet is logged, and /readyz reports
// it until it does.
func evidenceStorage(ctx context.Context, cfg *config.Config, log *slog.Logger) (blob.Store, error) {
	if cfg.EvidenceS3 == nil {
		if cfg.LocalEvidenceShared() {
			log.Warn("EVIDENCE IS KEPT ON THIS INSTANCE'S DISK WHILE THE DATABASE IS SHARED: with more than one instance, "+
				"a file uploaded through one is missing on the others and lost when this instance is replaced; "+
				"set DSB_EVIDENCE_S3_URL (or DSB_S3_ENDPOINT and DSB_S3_BUCKET) to a bucket every instance shares",
				"evidence_dir", cfg.EvidenceDir, "db", cfg.DBDriver)
		}
		return blob.NewLocal(cfg.EvidenceDir), nil
	}
	s3 := cfg.EvidenceS3
	st, err := blob.NewS3(*s3)
	if err != nil {
		return nil, err
	}
	attrs := []any{"endpoint", s3.Endpoint, "bucket", s3.Bucket, "prefix", s3.Prefix, "tls", s3.Secure}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := st.Check(cctx); err != nil {
		log.Error("evidence bucket not usable yet: uploads and downloads fail until it is", append(attrs, "error", err)...)
	} else {
		log.Info("evidence stored in S3", attrs...)
	}
	return st, nil
}

// newRunner is this instance's one work-queue runner: every kind of job (webhook deliveries,
// text messages, follow-ups of complaints) and every periodic task.
func newRunner(st *store.Store, svc *service.Services, webhook queue.Handler, cfg queue.Config) *queue.Runner {
	handlers := svc.JobHandlers()
	if webhook != nil {
		handlers[models.JobWebhookDelivery] = webhook
	}
	return queue.New(st, cfg, handlers, svc.PeriodicTasks())
}

// webhookSender is the handler of webhook_delivery jobs: it signs and sends one delivery,
// with the retry schedule, timeout and URL guard of the configuration.
// retention is the configured retention policy.
func retention(cfg *config.Config) service.RetentionPolicy {
	events, attempts, sms, jobs := cfg.Retention()
	return service.RetentionPolicy{EventPayloads: events, WebhookAttempts: attempts, Notifications: sms, Jobs: jobs,
		Batch: cfg.RetainBatch}
}

func webhookSender(st *store.Store, cfg *config.Config, policy webhooks.URLPolicy, log *slog.Logger, reg prometheus.Registerer) queue.Handler {
	return dispatch.NewSender(st, dispatch.Config{Schedule: cfg.WebhookRetrySchedule,
		Timeout: cfg.WebhookTimeout, Policy: policy, Logger: log, Registry: reg}).Handle
}

// instanceName names this process in lease tokens: unique per process, readable in the
// job table.
func instanceName() string {
	host, _ := os.Hostname()
	if len(host) > 24 {
		host = host[:24] // lease tokens are short columns
	}
	id := models.NewID()
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), id[len(id)-8:])
}

// wakeRelay lets the services, which wake the runner, be built before it.
type wakeRelay struct{ r atomic.Pointer[queue.Runner] }

func (w *wakeRelay) set(r *queue.Runner) { w.r.Store(r) }

// Wake implements service.Waker; a wake-up before the runner exists is not needed, since the
// runner looks for due jobs when it starts.
func (w *wakeRelay) Wake() {
	if r := w.r.Load(); r != nil {
		r.Wake()
	}
}
