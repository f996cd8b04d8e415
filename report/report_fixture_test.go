package report

import "github.com/dianshubao/dianshubao/models"

func ptr[T any](v T) *T { return &v }

// sampleReport is a report with every member filled, as a month's consumer report.
func sampleReport() *models.Report {
	p := models.Period{Type: models.PeriodMonth, Year: 2026, N: 10}
	r := &models.Report{Period: p.String(), PeriodType: string(p.Type), Kind: string(models.ReportConsumer),
		Channel: string(models.ChannelConsumer), Title: models.ReportTitle(p, models.ReportConsumer), PeriodLabel: models.PeriodLabel(p),
		Version: models.ReportVersion, FormulaVersion: models.RatingFormulaVersion, GeneratedAt: "2026-11-05T00:00:00Z",
		Received: 1520, Accepted: 1302, Rejected: 118, Delivered: 1280, Replied: 1102, Rated: 415,
		ReplyRate: 0.8609, Timeliness: 0.7734, Satisfaction: ptr(6.82)}
	r.RejectedByReason = []models.ReportCount{{Code: "missing_information", Label: models.RejectionReasonLabels[models.RejectMissingInformation], Count: 70},
		{Code: "duplicate", Label: models.RejectionReasonLabels[models.RejectDuplicate], Count: 48}}
	for i, s := range models.Sectors {
		sec := models.ReportSector{Sector: string(s), Label: models.SectorLabels[s], Delivered: int64(400 - 50*i), Replied: int64(350 - 48*i),
			ReplyRate: 0.8 + float64(i)/100, Timeliness: 0.7, Satisfaction: ptr(6.5)}
		for g, grade := range models.Grades {
			sec.Grades = append(sec.Grades, models.ReportCount{Code: grade, Label: models.GradeLabels[grade], Count: int64((i + g) % 4)})
		}
		r.BySector = append(r.BySector, sec)
	}
	for code, n := range map[string]int64{"quality": 300, "refund": 280, "delivery": 200, "after_sales": 150, "false_advertising": 90, "other": 12} {
		r.ByIssueType = append(r.ByIssueType, models.ReportCount{Code: code, Label: models.IssueTypeLabels[code], Count: n})
	}
	r.ByDemand = []models.ReportCount{{Code: "refund", Label: "退款", Count: 800}, {Code: "compensation", Label: "赔偿", Count: 300}}
	for i := range 10 {
		r.TopPlatforms = append(r.TopPlatforms, models.ReportPlatform{Rank: i + 1, ID: "p" + string(rune('a'+i)), Name: "平台" + string(rune('甲'+i)),
			Sector: "digital_retail", SectorLabel: "数字零售", ComplaintCount: int64(300 - 20*i), ReplyRate: 0.9, Index: ptr(0.8), Grade: "recommended", GradeLabel: "建议下单"})
	}
	for i := range 10 {
		r.ReplyRateDistribution = append(r.ReplyRateDistribution, models.ReportBin{From: float64(i) / 10, To: float64(i+1) / 10, Count: int64(i % 5)})
	}
	for _, g := range models.Grades {
		r.Grades = append(r.Grades, models.ReportCount{Code: g, Label: models.GradeLabels[g], Count: 3})
	}
	q := p
	for range models.ReportTrendLength {
		r.Trend = append([]models.ReportSummary{{Period: q.String(), PeriodLabel: models.PeriodLabel(q), Received: 1000 + int64(q.N)*50,
			Accepted: 900 + int64(q.N)*40, Delivered: 850 + int64(q.N)*40, Replied: 700 + int64(q.N)*35, ReplyRate: 0.82}}, r.Trend...)
		q = q.Prev()
	}
	r.Previous = r.Trend[len(r.Trend)-2]
	r.Change = models.ChangeBetween(r.Trend[len(r.Trend)-1], r.Previous)
	return r
}
