package models

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

var naiveT2S = sync.OnceValue(func() *opencc.OpenCC {
	cc, err := opencc.New("t2s")
	if err != nil {
		panic(err)
	}
	return cc
})

// naiveFold is an independent statement of the folding rules: width, case, traditional forms
// (converted by OpenCC itself, one character at a time), separators dropped. It returns the
// folded runes and, for each, its index in the original text's runes.
func naiveFold(s string) ([]rune, []int) {
	cc := naiveT2S()
	var kept []rune
	var at []int
	for i, r := range []rune(s) {
		switch {
		case 'A' <= r && r <= 'Z':
			r = r - 'A' + 'a'
		case 'Ａ' <= r && r <= 'Ｚ':
			r = r - 'Ａ' + 'a'
		case '！' <= r && r <= '～':
			r = r - '！' + '!'
		}
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsMark(r) || unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Co) {
			continue
		}
		if r > 0x7f {
			if c, err := cc.Convert(string(r)); err == nil && utf8.RuneCountInString(c) == 1 {
				r, _ = utf8.DecodeRuneInString(c)
			}
			r = unicode.ToLower(r)
		}
		kept = append(kept, r)
		at = append(at, i)
	}
	return kept, at
}

// naiveFind finds each term at every position of the folded text, keeps an occurrence of a
// term of ASCII letters and digits only when no such letter or digit (of either width) touches
// it in the original text, then orders the terms like Find: by where the first occurrence
// ends, longer first at the same end. Valid UTF-8 only.
func naiveFind(terms []string, text string, max int) []string {
	folded, at := naiveFold(text)
	orig := []rune(text)
	word := func(i int) bool {
		if i < 0 || i >= len(orig) {
			return false
		}
		r := orig[i]
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
			'ａ' <= r && r <= 'ｚ' || 'Ａ' <= r && r <= 'Ｚ' || '０' <= r && r <= '９'
	}
	type hit struct {
		term string
		end  int
	}
	var hits []hit
	seen := make(map[string]bool)
	for _, term := range terms {
		t, _ := naiveFold(term)
		if len(t) == 0 || seen[string(t)] {
			continue
		}
		seen[string(t)] = true
		latin := !slices.ContainsFunc(t, func(r rune) bool { return !('a' <= r && r <= 'z' || '0' <= r && r <= '9') })
		for i := 0; i+len(t) <= len(folded); i++ {
			if !slices.Equal(folded[i:i+len(t)], t) {
				continue
			}
			if latin && (word(at[i]-1) || word(at[i+len(t)-1]+1)) {
				continue
			}
			hits = append(hits, hit{string(t), i + len(t)})
			break
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.end != b.end {
			return a.end - b.end
		}
		return len([]rune(b.term)) - len([]rune(a.term))
	})
	var found []string
	for _, h := range hits {
		if max > 0 && len(found) == max {
			break
		}
		found = append(found, h.term)
	}
	return found
}

func TestScreenerMatchesNaive(t *testing.T) {
	// Small alphabets so that random terms do occur in random texts, with case and width variants.
	// Separators, and a traditional form of 妈, in texts and terms alike.
	textAlphabet := []rune("abAＢａ他妈媽的 *。-")
	termAlphabet := []rune("abBｂ他妈媽的 ")
	randString := func(r *rand.Rand, alphabet []rune, n int) string {
		rs := make([]rune, n)
		for i := range rs {
			rs[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(rs)
	}
	r := rand.New(rand.NewPCG(1, 2))
	hits := 0
	for i := range 3000 {
		terms := make([]string, 1+r.IntN(6))
		for j := range terms {
			terms[j] = randString(r, termAlphabet, 1+r.IntN(4))
		}
		s := NewScreener(terms)
		for range 5 {
			text := randString(r, textAlphabet, r.IntN(30))
			max := r.IntN(4)
			want := naiveFind(terms, text, max)
			if got := s.Find(text, max); !slices.Equal(got, want) {
				t.Fatalf("case %d: terms %q, Find(%q, %d) = %q, want %q", i, terms, text, max, got, want)
			}
			if got, want := s.Match(text), len(naiveFind(terms, text, 0)) > 0; got != want {
				t.Fatalf("case %d: terms %q, Match(%q) = %v, want %v", i, terms, text, got, want)
			}
			if len(want) > 0 {
				hits++
			}
		}
	}
	if hits < 1000 {
		t.Errorf("only %d of 15000 random texts had a hit; the alphabets are too large", hits)
	}
}

func FuzzScreener(f *testing.F) {
	shipped := loadShipped(f)
	for _, seed := range [][2]string{
		{"他妈\n他妈的\n妈的", "你他妈的"},
		{"nmsl\n# comment\n\n傻b", "ＮＭＳＬ傻Ｂ"},
		{"a\naa\naaa", "aaaaaaa"},
		{"abcd\nbcx", "abcx"},
		{"", "这家店主是个傻逼"},
		{"\xff", "\xfe\xff"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, words, text string) {
		terms := ParseWordList(words)
		own := NewScreener(terms)
		for _, s := range []*Screener{own, shipped} {
			all := s.Find(text, 0)
			if s.Match(text) != (len(all) > 0) {
				t.Fatalf("Match(%q) = %v but Find = %q", text, s.Match(text), all)
			}
			if len(all) > s.Len() {
				t.Fatalf("Find(%q) returned %d terms of %d", text, len(all), s.Len())
			}
			for k := 1; k <= 2; k++ {
				if got := s.Find(text, k); !slices.Equal(got, all[:min(k, len(all))]) {
					t.Fatalf("Find(%q, %d) = %q, not a prefix of %q", text, k, got, all)
				}
			}
		}
		if utf8.ValidString(words) && utf8.ValidString(text) {
			if got, want := own.Find(text, 0), naiveFind(terms, text, 0); !slices.Equal(got, want) {
				t.Fatalf("terms %q, Find(%q) = %q, naive %q", terms, text, got, want)
			}
		}
	})
}
