// Package web is the public website (电诉宝 in Chinese, server-rendered): the rating lists, the
// platforms' pages, the campaigns and the other published material, read by people rather
// than programs. It is an HTTP layer beside api: its pages call the same service methods as
// the JSON API and share its caches; nothing imports it but the router's wiring.
package web

import (
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/service"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps is what the site needs: the services and the clock the router runs on.
type Deps struct {
	Services *service.Services
	Now      func() time.Time
	Logger   *slog.Logger
	// Guard spends sign-ins and registrations from the API's budgets.
	Guard Guard
	// Secure marks the cookies Secure (production).
	Secure bool
	// EvidenceMaxBytes is the per-file upload limit of the filing form.
	EvidenceMaxBytes int64
}

// site holds the handlers' shared state: the services and the rendered pages.
type site struct {
	svc   *service.Services
	now   func() time.Time
	log   *slog.Logger
	pages pageCache
	guard Guard
	// secure marks cookies Secure; maxBody bounds a form POST.
	secure  bool
	maxBody int64
}

// Register adds the site's pages to r. They live outside /api, /swagger and the operational
// paths; an unknown path that is the site's gets NotFound through the router's NoRoute.
func Register(r *gin.Engine, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.EvidenceMaxBytes == 0 {
		d.EvidenceMaxBytes = 20 << 20
	}
	s := &site{svc: d.Services, now: d.Now, log: d.Logger, guard: d.Guard, secure: d.Secure,
		maxBody: d.EvidenceMaxBytes + 1<<20}
	static, _ := fs.Sub(staticFS, "static")
	g := r.Group("", pageSecurity)
	g.GET("/static/*file", staticHandler(http.FS(static)))
	g.GET("/", s.home)
	g.GET("/ratings", s.ratings)
	g.GET("/ratings.csv", s.ratingsCSV)
	g.GET("/platforms/:slug", s.platform)
	g.GET("/campaigns", s.campaigns)
	g.GET("/campaigns/:id", s.campaign)
	g.GET("/lawyers", s.lawyers)
	g.GET("/rankings", s.rankings)
	g.GET("/reports", s.reports)
	g.GET("/cases", s.cases)
	g.GET("/cases/:id", s.caseDetail)
	g.GET("/reports/:period/:kind", s.reportPage)
	g.GET("/reports/:period/:kind/charts/:chart", s.reportChartPNG)
	s.registerAccountPages(g)
}

// The policy of every page: the site runs no script at all, so none may run (an injected
// <script> or handler attribute is inert); no other site may frame a page (the console's
// buttons cannot be clickjacked); forms post to the site only; a link to another site
// carries the origin only. An evidence download sets its own, stricter policy.
const pagePolicy = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// pageSecurity sets the headers of pagePolicy on every answer of the site.
func pageSecurity(c *gin.Context) {
	setPageSecurity(c.Writer.Header())
	c.Next()
}

func setPageSecurity(h http.Header) {
	h.Set("Content-Security-Policy", pagePolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
}

// IsSitePath reports whether a request no route matched is the site's to answer (an HTML 404
// page) rather than the API's (a JSON problem).
func IsSitePath(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	for _, prefix := range []string{"/api/", "/swagger/"} {
		if strings.HasPrefix(p, prefix) {
			return false
		}
	}
	return p != "/api" && p != "/openapi.json" && p != "/healthz" && p != "/readyz" && p != "/metrics"
}

// staticHandler serves the embedded stylesheet and images; they change only with the binary.
func staticHandler(files http.FileSystem) gin.HandlerFunc {
	fileServer := http.StripPrefix("/static", http.FileServer(files))
	return func(c *gin.Context) {
		f, err := files.Open(c.Param("file"))
		if err != nil {
			NotFound(c)
			return
		}
		st, err := f.Stat()
		_ = f.Close()
		if err != nil || st.IsDir() {
			NotFound(c)
			return
		}
		c.Header("Cache-Control", "public, max-age=86400")
		fileServer.ServeHTTP(c.Writer, c.Request)
	}
}

// The navigation's items, in the order the header shows them.
const (
	NavHome      = "home"
	NavRatings   = "ratings"
	NavRankings  = "rankings"
	NavReports   = "reports"
	NavCases     = "cases"
	NavCampaigns = "campaigns"
	NavLawyers   = "lawyers"
	NavMe        = "me"
	NavConsole   = "console"
)

// NavItem is one link of the header.
type NavItem struct {
	Key, Label, Href string
}

// Nav is the header's navigation.
var Nav = []NavItem{
	{NavHome, "首页", "/"},
	{NavRatings, "消费评级榜", "/ratings"},
	{NavRankings, "投诉榜", "/rankings"},
	{NavReports, "报告", "/reports"},
	{NavCases, "典型案例", "/cases"},
	{NavCampaigns, "调查行动", "/campaigns"},
	{NavLawyers, "律师团", "/lawyers"},
}

// Message is a notice shown above a page's content (a flash after a form, a warning).
type Message struct {
	// Kind is info, success, warning or error.
	Kind string
	Text string
}

// Page is what the layout renders around a page's own content: its title, the navigation's
// current item, the messages above it, and the page's data.
type Page struct {
	Title    string
	Nav      string
	Messages []Message
	Data     any
	// SignedIn pages (never cached) show the sign-out form with the session's CSRF token.
	SignedIn bool
	CSRF     string
	// Home and HomeLabel are the signed-in person's own pages: 我的投诉 for a complainant,
	// 管理后台 for staff.
	Home, HomeLabel string
	// Admin marks a signed-in administrator: the console shows its admin-only sections.
	Admin bool
}

// NavItems is the navigation for the layout.
func (p *Page) NavItems() []NavItem { return Nav }
