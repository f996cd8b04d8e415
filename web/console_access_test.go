package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/service"
)

// The console is the staff's: a consumer's or a merchant's session is refused (403), a visitor
// is sent to sign in, a moderator sees the review sections only and an admin all of them.
func TestConsoleIsStaffOnly(t *testing.T) {
	s := newAccountSite(t, false)
	ctx := context.Background()
	for _, r := range []struct{ role, email string }{{"moderator", "mod@example.com"}, {"admin", "admin@example.com"}} {
		if _, err := s.svc.Accounts.CreateStaff(ctx, service.CreateStaffRequest{Role: r.role, Email: r.email,
			Password: "correct-horse-9", RealName: "工作人员"}); err != nil {
			t.Fatal(err)
		}
	}
	if p := s.browser().get(t, "/console"); p.code != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Fatalf("a visitor: %d %s", p.code, p.header.Get("Location"))
	}
	consumer := s.browser()
	consumer.register(t, "13900139041", "郑一")
	merchant := s.browser()
	merchant.registerMerchant(t, "13900139042")
	for name, b := range map[string]*browser{"consumer": consumer, "merchant": merchant} {
		if p := b.get(t, "/console"); p.code != http.StatusForbidden || strings.Contains(p.body, "审核队列") {
			t.Fatalf("a %s's session on the console: %d", name, p.code)
		}
		if p := b.get(t, "/me"); p.code != http.StatusOK || !strings.Contains(p.body, `href="/me"`) || strings.Contains(p.body, `href="/console"`) {
			t.Fatalf("a %s's own pages link /me only: %d", name, p.code)
		}
	}

	mod := s.browser()
	if p := mod.login(t, "mod@example.com", "correct-horse-9"); p.code != http.StatusSeeOther || p.header.Get("Location") != "/console" {
		t.Fatalf("moderator sign-in: %d %s", p.code, p.header.Get("Location"))
	}
	p := mod.get(t, "/console")
	checkHTML(t, "/console", p)
	mustContain(t, "/console", p.body, "管理后台", `href="/console/complaints"`)
	if strings.Contains(p.body, `href="/console/platforms"`) || strings.Contains(p.body, `href="/console/staff"`) {
		t.Fatalf("a moderator is shown the admin sections: %s", p.body)
	}
	admin := s.browser()
	admin.login(t, "admin@example.com", "correct-horse-9")
	p = admin.get(t, "/console")
	mustContain(t, "/console", p.body, `href="/console/complaints"`, `href="/console/platforms"`, `href="/console/staff"`, `href="/console/notifications"`)
}
