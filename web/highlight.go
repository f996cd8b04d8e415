package web

import (
	"html/template"
	"sort"
	"strings"

	"github.com/dianshubao/dianshubao/service"
)

// highlight is text as HTML with each screening hit of field wrapped in <mark class="hit">.
// A hit's Start and End count characters (code points), so the text is cut by runes; each
// piece is escaped on its own, so a mark never splits an entity and nothing of the text is
// markup. Overlapping hits become one mark; adjacent ones stay two. Offsets outside the text
// (a hit computed on an older text) are clipped rather than trusted.
func highlight(text, field string, hits []service.ScreeningHitView) template.HTML {
	runes := []rune(text)
	type span struct{ start, end int }
	var spans []span
	for _, h := range hits {
		if h.Field != field {
			continue
		}
		start, end := max(h.Start, 0), min(h.End, len(runes))
		if start < end {
			spans = append(spans, span{start, end})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	merged := spans[:0]
	for _, sp := range spans {
		if n := len(merged); n > 0 && sp.start < merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, sp.end)
			continue
		}
		merged = append(merged, sp)
	}
	var b strings.Builder
	pos := 0
	for _, sp := range merged {
		b.WriteString(template.HTMLEscapeString(string(runes[pos:sp.start])))
		b.WriteString(`<mark class="hit">`)
		b.WriteString(template.HTMLEscapeString(string(runes[sp.start:sp.end])))
		b.WriteString(`</mark>`)
		pos = sp.end
	}
	b.WriteString(template.HTMLEscapeString(string(runes[pos:])))
	return template.HTML(b.String()) // #nosec G203 -- every piece of text above is escaped
}
