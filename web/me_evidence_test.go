package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var evidenceLink = regexp.MustCompile(`href="(/me/evidence/[0-9a-f]+)"`)

// fileWithImage files the site's standard complaint with one image and returns its page's path.
func (b *browser) fileWithImage(t *testing.T, s *accountSite) string {
	t.Helper()
	p := b.postMultipart(t, "/me/complaints/new", s.filing(b.csrf(t, "/me/complaints/new")), "订单截图.png", pngBytes)
	if p.code != http.StatusSeeOther {
		t.Fatalf("filing: %d %s", p.code, p.body)
	}
	m := regexp.MustCompile(`href="(/me/complaints/[0-9a-f]+)"`).FindStringSubmatch(b.get(t, "/me").body)
	if m == nil {
		t.Fatal("the list links no complaint")
	}
	return m[1]
}

// The complainant downloads their own evidence with the session, as an attachment that is
// never sniffed; another complainant's session gets the 404 page.
func TestMeEvidenceDownload(t *testing.T) {
	s := newAccountSite(t, false)
	a := s.browser()
	a.register(t, "13900139031", "吴一")
	path := a.fileWithImage(t, s)
	m := evidenceLink.FindStringSubmatch(a.get(t, path).body)
	if m == nil {
		t.Fatal("the complaint's page links no evidence")
	}
	got := a.get(t, m[1])
	if got.code != http.StatusOK || got.body != string(pngBytes) {
		t.Fatalf("own evidence: %d %d bytes", got.code, len(got.body))
	}
	for k, want := range map[string]string{"Content-Type": "image/png", "X-Content-Type-Options": "nosniff",
		"Content-Security-Policy": "default-src 'none'; sandbox"} {
		if got.header.Get(k) != want {
			t.Errorf("%s: %q", k, got.header.Get(k))
		}
	}
	if cd := got.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("Content-Disposition: %q", cd)
	}
	o := s.browser()
	o.register(t, "13900139032", "吴二")
	if p := o.get(t, m[1]); p.code != http.StatusNotFound || strings.Contains(p.body, "PNG") {
		t.Fatalf("another's evidence: %d", p.code)
	}
	if p := s.browser().get(t, m[1]); p.code != http.StatusSeeOther {
		t.Fatalf("evidence without a session: %d", p.code)
	}
}

// A supplement may carry a file; it is listed with the supplement and downloadable. A file of
// a type the service refuses is a message beside the file field, not an error page, and the
// supplement is not stored.
func TestSupplementWithFile(t *testing.T) {
	s := newAccountSite(t, false)
	a := s.browser()
	a.register(t, "13900139033", "吴三")
	path := a.fileWithImage(t, s)
	csrf := a.csrf(t, path)
	p := a.postMultipart(t, path+"/supplements", url.Values{"csrf": {csrf}, "text": {"补充：附上与客服的聊天记录。"}}, "聊天记录.png", pngBytes)
	if p.code != http.StatusSeeOther {
		t.Fatalf("supplement with a file: %d %s", p.code, p.body)
	}
	page := a.get(t, path)
	mustContain(t, path, page.body, "补充：附上与客服的聊天记录。", "聊天记录.png")
	links := evidenceLink.FindAllStringSubmatch(page.body, -1)
	if len(links) != 2 {
		t.Fatalf("evidence links: %v", links)
	}
	if got := a.get(t, links[1][1]); got.code != http.StatusOK || got.body != string(pngBytes) {
		t.Fatalf("the supplement's file: %d", got.code)
	}

	p = a.postMultipart(t, path+"/supplements", url.Values{"csrf": {csrf}, "text": {"再补充一份说明文字。"}}, "说明.txt", []byte("plain text is not evidence"))
	if p.code != http.StatusUnprocessableEntity {
		t.Fatalf("a text file: %d", p.code)
	}
	mustContain(t, path, p.body, "文件类型不支持", `value="`+csrf+`"`, "再补充一份说明文字。")
	if strings.Count(a.get(t, path).body, "再补充一份说明文字。") != 0 {
		t.Fatal("the refused supplement was stored")
	}
	var n int64
	if err := s.st.DB().Table("supplements").Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("supplements: %d %v", n, err)
	}
}

// Someone else's complaint answers 404 to a supplement, and their file is never stored.
func TestSupplementToAnothersComplaintStoresNoFile(t *testing.T) {
	s := newAccountSite(t, false)
	a := s.browser()
	a.register(t, "13900139034", "吴四")
	path := a.fileWithImage(t, s)
	var before int64
	_ = s.st.DB().Table("evidence").Count(&before).Error
	o := s.browser()
	o.register(t, "13900139035", "吴五")
	p := o.postMultipart(t, path+"/supplements", url.Values{"csrf": {o.csrf(t, "/me")}, "text": {"别人的投诉"}}, "x.png", pngBytes)
	if p.code != http.StatusNotFound {
		t.Fatalf("a supplement to another's complaint: %d", p.code)
	}
	var after int64
	_ = s.st.DB().Table("evidence").Count(&after).Error
	if after != before {
		t.Fatalf("evidence rows: %d → %d", before, after)
	}
}
