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
//	@description				A person's access token: `Bearer <jwt>` from /api/v1/auth/login (15 minutes; refresh with /api/v1/auth/refresh).
//	@securityDefinitions.apikey	APIKeyAuth
//	@in							header
//	@name						Authorization
//	@description				A platform's API key: `Bearer dsb_live_…`, issued by an admin.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/dianshubao/dianshubao/api"
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
	gin.SetMode(gin.ReleaseMode)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := store.Open(ctx, cfg.DBDriver, cfg.DBDSN, store.Options{Logger: log})
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

	words := config.DefaultScreeningWords
	if cfg.ScreeningWordsFile != "" {
		b, err := os.ReadFile(cfg.ScreeningWordsFile)
		if err != nil {
			return fmt.Errorf("DSB_SCREENING_WORDS_FILE: %w", err)
		}
		words = string(b)
	}
	screener := models.NewScreener(models.ParseWordList(words))
	log.Info("screening word list loaded", "terms", screener.Len())

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	policy := webhooks.URLPolicy{AllowPrivate: cfg.WebhookAllowPrivate, AllowInsecure: cfg.WebhookAllowInsecure}
	sender := dispatch.NewSender(st, dispatch.Config{Schedule: cfg.WebhookRetrySchedule,
		Timeout: cfg.WebhookTimeout, Policy: policy, Logger: log, Registry: reg})
	// The lease outlives the longest attempt by far; it is renewed while an attempt runs.
	dispatcher := queue.New(st, queue.Config{Lease: cfg.WebhookTimeout + 30*time.Second, Logger: log, Registry: reg},
		map[string]queue.Handler{models.JobWebhookDelivery: sender.Handle}, nil)
	var waker service.Waker = dispatcher
	if rd != nil {
		// Commits on any instance wake every instance's dispatcher within milliseconds.
		waker = kv.Waker{Redis: rd, Channel: wakeChannel, Local: dispatcher}
		go rd.Subscribe(ctx, wakeChannel, dispatcher.Wake)
	}

	svc := service.New(st, limits, service.Options{JWTSecret: cfg.JWTSecret, BcryptCost: cfg.BcryptCost, Logger: log,
		Screener: screener, AutoCompleteAfter: cfg.AutoCompleteAfter, RatingFreezeDelay: cfg.RatingFreezeDelay,
		WebhookPolicy: policy, WebhookSchedule: cfg.WebhookRetrySchedule, Waker: waker,
		EvidenceDir: cfg.EvidenceDir, EvidenceMaxBytes: cfg.EvidenceMaxBytes})
	if cfg.AdminEmail != "" {
		if err := svc.Accounts.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword); err != nil {
			return fmt.Errorf("bootstrap admin: %w", err)
		}
	}

	handler := api.NewRouter(api.Deps{
		Services: svc, Limits: limits, Logger: log, Registry: reg, Ready: ready, Secret: cfg.JWTSecret,
		TrustedProxies: cfg.TrustedProxies, EvidenceMaxBytes: cfg.EvidenceMaxBytes, RateLimitPerMinute: cfg.RateLimitPerMinute, AuthRateLimitPerMinute: cfg.AuthRateLimitPerMinute,
	})

	go svc.RunSchedulers(ctx, st.KV(nil))
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		dispatcher.Run(ctx)
	}()

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
	<-dispatched // attempts in flight are finished and recorded
	log.Info("stopped")
	return nil
}

const wakeChannel = "webhooks:wake"
