package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserConsumerFilesAComplaint: in Chromium, a consumer registers, files a complaint
// with an image through the form and finds it pending in their list and on its page.
func TestBrowserConsumerFilesAComplaint(t *testing.T) {
	skipWithoutChromium(t)
	s := newAccountSite(t, false)
	ctx, base := browseHandler(t, s.h)
	img := filepath.Join(t.TempDir(), "订单截图.png")
	if err := os.WriteFile(img, pngBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	f := s.filing("")
	run(t, ctx, chromedp.Steps(
		chromedp.Navigate(base+"/register"),
		chromedp.WaitVisible(chromedp.ID("phone")),
		chromedp.SendKeys(chromedp.ID("phone"), "13900139020"),
		chromedp.SendKeys(chromedp.ID("password"), "correct-horse-9"),
		chromedp.SendKeys(chromedp.ID("real_name"), "卫五"),
	))
	shoot(t, ctx, "register")
	run(t, ctx, chromedp.Steps(
		chromedp.Submit(chromedp.ID("phone")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/me/complaints/new"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/me/complaints/new"]`)),
		chromedp.WaitVisible(chromedp.ID("platform_id")),
		chromedp.SetValue(chromedp.ID("platform_id"), s.platformID),
		chromedp.SetValue(chromedp.ID("issue_type"), "refund"),
		chromedp.SendKeys(chromedp.ID("title"), f.Get("title")),
		chromedp.SendKeys(chromedp.ID("description"), f.Get("description")),
		chromedp.SendKeys(chromedp.ID("order_no"), f.Get("order_no")),
		chromedp.SendKeys(chromedp.ID("amount"), f.Get("amount")),
		chromedp.Click(chromedp.CSS(`input[name="demands"][value="refund"]`)),
		chromedp.SendKeys(chromedp.ID("contact_name"), f.Get("contact_name")),
		chromedp.SendKeys(chromedp.ID("contact_phone"), f.Get("contact_phone")),
		chromedp.SetUploadFiles(chromedp.ID("evidence"), []string{img}),
		chromedp.Click(chromedp.CSS(`input[name="declaration_accepted"]`)),
	))
	shoot(t, ctx, "filing-form")
	run(t, ctx, chromedp.Steps(
		chromedp.Submit(chromedp.ID("title")),
		chromedp.WaitVisible(chromedp.CSS("table.table")),
	))
	list := run(t, ctx, chromedp.Text(chromedp.CSS("main")))
	shoot(t, ctx, "my-complaints")
	if !strings.Contains(list, "投诉已提交") || !strings.Contains(list, f.Get("title")) || !strings.Contains(list, "待审核") {
		t.Fatalf("my complaints after filing: %q", list)
	}
	run(t, ctx, chromedp.Steps(
		chromedp.Click(chromedp.CSS(`table.table a`)),
		chromedp.WaitVisible(chromedp.CSS("dl.facts")),
	))
	detail := run(t, ctx, chromedp.Text(chromedp.CSS("main")))
	shoot(t, ctx, "my-complaint")
	if !strings.Contains(detail, "订单截图.png") || !strings.Contains(detail, "待审核") {
		t.Fatalf("the complaint's page: %q", detail)
	}
}
