package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"

	"github.com/dianshubao/dianshubao/service"
)

// User-controlled text (platform name and tags, staff name, rejection note, supplement,
// filter values) is escaped on every page that shows it.
func TestTextIsEscaped(t *testing.T) {
	s, admin, mod := consoleAdmin(t)
	const x = `<img src=x onerror=alert(1)>`
	csrf, once := admin.tokens(t, "/console/platforms")
	if p := admin.post(t, "/console/platforms", url.Values{"csrf": {csrf}, "once": {once}, "name": {"坏" + x}, "slug": {"bad-xss"},
		"sector": {"digital_retail"}, "tags": {x}}); p.code != http.StatusSeeOther {
		t.Fatalf("platform: %d %s", p.code, p.body)
	}
	pl := platformBySlug(t, s, "bad-xss")
	csrf, once = admin.tokens(t, "/console/staff")
	if p := admin.post(t, "/console/staff", url.Values{"csrf": {csrf}, "once": {once}, "role": {"moderator"}, "email": {"x@example.com"},
		"real_name": {"员" + x}, "password": {"correct-horse-9"}}); p.code != http.StatusSeeOther {
		t.Fatalf("staff: %d %s", p.code, p.body)
	}
	consumer := s.browser()
	consumer.register(t, "13900139131", "丙"+x)
	form := s.filing(consumer.csrf(t, "/me/complaints/new"))
	form.Set("platform_id", pl.ID)
	form.Set("title", "标题"+x+"他妈的")
	form.Set("contact_name", "联系"+x)
	form.Set("description", "11月1日购买手机"+x+"商家至今未发货，客服还骂人说他妈的爱买不买"+x)
	if p := consumer.postMultipart(t, "/me/complaints/new", form, x+".png", pngBytes); p.code != http.StatusSeeOther {
		t.Fatalf("filing: %d %s", p.code, p.body)
	}
	id := complaintLink.FindStringSubmatch(consumer.get(t, "/me").body)[1]
	ccsrf := consumer.csrf(t, "/me/complaints/"+id)
	consumer.postMultipart(t, "/me/complaints/"+id+"/supplements", url.Values{"csrf": {ccsrf}, "text": {"补充" + x + "傻逼" + x}}, "", nil)
	mcsrf := mod.csrf(t, "/console/complaints/"+id)
	if p := mod.post(t, "/console/complaints/"+id+"/reject", url.Values{"csrf": {mcsrf}, "reason": {"abusive_content"}, "note": {"请修改" + x}}); p.code != http.StatusSeeOther {
		t.Fatalf("reject: %d %s", p.code, p.body)
	}
	pages := map[string]*browser{"/console/platforms": admin, "/console/platforms/" + pl.ID: admin, "/console/staff": admin,
		"/console/complaints?status=all": mod, "/console/complaints/" + id: mod, "/me": consumer, "/me/complaints/" + id: consumer,
		"/console/complaints?status=" + url.QueryEscape(`"><script>`) + "&limit=" + url.QueryEscape(`"><b>`): mod,
		"/console/notifications?phone=" + url.QueryEscape(`"><b>`):                                           admin, "/console/platforms?q=" + url.QueryEscape(`"><b>`) + "&sector=" + url.QueryEscape(`"><b>`): admin,
		"/console/staff?role=" + url.QueryEscape(`"><b>`): admin}
	for path, b := range pages {
		p := b.get(t, path)
		if strings.Contains(p.body, x) || strings.Contains(p.body, "<script") || strings.Contains(p.body, "<b>") {
			t.Errorf("%s (%d) renders markup from input", path, p.code)
		}
	}
	p := mod.get(t, "/console/complaints/"+id)
	mustContain(t, "review", p.body, `<mark class="hit">他妈的</mark>`, `<mark class="hit">傻逼</mark>&lt;img`)
}

// Saving a platform's edit form as shown changes nothing: a tag made through the API with a
// comma in it stays one tag.
func TestPlatformFormSavedAsShown(t *testing.T) {
	s, admin, _ := consoleAdmin(t)
	p, err := s.svc.Platforms.Create(t.Context(), service.CreatePlatformRequest{Name: "逗号网", Slug: "douhao", Sector: "digital_retail",
		Tags: []string{"3C,数码", "家电、厨卫"}, Onboarded: true})
	if err != nil {
		t.Fatal(err)
	}
	path := "/console/platforms/" + p.ID
	page := admin.get(t, path)
	form := url.Values{"csrf": {admin.csrf(t, path)}, "sector": {string(p.Sector)}, "onboarded": {"1"}, "name": {p.Name}}
	fields := append(inputValue.FindAllStringSubmatch(page.body, -1), textareaValue.FindAllStringSubmatch(page.body, -1)...)
	for _, m := range fields {
		if m[1] != "csrf" && m[1] != "once" && m[1] != "onboarded" && form.Get(m[1]) == "" {
			form.Set(m[1], html.UnescapeString(m[2]))
		}
	}
	if r := admin.post(t, path, form); r.code != http.StatusSeeOther {
		t.Fatalf("save as shown: %d %q %v", r.code, errorText.FindAllString(r.body, -1), form)
	}
	if got := platformBySlug(t, s, "douhao").Tags; len(got) != 2 || got[0] != "3C,数码" {
		t.Errorf("tags after saving the form unchanged: %q", got)
	}
}

// unlabelled are the form controls of body with no label: neither a <label for> naming their
// id nor an enclosing <label>, nor an aria-label.
func unlabelled(t *testing.T, body string) []string {
	doc, err := xhtml.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	fors := map[string]bool{}
	var controls []*xhtml.Node
	var inLabel = map[*xhtml.Node]bool{}
	var walk func(n *xhtml.Node, label bool)
	walk = func(n *xhtml.Node, label bool) {
		if n.Type == xhtml.ElementNode {
			switch n.Data {
			case "label":
				label = true
				fors[attr(n, "for")] = true
			case "input", "select", "textarea":
				if typ := attr(n, "type"); typ != "hidden" && typ != "submit" {
					controls = append(controls, n)
					inLabel[n] = label
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, label)
		}
	}
	walk(doc, false)
	var out []string
	for _, n := range controls {
		if !inLabel[n] && !fors[attr(n, "id")] && attr(n, "aria-label") == "" {
			out = append(out, n.Data+" name="+attr(n, "name"))
		}
	}
	return out
}

// Every page of the console and of /me, in the states a person meets, has one h1, no heading
// level skipped and a label on every field.
func TestPagesWellFormed(t *testing.T) {
	s, admin, mod := consoleAdmin(t)
	consumer := s.browser()
	consumer.register(t, "13900139191", "壬一")
	id := consumer.file(t, s, s.platformID, "TB191", "11月1日在该平台购买手机一部，商家至今未发货，客服还骂人说他妈的爱买不买。")
	ccsrf := consumer.csrf(t, "/me/complaints/"+id)
	consumer.postMultipart(t, "/me/complaints/"+id+"/supplements", url.Values{"csrf": {ccsrf}, "text": {"补充"}}, "a.png", pngBytes)
	mcsrf := mod.csrf(t, "/console/complaints/"+id)
	pages := map[string]page{}
	pages["reject refused"] = mod.post(t, "/console/complaints/"+id+"/reject", url.Values{"csrf": {mcsrf}, "reason": {""}})
	pages["review pending"] = mod.get(t, "/console/complaints/"+id)
	mod.post(t, "/console/complaints/"+id+"/reject", url.Values{"csrf": {mcsrf}, "reason": {"abusive_content"}, "note": {"请修改"}})
	pages["review rejected"] = mod.get(t, "/console/complaints/"+id)
	pages["me rejected"] = consumer.get(t, "/me/complaints/"+id)
	pages["me supplement refused"] = consumer.postMultipart(t, "/me/complaints/"+id+"/supplements", url.Values{"csrf": {ccsrf}, "text": {""}}, "", nil)
	pages["me list"] = consumer.get(t, "/me")
	pages["me new"] = consumer.get(t, "/me/complaints/new")
	pages["queue"] = mod.get(t, "/console/complaints?status=all")
	pages["queue 422"] = mod.get(t, "/console/complaints?limit=0")
	pages["console"] = mod.get(t, "/console")
	acsrf := admin.csrf(t, "/console/platforms")
	pages["key 201"] = admin.post(t, "/console/platforms/"+s.platformID+"/keys", url.Values{"csrf": {acsrf}, "name": {"新密钥"}})
	pages["key 422"] = admin.post(t, "/console/platforms/"+s.platformID+"/keys", url.Values{"csrf": {acsrf}, "name": {""}})
	pages["platforms"] = admin.get(t, "/console/platforms")
	pages["platforms 422"] = admin.post(t, "/console/platforms", url.Values{"csrf": {acsrf}, "name": {""}})
	pages["platform"] = admin.get(t, "/console/platforms/"+s.platformID)
	pages["platform 422"] = admin.post(t, "/console/platforms/"+s.platformID, url.Values{"csrf": {acsrf}, "name": {""}})
	pages["staff"] = admin.get(t, "/console/staff")
	pages["staff 422"] = admin.post(t, "/console/staff", url.Values{"csrf": {acsrf}, "role": {""}})
	pages["staff self 403"] = admin.post(t, "/console/staff/"+staffUser(t, s, "admin", "admin@example.com").ID+"/disable?role=admin", url.Values{"csrf": {acsrf}})
	pages["notifications"] = admin.get(t, "/console/notifications")
	pages["notifications 422"] = admin.get(t, "/console/notifications?phone=abc")
	pages["login"] = s.browser().get(t, "/login")
	pages["register"] = s.browser().get(t, "/register")
	for name, p := range pages {
		checkHTML(t, name, p)
		if u := unlabelled(t, p.body); len(u) > 0 {
			t.Errorf("%s (%d): fields without a label: %v", name, p.code, u)
		}
	}
}

// The marks follow the texts: a hit in the second supplement is marked there and not in the
// first; after a correction replaced the description, the old hit marks nothing in the new text.
func TestHighlightFollowsText(t *testing.T) {
	s := newAccountSite(t, false)
	consumer := s.browser()
	consumer.register(t, "13900139211", "子一")
	id := consumer.file(t, s, s.platformID, "TB211", abusiveDescription)
	path := "/me/complaints/" + id
	for _, text := range []string{"第一条补充：快递单号 SF1234567", "第二条补充：客服说傻逼才退款"} {
		if p := consumer.postMultipart(t, path+"/supplements", url.Values{"csrf": {consumer.csrf(t, path)}, "text": {text}}, "", nil); p.code != http.StatusSeeOther {
			t.Fatalf("supplement: %d", p.code)
		}
	}
	_, mod := s.moderator(t)
	p := mod.get(t, "/console/complaints/"+id)
	mustContain(t, "review", p.body, "第二条补充：客服说<mark class=\"hit\">傻逼</mark>才退款", "第一条补充：快递单号 SF1234567<", "出现在第 2 条补充说明")
	if p := mod.post(t, "/console/complaints/"+id+"/reject", url.Values{"csrf": {mod.csrf(t, "/console/complaints/"+id)},
		"reason": {"abusive_content"}, "note": {"请删除不文明用语"}}); p.code != http.StatusSeeOther {
		t.Fatalf("reject: %d", p.code)
	}
	clean := "11月1日购买手机一部，商家至今未发货，申请退款被拒绝，请平台督促商家退款处理谢谢。"
	if p := consumer.postMultipart(t, path+"/supplements", url.Values{"csrf": {consumer.csrf(t, path)}, "text": {"已修改"}, "description": {clean}}, "", nil); p.code != http.StatusSeeOther {
		t.Fatalf("correction: %d %q", p.code, errorText.FindAllString(p.body, -1))
	}
	v := adminView(t, s, id)
	p = mod.get(t, "/console/complaints/"+id)
	i := strings.Index(p.body, "<h2>投诉内容</h2>")
	j := strings.Index(p.body, "<h2>筛查命中</h2>")
	if i < 0 || j < 0 {
		t.Fatalf("sections missing")
	}
	if desc := p.body[i:j]; strings.Contains(desc, "<mark") || !strings.Contains(desc, clean) {
		t.Errorf("status %s; the corrected description is shown as %s", v.Status, desc)
	}
}

var (
	inputValue    = regexp.MustCompile(`<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"`)
	textareaValue = regexp.MustCompile(`<textarea[^>]*name="([a-z_]+)"[^>]*>([^<]*)</textarea>`)
)
