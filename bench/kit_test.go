package bench

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/api"
	"github.com/dianshubao/dianshubao/config"
	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// benchService is the router over the services and a fresh database, with an admin signed in
// and one onboarded platform: what the in-process benchmarks start from.
func benchService(b *testing.B) (h http.Handler, admin, platformID string) {
	st := testkit.Store(b)
	log := slog.New(slog.DiscardHandler)
	svc := service.New(st, nil, service.Options{BcryptCost: bcrypt.MinCost, Logger: log,
		EvidenceDir: b.TempDir()})
	if err := svc.Screening.Start(context.Background(), models.ParseWordList(config.DefaultScreeningWords)); err != nil {
		b.Fatal(err)
	}
	h = api.NewRouter(api.Deps{Services: svc, Limits: kv.NewMemory(time.Now),
		Logger: log, RateLimitPerMinute: 1 << 30, AuthRateLimitPerMinute: 1 << 30})
	if err := svc.Accounts.EnsureAdmin(context.Background(), "admin@example.com", "admin-password-1"); err != nil {
		b.Fatal(err)
	}
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	mustIntakePost(b, h, "/api/v1/auth/login", "", map[string]string{"email": "admin@example.com", "password": "admin-password-1"}, http.StatusOK, &tokens)
	var platform struct {
		ID string `json:"id"`
	}
	mustIntakePost(b, h, "/api/v1/admin/platforms", tokens.AccessToken, map[string]any{"name": "淘宝", "slug": "taobao", "sector": "digital_retail",
		"onboarded": true, "after_sales_contact": map[string]string{"phone": "95188"}}, http.StatusCreated, &platform)
	return h, tokens.AccessToken, platform.ID
}
