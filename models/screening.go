package models

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Screener finds listed terms in text in time linear in the text length.
// It is an Aho–Corasick automaton over folded runes: failure links let the scan go on without
// backtracking, and dictionary links report the terms that end inside a longer match (他妈 inside 他妈的).
// A Latin term (ASCII letters and digits only, such as nmsl) matches only as a whole word of
// the original text: the characters just before its first character and just after its last
// one, separators included, must not be ASCII letters or digits (of either width), so that
// Shitake, Cnmall旗舰店 and "an atm demo" hold no term while "n m s l" and 傻逼nmsl! do. Other
// terms (Chinese ones) match anywhere.
// A Screener is never modified after NewScreener, so it is safe for concurrent use.
type Screener struct {
	terms []string // distinct folded terms; a term's id is its index
	latin []bool   // by term id: the term must match as a whole word
	runes []int32  // by term id: its length in folded runes
	// maxRunes is the longest term, in runes: how far back a scan must remember where the
	// folded runes came from.
	maxRunes int

	// State st's goto edges are labels[first[st]:first[st+1]], sorted, leading to the states in
	// next at the same indexes: flat slices keep the automaton compact and a lookup is a binary search.
	// State 0 is the root.
	first  []int32
	labels []rune
	next   []int32

	fail []int32 // longest proper suffix of the state's path that is also a path from the root
	out  []int32 // id of the term whose path ends at this state, or -1
	dict []int32 // nearest state along the failure chain whose out is set, or -1
	// chainLatin: a Latin term ends at this state or along its dictionary chain, so that a
	// term seen before does not mean the rest of the chain was reported.
	chainLatin []bool
}

// ParseWordList parses the list format (one term per line, # comments, blanks ignored, surrounding
// spaces trimmed, duplicates ignored); terms are folded as Match folds text, so duplicates are found
// after folding. A line is a comment when it starts with '#' once trimmed, so a term cannot start with
// '#'; a leading byte order mark is dropped because editors add one. Terms keep their file order.
func ParseWordList(text string) []string {
	text = strings.TrimPrefix(text, "\uFEFF")
	var terms []string
	seen := make(map[string]bool)
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		term := screenFoldString(line)
		if seen[term] {
			continue
		}
		seen[term] = true
		terms = append(terms, term)
	}
	return terms
}

// NewScreener builds the automaton; an empty list yields a screener that matches nothing.
// Terms are folded like the text; empty terms are dropped (they would match everything) and so are
// duplicates after folding. Building takes O(L log d) for L runes of terms and at most d edges a state.
func NewScreener(terms []string) *Screener {
	s := &Screener{}

	// The trie, with a map of edges a state while it grows.
	children := []map[rune]int32{nil}
	out := []int32{-1}
	for _, term := range terms {
		term = screenFoldString(term)
		if term == "" {
			continue
		}
		st := int32(0)
		for _, r := range term {
			c, ok := children[st][r]
			if !ok {
				c = int32(len(children))
				children = append(children, nil)
				out = append(out, -1)
				if children[st] == nil {
					children[st] = make(map[rune]int32)
				}
				children[st][r] = c
			}
			st = c
		}
		if out[st] < 0 { // the same folded term ends at the same state: a duplicate otherwise
			out[st] = int32(len(s.terms))
			n := utf8.RuneCountInString(term)
			s.terms = append(s.terms, term)
			s.latin = append(s.latin, isLatinTerm(term))
			s.runes = append(s.runes, int32(n))
			s.maxRunes = max(s.maxRunes, n)
		}
	}

	// Flatten the maps into sorted edge slices.
	n := len(children)
	s.first = make([]int32, n+1)
	for st, m := range children {
		s.first[st+1] = s.first[st] + int32(len(m))
	}
	s.labels = make([]rune, s.first[n])
	s.next = make([]int32, s.first[n])
	for st, m := range children {
		lo, i := s.first[st], s.first[st]
		for r := range m {
			s.labels[i] = r
			i++
		}
		slices.Sort(s.labels[lo:i])
		for j := lo; j < i; j++ {
			s.next[j] = m[s.labels[j]]
		}
	}

	// Failure and dictionary links, breadth first so that a state's failure target (which is
	// shallower) is complete before the state itself.
	s.out = out
	s.fail = make([]int32, n)
	s.dict = make([]int32, n)
	s.dict[0] = -1
	s.chainLatin = make([]bool, n)
	queue := make([]int32, 1, n)
	for qi := 0; qi < len(queue); qi++ {
		st := queue[qi]
		for e := s.first[st]; e < s.first[st+1]; e++ {
			c := s.next[e]
			if st != 0 {
				s.fail[c] = s.step(s.fail[st], s.labels[e])
			}
			if f := s.fail[c]; s.out[f] >= 0 {
				s.dict[c] = f
			} else {
				s.dict[c] = s.dict[f]
			}
			s.chainLatin[c] = s.out[c] >= 0 && s.latin[s.out[c]] || s.dict[c] >= 0 && s.chainLatin[s.dict[c]]
			queue = append(queue, c)
		}
	}
	return s
}

// child returns the goto target of st on r, if any.
func (s *Screener) child(st int32, r rune) (int32, bool) {
	lo, end := s.first[st], s.first[st+1]
	hi := end
	for lo < hi {
		m := int32(uint32(lo+hi) >> 1)
		if s.labels[m] < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < end && s.labels[lo] == r {
		return s.next[lo], true
	}
	return 0, false
}

// step is the automaton's transition: follow failure links until some state has an edge on r.
// Each failure link taken shortens the current match, which is why a scan stays linear overall.
func (s *Screener) step(st int32, r rune) int32 {
	for {
		if c, ok := s.child(st, r); ok {
			return c
		}
		if st == 0 {
			return 0
		}
		st = s.fail[st]
	}
}

// What a scan's report asks next.
const (
	scanNext      = iota // the next term of the chain
	scanSkipChain        // the rest of this chain: its terms are known
	scanStop             // nothing more
)

// keptRune is where a folded rune came from: its index in the original text, in runes, and
// whether the original rune just before it is an ASCII letter or digit.
type keptRune struct {
	at         int
	wordBefore bool
}

// scan reads text once and reports every occurrence of a term, in the order the occurrences'
// ends are read (a longer term first at the same end): the state o whose term it is, and the
// occurrence's span in the original text, in runes, end exclusive. A match is reported once
// the rune after it is read (or the text ends), since a Latin term must not be followed by a
// letter or digit. The cost is linear in the text's length times at most the longest term's
// length (a dictionary chain), whatever the text.
func (s *Screener) scan(text string, report func(o int32, start, end int) int) {
	if s == nil || len(s.terms) == 0 {
		return
	}
	ring := make([]keptRune, s.maxRunes) // the last maxRunes folded runes' origins
	var (
		kept     int // folded runes so far
		st       int32
		pending  = int32(-1) // the state reached on the last folded rune, while a term ends there
		end      int
		prevWord bool
		i        = -1
	)
	for _, r := range text {
		i++
		out, keep := foldRune(r)
		// An ASCII letter or digit of either width (what folds to one from elsewhere, such
		// as the Kelvin sign, is not).
		word := keep && out < 0x80 && (r < 0x80 || r >= 0xFF01 && r <= 0xFF5E)
		if pending >= 0 {
			if !s.resolve(ring, kept, pending, end, word, report) {
				return
			}
			pending = -1
		}
		if keep {
			ring[kept%len(ring)] = keptRune{at: i, wordBefore: prevWord}
			kept++
			st = s.step(st, out)
			if s.out[st] >= 0 || s.dict[st] >= 0 {
				pending, end = st, i+1
			}
		}
		prevWord = word
	}
	if pending >= 0 {
		s.resolve(ring, kept, pending, end, false, report)
	}
}

// resolve reports the terms ending at state o, after kept folded runes and at end in the
// original text, given whether a letter or digit follows; false: the report asked to stop.
func (s *Screener) resolve(ring []keptRune, kept int, o int32, end int, wordAfter bool, report func(o int32, start, end int) int) bool {
	if s.out[o] < 0 {
		o = s.dict[o]
	}
	for ; o >= 0; o = s.dict[o] {
		id := s.out[o]
		first := ring[(kept-int(s.runes[id]))%len(ring)]
		if s.latin[id] && (wordAfter || first.wordBefore) {
			continue
		}
		switch report(o, first.at, end) {
		case scanSkipChain:
			return true
		case scanStop:
			return false
		}
	}
	return true
}

// Match reports whether text contains any term (stops at the first hit).
func (s *Screener) Match(text string) bool {
	found := false
	s.scan(text, func(int32, int, int) int {
		found = true
		return scanStop
	})
	return found
}

// Find returns the distinct terms found, in order of first occurrence (at most max; max<=0 means all).
// Terms are returned folded and ordered by where their first occurrence ends, a longer term first
// when several end at the same rune; this is the order of the scan, so Find can stop once it has max.
// It returns nil when nothing is found.
func (s *Screener) Find(text string, max int) []string {
	var found []string
	var seen []bool
	s.scan(text, func(o int32, _, _ int) int {
		id := s.out[o]
		if seen == nil {
			seen = make([]bool, len(s.terms))
		}
		if seen[id] {
			if !s.chainLatin[o] {
				// When this term was first found its whole dictionary chain was reported
				// too (only Latin terms can be left out), so the rest is known: skipping
				// it keeps Find linear with nested terms.
				return scanSkipChain
			}
			return scanNext
		}
		seen[id] = true
		found = append(found, s.terms[id])
		if len(found) == max {
			return scanStop
		}
		return scanNext
	})
	return found
}

// Len is the number of terms.
func (s *Screener) Len() int {
	if s == nil {
		return 0
	}
	return len(s.terms)
}
