package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// TestPageCacheIsBounded: the page cache serves a page until it expires, and never holds more
// than maxCachedBytes of pages.
func TestPageCacheIsBounded(t *testing.T) {
	var pc pageCache
	now := time.Unix(1_800_000_000, 0)
	pc.put("a", &renderedPage{body: []byte("hello"), expires: now.Add(time.Second)})
	if p, ok := pc.get("a", now); !ok || string(p.body) != "hello" {
		t.Fatalf("fresh page: %v %v", p, ok)
	}
	if _, ok := pc.get("a", now.Add(time.Second)); ok {
		t.Error("an expired page was served")
	}
	big := make([]byte, 1<<20)
	for i := range 200 {
		pc.put(string(rune('A'+i%26))+string(rune(i)), &renderedPage{body: big, expires: now.Add(time.Hour)})
		if b := pc.bytes.Load(); b > maxCachedBytes {
			t.Fatalf("after %d pages the cache holds %d bytes", i+1, b)
		}
	}
	// Replacing a page counts it once.
	var one pageCache
	for range 3 {
		one.put("k", &renderedPage{body: big, expires: now.Add(time.Hour)})
	}
	if b := one.bytes.Load(); b != int64(len(big)) {
		t.Errorf("one page put three times counts %d bytes", b)
	}
}

// TestUnkeyedPagesAreNotKept: a page built under an empty key (one made of what a visitor
// typed) is answered with its validators and kept nowhere; a keyed one is kept.
func TestUnkeyedPagesAreNotKept(t *testing.T) {
	s := &site{now: time.Now}
	builds := 0
	build := func() ([]byte, error) { builds++; return []byte("<p>page</p>"), nil }
	for range 3 {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodGet, "/cases?q=anything", nil)
		s.cached(c, "", time.Minute, htmlType, build)
		if w.Code != http.StatusOK || w.Header().Get("ETag") == "" {
			t.Fatalf("an unkeyed page: %d %q", w.Code, w.Header().Get("ETag"))
		}
	}
	if builds != 3 || s.pages.bytes.Load() != 0 {
		t.Fatalf("unkeyed pages: %d builds, %d bytes kept", builds, s.pages.bytes.Load())
	}
	for range 2 {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodGet, "/cases", nil)
		s.cached(c, "cases||", time.Minute, htmlType, build)
	}
	if builds != 4 || s.pages.bytes.Load() == 0 {
		t.Fatalf("a keyed page: %d builds, %d bytes kept", builds, s.pages.bytes.Load())
	}
}
