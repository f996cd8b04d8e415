package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// TestBrowserComplaintFromFilingToCompleted walks a complaint's whole life in Chromium: a
// consumer registers, files it with an image and finds it pending; a moderator signs in,
// finds it in the review queue and accepts it; the platform replies through the API with its
// key; the consumer rates the reply and sees 已完成. A screenshot of each step is saved under
// the test's temporary directory.
func TestBrowserComplaintFromFilingToCompleted(t *testing.T) {
	skipWithoutChromium(t)
	s := newAccountSite(t, false)
	bg := context.Background()
	if _, err := s.svc.Accounts.CreateStaff(bg, service.CreateStaffRequest{Role: "moderator",
		Email: "shen@example.com", Password: "correct-horse-9", RealName: "审核员"}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := s.svc.Platforms.CreateAPIKey(bg, s.platformID, service.CreateAPIKeyRequest{Name: "production"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, base := browseHandler(t, s.h)
	img := filepath.Join(t.TempDir(), "订单截图.png")
	if err := os.WriteFile(img, pngBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	f := s.filing("")

	// 1. The consumer registers and files a complaint with an image.
	run(t, ctx, chromedp.Steps(
		chromedp.Navigate(base+"/register"),
		chromedp.WaitVisible(chromedp.ID("phone")),
		chromedp.SendKeys(chromedp.ID("phone"), "13900139020"),
		chromedp.SendKeys(chromedp.ID("password"), "correct-horse-9"),
		chromedp.SendKeys(chromedp.ID("real_name"), "卫五"),
	))
	shoot(t, ctx, "1-register")
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
	shoot(t, ctx, "2-filing-form")
	run(t, ctx, chromedp.Steps(
		chromedp.Submit(chromedp.ID("title")),
		chromedp.WaitVisible(chromedp.CSS("table.table")),
	))
	list := run(t, ctx, chromedp.Text(chromedp.CSS("main")))
	shoot(t, ctx, "3-my-complaints")
	if !strings.Contains(list, "投诉已提交") || !strings.Contains(list, f.Get("title")) || !strings.Contains(list, "待审核") {
		t.Fatalf("my complaints after filing: %q", list)
	}
	run(t, ctx, chromedp.Steps(
		chromedp.Click(chromedp.CSS(`table.table a`)),
		chromedp.WaitVisible(chromedp.CSS("dl.facts")),
	))
	detail := run(t, ctx, chromedp.Text(chromedp.CSS("main")))
	shoot(t, ctx, "4-my-complaint-pending")
	if !strings.Contains(detail, "订单截图.png") || !strings.Contains(detail, "待审核") {
		t.Fatalf("the complaint's page: %q", detail)
	}
	id := path.Base(run(t, ctx, chromedp.Location()))

	// 2. The moderator signs in, finds it in the queue and accepts it.
	run(t, ctx, chromedp.Steps(
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("account")),
		chromedp.SendKeys(chromedp.ID("account"), "shen@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), "correct-horse-9"),
		chromedp.Submit(chromedp.ID("account")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/console/complaints"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/console/complaints"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/console/complaints/`+id+`"]`)),
	))
	queue := run(t, ctx, chromedp.Text(chromedp.CSS("main")))
	shoot(t, ctx, "5-review-queue")
	if !strings.Contains(queue, f.Get("title")) {
		t.Fatalf("the review queue does not list the complaint: %q", queue)
	}
	run(t, ctx, chromedp.Steps(
		chromedp.Click(chromedp.CSS(`a[href="/console/complaints/`+id+`"]`)),
		chromedp.WaitVisible(chromedp.ID("accept")),
	))
	shoot(t, ctx, "6-review-complaint")
	run(t, ctx, chromedp.Steps(
		chromedp.Click(chromedp.ID("accept")),
		chromedp.WaitNotPresent(chromedp.ID("accept")),
	))
	accepted := run(t, ctx, chromedp.Text(chromedp.CSS("main")))
	shoot(t, ctx, "7-accepted")
	if !strings.Contains(accepted, "已受理") {
		t.Fatalf("after accepting: %q", accepted)
	}
	run(t, ctx, chromedp.Steps(
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)),
	))

	// 3. The platform replies through the API, over the same server.
	rq, _ := http.NewRequest(http.MethodPost, base+"/api/v1/platform/complaints/"+id+"/replies",
		strings.NewReader(`{"content":"您好，已为您办理退款，款项将在1-3个工作日内原路退回。"}`))
	rq.Header.Set("Authorization", "Bearer "+secret)
	rq.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	var replied struct{ Status string }
	_ = json.NewDecoder(resp.Body).Decode(&replied)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK || replied.Status != string(models.StatusReplied) {
		t.Fatalf("the platform's reply: %d %+v", resp.StatusCode, replied)
	}

	// 4. The consumer signs in again, reads the reply, rates it and sees 已完成.
	run(t, ctx, chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("account")),
		chromedp.SendKeys(chromedp.ID("account"), "13900139020"),
		chromedp.SendKeys(chromedp.ID("password"), "correct-horse-9"),
		chromedp.Submit(chromedp.ID("account")),
		chromedp.WaitVisible(chromedp.CSS(`table.table`)),
		chromedp.Navigate(base+"/me/complaints/"+id),
		chromedp.WaitVisible(chromedp.ID("score")),
		chromedp.SetValue(chromedp.ID("score"), "9"),
		chromedp.SendKeys(chromedp.ID("comment"), "处理及时，已收到退款。"),
	))
	repliedPage := run(t, ctx, chromedp.Text(chromedp.CSS("main")))
	shoot(t, ctx, "8-reply-and-rating-form")
	if !strings.Contains(repliedPage, "已为您办理退款") {
		t.Fatalf("the consumer does not see the reply: %q", repliedPage)
	}
	run(t, ctx, chromedp.Steps(
		chromedp.Submit(chromedp.ID("score")),
		chromedp.WaitNotPresent(chromedp.ID("score")),
	))
	done := run(t, ctx, chromedp.Text(chromedp.CSS("main")))
	shoot(t, ctx, "9-completed")
	if !strings.Contains(done, "已完成") || !strings.Contains(done, "您的评分：9 分") {
		t.Fatalf("after rating: %q", done)
	}
	// What the pages showed is what was stored.
	owner, err := s.svc.Complaints.Get(bg, &models.Principal{Kind: models.PrincipalPerson, Role: models.RoleAdmin}, id)
	if err != nil || owner.Status != string(models.StatusCompleted) || owner.Rating == nil || owner.Rating.Score != 9 {
		t.Fatalf("stored: %v %+v", err, owner)
	}
}
