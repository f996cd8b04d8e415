package models

import (
	"strings"
	"sync"
	"unicode"

	"github.com/longbridgeapp/opencc"
)

// Screening reads text and terms through the same fold, so that the usual evasions read as the
// plain term: full-width forms (ＮＭＳＬ), letter case (NMSL), traditional characters (他媽的),
// and spaces, punctuation or symbols put between a term's characters (傻 逼, 傻*逼, n m s l,
// go-die). A term is folded the same way, so its own spaces and separators are dropped too
// ("go die" is the term godie). Latin terms keep words apart differently: see Screener.

// foldRune folds r; keep is false for a separator (space, punctuation, symbol, format or
// combining mark), which is dropped.
func foldRune(r rune) (out rune, keep bool) {
	switch {
	case r == '\u3000': // the ideographic space is the full-width form of a space
		return 0, false
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	}
	if r < 0x80 {
		switch {
		case 'A' <= r && r <= 'Z':
			return r + 'a' - 'A', true
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			return r, true
		}
		return 0, false // ASCII spaces, punctuation, symbols and controls
	}
	switch {
	case unicode.IsSpace(r), unicode.IsPunct(r), unicode.IsSymbol(r),
		unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me, unicode.Cc, unicode.Co):
		return 0, false
	}
	if s, ok := simplified()[r]; ok {
		r = s
	}
	return unicode.ToLower(r), true
}

// isLatinTerm reports whether a folded term is made of ASCII letters and digits only.
func isLatinTerm(folded string) bool {
	for i := 0; i < len(folded); i++ {
		if c := folded[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return folded != ""
}

// screenFoldString folds a whole term: the stream of kept runes; invalid UTF-8 becomes
// U+FFFD, a symbol, and is dropped.
func screenFoldString(s string) string {
	var b strings.Builder
	for _, r := range s {
		if out, keep := foldRune(r); keep {
			b.WriteRune(out)
		}
	}
	return b.String()
}

// FoldScreeningTerm is the form a term is matched and compared in (two terms with the same
// fold are the same term); "" when nothing of it is left to match.
func FoldScreeningTerm(term string) string { return screenFoldString(term) }

var (
	simplifiedOnce  sync.Once
	simplifiedTable map[rune]rune
)

// simplified maps each traditional CJK character to its simplified form, character by
// character, from OpenCC's t2s conversion (github.com/longbridgeapp/opencc, whose dictionaries
// are embedded in the binary). It is built once, on first use (a few milliseconds), and never
// changed after, so it is safe for concurrent use. Phrase conversions are left out on purpose:
// a rune-for-rune map keeps the scan linear and the positions of hits in the original text.
func simplified() map[rune]rune {
	simplifiedOnce.Do(func() {
		simplifiedTable = make(map[rune]rune, 4096)
		cc, err := opencc.New("t2s")
		if err != nil {
			return // the embedded dictionaries cannot fail to load; without them, no mapping
		}
		for _, block := range [][2]rune{{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}, {0x20000, 0x2A6DF}} {
			for r := block[0]; r <= block[1]; r++ {
				s, err := cc.Convert(string(r))
				if err != nil {
					continue
				}
				if rs := []rune(s); len(rs) == 1 && rs[0] != r {
					simplifiedTable[r] = rs[0]
				}
			}
		}
	})
	return simplifiedTable
}
