package models

import "time"

// ErasedText replaces every piece of personal data an erasure removes: names, phone numbers,
// order numbers, free text and file names (个人信息删除, PIPL art. 47).
const ErasedText = "[已删除]"

// Erasure records that a consumer's or merchant's account and the personal data of its
// complaints were erased: who asked, when, and how much was erased. It holds nothing personal,
// and there is at most one per account.
type Erasure struct {
	ID     string `gorm:"primaryKey;size:40"`
	UserID string `gorm:"size:40;not null;uniqueIndex"`
	Role   Role   `gorm:"size:16;not null"`
	// ActorType is "admin" (POST /admin/users/{id}/erase) or "self" (DELETE /me); ActorID the
	// admin's or the person's own id.
	ActorType string    `gorm:"size:16;not null"`
	ActorID   string    `gorm:"size:40;not null"`
	CreatedAt time.Time `gorm:"not null"`
	// What was erased, counted.
	Complaints         int `gorm:"not null"`
	Withdrawn          int `gorm:"not null"`
	Supplements        int `gorm:"not null"`
	Replies            int `gorm:"not null"`
	TimelineEntries    int `gorm:"not null"`
	Notifications      int `gorm:"not null"`
	WebhookEvents      int `gorm:"not null"`
	IdempotencyRecords int `gorm:"not null"`
	EvidenceFiles      int `gorm:"not null"`
	RefreshTokens      int `gorm:"not null"`
	// Cases are the typical cases made of the complaints, withdrawn and emptied.
	Cases int `gorm:"not null;default:0"`
}

// The actors of an erasure.
const (
	ErasedByAdmin = "admin"
	ErasedBySelf  = "self"
)

// Anonymise replaces the personal data of the complaint in memory — its texts, the contact,
// the order number, the product, the rating's comment, the moderator's note to the
// complainant, and the texts of its supplements, replies and timeline — by ErasedText. What the
// rating lists read (ids, status, platform, channel, times, the score) stays as it is.
func (c *Complaint) Anonymise() {
	erase := func(p *string) *string {
		if p == nil {
			return nil
		}
		s := ErasedText
		return &s
	}
	c.Title, c.OrderNo, c.ProductName = erase(c.Title), erase(c.OrderNo), erase(c.ProductName)
	c.RatingComment, c.RejectionNote = erase(c.RatingComment), erase(c.RejectionNote)
	c.Description, c.ContactName, c.ContactPhone = ErasedText, ErasedText, ErasedText
	c.PublishConsentAt = nil // the person is gone, and their consent with them
	for i := range c.Supplements {
		c.Supplements[i].Text = ErasedText
	}
	for i := range c.Replies {
		c.Replies[i].Content = ErasedText
	}
	for i := range c.Timeline {
		c.Timeline[i].Note = ErasedText
	}
}

// Erased reports whether the complaint was anonymised by its complainant's erasure: no
// description a complainant can write is this short.
func (c *Complaint) Erased() bool { return c.Description == ErasedText }

// Anonymise blanks an evidence row whose file is erased: the name is ErasedText and the
// content hash, which would name the bytes, is empty (nothing can be downloaded under it).
func (e *Evidence) Anonymise() {
	e.Filename, e.SHA256 = ErasedText, ""
}

// Erased reports whether the evidence's file was erased.
func (e *Evidence) Erased() bool { return e.SHA256 == "" }
