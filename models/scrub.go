package models

import (
	"slices"
	"strings"
	"unicode"
)

// The personal-information scrubber of typical cases (典型案例): Scrub replaces every name,
// phone number, ID-card and bank-card number, e-mail address, order number and street address
// it recognises by a marker (张先生 → 张**, 13812345678 → 138****5678, an order number → its
// last four digits), and says where it put each marker and of what kind. A hit never holds the
// value it replaced.
//
// Patterns alone would take ordinary words for names (王者荣耀, 周末, 黄金 all begin with a
// surname), so a name is recognised only in a name's context: before an honorific (先生, 女士,
// 经理), after a cue (我叫, 联系人, 收件人, 客服, 老公, 尊敬的), in a list of names (张伟和李娜都…),
// or as one of the known values a caller passes (the complainant's contact and real name,
// phone and order number), which are caught wherever they occur. What may be a name outside
// such a context is only reported, by DetectPersonalInfo (scrub_possible.go). Numbers are read as tokens of digits, letters and the separators people write
// (138 1234 5678, 138-1234-5678, +86…) and classified by their shape, their check digits
// (ID cards, Luhn for bank cards) and the cue before them (订单号, 电话, 卡号).
//
// Scrub is idempotent: it scrubs again what its own replacements make recognisable until
// nothing changes, so Scrub(Scrub(x)) == Scrub(x); a marker is never taken for what it hides.

// ScrubKind is what a scrubbed span held.
type ScrubKind string

// The kinds of personal information the scrubber recognises.
const (
	ScrubName     ScrubKind = "name"
	ScrubMobile   ScrubKind = "mobile"
	ScrubLandline ScrubKind = "landline"
	ScrubIDCard   ScrubKind = "id_card"
	ScrubBankCard ScrubKind = "bank_card"
	ScrubEmail    ScrubKind = "email"
	ScrubOrderNo  ScrubKind = "order_no"
	ScrubAddress  ScrubKind = "address"
)

// ScrubKinds lists every kind, for documents and tests.
var ScrubKinds = []ScrubKind{ScrubName, ScrubMobile, ScrubLandline, ScrubIDCard, ScrubBankCard, ScrubEmail,
	ScrubOrderNo, ScrubAddress, ScrubPossibleName}

// ScrubHit is one marker: its kind, the marker itself, and where it stands, in characters
// (runes) from the start of the text it is in, end exclusive.
type ScrubHit struct {
	Kind   ScrubKind
	Marker string
	Start  int
	End    int
}

// Known is a value of the person that must be caught wherever it occurs, matching a pattern
// or not: a name (ScrubName), a phone (ScrubMobile) or an order number (ScrubOrderNo). Names
// shorter than two characters and order numbers shorter than four, empty values, erased
// values and values holding a marker's '*' are ignored: replacing them everywhere would
// scrub ordinary text.
type Known struct {
	Kind  ScrubKind
	Value string
}

// maxScrubPasses bounds the scrubbing of what earlier replacements made recognisable; one or
// two passes are the rule. Every replacement leaves fewer characters that are not '*' than it
// took (an e-mail address with a one-letter name, the exception, is never matched again), so
// the passes end; the bound is a guard.
const maxScrubPasses = 64

// Scrub replaces the personal information of text by markers and returns the scrubbed text
// with its markers' hits, in order. Invalid UTF-8 becomes U+FFFD.
func Scrub(text string, known []Known) (string, []ScrubHit) {
	d := newScrubDoc(text, known)
	hits := []ScrubHit{}
	for range maxScrubPasses {
		spans := d.spans()
		if len(spans) == 0 {
			break
		}
		d.r, hits = applySpans(d.r, spans, hits)
	}
	return string(d.r), hits
}

// DetectPersonalInfo lists the personal information text still holds, as Scrub would replace
// it — each hit's marker and where the value stands in text (in characters) — and the words
// that may be names though Scrub leaves them (ScrubPossibleName, scrub_possible.go). Empty
// means the text can be published without anyone's consent.
func DetectPersonalInfo(text string, known []Known) []ScrubHit {
	d := newScrubDoc(text, known)
	spans := d.spans()
	all := append(append([]scrubSpan{}, spans...), d.possibleNames(spans)...)
	slices.SortStableFunc(all, func(a, b scrubSpan) int { return a.start - b.start })
	out := []ScrubHit{}
	for _, s := range all {
		out = append(out, ScrubHit{Kind: s.kind, Marker: s.marker, Start: s.start, End: s.end})
	}
	return out
}

// scrubDoc is a text being scrubbed, as runes, with the known values prepared.
type scrubDoc struct {
	r      []rune
	known  []knownValue
	phones map[string]bool
	// names remembers the names read at each position in this pass.
	names map[int]listedName
}

type knownValue struct {
	kind   ScrubKind
	runes  []rune
	marker string
}

// scrubSpan is a candidate replacement: runes [start, end) become marker.
type scrubSpan struct {
	start, end int
	kind       ScrubKind
	marker     string
}

func newScrubDoc(text string, known []Known) *scrubDoc {
	d := &scrubDoc{r: []rune(strings.ToValidUTF8(text, "\uFFFD")), phones: map[string]bool{}}
	for _, k := range known {
		v := strings.TrimSpace(strings.ToValidUTF8(k.Value, ""))
		rs := []rune(v)
		if v == "" || v == ErasedText || strings.ContainsRune(v, '*') || ControlChar(v) {
			continue
		}
		switch k.Kind {
		case ScrubName:
			if len(rs) >= 2 {
				m := nameMarker(rs)
				if strings.Contains(strings.ToLower(m), strings.ToLower(v)) {
					m = "**" // a name that is only a surname (欧阳) would come back in its marker
				}
				d.known = append(d.known, knownValue{kind: ScrubName, runes: rs, marker: m})
			}
		case ScrubMobile:
			if p, ok := NormalizePhone(v); ok {
				d.phones[p] = true
			} else if len(rs) >= 4 {
				d.known = append(d.known, knownValue{kind: ScrubMobile, runes: rs, marker: tailMarker(rs, 8)})
			}
		default:
			if len(rs) >= 4 {
				d.known = append(d.known, knownValue{kind: k.Kind, runes: rs, marker: tailMarker(rs, 8)})
			}
		}
	}
	return d
}

// spans finds every candidate and keeps a set that does not overlap: the earliest first and,
// from one start, the longest; among equal spans the detector that runs first.
func (d *scrubDoc) spans() []scrubSpan {
	d.names = map[int]listedName{}
	var c []scrubSpan
	c = d.knownSpans(c)
	c = d.emailSpans(c)
	c = d.numberSpans(c)
	c = d.loosePhoneSpans(c)
	c = d.knownPhoneSpans(c)
	c = d.addressSpans(c)
	c = d.nameSpans(c)
	slices.SortStableFunc(c, func(a, b scrubSpan) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	out := c[:0]
	end := 0
	for _, s := range c {
		if s.start < end || s.end <= s.start || string(d.r[s.start:s.end]) == s.marker {
			continue
		}
		out = append(out, s)
		end = s.end
	}
	return out
}

// applySpans replaces the spans (sorted, apart) and carries the earlier hits over to the new
// text: a hit a new span touches takes it in, keeping its own kind.
func applySpans(r []rune, spans []scrubSpan, hits []ScrubHit) ([]rune, []ScrubHit) {
	out := make([]rune, 0, len(r))
	starts, ends := make([]int, len(spans)), make([]int, len(spans))
	prev := 0
	for i, s := range spans {
		out = append(out, r[prev:s.start]...)
		starts[i] = len(out)
		out = append(out, []rune(s.marker)...)
		ends[i] = len(out)
		prev = s.end
	}
	out = append(out, r[prev:]...)
	at := func(p int) int { // where a position went: one inside a span, to the span's end
		shift := 0
		for i, s := range spans {
			if s.end > p {
				if s.start < p {
					return ends[i]
				}
				break
			}
			shift = ends[i] - s.end
		}
		return p + shift
	}
	taken := make([]bool, len(spans))
	next := make([]ScrubHit, 0, len(hits)+len(spans))
	for _, h := range hits {
		ns, ne := at(h.Start), at(h.End)
		for i, s := range spans {
			if s.start < h.End && h.Start < s.end {
				ns, ne, taken[i] = min(ns, starts[i]), max(ne, ends[i]), true
			}
		}
		next = append(next, ScrubHit{Kind: h.Kind, Start: ns, End: ne})
	}
	for i, s := range spans {
		if !taken[i] {
			next = append(next, ScrubHit{Kind: s.kind, Start: starts[i], End: ends[i]})
		}
	}
	slices.SortStableFunc(next, func(a, b ScrubHit) int { return a.Start - b.Start })
	merged := next[:0]
	for _, h := range next {
		if n := len(merged); n > 0 && h.Start < merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, h.End)
			continue
		}
		merged = append(merged, h)
	}
	for i := range merged {
		merged[i].Marker = string(out[merged[i].Start:merged[i].End])
	}
	return out, merged
}

// knownSpans finds the known values, ignoring the case of Latin letters; a value that begins
// or ends with a letter or digit does not match inside a longer run of them (or of markers).
func (d *scrubDoc) knownSpans(out []scrubSpan) []scrubSpan {
	for _, k := range d.known {
		n := len(k.runes)
		for i := 0; i+n <= len(d.r); i++ {
			if !equalFold(d.r[i:i+n], k.runes) {
				continue
			}
			if asciiAlnumRune(k.runes[0]) && i > 0 && inToken(d.r[i-1]) ||
				asciiAlnumRune(k.runes[n-1]) && i+n < len(d.r) && inToken(d.r[i+n]) {
				continue
			}
			out = append(out, scrubSpan{start: i, end: i + n, kind: k.kind, marker: k.marker})
			i += n - 1
		}
	}
	return out
}

// inToken reports whether c continues a run of letters and digits for the known values'
// bounds: a marker's '*' does, as what it replaced did.
func inToken(c rune) bool { return c == '*' || asciiAlnumRune(c) }

// nameMarker keeps a name's surname (two characters for a compound one) and hides the rest.
func nameMarker(name []rune) string {
	if len(name) >= 2 && compoundSurnameSet[string(name[:2])] {
		return string(name[:2]) + "**"
	}
	return string(name[:1]) + "**"
}

// tailMarker hides a value but for its last four digits, when it has at least long characters
// (a shorter one would be mostly shown): ****5678.
func tailMarker(v []rune, long int) string {
	if len(v) < long {
		return "****"
	}
	var tail []rune
	for i := len(v) - 1; i >= 0 && len(tail) < 4; i-- {
		if _, ok := digitOf(v[i]); ok {
			tail = append([]rune{v[i]}, tail...)
		}
	}
	return "****" + string(tail)
}

func equalFold(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] && unicode.ToLower(a[i]) != unicode.ToLower(b[i]) {
			return false
		}
	}
	return true
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// digitOf reads an ASCII or full-width digit.
func digitOf(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r >= '０' && r <= '９':
		return byte('0' + r - '０'), true
	}
	return 0, false
}

func isDigitRune(r rune) bool { _, ok := digitOf(r); return ok }

func asciiLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// asciiAlnumRune is a character of a number token: a Latin letter or a digit of either width.
func asciiAlnumRune(r rune) bool { return asciiLetter(r) || isDigitRune(r) }

// hasAt reports whether w stands at r[i:].
func hasAt(r []rune, i int, w []rune) bool {
	return i >= 0 && i+len(w) <= len(r) && equalFold(r[i:i+len(w)], w)
}

// endsAt reports whether one of ws ends just before r[i].
func endsAt(r []rune, i int, ws [][]rune) bool {
	for _, w := range ws {
		if hasAt(r, i-len(w), w) {
			return true
		}
	}
	return false
}

// cueBefore reports whether one of cues ends just before r[pos], or before it across at most
// max fillers.
func cueBefore(r []rune, pos int, cues [][]rune, fillers string, max int) bool {
	p := pos
	for n := 0; ; n++ {
		if endsAt(r, p, cues) {
			return true
		}
		if p == 0 || n >= max || !strings.ContainsRune(fillers, unicode.ToLower(r[p-1])) {
			return false
		}
		p--
	}
}

func runeLists(ws []string) [][]rune {
	out := make([][]rune, len(ws))
	for i, w := range ws {
		out[i] = []rune(w)
	}
	// Longer first, so that the longer of two words starting at one place is taken.
	slices.SortStableFunc(out, func(a, b []rune) int { return len(b) - len(a) })
	return out
}
