package models

import "testing"

func TestPlatformNameKey(t *testing.T) {
	same := [][]string{
		{"淘宝", "淘宝 ", " 淘宝", "淘宝\u3000"},
		{"JD", "jd", "ＪＤ", "ｊｄ", " Jd "},
		{"京东 JD", "京东  jd", "京东\u3000ＪＤ", "京东JD"},
		// Spaces between Chinese characters are not part of a name.
		{"京东", "京 东", "京\u3000东", " 京  东 "},
		{"拼多多123", "拼多多１２３"},
	}
	for _, group := range same {
		for _, n := range group[1:] {
			if PlatformNameKey(n) != PlatformNameKey(group[0]) {
				t.Errorf("%q and %q have different keys: %q, %q", group[0], n, PlatformNameKey(group[0]), PlatformNameKey(n))
			}
		}
	}
	for _, pair := range [][2]string{{"淘宝", "天猫"}, {"jd health", "jdhealth"}, {"jd", "jd2"}} {
		if PlatformNameKey(pair[0]) == PlatformNameKey(pair[1]) {
			t.Errorf("%q and %q share the key %q", pair[0], pair[1], PlatformNameKey(pair[0]))
		}
	}
}

func TestServicePhone(t *testing.T) {
	for _, c := range []struct {
		phone string
		ok    bool
	}{
		{"13800138000", true},
		{"+8613800138000", true},
		{"19912345678", true},
		{"12800138000", false}, // 12 is no mobile prefix
		{"1380013800", false},
		{"010-12345678", true},
		{"01012345678", true},
		{"0755-1234567", true},
		{"0571-88157858-1234", true},
		{"010-1234567-", false},
		{"10-12345678", false},
		{"010-123456", false},
		{"400-123-4567", true},
		{"4001234567", true},
		{"800-820-8820", true},
		{"400-12-34567", false},
		{"500-123-4567", false},
		{"95188", true},
		{"950618", true},
		{"96677", true},
		{"9518", false},
		{"9518888", false},
		{"97188", false},
		{"abc", false},
		{"", false},
		{"95188 ", false}, // callers trim first
		{"１３８００１３８０００", false},
	} {
		if got := ServicePhone(c.phone); got != c.ok {
			t.Errorf("ServicePhone(%q) = %v, want %v", c.phone, got, c.ok)
		}
	}
}

// FuzzServicePhone: whatever is accepted is a short string of digits, with at most a leading
// +86 and hyphens between groups, and never changes under trimming.
func FuzzServicePhone(f *testing.F) {
	for _, s := range []string{"95188", "010-12345678", "400-123-4567", "+8613800138000", "abc", "0571-88157858-1234"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ServicePhone(s) {
			return
		}
		if len(s) > 20 {
			t.Fatalf("%q accepted, %d bytes", s, len(s))
		}
		for i, r := range s {
			if !(r >= '0' && r <= '9') && r != '-' && !(r == '+' && i == 0) {
				t.Fatalf("%q accepted with %q", s, r)
			}
		}
	})
}

// TestContactRulesRefuseWhatNobodyAnswers: an area code starting 00 and addresses without a
// domain name parse, but nobody answers them.
func TestContactRulesRefuseWhatNobodyAnswers(t *testing.T) {
	for _, p := range []string{"0000-0000000", "00-12345678", "0012345678"} {
		if ServicePhone(p) {
			t.Errorf("ServicePhone(%q) = true", p)
		}
	}
	for _, e := range []string{"a@b", "x@localhost", "a@-b.com", "a@b-.com", "a@[1.2.3.4]", "a@b.c", "a@1.2.3.4"} {
		if _, ok := NormalizeEmail(e); ok {
			t.Errorf("NormalizeEmail(%q) accepted", e)
		}
	}
	for _, e := range []string{"kefu@jd.com", "service@mail.taobao.com", "a.b+c@xn--fiqs8s.cn"} {
		if _, ok := NormalizeEmail(e); !ok {
			t.Errorf("NormalizeEmail(%q) refused", e)
		}
	}
}
