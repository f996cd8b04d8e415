package models

import "time"

// RatingSnapshot is a frozen rating list: the whole list of a closed period and channel, kept
// as it was computed and served for ever after (不受任何人工因素影响: nothing writes it but
// the freezing job).
type RatingSnapshot struct {
	Period         string    `gorm:"primaryKey;size:16"`
	Channel        string    `gorm:"primaryKey;size:16"`
	FormulaVersion string    `gorm:"size:32;not null"`
	GeneratedAt    time.Time `gorm:"not null"`
	Items          []byte    `gorm:"not null"`
}
