package web

import (
	"testing"

	"github.com/dianshubao/dianshubao/service"
)

func TestHighlight(t *testing.T) {
	hit := func(field string, start, end int) service.ScreeningHitView {
		return service.ScreeningHitView{Field: field, Term: "x", Start: start, End: end}
	}
	for _, tc := range []struct {
		name, text string
		hits       []service.ScreeningHitView
		want       string
	}{
		{"no hit", "客服<态度>差", nil, "客服&lt;态度&gt;差"},
		{"multi-byte", "客服就是傻逼，不退款", []service.ScreeningHitView{hit("description", 4, 6)},
			`客服就是<mark class="hit">傻逼</mark>，不退款`},
		{"special characters around and inside", `a<b>&"傻'逼"`, []service.ScreeningHitView{hit("description", 6, 9)},
			`a&lt;b&gt;&amp;&#34;<mark class="hit">傻&#39;逼</mark>&#34;`},
		{"overlapping become one", "他妈的傻逼", []service.ScreeningHitView{hit("description", 2, 5), hit("description", 0, 3)},
			`<mark class="hit">他妈的傻逼</mark>`},
		{"contained", "他妈的傻逼", []service.ScreeningHitView{hit("description", 0, 5), hit("description", 1, 2)},
			`<mark class="hit">他妈的傻逼</mark>`},
		{"adjacent stay two", "他妈的傻逼", []service.ScreeningHitView{hit("description", 3, 5), hit("description", 0, 3)},
			`<mark class="hit">他妈的</mark><mark class="hit">傻逼</mark>`},
		{"other fields ignored", "傻逼", []service.ScreeningHitView{hit("title", 0, 2), hit("supplements[0].text", 0, 1)}, "傻逼"},
		{"out of range clipped", "傻逼", []service.ScreeningHitView{hit("description", 1, 9), hit("description", 5, 7), hit("description", -1, 0)},
			`傻<mark class="hit">逼</mark>`},
		{"at the end", "ab傻逼", []service.ScreeningHitView{hit("description", 2, 4)}, `ab<mark class="hit">傻逼</mark>`},
	} {
		if got := string(highlight(tc.text, "description", tc.hits)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
