package web_test

import (
	"net/http"
	"testing"
)

// The site's policy is on every site answer (HEAD and unknown paths included) and on no answer
// of the API or the operational paths.
func TestPageSecurityScope(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	for _, tc := range []struct {
		method, path string
		site         bool
	}{
		{http.MethodHead, "/", true}, {http.MethodHead, "/no-such-page", true}, {http.MethodGet, "/cases?cursor=%zz", true},
		{http.MethodGet, "/ratings?period=1999", true}, {http.MethodPost, "/no-such-form", false},
		{http.MethodGet, "/api/v1/no-such", false}, {http.MethodGet, "/api/v1/cases", false}, {http.MethodGet, "/api/v1/cases.atom", false},
		{http.MethodGet, "/healthz", false}, {http.MethodGet, "/openapi.json", false},
	} {
		r, _ := http.NewRequest(tc.method, tc.path, nil)
		p := b.do(t, r)
		has := p.header.Get("Content-Security-Policy") != "" || p.header.Get("X-Frame-Options") != ""
		if has != tc.site {
			t.Errorf("%s %s (%d): site headers %v, want %v", tc.method, tc.path, p.code, has, tc.site)
		}
		if p.code >= 500 {
			t.Errorf("%s %s: %d", tc.method, tc.path, p.code)
		}
	}
}
