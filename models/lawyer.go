package models

import "time"

// Specialty is a field of law a lawyer of the team (律师团) practises; a closed set, so that a
// consultation's preferred specialty can be matched with lawyers' profiles.
type Specialty string

// The specialties.
const (
	SpecialtyInternet     Specialty = "internet_law"
	SpecialtyEcommerce    Specialty = "ecommerce_law"
	SpecialtyIP           Specialty = "ip_law"
	SpecialtyContract     Specialty = "contract_law"
	SpecialtyConsumer     Specialty = "consumer_law"
	SpecialtyPrivacy      Specialty = "privacy_law"
	SpecialtyAdvertising  Specialty = "advertising_law"
	SpecialtyDisputeSolve Specialty = "dispute_resolution"
)

// SpecialtyLabels are the specialties as the public lawyer list shows them.
var SpecialtyLabels = map[Specialty]string{
	SpecialtyInternet:     "互联网法",
	SpecialtyEcommerce:    "电子商务法",
	SpecialtyIP:           "知识产权法",
	SpecialtyContract:     "合同法",
	SpecialtyConsumer:     "消费者权益保护法",
	SpecialtyPrivacy:      "个人信息保护法",
	SpecialtyAdvertising:  "广告法",
	SpecialtyDisputeSolve: "诉讼与仲裁",
}

// AllSpecialties lists the specialties in a stable order.
var AllSpecialties = []Specialty{SpecialtyInternet, SpecialtyEcommerce, SpecialtyIP, SpecialtyContract,
	SpecialtyConsumer, SpecialtyPrivacy, SpecialtyAdvertising, SpecialtyDisputeSolve}

// Valid reports whether s is a known specialty.
func (s Specialty) Valid() bool { _, ok := SpecialtyLabels[s]; return ok }

// Label is the Chinese label of the specialty.
func (s Specialty) Label() string { return SpecialtyLabels[s] }

// Lawyer is the profile of a member of the lawyer team. UserID links it to the account with
// the lawyer role the lawyer signs in with (at most one profile per account); a profile without
// one is listed publicly but cannot be assigned consultations. Specialties are a JSON list of
// Specialty values.
type Lawyer struct {
	ID          string   `gorm:"primaryKey;size:40"`
	UserID      *string  `gorm:"size:40;uniqueIndex"`
	Name        string   `gorm:"size:100;not null"`
	Firm        string   `gorm:"size:200;not null"`
	City        string   `gorm:"size:100;not null"`
	Specialties []string `gorm:"serializer:json;type:text"`
	Bio         string   `gorm:"type:text;not null"`
	// Active lawyers are listed publicly and may be assigned consultations.
	Active    bool      `gorm:"not null;index"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"autoUpdateTime:false;not null"`
	Version   int       `gorm:"not null"`
}

// HasSpecialty reports whether the lawyer practises s.
func (l *Lawyer) HasSpecialty(s Specialty) bool {
	for _, x := range l.Specialties {
		if x == string(s) {
			return true
		}
	}
	return false
}

// Assignable reports whether consultations may go to the lawyer: active and signing in with
// an account of their own.
func (l *Lawyer) Assignable() bool { return l.Active && l.UserID != nil }
