package models

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
	var hits []ScreeningHit
	s.scan(text, func(o int32, start, end int) int {
		hits = append(hits, ScreeningHit{Term: s.terms[s.out[o]], Start: start, End: end})
		if len(hits) == max {
			return scanStop
		}
		return scanNext
	})
	return hits
}
