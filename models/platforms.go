package models

import (
	"regexp"
	"strings"
	"time"
)

// Sector is the market segment of a platform, as the rating lists group them.
type Sector string

// The sectors of API.md section 4.
const (
	SectorDigitalRetail    Sector = "digital_retail"
	SectorDigitalLife      Sector = "digital_life"
	SectorDigitalHealth    Sector = "digital_health"
	SectorDigitalEducation Sector = "digital_education"
	SectorCrossBorder      Sector = "cross_border"
	SectorIndustrial       Sector = "industrial"
	SectorLogistics        Sector = "logistics"
)

// SectorLabels gives each sector its Chinese name.
var SectorLabels = map[Sector]string{
	SectorDigitalRetail:    "数字零售",
	SectorDigitalLife:      "数字生活",
	SectorDigitalHealth:    "数字健康",
	SectorDigitalEducation: "数字教育",
	SectorCrossBorder:      "跨境电商",
	SectorIndustrial:       "产业电商",
	SectorLogistics:        "物流科技",
}

// Valid reports whether s is a known sector.
func (s Sector) Valid() bool { _, ok := SectorLabels[s]; return ok }

// Platform is an e-commerce, local-services, education or logistics platform that complaints
// are filed against.
type Platform struct {
	ID   string `gorm:"primaryKey;size:40"`
	Name string `gorm:"size:255;not null"`
	// NameKey is PlatformNameKey(Name); its unique index keeps names distinct however they
	// are spelled. Nil only on rows that duplicated an earlier name when the column was added.
	NameKey   *string  `gorm:"size:255;uniqueIndex"`
	Slug      string   `gorm:"size:64;not null;uniqueIndex"`
	Sector    Sector   `gorm:"size:32;not null;index"`
	Tags      []string `gorm:"serializer:json;type:text"`
	Onboarded bool     `gorm:"not null"`
	// AfterSalesPhone and AfterSalesEmail form the after-sales contact; both nil means none.
	AfterSalesPhone *string   `gorm:"size:32"`
	AfterSalesEmail *string   `gorm:"size:255"`
	CreatedAt       time.Time `gorm:"not null"`
	UpdatedAt       time.Time `gorm:"autoUpdateTime:false;not null"`
}

// HasAfterSalesContact reports whether the platform gave an after-sales contact.
func (p *Platform) HasAfterSalesContact() bool {
	return p.AfterSalesPhone != nil || p.AfterSalesEmail != nil
}

// Rateable reports whether the rating list grades the platform: it must be onboarded and have
// an after-sales contact (对未入驻或未取得售后联系方式的电商平台不予评级).
func (p *Platform) Rateable() bool { return p.Onboarded && p.HasAfterSalesContact() }

var slugRe = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)

// ValidSlug reports whether s is a lower-case URL slug of at most 64 characters.
func ValidSlug(s string) bool { return slugRe.MatchString(s) }

// APIKey authenticates a platform. Only the SHA-256 of the key is stored.
type APIKey struct {
	ID         string     `gorm:"primaryKey;size:40"`
	PlatformID string     `gorm:"size:40;not null;index"`
	Name       string     `gorm:"size:255;not null"`
	Prefix     string     `gorm:"size:16;not null"`
	KeyHash    string     `gorm:"size:64;not null;uniqueIndex"`
	LastUsedAt *time.Time ``
	RevokedAt  *time.Time ``
	CreatedAt  time.Time  `gorm:"not null"`
}

// Active reports whether the key still authenticates.
func (k *APIKey) Active() bool { return k.RevokedAt == nil }

// SetName sets the platform's name, trimmed, and the key that keeps it unique.
func (p *Platform) SetName(name string) {
	p.Name = strings.TrimSpace(name)
	key := PlatformNameKey(p.Name)
	p.NameKey = &key
}
