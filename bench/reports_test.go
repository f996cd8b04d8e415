package bench

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/report"
	"github.com/dianshubao/dianshubao/seed"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/store"
)

// reportComplaints is how many complaints the fallback database is seeded with for
// BenchmarkReportYear, filed from 2026-01 to 2026-10.
const reportComplaints = 100000

// BenchmarkReportYear measures a year's consumer report: "compute" builds it from scratch (the
// filings' and the rating population's aggregate queries for the year and the five years
// before, the year's rating list, the formula), moving the clock past the 30 s live caches
// before every op; "pdf" renders the computed report as a PDF with its five charts. It uses the
// database of DSB_BENCH_DSN when set (its last year), else a fresh database (SQLite, or MariaDB
// with DSB_TEST_MYSQL_DSN) seeded with 1,000 platforms and 100,000 complaints in 2026-01…10.
//
//	go test ./bench/ -run '^$' -bench ReportYear -benchtime 5x
func BenchmarkReportYear(b *testing.B) {
	ctx := context.Background()
	var (
		st  *store.Store
		now time.Time
	)
	if dsn := os.Getenv("DSB_BENCH_DSN"); dsn != "" {
		var last time.Time
		st, _, last = openBenchDB(b, dsn)
		now = last.Add(time.Minute)
	} else {
		st = testkit.Store(b)
		now = time.Date(2026, 10, 31, 12, 0, 0, 0, models.ChinaTime).UTC()
		t0 := time.Now()
		if _, err := seed.Run(ctx, st, seed.Options{Platforms: 1000, Complaints: reportComplaints, Consumers: 2000, Seed: 42,
			From: models.Period{Type: models.PeriodMonth, Year: 2026, N: 1}, To: models.Period{Type: models.PeriodMonth, Year: 2026, N: 10},
			AsOf: now, BcryptCost: bcrypt.MinCost}); err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %d complaints in %s", reportComplaints, time.Since(t0).Round(time.Second))
	}
	year := models.PeriodContaining(now, models.PeriodYear).String()
	clock := testkit.NewClock(now)
	svc := service.New(st, kv.NewMemory(clock.Now), service.Options{Clock: clock, BcryptCost: bcrypt.MinCost,
		Logger: slog.New(slog.DiscardHandler)})
	var r *models.Report
	b.Run("compute", func(b *testing.B) {
		for b.Loop() {
			clock.Advance(31 * time.Second)
			var err error
			if r, err = svc.Reports.Get(ctx, year, string(models.ReportConsumer)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
		b.ReportMetric(float64(r.Received), "filed")
		b.ReportMetric(float64(r.Delivered), "delivered")
	})
	b.Run("pdf", func(b *testing.B) {
		var size int
		for b.Loop() {
			pdf, err := report.PDF(r)
			if err != nil {
				b.Fatal(err)
			}
			size = len(pdf)
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
		b.ReportMetric(float64(size), "bytes")
	})
}
