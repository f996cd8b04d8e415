package models

import "unicode/utf8"

// ScreeningHit is one occurrence of a listed term in a text: the term as listed (folded) and
// where it occurs in the original text, in characters (Unicode code points) from 0, End
// exclusive. The span covers whatever was put between the term's characters (傻 * 逼).
type ScreeningHit struct {
	Term  string
	Start int
	End   int
}

// Hits returns every occurrence of every term in text, in the order their ends are read (a
// longer term first when several end at the same character), at most max of them (max <= 0:
// all). It is linear in the text's length plus the number of hits returned.
func (s *Screener) Hits(text string, max int) []ScreeningHit {
	if s == nil || len(s.terms) == 0 {
		return nil
	}
	var (
		hits []ScreeningHit
		f    screenFolder
		// at holds the original index of each rune of the folded stream, so that a hit's start
		// is found from its length in folded runes.
		at []int
		st int32
		i  = -1
	)
	for _, r := range text {
		i++
		out, keep, brk := f.fold(r)
		if !keep {
			continue
		}
		if brk {
			st = s.step(st, wordBreak)
			at = append(at, i-1) // a word break stands for the whitespace just before
		}
		st = s.step(st, out)
		at = append(at, i)
		o := st
		if s.out[o] < 0 {
			o = s.dict[o]
		}
		for ; o >= 0; o = s.dict[o] {
			term := s.terms[s.out[o]]
			n := utf8.RuneCountInString(term)
			hits = append(hits, ScreeningHit{Term: term, Start: at[len(at)-n], End: i + 1})
			if len(hits) == max {
				return hits
			}
		}
	}
	return hits
}
