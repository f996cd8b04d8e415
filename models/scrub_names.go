package models

import "strings"

// The scrubber's names: a surname with one or two given characters, recognised only in a
// name's context — an honorific after it or a cue before it.

var (
	singleSurnameSet   = runeSet(singleSurnames)
	compoundSurnameSet = stringSet(compoundSurnames)
	strongHonRunes     = runeLists(strongHonorifics)
	weakHonRunes       = runeLists(weakHonorifics)
	strongCueRunes     = runeLists(strongNameCues)
	weakCueRunes       = runeLists(weakNameCues)
	allNameCueRunes    = runeLists(append(append([]string{}, strongNameCues...), weakNameCues...))
	nameStopSet        = runeSet(nameStops + "找问请谢")
)

// nameCueFillers may stand between a cue and the name (联系人：张三, 收件人是李四).
const nameCueFillers = " \t：:是为叫"

// nameSpans finds names before honorifics and after cues.
func (d *scrubDoc) nameSpans(out []scrubSpan) []scrubSpan {
	r := d.r
	for h := range r {
		if !isHan(r[h]) {
			continue
		}
		for _, hon := range strongHonRunes {
			if hasAt(r, h, hon) {
				if s, ok := d.honorificName(h, len(hon), false); ok {
					out = append(out, s)
				}
				break
			}
		}
		for _, hon := range weakHonRunes {
			if hasAt(r, h, hon) {
				if s, ok := d.honorificName(h, len(hon), true); ok {
					out = append(out, s)
				}
				break
			}
		}
		for _, cue := range strongCueRunes {
			if hasAt(r, h, cue) {
				if s, ok := d.cueName(h+len(cue), true); ok {
					out = append(out, s)
				}
				break
			}
		}
		for _, cue := range weakCueRunes {
			if hasAt(r, h, cue) {
				if s, ok := d.cueName(h+len(cue), false); ok {
					out = append(out, s)
				}
				break
			}
		}
	}
	return out
}

// surnameLen is the length of the surname starting at r[s] that sl asks for (1 or 2), or 0.
func (d *scrubDoc) isSurname(s, sl int) bool {
	if s < 0 || s+sl > len(d.r) {
		return false
	}
	if sl == 2 {
		return compoundSurnameSet[string(d.r[s:s+2])]
	}
	return singleSurnameSet[d.r[s]]
}

// givenOK reports whether r[from:to] can be a given name after the surname ending at from:
// Chinese characters, none of them a stop, not making a common word with the surname's last
// character (周末, 马上).
func (d *scrubDoc) givenOK(from, to int) bool {
	if to > len(d.r) {
		return false
	}
	for _, c := range d.r[from:to] {
		if !isHan(c) || nameStopSet[c] {
			return false
		}
	}
	return to == from || !notNames[string(d.r[from-1:from+1])]
}

// wordStart reports whether a name may start at r[s]: at the start, after anything but a
// Chinese character, after a stop, or right after a name's cue.
func (d *scrubDoc) wordStart(s int) bool {
	return s == 0 || !inWord(d.r[s-1]) || nameStopSet[d.r[s-1]] || endsAt(d.r, s, allNameCueRunes)
}

// inWord reports whether c belongs to the word around it: a Chinese character, or a marker's
// '*', which stands where one was (so that scrubbing makes no new word boundary, and scrubbing
// again finds nothing new).
func inWord(c rune) bool { return c == '*' || isHan(c) }

// nameEnd reports whether a name may end before r[e]: at the end, before anything but a
// Chinese character, a stop, an honorific or a cue.
func (d *scrubDoc) nameEnd(e int) bool {
	r := d.r
	if e >= len(r) || !inWord(r[e]) || nameStopSet[r[e]] {
		return true
	}
	for _, ws := range [][][]rune{strongHonRunes, weakHonRunes, allNameCueRunes} {
		for _, w := range ws {
			if hasAt(r, e, w) {
				return true
			}
		}
	}
	return false
}

// honorificName is the name before the honorific at r[h] (of length hl), with the
// honorific: 张先生, 张三先生, 欧阳娜娜女士, 王经理. Of the readings, one that starts a word wins,
// then the longest; a weak honorific takes only a bare surname that starts a word.
func (d *scrubDoc) honorificName(h, hl int, weak bool) (scrubSpan, bool) {
	best, bestSL, bestStart := -1, 0, false
	maxGiven := 2
	if weak {
		maxGiven = 0
	}
	for g := 0; g <= maxGiven; g++ {
		for _, sl := range []int{2, 1} {
			s := h - g - sl
			if !d.isSurname(s, sl) || !d.givenOK(s+sl, h) {
				continue
			}
			start := d.wordStart(s)
			if weak && !start {
				continue
			}
			if best < 0 || start && !bestStart || start == bestStart && s < best {
				best, bestSL, bestStart = s, sl, start
			}
		}
	}
	if best < 0 {
		return scrubSpan{}, false
	}
	return scrubSpan{start: best, end: h + hl, kind: ScrubName, marker: string(d.r[best:best+bestSL]) + "**"}, true
}

// cueName is the name after a cue ending at r[p]: a surname and one or two given characters
// that a break ends. After a strong cue a name is taken even when nothing ends it, with two
// given characters (hiding one too many rather than one too few).
func (d *scrubDoc) cueName(p int, strong bool) (scrubSpan, bool) {
	r := d.r
	q := p
	for q < len(r) && q-p < 3 && strings.ContainsRune(nameCueFillers, r[q]) {
		q++
	}
	for _, sl := range []int{2, 1} {
		if !d.isSurname(q, sl) {
			continue
		}
		name := func(g int) (scrubSpan, bool) {
			return scrubSpan{start: q, end: q + sl + g, kind: ScrubName, marker: string(r[q:q+sl]) + "**"}, true
		}
		for g := 2; g >= 1; g-- {
			if d.givenOK(q+sl, q+sl+g) && d.nameEnd(q+sl+g) {
				return name(g)
			}
		}
		if strong {
			for g := 2; g >= 1; g-- {
				if d.givenOK(q+sl, q+sl+g) {
					return name(g)
				}
			}
		}
	}
	return scrubSpan{}, false
}

func runeSet(s string) map[rune]bool {
	m := map[rune]bool{}
	for _, c := range s {
		m[c] = true
	}
	return m
}

func stringSet(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
