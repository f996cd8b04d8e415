package api_test

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPlatformsAdmin(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	consumer, _ := a.register("consumer")

	p := a.createPlatform(admin, "taobao", map[string]any{"name": "淘宝", "tags": []string{"综合电商", "二手电商"}})
	if p["name"] != "淘宝" || p["sector"] != "digital_retail" || p["onboarded"] != false || p["rateable"] != false || p["after_sales_contact"] != nil {
		t.Fatalf("created platform: %v", p)
	}
	id := p["id"].(string)

	body := map[string]any{"name": "淘宝二", "slug": "taobao", "sector": "digital_retail"}
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/platforms", token: admin, body: body}), http.StatusConflict, "slug_taken")
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/platforms", token: consumer, body: body}), http.StatusForbidden)

	for name, b := range map[string]map[string]any{
		"sector":  {"name": "x", "slug": "x1", "sector": "retail"},
		"slug":    {"name": "x", "slug": "Not A Slug", "sector": "logistics"},
		"name":    {"name": "", "slug": "x2", "sector": "logistics"},
		"contact": {"name": "x", "slug": "x3", "sector": "logistics", "after_sales_contact": map[string]any{"email": "nope"}},
	} {
		m := expect(t, a.do(req{method: "POST", path: "/api/v1/admin/platforms", token: admin, body: b}), http.StatusUnprocessableEntity, "validation_failed")
		if !strings.Contains(fmt.Sprint(m["errors"]), name) {
			t.Errorf("%s not named: %v", name, m["errors"])
		}
	}

	// Onboarding with a contact makes the platform rateable; removing the contact undoes it.
	m := expect(t, a.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + id, token: admin,
		body: map[string]any{"onboarded": true, "after_sales_contact": map[string]string{"phone": "95188", "email": "kefu@taobao.example"}}}), http.StatusOK)
	if m["onboarded"] != true || m["rateable"] != true || m["name"] != "淘宝" {
		t.Fatalf("after onboarding: %v", m)
	}
	pub := expect(t, a.do(req{method: "GET", path: "/api/v1/platforms/" + id}), http.StatusOK)
	if pub["rateable"] != true || pub["after_sales_contact"].(map[string]any)["phone"] != "95188" {
		t.Fatalf("public view: %v", pub)
	}
	m = expect(t, a.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + id, token: admin,
		body: map[string]any{"after_sales_contact": nil, "tags": []string{"生鲜电商"}}}), http.StatusOK)
	if m["rateable"] != false || m["after_sales_contact"] != nil || m["onboarded"] != true || fmt.Sprint(m["tags"]) != "[生鲜电商]" {
		t.Fatalf("after removing the contact: %v", m)
	}
	a.createPlatform(admin, "jd", nil)
	expect(t, a.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + id, token: admin, body: map[string]any{"slug": "jd"}}), http.StatusConflict, "slug_taken")
	expect(t, a.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + id, token: admin, body: map[string]any{"sector": "moon"}}), http.StatusUnprocessableEntity)
	expect(t, a.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + id, token: admin, body: map[string]any{"onboarded": "yes"}}), http.StatusUnprocessableEntity)
	expect(t, a.do(req{method: "PATCH", path: "/api/v1/admin/platforms/unknown", token: admin, body: map[string]any{"onboarded": true}}), http.StatusNotFound, "not_found")
	expect(t, a.do(req{method: "GET", path: "/api/v1/platforms/unknown"}), http.StatusNotFound, "not_found")
}

func TestPlatformListsPaginate(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	want := map[string]bool{}
	for i := range 5 {
		want[a.createPlatform(admin, fmt.Sprintf("p%d", i), nil)["id"].(string)] = true
	}
	a.createPlatform(admin, "wuliu", map[string]any{"sector": "logistics"})

	for _, path := range []string{"/api/v1/admin/platforms", "/api/v1/platforms"} {
		seen := map[string]bool{}
		cursor := ""
		pages := 0
		for {
			r := expect(t, a.do(req{method: "GET", path: path + "?sector=digital_retail&limit=2&cursor=" + cursor, token: admin}), http.StatusOK)
			pages++
			for _, it := range r["data"].([]any) {
				id := it.(map[string]any)["id"].(string)
				if seen[id] {
					t.Fatalf("%s: %s twice", path, id)
				}
				seen[id] = true
			}
			if r["next_cursor"] == nil {
				break
			}
			cursor = r["next_cursor"].(string)
		}
		if len(seen) != len(want) || pages != 3 {
			t.Fatalf("%s: %d platforms in %d pages, want %d in 3", path, len(seen), pages, len(want))
		}
		expect(t, a.do(req{method: "GET", path: path + "?cursor=bogus", token: admin}), http.StatusUnprocessableEntity, "invalid_cursor")
		expect(t, a.do(req{method: "GET", path: path + "?limit=101", token: admin}), http.StatusUnprocessableEntity)
		expect(t, a.do(req{method: "GET", path: path + "?limit=0", token: admin}), http.StatusUnprocessableEntity)
		expect(t, a.do(req{method: "GET", path: path + "?sector=moon", token: admin}), http.StatusUnprocessableEntity)
	}
	all := expect(t, a.do(req{method: "GET", path: "/api/v1/platforms"}), http.StatusOK)
	if n := len(all["data"].([]any)); n != 6 {
		t.Fatalf("default page holds %d, want 6", n)
	}
}

func TestPublicReadsAreCacheable(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	id := a.createPlatform(admin, "pdd", nil)["id"].(string)
	for _, path := range []string{"/api/v1/platforms", "/api/v1/platforms/" + id} {
		r := a.do(req{method: "GET", path: path})
		expect(t, r, http.StatusOK)
		etag := r.Header.Get("ETag")
		if etag == "" || !strings.Contains(r.Header.Get("Cache-Control"), "max-age") {
			t.Fatalf("%s: no caching headers: %v", path, r.Header)
		}
		if r.Header.Get("RateLimit-Limit") != "" {
			t.Fatalf("%s: anonymous public reads are not rate limited", path)
		}
		expect(t, a.do(req{method: "GET", path: path, header: map[string]string{"If-None-Match": etag}}), http.StatusNotModified)
		// A change makes a new version.
		expect(t, a.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + id, token: admin, body: map[string]any{"name": "拼多多 " + path}}), http.StatusOK)
		r2 := a.do(req{method: "GET", path: path, header: map[string]string{"If-None-Match": etag}})
		expect(t, r2, http.StatusOK)
		if r2.Header.Get("ETag") == etag {
			t.Fatalf("%s: ETag unchanged after an update", path)
		}
	}
}

var keyRe = regexp.MustCompile(`^dsb_live_[0-9A-Za-z]{32}$`)

func TestAPIKeys(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	consumer, _ := a.register("consumer")
	pid := a.createPlatform(admin, "jd", map[string]any{"name": "京东"})["id"].(string)

	created := expect(t, a.do(req{method: "POST", path: "/api/v1/admin/platforms/" + pid + "/api-keys", token: admin,
		body: map[string]string{"name": "production"}}), http.StatusCreated)
	key := created["key"].(string)
	if !keyRe.MatchString(key) || created["prefix"] != key[:12] || created["name"] != "production" {
		t.Fatalf("created key: %v", created)
	}
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/platforms/" + pid + "/api-keys", token: admin, body: map[string]string{}}), http.StatusUnprocessableEntity)
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/platforms/nope/api-keys", token: admin, body: map[string]string{"name": "x"}}), http.StatusNotFound)
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/platforms/" + pid + "/api-keys", token: consumer, body: map[string]string{"name": "x"}}), http.StatusForbidden)

	list := expect(t, a.do(req{method: "GET", path: "/api/v1/admin/platforms/" + pid + "/api-keys", token: admin}), http.StatusOK)
	k0 := list["data"].([]any)[0].(map[string]any)
	if _, has := k0["key"]; has || k0["last_used_at"] != nil || k0["revoked_at"] != nil || k0["prefix"] != key[:12] {
		t.Fatalf("listed key: %v", k0)
	}

	me := expect(t, a.do(req{method: "GET", path: "/api/v1/platform/me", token: key}), http.StatusOK)
	if me["id"] != pid || me["name"] != "京东" {
		t.Fatalf("/platform/me: %v", me)
	}
	// Uses are written by the periodic flush, not by the request.
	if err := a.svc.Platforms.FlushKeyUse(t.Context()); err != nil {
		t.Fatal(err)
	}
	list = expect(t, a.do(req{method: "GET", path: "/api/v1/admin/platforms/" + pid + "/api-keys", token: admin}), http.StatusOK)
	if list["data"].([]any)[0].(map[string]any)["last_used_at"] == nil {
		t.Fatal("last_used_at not recorded")
	}

	// A person's token is not a platform credential, and a key is not a person's.
	expect(t, a.do(req{method: "GET", path: "/api/v1/platform/me", token: consumer}), http.StatusForbidden)
	expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: key}), http.StatusForbidden)
	expect(t, a.do(req{method: "GET", path: "/api/v1/admin/platforms", token: key}), http.StatusForbidden)
	for _, garbage := range []string{"dsb_live_garbage", "dsb_live_" + strings.Repeat("A", 32), key + "x", "dsb_test_" + key[9:]} {
		expect(t, a.do(req{method: "GET", path: "/api/v1/platform/me", token: garbage}), http.StatusUnauthorized)
	}
	expect(t, a.do(req{method: "GET", path: "/api/v1/platform/me"}), http.StatusUnauthorized, "unauthenticated")

	// Revocation takes effect on the very next request.
	a.clock.Advance(time.Second)
	keyID := created["id"].(string)
	revoked := expect(t, a.do(req{method: "DELETE", path: "/api/v1/admin/platforms/" + pid + "/api-keys/" + keyID, token: admin}), http.StatusOK)
	if revoked["revoked_at"] == nil {
		t.Fatalf("revoked key: %v", revoked)
	}
	expect(t, a.do(req{method: "GET", path: "/api/v1/platform/me", token: key}), http.StatusUnauthorized, "invalid_token")
	expect(t, a.do(req{method: "DELETE", path: "/api/v1/admin/platforms/" + pid + "/api-keys/" + keyID, token: admin}), http.StatusOK)
	expect(t, a.do(req{method: "DELETE", path: "/api/v1/admin/platforms/" + pid + "/api-keys/unknown", token: admin}), http.StatusNotFound)
	other := a.createPlatform(admin, "other", nil)["id"].(string)
	expect(t, a.do(req{method: "DELETE", path: "/api/v1/admin/platforms/" + other + "/api-keys/" + keyID, token: admin}), http.StatusNotFound)

	// Another key of the same platform still works.
	key2, key2ID := a.issueKey(admin, pid)
	expect(t, a.do(req{method: "GET", path: "/api/v1/platform/me", token: key2}), http.StatusOK)

	// The key list pages, newest first.
	page := expect(t, a.do(req{method: "GET", path: "/api/v1/admin/platforms/" + pid + "/api-keys?limit=1", token: admin}), http.StatusOK)
	if page["data"].([]any)[0].(map[string]any)["id"] != key2ID || page["next_cursor"] == nil {
		t.Fatalf("first page: %v", page)
	}
	page = expect(t, a.do(req{method: "GET", path: "/api/v1/admin/platforms/" + pid + "/api-keys?limit=1&cursor=" + page["next_cursor"].(string), token: admin}), http.StatusOK)
	if page["data"].([]any)[0].(map[string]any)["id"] != keyID || page["next_cursor"] != nil {
		t.Fatalf("second page: %v", page)
	}
}

// TestAPIKeyPlaintextStoredNowhere dumps every row of every table, and the logs, after a key
// was created and used, and looks for the key.
func TestAPIKeyPlaintextStoredNowhere(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	pid := a.createPlatform(admin, "douyin", nil)["id"].(string)
	r := a.do(req{method: "POST", path: "/api/v1/admin/platforms/" + pid + "/api-keys", token: admin,
		body: map[string]string{"name": "ci"}, header: map[string]string{"Idempotency-Key": "key-creation-1"}})
	key := expect(t, r, http.StatusCreated)["key"].(string)
	for range 3 {
		expect(t, a.do(req{method: "GET", path: "/api/v1/platform/me", token: key}), http.StatusOK)
	}
	// A failing request with the key in it is logged too.
	expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: key}), http.StatusForbidden)

	tables, err := a.st.DB().Migrator().GetTables()
	if err != nil || len(tables) < 4 {
		t.Fatalf("tables: %v %v", tables, err)
	}
	rows := 0
	random := key[len("dsb_live_"):]
	// The key could hide in an encoding too: base64 of JSON bytes, for one.
	encoded := []string{random, hex.EncodeToString([]byte(random))}
	for shift := range 3 {
		// Base64 of a body holding the key, whatever the key's offset in it: the middle of the
		// encoding does not depend on what surrounds it.
		b64 := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", shift) + random))
		encoded = append(encoded, b64[4:len(b64)-4])
	}
	for _, table := range tables {
		var dump []map[string]any
		if err := a.st.DB().Table(table).Find(&dump).Error; err != nil {
			t.Fatal(err)
		}
		for _, row := range dump {
			rows++
			for col, v := range row {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				for _, e := range encoded {
					if strings.Contains(s, e) {
						t.Errorf("table %s column %s holds the key's plaintext", table, col)
					}
				}
			}
		}
	}
	if rows == 0 {
		t.Fatal("dumped no rows: the check saw nothing")
	}
	logs := a.logs.String()
	if !strings.Contains(logs, "/api/v1/platform/me") {
		t.Fatal("the logs did not record the requests: the check saw nothing")
	}
	if strings.Contains(logs, random) {
		t.Error("the logs hold the key's plaintext")
	}
}
