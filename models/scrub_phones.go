package models

import "strings"

// The scrubber's phones written with other separators (138，1234，5678, 138.1234.5678,
// 138/0013/8000) and the known phones in whatever form.

// isLooseSep is a separator that people put between the groups of a phone number but that
// also stands between ordinary numbers (1999.00, 3、4): a phone is read across it only when
// its groups have a phone's shape.
func isLooseSep(r rune) bool {
	return isNumberSep(r) || strings.ContainsRune("，,.、_/·．／＿。", r)
}

// loosePhoneSpans reads runs of digit groups joined by single separators and keeps those
// that read 3-4-4 as a mobile (or a known phone) or 3/4 then 7/8 (or 3/4-3/4-4) as a
// landline with its area code.
func (d *scrubDoc) loosePhoneSpans(out []scrubSpan) []scrubSpan {
	r := d.r
	for i := 0; i < len(r); {
		if !isDigitRune(r[i]) || i > 0 && (asciiAlnumRune(r[i-1]) || r[i-1] == '*') {
			i++
			continue
		}
		j := i
		for j < len(r) && (isDigitRune(r[j]) || isLooseSep(r[j]) && isDigitRune(r[j-1]) && j+1 < len(r) && isDigitRune(r[j+1])) {
			j++
		}
		if j < len(r) && (asciiAlnumRune(r[j]) || r[j] == '*') {
			i = j
			continue
		}
		t := readToken(r[i:j])
		g, n := t.groups, len(t.digits)
		switch {
		case len(g) == 3 && g[0] == 3 && g[1] == 4 && g[2] == 4 && (mobileRe.MatchString(t.digits) || d.phones[t.digits]):
			out = append(out, scrubSpan{start: i, end: j, kind: ScrubMobile, marker: t.keep(0, 3) + "****" + t.keep(n-4, n)})
		case len(g) >= 2 && t.digits[0] == '0' && t.digits[1] != '0' && (g[0] == 3 || g[0] == 4) &&
			(len(g) == 2 && (g[1] == 7 || g[1] == 8) || len(g) == 3 && (g[1] == 3 || g[1] == 4) && g[2] == 4):
			out = append(out, scrubSpan{start: i, end: j, kind: ScrubLandline, marker: t.keep(0, g[0]) + "-****" + t.keep(n-4, n)})
		}
		i = j
	}
	return out
}

// knownPhoneSpans finds the known phones by their digits alone, whatever stands between
// them: a run of at most two characters other than digits (and markers) is skipped, so
// 138，0013，8000 and 138 - 0013 - 8000 are the phone 13800138000.
func (d *scrubDoc) knownPhoneSpans(out []scrubSpan) []scrubSpan {
	if len(d.phones) == 0 {
		return out
	}
	r := d.r
	for i := 0; i < len(r); i++ {
		if !isDigitRune(r[i]) || i > 0 && isDigitRune(r[i-1]) {
			continue
		}
		var b strings.Builder
		var at []int
		j := i
		for j < len(r) && len(at) < 11 {
			if v, ok := digitOf(r[j]); ok {
				b.WriteByte(v)
				at = append(at, j)
				j++
				continue
			}
			k := j
			for k < len(r) && k-j <= 2 && !isDigitRune(r[k]) && r[k] != '*' {
				k++
			}
			if k == j || k-j > 2 || k >= len(r) || !isDigitRune(r[k]) {
				break
			}
			j = k
		}
		if len(at) != 11 || !d.phones[b.String()] || j < len(r) && isDigitRune(r[j]) {
			continue
		}
		keep := func(idx []int) string {
			var s strings.Builder
			for _, p := range idx {
				s.WriteRune(r[p])
			}
			return s.String()
		}
		out = append(out, scrubSpan{start: i, end: j, kind: ScrubMobile, marker: keep(at[:3]) + "****" + keep(at[7:])})
		i = j - 1
	}
	return out
}
