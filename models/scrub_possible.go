package models

import "strings"

// Possible names: the consent check is conservative. A surname with one or two Chinese
// characters standing as a word of its own — after a break or a particle, before a break or a
// particle — may be a name even where no cue says so (…，李娜说…). Scrub leaves it (ordinary
// text would suffer), but DetectPersonalInfo reports it as ScrubPossibleName, so that staff
// see it and a case holding it is published only with the complainant's consent.

// ScrubPossibleName is a word that may be a name; only the detector reports it.
const ScrubPossibleName ScrubKind = "possible_name"

// possibleNameBefore and possibleNameAfter are the particles a possible name may stand after
// and before, besides breaks.
const (
	possibleNameBefore = "的和与及跟给让被叫是说找问向对把同了"
	possibleNameAfter  = "的说和了在是都也与及跟给把被对向就还又"
)

// possibleNames lists the possible names of the text that no span covers.
func (d *scrubDoc) possibleNames(spans []scrubSpan) []scrubSpan {
	r := d.r
	covered := make([]bool, len(r))
	for _, s := range spans {
		for i := s.start; i < s.end; i++ {
			covered[i] = true
		}
	}
	var out []scrubSpan
	for i := 0; i < len(r); i++ {
		if covered[i] || i > 0 && (r[i-1] == '*' || isHan(r[i-1]) && !strings.ContainsRune(possibleNameBefore, r[i-1]) &&
			!endsAt(r, i, allNameCueRunes)) {
			continue
		}
		if e, sl := d.possibleNameAt(i, covered); e > i {
			out = append(out, scrubSpan{start: i, end: e, kind: ScrubPossibleName, marker: string(r[i:i+sl]) + "**"})
			i = e - 1
		}
	}
	return out
}

// possibleNameAt is where a possible name starting at r[i] ends, and its surname's length; i
// when there is none.
func (d *scrubDoc) possibleNameAt(i int, covered []bool) (int, int) {
	r := d.r
	for _, sl := range []int{2, 1} {
		if !d.isSurname(i, sl) {
			continue
		}
		for g := 2; g >= 1; g-- {
			e := i + sl + g
			if e > len(r) || !d.givenOK(i+sl, e) || notNames[string(r[i+sl-1:i+sl+1])] {
				continue
			}
			free := true
			for k := i; k < e; k++ {
				free = free && !covered[k]
			}
			if !free {
				continue
			}
			if e == len(r) || !inWord(r[e]) || strings.ContainsRune(possibleNameAfter, r[e]) {
				return e, sl
			}
		}
	}
	return i, 0
}
