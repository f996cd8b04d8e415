package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// The table holds the session id's SHA-256, never the id; last-seen is written at most once
// a minute.
func TestSessionRowHoldsHashAndTouchesSparingly(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139010", "冯二")
	id := b.cookies["dsb_session"].Value
	sum := sha256.Sum256([]byte(id))
	hash := hex.EncodeToString(sum[:])
	if _, err := s.st.WebSessionByHash(t.Context(), id); err == nil {
		t.Fatal("a session row is keyed by the id itself")
	}
	row, err := s.st.WebSessionByHash(t.Context(), hash)
	if err != nil {
		t.Fatal(err)
	}
	seen := row.LastSeen
	s.clock.Advance(30 * time.Second)
	b.get(t, "/me")
	if row, _ = s.st.WebSessionByHash(t.Context(), hash); !row.LastSeen.Equal(seen) {
		t.Fatalf("last-seen written within the minute: %v → %v", seen, row.LastSeen)
	}
	s.clock.Advance(31 * time.Second)
	b.get(t, "/me")
	if row, _ = s.st.WebSessionByHash(t.Context(), hash); !row.LastSeen.After(seen) {
		t.Fatalf("last-seen not written after a minute: %v", row.LastSeen)
	}
}

// Once the platform replied, the complainant rates 1–10 through the form; a score out of
// range is the service's field error beside the score.
func TestRatingAfterReply(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139011", "陈三")
	p := b.postMultipart(t, "/me/complaints/new", s.filing(b.csrf(t, "/me/complaints/new")), "", nil)
	if p.code != http.StatusSeeOther {
		t.Fatalf("filing: %d %s", p.code, p.body)
	}
	m := complaintLink.FindStringSubmatch(b.get(t, "/me").body)
	if m == nil {
		t.Fatal("no complaint listed")
	}
	id, path := m[1], "/me/complaints/"+m[1]
	if strings.Contains(b.get(t, path).body, `action="`+path+`/rating"`) {
		t.Fatal("the rating form is shown before a reply")
	}
	ctx := t.Context()
	admin := &models.Principal{Kind: models.PrincipalPerson, UserID: models.NewID(), Role: models.RoleAdmin}
	if _, err := s.svc.Complaints.Accept(ctx, admin, id); err != nil {
		t.Fatal(err)
	}
	plat := &models.Principal{Kind: models.PrincipalPlatform, PlatformID: s.platformID}
	if _, err := s.svc.Complaints.Reply(ctx, plat, id, service.ReplyRequest{Content: "您好，已为您办理退款，款项将在1-3个工作日内原路退回。"}); err != nil {
		t.Fatal(err)
	}
	page := b.get(t, path)
	mustContain(t, path, page.body, "已为您办理退款", `action="`+path+`/rating"`)
	bad := b.post(t, path+"/rating", url.Values{"csrf": {b.csrf(t, path)}, "score": {"11"}})
	if bad.code != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `<p class="error" role="alert">`) {
		t.Fatalf("score 11: %d", bad.code)
	}
	ok := b.post(t, path+"/rating", url.Values{"csrf": {b.csrf(t, path)}, "score": {"8"}, "comment": {"处理及时"}})
	if ok.code != http.StatusSeeOther {
		t.Fatalf("rating: %d %s", ok.code, ok.body)
	}
	mustContain(t, path, b.get(t, path).body, "您的评分：8 分")
}

// A filing larger than the evidence limit is refused 413 before anything is stored.
func TestFilingTooLarge(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139012", "褚四")
	big := make([]byte, 22<<20)
	copy(big, pngBytes)
	p := b.postMultipart(t, "/me/complaints/new", s.filing(b.csrf(t, "/me/complaints/new")), "大图.png", big)
	if p.code != http.StatusRequestEntityTooLarge || !strings.Contains(p.body, "文件过大") {
		t.Fatalf("oversized filing: %d", p.code)
	}
	if strings.Contains(b.get(t, "/me").body, "商品未发货且拒绝退款") {
		t.Fatal("an oversized filing was stored")
	}
}

// A password change and an erasure end the account's browser sessions, as they revoke its
// refresh tokens.
func TestPasswordChangeAndErasureEndSessions(t *testing.T) {
	s := newAccountSite(t, false)
	for _, tc := range []struct {
		phone string
		end   func(p *models.Principal) error
	}{
		{"13900139013", func(p *models.Principal) error {
			_, err := s.svc.Accounts.ChangePassword(t.Context(), p, service.ChangePasswordRequest{
				CurrentPassword: "correct-horse-9", NewPassword: "battery-staple-7"})
			return err
		}},
		{"13900139014", func(p *models.Principal) error {
			_, err := s.svc.Erasures.EraseSelf(t.Context(), p)
			return err
		}},
	} {
		b := s.browser()
		b.register(t, tc.phone, "蒋六")
		ws, err := s.svc.WebSessions.Load(t.Context(), b.cookies["dsb_session"].Value)
		if err != nil {
			t.Fatal(err)
		}
		if err := tc.end(ws.Principal); err != nil {
			t.Fatal(err)
		}
		if p := b.get(t, "/me"); p.code != http.StatusSeeOther || p.header.Get("Location") != "/login" {
			t.Errorf("%s: the session outlived the change: %d", tc.phone, p.code)
		}
	}
}

// Staff sign in with their e-mail and land on the console; /me is not theirs; disabling the
// account deletes its sessions.
func TestStaffSignInAndDisable(t *testing.T) {
	s := newAccountSite(t, false)
	ctx := t.Context()
	admin, err := s.svc.Accounts.CreateStaff(ctx, service.CreateStaffRequest{Role: "admin", Email: "admin@example.com",
		Password: "correct-horse-9", RealName: "管理员"})
	if err != nil {
		t.Fatal(err)
	}
	mod, err := s.svc.Accounts.CreateStaff(ctx, service.CreateStaffRequest{Role: "moderator", Email: "Mod@Example.com",
		Password: "correct-horse-9", RealName: "审核员"})
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	if p := b.login(t, "mod@example.com", "correct-horse-9"); p.code != http.StatusSeeOther || p.header.Get("Location") != "/console" {
		t.Fatalf("staff sign-in: %d %s", p.code, p.header.Get("Location"))
	}
	if p := b.get(t, "/me"); p.code != http.StatusForbidden {
		t.Fatalf("/me for staff: %d", p.code)
	}
	id := b.cookies["dsb_session"].Value
	sum := sha256.Sum256([]byte(id))
	actor := &models.Principal{Kind: models.PrincipalPerson, UserID: admin.ID, Role: models.RoleAdmin}
	if _, err := s.svc.Accounts.DisableStaff(ctx, actor, mod.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.st.WebSessionByHash(ctx, hex.EncodeToString(sum[:])); err == nil {
		t.Fatal("the disabled account's session row is still there")
	}
}
