package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// Every page of the site, public or personal, and its error pages forbid scripts and framing;
// an evidence download keeps its own sandbox.
func TestPagesForbidScriptsAndFraming(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139081", "孙一")
	ev := b.fileWithImage(t, s)
	evidence := ""
	if m := evidenceLink.FindStringSubmatch(b.get(t, ev).body); m != nil {
		evidence = m[1]
	}
	pages := map[string]page{}
	for _, path := range []string{"/", "/ratings", "/no-such-page", "/login", "/me", ev, "/console", "/static/site.css"} {
		pages[path] = b.get(t, path)
	}
	pages["POST /logout without a token"] = b.post(t, "/logout", nil)
	for path, p := range pages {
		csp := p.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
			p.header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s (%d): Content-Security-Policy %q, X-Frame-Options %q", path, p.code, csp, p.header.Get("X-Frame-Options"))
		}
	}
	if evidence == "" {
		t.Fatal("the complaint's page links no evidence")
	}
	if p := b.get(t, evidence); p.code != http.StatusOK || p.header.Get("Content-Security-Policy") != "default-src 'none'; sandbox" {
		t.Fatalf("evidence %s: %d %q", evidence, p.code, p.header.Get("Content-Security-Policy"))
	}
	// The API's answers are not pages.
	if p := b.do(t, httpJSON(http.MethodGet, "/api/v1/platforms", "")); p.header.Get("X-Frame-Options") != "" {
		t.Fatalf("the API answered with the site's headers: %v", p.header)
	}
}
