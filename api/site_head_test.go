package api_test

import (
	"net/http"
	"testing"
)

// HEAD on the website's pages and files answers as GET does, without a body; the API's routes
// are left as they are.
func TestSiteAnswersHead(t *testing.T) {
	w := newWorld(t)
	for _, path := range []string{"/", "/ratings", "/static/site.css"} {
		get := w.do(req{method: "GET", path: path})
		head := w.do(req{method: "HEAD", path: path})
		if head.Code != http.StatusOK || get.Code != http.StatusOK || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: %d %q; GET: %d %q", path, head.Code, head.Header.Get("Content-Type"), get.Code, get.Header.Get("Content-Type"))
		}
	}
	if r := w.do(req{method: "HEAD", path: "/api/v1/platforms"}); r.Code != http.StatusMethodNotAllowed {
		t.Errorf("HEAD on the API: %d, want 405 as before", r.Code)
	}
}
