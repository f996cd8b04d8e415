package models

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// complaintText is n runes of ordinary complaint prose that no listed term occurs in.
func complaintText(n int) string {
	sentences := []string{
		"商家虚假宣传，收到的商品与描述严重不符，要求退款。",
		"平台客服一直不回复，涉嫌诈骗，请帮忙处理。",
		"USB数据线质量问题，申请换货，订单号 SF1234567890。",
		"快递三天没到，物流信息一直不更新，联系卖家也没有回应。",
		"I paid 299 yuan for a phone case and received a broken one. ",
	}
	var b strings.Builder
	for i := 0; utf8.RuneCountInString(b.String()) < n; i++ {
		b.WriteString(sentences[i%len(sentences)])
	}
	return string([]rune(b.String())[:n])
}

// BenchmarkScreener scans clean complaint text (no hit, so the whole text is read) of 5,000 and
// 50,000 runes: ns/rune staying flat shows the time is linear in the text length.
func BenchmarkScreener(b *testing.B) {
	s := loadShipped(b)
	for _, n := range []int{5000, 50000} {
		text := complaintText(n)
		if found := s.Find(text, 0); found != nil {
			b.Fatalf("benchmark text hits %q", found)
		}
		// The same text with three hits spread over it, the last at the very end.
		rs := []rune(text)
		withHits := string(rs[:n/3]) + "傻逼" + string(rs[n/3:2*n/3]) + "他妈的" + string(rs[2*n/3:]) + "nmsl"
		if found := s.Find(withHits, 0); len(found) != 3 {
			b.Fatalf("benchmark text with hits finds %q", found)
		}
		for _, bc := range []struct {
			name string
			run  func()
		}{
			{"Match", func() { s.Match(text) }},
			{"Find", func() { s.Find(withHits, 0) }},
		} {
			b.Run(fmt.Sprintf("%s/%d", bc.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					bc.run()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/rune")
			})
		}
	}
}
