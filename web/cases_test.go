package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// TestCasePages: the case list shows the published cases, narrowed by platform or sector; a
// case's page shows its scrubbed texts, the platform's reply and the outcome; the platform's
// page and the home page link its cases; a case not published does not exist.
func TestCasePages(t *testing.T) {
	s := sharedSite(t)
	ctx := context.Background()
	all, _, err := s.svc.Cases.List(ctx, service.CaseListFilter{}, models.Page{Limit: 100})
	if err != nil || len(all) == 0 {
		t.Fatalf("cases %v %v", all, err)
	}
	p := s.get(t, "/cases")
	if p.code != http.StatusOK {
		t.Fatalf("/cases: %d", p.code)
	}
	checkHTML(t, "/cases", p)
	mustContain(t, "/cases", p.body, `type="application/atom+xml"`, `href="/api/v1/cases.atom"`)
	for _, k := range all {
		mustContain(t, "/cases", p.body, `href="/cases/`+k.ID+`"`, html.EscapeString(k.Title))
	}
	k := all[0]
	byPlatform := s.get(t, "/cases?platform="+url.QueryEscape(k.Platform.Slug))
	checkHTML(t, "/cases?platform=", byPlatform)
	for _, o := range all {
		if shown := strings.Contains(byPlatform.body, `href="/cases/`+o.ID+`"`); shown != (o.Platform.ID == k.Platform.ID) {
			t.Errorf("/cases?platform=%s: case of %s shown %v", k.Platform.Slug, o.Platform.Name, shown)
		}
	}
	bySector := s.get(t, "/cases?sector="+k.Sector)
	mustContain(t, "/cases?sector=", bySector.body, `href="/cases/`+k.ID+`"`, `<option value="`+k.Sector+`" selected>`)

	path := "/cases/" + k.ID
	cp := s.get(t, path)
	if cp.code != http.StatusOK {
		t.Fatalf("%s: %d", path, cp.code)
	}
	checkHTML(t, path, cp)
	mustContain(t, path, cp.body, "<h1>"+html.EscapeString(k.Title)+"</h1>", html.EscapeString(k.Body), html.EscapeString(k.PlatformReply),
		html.EscapeString(k.Outcome.StatusLabel), html.EscapeString(k.Platform.Name))

	plat := s.get(t, "/platforms/"+k.Platform.Slug)
	mustContain(t, "/platforms/"+k.Platform.Slug, plat.body, `href="/cases/`+k.ID+`"`)
	home := s.get(t, "/")
	mustContain(t, "/", home.body, `href="/cases/`+all[0].ID+`"`)

	for path, want := range map[string]int{"/cases/nope": 404, "/cases?platform=nope": 404, "/cases?sector=moon": 422} {
		if got := s.get(t, path); got.code != want {
			t.Errorf("%s: %d, want %d", path, got.code, want)
		}
	}
}
