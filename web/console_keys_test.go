package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
)

var secretShown = regexp.MustCompile(`<code class="secret">([^<]+)</code>`)

// platformAPI is the code of GET /api/v1/platform/complaints with key.
func platformAPI(t *testing.T, s *accountSite, key string) int {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/api/v1/platform/complaints", nil)
	r.Header.Set("Authorization", "Bearer "+key)
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w.Code
}

// A key issued on the platform's page is shown once (201, no-store) and works against the
// platform API; the page afterwards shows its prefix only, and revoking it makes the API
// refuse it.
func TestConsoleAPIKeys(t *testing.T) {
	s, admin, _ := consoleAdmin(t)
	path := "/console/platforms/" + s.platformID
	bad := admin.post(t, path+"/keys", url.Values{"csrf": {admin.csrf(t, path)}, "name": {""}})
	if bad.code != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "此项为必填项") || secretShown.MatchString(bad.body) {
		t.Fatalf("a key without a name: %d", bad.code)
	}
	p := admin.post(t, path+"/keys", url.Values{"csrf": {admin.csrf(t, path)}, "name": {"生产环境"}})
	if p.code != http.StatusCreated || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create a key: %d %q", p.code, p.header.Get("Cache-Control"))
	}
	checkHTML(t, path+"/keys", p)
	m := secretShown.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("the key is not shown: %s", p.body)
	}
	key := m[1]
	if code := platformAPI(t, s, key); code != http.StatusOK {
		t.Fatalf("the new key against the API: %d", code)
	}
	after := admin.get(t, path)
	if strings.Contains(after.body, key) {
		t.Fatal("the platform's page shows the key again")
	}
	mustContain(t, path, after.body, "生产环境", key[:12], "有效")
	keys, _, err := s.svc.Platforms.ListAPIKeys(t.Context(), s.platformID, models.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var rm []string
	for _, k := range keys {
		if k.Name == "生产环境" {
			rm = []string{"", path + "/keys/" + k.ID + "/revoke"}
		}
	}
	if rm == nil || !strings.Contains(after.body, `action="`+rm[1]+`"`) {
		t.Fatal("no revoke button for the new key")
	}
	// Without the form's token nothing is revoked.
	if p := admin.post(t, rm[1], url.Values{}); p.code != http.StatusForbidden {
		t.Fatalf("revoke without csrf: %d", p.code)
	}
	if code := platformAPI(t, s, key); code != http.StatusOK {
		t.Fatalf("the key after a refused revoke: %d", code)
	}
	done := admin.post(t, rm[1], url.Values{"csrf": {admin.csrf(t, path)}})
	if done.code != http.StatusSeeOther || done.header.Get("Location") != path+"?done=revoked" {
		t.Fatalf("revoke: %d %s", done.code, done.header.Get("Location"))
	}
	if code := platformAPI(t, s, key); code != http.StatusUnauthorized {
		t.Fatalf("a revoked key against the API: %d", code)
	}
	page := admin.get(t, path+"?done=revoked")
	mustContain(t, path, page.body, "API 密钥已吊销", "已吊销（")
	if strings.Contains(page.body, `action="`+rm[1]+`"`) {
		t.Fatal("a revoke button on a revoked key")
	}
	if p := admin.post(t, path+"/keys/nosuchkey/revoke", url.Values{"csrf": {admin.csrf(t, path)}}); p.code != http.StatusNotFound {
		t.Fatalf("revoke an unknown key: %d", p.code)
	}
}
