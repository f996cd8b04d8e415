package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// staffUser finds an account by e-mail through the service.
func staffUser(t *testing.T, s *accountSite, role, email string) *models.User {
	t.Helper()
	users, _, err := s.svc.Accounts.ListUsers(t.Context(), service.UserListFilter{Role: role, Query: email}, models.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for i := range users {
		if users[i].Email != nil && *users[i].Email == email {
			return &users[i]
		}
	}
	return nil
}

// An admin creates a moderator who can then sign in; disabling the account ends their session
// and refuses their sign-in, enabling it lets them sign in again.
func TestConsoleStaffLifecycle(t *testing.T) {
	s, admin, _ := consoleAdmin(t)
	p := admin.get(t, "/console/staff")
	checkHTML(t, "/console/staff", p)
	mustContain(t, "/console/staff", p.body, "mod@example.com", "审核员", "正常")

	bad := admin.post(t, "/console/staff", url.Values{"csrf": {admin.csrf(t, "/console/staff")}, "role": {"consumer"},
		"email": {"not-mail"}, "real_name": {""}, "password": {"short"}})
	if bad.code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid staff: %d", bad.code)
	}
	checkHTML(t, "/console/staff (refused)", bad)
	mustContain(t, "refused", bad.body, "请选择审核员、管理员或律师", "请填写有效的电子邮箱", "此项为必填项", "至少需要 8 个字")
	if staffUser(t, s, "", "not-mail") != nil {
		t.Fatal("a refused account was stored")
	}

	ok := admin.post(t, "/console/staff", url.Values{"csrf": {admin.csrf(t, "/console/staff")}, "role": {"moderator"},
		"email": {"new.mod@example.com"}, "real_name": {"钱七"}, "password": {"correct-horse-9"}})
	if ok.code != http.StatusSeeOther || ok.header.Get("Location") != "/console/staff?done=created&role=moderator" {
		t.Fatalf("create: %d %s", ok.code, ok.header.Get("Location"))
	}
	u := staffUser(t, s, "moderator", "new.mod@example.com")
	if u == nil || u.Role != models.RoleModerator || u.RealName != "钱七" {
		t.Fatalf("created account: %+v", u)
	}
	dup := admin.post(t, "/console/staff", url.Values{"csrf": {admin.csrf(t, "/console/staff")}, "role": {"admin"},
		"email": {"new.mod@example.com"}, "real_name": {"钱七"}, "password": {"correct-horse-9"}})
	if dup.code != http.StatusConflict || !strings.Contains(dup.body, "该电子邮箱已被使用") {
		t.Fatalf("a taken e-mail: %d", dup.code)
	}

	newMod := s.browser()
	if p := newMod.login(t, "new.mod@example.com", "correct-horse-9"); p.code != http.StatusSeeOther {
		t.Fatalf("the new moderator signs in: %d", p.code)
	}
	if p := newMod.get(t, "/console"); p.code != http.StatusOK {
		t.Fatalf("the new moderator's console: %d", p.code)
	}

	disable := "/console/staff/" + u.ID + "/disable"
	if !strings.Contains(admin.get(t, "/console/staff").body, `action="`+disable+`?role=moderator"`) {
		t.Fatal("no disable button")
	}
	// Without the form's token the account stays enabled.
	if p := admin.post(t, disable, url.Values{}); p.code != http.StatusForbidden {
		t.Fatalf("disable without csrf: %d", p.code)
	}
	if u := staffUser(t, s, "moderator", "new.mod@example.com"); u.DisabledAt != nil {
		t.Fatal("disabled without a token")
	}
	d := admin.post(t, disable+"?role=moderator", url.Values{"csrf": {admin.csrf(t, "/console/staff")}})
	if d.code != http.StatusSeeOther || d.header.Get("Location") != "/console/staff?done=disabled&role=moderator" {
		t.Fatalf("disable: %d %s", d.code, d.header.Get("Location"))
	}
	if u := staffUser(t, s, "moderator", "new.mod@example.com"); u.DisabledAt == nil {
		t.Fatal("not disabled")
	}
	if p := newMod.get(t, "/console"); p.code != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Fatalf("the disabled moderator's session: %d %s", p.code, p.header.Get("Location"))
	}
	if p := s.browser().login(t, "new.mod@example.com", "correct-horse-9"); p.code != http.StatusForbidden || !strings.Contains(p.body, "该账号已被停用") {
		t.Fatalf("a disabled moderator signs in: %d", p.code)
	}
	page := admin.get(t, "/console/staff?done=disabled&role=moderator")
	mustContain(t, "/console/staff", page.body, "账号已停用", "已停用", `action="/console/staff/`+u.ID+`/enable?role=moderator"`)

	e := admin.post(t, "/console/staff/"+u.ID+"/enable?role=moderator", url.Values{"csrf": {admin.csrf(t, "/console/staff")}})
	if e.code != http.StatusSeeOther {
		t.Fatalf("enable: %d", e.code)
	}
	if p := s.browser().login(t, "new.mod@example.com", "correct-horse-9"); p.code != http.StatusSeeOther {
		t.Fatalf("an enabled moderator signs in: %d", p.code)
	}
	if p := admin.post(t, "/console/staff/nosuchuser/disable", url.Values{"csrf": {admin.csrf(t, "/console/staff")}}); p.code != http.StatusNotFound {
		t.Fatalf("disable an unknown account: %d", p.code)
	}
}

// The service refuses an admin's disabling of their own account: the list is shown again with
// the refusal beside the account (403), which stays enabled.
func TestConsoleStaffCannotDisableSelf(t *testing.T) {
	s, admin, _ := consoleAdmin(t)
	me := staffUser(t, s, "admin", "admin@example.com")
	p := admin.post(t, "/console/staff/"+me.ID+"/disable?role=admin", url.Values{"csrf": {admin.csrf(t, "/console/staff")}})
	if p.code != http.StatusForbidden || !strings.Contains(p.body, "不能停用自己的账号") {
		t.Fatalf("disable oneself: %d %s", p.code, p.body)
	}
	checkHTML(t, "/console/staff (self)", p)
	if me := staffUser(t, s, "admin", "admin@example.com"); me.DisabledAt != nil {
		t.Fatal("the admin disabled themself")
	}
	if p := admin.get(t, "/console/staff?role=consumer"); p.code != http.StatusUnprocessableEntity {
		t.Fatalf("listing consumers: %d", p.code)
	}
}

// An admin makes a lawyer's account in the console: the form offers the role, the account is
// listed among the lawyers and signs in (to the site's home: a lawyer's desk is the API's).
func TestConsoleStaffCreatesALawyer(t *testing.T) {
	s, admin, _ := consoleAdmin(t)
	form := admin.get(t, "/console/staff")
	mustContain(t, "/console/staff", form.body, `<option value="lawyer">律师</option>`)
	p := admin.post(t, "/console/staff", url.Values{"csrf": {admin.csrf(t, "/console/staff")}, "role": {"lawyer"},
		"email": {"lawyer.li@example.com"}, "real_name": {"李律师"}, "password": {"correct-horse-9"}})
	if p.code != http.StatusSeeOther || p.header.Get("Location") != "/console/staff?done=created&role=lawyer" {
		t.Fatalf("create a lawyer: %d %s", p.code, p.header.Get("Location"))
	}
	u := staffUser(t, s, "lawyer", "lawyer.li@example.com")
	if u == nil || u.Role != models.RoleLawyer || u.RealName != "李律师" {
		t.Fatalf("created account: %+v", u)
	}
	list := admin.get(t, p.header.Get("Location"))
	checkHTML(t, "/console/staff?role=lawyer", list)
	mustContain(t, "the lawyers' list", list.body, "lawyer.li@example.com", "李律师", "账号已创建")
	if in := s.browser().login(t, "lawyer.li@example.com", "correct-horse-9"); in.code != http.StatusSeeOther || in.header.Get("Location") != "/" {
		t.Fatalf("the lawyer signs in: %d %s", in.code, in.header.Get("Location"))
	}
}
