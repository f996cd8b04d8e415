package bench

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/api"
	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/seed"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/store"
)

const benchDSNHelp = "DSB_BENCH_DSN is not set: seed a MySQL/MariaDB database with " +
	"`DSB_DB_DRIVER=mysql DSB_DB_DSN=… go run . seed --platforms 1000 --complaints 1000000` and set DSB_BENCH_DSN " +
	"to its DSN (see bench/README.md); the benchmark does not seed a million rows itself"

// openBenchDB opens the seeded database of DSB_BENCH_DSN and returns the first and last
// delivery in it.
func openBenchDB(b *testing.B, dsn string) (*store.Store, time.Time, time.Time) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "mysql", dsn, store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	var span struct{ First, Last *time.Time }
	if err := st.DB().WithContext(ctx).Model(&models.Complaint{}).
		Select("MIN(delivered_at) AS first, MAX(delivered_at) AS last").Scan(&span).Error; err != nil {
		b.Fatal(err)
	}
	if span.Last == nil {
		b.Fatal("DSB_BENCH_DSN names a database without delivered complaints: seed it first (see bench/README.md)")
	}
	return st, span.First.UTC(), span.Last.UTC()
}

// BenchmarkRatingYearList measures computing a whole year's consumer list from scratch — the
// aggregate query over the year's complaints, the platforms and the formula — on a database
// seeded with the seed command (1,000 platforms, 1,000,000 complaints from 2025-01 to 2026-11).
// One sub-benchmark per year of the data. The clock sits inside the year so that the year is
// live, and moves past the 30 s live cache before every iteration, so every op misses it.
//
//	DSB_BENCH_DSN='root@tcp(127.0.0.1:3306)/dsb_bench?parseTime=true&charset=utf8mb4&loc=UTC' \
//	  go test ./bench/ -run '^$' -bench RatingYearList -benchtime 5x
func BenchmarkRatingYearList(b *testing.B) {
	dsn := os.Getenv("DSB_BENCH_DSN")
	if dsn == "" {
		b.Skip(benchDSNHelp)
	}
	st, first, last := openBenchDB(b, dsn)
	ctx := context.Background()
	for year := first.In(models.ChinaTime).Year(); year <= last.In(models.ChinaTime).Year(); year++ {
		b.Run(strconv.Itoa(year), func(b *testing.B) {
			p := models.Period{Type: models.PeriodYear, Year: year}
			at := last.Add(time.Minute)
			if end := p.End().Add(-time.Hour); at.After(end) {
				at = end
			}
			clock := testkit.NewClock(at)
			svc := service.New(st, kv.NewMemory(clock.Now), service.Options{Clock: clock, BcryptCost: bcrypt.MinCost,
				Logger: slog.New(slog.DiscardHandler)})
			var items, complaints int64
			for b.Loop() {
				clock.Advance(31 * time.Second)
				l, err := svc.Ratings.List(ctx, service.RatingQuery{Period: p.String(), Channel: string(models.ChannelConsumer)})
				if err != nil {
					b.Fatal(err)
				}
				if l.Frozen {
					b.Fatalf("%s is frozen at %s: the clock left the live window", p, clock.Now())
				}
				items, complaints = int64(len(l.Items)), 0
				for _, it := range l.Items {
					complaints += it.ComplaintCount
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
			b.ReportMetric(float64(items), "platforms")
			b.ReportMetric(float64(complaints), "complaints")
		})
	}
}

// servingComplaints is how many complaints the SQLite fallback seeds into one month for
// BenchmarkRatingListServing: enough that nearly all of the 1,000 platforms are listed.
const servingComplaints = 50000

// BenchmarkRatingListServing compares serving a cached rating list through the whole router
// (request id, metrics, logging, the service's rendered-JSON cache, ETag) with bare gin:
//
//   - bare-gin: gin.New() with one route answering c.JSON(200, gin.H{"status": "ok"});
//   - bare-gin-same-body: the same, answering c.JSON(200, list) with the very list, decoded
//     once, so that the body is as large as the real one;
//   - cached-list: GET /api/v1/ratings?period=<a live month> through api.NewRouter, warmed;
//   - cached-list-shared-bytes: the same with a rating cache that hands out its stored bytes
//     instead of a copy (kv.Memory copies every value it returns), to show what that copy costs.
//
// Each runs with b.RunParallel and reports req/s. It uses the database of DSB_BENCH_DSN when set
// (its last month), else a fresh database (SQLite, or MariaDB with DSB_TEST_MYSQL_DSN) seeded
// with 1,000 platforms and 50,000 complaints in 2026-10.
//
//	go test ./bench/ -run '^$' -bench RatingListServing -benchtime 5s
func BenchmarkRatingListServing(b *testing.B) {
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
		month := models.Period{Type: models.PeriodMonth, Year: 2026, N: 10}
		now = time.Date(2026, 10, 31, 12, 0, 0, 0, models.ChinaTime).UTC()
		if _, err := seed.Run(ctx, st, seed.Options{Platforms: 1000, Complaints: servingComplaints, Consumers: 2000, Seed: 42,
			From: month, To: month, AsOf: now, BcryptCost: bcrypt.MinCost}); err != nil {
			b.Fatal(err)
		}
	}
	period := models.PeriodContaining(now, models.PeriodMonth).String()

	// The clock stands still, so the warmed cache stays warm for the whole run.
	clock := testkit.NewClock(now)
	log := slog.New(slog.DiscardHandler)
	svc := service.New(st, kv.NewMemory(clock.Now), service.Options{Clock: clock, BcryptCost: bcrypt.MinCost, Logger: log})
	router := api.NewRouter(api.Deps{Services: svc, Limits: kv.NewMemory(clock.Now),
		Logger: log, RateLimitPerMinute: 1 << 30, AuthRateLimitPerMinute: 1 << 30, Now: clock.Now})
	path := "/api/v1/ratings?period=" + period
	warm := httptest.NewRecorder()
	t0 := time.Now()
	router.ServeHTTP(warm, httptest.NewRequest(http.MethodGet, path, nil))
	if warm.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", path, warm.Code, warm.Body.Bytes())
	}
	var list service.RatingList
	if err := json.Unmarshal(warm.Body.Bytes(), &list); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d platforms listed, %d bytes, computed in %s", path, len(list.Items), warm.Body.Len(), time.Since(t0).Round(time.Millisecond))

	bare := gin.New()
	bare.GET("/status", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	same := gin.New()
	same.GET("/list", func(c *gin.Context) { c.JSON(http.StatusOK, &list) })
	for _, s := range []struct {
		name string
		h    http.Handler
		path string
	}{{"bare-gin", bare, "/status"}, {"bare-gin-same-body", same, "/list"}, {"cached-list", router, path},
		// The service's own trivial endpoint: the floor that the router's middleware sets.
		{"router-healthz", router, "/healthz"}} {
		b.Run(s.name, func(b *testing.B) {
			serveParallel(b, s.h, s.path)
			b.ReportMetric(float64(len(list.Items)), "platforms")
		})
	}
}

// serveParallel sends GET path to h from GOMAXPROCS goroutines, in process (no sockets, so
// the figures are the handler's own cost), and reports requests per second and bytes per
// response.
func serveParallel(b *testing.B, h http.Handler, path string) {
	var bytes atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		// One request per goroutine: handlers never modify it (middleware works on copies).
		req := httptest.NewRequest(http.MethodGet, path, nil)
		w := &discardWriter{header: http.Header{}}
		var n int64
		for pb.Next() {
			w.reset()
			h.ServeHTTP(w, req)
			if w.code != http.StatusOK {
				b.Errorf("GET %s: %d", path, w.code)
				return
			}
			n += w.n
		}
		bytes.Add(n)
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(bytes.Load())/float64(b.N), "B/resp")
}

// discardWriter is a ResponseWriter that counts the body and keeps nothing, so that no
// recorder's buffer growth is measured.
type discardWriter struct {
	header http.Header
	code   int
	n      int64
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += int64(len(p))
	return len(p), nil
}

func (w *discardWriter) reset() {
	clear(w.header)
	w.code, w.n = 0, 0
}
