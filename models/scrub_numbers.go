package models

import "strings"

// The scrubber's numbers: phones, ID cards, bank cards, order numbers, and e-mail addresses.

var (
	phoneCueRunes  = runeLists(phoneCues)
	orderCueRunes  = runeLists(orderCues)
	bankCueRunes   = runeLists(bankCues)
	idCardCueRunes = runeLists(idCardCues)
)

// numberCueGap is how many fillers may stand between a cue and its number (订单号码：TB…).
const numberCueGap = 4

// isNumberSep is a separator people put inside a number: spaces and dashes.
func isNumberSep(r rune) bool {
	switch r {
	case ' ', '-', '\u00a0', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u3000', '－':
		return true
	}
	return false
}

// numberSpans reads the text's tokens — runs of Latin letters and digits, with single
// separators between digits — and keeps those that are personal information.
func (d *scrubDoc) numberSpans(out []scrubSpan) []scrubSpan {
	r := d.r
	for i := 0; i < len(r); {
		if !asciiAlnumRune(r[i]) {
			i++
			continue
		}
		j := i
		for j < len(r) {
			if asciiAlnumRune(r[j]) {
				j++
				continue
			}
			if isNumberSep(r[j]) && isDigitRune(r[j-1]) && j+1 < len(r) && isDigitRune(r[j+1]) {
				j++
				continue
			}
			break
		}
		if s, ok := d.classifyToken(i, j); ok {
			out = append(out, s)
		}
		i = j
	}
	return out
}

// token is a number token's digits (normalised to ASCII) and where they are.
type token struct {
	raw     []rune
	digits  string
	at      []int // index in raw of each digit
	groups  []int // lengths of the runs of digits between separators
	letters int
}

func readToken(raw []rune) token {
	t := token{raw: raw}
	var b strings.Builder
	run := 0
	for i, c := range raw {
		if v, ok := digitOf(c); ok {
			b.WriteByte(v)
			t.at = append(t.at, i)
			run++
			continue
		}
		if run > 0 {
			t.groups = append(t.groups, run)
			run = 0
		}
		if asciiLetter(c) {
			t.letters++
		}
	}
	if run > 0 {
		t.groups = append(t.groups, run)
	}
	t.digits = b.String()
	return t
}

// keep writes the token's digits from..to (indexes of digits) as they were written.
func (t token) keep(from, to int) string {
	var b strings.Builder
	for _, i := range t.at[from:to] {
		b.WriteRune(t.raw[i])
	}
	return b.String()
}

// tail is "****" and the last four digits.
func (t token) tail() string { return "****" + t.keep(len(t.at)-4, len(t.at)) }

// classifyToken decides what the token r[start:end] is, if anything personal.
func (d *scrubDoc) classifyToken(start, end int) (scrubSpan, bool) {
	t := readToken(d.r[start:end])
	n := len(t.digits)
	span := func(kind ScrubKind, marker string) (scrubSpan, bool) {
		return scrubSpan{start: start, end: end, kind: kind, marker: marker}, true
	}
	cue := func(cues [][]rune) bool { return cueBefore(d.r, start, cues, cueFillers, numberCueGap) }
	if t.letters > 0 {
		last := t.raw[len(t.raw)-1]
		if t.letters == 1 && n == 17 && (last == 'X' || last == 'x') && len(t.groups) == 1 && validIDCard(t.digits+"X") {
			return span(ScrubIDCard, strings.Repeat("*", 14)+t.keep(14, 17)+string(last))
		}
		if n >= 8 {
			return span(ScrubOrderNo, t.tail())
		}
		if n >= 4 && len(t.raw) >= 6 && cue(orderCueRunes) {
			return span(ScrubOrderNo, "****")
		}
		return scrubSpan{}, false
	}
	// A mobile, perhaps after the country code (86, 0086; the + stays outside the token).
	core, pre := "", 0
	switch {
	case n == 11:
		core = t.digits
	case n == 13 && strings.HasPrefix(t.digits, "86"):
		core, pre = t.digits[2:], 2
	case n == 15 && strings.HasPrefix(t.digits, "0086"):
		core, pre = t.digits[4:], 4
	}
	if core != "" && (mobileRe.MatchString(core) || d.phones[core]) {
		return span(ScrubMobile, string(t.raw[:t.at[pre]])+t.keep(pre, pre+3)+"****"+t.keep(n-4, n))
	}
	switch {
	case n == 18 && validIDCard(t.digits):
		return span(ScrubIDCard, strings.Repeat("*", 14)+t.keep(14, 18))
	case n >= 16 && n <= 19 && luhn(t.digits):
		return span(ScrubBankCard, t.tail())
	}
	if a := d.bracketedArea(start); a >= 0 && (n == 7 || n == 8) {
		return scrubSpan{start: a, end: end, kind: ScrubLandline, marker: string(d.r[a:start]) + t.tail()}, true
	}
	if area, sub := landline(t); area > 0 {
		return span(ScrubLandline, t.keep(0, area)+"-****"+t.keep(sub-4, sub))
	}
	switch {
	case n >= 15 && cue(idCardCueRunes):
		return span(ScrubIDCard, strings.Repeat("*", 14)+t.keep(n-4, n))
	case n >= 8 && cue(bankCueRunes):
		return span(ScrubBankCard, t.tail())
	case n >= 6 && cue(orderCueRunes):
		if n >= 8 {
			return span(ScrubOrderNo, t.tail())
		}
		return span(ScrubOrderNo, "****")
	case n >= 7 && n <= 12 && !hotline(t.digits) && cue(phoneCueRunes):
		return span(ScrubLandline, t.tail())
	case n >= 12:
		return span(ScrubOrderNo, t.tail())
	}
	return scrubSpan{}, false
}

// mobileRe is a mainland mobile number's 11 digits.
var mobileRe = phoneRe

// landline reads a landline number with its area code (010-12345678, 0755 1234567,
// 01012345678, with an optional -extension): the area code's length and where the subscriber's
// number ends (its digits before any extension); 0, 0 when the token is none.
func landline(t token) (area, end int) {
	g, n := t.groups, len(t.digits)
	if n < 10 || t.digits[0] != '0' || t.digits[1] == '0' {
		return 0, 0
	}
	if len(g) >= 2 && (g[0] == 3 || g[0] == 4) && (g[1] == 7 || g[1] == 8) && (len(g) == 2 || len(g) == 3 && g[2] <= 6) {
		return g[0], g[0] + g[1]
	}
	area = 4
	if t.digits[1] == '1' || t.digits[1] == '2' {
		area = 3
	}
	if sub := n - area; sub == 7 || sub == 8 {
		return area, n
	}
	return 0, 0
}

// bracketedArea is where an area code in brackets right before r[start] begins — (021) or
// （0755） —, or -1.
func (d *scrubDoc) bracketedArea(start int) int {
	r, i := d.r, start-1
	if i < 1 || r[i] != ')' && r[i] != '）' {
		return -1
	}
	j := i
	for j > 0 && isDigitRune(r[j-1]) {
		j--
	}
	if l := i - j; l != 3 && l != 4 || r[j] != '0' && r[j] != '０' || j == 0 || r[j-1] != '(' && r[j-1] != '（' {
		return -1
	}
	return j - 1
}

// hotline is a business's service number (400/800), which is no one's personal information.
func hotline(digits string) bool {
	return len(digits) == 10 && (strings.HasPrefix(digits, "400") || strings.HasPrefix(digits, "800"))
}

// validIDCard checks the check character of an 18-character resident ID number (GB 11643).
func validIDCard(s string) bool {
	if len(s) != 18 {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		sum += int(s[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11] == s[17]
}

// luhn checks a bank card number's check digit.
func luhn(digits string) bool {
	sum := 0
	for i := range len(digits) {
		v := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

// emailSpans finds e-mail addresses and keeps the first character of the name and the domain:
// zhangsan@qq.com → z***@qq.com. Full-width letters, digits and ＠ are read as their ASCII
// forms, 。 between the domain's labels as a dot, and a name may be written in Chinese
// characters (张三@qq.com), up to a stop (邮箱是张三@…).
func (d *scrubDoc) emailSpans(out []scrubSpan) []scrubSpan {
	r := foldWidth(d.r)
	for at, c := range r {
		if c != '@' {
			continue
		}
		ls := at
		for ls > 0 && emailLocal(r[ls-1]) {
			ls--
		}
		if ls == at { // a name in Chinese characters
			for ls > 0 && at-ls < emailHanName && isHan(r[ls-1]) && !nameStopSet[r[ls-1]] {
				ls--
			}
		}
		de := at + 1
		for de < len(r) && (asciiLetter(r[de]) || r[de] >= '0' && r[de] <= '9' || r[de] == '.' || r[de] == '-' ||
			r[de] == '。' && domainLabelAt(r, de+1)) {
			de++
		}
		for de > at+1 && (r[de-1] == '.' || r[de-1] == '-') {
			de--
		}
		domain := strings.ReplaceAll(string(r[at+1:de]), "。", ".")
		dot := strings.LastIndexByte(domain, '.')
		if ls == at || dot <= 0 || len(domain)-dot-1 < 2 || strings.Contains(domain, "..") || domain[0] == '-' {
			continue
		}
		out = append(out, scrubSpan{start: ls, end: de, kind: ScrubEmail, marker: string(d.r[ls]) + "***@" + domain})
	}
	return out
}

// emailHanName bounds a name in Chinese characters before an @.
const emailHanName = 4

// domainLabelAt reports whether a domain's label (a letter, then letters, digits or dashes)
// starts at r[i].
func domainLabelAt(r []rune, i int) bool { return i < len(r) && asciiLetter(r[i]) }

// foldWidth reads full-width ASCII (ｚｈａｎｇ, ＠, ．) as ASCII, character for character.
func foldWidth(r []rune) []rune {
	out := make([]rune, len(r))
	for i, c := range r {
		if c >= '！' && c <= '～' {
			c -= '！' - '!'
		}
		out[i] = c
	}
	return out
}

func emailLocal(c rune) bool {
	return asciiLetter(c) || c >= '0' && c <= '9' || strings.ContainsRune("._%+-", c)
}
