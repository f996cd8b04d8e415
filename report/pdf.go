package report

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/dianshubao/dianshubao/models"
)

// The embedded fonts' names inside the PDF: the CJK font and the Latin one for what it lacks.
const (
	pdfFamily = "droid"
	pdfLatin  = "liberation"
)

// The page: A4 portrait, 15 mm margins.
const (
	pageMargin = 15.0
	pageWidth  = 210.0 - 2*pageMargin
	rowHeight  = 7.0
)

// PDF renders r as an A4 document: the figures as tables, every chart as an image. Text is set
// in the embedded font, of which the file holds only the glyphs it uses, with a ToUnicode map
// so that the text can be searched and extracted.
func PDF(r *models.Report) ([]byte, error) {
	charts := make(map[Chart][]byte, len(Charts))
	for _, c := range Charts {
		png, err := ChartPNG(r, c)
		if err != nil {
			return nil, err
		}
		charts[c] = png
	}
	d := fpdf.New("P", "mm", "A4", "")
	d.SetMargins(pageMargin, pageMargin, pageMargin)
	d.SetCatalogSort(true)
	d.SetAutoPageBreak(true, pageMargin+5)
	d.AddUTF8FontFromBytes(pdfFamily, "", fontTTF)
	d.AddUTF8FontFromBytes(pdfLatin, "", latinTTF)
	d.SetTitle(r.Title, true)
	d.SetAuthor("电诉宝", true)
	d.SetCreator("电诉宝", true)
	d.SetSubject(r.PeriodLabel+models.ReportKindLabels[models.ReportKind(r.Kind)], true)
	if at, err := time.Parse(time.RFC3339, r.GeneratedAt); err == nil {
		d.SetCreationDate(at)
		d.SetModificationDate(at)
	}
	w := &writer{d: d}
	d.SetFooterFunc(func() {
		d.SetY(-pageMargin)
		d.SetTextColor(90, 90, 90)
		w.size = 8
		w.cell(pageWidth, 5, r.Title+"  第 "+strconv.Itoa(d.PageNo())+" 页", "", 0, "C", false)
		d.SetTextColor(0, 0, 0)
	})
	w.cover(r)
	w.overview(r)
	w.sectors(r, charts)
	w.issues(r, charts)
	w.platforms(r, charts)
	w.trend(r, charts)
	w.links(r)
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		return nil, fmt.Errorf("report: writing the PDF: %w", err)
	}
	return buf.Bytes(), nil
}

type writer struct {
	d    *fpdf.Fpdf
	size float64 // the font size in points
}

// font selects the font of a run at the writer's size.
func (w *writer) font(r run) {
	if r.latin {
		w.d.SetFont(pdfLatin, "", w.size)
	} else {
		w.d.SetFont(pdfFamily, "", w.size)
	}
}

// textWidth is the width of s in mm, each run in its font.
func (w *writer) textWidth(s string) float64 {
	total := 0.0
	for _, r := range runs(s) {
		w.font(r)
		total += w.d.GetStringWidth(r.text)
	}
	return total
}

// cell is fpdf's CellFormat for text whose runs need different fonts: the box, then the text
// run by run on the baseline CellFormat would use. ln 0 moves right of the cell, 1 to the next
// line.
func (w *writer) cell(width, h float64, s, border string, ln int, align string, fill bool) {
	x, y := w.d.GetXY()
	w.d.CellFormat(width, h, "", border, 0, "", fill, 0, "")
	margin := w.d.GetCellMargin()
	s = w.fit(s, width-2*margin)
	tx := x + margin
	switch align {
	case "R":
		tx = x + width - margin - w.textWidth(s)
	case "C":
		tx = x + (width-w.textWidth(s))/2
	}
	_, unit := w.d.GetFontSize()
	for _, r := range runs(s) {
		w.font(r)
		w.d.Text(tx, y+h/2+0.3*unit, r.text)
		tx += w.d.GetStringWidth(r.text)
	}
	if ln == 1 {
		w.d.SetXY(pageMargin, y+h)
	} else {
		w.d.SetXY(x+width, y)
	}
}

// text writes a paragraph across the page, wrapped character by character.
func (w *writer) text(size float64, s string) { w.paragraph(size, s, "L") }

func (w *writer) paragraph(size float64, s, align string) {
	w.size = size
	lh := size * 0.5
	line, lineWidth := []rune{}, 0.0
	for _, c := range s {
		cw := w.textWidth(string(c))
		if lineWidth+cw > pageWidth-2*w.d.GetCellMargin() && len(line) > 0 {
			w.cell(pageWidth, lh, string(line), "", 1, align, false)
			line, lineWidth = line[:0], 0
		}
		line, lineWidth = append(line, c), lineWidth+cw
	}
	w.cell(pageWidth, lh, string(line), "", 1, align, false)
}

func (w *writer) heading(s string) {
	w.d.Ln(4)
	w.size = 14
	w.cell(pageWidth, 9, s, "B", 1, "L", false)
	w.d.Ln(2)
}

// table draws a header row (grey) and rows; widths are fractions of the page's width.
func (w *writer) table(widths []float64, header []string, rows [][]string) {
	w.size = 9.5
	w.d.SetDrawColor(120, 120, 120)
	w.d.SetLineWidth(0.2)
	row := func(cells []string, fill bool) {
		if w.d.GetY()+rowHeight > 297-pageMargin-5 {
			w.d.AddPage()
		}
		for i, c := range cells {
			align := "R"
			if i == 0 {
				align = "L"
			}
			w.cell(widths[i]*pageWidth, rowHeight, c, "1", 0, align, fill)
		}
		w.d.Ln(rowHeight)
	}
	w.d.SetFillColor(225, 225, 225)
	row(header, true)
	for _, r := range rows {
		row(r, false)
	}
	w.d.Ln(2)
}

// chart places a chart image across the page's width, on a new page if it does not fit.
func (w *writer) chart(c Chart, png []byte) {
	h := pageWidth * ChartHeight / ChartWidth
	if w.d.GetY()+h > 297-pageMargin-5 {
		w.d.AddPage()
	}
	opts := fpdf.ImageOptions{ImageType: "PNG"}
	w.d.RegisterImageOptionsReader(string(c), opts, bytes.NewReader(png))
	w.d.ImageOptions(string(c), pageMargin, w.d.GetY(), pageWidth, h, true, opts, 0, "")
	w.d.Ln(3)
}

func (w *writer) cover(r *models.Report) {
	w.d.AddPage()
	w.paragraph(20, r.Title, "C")
	w.d.Ln(3)
	state := "实时数据（本期评级榜冻结前随数据更新）"
	if r.Frozen {
		state = "已冻结（与本期消费评级榜同时冻结，此后不再变化）"
	}
	w.text(10, "统计周期："+r.PeriodLabel+"（北京时间）　投诉渠道："+channelLabel(r.Channel))
	w.text(10, "生成时间："+chinaTime(r.GeneratedAt)+"　状态："+state)
	w.text(10, "报告版本："+r.Version+"　评级算法版本："+r.FormulaVersion)
	w.d.Ln(2)
	w.text(9, "本报告由系统依据公开的数据生成标准，从与消费评级榜相同的投诉数据自动生成，不受任何人工因素影响。"+
		"收到、受理与不予受理统计本期提交的投诉；送达、回复、回复率、回复时效性、用户满意度及各领域数据统计本期送达平台、"+
		"现为已送达、已回复或已完成状态的投诉，与本期评级榜一致。")
}

func (w *writer) overview(r *models.Report) {
	w.heading("一、投诉受理概况")
	p, c := r.Previous, r.Change
	w.text(9, "上期为 "+p.PeriodLabel+"。")
	rows := [][]string{
		{"收到投诉（件）", count(r.Received), count(p.Received), signed(c.Received)},
		{"受理（件）", count(r.Accepted), count(p.Accepted), signed(c.Accepted)},
		{"不予受理（件）", count(r.Rejected), "—", "—"},
		{"送达平台（件）", count(r.Delivered), count(p.Delivered), signed(c.Delivered)},
		{"平台回复（件）", count(r.Replied), count(p.Replied), signed(c.Replied)},
		{"平台回复率", percent(r.ReplyRate), percent(p.ReplyRate), points(c.ReplyRate)},
		{"回复时效性", ratio(r.Timeliness), ratio(p.Timeliness), signedRatio(c.Timeliness)},
		{"用户满意度（1–10 分）", score(r.Satisfaction), score(p.Satisfaction), signedScore(c.Satisfaction)},
	}
	w.table([]float64{0.34, 0.22, 0.22, 0.22}, []string{"指标", "本期", "上期", "变化"}, rows)
	if len(r.RejectedByReason) > 0 {
		reasons := make([][]string, len(r.RejectedByReason))
		for i, c := range r.RejectedByReason {
			reasons[i] = []string{c.Label, count(c.Count)}
		}
		w.table([]float64{0.7, 0.3}, []string{"不予受理原因", "件数"}, reasons)
	}
}

func (w *writer) sectors(r *models.Report, charts map[Chart][]byte) {
	w.heading("二、各领域投诉与回复")
	rows := make([][]string, len(r.BySector))
	for i, s := range r.BySector {
		rows[i] = []string{s.Label, count(s.Delivered), count(s.Replied), percent(s.ReplyRate), ratio(s.Timeliness), score(s.Satisfaction)}
	}
	w.table([]float64{0.2, 0.16, 0.16, 0.16, 0.16, 0.16}, []string{"领域", "送达（件）", "回复（件）", "回复率", "时效性", "满意度"}, rows)
	w.chart(ChartSectors, charts[ChartSectors])
}

func (w *writer) issues(r *models.Report, charts map[Chart][]byte) {
	w.heading("三、问题类型与诉求")
	w.chart(ChartIssueTypes, charts[ChartIssueTypes])
	rows := make([][]string, len(r.ByDemand))
	for i, c := range r.ByDemand {
		rows[i] = []string{c.Label, count(c.Count)}
	}
	if len(rows) == 0 {
		rows = [][]string{{"（无数据）", "0"}}
	}
	w.table([]float64{0.7, 0.3}, []string{"诉求", "件数"}, rows)
}

func (w *writer) platforms(r *models.Report, charts map[Chart][]byte) {
	w.heading("四、平台投诉排行与评级")
	rows := make([][]string, len(r.TopPlatforms))
	for i, p := range r.TopPlatforms {
		idx := "—"
		if p.Index != nil {
			idx = strconv.FormatFloat(*p.Index, 'f', 4, 64)
		}
		rows[i] = []string{strconv.Itoa(p.Rank) + ". " + p.Name, p.SectorLabel, count(p.ComplaintCount), percent(p.ReplyRate), idx, p.GradeLabel}
	}
	if len(rows) == 0 {
		rows = [][]string{{"（无数据）", "", "", "", "", ""}}
	}
	w.table([]float64{0.26, 0.14, 0.14, 0.14, 0.14, 0.18}, []string{"平台", "领域", "投诉（件）", "回复率", "综合指数", "评级"}, rows)
	w.chart(ChartReplyRates, charts[ChartReplyRates])
	grades := make([][]string, len(r.Grades))
	for i, g := range r.Grades {
		grades[i] = []string{g.Label, count(g.Count)}
	}
	w.table([]float64{0.7, 0.3}, []string{"评级", "平台数"}, grades)
	w.chart(ChartGrades, charts[ChartGrades])
}

func (w *writer) trend(r *models.Report, charts map[Chart][]byte) {
	w.heading("五、近期趋势")
	rows := make([][]string, len(r.Trend))
	for i, s := range r.Trend {
		rows[i] = []string{s.PeriodLabel, count(s.Received), count(s.Accepted), count(s.Delivered), count(s.Replied), percent(s.ReplyRate)}
	}
	w.table([]float64{0.2, 0.16, 0.16, 0.16, 0.16, 0.16}, []string{"周期", "收到", "受理", "送达", "回复", "回复率"}, rows)
	w.chart(ChartTrend, charts[ChartTrend])
}

func channelLabel(ch string) string {
	if ch == string(models.ChannelRefundOnly) {
		return "商家仅退款投诉"
	}
	return "消费者投诉"
}

func chinaTime(ts string) string {
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return ts
	}
	return t.In(models.ChinaTime).Format("2006-01-02 15:04")
}

func count(n int64) string { return strconv.FormatInt(n, 10) }

func signed(n int64) string {
	if n > 0 {
		return "+" + count(n)
	}
	return count(n)
}

func percent(x float64) string { return strconv.FormatFloat(x*100, 'f', 2, 64) + "%" }

func points(x float64) string {
	s := strconv.FormatFloat(x*100, 'f', 2, 64) + " 个百分点"
	if x > 0 {
		return "+" + s
	}
	return s
}

func ratio(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }

func signedRatio(x float64) string {
	if x > 0 {
		return "+" + ratio(x)
	}
	return ratio(x)
}

func score(x *float64) string {
	if x == nil {
		return "—"
	}
	return strconv.FormatFloat(*x, 'f', 2, 64)
}

func signedScore(x *float64) string {
	if x == nil {
		return "—"
	}
	if *x > 0 {
		return "+" + score(x)
	}
	return score(x)
}

// fit shortens s with an ellipsis until it is no wider than max, so that a long name never
// runs over the next cell.
func (w *writer) fit(s string, max float64) string {
	if w.textWidth(s) <= max {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && w.textWidth(string(r)+"…") > max {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
