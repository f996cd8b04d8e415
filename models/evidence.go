package models

import "time"

// Evidence is an uploaded file (picture, audio, video or PDF) that complaints, supplements and
// replies cite. The bytes live in blob storage under their SHA-256; the row keeps the type
// sniffed from the bytes.
type Evidence struct {
	ID string `gorm:"primaryKey;size:40"`
	// UploaderKind is "user" or "platform"; UploaderID the user's or the platform's id.
	UploaderKind string    `gorm:"size:16;not null;index:idx_evidence_uploader,priority:1"`
	UploaderID   string    `gorm:"size:40;not null;index:idx_evidence_uploader,priority:2"`
	Filename     string    `gorm:"size:255;not null"`
	ContentType  string    `gorm:"size:100;not null"`
	Size         int64     `gorm:"not null"`
	SHA256       string    `gorm:"column:sha256;size:64;not null;index"`
	CreatedAt    time.Time `gorm:"not null"`
}

// TableName names the table in the singular-free style of the others.
func (Evidence) TableName() string { return "evidence" }

// Uploader kinds of evidence.
const (
	UploaderUser     = "user"
	UploaderPlatform = "platform"
)

// EvidenceLink records that a complaint cites a piece of evidence (in the complaint itself, a
// supplement or a reply); download access for platforms follows these links.
type EvidenceLink struct {
	EvidenceID  string `gorm:"primaryKey;size:40"`
	ComplaintID string `gorm:"primaryKey;size:40;index"`
}

// AllowedEvidenceTypes are the sniffed MIME types accepted as evidence (API.md 5.2).
var AllowedEvidenceTypes = []string{
	"image/jpeg", "image/png", "image/webp", "image/gif",
	"audio/mpeg", "audio/x-m4a", "audio/wav",
	"video/mp4", "video/quicktime",
	"application/pdf",
}

// BlobDeletion marks the bytes stored under SHA256 as deleted (or being deleted) at CreatedAt.
// The erase-blob job writes it in the transaction in which it checks that no evidence row
// stores those bytes and deletes them; the mark stays a day (longer than any upload takes).
// An upload whose row is written while a mark exists (or is being written: it waits) checks
// that its bytes are still stored and is refused, to be sent again, when they are not; an
// upload of content never deleted costs no check.
type BlobDeletion struct {
	SHA256    string    `gorm:"column:sha256;primaryKey;size:64"`
	CreatedAt time.Time `gorm:"not null"`
}
