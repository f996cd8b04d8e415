package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// chartPoint is one period of a line chart; a nil value is a gap (no complaints, or unrated).
type chartPoint struct {
	Label string
	Value *float64
}

// Chart geometry, in SVG user units.
const (
	chartW, chartH         = 640, 260
	chartLeft, chartRight  = 48, 16
	chartTop, chartBottom  = 16, 40
	chartPlotW, chartPlotH = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
)

// lineChart draws the composite index over periods (oldest first) as inline SVG, on a 0–1
// scale with the grade thresholds 0.4 and 0.75 marked. It needs no script: the figures are
// also in the page's table, and the SVG carries a text alternative.
func lineChart(title, summary string, points []chartPoint) template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title><desc id="chart-desc">%s</desc>`, html.EscapeString(title), html.EscapeString(summary))
	y := func(v float64) float64 { return chartTop + (1-v)*chartPlotH }
	x := func(i int) float64 {
		if len(points) < 2 {
			return chartLeft + chartPlotW/2
		}
		return chartLeft + float64(i)*chartPlotW/float64(len(points)-1)
	}
	for _, g := range []struct {
		v     float64
		label string
		class string
	}{{0, "0", "axis"}, {0.4, "0.40", "threshold"}, {0.75, "0.75", "threshold"}, {1, "1.00", "grid"}} {
		fmt.Fprintf(&b, `<line class="%s" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, g.class, chartLeft, chartW-chartRight, y(g.v), y(g.v))
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%.1f" text-anchor="end">%s</text>`, chartLeft-6, y(g.v)+4, g.label)
	}
	for i, p := range points {
		if i%2 == len(points)%2 || len(points) <= 6 {
			fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x(i), chartH-chartBottom+18, html.EscapeString(p.Label))
		}
	}
	// One polyline per run of consecutive values.
	var run []string
	flush := func() {
		if len(run) > 1 {
			fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.Join(run, " "))
		}
		run = run[:0]
	}
	for i, p := range points {
		if p.Value == nil {
			flush()
			continue
		}
		run = append(run, fmt.Sprintf("%.1f,%.1f", x(i), y(*p.Value)))
	}
	flush()
	for i, p := range points {
		if p.Value != nil {
			fmt.Fprintf(&b, `<circle class="dot" cx="%.1f" cy="%.1f" r="4"><title>%s：%.4f</title></circle>`, x(i), y(*p.Value), html.EscapeString(p.Label), *p.Value)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
