package models

import "time"

// ReportKind is which of a period's two reports: the consumer report on the consumer channel,
// the merchant report on the refund-only channel.
type ReportKind string

// The report kinds.
const (
	ReportConsumer ReportKind = "consumer" // 用户体验报告
	ReportMerchant ReportKind = "merchant" // 商家投诉报告
)

// ReportKinds lists the kinds in the order a period's reports are listed.
var ReportKinds = []ReportKind{ReportConsumer, ReportMerchant}

// ReportKindLabels are the reports' names.
var ReportKindLabels = map[ReportKind]string{
	ReportConsumer: "用户体验报告",
	ReportMerchant: "商家投诉报告",
}

// PeriodTypeLabels name a periodic report by its length.
var PeriodTypeLabels = map[PeriodType]string{
	PeriodMonth:   "月报",
	PeriodQuarter: "季报",
	PeriodHalf:    "半年报",
	PeriodYear:    "年报",
}

// Valid reports whether k is a known kind.
func (k ReportKind) Valid() bool { return k == ReportConsumer || k == ReportMerchant }

// Channel is the complaint channel the report covers.
func (k ReportKind) Channel() Channel {
	if k == ReportMerchant {
		return ChannelRefundOnly
	}
	return ChannelConsumer
}

// PeriodLabel writes a period in Chinese: 2026年10月, 2026年第4季度, 2026年下半年, 2026年.
func PeriodLabel(p Period) string {
	y := itoa(p.Year) + "年"
	switch p.Type {
	case PeriodMonth:
		return y + itoa(p.N) + "月"
	case PeriodQuarter:
		return y + "第" + itoa(p.N) + "季度"
	case PeriodHalf:
		if p.N == 1 {
			return y + "上半年"
		}
		return y + "下半年"
	}
	return y
}

// ReportTitle is a report's title: 电诉宝2026年10月用户体验报告（月报）.
func ReportTitle(p Period, k ReportKind) string {
	return "电诉宝" + PeriodLabel(p) + ReportKindLabels[k] + "（" + PeriodTypeLabels[p.Type] + "）"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// ReportSnapshot is a frozen report: computed once when the period's rating list freezes and
// served unchanged for ever after.
type ReportSnapshot struct {
	Period      string    `gorm:"primaryKey;size:16"`
	Kind        string    `gorm:"primaryKey;size:16"`
	Version     string    `gorm:"size:32;not null"`
	GeneratedAt time.Time `gorm:"not null"`
	Body        []byte    `gorm:"not null"`
}
