package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Odd input on every GET and POST of the console and /me: none may answer 500.
func TestNoServerErrorOnOddInput(t *testing.T) {
	s, admin, mod := consoleAdmin(t)
	consumer := s.browser()
	consumer.register(t, "13900139101", "赵一")
	id := consumer.file(t, s, s.platformID, "TB1", "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝。")
	long := strings.Repeat("长", 70000)
	gets := []string{
		"/console/complaints?cursor=garbage", "/console/complaints?cursor=%00%ff", "/console/complaints?limit=99999999999999999999",
		"/console/complaints?status=bogus", "/console/complaints?flag=bogus", "/console/complaints?channel=bogus",
		"/console/complaints?status=all&cursor=zzz", "/console/complaints?platform_id=" + url.QueryEscape(long[:300]),
		"/console/complaints/%00", "/console/complaints/" + strings.Repeat("a", 300), "/console/complaints?done=" + strings.Repeat("x", 500),
		"/console/evidence/%00", "/console/evidence/" + strings.Repeat("f", 200),
		"/console/platforms?cursor=garbage", "/console/platforms?sector=bogus", "/console/platforms?q=" + url.QueryEscape(long[:3000]),
		"/console/platforms/nope", "/console/platforms/" + s.platformID + "?keys_cursor=garbage",
		"/console/staff?cursor=garbage", "/console/staff?role=consumer", "/console/staff?role=%00",
		"/console/notifications?cursor=garbage", "/console/notifications?phone=%00abc", "/console/notifications?phone=" + url.QueryEscape(long[:3000]),
	}
	for _, g := range gets {
		b := admin
		if p := b.get(t, g); p.code >= 500 {
			t.Errorf("admin GET %s: %d", g, p.code)
		}
	}
	for _, g := range []string{"/me?cursor=garbage", "/me?cursor=%ff", "/me/complaints/%00", "/me/evidence/%00", "/me/complaints/" + id + "x"} {
		if p := consumer.get(t, g); p.code >= 500 {
			t.Errorf("consumer GET %s: %d", g, p.code)
		}
	}
	csrf := mod.csrf(t, "/console/complaints/"+id)
	for _, f := range []url.Values{
		{"csrf": {csrf}, "reason": {"bogus"}, "note": {"x"}},
		{"csrf": {csrf}, "reason": {"other"}, "note": {long}},
		{"csrf": {csrf}, "reason": {"other"}, "note": {"\x00\x01"}},
		{"csrf": {csrf}, "reason": {"other"}, "note": {"x"}, "once": {strings.Repeat("é", 30)}},
	} {
		if p := mod.post(t, "/console/complaints/"+id+"/reject", f); p.code >= 500 {
			t.Errorf("reject %v: %d", f["reason"], p.code)
		}
	}
	acsrf := admin.csrf(t, "/console/platforms")
	for path, f := range map[string]url.Values{
		"/console/platforms":                                     {"csrf": {acsrf}, "name": {long[:3000]}, "slug": {"x y"}, "sector": {"bogus"}, "tags": {long[:3000]}},
		"/console/platforms/nope":                                {"csrf": {acsrf}, "name": {"a"}},
		"/console/platforms/" + s.platformID:                     {"csrf": {acsrf}, "name": {""}, "after_sales_phone": {"abc"}, "after_sales_email": {"@@"}},
		"/console/platforms/nope/keys":                           {"csrf": {acsrf}, "name": {"k"}},
		"/console/platforms/" + s.platformID + "/keys":           {"csrf": {acsrf}, "name": {long[:3000]}},
		"/console/platforms/" + s.platformID + "/keys/zz/revoke": {"csrf": {acsrf}},
		"/console/staff":                                         {"csrf": {acsrf}, "role": {"consumer"}, "email": {"x"}, "password": {"1"}},
		"/console/staff/nope/disable":                            {"csrf": {acsrf}},
		"/console/staff/nope/enable":                             {"csrf": {acsrf}},
		"/console/complaints/nope/accept":                        {"csrf": {acsrf}},
		"/console/complaints/nope/reject":                        {"csrf": {acsrf}, "reason": {"other"}},
	} {
		if p := admin.post(t, path, f); p.code >= 500 {
			t.Errorf("admin POST %s: %d %s", path, p.code, p.body[:min(len(p.body), 300)])
		}
	}
	ccsrf := consumer.csrf(t, "/me/complaints/"+id)
	for path, f := range map[string]url.Values{
		"/me/complaints/" + id + "/rating":   {"csrf": {ccsrf}, "score": {"99999999999999999999"}},
		"/me/complaints/" + id + "/withdraw": {"csrf": {ccsrf}, "reason": {long}},
		"/me/complaints/nope/withdraw":       {"csrf": {ccsrf}},
		"/me/complaints/nope/rating":         {"csrf": {ccsrf}, "score": {"5"}},
	} {
		if p := consumer.post(t, path, f); p.code >= 500 {
			t.Errorf("consumer POST %s: %d", path, p.code)
		}
	}
	if p := consumer.postMultipart(t, "/me/complaints/nope/supplements", url.Values{"csrf": {ccsrf}, "text": {"x"}}, "a.png", pngBytes); p.code >= 500 {
		t.Errorf("supplement to nothing: %d", p.code)
	}
	if p := consumer.postMultipart(t, "/me/complaints/"+id+"/supplements", url.Values{"csrf": {ccsrf}, "text": {long}}, "", nil); p.code >= 500 {
		t.Errorf("supplement long: %d", p.code)
	}
	for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		r, _ := http.NewRequest(m, "/console/complaints/"+id+"/accept", nil)
		if p := mod.do(t, r); p.code >= 500 {
			t.Errorf("%s accept: %d", m, p.code)
		}
	}
}

// Every refusal shown beside a field or above a form is in Chinese (no English service text).
func TestRefusalsInChinese(t *testing.T) {
	s, admin, mod := consoleAdmin(t)
	consumer := s.browser()
	consumer.register(t, "13900139181", "辛一")
	id := consumer.file(t, s, s.platformID, "TB181", "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝。")
	latin := regexp.MustCompile(`[a-z]{4,}`)
	check := func(what string, p page) {
		t.Helper()
		ms := errorText.FindAllStringSubmatch(p.body, -1)
		if len(ms) == 0 && p.code >= 400 {
			if latin.MatchString(p.body[strings.Index(p.body, "<main"):]) && strings.Contains(p.body, "must") {
				t.Errorf("%s (%d): English in the page", what, p.code)
			}
		}
		for _, m := range ms {
			if latin.MatchString(m[1]) {
				t.Errorf("%s (%d): %q", what, p.code, m[1])
			}
		}
	}
	long := strings.Repeat("长", 3000)
	acsrf, once := admin.tokens(t, "/console/platforms")
	check("platform", admin.post(t, "/console/platforms", url.Values{"csrf": {acsrf}, "once": {once}, "name": {long}, "slug": {"A B"}, "sector": {"nope"},
		"tags": {long}, "after_sales_phone": {"abc"}, "after_sales_email": {"not-mail"}}))
	check("platform edit", admin.post(t, "/console/platforms/"+s.platformID, url.Values{"csrf": {acsrf}, "name": {""}, "slug": {""}, "sector": {""},
		"after_sales_email": {"x@"}}))
	check("key", admin.post(t, "/console/platforms/"+s.platformID+"/keys", url.Values{"csrf": {acsrf}, "name": {long}}))
	check("key empty", admin.post(t, "/console/platforms/"+s.platformID+"/keys", url.Values{"csrf": {acsrf}, "name": {""}}))
	check("staff", admin.post(t, "/console/staff", url.Values{"csrf": {acsrf}, "role": {"admin"}, "email": {"bad"}, "password": {"1"}, "real_name": {""}}))
	check("staff dup", admin.post(t, "/console/staff", url.Values{"csrf": {acsrf}, "role": {"admin"}, "email": {"mod@example.com"}, "password": {"correct-horse-9"}, "real_name": {"重复"}}))
	check("notifications", admin.get(t, "/console/notifications?phone=abc"))
	check("queue cursor", mod.get(t, "/console/complaints?cursor=garbage"))
	check("queue status", mod.get(t, "/console/complaints?status=nope&flag=nope&channel=nope"))
	check("platforms cursor", admin.get(t, "/console/platforms?cursor=garbage&sector=nope"))
	mcsrf := mod.csrf(t, "/console/complaints/"+id)
	check("reject", mod.post(t, "/console/complaints/"+id+"/reject", url.Values{"csrf": {mcsrf}, "reason": {"other"}, "note": {long}}))
	check("reject bogus", mod.post(t, "/console/complaints/"+id+"/reject", url.Values{"csrf": {mcsrf}, "reason": {"bogus"}, "note": {""}}))
	ccsrf := consumer.csrf(t, "/me/complaints/"+id)
	check("withdraw", consumer.post(t, "/me/complaints/"+id+"/withdraw", url.Values{"csrf": {ccsrf}, "reason": {long}}))
	check("supplement", consumer.postMultipart(t, "/me/complaints/"+id+"/supplements", url.Values{"csrf": {ccsrf}, "text": {""}}, "", nil))
	check("supplement file", consumer.postMultipart(t, "/me/complaints/"+id+"/supplements", url.Values{"csrf": {ccsrf}, "text": {"x"}}, "a.exe", []byte("MZ\x90\x00")))
	f := s.filing(ccsrf)
	f.Set("amount", "-1")
	f.Set("order_no", long)
	f.Set("contact_phone", "123")
	f.Set("issue_type", "nope")
	f.Set("platform_id", "nope")
	check("filing", consumer.postMultipart(t, "/me/complaints/new", f, "", nil))
}

// Text that is not UTF-8, or holds NUL and other control characters, is refused beside its
// field (4xx) on every form, never a 500, and stores nothing.
func TestBrokenTextIsRefused(t *testing.T) {
	s, admin, mod := consoleAdmin(t)
	consumer := s.browser()
	consumer.register(t, "13900139221", "丑一")
	id := consumer.file(t, s, s.platformID, "TB221", "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝。")
	for _, bad := range []string{"坏\xff\xfe字符串测试内容", "含\x00空字符的内容测试一下", "表情😀\u202e反向文字测试内容"} {
		ccsrf := consumer.csrf(t, "/me/complaints/"+id)
		f := s.filing(ccsrf)
		f.Set("title", bad)
		f.Set("order_no", "TB9"+bad)
		if p := consumer.postMultipart(t, "/me/complaints/new", f, "", nil); p.code >= 500 {
			t.Errorf("filing %q: %d", bad, p.code)
		}
		if p := consumer.postMultipart(t, "/me/complaints/"+id+"/supplements", url.Values{"csrf": {ccsrf}, "text": {bad}}, "名"+bad+".png", pngBytes); p.code >= 500 {
			t.Errorf("supplement %q: %d", bad, p.code)
		}
		if p := consumer.post(t, "/me/complaints/"+id+"/withdraw", url.Values{"csrf": {ccsrf}, "reason": {bad}}); p.code >= 500 {
			t.Errorf("withdraw %q: %d", bad, p.code)
		}
		if p := mod.post(t, "/console/complaints/"+id+"/reject", url.Values{"csrf": {mod.csrf(t, "/console")}, "reason": {"other"}, "note": {bad}}); p.code >= 500 {
			t.Errorf("reject %q: %d", bad, p.code)
		}
		acsrf := admin.csrf(t, "/console")
		if p := admin.post(t, "/console/platforms", url.Values{"csrf": {acsrf}, "name": {bad}, "slug": {"bad-text"}, "sector": {"digital_retail"}, "tags": {bad}}); p.code >= 500 {
			t.Errorf("platform %q: %d", bad, p.code)
		}
		if p := admin.post(t, "/console/platforms/"+s.platformID+"/keys", url.Values{"csrf": {acsrf}, "name": {bad}}); p.code >= 500 {
			t.Errorf("key %q: %d", bad, p.code)
		}
		if p := admin.post(t, "/console/staff", url.Values{"csrf": {acsrf}, "role": {"moderator"}, "email": {"bad@example.com"}, "real_name": {bad}, "password": {"correct-horse-9"}}); p.code >= 500 {
			t.Errorf("staff %q: %d", bad, p.code)
		}
		for _, g := range []string{"/console/complaints?flag=", "/console/complaints?channel=", "/console/complaints?status=", "/console/notifications?phone=", "/console/platforms?q=", "/console/complaints?cursor="} {
			if p := admin.get(t, g+url.QueryEscape(bad)); p.code >= 500 {
				t.Errorf("GET %s%q: %d", g, bad, p.code)
			}
		}
		b := s.browser()
		if p := b.post(t, "/register", url.Values{"csrf": {b.csrf(t, "/register")}, "role": {"consumer"}, "phone": {"13900139229"}, "password": {"correct-horse-9"}, "real_name": {bad}}); p.code >= 500 {
			t.Errorf("register %q: %d", bad, p.code)
		}
		if p := b.post(t, "/login", url.Values{"csrf": {b.csrf(t, "/login")}, "account": {bad}, "password": {bad}}); p.code >= 500 {
			t.Errorf("login %q: %d", bad, p.code)
		}
	}
}

// A listing's refused query (a bad cursor or sector) is explained in Chinese, not with the
// service's English field messages.
func TestQueryErrorsInChinese(t *testing.T) {
	s, admin, _ := consoleAdmin(t)
	consumer := s.browser()
	consumer.register(t, "13900139251", "辰一")
	english := regexp.MustCompile(`[a-z]+ [a-z]+ [a-z]+`)
	for path, b := range map[string]*browser{"/console/platforms?sector=bogus": admin, "/console/platforms?cursor=garbage": admin,
		"/console/staff?cursor=garbage": admin, "/console/platforms/" + s.platformID + "?keys_cursor=garbage": admin,
		"/console/notifications?cursor=garbage": admin, "/me?cursor=garbage": consumer} {
		p := b.get(t, path)
		main := p.body[strings.Index(p.body, "<main"):]
		if m := english.FindString(main); m != "" {
			t.Errorf("%s (%d): %q", path, p.code, m)
		}
	}
}

// A refused notification-log query says what is wrong: a bad cursor is not a silent 422
// over an empty log.
func TestNotificationCursorExplained(t *testing.T) {
	_, admin, _ := consoleAdmin(t)
	p := admin.get(t, "/console/notifications?cursor=garbage")
	if p.code == http.StatusUnprocessableEntity && len(errorText.FindAllString(p.body, -1)) == 0 && !strings.Contains(p.body, "message-error") {
		t.Errorf("422 with no message: %s", p.body[strings.Index(p.body, "<main"):])
	}
}

var errorText = regexp.MustCompile(`<p class="(?:error|message message-error)" role="alert">([^<]*)</p>`)
