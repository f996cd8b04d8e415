package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/api"
	"github.com/dianshubao/dianshubao/config"
	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/seed"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/store"
)

// accountSite is the router over a database with two platforms and no complaints, its
// authentication budgets at authLimit a minute.
type accountSite struct {
	*site
	st         *store.Store
	platformID string
	// evidenceDir is where the evidence files are stored.
	evidenceDir string
}

const authLimit = 5

func newAccountSite(t *testing.T, production bool) *accountSite {
	t.Helper()
	return newAccountSiteLimited(t, production, 1<<30)
}

// newAccountSiteLimited is newAccountSite with a per-person budget of perMinute requests.
func newAccountSiteLimited(t *testing.T, production bool, perMinute int) *accountSite {
	t.Helper()
	ctx := context.Background()
	st := testkit.Store(t)
	from, _ := models.ParsePeriod("2026-06")
	if _, err := seed.Run(ctx, st, seed.Options{Platforms: 2, Complaints: 0, Consumers: 1, Seed: 3,
		From: from, To: from, AsOf: asOf, BcryptCost: bcrypt.MinCost}); err != nil {
		t.Fatal(err)
	}
	clock := testkit.NewClock(asOf)
	log := slog.New(slog.DiscardHandler)
	dir := t.TempDir()
	svc := service.New(st, kv.NewMemory(clock.Now), service.Options{Clock: clock, BcryptCost: bcrypt.MinCost, Logger: log,
		EvidenceDir: dir})
	// The shipped screening list, as the server loads it at start-up.
	if err := svc.Screening.Start(ctx, models.ParseWordList(config.DefaultScreeningWords)); err != nil {
		t.Fatal(err)
	}
	h := api.NewRouter(api.Deps{Services: svc, Limits: kv.NewMemory(clock.Now), Logger: log, Now: clock.Now,
		RateLimitPerMinute: perMinute, AuthRateLimitPerMinute: authLimit, Production: production})
	ps, _, err := svc.Platforms.List(ctx, service.PlatformListFilter{}, models.Page{Limit: 10})
	if err != nil || len(ps) == 0 {
		t.Fatalf("platforms: %v %d", err, len(ps))
	}
	return &accountSite{site: &site{h: h, svc: svc, clock: clock}, st: st, platformID: ps[0].ID, evidenceDir: dir}
}

// browser keeps the cookies the site sets, as a browser would.
type browser struct {
	s       *accountSite
	cookies map[string]*http.Cookie
	// last is the Set-Cookie of the last response.
	last []*http.Cookie
}

func (s *accountSite) browser() *browser { return &browser{s: s, cookies: map[string]*http.Cookie{}} }

func (b *browser) do(t *testing.T, r *http.Request) page {
	t.Helper()
	for _, c := range b.cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	b.s.h.ServeHTTP(w, r)
	b.last = w.Result().Cookies()
	for _, c := range b.last {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	body, _ := io.ReadAll(w.Result().Body)
	return page{code: w.Code, header: w.Header(), body: string(body)}
}

func (b *browser) get(t *testing.T, path string) page {
	t.Helper()
	return b.do(t, httptest.NewRequest(http.MethodGet, path, nil))
}

func (b *browser) post(t *testing.T, path string, form url.Values) page {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(t, r)
}

// postMultipart sends form with one file in field "evidence" (none when name is "").
func (b *browser) postMultipart(t *testing.T, path string, form url.Values, name string, content []byte) page {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if name != "" {
		fw, _ := mw.CreateFormFile("evidence", name)
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	r := httptest.NewRequest(http.MethodPost, path, &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(t, r)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the token of the first form on the page at path.
func (b *browser) csrf(t *testing.T, path string) string {
	t.Helper()
	p := b.get(t, path)
	m := csrfInput.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("%s (%d): no csrf input", path, p.code)
	}
	return m[1]
}

// register creates an account through the registration form and leaves the browser signed in.
func (b *browser) register(t *testing.T, phone, name string) {
	t.Helper()
	p := b.post(t, "/register", url.Values{"csrf": {b.csrf(t, "/register")}, "role": {"consumer"},
		"phone": {phone}, "password": {"correct-horse-9"}, "real_name": {name}})
	if p.code != http.StatusSeeOther || p.header.Get("Location") != "/me" {
		t.Fatalf("register %s: %d %s", phone, p.code, p.body)
	}
}

func (b *browser) login(t *testing.T, account, password string) page {
	t.Helper()
	return b.post(t, "/login", url.Values{"csrf": {b.csrf(t, "/login")}, "account": {account}, "password": {password}})
}

// filing is a valid consumer complaint against the site's first platform.
func (s *accountSite) filing(csrf string) url.Values {
	return url.Values{"csrf": {csrf}, "platform_id": {s.platformID}, "issue_type": {"refund"},
		"title": {"商品未发货且拒绝退款"}, "description": {"11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝。"},
		"order_no": {"TB2026112612345"}, "amount": {"199.00"}, "demands": {"refund"},
		"contact_name": {"张三"}, "contact_phone": {"13800138000"}, "declaration_accepted": {"1"}}
}

// pngBytes is a 1×1 PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

// httpJSON is a JSON request to the API.
func httpJSON(method, path, body string) *http.Request {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}
