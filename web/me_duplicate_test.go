package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A second filing for the same order is refused as the API refuses it (409), with a link to
// the complaint it should be added to; a change the complaint's state does not allow is a 409
// too, and changes nothing.
func TestDuplicateFilingLinksTheOriginal(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139095", "冯五")
	path := b.fileWithImage(t, s)
	p := b.postMultipart(t, "/me/complaints/new", s.filing(b.csrf(t, "/me/complaints/new")), "", nil)
	if p.code != http.StatusConflict {
		t.Fatalf("a duplicate filing: %d", p.code)
	}
	checkHTML(t, "duplicate filing", p)
	mustContain(t, "duplicate filing", p.body, `href="`+path+`"`, "原投诉")
	if n := len(s.myComplaints(t, b)); n != 1 {
		t.Fatalf("%d complaints after a duplicate filing", n)
	}

	form := url.Values{"csrf": {b.csrf(t, path)}, "reason": {"已解决"}}
	if p := b.post(t, path+"/withdraw", form); p.code != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", p.code)
	}
	p = b.post(t, path+"/withdraw", form)
	if p.code != http.StatusConflict || !strings.Contains(p.body, "当前状态下不能进行此操作") {
		t.Fatalf("withdrawing a withdrawn complaint: %d", p.code)
	}
}
