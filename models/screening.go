package models

import (
	"slices"
	"strings"
)

// Screener finds listed terms in text in time linear in the text length.
// It is an Aho–Corasick automaton over folded runes: failure links let the scan go on without
// backtracking, and dictionary links report the terms that end inside a longer match (他妈 inside 他妈的).
// A Screener is never modified after NewScreener, so it is safe for concurrent use.
type Screener struct {
	terms []string // distinct folded terms; a term's id is its index

	// State st's goto edges are labels[first[st]:first[st+1]], sorted, leading to the states in
	// next at the same indexes: flat slices keep the automaton compact and a lookup is a binary search.
	// State 0 is the root.
	first  []int32
	labels []rune
	next   []int32

	fail []int32 // longest proper suffix of the state's path that is also a path from the root
	out  []int32 // id of the term whose path ends at this state, or -1
	dict []int32 // nearest state along the failure chain whose out is set, or -1
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
			s.terms = append(s.terms, term)
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

// Match reports whether text contains any term (stops at the first hit).
func (s *Screener) Match(text string) bool {
	if s == nil || len(s.terms) == 0 {
		return false
	}
	var f screenFolder
	st := int32(0)
	for _, r := range text {
		out, keep, brk := f.fold(r)
		if !keep {
			continue
		}
		if brk {
			st = s.step(st, wordBreak)
		}
		st = s.step(st, out)
		if s.out[st] >= 0 || s.dict[st] >= 0 {
			return true
		}
	}
	return false
}

// Find returns the distinct terms found, in order of first occurrence (at most max; max<=0 means all).
// Terms are returned folded and ordered by where their first occurrence ends, a longer term first
// when several end at the same rune; this is the order of the scan, so Find can stop once it has max.
// It returns nil when nothing is found.
func (s *Screener) Find(text string, max int) []string {
	if s == nil || len(s.terms) == 0 {
		return nil
	}
	var found []string
	var seen []bool
	var f screenFolder
	st := int32(0)
	for _, r := range text {
		out, keep, brk := f.fold(r)
		if !keep {
			continue
		}
		if brk {
			st = s.step(st, wordBreak)
		}
		st = s.step(st, out)
		o := st
		if s.out[o] < 0 {
			o = s.dict[o]
		}
		for ; o >= 0; o = s.dict[o] {
			id := s.out[o]
			if seen == nil {
				seen = make([]bool, len(s.terms))
			}
			if seen[id] {
				// When this term was first found its whole dictionary chain was reported
				// too, so the rest is known: stopping keeps Find linear with nested terms.
				break
			}
			seen[id] = true
			found = append(found, s.terms[id])
			if len(found) == max {
				return found
			}
		}
	}
	return found
}

// Len is the number of terms.
func (s *Screener) Len() int {
	if s == nil {
		return 0
	}
	return len(s.terms)
}
