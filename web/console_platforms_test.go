package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// consoleAdmin is a site with an administrator and a moderator, each signed in.
func consoleAdmin(t *testing.T) (s *accountSite, admin, mod *browser) {
	t.Helper()
	s = newAccountSite(t, false)
	for _, r := range []struct{ role, email string }{{"admin", "admin@example.com"}, {"moderator", "mod@example.com"}} {
		if _, err := s.svc.Accounts.CreateStaff(t.Context(), service.CreateStaffRequest{Role: r.role, Email: r.email,
			Password: "correct-horse-9", RealName: "工作人员"}); err != nil {
			t.Fatal(err)
		}
	}
	admin, mod = s.browser(), s.browser()
	if p := admin.login(t, "admin@example.com", "correct-horse-9"); p.code != http.StatusSeeOther {
		t.Fatalf("admin sign-in: %d", p.code)
	}
	if p := mod.login(t, "mod@example.com", "correct-horse-9"); p.code != http.StatusSeeOther {
		t.Fatalf("moderator sign-in: %d", p.code)
	}
	return s, admin, mod
}

// platformBySlug finds a platform through the service, nil when there is none.
func platformBySlug(t *testing.T, s *accountSite, slug string) *models.Platform {
	t.Helper()
	v, err := s.svc.Platforms.AdminGet(t.Context(), slug)
	if err != nil {
		return nil
	}
	return v.Platform
}

// An admin creates a platform through the list's form; it exists through the service. Invalid
// input is refused with Chinese errors beside the fields (422) and stores nothing.
func TestConsoleCreatePlatform(t *testing.T) {
	s, admin, _ := consoleAdmin(t)
	p := admin.get(t, "/console/platforms")
	if p.code != http.StatusOK {
		t.Fatalf("list: %d", p.code)
	}
	checkHTML(t, "/console/platforms", p)
	mustContain(t, "/console/platforms", p.body, "平台管理", `action="/console/platforms"`, "已入驻", "可接收")

	bad := admin.post(t, "/console/platforms", url.Values{"csrf": {admin.csrf(t, "/console/platforms")},
		"name": {"   "}, "slug": {"Bad Slug"}, "sector": {"nowhere"}, "after_sales_phone": {"12"}, "after_sales_email": {"not-mail"}})
	if bad.code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid platform: %d %s", bad.code, bad.body)
	}
	checkHTML(t, "/console/platforms (refused)", bad)
	mustContain(t, "refused", bad.body, "此项为必填项", "请填写 1–64 位小写字母、数字或中间的连字符", "请选择所属领域",
		"请填写一个电子邮箱地址", `value="Bad Slug"`)
	if strings.Contains(bad.body, "must be") || strings.Contains(bad.body, "is required") {
		t.Fatalf("an English message on the page: %s", bad.body)
	}
	if platformBySlug(t, s, "bad-slug") != nil {
		t.Fatal("a refused platform was stored")
	}

	ok := admin.post(t, "/console/platforms", url.Values{"csrf": {admin.csrf(t, "/console/platforms")},
		"name": {"拼好货"}, "slug": {"pinhaohuo"}, "sector": {"digital_retail"}, "tags": {"社交电商\r\n团购"}})
	if ok.code != http.StatusSeeOther || !strings.HasPrefix(ok.header.Get("Location"), "/console/platforms/") {
		t.Fatalf("create: %d %s", ok.code, ok.header.Get("Location"))
	}
	pl := platformBySlug(t, s, "pinhaohuo")
	if pl == nil || pl.Name != "拼好货" || pl.Sector != models.SectorDigitalRetail || pl.Onboarded || strings.Join(pl.Tags, "|") != "社交电商|团购" {
		t.Fatalf("created platform: %+v", pl)
	}
	loc := ok.header.Get("Location")
	page := admin.get(t, loc)
	checkHTML(t, loc, page)
	mustContain(t, loc, page.body, "平台已创建", "拼好货", `value="pinhaohuo"`)

	// The same name again, spelled otherwise, is the service's conflict beside the name.
	dup := admin.post(t, "/console/platforms", url.Values{"csrf": {admin.csrf(t, "/console/platforms")},
		"name": {" 拼好货 "}, "slug": {"pinhaohuo-2"}, "sector": {"digital_retail"}})
	if dup.code != http.StatusConflict || !strings.Contains(dup.body, "已有同名平台") {
		t.Fatalf("a taken name: %d", dup.code)
	}
	if platformBySlug(t, s, "pinhaohuo-2") != nil {
		t.Fatal("a platform with a taken name was stored")
	}
}

// The edit form onboards a platform and sets its after-sales contact; both persist, and a
// malformed contact is refused beside its field.
func TestConsoleEditPlatform(t *testing.T) {
	s, admin, _ := consoleAdmin(t)
	path := "/console/platforms/" + s.platformID
	before, _ := s.svc.Platforms.Get(t.Context(), s.platformID)
	form := func(phone, email string) url.Values {
		return url.Values{"csrf": {admin.csrf(t, path)}, "name": {before.Name}, "slug": {before.Slug},
			"sector": {string(before.Sector)}, "onboarded": {"1"}, "after_sales_phone": {phone}, "after_sales_email": {email}}
	}
	p := admin.get(t, path)
	checkHTML(t, path, p)
	bad := admin.post(t, path, form("12345", "kefu@example.com"))
	if bad.code != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "请填写手机号、带区号的固定电话") {
		t.Fatalf("a bad phone: %d", bad.code)
	}
	checkHTML(t, path+" (refused)", bad)
	if got, _ := s.svc.Platforms.Get(t.Context(), s.platformID); got.AfterSalesEmail != nil && *got.AfterSalesEmail == "kefu@example.com" {
		t.Fatal("a refused edit was stored")
	}
	ok := admin.post(t, path, form("95188", "kefu@example.com"))
	if ok.code != http.StatusSeeOther || ok.header.Get("Location") != path+"?done=saved" {
		t.Fatalf("save: %d %s", ok.code, ok.header.Get("Location"))
	}
	got, err := s.svc.Platforms.Get(t.Context(), s.platformID)
	if err != nil || !got.Onboarded || got.AfterSalesPhone == nil || *got.AfterSalesPhone != "95188" ||
		got.AfterSalesEmail == nil || *got.AfterSalesEmail != "kefu@example.com" {
		t.Fatalf("saved platform: %+v %v", got, err)
	}
	page := admin.get(t, path+"?done=saved")
	mustContain(t, path, page.body, "平台信息已保存", `value="95188"`, "该平台目前可接收投诉", `name="onboarded" value="1" checked`)

	// Emptying the contact and the checkbox takes both away.
	off := form("", "")
	off.Del("onboarded")
	if p := admin.post(t, path, off); p.code != http.StatusSeeOther {
		t.Fatalf("clear: %d", p.code)
	}
	if got, _ = s.svc.Platforms.Get(t.Context(), s.platformID); got.Onboarded || got.HasAfterSalesContact() {
		t.Fatalf("cleared platform: %+v", got)
	}
	if p := admin.get(t, "/console/platforms/nosuchplatform"); p.code != http.StatusNotFound {
		t.Fatalf("an unknown platform: %d", p.code)
	}
	if p := admin.post(t, "/console/platforms/nosuchplatform", form("", "")); p.code != http.StatusNotFound {
		t.Fatalf("saving an unknown platform: %d", p.code)
	}
}

var relNext = regexp.MustCompile(`<a href="([^"]+)" rel="next" accesskey="n">`)

// The list pages with a rel=next link that keeps its filter, and back with rel=prev.
func TestConsolePlatformListPages(t *testing.T) {
	s, admin, _ := consoleAdmin(t)
	for i := range 21 {
		slug := "paged-" + string(rune('a'+i))
		if _, err := s.svc.Platforms.Create(t.Context(), service.CreatePlatformRequest{Name: "分页平台" + slug, Slug: slug,
			Sector: "logistics"}); err != nil {
			t.Fatal(err)
		}
	}
	p := admin.get(t, "/console/platforms?sector=logistics")
	m := relNext.FindStringSubmatch(p.body)
	if m == nil || !strings.Contains(m[1], "sector=logistics") {
		t.Fatalf("no rel=next link keeping the filter: %s", p.body)
	}
	next := admin.get(t, strings.ReplaceAll(m[1], "&amp;", "&"))
	if next.code != http.StatusOK || !strings.Contains(next.body, "分页平台") || relNext.MatchString(next.body) {
		t.Fatalf("the second page: %d", next.code)
	}
	// Back to the first page, filter kept, through rel=prev.
	back := regexp.MustCompile(`<a href="([^"]+)" rel="prev" accesskey="p">`).FindStringSubmatch(next.body)
	if back == nil || strings.Contains(p.body, `rel="prev"`) {
		t.Fatalf("the second page links no way back, or the first links one: %s", next.body)
	}
	rows := regexp.MustCompile(`href="/console/platforms/([0-9a-f]{20,})"`)
	first := admin.get(t, strings.ReplaceAll(back[1], "&amp;", "&"))
	if first.code != http.StatusOK || strings.Contains(first.body, `rel="prev"`) ||
		fmt.Sprint(rows.FindAllString(first.body, -1)) != fmt.Sprint(rows.FindAllString(p.body, -1)) {
		t.Fatalf("back to the first page (%s): %d, not the first page's platforms", back[1], first.code)
	}
	if p := admin.get(t, "/console/platforms?sector=nowhere"); p.code != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown sector: %d", p.code)
	}
}
