package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/net/html"

	"github.com/dianshubao/dianshubao/api"
	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/seed"
	"github.com/dianshubao/dianshubao/service"
)

// site is the whole router over a seeded database: 12 platforms, 1500 complaints filed from
// January to June 2026, 5 typical cases, the campaigns of 2024 and the lawyer team; the clock
// stands on 20 June 2026.
type site struct {
	h     http.Handler
	svc   *service.Services
	clock *testkit.Clock
}

var asOf = time.Date(2026, 6, 20, 12, 0, 0, 0, models.ChinaTime)

func newSite(t testing.TB) *site {
	t.Helper()
	ctx := context.Background()
	st := testkit.Store(t)
	from, _ := models.ParsePeriod("2026-01")
	to, _ := models.ParsePeriod("2026-06")
	if _, err := seed.Run(ctx, st, seed.Options{Platforms: 12, Complaints: 1500, Consumers: 40, Seed: 7,
		From: from, To: to, AsOf: asOf, BcryptCost: bcrypt.MinCost, Cases: 5}); err != nil {
		t.Fatal(err)
	}
	clock := testkit.NewClock(asOf)
	log := slog.New(slog.DiscardHandler)
	svc := service.New(st, kv.NewMemory(clock.Now), service.Options{Clock: clock, BcryptCost: bcrypt.MinCost, Logger: log})
	h := api.NewRouter(api.Deps{Services: svc, Limits: kv.NewMemory(clock.Now), Logger: log, Now: clock.Now,
		RateLimitPerMinute: 1 << 30, AuthRateLimitPerMinute: 1 << 30})
	return &site{h: h, svc: svc, clock: clock}
}

var shared struct {
	once     sync.Once
	s        *site
	cleanups []func()
	dirs     []string
}

// sharedSite is one seeded site for the tests that only read (seeding takes a few seconds).
// It outlives the test that builds it: TestMain closes it once every test has run.
func sharedSite(t *testing.T) *site {
	shared.once.Do(func() { shared.s = newSite(&onceTB{t}) })
	if shared.s == nil {
		t.Fatal("the shared site could not be built")
	}
	return shared.s
}

// onceTB is the building test, with its clean-ups and temporary directories deferred to the
// end of the package's run.
type onceTB struct{ *testing.T }

func (o *onceTB) Cleanup(f func()) { shared.cleanups = append(shared.cleanups, f) }

func (o *onceTB) TempDir() string {
	dir, err := os.MkdirTemp("", "dsb-web-")
	if err != nil {
		o.Fatal(err)
	}
	shared.dirs = append(shared.dirs, dir)
	return dir
}

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	code := m.Run()
	for i := len(shared.cleanups) - 1; i >= 0; i-- {
		shared.cleanups[i]()
	}
	for _, d := range shared.dirs {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}

type page struct {
	code   int
	header http.Header
	body   string
}

func (s *site) get(t testing.TB, path string, header ...string) page {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return page{code: w.Code, header: w.Header(), body: string(b)}
}

// checkHTML checks the basics every page must meet: served as HTML, <html lang="zh-CN">, one
// h1 and no heading level skipped, every image with a text alternative, a title.
func checkHTML(t *testing.T, path string, p page) {
	t.Helper()
	if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
	doc, err := html.Parse(strings.NewReader(p.body))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var levels []int
	var lang, title string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "html":
				lang = attr(n, "lang")
			case "title":
				if n.FirstChild != nil && n.Parent.Data == "head" {
					title = n.FirstChild.Data
				}
			case "h1", "h2", "h3", "h4", "h5", "h6":
				levels = append(levels, int(n.Data[1]-'0'))
			case "img":
				if _, ok := attrOK(n, "alt"); !ok {
					t.Errorf("%s: <img src=%q> without alt", path, attr(n, "src"))
				}
			case "svg":
				if attr(n, "role") == "img" && attr(n, "aria-labelledby") == "" && attr(n, "aria-label") == "" {
					t.Errorf("%s: an svg image without a text alternative", path)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if lang != "zh-CN" {
		t.Errorf("%s: <html lang=%q>", path, lang)
	}
	if strings.TrimSpace(title) == "" {
		t.Errorf("%s: no <title>", path)
	}
	h1 := 0
	for i, l := range levels {
		if l == 1 {
			h1++
		}
		if i == 0 && l != 1 {
			t.Errorf("%s: the first heading is h%d", path, l)
		}
		if i > 0 && l > levels[i-1]+1 {
			t.Errorf("%s: h%d follows h%d (a level skipped)", path, l, levels[i-1])
		}
	}
	if h1 != 1 {
		t.Errorf("%s: %d h1 elements, want 1 (headings %v)", path, h1, levels)
	}
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func mustContain(t *testing.T, path, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: the page does not contain %q", path, w)
		}
	}
}
