package api_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dianshubao/dianshubao/internal/keyring"
)

func TestRegister(t *testing.T) {
	a := newApp(t)
	ok := map[string]any{"role": "consumer", "phone": "+8613800138000", "password": "password-123", "real_name": "张三"}
	m := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: ok}), http.StatusCreated)
	user := m["user"].(map[string]any)
	if user["phone"] != "13800138000" || user["role"] != "consumer" || m["expires_in"] != float64(900) {
		t.Fatalf("unexpected account: %v", m)
	}
	if m["access_token"] == "" || m["refresh_token"] == "" {
		t.Fatalf("no tokens: %v", m)
	}

	// The same number without +86 is the same phone.
	dup := map[string]any{"role": "consumer", "phone": "13800138000", "password": "password-456", "real_name": "李四"}
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: dup}), http.StatusConflict, "phone_taken")

	cases := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"invalid phone", map[string]any{"role": "consumer", "phone": "12800138000", "password": "password-123", "real_name": "张三"}, []string{"phone"}},
		{"landline", map[string]any{"role": "consumer", "phone": "01088888888", "password": "password-123", "real_name": "张三"}, []string{"phone"}},
		{"short password", map[string]any{"role": "consumer", "phone": "13900000001", "password": "short", "real_name": "张三"}, []string{"password"}},
		{"long password", map[string]any{"role": "consumer", "phone": "13900000001", "password": strings.Repeat("p", 129), "real_name": "张三"}, []string{"password"}},
		{"password over bcrypt's 72 bytes", map[string]any{"role": "consumer", "phone": "13900000001", "password": strings.Repeat("密", 30), "real_name": "张三"}, []string{"password"}},
		{"no name", map[string]any{"role": "consumer", "phone": "13900000001", "password": "password-123"}, []string{"real_name"}},
		{"control character", map[string]any{"role": "consumer", "phone": "13900000001", "password": "password-123", "real_name": "张\x00三"}, []string{"real_name"}},
		{"staff role", map[string]any{"role": "admin", "phone": "13900000001", "password": "password-123", "real_name": "张三"}, []string{"role"}},
		{"merchant without shop", map[string]any{"role": "merchant", "phone": "13900000001", "password": "password-123", "real_name": "张三"}, []string{"shop_name"}},
		{"merchant unknown platform", map[string]any{"role": "merchant", "phone": "13900000001", "password": "password-123", "real_name": "张三", "shop_name": "店", "shop_platform_id": "nope"}, []string{"shop_platform_id"}},
		{"everything wrong", map[string]any{"role": "x", "phone": "1", "password": "p"}, []string{"role", "phone", "password", "real_name"}},
		{"wrong type", map[string]any{"role": "consumer", "phone": 13900000001, "password": "password-123", "real_name": "张三"}, []string{"phone"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: tc.body}), http.StatusUnprocessableEntity, "validation_failed")
			got := map[string]bool{}
			for _, e := range m["errors"].([]any) {
				f := e.(map[string]any)
				if f["message"] == "" {
					t.Errorf("field %v without a message", f["field"])
				}
				got[f["field"].(string)] = true
			}
			for _, f := range tc.fields {
				if !got[f] {
					t.Errorf("field %s not named in %s", f, m["errors"])
				}
			}
		})
	}

	merchant := map[string]any{"role": "merchant", "phone": "13700000001", "password": "password-123", "real_name": "王五", "shop_name": "王五旗舰店"}
	m = expect(t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: merchant}), http.StatusCreated)
	if u := m["user"].(map[string]any); u["role"] != "merchant" || u["shop_name"] != "王五旗舰店" {
		t.Fatalf("merchant account: %v", u)
	}
}

func TestMalformedJSON(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	for _, path := range []string{"/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/admin/users", "/api/v1/admin/platforms"} {
		for _, body := range []string{"{", "", `{} {}`, "[1,", "{\"name\":\"\xff\"}"} {
			r := a.do(req{method: "POST", path: path, token: admin, body: body})
			if r.Code != http.StatusBadRequest || r.JSON(t)["code"] != "malformed_json" {
				t.Errorf("POST %s with %q: %d, want 400 malformed_json: %s", path, body, r.Code, r.Body)
			}
		}
		// Valid JSON that is not an object is a 422, the same on every endpoint.
		for _, body := range []string{"[1,2]", "\"str\"", "null", "42"} {
			r := a.do(req{method: "POST", path: path, token: admin, body: body})
			if r.Code != http.StatusUnprocessableEntity || r.JSON(t)["code"] != "validation_failed" {
				t.Errorf("POST %s with %q: %d, want 422 validation_failed: %s", path, body, r.Code, r.Body)
			}
		}
	}
}

func TestContentType(t *testing.T) {
	a := newApp(t)
	body := `{"email":"` + adminEmail + `","password":"` + adminPassword + `"}`
	for ct, want := range map[string]int{"application/json; charset=utf-8": 200, "": 200, "application/x-www-form-urlencoded": 200,
		"application/merge-patch+json": 200, "text/plain": 415, "application/xml": 415, "multipart/form-data; boundary=x": 415} {
		r := a.do(req{method: "POST", path: "/api/v1/auth/login", body: body, header: map[string]string{"Content-Type": ct}})
		if r.Code != want {
			t.Errorf("Content-Type %q: %d, want %d", ct, r.Code, want)
		}
	}
}

func TestLogin(t *testing.T) {
	a := newApp(t)
	reg := map[string]any{"role": "consumer", "phone": "13800138001", "password": "password-123", "real_name": "张三"}
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: reg}), http.StatusCreated)

	m := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": "+8613800138001", "password": "password-123"}}), http.StatusOK)
	me := expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: m["access_token"].(string)}), http.StatusOK)
	if me["phone"] != "13800138001" || me["real_name"] != "张三" {
		t.Fatalf("/me: %v", me)
	}

	wrong := a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": "13800138001", "password": "password-999"}})
	unknown := a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": "13800138999", "password": "password-123"}})
	unknownEmail := a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": "nobody@example.com", "password": "password-123"}})
	strip := func(r *response) map[string]any {
		m := expect(t, r, http.StatusUnauthorized, "invalid_credentials")
		delete(m, "request_id")
		return m
	}
	w, u, ue := strip(wrong), strip(unknown), strip(unknownEmail)
	if !equalJSON(w, u) || !equalJSON(w, ue) {
		t.Fatalf("wrong password and unknown account differ:\n%v\n%v\n%v", w, u, ue)
	}

	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"password": "password-123"}}), http.StatusUnprocessableEntity)
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": adminEmail, "password": adminPassword}}), http.StatusOK)
}

func equalJSON(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if fmt.Sprint(b[k]) != fmt.Sprint(v) {
			return false
		}
	}
	return true
}

func TestRefreshRotationAndReuse(t *testing.T) {
	a := newApp(t)
	reg := map[string]any{"role": "consumer", "phone": "13800138002", "password": "password-123", "real_name": "张三"}
	first := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: reg}), http.StatusCreated)
	r1 := first["refresh_token"].(string)

	second := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": r1}}), http.StatusOK)
	r2 := second["refresh_token"].(string)
	if r2 == r1 {
		t.Fatal("refresh token not rotated")
	}
	expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: second["access_token"].(string)}), http.StatusOK)

	// r1 again: a reuse. It fails, and the whole family goes, r2 included.
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": r1}}), http.StatusUnauthorized, "invalid_token")
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": r2}}), http.StatusUnauthorized, "invalid_token")

	// Another login is another family and still works.
	login := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": "13800138002", "password": "password-123"}}), http.StatusOK)
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": login["refresh_token"].(string)}}), http.StatusOK)

	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": "garbage"}}), http.StatusUnauthorized, "invalid_token")
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{}}), http.StatusUnauthorized, "invalid_token")

	// Refresh tokens expire after 30 days.
	fresh := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": "13800138002", "password": "password-123"}}), http.StatusOK)
	a.clock.Advance(31 * 24 * time.Hour)
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": fresh["refresh_token"].(string)}}), http.StatusUnauthorized, "invalid_token")
}

func TestAccessTokens(t *testing.T) {
	a := newApp(t)
	token, userID := a.register("consumer")
	expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: token}), http.StatusOK)

	now := a.clock.Now()
	// Tokens are signed with the key derived for them, named by its id.
	key := keyring.Derive(a.secret, keyring.PurposeJWT)
	signKid := func(method jwt.SigningMethod, kid any, secret any, claims jwt.MapClaims) string {
		tok := jwt.NewWithClaims(method, claims)
		if kid != nil {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(secret)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sign := func(method jwt.SigningMethod, secret any, claims jwt.MapClaims) string {
		return signKid(method, key.ID, secret, claims)
	}
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": "dianshubao", "aud": "dianshubao-api", "sub": userID, "role": "consumer",
			"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
	}
	// A token we build like the service does passes, so the failures below are for the reason named.
	expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: sign(jwt.SigningMethodHS256, key.Secret, good())}), http.StatusOK)

	parts := strings.Split(token, ".")
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	without := func(k string) jwt.MapClaims { c := good(); delete(c, k); return c }
	with := func(k string, v any) jwt.MapClaims { c := good(); c[k] = v; return c }

	bad := map[string]string{
		"tampered payload":   parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"`+userID+`","role":"admin"}`)) + "." + parts[2],
		"tampered signature": parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])),
		"alg none":           noneHeader + "." + parts[1] + ".",
		"HS512":              sign(jwt.SigningMethodHS512, key.Secret, good()),
		"HS384":              sign(jwt.SigningMethodHS384, key.Secret, good()),
		"other secret":       sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-123"), good()),
		"expired":            sign(jwt.SigningMethodHS256, key.Secret, with("exp", now.Add(-time.Second).Unix())),
		"no exp":             sign(jwt.SigningMethodHS256, key.Secret, without("exp")),
		"no iat":             sign(jwt.SigningMethodHS256, key.Secret, without("iat")),
		"no sub":             sign(jwt.SigningMethodHS256, key.Secret, without("sub")),
		"no role":            sign(jwt.SigningMethodHS256, key.Secret, without("role")),
		"unknown role":       sign(jwt.SigningMethodHS256, key.Secret, with("role", "root")),
		"wrong issuer":       sign(jwt.SigningMethodHS256, key.Secret, with("iss", "someone-else")),
		"wrong audience":     sign(jwt.SigningMethodHS256, key.Secret, with("aud", "another-api")),
		"garbage":            "not-a-jwt",
		// The secret itself, or another purpose's key, signs nothing a person can use.
		"the secret itself": sign(jwt.SigningMethodHS256, a.secret, good()),
		"idempotency key":   sign(jwt.SigningMethodHS256, keyring.Derive(a.secret, keyring.PurposeIdempotency).Secret, good()),
		"no kid":            signKid(jwt.SigningMethodHS256, nil, key.Secret, good()),
		"unknown kid":       signKid(jwt.SigningMethodHS256, "0badc0de", key.Secret, good()),
		"kid not a string":  signKid(jwt.SigningMethodHS256, 12345678, key.Secret, good()),
	}
	for name, tok := range bad {
		t.Run(name, func(t *testing.T) {
			expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: tok}), http.StatusUnauthorized, "invalid_token")
		})
	}
	expect(t, a.do(req{method: "GET", path: "/api/v1/me"}), http.StatusUnauthorized, "unauthenticated")
	expect(t, a.do(req{method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Basic Zm9vOmJhcg=="}}), http.StatusUnauthorized, "unauthenticated")

	// The real token expires after 15 minutes.
	a.clock.Advance(15*time.Minute + time.Second)
	expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: token}), http.StatusUnauthorized, "invalid_token")
}

// promote rewrites a token's payload with every claim intact but the role, which becomes admin.
func promote(t *testing.T, payload string) string {
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil || claims["role"] != "consumer" || claims["exp"] == nil {
		t.Fatalf("claims: %v %v", claims, err)
	}
	claims["role"] = "admin"
	out, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(out)
}

// TestConcurrentRefreshReuse races two uses of one refresh token: whichever wins, no token of
// the family may survive the detected reuse.
func TestConcurrentRefreshReuse(t *testing.T) {
	a := newApp(t)
	_, _, phone := a.registerPhone("consumer")
	for round := range 10 {
		login := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": phone, "password": "password-123"}}), http.StatusOK)
		rt := login["refresh_token"].(string)
		var wg sync.WaitGroup
		results := make([]*response, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": rt}})
			}()
		}
		wg.Wait()
		ok := 0
		for _, r := range results {
			if r.Code == http.StatusOK {
				ok++
				// The winner's new token belongs to a family that the reuse revoked.
				next := r.JSON(t)["refresh_token"].(string)
				again := a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": next}})
				if again.Code != http.StatusUnauthorized {
					t.Fatalf("round %d: the successor of a reused token still works", round)
				}
			} else if r.Code != http.StatusUnauthorized {
				t.Fatalf("round %d: %d %s", round, r.Code, r.Body)
			}
		}
		if ok > 1 {
			t.Fatalf("round %d: both uses of one refresh token succeeded", round)
		}
	}
}

func TestStaffAccounts(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	consumer, _ := a.register("consumer")

	body := map[string]any{"role": "moderator", "email": "Mod@Example.com", "password": "password-123", "real_name": "审核员"}
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users", token: consumer, body: body}), http.StatusForbidden, "forbidden")
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users", body: body}), http.StatusUnauthorized)
	m := expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users", token: admin, body: body}), http.StatusCreated)
	if m["role"] != "moderator" || m["email"] != "mod@example.com" {
		t.Fatalf("moderator: %v", m)
	}
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users", token: admin, body: body}), http.StatusConflict, "email_taken")
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users", token: admin,
		body: map[string]any{"role": "consumer", "email": "x@example.com", "password": "password-123", "real_name": "x"}}), http.StatusUnprocessableEntity)
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users", token: admin,
		body: map[string]any{"role": "admin", "email": "not-an-email", "password": "password-123", "real_name": "x"}}), http.StatusUnprocessableEntity)

	mod := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": "mod@example.com", "password": "password-123"}}), http.StatusOK)
	modToken := mod["access_token"].(string)
	// Moderators review complaints but do not manage accounts or platforms.
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users", token: modToken,
		body: map[string]any{"role": "admin", "email": "a2@example.com", "password": "password-123", "real_name": "x"}}), http.StatusForbidden)
	expect(t, a.do(req{method: "GET", path: "/api/v1/admin/platforms", token: modToken}), http.StatusForbidden)
	expect(t, a.do(req{method: "GET", path: "/api/v1/admin/platforms", token: consumer}), http.StatusForbidden)

	// Admins create admins.
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users", token: admin,
		body: map[string]any{"role": "admin", "email": "a2@example.com", "password": "password-123", "real_name": "管理员二"}}), http.StatusCreated)
}

func TestAdminBootstrapIsIdempotent(t *testing.T) {
	a := newApp(t)
	// newApp already ran it once; start-up runs it on every start.
	for range 2 {
		if err := a.svc.Accounts.EnsureAdmin(t.Context(), "ADMIN@example.com", "another-password"); err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	if err := a.st.DB().Table("users").Where("role = ?", "admin").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d admins, want 1", n)
	}
	// The first password stays: a restart with another one changes nothing.
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": adminEmail, "password": adminPassword}}), http.StatusOK)
}
