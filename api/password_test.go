package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestChangePassword: a person changes their password with the current one; every refresh
// token of the account is revoked, a new pair is answered, and only the new password logs in.
func TestChangePassword(t *testing.T) {
	a := newApp(t)
	phone := nextPhone()
	reg := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/register",
		body: map[string]any{"role": "consumer", "phone": phone, "password": "password-123", "real_name": "张三"}}), http.StatusCreated)
	access, firstRefresh := reg["access_token"].(string), reg["refresh_token"].(string)
	second := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login",
		body: map[string]string{"phone": phone, "password": "password-123"}}), http.StatusOK)["refresh_token"].(string)

	change := func(current, next string) *response {
		return a.do(req{method: "POST", path: "/api/v1/me/password", token: access,
			body: map[string]string{"current_password": current, "new_password": next}})
	}
	m := expect(t, change("password-124", "new-password-1"), http.StatusUnprocessableEntity, "wrong_password")
	if !strings.Contains(fmt.Sprint(m["errors"]), "current_password") {
		t.Errorf("the field is not named: %v", m)
	}
	for next, why := range map[string]string{
		"short-7":                "shorter than 8",
		strings.Repeat("密", 25):  "over 72 bytes",
		"password-123":           "the current one",
		"tab\x00password":        "a control character",
		strings.Repeat("a", 129): "over 128 characters",
		"":                       "empty",
	} {
		m := expect(t, change("password-123", next), http.StatusUnprocessableEntity, "validation_failed")
		if !strings.Contains(fmt.Sprint(m["errors"]), "new_password") {
			t.Errorf("%s: new_password not named: %v", why, m)
		}
	}
	// Nothing was changed by the refused requests.
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": second}}), http.StatusOK)

	s := expect(t, change("password-123", "new-password-1"), http.StatusOK)
	if s["access_token"] == "" || s["refresh_token"] == "" || s["user"].(map[string]any)["phone"] != phone {
		t.Fatalf("change answered %v", s)
	}
	for _, old := range []string{firstRefresh} {
		expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": old}}), http.StatusUnauthorized, "invalid_token")
	}
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": phone, "password": "password-123"}}), http.StatusUnauthorized, "invalid_credentials")
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": phone, "password": "new-password-1"}}), http.StatusOK)
	// The pair answered works; the same change again finds the old password gone.
	expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: s["access_token"].(string)}), http.StatusOK)
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": s["refresh_token"].(string)}}), http.StatusOK)
	expect(t, change("password-123", "new-password-2"), http.StatusUnprocessableEntity, "wrong_password")
}

// TestChangePasswordRevokesEveryLogin: the refresh token rotated from another login before the
// change is revoked too, and staff change their password the same way.
func TestChangePasswordRevokesEveryLogin(t *testing.T) {
	a := newApp(t)
	login := func(pw string) map[string]any {
		return expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": adminEmail, "password": pw}}), http.StatusOK)
	}
	phone := login(adminPassword)
	laptop := login(adminPassword)
	rotated := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh",
		body: map[string]string{"refresh_token": phone["refresh_token"].(string)}}), http.StatusOK)["refresh_token"].(string)
	expect(t, a.do(req{method: "POST", path: "/api/v1/me/password", token: laptop["access_token"].(string),
		body: map[string]string{"current_password": adminPassword, "new_password": "admin-password-2"}}), http.StatusOK)
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": rotated}}), http.StatusUnauthorized, "invalid_token")
	expect(t, a.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": laptop["refresh_token"].(string)}}), http.StatusUnauthorized, "invalid_token")
	login("admin-password-2")
	// A platform key is no person.
	a2 := newWorld(t)
	expect(t, a2.do(req{method: "POST", path: "/api/v1/me/password", token: a2.key,
		body: map[string]string{"current_password": "x", "new_password": "new-password-1"}}), http.StatusForbidden, "forbidden")
}
