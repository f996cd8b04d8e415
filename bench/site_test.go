package bench

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/api"
	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/seed"
	"github.com/dianshubao/dianshubao/service"
)

// siteBench is the router over a database seeded with 200 platforms and 20,000 complaints
// from January to June 2026, its clock on 20 June 2026.
func siteBench(b *testing.B) (http.Handler, *testkit.Clock) {
	b.Helper()
	st := testkit.Store(b)
	from, _ := models.ParsePeriod("2026-01")
	to, _ := models.ParsePeriod("2026-06")
	asOf := time.Date(2026, 6, 20, 12, 0, 0, 0, models.ChinaTime)
	if _, err := seed.Run(context.Background(), st, seed.Options{Platforms: 200, Complaints: 20000, Consumers: 200, Seed: 11,
		From: from, To: to, AsOf: asOf, BcryptCost: bcrypt.MinCost}); err != nil {
		b.Fatal(err)
	}
	clock := testkit.NewClock(asOf)
	log := slog.New(slog.DiscardHandler)
	svc := service.New(st, kv.NewMemory(clock.Now), service.Options{Clock: clock, BcryptCost: bcrypt.MinCost, Logger: log})
	return api.NewRouter(api.Deps{Services: svc, Limits: kv.NewMemory(clock.Now), Logger: log, Now: clock.Now,
		RateLimitPerMinute: 1 << 30, AuthRateLimitPerMinute: 1 << 30}), clock
}

func getPage(b *testing.B, h http.Handler, path string) int {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		b.Fatalf("%s: %d", path, w.Code)
	}
	return w.Body.Len()
}

// BenchmarkRatingsPage measures GET /ratings (the whole live June list of the consumer
// channel, every platform of it in the table) through the router:
//
//   - warm: the list and its page are in the caches, as for every reader but the first of a
//     30-second window;
//
//   - cold: the clock moves past the 30 s live cache before every op, so each op computes the
//     list from the database and renders it.
//
//     go test ./bench/ -run '^$' -bench RatingsPage -benchtime 2s
func BenchmarkRatingsPage(b *testing.B) {
	h, clock := siteBench(b)
	const path = "/ratings?period=2026-06"
	b.Run("warm", func(b *testing.B) {
		getPage(b, h, path)
		var n int
		for b.Loop() {
			n = getPage(b, h, path)
		}
		b.ReportMetric(float64(n), "bytes/page")
	})
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			clock.Advance(31 * time.Second)
			getPage(b, h, path)
		}
	})
}
