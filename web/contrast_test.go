package web_test

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"testing"
)

// relativeLuminance is WCAG 2.x's relative luminance of an sRGB colour #rrggbb.
func relativeLuminance(hex string) float64 {
	channel := func(s string) float64 {
		v, _ := strconv.ParseUint(s, 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(hex[1:3]) + 0.7152*channel(hex[3:5]) + 0.0722*channel(hex[5:7])
}

func contrast(a, b string) float64 {
	la, lb := relativeLuminance(a), relativeLuminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// TestGradeColoursContrast reads the grade badges' colours from the stylesheet as served and
// checks WCAG's 4.5:1 for normal text: the badge's text on its background, and the background
// colour used as text on the white page.
func TestGradeColoursContrast(t *testing.T) {
	css, err := os.ReadFile("static/site.css")
	if err != nil {
		t.Fatal(err)
	}
	if c := contrast("#000000", "#ffffff"); math.Abs(c-21) > 1e-9 {
		t.Fatalf("black on white is %.3f:1, want 21:1", c)
	}
	rule := regexp.MustCompile(`\.grade-([a-z_]+) \{ color: (#[0-9a-f]{6}); background: (#[0-9a-f]{6}); \}`)
	found := map[string]bool{}
	for _, m := range rule.FindAllStringSubmatch(string(css), -1) {
		grade, fg, bg := m[1], m[2], m[3]
		found[grade] = true
		if c := contrast(fg, bg); c < 4.5 {
			t.Errorf("grade %s: %s on %s is %.2f:1, below 4.5:1", grade, fg, bg, c)
		}
		if c := contrast(bg, "#ffffff"); c < 4.5 {
			t.Errorf("grade %s: %s as text on white is %.2f:1, below 4.5:1", grade, bg, c)
		}
		t.Logf("grade %s: %s on %s %.2f:1", grade, fg, bg, contrast(fg, bg))
	}
	for _, g := range []string{"recommended", "caution", "not_recommended", "unrated"} {
		if !found[g] {
			t.Errorf("the stylesheet has no colours for grade %s", g)
		}
	}
}
