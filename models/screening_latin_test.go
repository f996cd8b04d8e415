package models

import (
	"slices"
	"testing"
)

// TestScreenerLatinWords: separators between Latin letters are skipped like any other, in text
// and terms alike, but a Latin term matches only as a whole word of the original text.
func TestScreenerLatinWords(t *testing.T) {
	cases := []struct {
		name  string
		terms []string
		text  string
		want  []string // Find(text, 0)
	}{
		{"upper case", []string{"nmsl"}, "NMSL", []string{"nmsl"}},
		{"full-width", []string{"nmsl"}, "ｎｍｓｌ", []string{"nmsl"}},
		{"space between Latin letters skipped", []string{"nmsl"}, "n m s l", []string{"nmsl"}},
		{"hyphens between Latin letters skipped", []string{"nmsl"}, "n-m-s-l", []string{"nmsl"}},
		{"Latin term after Chinese and before punctuation", []string{"nmsl"}, "傻逼nmsl!", []string{"nmsl"}},
		{"Latin term with a space matches any separator", []string{"go die"}, "go-die", []string{"godie"}},
		{"Latin term with a space matches without one", []string{"go die"}, "GODIE", []string{"godie"}},
		{"Latin term with a space matches any whitespace", []string{"fuck you"}, "FUCK 	 YOU", []string{"fuckyou"}},
		{"Latin term inside a word", []string{"shit"}, "Shitake", nil},
		{"Latin term before Chinese but inside a word", []string{"cnm"}, "Cnmall旗舰店", nil},
		{"Latin term before a hyphen but inside a word", []string{"tmd"}, "ATMD-100", nil},
		{"Latin term across words", []string{"tmd"}, "an atm demo", nil},
		{"Latin term inside a full-width word", []string{"nmsl"}, "ａｎｍｓｌ", nil},
		{"Latin term once inside a word, once whole", []string{"nmsl"}, "xnmsl nmsl", []string{"nmsl"}},
		{"Latin suffix of a whole Latin term", []string{"abc", "bc"}, "abc", []string{"abc"}},
		{"Chinese term inside Latin letters", []string{"傻b"}, "x傻bx", []string{"傻b"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewScreener(tc.terms)
			if got := s.Find(tc.text, 0); !slices.Equal(got, tc.want) {
				t.Errorf("Find(%q) = %q, want %q", tc.text, got, tc.want)
			}
			if got, want := s.Match(tc.text), len(tc.want) > 0; got != want {
				t.Errorf("Match(%q) = %v, want %v", tc.text, got, want)
			}
		})
	}
}

func TestScreenerLatinHits(t *testing.T) {
	s := NewScreener([]string{"nmsl", "go die", "傻逼"})
	for _, tc := range []struct {
		text string
		want []ScreeningHit
	}{
		{"n m s l", []ScreeningHit{{"nmsl", 0, 7}}},
		{"你去go-die吧", []ScreeningHit{{"godie", 2, 8}}},
		{"傻逼nmsl!", []ScreeningHit{{"傻逼", 0, 2}, {"nmsl", 2, 6}}},
		{"xnmsl, nmsl", []ScreeningHit{{"nmsl", 7, 11}}},
		{"nmslx", nil},
	} {
		if got := s.Hits(tc.text, 0); !slices.Equal(got, tc.want) {
			t.Errorf("Hits(%q) = %+v, want %+v", tc.text, got, tc.want)
		}
	}
}
