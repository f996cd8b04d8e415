package models

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxPlatformNameKey bounds a normalised platform name, the width of its unique index.
const MaxPlatformNameKey = 255

// PlatformNameKey is the form in which two platform names are the same name: Unicode NFKC
// (full-width letters, digits and spaces become their usual forms), lower case, white space
// trimmed and every inner run of it one space. "ＪＤ", "jd" and " JD " share one key.
func PlatformNameKey(name string) string {
	s := strings.ToLower(norm.NFKC.String(name))
	var b strings.Builder
	var last rune
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		// A space separates words only between Latin letters or digits (JD Health); between
		// Chinese characters it is not part of the name (京 东 is 京东).
		if space && asciiAlnum(last) && asciiAlnum(r) {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
		last = r
	}
	return b.String()
}

func asciiAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
