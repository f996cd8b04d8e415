package models

// Sectors lists the sectors in the order the reports show them.
var Sectors = []Sector{SectorDigitalRetail, SectorDigitalLife, SectorDigitalHealth, SectorDigitalEducation,
	SectorCrossBorder, SectorIndustrial, SectorLogistics}

// Grades lists the grades in the order the reports count them.
var Grades = []string{GradeRecommended, GradeCaution, GradeNotRecommended, GradeUnrated}

// ReportVersion names the report's definitions; a stored report keeps the version it was
// computed under. It includes the rating formula, which computes its ratios and grades.
const ReportVersion = "1+" + RatingFormulaVersion

// ReportTrendLength is how many periods of the type the trend covers, the report's own last.
const ReportTrendLength = 6

// ReportTopPlatforms is how many platforms the report ranks by complaints.
const ReportTopPlatforms = 10

// Report is one periodic report (月报/季报/半年报/年报) of one channel, computed by the system
// alone from the same data as the rating lists.
//
// Received, Accepted, Rejected, RejectedByReason, ByIssueType and ByDemand count the complaints
// filed in the period (created_at in China time), each in its status now. Delivered, Replied,
// Rated, the ratios, BySector, TopPlatforms, ReplyRateDistribution and Grades are those of the
// period's rating list: its population is the complaints delivered in the period and now
// delivered, replied or completed (API.md 7.1), and its ratios follow the published formula.
type Report struct {
	Period         string `json:"period" example:"2026-10"`
	PeriodType     string `json:"period_type" example:"month" enums:"month,quarter,half,year"`
	Kind           string `json:"kind" example:"consumer" enums:"consumer,merchant"`
	Channel        string `json:"channel" example:"consumer" enums:"consumer,refund_only"`
	Title          string `json:"title" example:"电诉宝2026年10月用户体验报告（月报）"`
	PeriodLabel    string `json:"period_label" example:"2026年10月"`
	Frozen         bool   `json:"frozen"`
	Version        string `json:"version" example:"1+2024.2"`
	FormulaVersion string `json:"formula_version" example:"2024.2"`
	GeneratedAt    string `json:"generated_at" format:"date-time"`
	// Received is how many complaints were filed in the period; Accepted how many of them
	// review let through; Rejected how many are rejected now.
	Received         int64         `json:"received" example:"1520"`
	Accepted         int64         `json:"accepted" example:"1302"`
	Rejected         int64         `json:"rejected" example:"118"`
	RejectedByReason []ReportCount `json:"rejected_by_reason"`
	// Delivered is the rating population's size; Replied and Rated its replied and rated parts.
	Delivered    int64    `json:"delivered" example:"1280"`
	Replied      int64    `json:"replied" example:"1102"`
	Rated        int64    `json:"rated" example:"415"`
	ReplyRate    float64  `json:"reply_rate" example:"0.8609"`
	Timeliness   float64  `json:"timeliness" example:"0.7734"`
	Satisfaction *float64 `json:"satisfaction" example:"6.82" extensions:"x-nullable"`
	// BySector holds every sector, in the order of Sectors.
	BySector []ReportSector `json:"by_sector"`
	// ByIssueType and ByDemand count the complaints filed in the period and accepted, largest
	// first; a complaint with several demands counts once for each.
	ByIssueType  []ReportCount    `json:"by_issue_type"`
	ByDemand     []ReportCount    `json:"by_demand"`
	TopPlatforms []ReportPlatform `json:"top_platforms"`
	// ReplyRateDistribution counts the listed platforms by reply rate in ten bins of 0.1
	// ([0, 0.1), … [0.9, 1.0], the last closed).
	ReplyRateDistribution []ReportBin `json:"reply_rate_distribution"`
	// Grades counts the rating list's platforms per grade, every grade present.
	Grades []ReportCount `json:"grades"`
	// Previous is the period of the same type before this one; Change this one minus it.
	Previous ReportSummary `json:"previous"`
	Change   ReportChange  `json:"change"`
	// Trend is the last ReportTrendLength periods of the type, oldest first, this one last.
	Trend []ReportSummary `json:"trend"`
	// Cases are the typical cases (典型案例) of the report's channel published in the period,
	// newest first, at most 20. They are not figures: a case unpublished since (staff, the
	// complainant's consent withdrawn or erasure) is left out on every read, also from a
	// frozen report, whose figures never change.
	Cases []CaseRef `json:"cases"`
	// Campaigns are the investigation campaigns (调查行动) whose days overlap the period,
	// earliest start first, at most 20; a frozen report keeps them as they were.
	Campaigns []ReportCampaign `json:"campaigns"`
}

// ReportCount is one labelled count.
type ReportCount struct {
	Code  string `json:"code" example:"quality"`
	Label string `json:"label" example:"商品质量"`
	Count int64  `json:"count" example:"230"`
}

// ReportSector is one sector's share of the rating population, by the published formula.
type ReportSector struct {
	Sector       string   `json:"sector" example:"digital_retail" enums:"digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics"`
	Label        string   `json:"label" example:"数字零售"`
	Delivered    int64    `json:"delivered" example:"640"`
	Replied      int64    `json:"replied" example:"590"`
	Rated        int64    `json:"rated" example:"200"`
	ReplyRate    float64  `json:"reply_rate" example:"0.9219"`
	Timeliness   float64  `json:"timeliness" example:"0.8102"`
	Satisfaction *float64 `json:"satisfaction" example:"7.1" extensions:"x-nullable"`
	// Grades counts the sector's platforms of the rating list per grade, every grade present.
	Grades []ReportCount `json:"grades"`
}

// ReportPlatform is one line of the top platforms, as the rating list has it.
type ReportPlatform struct {
	Rank           int      `json:"rank" example:"1"`
	ID             string   `json:"id"`
	Name           string   `json:"name" example:"淘宝"`
	Sector         string   `json:"sector" example:"digital_retail" enums:"digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics"`
	SectorLabel    string   `json:"sector_label" example:"数字零售"`
	ComplaintCount int64    `json:"complaint_count" example:"320"`
	ReplyRate      float64  `json:"reply_rate" example:"0.95"`
	Index          *float64 `json:"index" example:"0.8033" extensions:"x-nullable"`
	Grade          string   `json:"grade" example:"recommended" enums:"recommended,caution,not_recommended,unrated"`
	GradeLabel     string   `json:"grade_label" example:"建议下单"`
}

// ReportBin is one bin of a distribution: From ≤ x < To (the last bin also holds To).
type ReportBin struct {
	From  float64 `json:"from" example:"0.9"`
	To    float64 `json:"to" example:"1"`
	Count int64   `json:"count" example:"12"`
}

// ReportSummary is a period's headline figures (the trend's points, the previous period).
type ReportSummary struct {
	Period       string   `json:"period" example:"2026-09"`
	PeriodLabel  string   `json:"period_label" example:"2026年9月"`
	Received     int64    `json:"received" example:"1400"`
	Accepted     int64    `json:"accepted" example:"1200"`
	Delivered    int64    `json:"delivered" example:"1180"`
	Replied      int64    `json:"replied" example:"1000"`
	ReplyRate    float64  `json:"reply_rate" example:"0.8475"`
	Timeliness   float64  `json:"timeliness" example:"0.7602"`
	Satisfaction *float64 `json:"satisfaction" example:"6.5" extensions:"x-nullable"`
}

// ReportChange is this period's figures minus the previous period's; ratios rounded as they
// are (4 decimals, satisfaction 2), Satisfaction null unless both periods have one.
type ReportChange struct {
	Received     int64    `json:"received" example:"120"`
	Accepted     int64    `json:"accepted" example:"102"`
	Delivered    int64    `json:"delivered" example:"100"`
	Replied      int64    `json:"replied" example:"102"`
	ReplyRate    float64  `json:"reply_rate" example:"0.0134"`
	Timeliness   float64  `json:"timeliness" example:"0.0132"`
	Satisfaction *float64 `json:"satisfaction" example:"0.32" extensions:"x-nullable"`
}

// ChangeBetween is cur minus prev.
func ChangeBetween(cur, prev ReportSummary) ReportChange {
	c := ReportChange{Received: cur.Received - prev.Received, Accepted: cur.Accepted - prev.Accepted,
		Delivered: cur.Delivered - prev.Delivered, Replied: cur.Replied - prev.Replied,
		ReplyRate: RoundTo(cur.ReplyRate-prev.ReplyRate, 4), Timeliness: RoundTo(cur.Timeliness-prev.Timeliness, 4)}
	if cur.Satisfaction != nil && prev.Satisfaction != nil {
		s := RoundTo(*cur.Satisfaction-*prev.Satisfaction, 2)
		c.Satisfaction = &s
	}
	return c
}
