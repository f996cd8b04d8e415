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
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
