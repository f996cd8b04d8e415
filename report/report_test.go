package report

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/internal/pdftext"
	"github.com/dianshubao/dianshubao/models"
)

// TestChartsAreImagesOfTheirSize: every chart of a full report and of an empty one decodes as
// a PNG of ChartWidth × ChartHeight pixels.
func TestChartsAreImagesOfTheirSize(t *testing.T) {
	empty := sampleReport()
	empty.BySector, empty.ByIssueType, empty.ByDemand, empty.TopPlatforms = nil, nil, nil, nil
	for i := range empty.ReplyRateDistribution {
		empty.ReplyRateDistribution[i].Count = 0
	}
	for name, r := range map[string]*models.Report{"full": sampleReport(), "empty": empty} {
		for _, c := range Charts {
			b, err := ChartPNG(r, c)
			if err != nil {
				t.Fatalf("%s %s: %v", name, c, err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s %s: not a PNG: %v", name, c, err)
			}
			if s := img.Bounds().Size(); s.X != ChartWidth || s.Y != ChartHeight {
				t.Errorf("%s %s: %v, want %d×%d", name, c, s, ChartWidth, ChartHeight)
			}
		}
	}
	if _, err := ChartPNG(sampleReport(), "pie"); err == nil {
		t.Error("an unknown chart rendered")
	}
}

// TestPDFHoldsTheReport: the PDF's text, extracted through its fonts' ToUnicode maps, holds
// the title in Chinese, a figure with its digits and a sector's name; the file embeds only
// the glyphs it uses (far below the font's 4 MB).
func TestPDFHoldsTheReport(t *testing.T) {
	r := sampleReport()
	b, err := PDF(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:min(len(b), 16)])
	}
	if len(b) > 1<<20 || len(b) >= len(fontTTF)/4 {
		t.Errorf("the PDF is %d bytes: the font is not subset", len(b))
	}
	text, err := pdftext.Text(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"电诉宝2026年10月用户体验报告（月报）", "收到投诉（件）", "1520", "86.09%", "数字零售", "第 1 页"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
}

// TestRunsSplitByFont: CJK characters go to the CJK font, digits and Latin letters to the
// Latin one.
func TestRunsSplitByFont(t *testing.T) {
	if err := loadFont(); err != nil {
		t.Fatal(err)
	}
	got := runs("2026年10月ok（月报）")
	want := []run{{"2026", true}, {"年", false}, {"10", true}, {"月", false}, {"ok", true}, {"（月报）", false}}
	if len(got) != len(want) {
		t.Fatalf("runs %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("runs %+v, want %+v", got, want)
		}
	}
}

// A platform name longer than its column is shortened with an ellipsis instead of running
// over the figures beside it.
func TestPDFFitsLongNamesInTheirCells(t *testing.T) {
	r := sampleReport()
	long := strings.Repeat("浙江某某网络科技有限公司旗舰店", 8)
	r.TopPlatforms[0].Name = long
	b, err := PDF(r)
	if err != nil {
		t.Fatal(err)
	}
	text, err := pdftext.Text(b)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, long) || !strings.Contains(text, "浙江某某网络科技") || !strings.Contains(text, "…") {
		t.Fatalf("the long name is not shortened in its cell:\n%s", text)
	}
}
