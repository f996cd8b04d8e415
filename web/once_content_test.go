package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A form's token names one submission; a different submission sent with it (the Back button
// on a form already sent, the text changed) is refused (422, as the API refuses a reused key
// with another body) and stores nothing, instead of being led to the success page.
func TestOnceDifferentContentSameToken(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139601", "钱一")
	id := b.file(t, s, s.platformID, "TB601", "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝。")
	path := "/me/complaints/" + id
	csrf, once := b.tokens(t, path)
	first := url.Values{"csrf": {csrf}, "once": {once}, "text": {"第一次补充：商家电话无人接听。"}}
	if p := b.postMultipart(t, path+"/supplements", first, "", nil); p.code != http.StatusSeeOther {
		t.Fatalf("first supplement: %d", p.code)
	}
	if p := b.postMultipart(t, path+"/supplements", first, "", nil); p.code != http.StatusSeeOther {
		t.Fatalf("the same supplement sent again: %d", p.code)
	}
	second := url.Values{"csrf": {csrf}, "once": {once}, "text": {"第二次补充：商家已拉黑我的账号。"}}
	p := b.postMultipart(t, path+"/supplements", second, "", nil)
	if n := len(adminView(t, s, id).Supplements); p.code != http.StatusUnprocessableEntity || n != 1 {
		t.Fatalf("a different supplement sent with a used token: %d → %s, %d supplement(s) stored", p.code, p.header.Get("Location"), n)
	}
	if !strings.Contains(p.body, "修改后的内容没有提交") {
		t.Fatalf("the refusal does not say the new text was not sent: %s", p.body)
	}
}

// A double click on withdraw whose requests run at once withdraws once and leads every click
// to the complaint's page, never to a 409 for the state the first click made.
func TestOnceWithdrawDoubleClick(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139602", "钱二")
	for round := range 4 {
		id := b.file(t, s, s.platformID, "TB60"+string(rune('a'+round)), "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝。")
		path := "/me/complaints/" + id
		csrf, once := b.tokens(t, path)
		for i, p := range b.atOnce(t, path+"/withdraw", url.Values{"csrf": {csrf}, "once": {once}, "reason": {"商家已主动退款，问题已解决"}}, 8) {
			if p.code != http.StatusSeeOther || p.header.Get("Location") != path+"?done=1" {
				t.Errorf("round %d, click %d: %d %s", round, i, p.code, p.header.Get("Location"))
			}
		}
		if st := adminView(t, s, id).Status; st != "withdrawn" {
			t.Errorf("round %d: status %s", round, st)
		}
	}
}
