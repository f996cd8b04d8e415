package web_test

import (
	"net/http"
	"testing"
)

// A page built under an empty key (a search) still answers 304 to its own ETag.
func TestUnkeyedPageConditionalGet(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	for _, path := range []string{"/cases?q=%E9%80%80%E6%AC%BE", "/cases?tag=x", "/cases?cursor=abc"} {
		first := b.get(t, path)
		etag := first.header.Get("ETag")
		if first.code != http.StatusOK {
			if first.code >= 500 {
				t.Errorf("%s: %d", path, first.code)
			}
			continue
		}
		if etag == "" {
			t.Fatalf("%s: no ETag", path)
		}
		r, _ := http.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("If-None-Match", etag)
		if p := b.do(t, r); p.code != http.StatusNotModified {
			t.Errorf("%s with its ETag: %d", path, p.code)
		}
	}
}
