package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestPlatformNamesAreUnique: a name is taken however its case, width or surrounding spaces
// are written, on create and on rename, and nothing is stored by a refused request.
func TestPlatformNamesAreUnique(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	a.createPlatform(admin, "taobao", map[string]any{"name": "淘宝"})
	jd := a.createPlatform(admin, "jd", map[string]any{"name": "JD"})["id"].(string)

	for i, name := range []string{"淘宝 ", " 淘宝", "淘宝\u3000", "jd", "ＪＤ", "Jd "} {
		body := map[string]any{"name": name, "slug": fmt.Sprintf("copy-%d", i), "sector": "digital_retail"}
		m := expect(t, a.do(req{method: "POST", path: "/api/v1/admin/platforms", token: admin, body: body}), http.StatusConflict, "name_taken")
		if !strings.Contains(m["detail"].(string), strings.TrimSpace(name)) {
			t.Errorf("the problem does not name %q: %v", name, m["detail"])
		}
	}
	list := expect(t, a.do(req{method: "GET", path: "/api/v1/platforms"}), http.StatusOK)["data"].([]any)
	if len(list) != 2 {
		t.Fatalf("refused creates stored platforms: %d listed", len(list))
	}

	// A rename onto another's name is refused; renaming to a spelling of its own name is not.
	expect(t, a.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + jd, token: admin, body: map[string]any{"name": "淘宝 "}}), http.StatusConflict, "name_taken")
	m := expect(t, a.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + jd, token: admin, body: map[string]any{"name": "ｊｄ"}}), http.StatusOK)
	if m["name"] != "ｊｄ" {
		t.Fatalf("the name is stored as given: %v", m["name"])
	}
	// The old spelling is free again once its platform is renamed.
	expect(t, a.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + jd, token: admin, body: map[string]any{"name": "京东"}}), http.StatusOK)
	a.createPlatform(admin, "jd-global", map[string]any{"name": "JD"})
}

// TestPlatformNameRace: many admins creating one name, each spelled differently, at once: the
// unique index lets exactly one through, and every other answer is 409 name_taken, never 500.
func TestPlatformNameRace(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	spellings := []string{"京东", "京东 ", " 京东", "京东\u3000", "京东  "}
	const n = 10
	codes := make([]int, n)
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := a.do(req{method: "POST", path: "/api/v1/admin/platforms", token: admin,
				body: map[string]any{"name": spellings[i%len(spellings)], "slug": fmt.Sprintf("race-%d", i), "sector": "digital_retail"}})
			codes[i], bodies[i] = r.Code, r.String()
		}()
	}
	wg.Wait()
	created := 0
	for i, c := range codes {
		switch {
		case c == http.StatusCreated:
			created++
		case c == http.StatusConflict && strings.Contains(bodies[i], `"name_taken"`):
		default:
			t.Errorf("request %d: %d %s", i, c, bodies[i])
		}
	}
	if created != 1 {
		t.Fatalf("%d of %d concurrent creates of one name succeeded, want 1", created, n)
	}
}

// TestAfterSalesContactRules: the phone must be a number an after-sales team answers and the
// e-mail one plain address; anything else is 422 naming the field, on create and on change,
// and leaves the platform unrateable.
func TestAfterSalesContactRules(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	id := a.createPlatform(admin, "contact", map[string]any{"onboarded": true})["id"].(string)
	for i, c := range []struct {
		contact map[string]string
		field   string // "" when accepted
	}{
		{map[string]string{"phone": "13800138000"}, ""},
		{map[string]string{"phone": "010-12345678"}, ""},
		{map[string]string{"phone": "0571-88157858-1234"}, ""},
		{map[string]string{"phone": "01012345678"}, ""},
		{map[string]string{"phone": "400-123-4567"}, ""},
		{map[string]string{"phone": "95188"}, ""},
		{map[string]string{"phone": " 950618 "}, ""},
		{map[string]string{"email": "kefu@example.com"}, ""},
		{map[string]string{"phone": "abc"}, "after_sales_contact.phone"},
		{map[string]string{"phone": "12345"}, "after_sales_contact.phone"},
		{map[string]string{"phone": "1380013800"}, "after_sales_contact.phone"},
		{map[string]string{"phone": "400-1234-567"}, "after_sales_contact.phone"},
		{map[string]string{"phone": "9518"}, "after_sales_contact.phone"},
		{map[string]string{"email": "kefu"}, "after_sales_contact.email"},
		{map[string]string{"email": "客服 <kefu@example.com>"}, "after_sales_contact.email"},
		{map[string]string{"email": "a@example.com, b@example.com"}, "after_sales_contact.email"},
		{map[string]string{"phone": "95188", "email": "not an address"}, "after_sales_contact.email"},
	} {
		create := a.do(req{method: "POST", path: "/api/v1/admin/platforms", token: admin, body: map[string]any{
			"name": fmt.Sprintf("联系 %d", i), "slug": fmt.Sprintf("contact-%d", i), "sector": "logistics",
			"onboarded": true, "after_sales_contact": c.contact}})
		patch := a.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + id, token: admin,
			body: map[string]any{"after_sales_contact": c.contact}})
		if c.field == "" {
			if m := expect(t, create, http.StatusCreated); m["rateable"] != true {
				t.Errorf("%v: accepted but not rateable: %v", c.contact, m)
			}
			expect(t, patch, http.StatusOK)
			continue
		}
		for what, r := range map[string]*response{"create": create, "patch": patch} {
			m := expect(t, r, http.StatusUnprocessableEntity, "validation_failed")
			if !strings.Contains(fmt.Sprint(m["errors"]), c.field) {
				t.Errorf("%s %v: %s not named: %v", what, c.contact, c.field, m["errors"])
			}
		}
		expect(t, a.do(req{method: "GET", path: "/api/v1/platforms/contact-" + fmt.Sprint(i)}), http.StatusNotFound)
	}
	// The last accepted contact stays: a refused change stored nothing.
	if m := expect(t, a.do(req{method: "GET", path: "/api/v1/platforms/" + id}), http.StatusOK); fmt.Sprint(m["after_sales_contact"]) != "map[email:kefu@example.com phone:<nil>]" {
		t.Fatalf("after the refused changes: %v", m["after_sales_contact"])
	}
}

// TestAdminGetPlatform: the admin view by id or slug, with reachability read at once.
func TestAdminGetPlatform(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	consumer, _ := a.register("consumer")
	id := a.createPlatform(admin, "pdd", map[string]any{"name": "拼多多", "onboarded": true})["id"].(string)

	m := expect(t, a.do(req{method: "GET", path: "/api/v1/admin/platforms/" + id, token: admin}), http.StatusOK)
	if m["id"] != id || m["name"] != "拼多多" || m["reachable"] != false || m["active_api_keys"] != 0.0 || m["enabled_webhook_endpoints"] != 0.0 {
		t.Fatalf("admin view before a key: %v", m)
	}
	a.issueKey(admin, id)
	m = expect(t, a.do(req{method: "GET", path: "/api/v1/admin/platforms/pdd", token: admin}), http.StatusOK)
	if m["id"] != id || m["reachable"] != true || m["active_api_keys"] != 1.0 || m["rateable"] != false {
		t.Fatalf("admin view by slug after a key: %v", m)
	}
	expect(t, a.do(req{method: "GET", path: "/api/v1/admin/platforms/" + id, token: consumer}), http.StatusForbidden, "forbidden")
	expect(t, a.do(req{method: "GET", path: "/api/v1/admin/platforms/" + id}), http.StatusUnauthorized)
	expect(t, a.do(req{method: "GET", path: "/api/v1/admin/platforms/no-such-platform", token: admin}), http.StatusNotFound, "not_found")
}

// TestPublicPlatformSearchAndSlug: ?q= finds names by a part, ignoring case and width, with the
// sector filter and pagination; /platforms/{slug} answers like /platforms/{id}.
func TestPublicPlatformSearchAndSlug(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	jd := a.createPlatform(admin, "jd", map[string]any{"name": "京东JD"})["id"].(string)
	jdh := a.createPlatform(admin, "jd-health", map[string]any{"name": "ＪＤ健康", "sector": "digital_health"})["id"].(string)
	jdl := a.createPlatform(admin, "jd-logistics", map[string]any{"name": "京东物流 jd", "sector": "logistics"})["id"].(string)
	a.createPlatform(admin, "taobao", map[string]any{"name": "淘宝"})
	pct := a.createPlatform(admin, "percent", map[string]any{"name": "百分之百%"})["id"].(string)

	ids := func(path string) []string {
		t.Helper()
		var out []string
		for _, p := range expect(t, a.do(req{method: "GET", path: path}), http.StatusOK)["data"].([]any) {
			out = append(out, p.(map[string]any)["id"].(string))
		}
		return out
	}
	for path, want := range map[string][]string{
		"/api/v1/platforms?q=jd":                       {jd, jdh, jdl},
		"/api/v1/platforms?q=%EF%BC%AA%EF%BC%A4":       {jd, jdh, jdl}, // ＪＤ
		"/api/v1/platforms?q=+Jd+":                     {jd, jdh, jdl},
		"/api/v1/platforms?q=%E4%BA%AC%E4%B8%9C":       {jd, jdl}, // 京东
		"/api/v1/platforms?q=jd&sector=digital_health": {jdh},
		"/api/v1/platforms?q=%25":                      {pct}, // a literal %, not a wildcard
		"/api/v1/platforms?q=%E4%B9%8B%E7%99%BE%25":    {pct}, // 之百%
		"/api/v1/platforms?q=%E4%B9%8B%25%E7%99%BE":    nil,   // 之%百
		"/api/v1/platforms?q=jd&sector=cross_border":   nil,
		"/api/v1/platforms?q=_":                        nil,
		"/api/v1/platforms?q=%E4%BA%AC_":               nil, // 京_
	} {
		if got := ids(path); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", path, got, want)
		}
	}
	// Pagination runs within the search.
	first := expect(t, a.do(req{method: "GET", path: "/api/v1/platforms?q=jd&limit=2"}), http.StatusOK)
	if len(first["data"].([]any)) != 2 || first["next_cursor"] == nil {
		t.Fatalf("first page: %v", first)
	}
	rest := ids("/api/v1/platforms?q=jd&limit=2&cursor=" + first["next_cursor"].(string))
	if fmt.Sprint(rest) != fmt.Sprint([]string{jdl}) {
		t.Fatalf("second page: %v", rest)
	}
	// Admins search the same way.
	r := expect(t, a.do(req{method: "GET", path: "/api/v1/admin/platforms?q=JD&sector=logistics", token: admin}), http.StatusOK)
	if d := r["data"].([]any); len(d) != 1 || d[0].(map[string]any)["id"] != jdl {
		t.Fatalf("admin search: %v", r)
	}
	expect(t, a.do(req{method: "GET", path: "/api/v1/platforms?q=" + strings.Repeat("x", 256)}), http.StatusUnprocessableEntity, "validation_failed")

	// By slug, the same profile as by id.
	bySlug := expect(t, a.do(req{method: "GET", path: "/api/v1/platforms/jd-health"}), http.StatusOK)
	byID := expect(t, a.do(req{method: "GET", path: "/api/v1/platforms/" + jdh}), http.StatusOK)
	if bySlug["id"] != jdh || fmt.Sprint(bySlug) != fmt.Sprint(byID) {
		t.Fatalf("by slug %v, by id %v", bySlug, byID)
	}
	expect(t, a.do(req{method: "GET", path: "/api/v1/platforms/no-such-slug"}), http.StatusNotFound, "not_found")
	expect(t, a.do(req{method: "GET", path: "/api/v1/platforms/JD-Health"}), http.StatusNotFound, "not_found")
}
