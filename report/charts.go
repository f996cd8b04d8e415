package report

import (
	"bytes"
	"fmt"
	"image/color"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/dianshubao/dianshubao/models"
)

// Chart names one of a report's charts.
type Chart string

// The charts of a report, in the order the PDF shows them.
const (
	ChartSectors    Chart = "sectors"     // complaints by sector (bar)
	ChartIssueTypes Chart = "issue_types" // complaints by issue type (bar)
	ChartReplyRates Chart = "reply_rates" // platforms by reply rate (histogram)
	ChartTrend      Chart = "trend"       // the last periods of the type (lines)
	ChartGrades     Chart = "grades"      // the rating list's grades by sector (stacked bars)
)

// Charts lists every chart.
var Charts = []Chart{ChartSectors, ChartIssueTypes, ChartReplyRates, ChartTrend, ChartGrades}

// ChartTitles are the charts' captions.
var ChartTitles = map[Chart]string{
	ChartSectors:    "各领域投诉量（送达平台）",
	ChartIssueTypes: "投诉问题类型分布（已受理）",
	ChartReplyRates: "平台回复率分布（平台数）",
	ChartTrend:      "投诉量趋势",
	ChartGrades:     "各领域评级分布（平台数）",
}

// ChartWidth and ChartHeight are a chart's size in pixels (at ChartDPI).
const (
	ChartWidth  = 1200
	ChartHeight = 675
	ChartDPI    = 150
)

// Valid reports whether c is a known chart.
func (c Chart) Valid() bool { _, ok := ChartTitles[c]; return ok }

// The greys of the charts: far enough apart in lightness to tell apart in print, each filled
// shape outlined in black.
var greys = []color.Gray{{Y: 0x30}, {Y: 0x78}, {Y: 0xb4}, {Y: 0xf0}}

// ChartPNG draws one chart of r as a PNG image of ChartWidth × ChartHeight pixels.
func ChartPNG(r *models.Report, c Chart) ([]byte, error) {
	if err := loadFont(); err != nil {
		return nil, err
	}
	var p *plot.Plot
	var err error
	switch c {
	case ChartSectors:
		p, err = sectorsChart(r)
	case ChartIssueTypes:
		p, err = countsChart(r.ByIssueType, "投诉量（件）")
	case ChartReplyRates:
		p, err = replyRatesChart(r)
	case ChartTrend:
		p, err = trendChart(r)
	case ChartGrades:
		p, err = gradesChart(r)
	default:
		return nil, fmt.Errorf("report: no chart %q", c)
	}
	if err != nil {
		return nil, err
	}
	p.Title.Text = ChartTitles[c]
	style(p)
	const inch = vg.Inch
	canvas := vgimg.NewWith(vgimg.UseWH(vg.Length(ChartWidth)*inch/ChartDPI, vg.Length(ChartHeight)*inch/ChartDPI),
		vgimg.UseDPI(ChartDPI), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(canvas))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: canvas}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// style sets the embedded font on every text of the plot.
func style(p *plot.Plot) {
	p.TextHandler = mixedText{}
	p.Title.TextStyle.Font, p.Title.TextStyle.Handler = chartFont(13), mixedText{}
	p.Title.Padding = vg.Points(6)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font, ax.Label.TextStyle.Handler = chartFont(10), mixedText{}
		ax.Tick.Label.Font, ax.Tick.Label.Handler = chartFont(9), mixedText{}
	}
	p.Legend.TextStyle.Font, p.Legend.TextStyle.Handler = chartFont(9), mixedText{}
}

// labels writes each value beside its bar: right of a horizontal bar, above a vertical one.
func labels(xys plotter.XYs, texts []string, horizontal bool) (*plotter.Labels, error) {
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font, l.TextStyle[i].Handler = chartFont(9), mixedText{}
		if horizontal {
			l.TextStyle[i].YAlign = draw.YCenter
		} else {
			l.TextStyle[i].XAlign = draw.XCenter
		}
	}
	if horizontal {
		l.Offset = vg.Point{X: vg.Points(4)}
	} else {
		l.Offset = vg.Point{Y: vg.Points(3)}
	}
	return l, nil
}

// hbars is a horizontal bar chart of labelled values, the first value at the top.
func hbars(names []string, values []float64, texts []string, axis string) (*plot.Plot, error) {
	p := plot.New()
	n := len(values)
	if n == 0 {
		names, values, texts, n = []string{"（无数据）"}, []float64{0}, []string{""}, 1
	}
	// Bars are drawn from y = 0 upwards: reverse so that the list reads top down.
	vs := make(plotter.Values, n)
	rev := make([]string, n)
	xys := make(plotter.XYs, n)
	revTexts := make([]string, n)
	top := 0.0
	for i := range n {
		j := n - 1 - i
		vs[i], rev[i], revTexts[i] = values[j], names[j], texts[j]
		xys[i] = plotter.XY{X: values[j], Y: float64(i)}
		top = max(top, values[j])
	}
	bars, err := plotter.NewBarChart(vs, vg.Points(min(28, 260/float64(n))))
	if err != nil {
		return nil, err
	}
	bars.Horizontal, bars.Color, bars.LineStyle.Width = true, greys[1], vg.Points(0.8)
	l, err := labels(xys, revTexts, true)
	if err != nil {
		return nil, err
	}
	p.Add(bars, l)
	p.NominalY(rev...)
	p.X.Label.Text = axis
	p.X.Min = 0
	// Room on the right for the numbers.
	p.X.Max = max(1, top*1.18)
	return p, nil
}

func countsChart(counts []models.ReportCount, axis string) (*plot.Plot, error) {
	names, values, texts := make([]string, len(counts)), make([]float64, len(counts)), make([]string, len(counts))
	for i, c := range counts {
		names[i], values[i], texts[i] = c.Label, float64(c.Count), strconv.FormatInt(c.Count, 10)
	}
	return hbars(names, values, texts, axis)
}

func sectorsChart(r *models.Report) (*plot.Plot, error) {
	names, values, texts := make([]string, len(r.BySector)), make([]float64, len(r.BySector)), make([]string, len(r.BySector))
	for i, s := range r.BySector {
		names[i], values[i] = s.Label, float64(s.Delivered)
		texts[i] = fmt.Sprintf("%d（回复率 %.1f%%）", s.Delivered, s.ReplyRate*100)
	}
	return hbars(names, values, texts, "投诉量（件）")
}

func replyRatesChart(r *models.Report) (*plot.Plot, error) {
	p := plot.New()
	bins := make([]plotter.HistogramBin, len(r.ReplyRateDistribution))
	xys := make(plotter.XYs, len(bins))
	texts := make([]string, len(bins))
	top := 0.0
	for i, b := range r.ReplyRateDistribution {
		bins[i] = plotter.HistogramBin{Min: b.From * 100, Max: b.To * 100, Weight: float64(b.Count)}
		xys[i] = plotter.XY{X: (b.From + b.To) * 50, Y: float64(b.Count)}
		texts[i] = strconv.FormatInt(b.Count, 10)
		top = max(top, float64(b.Count))
	}
	h := &plotter.Histogram{Bins: bins, Width: 10, FillColor: greys[1], LineStyle: plotter.DefaultLineStyle}
	l, err := labels(xys, texts, false)
	if err != nil {
		return nil, err
	}
	p.Add(h, l)
	p.X.Label.Text, p.Y.Label.Text = "回复率（%）", "平台数（家）"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 100, 0, max(1, top*1.15)
	return p, nil
}

// trendChart draws the trend's counts as lines told apart by their dashes and markers.
func trendChart(r *models.Report) (*plot.Plot, error) {
	p := plot.New()
	series := []struct {
		name   string
		value  func(models.ReportSummary) int64
		shape  draw.GlyphDrawer
		dashes []vg.Length
	}{
		{"收到投诉", func(s models.ReportSummary) int64 { return s.Received }, draw.CircleGlyph{}, nil},
		{"受理", func(s models.ReportSummary) int64 { return s.Accepted }, draw.TriangleGlyph{}, []vg.Length{vg.Points(6), vg.Points(3)}},
		{"送达平台", func(s models.ReportSummary) int64 { return s.Delivered }, draw.BoxGlyph{}, []vg.Length{vg.Points(2), vg.Points(2)}},
		{"平台回复", func(s models.ReportSummary) int64 { return s.Replied }, draw.CrossGlyph{}, []vg.Length{vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)}},
	}
	names := make([]string, len(r.Trend))
	top := 0.0
	for i, s := range r.Trend {
		names[i] = s.PeriodLabel
		top = max(top, float64(s.Received))
	}
	for k, sr := range series {
		xys := make(plotter.XYs, len(r.Trend))
		for i, s := range r.Trend {
			xys[i] = plotter.XY{X: float64(i), Y: float64(sr.value(s))}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		line.LineStyle.Width, line.LineStyle.Dashes, line.LineStyle.Color = vg.Points(1.2), sr.dashes, color.Gray{Y: uint8(0x20 * k)}
		points.GlyphStyle.Shape, points.GlyphStyle.Radius, points.GlyphStyle.Color = sr.shape, vg.Points(3.5), color.Black
		p.Add(line, points)
		p.Legend.Add(sr.name, line, points)
		if k == 0 {
			texts := make([]string, len(xys))
			for i, xy := range xys {
				texts[i] = strconv.FormatInt(int64(xy.Y), 10)
			}
			l, err := labels(xys, texts, false)
			if err != nil {
				return nil, err
			}
			l.Offset.Y = vg.Points(6)
			p.Add(l)
		}
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	p.Y.Label.Text = "件"
	p.Y.Min, p.Y.Max = 0, max(1, top*1.2)
	p.Legend.Top, p.Legend.Left = true, true
	return p, nil
}

// gradesChart stacks each sector's platforms by grade, one grey per grade, with the sector's
// total beside its bar.
func gradesChart(r *models.Report) (*plot.Plot, error) {
	n := len(r.BySector)
	if n == 0 {
		return hbars(nil, nil, nil, "平台数（家）")
	}
	p := plot.New()
	var below *plotter.BarChart
	totals := make([]float64, n)
	for g, grade := range models.Grades {
		vs := make(plotter.Values, n)
		for i := range n {
			s := r.BySector[n-1-i]
			for _, c := range s.Grades {
				if c.Code == grade {
					vs[i] = float64(c.Count)
				}
			}
			totals[i] += vs[i]
		}
		bars, err := plotter.NewBarChart(vs, vg.Points(22))
		if err != nil {
			return nil, err
		}
		bars.Horizontal, bars.Color, bars.LineStyle.Width = true, greys[g], vg.Points(0.8)
		if below != nil {
			bars.StackOn(below)
		}
		below = bars
		p.Add(bars)
		p.Legend.Add(models.GradeLabels[grade], bars)
	}
	names := make([]string, n)
	xys := make(plotter.XYs, n)
	texts := make([]string, n)
	top := 0.0
	for i := range n {
		names[i] = r.BySector[n-1-i].Label
		xys[i] = plotter.XY{X: totals[i], Y: float64(i)}
		texts[i] = strconv.Itoa(int(totals[i]))
		top = max(top, totals[i])
	}
	l, err := labels(xys, texts, true)
	if err != nil {
		return nil, err
	}
	p.Add(l)
	p.NominalY(names...)
	p.X.Label.Text = "平台数（家）"
	p.X.Min, p.X.Max = 0, max(1, top*1.25)
	p.Legend.Top = true
	return p, nil
}
