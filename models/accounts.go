package models

import (
	"strings"
	"time"
)

// Role is what a person may do.
type Role string

// The roles of people. Platforms are not people: they authenticate with API keys.
const (
	RoleConsumer  Role = "consumer"
	RoleMerchant  Role = "merchant"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
	// RoleLawyer is a member of the lawyer team (律师团): it sees and answers only the
	// consultations assigned to it.
	RoleLawyer Role = "lawyer"
)

// IsStaff reports whether the role reviews complaints (admins can do everything moderators can).
func (r Role) IsStaff() bool { return r == RoleModerator || r == RoleAdmin }

// IsManaged reports whether admins create and manage the account (staff and lawyers, who sign
// in by e-mail), as opposed to complainants, who register themselves.
func (r Role) IsManaged() bool { return r.IsStaff() || r == RoleLawyer }

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleConsumer, RoleMerchant, RoleModerator, RoleAdmin, RoleLawyer:
		return true
	}
	return false
}

// User is a person's account. Phone identifies complainants, e-mail identifies staff.
// Phone and RealName are personal information, sealed at rest (serializer:encrypted); an
// account is found by PhoneHash (unique) and RealNameHash, keyed hashes the store sets from
// them (store.SetUserHashes). Staff e-mail addresses are work addresses and stay in clear.
type User struct {
	ID           string  `gorm:"primaryKey;size:40"`
	Role         Role    `gorm:"size:16;not null;index"`
	Phone        *string `gorm:"size:255;serializer:encrypted"`
	PhoneHash    *string `gorm:"size:64;uniqueIndex"`
	Email        *string `gorm:"size:255;uniqueIndex"`
	PasswordHash string  `gorm:"size:100;not null"`
	RealName     string  `gorm:"size:2048;not null;serializer:encrypted"`
	// RealNameHash is the keyed hash of the real name in lower case (NameLookupKey).
	RealNameHash   string  `gorm:"size:64;not null;default:'';index"`
	ShopName       *string `gorm:"size:255"`
	ShopPlatformID *string `gorm:"size:40"`
	// DisabledAt is when an admin disabled the account; its tokens stop working then.
	DisabledAt *time.Time ``
	// ErasedAt is when the account was erased (its personal data replaced by ErasedText); an
	// erased account is disabled too and can never log in again.
	ErasedAt  *time.Time ``
	CreatedAt time.Time  `gorm:"not null"`
	UpdatedAt time.Time  `gorm:"autoUpdateTime:false;not null"`
}

// RefreshToken is one link of a rotation chain; tokens of one login share a FamilyID so that a
// reused token revokes the whole family.
type RefreshToken struct {
	ID        string     `gorm:"primaryKey;size:40"`
	FamilyID  string     `gorm:"size:40;not null;index"`
	UserID    string     `gorm:"size:40;not null;index"`
	TokenHash string     `gorm:"size:64;not null;uniqueIndex"`
	ExpiresAt time.Time  `gorm:"not null;index"`
	UsedAt    *time.Time ``
	RevokedAt *time.Time ``
	CreatedAt time.Time  `gorm:"not null"`
}

// NameLookupKey is the form of a real name its lookup hash is computed from: trimmed and in
// lower case, so that an admin finds "Li Shenhe" as "li shenhe".
func NameLookupKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }
