package web

import (
	"net/url"
	"strings"
	"testing"
)

// TestPageLinks: the next link carries the way back, the previous link pops it, a trail that
// is not one the links wrote is dropped, and the trail never grows past maxBack.
func TestPageLinks(t *testing.T) {
	f := url.Values{"status": {"pending_review"}}
	first := links("/q", f, "", "c1", "")
	if first.Prev != "" || first.First != "/q?status=pending_review" || first.Next != "/q?back=~&cursor=c1&status=pending_review" {
		t.Fatalf("first page: %+v", first)
	}
	second := links("/q", f, "c1", "c2", "~")
	if second.Prev != "/q?status=pending_review" || second.Next != "/q?back=~%2Cc1&cursor=c2&status=pending_review" {
		t.Fatalf("second page: %+v", second)
	}
	third := links("/q", f, "c2", "", "~,c1")
	if third.Prev != "/q?back=~&cursor=c1&status=pending_review" || third.Next != "" {
		t.Fatalf("third page: %+v", third)
	}
	if forged := links("/q", f, "c2", "", `~,"><script>`); forged.Prev != "" {
		t.Fatalf("a forged trail: %+v", forged)
	}
	long := strings.TrimSuffix(strings.Repeat("c,", 3*maxBack), ",")
	l := links("/q", nil, "c", "d", long)
	u, _ := url.Parse(l.Next)
	if n := len(strings.Split(u.Query().Get("back"), ",")); n != maxBack {
		t.Fatalf("the trail holds %d cursors, at most %d", n, maxBack)
	}
}
