package bench

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/store"
)

// BenchmarkRankingList measures the complaint rankings (投诉榜) on the database seeded as for
// BenchmarkRatingYearList (1,000 platforms, 1,000,000 complaints filed 2025-01 … 2026-11):
//
//   - <period>/query: the one aggregate query alone (store.RankingCounts) over the period;
//   - <period>/cold: Rankings.List with an empty cache every op — the aggregate of the period
//     and of the period before (both live: the freeze delay is set beyond the data, so that the
//     benchmark writes no snapshot), the platforms, the ranking in Go;
//   - <period>/cold-tag: the same with a sub-sector (tag) filter;
//   - <period>/warm: Rankings.Rendered (what GET /api/v1/rankings serves) from the cache: what
//     every request but one per 30 s costs.
//
// The periods are the year 2026 (compared with 2025) and the month 2026-11 (with 2026-10).
//
//	DSB_BENCH_DSN='root@tcp(127.0.0.1:3306)/dsb_bench?parseTime=true&charset=utf8mb4&loc=UTC' \
//	  go test ./bench/ -run '^$' -bench RankingList -benchtime 5x
func BenchmarkRankingList(b *testing.B) {
	dsn := os.Getenv("DSB_BENCH_DSN")
	if dsn == "" {
		b.Skip(benchDSNHelp)
	}
	ctx := context.Background()
	// Opening migrates: on a million rows the check that every personal value is sealed scans
	// the complaints for longer than the default transaction and read bounds, so both are raised.
	if !strings.Contains(dsn, "readTimeout=") {
		dsn += "&readTimeout=600s"
	}
	st, err := store.Open(ctx, "mysql", dsn, store.Options{Logger: slog.New(slog.DiscardHandler), TxTimeout: 10 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	var last time.Time
	if err := st.DB().WithContext(ctx).Model(&models.Complaint{}).Select("MAX(created_at)").Scan(&last).Error; err != nil || last.IsZero() {
		b.Fatalf("DSB_BENCH_DSN names a database without complaints (%v): seed it first (see bench/README.md)", err)
	}
	clock := testkit.NewClock(last.Add(time.Minute))
	newService := func() *service.Services {
		return service.New(st, kv.NewMemory(clock.Now), service.Options{Clock: clock, BcryptCost: bcrypt.MinCost,
			Logger: slog.New(slog.DiscardHandler), RatingFreezeDelay: 100 * 365 * 24 * time.Hour})
	}
	for _, period := range []string{"2026", "2026-11"} {
		p, err := models.ParsePeriod(period)
		if err != nil {
			b.Fatal(err)
		}
		plan, err := st.ExplainRankingCounts(ctx, p.Start(), p.End())
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: EXPLAIN %v", period, plan)
		b.Run(period+"/query", func(b *testing.B) {
			var n int64
			for b.Loop() {
				rows, err := st.RankingCounts(ctx, p.Start(), p.End())
				if err != nil {
					b.Fatal(err)
				}
				n = 0
				for _, r := range rows {
					n += r.N
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
			b.ReportMetric(float64(n), "complaints")
		})
		list := func(b *testing.B, svc *service.Services, tag string) *service.RankingList {
			l, err := svc.Rankings.List(ctx, service.RankingQuery{Period: period, Tag: tag})
			if err != nil {
				b.Fatal(err)
			}
			if l.Frozen || len(l.Items) == 0 {
				b.Fatalf("%s: frozen %v, %d items", period, l.Frozen, len(l.Items))
			}
			return l
		}
		report := func(b *testing.B, l *service.RankingList) {
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
			b.ReportMetric(float64(len(l.Items)), "platforms")
			b.ReportMetric(float64(l.Total), "complaints")
		}
		for _, tag := range []string{"", "二手电商"} {
			name := "/cold"
			if tag != "" {
				name = "/cold-tag"
			}
			b.Run(period+name, func(b *testing.B) {
				var l *service.RankingList
				for b.Loop() {
					l = list(b, newService(), tag)
				}
				report(b, l)
			})
		}
		b.Run(period+"/warm", func(b *testing.B) {
			svc := newService()
			q := service.RankingQuery{Period: period}
			t0 := time.Now()
			r, err := svc.Rankings.Rendered(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: first (cold) request %s, %d bytes", period, time.Since(t0).Round(time.Millisecond), len(r.Body))
			b.ResetTimer()
			for b.Loop() {
				if r, err = svc.Rankings.Rendered(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
			b.ReportMetric(float64(len(r.Body)), "B/resp")
		})
	}
}
