package models

import (
	"regexp"
	"strings"
)

// The scrubber's addresses: the street-level part — the street and its number, the estate,
// building, unit and room — is hidden, the divisions before it (省, 市, 区, 县) stay:
// 北京市朝阳区建国路88号3号楼1201室 → 北京市朝阳区****.

const (
	addrNumber = `[0-9０-９一二三四五六七八九十百零〇]+(?:[-－][0-9０-９]+)?`
	addrDetail = `(?:[0-9０-９A-Za-z一二三四五六七八九十]+(?:号楼|栋|幢|座|单元|层|楼|室|号|户))*(?:[0-9０-９]{3,5}室?)?`
	// addressWalk bounds the name of a street or estate read leftwards from its number.
	addressWalk = 15
	// addressCueText bounds the text after an address cue.
	addressCueText = 40
)

// addressAnchorRe finds where an address becomes precise: a street with its number
// (建国路88号), a numbered building (3号楼, 5栋), a village's group (张村3组), each with the
// units after it. A building alone is enough, a unit or a seat alone is not (第3单元 of a
// course, a 7座 car).
var addressAnchorRe = regexp.MustCompile(`(?:大道|大街|路|街|巷|弄|胡同|道)` + addrNumber + `(?:号|弄)` + addrDetail +
	`|[0-9０-９A-Za-z]+(?:号楼|栋|幢)` + addrDetail +
	`|村` + addrNumber + `(?:组|队|社)` + addrDetail +
	`|` + addrEstate + `[ 　]?` + addrUnit + `(?:[ 　]?` + addrUnit + `)*` +
	`|[0-9０-９]+单元[0-9０-９]+室?` + addrDetail +
	`|[0-9０-９]+室`)

// An estate's name ends in one of addrEstate; the numbers after it are its building, unit and
// room (阳光小区3单元502室, 阳光小区3-2-502, 万达广场B座1801, 望京SOHO T1 1201, XX公寓1201).
const (
	addrEstate = `(?:小区|公寓|花园|苑|广场|大厦|园|SOHO|中心)`
	addrUnit   = `(?:[0-9０-９A-Za-z]+(?:号楼|栋|幢|座|单元|层|楼|室|号|户)|[0-9０-９]{1,2}[-－][0-9０-９]{1,2}(?:[-－][0-9０-９]{3,4})?|T[0-9０-９]+|[0-9０-９]{3,4}室?)`
)

var addressCueRunes = runeLists(addressCues)

// addressSpans finds the precise parts of addresses: each anchor with the street's or
// estate's name before it, and what follows an address cue (地址：…) after its divisions.
func (d *scrubDoc) addressSpans(out []scrubSpan) []scrubSpan {
	s := string(d.r)
	if strings.ContainsAny(s, "路街巷弄胡同道栋幢楼村区寓园苑场厦心元室O") {
		idx := runeIndex(s)
		for _, m := range addressAnchorRe.FindAllStringIndex(s, -1) {
			a, e := idx[m[0]], idx[m[1]]
			if e < len(d.r) && isDigitRune(d.r[e]) {
				continue // a longer number (服务中心12315) is no room
			}
			out = append(out, scrubSpan{start: d.walkLeft(a), end: e, kind: ScrubAddress, marker: "****"})
		}
	}
	r := d.r
	for p := range r {
		for _, cue := range addressCueRunes {
			if !hasAt(r, p, cue) {
				continue
			}
			if sp, ok := d.cuedAddress(p + len(cue)); ok {
				out = append(out, sp)
			}
			break
		}
	}
	return out
}

// walkLeft extends an anchor at r[a] over the name before it, up to a division's end, a stop
// or addressWalk characters.
func (d *scrubDoc) walkLeft(a int) int {
	k := a
	for k > 0 && a-k < addressWalk {
		c := d.r[k-1]
		if strings.ContainsRune(addressStops, c) || !(isHan(c) || asciiAlnumRune(c) || c == '·' || c == '-') || d.adminEnd(k-1) {
			break
		}
		k--
	}
	return k
}

// adminEnd reports whether r[i] ends a division that stays (朝阳区, not 幸福小区).
func (d *scrubDoc) adminEnd(i int) bool {
	c := d.r[i]
	if !strings.ContainsRune(adminSuffixes, c) {
		return false
	}
	return c != '区' || i == 0 || !strings.ContainsRune(notAdminBeforeQ, d.r[i-1])
}

// cuedAddress is the address after a cue ending at r[p] — 地址：, 收货地址是 — up to the end of
// its clause, without its divisions; nothing when no filler follows the cue (地址错误), when
// the text has neither a division nor an address's character or digit (地址是对的), or when it
// is scrubbed already.
func (d *scrubDoc) cuedAddress(p int) (scrubSpan, bool) {
	r := d.r
	q, filled := p, false
	for q < len(r) && q-p < 3 && strings.ContainsRune(" \t：:是为在", r[q]) {
		filled = filled || strings.ContainsRune("：:是为", r[q])
		q++
	}
	end := q
	for end < len(r) && end-q < addressCueText && !strings.ContainsRune(addressEnds, r[end]) {
		end++
	}
	if !filled || end == q {
		return scrubSpan{}, false
	}
	pre := d.divisions(q, end)
	if pre == end || r[pre] == '*' {
		return scrubSpan{}, false
	}
	if pre == q && !strings.ContainsAny(string(r[q:end]), addressChars+"0123456789０１２３４５６７８９") {
		return scrubSpan{}, false
	}
	return scrubSpan{start: pre, end: end, kind: ScrubAddress, marker: "****"}, true
}

// divisions skips the divisions at r[q:end] (广东省深圳市南山区), each a few characters ending
// in an administrative suffix, and returns where the rest starts.
func (d *scrubDoc) divisions(q, end int) int {
	p := q
	for {
		found := -1
		for k := p; k < end && k < p+9; k++ {
			if !isHan(d.r[k]) {
				break
			}
			if k > p && d.adminEnd(k) {
				found = k
				break
			}
		}
		if found < 0 {
			return p
		}
		p = found + 1
	}
}

// runeIndex maps each byte offset of s that starts a rune (and len(s)) to the rune's index.
func runeIndex(s string) []int {
	idx := make([]int, len(s)+1)
	n := 0
	for i := range s {
		idx[i] = n
		n++
	}
	idx[len(s)] = n
	return idx
}
