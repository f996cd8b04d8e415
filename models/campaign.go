package models

import "time"

// CampaignStatus is where an investigation campaign (调查行动) stands.
type CampaignStatus string

// The campaign statuses, in the only order a campaign passes through them.
const (
	CampaignPlanned  CampaignStatus = "planned"
	CampaignOpen     CampaignStatus = "open"
	CampaignClosed   CampaignStatus = "closed"
	CampaignReported CampaignStatus = "reported"
)

// CampaignStatusLabels are the statuses as the public reads them.
var CampaignStatusLabels = map[CampaignStatus]string{
	CampaignPlanned:  "筹备中",
	CampaignOpen:     "进行中",
	CampaignClosed:   "已结束",
	CampaignReported: "已发布报告",
}

// campaignTransitions is the whole state machine: planned → open → closed → reported. A
// reported campaign's report is frozen, so nothing leaves reported.
var campaignTransitions = map[CampaignStatus]CampaignStatus{
	CampaignPlanned: CampaignOpen,
	CampaignOpen:    CampaignClosed,
	CampaignClosed:  CampaignReported,
}

// Label is the status in Chinese.
func (s CampaignStatus) Label() string { return CampaignStatusLabels[s] }

// Valid reports whether s is a known status.
func (s CampaignStatus) Valid() bool { _, ok := CampaignStatusLabels[s]; return ok }

// CanBecome reports whether a campaign in s may move to next.
func (s CampaignStatus) CanBecome(next CampaignStatus) bool {
	to, ok := campaignTransitions[s]
	return ok && to == next
}

// CampaignDateLayout is the form of a campaign's dates: calendar days in China time.
const CampaignDateLayout = "2006-01-02"

// Campaign is an investigation campaign (调查行动): a topic staff investigate over a period,
// the platforms it watches (none listed: every platform), and the issue types and keywords of
// the complaints it collects. Its report is computed from the complaints tagged into it and,
// once it is reported, stored in Report and served unchanged from then on.
type Campaign struct {
	ID    string `gorm:"primaryKey;size:40"`
	Title string `gorm:"size:400;not null"`
	Topic string `gorm:"type:text;not null"`
	// StartsOn and EndsOn are China-time calendar days (2024-07-23), both included.
	StartsOn    string         `gorm:"size:10;not null"`
	EndsOn      string         `gorm:"size:10;not null"`
	PlatformIDs []string       `gorm:"serializer:json;type:text"`
	IssueTypes  []string       `gorm:"serializer:json;type:text"`
	Keywords    []string       `gorm:"serializer:json;type:text"`
	Status      CampaignStatus `gorm:"size:16;not null;index"`
	CreatedBy   string         `gorm:"size:40;not null"`
	CreatedAt   time.Time      `gorm:"not null"`
	UpdatedAt   time.Time      `gorm:"autoUpdateTime:false;not null"`
	ReportedAt  *time.Time     ``
	// Report is the frozen report (JSON, the staff view with free-text answers), set in the
	// transaction that makes the campaign reported.
	Report *string `gorm:"type:mediumtext"`
}

// Watches reports whether complaints against the platform may join the campaign.
func (c *Campaign) Watches(platformID string) bool {
	if len(c.PlatformIDs) == 0 {
		return true
	}
	for _, id := range c.PlatformIDs {
		if id == platformID {
			return true
		}
	}
	return false
}

// CampaignTagSource is how a complaint joined a campaign.
type CampaignTagSource string

// The ways a complaint joins a campaign.
const (
	TagByFiling CampaignTagSource = "filing" // the complainant chose the campaign when filing
	TagByStaff  CampaignTagSource = "staff"  // staff tagged it by id
	TagByRule   CampaignTagSource = "rule"   // staff applied a tag rule
)

// CampaignComplaint is a complaint's membership of a campaign; a pair is tagged once.
type CampaignComplaint struct {
	CampaignID  string            `gorm:"primaryKey;size:40"`
	ComplaintID string            `gorm:"primaryKey;size:40;index"`
	Source      CampaignTagSource `gorm:"size:16;not null"`
	// TaggedBy is the person who tagged it (the complainant for a filing).
	TaggedBy string    `gorm:"size:40;not null"`
	TaggedAt time.Time `gorm:"not null"`
}

// CampaignDay parses a campaign date; ok is false for anything but a real YYYY-MM-DD day of
// the years 2000–9998 (the periods' years, less the last, whose end a database cannot hold).
func CampaignDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(CampaignDateLayout, s, ChinaTime)
	return t, err == nil && t.Format(CampaignDateLayout) == s && t.Year() >= 2000 && t.Year() <= 9998
}
