package models

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestScreenerHits(t *testing.T) {
	s := NewScreener([]string{"傻逼", "他妈的", "妈的", "nmsl"})
	for _, tc := range []struct {
		name string
		text string
		max  int
		want []ScreeningHit
	}{
		{"plain", "店主是傻逼", 0, []ScreeningHit{{"傻逼", 3, 5}}},
		{"the span covers what was put between", "傻 * 逼！", 0, []ScreeningHit{{"傻逼", 0, 5}}},
		{"nested terms, longer first", "你他媽的", 0, []ScreeningHit{{"他妈的", 1, 4}, {"妈的", 2, 4}}},
		{"every occurrence", "傻逼傻逼", 0, []ScreeningHit{{"傻逼", 0, 2}, {"傻逼", 2, 4}}},
		{"characters, not bytes", "退款NMSL", 0, []ScreeningHit{{"nmsl", 2, 6}}},
		{"max", "傻逼傻逼傻逼", 2, []ScreeningHit{{"傻逼", 0, 2}, {"傻逼", 2, 4}}},
		{"none", "商品质量很好", 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := s.Hits(tc.text, tc.max)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("Hits(%q) = %+v, want %+v", tc.text, got, tc.want)
			}
			for _, h := range got {
				if FoldScreeningTerm(string([]rune(tc.text)[h.Start:h.End])) != h.Term {
					t.Errorf("span %d–%d of %q does not fold to %q", h.Start, h.End, tc.text, h.Term)
				}
			}
		})
	}
}

// screenText is n bytes of clean complaint prose (no hit: the whole text is read).
func screenText(n int) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(complaintText(200))
	}
	return b.String()[:n]
}

// The matcher's cost is linear in the text's length: ns/byte stays flat from 1 KB to 100 KB.
func BenchmarkScreen1KB(b *testing.B)   { benchmarkScreen(b, 1<<10) }
func BenchmarkScreen10KB(b *testing.B)  { benchmarkScreen(b, 10<<10) }
func BenchmarkScreen100KB(b *testing.B) { benchmarkScreen(b, 100<<10) }

func benchmarkScreen(b *testing.B, n int) {
	s := loadShipped(b)
	text := screenText(n)
	b.SetBytes(int64(n))
	for b.Loop() {
		if s.Match(text) {
			b.Fatal("the benchmark text hits")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/byte")
}

// TestScreenLinear asserts what the benchmarks show: ten times the text costs about ten times
// the time, not a hundred (the bound, 20x, leaves room for noise). Texts full of near-misses
// (prefixes of terms, separators) are the case a backtracking matcher would be quadratic on.
func TestScreenLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	s := loadShipped(t)
	for _, tc := range []struct {
		name string
		unit string
	}{
		{"prose", ""},
		{"near misses", "他妈他 妈傻*傻ｎｍｓ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := func(n int) string {
				if tc.unit == "" {
					return screenText(n)
				}
				return strings.Repeat(tc.unit, n/len(tc.unit)+1)[:n]
			}
			small, large := text(10<<10), text(100<<10)
			// Both measurements read the same number of bytes (the small text ten times as
			// often), so that they last as long and a loaded machine disturbs them alike; ts is
			// then the cost of one tenth of that, the small text's share.
			cost := func(text string, reps int) time.Duration {
				best := time.Duration(1<<63 - 1)
				for range 7 {
					start := time.Now()
					for range reps {
						s.Hits(text, 0)
						s.Match(text)
					}
					best = min(best, time.Since(start))
				}
				return best
			}
			cost(small, 5) // warm up (the traditional-form table is built on first use)
			ts, tl := cost(small, 50)/10, cost(large, 5)
			ratio := float64(tl) / float64(ts)
			t.Logf("10 KB %v, 100 KB %v: ratio %.1f", ts, tl, ratio)
			if ratio > 20 {
				t.Fatalf("100 KB took %.1fx the time of 10 KB (%v vs %v): not linear", ratio, tl, ts)
			}
		})
	}
}

func ExampleScreener_Hits() {
	s := NewScreener([]string{"傻逼"})
	fmt.Println(s.Hits("客服是傻*逼", 0))
	// Output: [{傻逼 3 6}]
}
