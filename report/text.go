package report

import (
	"math"
	"strings"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// mixedText is a text handler for gonum/plot that sets each character in the font that has it:
// the CJK font, or the Latin font for what it lacks. It lays out lines as text.Plain does.
type mixedText struct{}

var _ text.Handler = mixedText{}

// chartFont is the charts' font at a size in points.
func chartFont(size float64) font.Font { return font.From(cjkFont, vg.Points(size)) }

func faces(size font.Length) (cjk, latin font.Face) {
	return font.DefaultCache.Lookup(cjkFont, size), font.DefaultCache.Lookup(latinFont, size)
}

// Cache implements text.Handler.
func (mixedText) Cache() *font.Cache { return font.DefaultCache }

// Extents implements text.Handler: those of the CJK font, the taller of the two.
func (mixedText) Extents(fnt font.Font) font.Extents {
	cjk, _ := faces(fnt.Size)
	return cjk.Extents()
}

// Lines implements text.Handler.
func (mixedText) Lines(txt string) []string {
	return strings.Split(strings.TrimRight(txt, "\n"), "\n")
}

func width(txt string, size font.Length) vg.Length {
	cjk, latin := faces(size)
	w := vg.Length(0)
	for _, r := range runs(txt) {
		if r.latin {
			w += latin.Width(r.text)
		} else {
			w += cjk.Width(r.text)
		}
	}
	return w
}

// Box implements text.Handler.
func (h mixedText) Box(txt string, fnt font.Font) (vg.Length, vg.Length, vg.Length) {
	ext := h.Extents(fnt)
	return width(txt, fnt.Size), ext.Ascent, ext.Descent
}

// Draw implements text.Handler, as text.Plain.Draw with a font per run.
func (h mixedText) Draw(c vg.Canvas, txt string, sty text.Style, pt vg.Point) {
	txt = strings.TrimRight(txt, "\n")
	if txt == "" {
		return
	}
	cjk, latin := faces(sty.Font.Size)
	c.SetColor(sty.Color)
	if sty.Rotation != 0 {
		c.Push()
		c.Rotate(sty.Rotation)
	}
	sin64, cos64 := math.Sincos(sty.Rotation)
	cos, sin := vg.Length(cos64), vg.Length(sin64)
	pt.X, pt.Y = pt.Y*sin+pt.X*cos, pt.Y*cos-pt.X*sin
	lines := h.Lines(txt)
	pt.Y += sty.Height(txt)*vg.Length(sty.YAlign) - cjk.Extents().Ascent
	for i, line := range lines {
		at := pt.Add(vg.Point{X: vg.Length(sty.XAlign) * width(line, sty.Font.Size), Y: vg.Length(len(lines)-i) * sty.Font.Size})
		for _, r := range runs(line) {
			face := cjk
			if r.latin {
				face = latin
			}
			c.FillString(face, at, r.text)
			at.X += face.Width(r.text)
		}
	}
	if sty.Rotation != 0 {
		c.Pop()
	}
}
