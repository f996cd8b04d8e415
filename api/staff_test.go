package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// staffAccount creates a staff account and logs it in, returning its id and its tokens.
func (a *testApp) staffAccount(admin, role, email, name string) (id, access, refresh string) {
	a.t.Helper()
	u := expect(a.t, a.do(req{method: "POST", path: "/api/v1/admin/users", token: admin,
		body: map[string]any{"role": role, "email": email, "password": "staff-pass-123", "real_name": name}}), http.StatusCreated)
	s := expect(a.t, a.do(req{method: "POST", path: "/api/v1/auth/login",
		body: map[string]string{"email": email, "password": "staff-pass-123"}}), http.StatusOK)
	return u["id"].(string), s["access_token"].(string), s["refresh_token"].(string)
}

func userIDs(t *testing.T, m map[string]any) []string {
	t.Helper()
	var out []string
	for _, u := range m["data"].([]any) {
		out = append(out, u.(map[string]any)["id"].(string))
	}
	return out
}

// TestAdminListsUsers: the filters by role, text and disabled state, combined, and paged.
// Names and phones are sealed at rest, so ?q= finds them whole (by their keyed hashes), never
// in part; e-mail addresses, in clear, match in part.
func TestAdminListsUsers(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	_, consumer, phone := a.registerPhone("consumer")
	modA, _, _ := a.staffAccount(admin, "moderator", "wang.mod@example.com", "王审核")
	modB, _, _ := a.staffAccount(admin, "moderator", "li.mod@example.com", "Li Shenhe")
	admin2, _, _ := a.staffAccount(admin, "admin", "ops@example.com", "运维")
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + modB + "/disable", token: admin}), http.StatusOK)

	list := func(query string) []string {
		t.Helper()
		return userIDs(t, expect(t, a.do(req{method: "GET", path: "/api/v1/admin/users" + query, token: admin}), http.StatusOK))
	}
	for query, want := range map[string][]string{
		"?role=moderator":                 {modA, modB},
		"?role=moderator&disabled=false":  {modA},
		"?disabled=true":                  {modB},
		"?q=%E7%8E%8B%E5%AE%A1%E6%A0%B8":  {modA}, // 王审核
		"?q=%E5%AE%A1%E6%A0%B8":           nil,    // 审核: a part of a name
		"?q=LI+SHENHE+":                   {modB}, // the name, ignoring case and spaces around
		"?q=ops@":                         {admin2},
		"?q=" + phone:                     {consumer},
		"?q=%2B86" + phone:                {consumer},
		"?q=" + phone[3:]:                 nil, // a part of a phone
		"?q=mod%40example&role=moderator": {modA, modB},
		"?q=%25":                          nil,
		"?role=merchant":                  nil,
	} {
		if got := list(query); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
	all := list("?limit=100")
	if len(all) != 5 {
		t.Fatalf("all accounts: %d, want 5 (bootstrap admin, consumer, 3 staff)", len(all))
	}
	var paged []string
	path := "/api/v1/admin/users?limit=2"
	for {
		m := expect(t, a.do(req{method: "GET", path: path, token: admin}), http.StatusOK)
		paged = append(paged, userIDs(t, m)...)
		if m["next_cursor"] == nil {
			break
		}
		path = "/api/v1/admin/users?limit=2&cursor=" + m["next_cursor"].(string)
	}
	if fmt.Sprint(paged) != fmt.Sprint(all) {
		t.Fatalf("pages %v, want %v", paged, all)
	}
	m := expect(t, a.do(req{method: "GET", path: "/api/v1/admin/users?disabled=true", token: admin}), http.StatusOK)
	if u := m["data"].([]any)[0].(map[string]any); u["disabled"] != true || u["disabled_at"] == nil || u["email"] != "li.mod@example.com" {
		t.Fatalf("a disabled account: %v", u)
	}
	for _, bad := range []string{"?role=root", "?disabled=yes", "?limit=0", "?cursor=bogus"} {
		if r := a.do(req{method: "GET", path: "/api/v1/admin/users" + bad, token: admin}); r.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", bad, r.Code, r)
		}
	}
	mod := a.login2("wang.mod@example.com")
	expect(t, a.do(req{method: "GET", path: "/api/v1/admin/users", token: mod}), http.StatusForbidden, "forbidden")
}

func (a *testApp) login2(email string) string {
	a.t.Helper()
	return expect(a.t, a.do(req{method: "POST", path: "/api/v1/auth/login",
		body: map[string]string{"email": email, "password": "staff-pass-123"}}), http.StatusOK)["access_token"].(string)
}

// TestDisabledStaffIsLockedOutAtOnce: disabling refuses the account's access token on its next
// request, revokes its refresh tokens and refuses its login; enabling lets it log in again.
func TestDisabledStaffIsLockedOutAtOnce(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	id, access, refresh := a.staffAccount(admin, "moderator", "mod@example.com", "赵审核")
	expect(t, a.do(req{method: "GET", path: "/api/v1/admin/complaints", token: access}), http.StatusOK) // cached as enabled

	m := expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + id + "/disable", token: admin}), http.StatusOK)
	if m["disabled"] != true || m["disabled_at"] == nil {
		t.Fatalf("disable answered %v", m)
	}
	expect(t, a.do(req{method: "GET", path: "/api/v1/admin/complaints", token: access}), http.StatusUnauthorized, "invalid_token")
	expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: access}), http.StatusUnauthorized, "invalid_token")
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": refresh}}), http.StatusUnauthorized, "invalid_token")
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": "mod@example.com", "password": "staff-pass-123"}}),
		http.StatusForbidden, "account_disabled")
	// A wrong password learns nothing about the account's state.
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": "mod@example.com", "password": "wrong-pass-123"}}),
		http.StatusUnauthorized, "invalid_credentials")
	// Twice is harmless.
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + id + "/disable", token: admin}), http.StatusOK)

	m = expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + id + "/enable", token: admin}), http.StatusOK)
	if m["disabled"] != false || m["disabled_at"] != nil {
		t.Fatalf("enable answered %v", m)
	}
	// The refresh token revoked on disabling stays revoked; the password works again.
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": refresh}}), http.StatusUnauthorized, "invalid_token")
	fresh := a.login2("mod@example.com")
	expect(t, a.do(req{method: "GET", path: "/api/v1/admin/complaints", token: fresh}), http.StatusOK)
}

// TestDisableRules: only admins disable, only staff accounts, never oneself, never the last
// enabled admin.
func TestDisableRules(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	me := expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: admin}), http.StatusOK)["id"].(string)
	_, consumerID := a.register("consumer")
	modID, mod, _ := a.staffAccount(admin, "moderator", "mod@example.com", "赵审核")

	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + me + "/disable", token: admin}), http.StatusForbidden, "forbidden")
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + consumerID + "/disable", token: admin}), http.StatusForbidden, "forbidden")
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + me + "/disable", token: mod}), http.StatusForbidden, "forbidden")
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + modID + "/disable", token: mod}), http.StatusForbidden, "forbidden")
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/01a2b3c4d5e6f708192a3b4c5d6e7f80/disable", token: admin}), http.StatusNotFound, "not_found")
	if r := expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: admin}), http.StatusOK); r["id"] != me {
		t.Fatal("the admin is still in")
	}

	// An admin whose own account was disabled a moment ago on another instance may still be
	// authenticated there; it cannot then disable the last enabled admin.
	other := &models.Principal{Kind: models.PrincipalPerson, UserID: modID, Role: models.RoleAdmin}
	_, err := a.svc.Accounts.DisableStaff(context.Background(), other, me)
	if !isCode(err, "last_admin") {
		t.Fatalf("disabling the last enabled admin: %v, want last_admin", err)
	}
	if r := a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": adminEmail, "password": adminPassword}}); r.Code != http.StatusOK {
		t.Fatalf("the last admin was disabled: %d %s", r.Code, r)
	}
	// Nor can such an admin, disabled meanwhile, disable anyone else.
	secondID, _, _ := a.staffAccount(admin, "admin", "second@example.com", "第二管理员")
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + secondID + "/disable", token: admin}), http.StatusOK)
	stale := &models.Principal{Kind: models.PrincipalPerson, UserID: secondID, Role: models.RoleAdmin}
	if _, err := a.svc.Accounts.DisableStaff(context.Background(), stale, modID); !isCode(err, "invalid_token") {
		t.Fatalf("a disabled admin disabling a moderator: %v, want invalid_token", err)
	}
	if m := expect(t, a.do(req{method: "GET", path: "/api/v1/admin/users?disabled=false&role=moderator", token: admin}), http.StatusOK); len(userIDs(t, m)) != 1 {
		t.Fatalf("the moderator was disabled by a disabled admin: %v", m)
	}
}

func isCode(err error, code string) bool {
	var de *models.Error
	return errors.As(err, &de) && de.Code == code
}

// TestTwoAdminsDisablingEachOther: two admins disable each other at the same moment; one
// admin stays enabled whatever the order, and the other request is refused.
func TestTwoAdminsDisablingEachOther(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	me := expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: admin}), http.StatusOK)["id"].(string)
	otherID, other, _ := a.staffAccount(admin, "admin", "second@example.com", "第二管理员")
	ctx := context.Background()
	for round := range 5 {
		codes := make(chan int, 2)
		go func() {
			codes <- a.do(req{method: "POST", path: "/api/v1/admin/users/" + otherID + "/disable", token: admin}).Code
		}()
		go func() {
			codes <- a.do(req{method: "POST", path: "/api/v1/admin/users/" + me + "/disable", token: other}).Code
		}()
		got := []int{<-codes, <-codes}
		enabled, _, err := a.svc.Accounts.ListUsers(ctx, service.UserListFilter{Role: "admin", Disabled: "false"}, models.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(enabled) != 1 || got[0] == got[1] {
			t.Fatalf("round %d: answers %v, %d admins left enabled, want one 200, one refusal and one admin", round, got, len(enabled))
		}
		// Both enabled and logged in again for the next round.
		for _, id := range []string{me, otherID} {
			if _, err := a.svc.Accounts.EnableStaff(ctx, &models.Principal{UserID: "test"}, id); err != nil {
				t.Fatal(err)
			}
		}
		admin, other = a.adminToken(), a.login2("second@example.com")
	}
}

// TestDisableOnTwoInstances: two instances on one database. The instance that disables an
// account refuses its token at once; the other within the stated bound (2 s) of its clock.
func TestDisableOnTwoInstances(t *testing.T) {
	a := newApp(t)
	b := newApp(t, func(o *appOptions) { o.store = a.st })
	admin := a.adminToken()
	id, access, _ := a.staffAccount(admin, "moderator", "mod@example.com", "赵审核")
	for _, app := range []*testApp{a, b} {
		expect(t, app.do(req{method: "GET", path: "/api/v1/me", token: access}), http.StatusOK)
	}
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + id + "/disable", token: admin}), http.StatusOK)
	expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: access}), http.StatusUnauthorized, "invalid_token")
	b.clock.Advance(2 * time.Second)
	expect(t, b.do(req{method: "GET", path: "/api/v1/me", token: access}), http.StatusUnauthorized, "invalid_token")

	// Enabling shows the same way: at once here, within the bound there.
	expect(t, b.do(req{method: "POST", path: "/api/v1/admin/users/" + id + "/enable", token: b.adminToken()}), http.StatusOK)
	fresh := b.login2("mod@example.com")
	expect(t, b.do(req{method: "GET", path: "/api/v1/me", token: fresh}), http.StatusOK)
	a.clock.Advance(2 * time.Second)
	expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: fresh}), http.StatusOK)
}
