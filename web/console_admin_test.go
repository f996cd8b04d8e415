package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
)

// Every administrators' page and action refuses a moderator (403) and changes nothing.
func TestConsoleAdminPagesRefuseModerators(t *testing.T) {
	s, admin, mod := consoleAdmin(t)
	platform := "/console/platforms/" + s.platformID
	for _, path := range []string{"/console/platforms", platform, "/console/staff", "/console/notifications"} {
		if p := mod.get(t, path); p.code != http.StatusForbidden || !strings.Contains(p.body, "此页面只对管理员开放") {
			t.Fatalf("a moderator on %s: %d", path, p.code)
		}
		checkHTML(t, path, admin.get(t, path))
	}
	tok := mod.csrf(t, "/console")
	posts := map[string]url.Values{
		"/console/platforms": {"name": {"审核员平台"}, "slug": {"by-moderator"}, "sector": {"logistics"}},
		platform:             {"name": {"改名"}, "slug": {"renamed"}, "sector": {"logistics"}},
		platform + "/keys":   {"name": {"审核员密钥"}},
		"/console/staff":     {"role": {"admin"}, "email": {"self.made@example.com"}, "real_name": {"冒充"}, "password": {"correct-horse-9"}},
	}
	key := activeKey(t, s)
	adminID := staffUser(t, s, "admin", "admin@example.com").ID
	posts[platform+"/keys/"+key.ID+"/revoke"] = url.Values{}
	posts["/console/staff/"+adminID+"/disable"] = url.Values{}
	for path, form := range posts {
		form.Set("csrf", tok)
		if p := mod.post(t, path, form); p.code != http.StatusForbidden {
			t.Fatalf("a moderator posts %s: %d", path, p.code)
		}
	}
	assertUnchanged(t, s)
	if k := activeKey(t, s); k.ID != key.ID {
		t.Fatal("a key was revoked")
	}
	if staffUser(t, s, "admin", "admin@example.com").DisabledAt != nil {
		t.Fatal("the admin was disabled")
	}
}

// activeKey is the first active key of the site's first platform.
func activeKey(t *testing.T, s *accountSite) models.APIKey {
	t.Helper()
	keys, _, err := s.svc.Platforms.ListAPIKeys(t.Context(), s.platformID, models.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Active() {
			return k
		}
	}
	t.Fatal("the platform has no active key")
	return models.APIKey{}
}

// A POST without the form's token is refused (403) and changes nothing.
func TestConsoleAdminPostsNeedCSRF(t *testing.T) {
	s, admin, _ := consoleAdmin(t)
	platform := "/console/platforms/" + s.platformID
	posts := map[string]url.Values{
		"/console/platforms": {"name": {"无令牌平台"}, "slug": {"by-moderator"}, "sector": {"logistics"}},
		platform:             {"name": {"改名"}, "slug": {"renamed"}, "sector": {"logistics"}},
		platform + "/keys":   {"name": {"审核员密钥"}},
		"/console/staff":     {"role": {"admin"}, "email": {"self.made@example.com"}, "real_name": {"冒充"}, "password": {"correct-horse-9"}},
	}
	key := activeKey(t, s)
	modID := staffUser(t, s, "moderator", "mod@example.com").ID
	posts[platform+"/keys/"+key.ID+"/revoke"] = url.Values{}
	posts["/console/staff/"+modID+"/disable"] = url.Values{}
	for path, form := range posts {
		for _, tok := range []string{"", "wrong-token"} {
			if tok != "" {
				form.Set("csrf", tok)
			}
			if p := admin.post(t, path, form); p.code != http.StatusForbidden {
				t.Fatalf("%s with csrf %q: %d", path, tok, p.code)
			}
		}
	}
	assertUnchanged(t, s)
	if k := activeKey(t, s); k.ID != key.ID {
		t.Fatal("a key was revoked")
	}
	if staffUser(t, s, "moderator", "mod@example.com").DisabledAt != nil {
		t.Fatal("the moderator was disabled")
	}
}

// assertUnchanged checks that none of the refused posts above took effect.
func assertUnchanged(t *testing.T, s *accountSite) {
	t.Helper()
	if platformBySlug(t, s, "by-moderator") != nil {
		t.Fatal("a platform was created")
	}
	if p, _ := s.svc.Platforms.Get(t.Context(), s.platformID); p.Slug == "renamed" {
		t.Fatal("the platform was changed")
	}
	keys, _, err := s.svc.Platforms.ListAPIKeys(t.Context(), s.platformID, models.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Name == "审核员密钥" {
			t.Fatal("a key was issued")
		}
	}
	if staffUser(t, s, "admin", "self.made@example.com") != nil {
		t.Fatal("an account was created")
	}
}
