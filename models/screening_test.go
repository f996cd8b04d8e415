package models

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

const shippedWordList = "../config/screening_words.txt"

func loadShipped(tb testing.TB) *Screener {
	tb.Helper()
	data, err := os.ReadFile(shippedWordList)
	if err != nil {
		tb.Fatal(err)
	}
	return NewScreener(ParseWordList(string(data)))
}

func TestScreener(t *testing.T) {
	cases := []struct {
		name  string
		terms []string
		text  string
		want  []string // Find(text, 0)
	}{
		{"simplified hit", []string{"傻逼", "他妈的"}, "这家店主是个傻逼", []string{"傻逼"}},
		{"traditional hit", []string{"他媽的", "殺你全家"}, "再不退款我就殺你全家", []string{"杀你全家"}},
		{"traditional term matches simplified text", []string{"殺你全家"}, "杀你全家", []string{"杀你全家"}},
		{"simplified term matches traditional text", []string{"他妈的"}, "你他媽的", []string{"他妈的"}},
		{"mixed traditional and simplified", []string{"傻逼", "贱逼"}, "賤逼", []string{"贱逼"}},
		{"miss", []string{"傻逼", "他妈的"}, "商品质量很好，物流也快", nil},
		{"overlapping", []string{"他妈", "他妈的", "妈的"}, "你他妈的", []string{"他妈", "他妈的", "妈的"}},
		{"same end, longer first", []string{"的", "妈的", "他妈的"}, "他妈的", []string{"他妈的", "妈的", "的"}},
		{"term inside a prefix of a longer term", []string{"他妈的", "妈"}, "他妈", []string{"妈"}},
		{"failure link to another branch", []string{"甲乙丙丁", "乙丙戊"}, "甲乙丙戊", []string{"乙丙戊"}},
		{"at start", []string{"傻逼"}, "傻逼商家", []string{"傻逼"}},
		{"at end", []string{"傻逼"}, "商家傻逼", []string{"傻逼"}},
		{"whole text", []string{"傻逼"}, "傻逼", []string{"傻逼"}},
		{"text shorter than term", []string{"傻逼"}, "傻", nil},
		{"upper case", []string{"nmsl"}, "NMSL", []string{"nmsl"}},
		{"full-width", []string{"nmsl"}, "ｎｍｓｌ", []string{"nmsl"}},
		{"full-width upper case", []string{"nmsl"}, "客服ＮＭＳＬ", []string{"nmsl"}},
		{"mixed widths and cases", []string{"nmsl"}, "NmＳｌ", []string{"nmsl"}},
		{"term folded too", []string{"ＮＭＳＬ"}, "nmsl", []string{"nmsl"}},
		{"full-width letter in Chinese term", []string{"傻b"}, "你个傻Ｂ", []string{"傻b"}},
		{"spaces skipped", []string{"傻逼"}, "你个傻 逼", []string{"傻逼"}},
		{"ideographic and repeated spaces skipped", []string{"傻逼"}, "傻　 	逼", []string{"傻逼"}},
		{"symbol skipped", []string{"傻逼"}, "傻*逼", []string{"傻逼"}},
		{"dot skipped", []string{"傻逼"}, "傻.逼", []string{"傻逼"}},
		{"Chinese punctuation and emoji skipped", []string{"傻逼"}, "傻，。…😀逼", []string{"傻逼"}},
		{"zero-width and combining marks skipped", []string{"傻逼"}, "傻​̶逼", []string{"傻逼"}},
		{"several separators in a Latin term", []string{"nmsl"}, "n.m*s-l", []string{"nmsl"}},
		{"separators in a full-width term", []string{"nmsl"}, "Ｎ＊Ｍ．Ｓ＿Ｌ", []string{"nmsl"}},
		{"every evasion at once", []string{"他妈的"}, "他 *媽。的", []string{"他妈的"}},
		{"runes, not bytes", []string{"\u4e2d"}, "\u4e3a\u4e4b", nil},
		{"repeated once", []string{"甲乙"}, "甲乙甲乙甲乙", []string{"甲乙"}},
		{"empty list", nil, "傻逼", nil},
		{"list of empty terms", []string{"", ""}, "傻逼", nil},
		{"empty text", []string{"傻逼"}, "", nil},
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

func TestScreenerFindMax(t *testing.T) {
	s := NewScreener([]string{"妈的", "他妈", "傻逼", "nmsl"})
	text := "NMSL，傻逼，他妈的，傻逼，nmsl"
	all := []string{"nmsl", "傻逼", "他妈", "妈的"}
	for _, tc := range []struct {
		max  int
		want []string
	}{
		{0, all}, {-1, all}, {1, all[:1]}, {2, all[:2]}, {3, all[:3]}, {4, all}, {10, all},
	} {
		t.Run(fmt.Sprint("max=", tc.max), func(t *testing.T) {
			if got := s.Find(text, tc.max); !slices.Equal(got, tc.want) {
				t.Errorf("Find(max=%d) = %q, want %q", tc.max, got, tc.want)
			}
		})
	}
}

func TestScreenerLen(t *testing.T) {
	for _, tc := range []struct {
		name  string
		terms []string
		want  int
	}{
		{"nil", nil, 0},
		{"distinct", []string{"傻逼", "nmsl"}, 2},
		{"duplicates after folding and empty terms", []string{"NMSL", "nmsl", "", "ｎｍｓｌ", "傻逼", "傻逼"}, 2},
		{"prefix of another term", []string{"他妈", "他妈的"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NewScreener(tc.terms).Len(); got != tc.want {
				t.Errorf("Len = %d, want %d", got, tc.want)
			}
		})
	}
	var nilScreener *Screener
	if nilScreener.Len() != 0 || nilScreener.Match("傻逼") || nilScreener.Find("傻逼", 0) != nil {
		t.Error("a nil Screener should match nothing")
	}
}

func TestParseWordList(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"empty", "", nil},
		{"only comments and blanks", "# a comment\n\n   \n\t# indented comment\n", nil},
		{"terms", "傻逼\n他妈的\n", []string{"傻逼", "他妈的"}},
		{"no final newline", "傻逼\n他妈的", []string{"傻逼", "他妈的"}},
		{"trimmed", "  傻逼 \t\n\u3000他妈的\u3000\n", []string{"傻逼", "他妈的"}},
		{"CRLF", "# c\r\n傻逼\r\n\r\nnmsl\r\n", []string{"傻逼", "nmsl"}},
		{"duplicates keep the first", "傻逼\n他妈的\n傻逼\n", []string{"傻逼", "他妈的"}},
		{"folded, duplicates after folding", "NMSL\nnmsl\nｎｍｓｌ\n傻Ｂ\n傻b\n", []string{"nmsl", "傻b"}},
		{"comment only at line start", "傻逼 # not a comment\n", []string{"傻逼notacomment"}},
		{"folded: separators dropped, traditional simplified", "傻 逼\n他媽的\n他妈的\n", []string{"傻逼", "他妈的"}},
		{"byte order mark", "\uFEFF傻逼\n", []string{"傻逼"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseWordList(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("ParseWordList(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestShippedWordList(t *testing.T) {
	data, err := os.ReadFile(shippedWordList)
	if err != nil {
		t.Fatal(err)
	}
	terms := ParseWordList(string(data))
	s := NewScreener(terms)
	// Traditional forms listed beside simplified ones fold to the same term.
	if len(terms) <= 250 || s.Len() != len(terms) {
		t.Fatalf("%d terms parsed, Len %d; want > 250 and equal", len(terms), s.Len())
	}
	for _, tc := range []struct {
		text string
		hit  bool
	}{
		{"这家店主是个傻逼", true},
		{"客服态度恶劣，还说你他妈的爱退不退", true},
		{"卖家威胁说你們死定了", true},
		{"卖家回复 NMSL", true},
		{"卖家回复ｗｃｎｍ", true},
		{"再不退款我就砸了你的店", true},
		{"商家虚假宣传，收到的商品与描述严重不符，要求退款", false},
		{"平台客服一直不回复，涉嫌诈骗，请帮忙处理", false},
		{"USB数据线质量问题，申请换货", false},
		{"快递三天没到，物流信息一直不更新，订单号 SF1234567890", false},
		{"The seller refused a refund for order #A1234; please help.", false},
	} {
		t.Run(tc.text, func(t *testing.T) {
			if got := s.Match(tc.text); got != tc.hit {
				t.Errorf("Match = %v, want %v (terms found: %q)", got, tc.hit, s.Find(tc.text, 0))
			}
		})
	}
	t.Run("every term finds itself", func(t *testing.T) {
		for _, term := range terms {
			if !slices.Contains(s.Find(term, 0), term) {
				t.Errorf("%q not found in itself", term)
			}
		}
		if got := s.Find(strings.Join(terms, "|"), 0); len(got) != len(terms) {
			t.Errorf("all terms joined: %d found, want %d", len(got), len(terms))
		}
	})
}

// TestScreenerConcurrent lets the race detector check that a built Screener is only read.
func TestScreenerConcurrent(t *testing.T) {
	s := loadShipped(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				text := fmt.Sprintf("第%d号投诉：商家%d是个傻逼，他妈的", i, j)
				if !s.Match(text) || len(s.Find(text, 0)) != 2 {
					t.Errorf("%q: %q", text, s.Find(text, 0))
					return
				}
			}
		})
	}
	wg.Wait()
}
