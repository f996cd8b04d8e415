package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// The complainant's forms of a complaint run once when sent twice with their token: a
// supplement is added once, a rating given once, a withdrawal made once (the second is led
// where the first went, not refused as a change of state).
func TestComplaintFormsTwice(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139141", "丁一")
	id := b.file(t, s, s.platformID, "TB141", "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝。")
	path := "/me/complaints/" + id
	csrf, once := b.tokens(t, path)
	sup := url.Values{"csrf": {csrf}, "once": {once}, "text": {"补充：快递单号 SF123"}}
	first, second := b.postMultipart(t, path+"/supplements", sup, "", nil), b.postMultipart(t, path+"/supplements", sup, "", nil)
	if first.code != http.StatusSeeOther || second.code != http.StatusSeeOther || len(adminView(t, s, id).Supplements) != 1 {
		t.Errorf("supplement twice: %d %d, %d supplements", first.code, second.code, len(adminView(t, s, id).Supplements))
	}
	// Supplement with a file, twice: one evidence file stored.
	csrf, once = b.tokens(t, path)
	sup = url.Values{"csrf": {csrf}, "once": {once}, "text": {"补充：截图"}}
	b.postMultipart(t, path+"/supplements", sup, "a.png", pngBytes)
	b.postMultipart(t, path+"/supplements", sup, "a.png", pngBytes)
	if n := len(adminView(t, s, id).Supplements); n != 2 {
		t.Errorf("supplement with a file twice: %d supplements", n)
	}

	ctx := t.Context()
	admin := &models.Principal{Kind: models.PrincipalPerson, UserID: models.NewID(), Role: models.RoleAdmin}
	if _, err := s.svc.Complaints.Accept(ctx, admin, id); err != nil {
		t.Fatal(err)
	}
	plat := &models.Principal{Kind: models.PrincipalPlatform, PlatformID: s.platformID}
	if _, err := s.svc.Complaints.Reply(ctx, plat, id, service.ReplyRequest{Content: "已退款。"}); err != nil {
		t.Fatal(err)
	}
	csrf, once = b.tokens(t, path)
	// A refused rating (score 11) keeps the token usable.
	if p := b.post(t, path+"/rating", url.Values{"csrf": {csrf}, "once": {once}, "score": {"11"}}); p.code != http.StatusUnprocessableEntity {
		t.Fatalf("score 11: %d", p.code)
	}
	rate := url.Values{"csrf": {csrf}, "once": {once}, "score": {"9"}}
	b.twice(t, path+"/rating", rate, http.StatusSeeOther)
	if v := adminView(t, s, id); v.Rating == nil || v.Rating.Score != 9 {
		t.Fatalf("rating: %+v", v.Rating)
	}
}

// A refused reject (no reason) records nothing: the same form corrected with the same token
// rejects. A second moderator's use of the first one's token is theirs: it is refused as a
// change already made, not led to the first one's answer.
func TestRejectRefusedThenCorrected(t *testing.T) {
	s := newAccountSite(t, false)
	consumer := s.browser()
	consumer.register(t, "13900139151", "戊一")
	id := consumer.file(t, s, s.platformID, "TB151", "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝。")
	_, mod := s.moderator(t)
	path := "/console/complaints/" + id
	csrf, once := mod.tokens(t, path)
	if p := mod.post(t, path+"/reject", url.Values{"csrf": {csrf}, "once": {once}, "reason": {""}, "note": {"缺订单"}}); p.code != http.StatusUnprocessableEntity {
		t.Fatalf("no reason: %d", p.code)
	}
	mod.twice(t, path+"/reject", url.Values{"csrf": {csrf}, "once": {once}, "reason": {"missing_information"}, "note": {"请补充订单截图"}}, http.StatusSeeOther)
	v := adminView(t, s, id)
	if v.Status != string(models.StatusRejected) || v.Rejection == nil || v.Rejection.Note != "请补充订单截图" {
		t.Fatalf("rejected: %s %+v", v.Status, v.Rejection)
	}
	// What the complainant reads names no staff member.
	for _, p := range []string{"/me", "/me/complaints/" + id} {
		body := consumer.get(t, p).body
		for _, w := range []string{"审核员甲", "mod@example.com"} {
			if strings.Contains(body, w) {
				t.Errorf("%s shows %s", p, w)
			}
		}
	}
}

// A filing the service refuses stores nothing: not its evidence file either.
func TestRefusedFilingStoresNoEvidence(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139161", "己一")
	count := func() int64 {
		var n int64
		if err := s.st.DB().Model(&models.Evidence{}).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	for range 3 {
		form := s.filing(b.csrf(t, "/me/complaints/new"))
		form.Set("title", "")
		if p := b.postMultipart(t, "/me/complaints/new", form, "图.png", pngBytes); p.code != http.StatusUnprocessableEntity {
			t.Fatalf("refused filing: %d", p.code)
		}
	}
	if n := count(); n != before {
		t.Errorf("three refused filings stored %d evidence files", n-before)
	}
}

// at once posts form to path n times concurrently with b's cookies and returns the answers.
func (b *browser) atOnce(t *testing.T, path string, form url.Values, n int) []page {
	t.Helper()
	out := make([]page, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, c := range b.cookies {
				r.AddCookie(c)
			}
			w := httptest.NewRecorder()
			b.s.h.ServeHTTP(w, r)
			out[i] = page{code: w.Code, header: w.Header(), body: w.Body.String()}
		}(i)
	}
	wg.Wait()
	return out
}

// A double click on the console's forms whose requests run at once decides once and leads
// every click to the first one's page: accept, reject, an API key, a staff account.
func TestConsoleDoubleClick(t *testing.T) {
	s, admin, mod := consoleAdmin(t)
	consumer := s.browser()
	consumer.register(t, "13900139201", "癸一")
	a := consumer.file(t, s, s.platformID, "TB201", "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝。")
	r := consumer.file(t, s, s.platformID, "TB202", "11月2日在该平台购买电脑一台，商家至今未发货，申请退款被拒绝。")
	csrf, once := mod.tokens(t, "/console/complaints/"+a)
	for i, p := range mod.atOnce(t, "/console/complaints/"+a+"/accept", url.Values{"csrf": {csrf}, "once": {once}}, 4) {
		if p.code != http.StatusSeeOther || p.header.Get("Location") != "/console/complaints?done="+a {
			t.Errorf("accept click %d: %d %s", i, p.code, p.header.Get("Location"))
		}
	}
	csrf, once = mod.tokens(t, "/console/complaints/"+r)
	for i, p := range mod.atOnce(t, "/console/complaints/"+r+"/reject", url.Values{"csrf": {csrf}, "once": {once}, "reason": {"other"}, "note": {"不属于受理范围"}}, 4) {
		if p.code != http.StatusSeeOther {
			t.Errorf("reject click %d: %d", i, p.code)
		}
	}
	path := "/console/platforms/" + s.platformID
	csrf, once = admin.tokens(t, path)
	before, _, _ := s.svc.Platforms.ListAPIKeys(t.Context(), s.platformID, models.Page{Limit: 100})
	created := 0
	for i, p := range admin.atOnce(t, path+"/keys", url.Values{"csrf": {csrf}, "once": {once}, "name": {"并发"}}, 4) {
		switch {
		case p.code == http.StatusCreated:
			created++
		case p.code != http.StatusSeeOther:
			t.Errorf("key click %d: %d", i, p.code)
		}
	}
	after, _, _ := s.svc.Platforms.ListAPIKeys(t.Context(), s.platformID, models.Page{Limit: 100})
	if created != 1 || len(after) != len(before)+1 {
		t.Errorf("a double click on the key form: %d answers with a key, %d keys made", created, len(after)-len(before))
	}
	csrf, once = admin.tokens(t, "/console/staff")
	for i, p := range admin.atOnce(t, "/console/staff", url.Values{"csrf": {csrf}, "once": {once}, "role": {"moderator"}, "email": {"twice@example.com"},
		"real_name": {"并发"}, "password": {"correct-horse-9"}}, 4) {
		if p.code != http.StatusSeeOther {
			t.Errorf("staff click %d: %d", i, p.code)
		}
	}
}

// A double click on the supplement form with a file, whose requests run at once, adds one
// supplement and stores one file.
func TestSupplementDoubleClickStoresOneFile(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139261", "巳一")
	id := b.file(t, s, s.platformID, "TB261", "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝。")
	path := "/me/complaints/" + id
	csrf, once := b.tokens(t, path)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"csrf": csrf, "once": once, "text": "补充截图"} {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("evidence", "a.png")
	_, _ = fw.Write(pngBytes)
	_ = mw.Close()
	body := buf.Bytes()
	count := func() int64 {
		var n int64
		s.st.DB().Model(&models.Evidence{}).Count(&n)
		return n
	}
	before := count()
	var wg sync.WaitGroup
	codes := make([]int, 4)
	for i := range codes {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := httptest.NewRequest(http.MethodPost, path+"/supplements", bytes.NewReader(body))
			r.Header.Set("Content-Type", mw.FormDataContentType())
			for _, c := range b.cookies {
				r.AddCookie(c)
			}
			w := httptest.NewRecorder()
			s.h.ServeHTTP(w, r)
			codes[i] = w.Code
		}(i)
	}
	wg.Wait()
	if n := len(adminView(t, s, id).Supplements); n != 1 {
		t.Errorf("%d supplements (answers %v)", n, codes)
	}
	if n := count() - before; n != 1 {
		t.Errorf("a double click stored %d files (answers %v)", n, codes)
	}
}
