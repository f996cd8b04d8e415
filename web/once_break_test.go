package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// A form's token names one submission; a different submission sent with it (the Back button
// on a form already sent, the text changed) is answered "已提交" and silently dropped, where
// the API answers a reused key with another body 422. The person is told their new text was
// added although it was not.
func TestOnceDifferentContentSameTokenBreak(t *testing.T) {
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
	second := url.Values{"csrf": {csrf}, "once": {once}, "text": {"第二次补充：商家已拉黑我的账号。"}}
	p := b.postMultipart(t, path+"/supplements", second, "", nil)
	n := len(adminView(t, s, id).Supplements)
	if n != 2 && p.code == http.StatusSeeOther {
		t.Fatalf("a different supplement sent with a used token: %d → %s, %d supplement(s) stored: the second text was dropped while the person was led to the success page",
			p.code, p.header.Get("Location"), n)
	}
}

// A double click on withdraw whose requests run at once withdraws once and leads every click
// to the complaint's page, never to a 409 for the state the first click made.
func TestOnceWithdrawDoubleClickBreak(t *testing.T) {
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
