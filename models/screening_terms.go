package models

import "time"

// ScreeningTerm is one entry of the operated screening list. Folded is the term as it is
// matched (FoldScreeningTerm): two terms with the same fold are the same term.
type ScreeningTerm struct {
	ID        string    `gorm:"primaryKey;size:40"`
	Term      string    `gorm:"size:255;not null"`
	Folded    string    `gorm:"size:255;not null;uniqueIndex"`
	CreatedBy *string   `gorm:"size:40"`
	CreatedAt time.Time `gorm:"not null"`
}

// ScreeningListState is the list's one version row: every change to the terms increments
// Version in its own transaction, so that an instance knows its copy is stale by reading one
// row. Its existence also tells that the list was seeded.
type ScreeningListState struct {
	ID        int       `gorm:"primaryKey;autoIncrement:false"`
	Version   int64     `gorm:"not null"`
	UpdatedAt time.Time `gorm:"autoUpdateTime:false;not null"`
}

// TableName keeps the table name plain.
func (ScreeningListState) TableName() string { return "screening_list_state" }

// ScreeningTermMaxLength is the longest term accepted, in characters.
const ScreeningTermMaxLength = 64
