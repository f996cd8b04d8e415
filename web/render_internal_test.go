package web

import (
	"testing"
	"time"
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
