package models

// PrincipalKind tells people from platforms.
type PrincipalKind string

// The kinds of caller.
const (
	PrincipalPerson   PrincipalKind = "person"
	PrincipalPlatform PrincipalKind = "platform"
)

// Principal is the authenticated caller of a request.
type Principal struct {
	Kind PrincipalKind
	// UserID and Role are set for people.
	UserID string
	Role   Role
	// PlatformID and APIKeyID are set for platforms.
	PlatformID string
	APIKeyID   string
}

// RateKey identifies the caller's rate-limit budget: one per API key, one per person.
func (p *Principal) RateKey() string {
	if p.Kind == PrincipalPlatform {
		return "key:" + p.APIKeyID
	}
	return "user:" + p.UserID
}
