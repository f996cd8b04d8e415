package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dianshubao/dianshubao/internal/pdftext"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// chromiumPath is the headless browser the browser tests drive; DSB_CHROMIUM overrides it.
func chromiumPath() string {
	if p := os.Getenv("DSB_CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// browse starts the site on a local port and a fresh headless Chromium, or skips the test
// where no Chromium is installed — unless DSB_REQUIRE_CHROMIUM is set (CI sets it), so that a
// missing browser fails the run instead of passing it untested.
func browse(t *testing.T) (context.Context, string) {
	t.Helper()
	skipWithoutChromium(t)
	return browseHandler(t, sharedSite(t).h)
}

// skipWithoutChromium skips the test where no Chromium is installed, or fails it when
// DSB_REQUIRE_CHROMIUM is set.
func skipWithoutChromium(t *testing.T) {
	t.Helper()
	if chromiumPath() == "" && os.Getenv("DSB_REQUIRE_CHROMIUM") != "" {
		t.Fatal("DSB_REQUIRE_CHROMIUM is set and no Chromium was found (looked for /usr/bin/chromium and DSB_CHROMIUM)")
	}
	if chromiumPath() == "" {
		t.Skip("no Chromium found (looked for /usr/bin/chromium; install it with `apt-get install -y chromium` or set DSB_CHROMIUM): browser tests skipped")
	}
}

// browseHandler is browse over the handler h.
func browseHandler(t *testing.T, h http.Handler) (context.Context, string) {
	t.Helper()
	bin := chromiumPath()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx, srv.URL
}

// run runs one action and fails the test on its error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// shoot saves a full-page screenshot under the test's temporary directory (and under
// DSB_SCREENSHOT_DIR when set, to look at them after the run).
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := run(t, ctx, chromedp.FullScreenshot(100)) // quality 100 is PNG
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("the screenshot %s is not a PNG", name)
	}
	path := filepath.Join(t.TempDir(), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
	if dir := os.Getenv("DSB_SCREENSHOT_DIR"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// TestBrowserHomePage: the home page renders in Chromium with the list's first platform and
// the site's navigation, with no script at all.
func TestBrowserHomePage(t *testing.T) {
	ctx, base := browse(t)
	first := sharedSite(t).list(t, service.RatingQuery{}).Items[0].Platform.Name
	run(t, ctx, chromedp.Steps(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("table.ratings"))))
	h1 := run(t, ctx, chromedp.Text(chromedp.CSS("h1")))
	table := run(t, ctx, chromedp.Text(chromedp.CSS("table.ratings")))
	lang := run(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	scripts := run(t, ctx, chromedp.Evaluate[int](`document.scripts.length`))
	nav := run(t, ctx, chromedp.Text(chromedp.CSS("header nav")))
	shoot(t, ctx, "home")
	if lang != "zh-CN" || !strings.Contains(h1, "电诉宝") || !strings.Contains(table, first) || scripts != 0 || !strings.Contains(nav, "消费评级榜") {
		t.Errorf("lang %q h1 %q scripts %d nav %q; table without %q: %q", lang, h1, scripts, nav, first, table)
	}
}

// TestBrowserRatingsWithASectorPicked picks a sector in the form and submits it, as a reader
// would, and finds only that sector's platforms listed.
func TestBrowserRatingsWithASectorPicked(t *testing.T) {
	ctx, base := browse(t)
	s := sharedSite(t)
	all := s.list(t, service.RatingQuery{Period: "2026-05"})
	sector := all.Items[0].Platform.Sector
	want := s.list(t, service.RatingQuery{Period: "2026-05", Sector: sector})
	run(t, ctx, chromedp.Steps(
		chromedp.Navigate(base+"/ratings?period=2026-05"),
		chromedp.WaitVisible(chromedp.ID("sector")),
		chromedp.SetValue(chromedp.ID("sector"), sector),
		chromedp.Click(chromedp.CSS("form.pickers button")),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.WaitVisible(chromedp.CSS("table.ratings caption")),
	))
	url := run(t, ctx, chromedp.Location())
	caption := run(t, ctx, chromedp.Text(chromedp.CSS("table.ratings caption")))
	rows := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.ratings tbody tr").length`))
	shoot(t, ctx, "ratings-sector")
	if !strings.Contains(url, "sector="+sector) || rows != len(want.Items) || !strings.Contains(caption, "2026年5月") {
		t.Errorf("after picking %s: url %s, %d rows (want %d), caption %q", sector, url, rows, len(want.Items), caption)
	}
}

// TestBrowserPlatformChart: a platform's page draws its chart as a visible SVG with a point
// per rated month.
func TestBrowserPlatformChart(t *testing.T) {
	ctx, base := browse(t)
	it := sharedSite(t).list(t, service.RatingQuery{Period: "2026-05"}).Items[0]
	run(t, ctx, chromedp.Steps(chromedp.Navigate(base+"/platforms/"+it.Platform.Slug), chromedp.WaitVisible(chromedp.CSS("svg.chart"))))
	width := run(t, ctx, chromedp.Evaluate[float64](`document.querySelector("svg.chart").getBoundingClientRect().width`))
	dots := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart circle.dot").length`))
	shoot(t, ctx, "platform")
	if width < 300 || dots == 0 {
		t.Errorf("chart width %.0f, %d points", width, dots)
	}
}

// TestBrowserReportPage: a report's page shows its charts as loaded images with text
// alternatives, and its PDF link answers a PDF.
func TestBrowserReportPage(t *testing.T) {
	ctx, base := browse(t)
	run(t, ctx, chromedp.Steps(chromedp.Navigate(base+"/reports/2026-05/consumer"), chromedp.WaitVisible(chromedp.CSS("figure.report-chart img"))))
	// Every chart loaded (naturalWidth > 0) and has a non-empty alt.
	loaded := run(t, ctx, chromedp.Evaluate[int](`(async () => {
		const imgs = [...document.querySelectorAll("figure.report-chart img")];
		await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
		return imgs.filter(i => i.naturalWidth > 0 && i.alt.length > 10).length;
	})()`, chromedp.EvalAwaitPromise))
	pdf := run(t, ctx, chromedp.Evaluate[string](`(async () => {
		const a = [...document.querySelectorAll("a")].find(a => a.textContent.includes("PDF"));
		const r = await fetch(a.href);
		return a.getAttribute("href") + " " + r.status + " " + r.headers.get("Content-Type");
	})()`, chromedp.EvalAwaitPromise))
	// The PDF the link names opens and holds the report's title in Chinese, as its text.
	pdfBytes := run(t, ctx, chromedp.Evaluate[string](`(async () => {
		const a = [...document.querySelectorAll("a")].find(a => a.textContent.includes("PDF"));
		const b = new Uint8Array(await (await fetch(a.href)).arrayBuffer());
		let s = ""; for (const x of b) s += String.fromCharCode(x);
		return btoa(s);
	})()`, chromedp.EvalAwaitPromise))
	raw, err := base64.StdEncoding.DecodeString(pdfBytes)
	if err != nil {
		t.Fatal(err)
	}
	text, err := pdftext.Text(raw)
	title := models.ReportTitle(models.Period{Type: models.PeriodMonth, Year: 2026, N: 5}, models.ReportConsumer)
	if err != nil || !strings.Contains(text, title) {
		t.Errorf("the linked PDF's text lacks %q (%v):\n%.300s", title, err, text)
	}
	shoot(t, ctx, "report")
	if loaded != 5 {
		t.Errorf("%d of 5 charts loaded with a text alternative", loaded)
	}
	if pdf != "/api/v1/reports/2026-05/consumer.pdf 200 application/pdf" {
		t.Errorf("the PDF link: %q", pdf)
	}
}
