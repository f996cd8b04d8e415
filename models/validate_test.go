package models

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000": "13800138000", "+8613800138000": "13800138000", "19912345678": "19912345678",
		" 15000000000 ": "15000000000",
	} {
		if got, ok := NormalizePhone(in); !ok || got != want {
			t.Errorf("%q: %q %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "12800138000", "1380013800", "138001380000", "+85213800138000", "8613800138000",
		"+86 13800138000", "1380013800a", "１３８００１３８０００", "138 0013 8000"} {
		if got, ok := NormalizePhone(in); ok {
			t.Errorf("%q accepted as %q", in, got)
		}
	}
}

func TestText(t *testing.T) {
	cases := []struct {
		s        string
		min, max int
		ok       bool
	}{
		{"你好世界！", 5, 5, true},
		{"你好世界", 5, 10, false},
		{strings.Repeat("字", 100), 5, 100, true},
		{strings.Repeat("字", 101), 5, 100, false},
		{"tab\tand\nnewline ok", 1, 100, true},
		{"crlf\r\nas browsers send it", 1, 100, true},
		{"lone\rcarriage return", 1, 100, false},
		{"ends with cr\r", 1, 100, false},
		{"  ab   ", 5, 100, false},
		{"  abcde   ", 5, 5, true},
		{"nul\x00", 1, 100, false},
		{"bell\x07", 1, 100, false},
		{"del\x7f", 1, 100, false},
		{"\u0085next line", 1, 100, false},
		{"   ", 1, 10, false},
		{"", 0, 10, true},
		{string([]byte{0xff, 0xfe}), 0, 10, false},
	}
	for _, tc := range cases {
		var v Validator
		if got := v.Text("f", tc.s, tc.min, tc.max); got != tc.ok || (v.Err() == nil) != tc.ok {
			t.Errorf("%q [%d,%d]: %v, want %v", tc.s, tc.min, tc.max, got, tc.ok)
		}
	}
}

func TestEmail(t *testing.T) {
	for in, want := range map[string]string{"A@Example.com": "a@example.com", " x.y+z@d.cn ": "x.y+z@d.cn"} {
		if got, ok := NormalizeEmail(in); !ok || got != want {
			t.Errorf("%q: %q %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "nope", "Name <a@b.cn>", "a@", "@b.cn", "a@b.cn\x00", strings.Repeat("a", 251) + "@b.cn"} {
		if _, ok := NormalizeEmail(in); ok {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := EncodeCursor("2026-11-26T08:00:00Z", "abc")
	keys, err := DecodeCursor(c, 2)
	if err != nil || keys[0] != "2026-11-26T08:00:00Z" || keys[1] != "abc" {
		t.Fatalf("%v %v", keys, err)
	}
	if _, err := DecodeCursor(c, 1); err == nil {
		t.Fatal("a two-key cursor passed for one key")
	}
	if k, err := DecodeCursor("", 1); k != nil || err != nil {
		t.Fatal("the empty cursor is the first page")
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"13800138000", "+8613800138000", "", "+86", "1", "１３８"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := NormalizePhone(s)
		if !ok {
			return
		}
		if len(p) != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9' {
			t.Fatalf("%q normalised to %q", s, p)
		}
		if again, ok := NormalizePhone(p); !ok || again != p {
			t.Fatalf("normalising is not stable: %q -> %q", p, again)
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(EncodeCursor("a"))
	f.Add(EncodeCursor("a", "b"))
	f.Add("bogus")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := DecodeCursor(s, 1)
		if err != nil {
			if !strings.Contains(err.Error(), "invalid_cursor") {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		for _, k := range keys {
			if k == "" || !utf8.ValidString(k) || ControlChar(k) {
				t.Fatalf("cursor %q yielded key %q", s, k)
			}
		}
	})
}

func FuzzText(f *testing.F) {
	f.Add("你好", 1, 10)
	f.Add("\x00", 0, 5)
	f.Fuzz(func(t *testing.T, s string, minLen, maxLen int) {
		var v Validator
		if v.Text("f", s, minLen, maxLen) {
			n := utf8.RuneCountInString(strings.TrimSpace(s))
			if n > maxLen || n < minLen || ControlChar(s) || !utf8.ValidString(s) {
				t.Fatalf("%q accepted for [%d,%d]", s, minLen, maxLen)
			}
		}
	})
}
