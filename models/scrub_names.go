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
	nameFollowerRunes  = runeLists(nameFollowers)
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
				out = append(out, d.cueNames(h+len(cue), true)...)
				break
			}
		}
		for _, cue := range weakCueRunes {
			if hasAt(r, h, cue) {
				out = append(out, d.cueNames(h+len(cue), false)...)
				break
			}
		}
		if strings.ContainsRune(nameJoiners, r[h]) {
			out = append(out, d.joinedNames(h)...)
		}
	}
	return out
}

// nameJoiners join the names of a list (张三和李四, 张三、李四).
const nameJoiners = "和与及跟、"

// joinedNames reads two names that a joiner at r[j] stands between without a cue (张伟和李娜都
// 收到了): each a surname and a given name, the first starting a word, the second followed by
// a break; both or neither.
func (d *scrubDoc) joinedNames(j int) []scrubSpan {
	right, ok := d.nameAt(j + 1) // the names after it are read at their own joiners
	if !ok {
		return nil
	}
	for g := 1; g <= 2; g++ {
		for _, sl := range []int{2, 1} {
			s := j - g - sl
			if d.isSurname(s, sl) && d.givenOK(s+sl, j) && d.wordStart(s) && !d.followerInside(s+sl, j) {
				left := scrubSpan{start: s, end: j, kind: ScrubName, marker: string(d.r[s:s+sl]) + "**"}
				out := []scrubSpan{left, right.span}
				// The names right after it too; those after a joiner are read at their joiner.
				for n := right; n.next >= 0 && !strings.ContainsRune(nameJoiners, d.r[n.next-1]); {
					if n, ok = d.nameAt(n.next); !ok {
						break
					}
					out = append(out, n.span)
				}
				return out
			}
		}
	}
	return nil
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
	if e >= len(r) || !isHan(r[e]) || nameStopSet[r[e]] {
		return true
	}
	for _, ws := range [][][]rune{strongHonRunes, weakHonRunes, allNameCueRunes, nameFollowerRunes} {
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

// cueNames are the names after a cue ending at r[p]: a surname and one or two given
// characters that a break, a word that follows names (投诉, 签收) or another name ends, and
// every further name of a list (收件人张三、李四和王五, 收件人张三李四). After a strong cue a name
// is taken even when nothing ends it, with two given characters (hiding one too many rather
// than one too few) unless the second begins a word that follows names; a strong cue also
// takes a Latin name (联系人：Tom Wang).
func (d *scrubDoc) cueNames(p int, strong bool) []scrubSpan {
	r := d.r
	q := p
	for q < len(r) && q-p < 3 && strings.ContainsRune(nameCueFillers, r[q]) {
		q++
	}
	if strong {
		if e := latinName(r, q); e > q {
			return []scrubSpan{{start: q, end: e, kind: ScrubName, marker: string(r[q]) + "**"}}
		}
	}
	if spans, ok := d.readName(q); ok {
		return spans
	}
	if !strong {
		return nil
	}
	for _, sl := range []int{2, 1} {
		if !d.surnameAt(q, sl) {
			continue
		}
		for g := 2; g >= 1; g-- {
			if d.givenOK(q+sl, q+sl+g) && !d.followerInside(q+sl, q+sl+g) {
				return []scrubSpan{{start: q, end: q + sl + g, kind: ScrubName, marker: string(r[q:q+sl]) + "**"}}
			}
		}
	}
	return nil
}

// surnameAt reports whether a surname of sl characters starts at r[q] that is not the start of
// a compound surname already scrubbed (欧阳** is no single surname 欧 with the given name 阳).
func (d *scrubDoc) surnameAt(q, sl int) bool {
	if !d.isSurname(q, sl) {
		return false
	}
	return sl == 2 || !d.isSurname(q, 2) || q+2 >= len(d.r) || d.r[q+2] != '*'
}

// readName reads a name at r[q] that something ends: a break, a word that follows names, or
// another name of a list (joined or not). It returns the name and those after it.
func (d *scrubDoc) readName(q int) ([]scrubSpan, bool) {
	var out []scrubSpan
	for n, ok := d.nameAt(q); ok; n, ok = d.nameAt(n.next) {
		out = append(out, n.span)
		if n.next < 0 {
			break
		}
	}
	return out, len(out) > 0
}

// listedName is a name read at a position, and where the next name of its list starts (-1:
// none).
type listedName struct {
	span scrubSpan
	next int
	ok   bool
}

// nameAt is the name read at r[q], remembered for the pass (d.names), so that a long list is
// read once.
func (d *scrubDoc) nameAt(q int) (listedName, bool) {
	if q < 0 {
		return listedName{}, false
	}
	if got, ok := d.names[q]; ok {
		return got, got.ok
	}
	d.names[q] = listedName{} // a reading in progress is none
	n := d.readNameAt(q)
	d.names[q] = n
	return n, n.ok
}

func (d *scrubDoc) readNameAt(q int) listedName {
	r := d.r
	var plain []listedName
	for _, sl := range []int{2, 1} {
		if !d.surnameAt(q, sl) {
			continue
		}
		span := func(g int) scrubSpan {
			return scrubSpan{start: q, end: q + sl + g, kind: ScrubName, marker: string(r[q:q+sl]) + "**"}
		}
		// A name right after a one-character given name (张三李四) wins over a longer reading.
		if e := q + sl + 1; d.givenOK(q+sl, e) && e < len(r) && !strings.ContainsRune(nameJoiners, r[e]) {
			if _, ok := d.nameAt(e); ok {
				return listedName{span: span(1), next: e, ok: true}
			}
		}
		for g := 2; g >= 1; g-- {
			e := q + sl + g
			if !d.givenOK(q+sl, e) || d.followerInside(q+sl, e) {
				continue
			}
			if e < len(r) && strings.ContainsRune(nameJoiners, r[e]) {
				if _, ok := d.nameAt(e + 1); ok {
					return listedName{span: span(g), next: e + 1, ok: true}
				}
			}
			if d.nameEnd(e) {
				plain = append(plain, listedName{span: span(g), next: -1, ok: true})
			}
		}
	}
	if len(plain) == 0 {
		return listedName{}
	}
	return plain[0]
}

// followerInside reports whether a word that follows names starts inside the given name
// r[from:to] after its first character (张三投诉: the given name is 三, not 三投).
func (d *scrubDoc) followerInside(from, to int) bool {
	for i := from + 1; i < to; i++ {
		for _, w := range nameFollowerRunes {
			if hasAt(d.r, i, w) {
				return true
			}
		}
	}
	return false
}

// latinName is where a Latin name of one or two capitalised words at r[q] ends (Tom, Tom
// Wang), or q.
func latinName(r []rune, q int) int {
	word := func(i int) int {
		if i >= len(r) || r[i] < 'A' || r[i] > 'Z' {
			return i
		}
		j := i + 1
		for j < len(r) && r[j] >= 'a' && r[j] <= 'z' {
			j++
		}
		if j == i+1 || j < len(r) && asciiAlnumRune(r[j]) {
			return i
		}
		return j
	}
	e := word(q)
	if e == q {
		return q
	}
	if e+1 < len(r) && r[e] == ' ' {
		if e2 := word(e + 1); e2 > e+1 {
			return e2
		}
	}
	return e
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
