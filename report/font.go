// Package report draws the periodic reports: each chart as a PNG image (gonum/plot) and the
// whole report as a PDF (fpdf), Chinese text in an embedded font, nothing fetched at run time.
// It renders a models.Report and knows nothing of HTTP, so that a web page can use the same
// charts.
package report

import (
	_ "embed"
	"fmt"
	"sync"

	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
)

// fontTTF is Droid Sans Fallback (Apache License 2.0, the Android Open Source Project; see
// fonts/NOTICE): the CJK characters and their punctuation. It has no Latin letters, digits or
// ASCII punctuation: those are set in Liberation Sans (SIL Open Font License 1.1, shipped in
// the Go module that gonum/plot itself uses), character by character (see runs).
//
//go:embed fonts/DroidSansFallbackFull.ttf
var fontTTF []byte

// latinTTF is Liberation Sans Regular.
var latinTTF = liberationsansregular.TTF

// The names the fonts are registered under in gonum/plot's font cache.
var (
	cjkFont   = font.Font{Typeface: "DroidSansFallback"}
	latinFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
)

var (
	fontOnce sync.Once
	fontErr  error
	cjkFace  *opentype.Font
)

// loadFont parses the embedded fonts once and adds them to gonum/plot's default font cache.
// Adding a typeface leaves the others as they were.
func loadFont() error {
	fontOnce.Do(func() {
		var err error
		if cjkFace, err = opentype.Parse(fontTTF); err != nil {
			fontErr = fmt.Errorf("report: parsing the embedded font: %w", err)
			return
		}
		latin, err := opentype.Parse(latinTTF)
		if err != nil {
			fontErr = fmt.Errorf("report: parsing the Latin font: %w", err)
			return
		}
		font.DefaultCache.Add(font.Collection{{Font: cjkFont, Face: cjkFace}, {Font: latinFont, Face: latin}})
	})
	return fontErr
}

// run is a piece of text set in one font.
type run struct {
	text  string
	latin bool
}

// runs splits s into pieces that the CJK font can set and pieces it cannot (Latin letters,
// digits, ASCII punctuation), which the Latin font sets. loadFont must have succeeded.
func runs(s string) []run {
	var out []run
	var buf sfnt.Buffer
	start, latin := 0, false
	for i, r := range s {
		gi, err := cjkFace.GlyphIndex(&buf, r)
		l := err != nil || gi == 0
		if i > start && l != latin {
			out = append(out, run{s[start:i], latin})
			start = i
		}
		latin = l
	}
	if start < len(s) {
		out = append(out, run{s[start:], latin})
	}
	return out
}
