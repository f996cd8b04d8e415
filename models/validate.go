package models

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Validator collects field errors so that a request reports every invalid field at once.
type Validator struct {
	fields []FieldError
}

// Add records a field error.
func (v *Validator) Add(field, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns the collected validation error, or nil when every field passed.
func (v *Validator) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Kind: KindValidation, Code: "validation_failed", Detail: "the request has invalid fields", Fields: v.fields}
}

// Text checks a string's length in characters and its characters: NUL and other control
// characters except tab and newline (LF, or CRLF as browsers send it) are refused. The length
// is that of the text without surrounding white space, which is how services store it. A min
// of 0 makes the field optional.
func (v *Validator) Text(field, s string, minLen, maxLen int) bool {
	if !utf8.ValidString(s) {
		v.Add(field, "must be valid UTF-8")
		return false
	}
	if bad := ControlChar(s); bad {
		v.Add(field, "must not contain control characters")
		return false
	}
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	if minLen > 0 && n == 0 {
		v.Add(field, "is required")
		return false
	}
	if n < minLen {
		v.Add(field, "must be at least %d characters", minLen)
		return false
	}
	if n > maxLen {
		v.Add(field, "must be at most %d characters", maxLen)
		return false
	}
	return true
}

// ControlChar reports whether s holds a control character other than tab and newline; a
// carriage return counts as part of a newline only when a line feed follows it.
func ControlChar(s string) bool {
	for i, r := range s {
		switch {
		case r == '\t' || r == '\n':
		case r == '\r':
			if i+1 >= len(s) || s[i+1] != '\n' {
				return true
			}
		case unicode.IsControl(r):
			return true
		}
	}
	return false
}

var phoneRe = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// NormalizePhone accepts a mainland mobile number, optionally prefixed with +86, and returns
// its 11 digits.
func NormalizePhone(s string) (string, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "+86")
	if !phoneRe.MatchString(s) {
		return "", false
	}
	return s, true
}

// Phone validates and normalises a phone field.
func (v *Validator) Phone(field, s string) string {
	if s == "" {
		v.Add(field, "is required")
		return ""
	}
	p, ok := NormalizePhone(s)
	if !ok {
		v.Add(field, "must be a mainland mobile number (1[3-9] followed by 9 digits, optional +86)")
	}
	return p
}

// NormalizeEmail lower-cases and checks an e-mail address.
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 255 || ControlChar(s) {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", false
	}
	// mail.ParseAddress takes what RFC 5322 allows (a@b, x@localhost, a@[1.2.3.4]); an address
	// someone can write to has a domain name.
	if _, domain, _ := strings.Cut(s, "@"); !emailDomainRe.MatchString(domain) {
		return "", false
	}
	return s, true
}

// Email validates and normalises an e-mail field.
func (v *Validator) Email(field, s string) string {
	if s == "" {
		v.Add(field, "is required")
		return ""
	}
	e, ok := NormalizeEmail(s)
	if !ok {
		v.Add(field, "must be an e-mail address")
	}
	return e
}

// MaxPasswordBytes is bcrypt's limit: it refuses longer input rather than ignoring the rest.
const MaxPasswordBytes = 72

// Password checks the length rules of passwords: 8 to 128 characters and at most 72 bytes in
// UTF-8 (24 Chinese characters).
func (v *Validator) Password(field, s string) {
	if v.Text(field, s, 8, 128) && len(s) > MaxPasswordBytes {
		v.Add(field, "must be at most %d bytes in UTF-8 (about 24 Chinese characters)", MaxPasswordBytes)
	}
}

var (
	// An area code is 0 and two or three digits, the first not 0 (010, 0755).
	landlineRe = regexp.MustCompile(`^0[1-9][0-9]{1,2}-?[0-9]{7,8}(-[0-9]{1,6})?$`)
	// A domain of at least two labels, letters, digits and inner hyphens, ending in a name.
	emailDomainRe = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	hotlineRe     = regexp.MustCompile(`^[48]00-?[0-9]{3}-?[0-9]{4}$`)
	serviceRe     = regexp.MustCompile(`^9[56][0-9]{3,4}$`)
)

// ServicePhone reports whether s is a number an after-sales team answers: a mainland mobile
// (1[3-9] + 9 digits, optional +86), a landline with its area code (010-12345678, 0755-1234567,
// with an optional -extension, or without the hyphen), a 400/800 service number
// (400-123-4567) or a 95xxx/96xxx service number of 5 or 6 digits (95188).
func ServicePhone(s string) bool {
	if _, ok := NormalizePhone(s); ok {
		return true
	}
	return landlineRe.MatchString(s) || hotlineRe.MatchString(s) || serviceRe.MatchString(s)
}
