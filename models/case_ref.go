package models

// CaseRef points at a published typical case from a report: enough to name and link it.
type CaseRef struct {
	ID           string `json:"id"`
	Title        string `json:"title" example:"付款后商家拒不发货，平台督促后全额退款"`
	PlatformID   string `json:"platform_id"`
	PlatformName string `json:"platform_name" example:"淘宝"`
	Sector       string `json:"sector" example:"digital_retail" enums:"digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics"`
	SectorLabel  string `json:"sector_label" example:"数字零售"`
	PublishedAt  string `json:"published_at" format:"date-time"`
}

// ReportCampaign is an investigation campaign (调查行动) whose days overlap a report's period.
type ReportCampaign struct {
	ID          string `json:"id"`
	Title       string `json:"title" example:"电商平台“仅退款”调查行动"`
	Status      string `json:"status" example:"reported" enums:"planned,open,closed,reported"`
	StatusLabel string `json:"status_label" example:"已发布报告"`
	StartDate   string `json:"start_date" example:"2024-07-23" format:"date"`
	EndDate     string `json:"end_date" example:"2024-09-04" format:"date"`
}

// The bounds of the lists of cases and campaigns the reports link.
const (
	CampaignReportCases = 50
	ReportCases         = 20
	ReportCampaigns     = 20
)
