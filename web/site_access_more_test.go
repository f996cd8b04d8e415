package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// adminView reads a complaint through the service as an administrator.
func adminView(t *testing.T, s *accountSite, id string) *service.ComplaintView {
	t.Helper()
	v, err := s.svc.Complaints.Get(t.Context(), &models.Principal{Kind: models.PrincipalPerson, Role: models.RoleAdmin}, id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Another complainant's complaint, its evidence and its forms answer 404 and change nothing.
func TestOtherComplainantsComplaint(t *testing.T) {
	s := newAccountSite(t, false)
	a, b := s.browser(), s.browser()
	a.register(t, "13900139111", "甲一")
	b.register(t, "13900139112", "乙二")
	form := s.filing(a.csrf(t, "/me/complaints/new"))
	if p := a.postMultipart(t, "/me/complaints/new", form, "图.png", pngBytes); p.code != http.StatusSeeOther {
		t.Fatalf("filing: %d", p.code)
	}
	id := complaintLink.FindStringSubmatch(a.get(t, "/me").body)[1]
	ev := regexp.MustCompile(`href="(/me/evidence/[0-9a-f]+)"`).FindStringSubmatch(a.get(t, "/me/complaints/"+id).body)
	if ev == nil {
		t.Fatal("no evidence link")
	}
	for _, path := range []string{"/me/complaints/" + id, ev[1], "/console/evidence/" + strings.TrimPrefix(ev[1], "/me/evidence/")} {
		if p := b.get(t, path); p.code == http.StatusOK || strings.Contains(p.body, "PNG") || strings.Contains(p.body, "甲一") {
			t.Errorf("another consumer GET %s: %d", path, p.code)
		}
	}
	csrf := b.csrf(t, "/me")
	if p := b.post(t, "/me/complaints/"+id+"/withdraw", url.Values{"csrf": {csrf}, "reason": {"x"}}); p.code != http.StatusNotFound {
		t.Errorf("withdraw another's: %d", p.code)
	}
	if p := b.postMultipart(t, "/me/complaints/"+id+"/supplements", url.Values{"csrf": {csrf}, "text": {"不是我的"}}, "", nil); p.code != http.StatusNotFound {
		t.Errorf("supplement another's: %d", p.code)
	}
	if v := adminView(t, s, id); v.Status != string(models.StatusPendingReview) || len(v.Supplements) != 0 {
		t.Fatalf("another's complaint changed: %s %d", v.Status, len(v.Supplements))
	}
}

// Registration makes complainants only: a form asking for staff or lawyer is refused.
func TestRegisterCannotMakeStaff(t *testing.T) {
	s := newAccountSite(t, false)
	for i, role := range []string{"admin", "moderator", "lawyer"} {
		b := s.browser()
		p := b.post(t, "/register", url.Values{"csrf": {b.csrf(t, "/register")}, "role": {role},
			"phone": {"1390013912" + string(rune('0'+i))}, "password": {"correct-horse-9"}, "real_name": {"冒充"}})
		if p.code == http.StatusSeeOther {
			t.Errorf("registered as %s: %s", role, p.header.Get("Location"))
		}
		if p := b.get(t, "/console"); p.code == http.StatusOK {
			t.Errorf("registered %s opens the console", role)
		}
	}
}

// A moderator disabled on the staff page loses the console at once: the page says the
// account's sign-in is no longer valid.
func TestDisabledModeratorLosesSession(t *testing.T) {
	s, admin, mod := consoleAdmin(t)
	id := staffUser(t, s, "moderator", "mod@example.com").ID
	if p := mod.get(t, "/console/complaints"); p.code != http.StatusOK {
		t.Fatalf("before: %d", p.code)
	}
	if p := admin.post(t, "/console/staff/"+id+"/disable", url.Values{"csrf": {admin.csrf(t, "/console/staff")}}); p.code != http.StatusSeeOther {
		t.Fatalf("disable: %d %s", p.code, p.body)
	}
	if p := mod.get(t, "/console/complaints"); p.code == http.StatusOK {
		t.Errorf("a disabled moderator's session still opens the queue: %d", p.code)
	}
	csrf := mod.csrf(t, "/login")
	_ = csrf
}

// In production the session cookie is __Host-, Secure, HttpOnly, SameSite=Lax, and a new
// sign-in ends the session the browser had.
func TestProductionSessionCookie(t *testing.T) {
	s := newAccountSite(t, true)
	b := s.browser()
	b.register(t, "13900139171", "庚一")
	var first *http.Cookie
	for _, c := range b.cookies {
		if strings.HasSuffix(c.Name, "dsb_session") {
			first = c
		}
	}
	if first == nil || first.Name != "__Host-dsb_session" || !first.Secure || !first.HttpOnly || first.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie: %+v", first)
	}
	if p := b.login(t, "13900139171", "correct-horse-9"); p.code != http.StatusSeeOther {
		t.Fatalf("sign-in again: %d", p.code)
	}
	old := s.browser()
	old.cookies[first.Name] = first
	if p := old.get(t, "/me"); p.code == http.StatusOK {
		t.Errorf("the session before the new sign-in still works")
	}
}

// A key is revoked through its own platform's page only; another platform's path answers 404
// and leaves it active.
func TestRevokeThroughAnotherPlatform(t *testing.T) {
	s, admin, _ := consoleAdmin(t)
	key := activeKey(t, s)
	other, err := s.svc.Platforms.Create(t.Context(), service.CreatePlatformRequest{Name: "别的网", Slug: "biede", Sector: "digital_retail", Tags: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	csrf := admin.csrf(t, "/console/platforms")
	if p := admin.post(t, "/console/platforms/"+other.ID+"/keys/"+key.ID+"/revoke", url.Values{"csrf": {csrf}}); p.code != http.StatusNotFound {
		t.Errorf("revoke through another platform: %d", p.code)
	}
	if k := activeKey(t, s); k.ID != key.ID {
		t.Fatal("the key was revoked through another platform's path")
	}
	path := "/console/platforms/" + s.platformID + "/keys/" + key.ID + "/revoke"
	first, second := admin.post(t, path, url.Values{"csrf": {csrf}}), admin.post(t, path, url.Values{"csrf": {csrf}})
	if first.code != http.StatusSeeOther || second.code >= 500 {
		t.Errorf("revoke twice: %d %d", first.code, second.code)
	}
}

// The console's pages cannot be framed by another site.
func TestConsoleNotFramable(t *testing.T) {
	_, admin, _ := consoleAdmin(t)
	p := admin.get(t, "/console/staff")
	if p.header.Get("X-Frame-Options") == "" && !strings.Contains(p.header.Get("Content-Security-Policy"), "frame-ancestors") {
		t.Errorf("/console/staff has neither X-Frame-Options nor frame-ancestors: %v", p.header)
	}
}

// A merchant's pages show none of the consumers' complaints, not even against the same
// platform, and a consumer's none of the merchant's.
func TestMerchantSeesNoConsumer(t *testing.T) {
	s := newAccountSite(t, false)
	consumer, merchant := s.browser(), s.browser()
	consumer.register(t, "13900139231", "寅一")
	merchant.registerMerchant(t, "13900139232")
	id := consumer.file(t, s, s.platformID, "TB231", "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝。")
	if p := merchant.get(t, "/me"); strings.Contains(p.body, id) || strings.Contains(p.body, "商品未发货且拒绝退款") {
		t.Errorf("the merchant's list shows a consumer's complaint")
	}
	if p := merchant.get(t, "/me/complaints/"+id); p.code != http.StatusNotFound {
		t.Errorf("the merchant opens a consumer's complaint: %d", p.code)
	}
	p := merchant.postMultipart(t, "/me/complaints/refund-only", s.refundFiling(merchant.csrf(t, "/me/complaints/refund-only"), "买家签收后申请仅退款，商品完好无损，平台直接同意退款，商家未获申诉机会。"), "", nil)
	m := complaintLocation.FindStringSubmatch(p.header.Get("Location"))
	if m == nil {
		t.Fatalf("refund-only: %d %s", p.code, p.header.Get("Location"))
	}
	if p := consumer.get(t, "/me/complaints/"+m[1]); p.code != http.StatusNotFound || strings.Contains(p.body, "孙八") {
		t.Errorf("the consumer opens the merchant's complaint: %d", p.code)
	}
	if p := consumer.get(t, "/me"); strings.Contains(p.body, m[1]) {
		t.Errorf("the consumer's list shows the merchant's complaint")
	}
}

// A visitor is sent to sign in and a lawyer refused on every page and form of /me and
// /console; nothing they post changes anything.
func TestVisitorAndLawyerRefused(t *testing.T) {
	s, _, _ := consoleAdmin(t)
	consumer := s.browser()
	consumer.register(t, "13900139241", "卯一")
	id := consumer.file(t, s, s.platformID, "TB241", "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝。")
	if _, err := s.svc.Accounts.CreateStaff(t.Context(), service.CreateStaffRequest{Role: "lawyer", Email: "lawyer@example.com",
		Password: "correct-horse-9", RealName: "律师甲"}); err != nil {
		t.Skipf("no lawyer account: %v", err)
	}
	lawyer := s.browser()
	if p := lawyer.login(t, "lawyer@example.com", "correct-horse-9"); p.code != http.StatusSeeOther {
		t.Fatalf("lawyer sign-in: %d", p.code)
	}
	visitor := s.browser()
	gets := []string{"/me", "/me/complaints/" + id, "/me/complaints/new", "/console", "/console/complaints", "/console/complaints/" + id,
		"/console/platforms", "/console/staff", "/console/notifications"}
	posts := []string{"/console/complaints/" + id + "/accept", "/console/complaints/" + id + "/reject", "/me/complaints/" + id + "/withdraw",
		"/console/platforms", "/console/staff"}
	for name, b := range map[string]*browser{"visitor": visitor, "lawyer": lawyer} {
		csrf := b.csrf(t, "/login")
		for _, g := range gets {
			if p := b.get(t, g); p.code == http.StatusOK || strings.Contains(p.body, "TB241") {
				t.Errorf("%s GET %s: %d", name, g, p.code)
			}
		}
		for _, path := range posts {
			if p := b.post(t, path, url.Values{"csrf": {csrf}, "reason": {"other"}, "note": {"x"}, "name": {"律师平台"}, "slug": {"lawyer-made"},
				"sector": {"digital_retail"}, "role": {"admin"}, "email": {"made@example.com"}, "password": {"correct-horse-9"}, "real_name": {"x"}}); p.code < 300 || p.code == http.StatusSeeOther && p.header.Get("Location") != "/login" {
				t.Errorf("%s POST %s: %d %s", name, path, p.code, p.header.Get("Location"))
			}
		}
	}
	if v := adminView(t, s, id); v.Status != string(models.StatusPendingReview) || platformBySlug(t, s, "lawyer-made") != nil {
		t.Fatalf("a refused post changed something: %s", v.Status)
	}
}
