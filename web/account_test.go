package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/service"
)

func cookieNamed(cs []*http.Cookie, name string) *http.Cookie {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Signing in sets the session cookie HttpOnly and SameSite=Lax, Secure and __Host- only in
// production,
// and a second sign-in gets a new id while the first one stops working.
func TestSignInCookieAndRotation(t *testing.T) {
	for _, production := range []bool{false, true} {
		s := newAccountSite(t, production)
		name := "dsb_session"
		if production {
			name = "__Host-dsb_session" // planted by no sibling domain or plain-HTTP answer
		}
		b := s.browser()
		b.register(t, "13900139000", "李四")
		first := cookieNamed(b.last, name)
		if first == nil || !first.HttpOnly || first.SameSite != http.SameSiteLaxMode || first.Secure != production {
			t.Fatalf("production=%v: session cookie %+v", production, first)
		}
		p := b.login(t, "13900139000", "correct-horse-9")
		if p.code != http.StatusSeeOther || p.header.Get("Location") != "/me" {
			t.Fatalf("login: %d %s", p.code, p.body)
		}
		second := cookieNamed(b.last, name)
		if second == nil || second.Value == first.Value {
			t.Fatalf("the session id did not rotate: %v → %v", first, second)
		}
		if got := b.get(t, "/me"); got.code != http.StatusOK || !strings.Contains(got.body, "我的投诉") {
			t.Fatalf("/me with the new session: %d", got.code)
		}
		stale := s.browser()
		stale.cookies[name] = first
		if got := stale.get(t, "/me"); got.code != http.StatusSeeOther || got.header.Get("Location") != "/login" {
			t.Fatalf("/me with the replaced session: %d %s", got.code, got.header.Get("Location"))
		}
	}
}

// Every POST of the site without the form's token is refused, signed in or not.
func TestPostWithoutCSRFIsForbidden(t *testing.T) {
	s := newAccountSite(t, false)
	anon := s.browser()
	anon.csrf(t, "/login") // the pre-session cookie is set, the form value is missing
	if p := anon.post(t, "/login", url.Values{"account": {"13900139000"}, "password": {"x"}}); p.code != http.StatusForbidden {
		t.Fatalf("login without csrf: %d", p.code)
	}
	if p := anon.post(t, "/login", url.Values{"csrf": {"forged"}, "account": {"13900139000"}, "password": {"x"}}); p.code != http.StatusForbidden {
		t.Fatalf("login with a wrong csrf: %d", p.code)
	}
	b := s.browser()
	b.register(t, "13900139001", "王五")
	for _, path := range []string{"/logout", "/me/complaints/new", "/me/complaints/x/withdraw"} {
		if p := b.post(t, path, url.Values{"reason": {"x"}}); p.code != http.StatusForbidden || !strings.Contains(p.body, "请求无法验证") {
			t.Errorf("%s without csrf: %d", path, p.code)
		}
	}
	// The pre-session token is not the session's: a signed-in form needs the session's own.
	if p := b.post(t, "/logout", url.Values{"csrf": {b.cookies["dsb_csrf"].Value}}); p.code != http.StatusForbidden {
		t.Errorf("logout with the pre-session token: %d", p.code)
	}
	if p := b.get(t, "/me"); p.code != http.StatusOK {
		t.Errorf("the refused sign-out signed out: %d", p.code)
	}
}

// Signing out deletes the session on the server: the old cookie, sent again, gets the sign-in
// page.
func TestSignOutInvalidatesSession(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139002", "赵六")
	old := b.cookies["dsb_session"]
	p := b.post(t, "/logout", url.Values{"csrf": {b.csrf(t, "/me")}})
	if p.code != http.StatusSeeOther || cookieNamed(b.last, "dsb_session").MaxAge >= 0 {
		t.Fatalf("logout: %d %v", p.code, b.last)
	}
	replay := s.browser()
	replay.cookies["dsb_session"] = old
	if got := replay.get(t, "/me"); got.code != http.StatusSeeOther || got.header.Get("Location") != "/login" {
		t.Fatalf("the old cookie after sign-out: %d %s", got.code, got.header.Get("Location"))
	}
}

// A session idle for longer than the idle limit ends; one used within it slides on, but not
// beyond the absolute limit.
func TestSessionExpiry(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139003", "孙七")
	for elapsed := time.Duration(0); elapsed < service.WebSessionMax-service.WebSessionIdle; elapsed += 25 * time.Minute {
		s.clock.Advance(25 * time.Minute)
		if p := b.get(t, "/me"); p.code != http.StatusOK {
			t.Fatalf("active session refused after %v: %d", elapsed+25*time.Minute, p.code)
		}
	}
	s.clock.Advance(service.WebSessionIdle)
	if p := b.get(t, "/me"); p.code != http.StatusSeeOther {
		t.Fatalf("session past its absolute limit: %d", p.code)
	}
	b.login(t, "13900139003", "correct-horse-9")
	s.clock.Advance(service.WebSessionIdle + service.WebSessionTouch + time.Second)
	if p := b.get(t, "/me"); p.code != http.StatusSeeOther {
		t.Fatalf("idle session: %d", p.code)
	}
}

// Wrong passwords through the form spend the API's failed-login budget: after authLimit of
// them the right password is refused, through the form and through the API alike.
func TestSignInLockOutIsTheAPIs(t *testing.T) {
	s := newAccountSite(t, false)
	if _, err := s.svc.Accounts.Register(t.Context(), service.RegisterRequest{Role: "consumer", Phone: "13900139004",
		Password: "correct-horse-9", RealName: "周八"}); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	for i := 0; i < authLimit; i++ {
		s.clock.Advance(time.Minute) // a fresh per-minute budget: only the failures count
		if p := b.login(t, "+8613900139004", "wrong-password"); p.code != http.StatusUnauthorized || !strings.Contains(p.body, "账号或密码错误") {
			t.Fatalf("wrong password %d: %d", i+1, p.code)
		}
	}
	s.clock.Advance(time.Minute)
	p := b.login(t, "13900139004", "correct-horse-9")
	if p.code != http.StatusTooManyRequests || !strings.Contains(p.body, "尝试次数过多") || p.header.Get("Retry-After") == "" {
		t.Fatalf("the right password after %d failures: %d", authLimit, p.code)
	}
	r := httpJSON(http.MethodPost, "/api/v1/auth/login", `{"phone":"13900139004","password":"correct-horse-9"}`)
	if got := b.do(t, r); got.code != http.StatusTooManyRequests || !strings.Contains(got.body, "rate_limited") {
		t.Fatalf("the API after the form's failures: %d %s", got.code, got.body)
	}
}

var complaintLink = regexp.MustCompile(`href="/me/complaints/([0-9a-f]{20,})"`)

// A consumer files through the form, sees the complaint pending in their list and on its page
// with its evidence; another consumer gets 404 for it and an empty list.
func TestFilingAndOwnComplaintsOnly(t *testing.T) {
	s := newAccountSite(t, false)
	a := s.browser()
	a.register(t, "13900139005", "吴九")
	p := a.postMultipart(t, "/me/complaints/new", s.filing(a.csrf(t, "/me/complaints/new")), "订单截图.png", pngBytes)
	if p.code != http.StatusSeeOther || p.header.Get("Location") != "/me?filed=1" {
		t.Fatalf("filing: %d %s", p.code, p.body)
	}
	list := a.get(t, "/me?filed=1")
	checkHTML(t, "/me", list)
	mustContain(t, "/me", list.body, "投诉已提交", "商品未发货且拒绝退款", "待审核")
	m := complaintLink.FindStringSubmatch(list.body)
	if m == nil {
		t.Fatalf("no complaint link on /me: %s", list.body)
	}
	path := "/me/complaints/" + m[1]
	detail := a.get(t, path)
	checkHTML(t, path, detail)
	mustContain(t, path, detail.body, "订单截图.png", "image/png", "TB2026112612345", "退款", "撤销投诉")

	other := s.browser()
	other.register(t, "13900139006", "郑十")
	if got := other.get(t, path); got.code != http.StatusNotFound {
		t.Fatalf("another consumer's complaint: %d", got.code)
	}
	if got := other.post(t, path+"/withdraw", url.Values{"csrf": {other.csrf(t, "/me")}, "reason": {"不想投诉了"}}); got.code != http.StatusNotFound {
		t.Fatalf("withdrawing another's complaint: %d", got.code)
	}
	if got := other.get(t, "/me"); strings.Contains(got.body, "商品未发货且拒绝退款") || strings.Contains(got.body, "吴九") {
		t.Fatal("another consumer's list shows the complaint")
	}
	w := a.post(t, path+"/withdraw", url.Values{"csrf": {a.csrf(t, path)}, "reason": {"商家已主动退款，问题已解决"}})
	if w.code != http.StatusSeeOther {
		t.Fatalf("withdraw: %d %s", w.code, w.body)
	}
	mustContain(t, path, a.get(t, path).body, "已撤销")
}

// The service's field errors appear beside their fields, with what was entered kept.
func TestFilingValidationBesideFields(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139007", "钱一")
	f := s.filing(b.csrf(t, "/me/complaints/new"))
	f.Set("title", "短")
	f.Set("contact_phone", "12345")
	f.Del("declaration_accepted")
	p := b.postMultipart(t, "/me/complaints/new", f, "", nil)
	if p.code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid filing: %d", p.code)
	}
	checkHTML(t, "/me/complaints/new", p)
	for _, field := range []string{"title", "contact_phone", "declaration_accepted"} {
		re := regexp.MustCompile(`name="` + field + `"[^>]*>(?:[^<]*<[^p][^>]*>)*[^<]*<p class="error" role="alert">[^<]+</p>`)
		if !re.MatchString(p.body) {
			t.Errorf("no error beside %s", field)
		}
	}
	mustContain(t, "/me/complaints/new", p.body, `value="短"`, `value="TB2026112612345"`, "商家至今未发货",
		"请填写中国大陆手机号", "至少需要 5 个字", "请阅读并勾选承诺")
}
