package models

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzScrub: scrubbing never panics, keeps (or makes) valid UTF-8, is idempotent, finds nothing
// left in its own output (but possible names, which it leaves), and its hits stand where their markers are. The known name and
// order number come from the fuzzer too.
//
//	go test ./models -run '^$' -fuzz FuzzScrub -fuzztime 60s
func FuzzScrub(f *testing.F) {
	for _, c := range append(append([]scrubCase{}, scrubCases...), leakCases...) {
		name, order := "", ""
		for _, k := range c.known {
			switch k.Kind {
			case ScrubName:
				name = k.Value
			case ScrubOrderNo:
				order = k.Value
			}
		}
		f.Add(c.text, name, order)
	}
	for _, text := range plainTexts {
		f.Add(text, "张三", "")
	}
	f.Add("13812345678 1234 5678", "", "5678")
	f.Add("张张张先生先生", "张张", "")
	f.Add(strings.Repeat("王经理", 12)+"建国路88号王经理", "", "")
	f.Add(strings.Repeat("00!0", 12), "", "00!0")
	f.Add("地址："+strings.Repeat("很长的地名", 20)+"路1号", "", "")
	f.Add("\xff\xfe联系人张\x00三", "张\x00三", "")
	f.Fuzz(func(t *testing.T, text, name, order string) {
		known := []Known{{ScrubName, name}, {ScrubOrderNo, order}, {ScrubMobile, "13800138000"}}
		out, hits := Scrub(text, known)
		if !utf8.ValidString(out) {
			t.Fatalf("Scrub(%q) = %q: not UTF-8", text, out)
		}
		if utf8.ValidString(text) && len(hits) == 0 && out != text {
			t.Fatalf("Scrub(%q) = %q without a hit", text, out)
		}
		again, more := Scrub(out, known)
		if again != out {
			t.Fatalf("not idempotent:\n in   %q\n once %q\n twice %q", text, out, again)
		}
		if len(more) != 0 {
			t.Fatalf("scrubbing %q again hits %v", out, more)
		}
		if left := scrubbable(DetectPersonalInfo(out, known)); len(left) != 0 {
			t.Fatalf("%q still holds %v", out, left)
		}
		r := []rune(out)
		end := 0
		for _, h := range hits {
			if h.Start < end || h.End < h.Start || h.End > len(r) || string(r[h.Start:h.End]) != h.Marker {
				t.Fatalf("hit %+v misplaced in %q", h, out)
			}
			end = h.End
		}
	})
}
