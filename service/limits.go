package service

import "github.com/dianshubao/dianshubao/models"

// Limits are the ceilings per complaint and per platform (DSB_MAX_*). A zero field takes its
// default.
type Limits struct {
	// SupplementsPerComplaint and RepliesPerComplaint bound a complaint's children.
	SupplementsPerComplaint int
	RepliesPerComplaint     int
	// WebhookEndpointsPerPlatform counts every endpoint, enabled or not (a disabled one can be
	// enabled again); ActiveAPIKeysPerPlatform counts keys not revoked.
	WebhookEndpointsPerPlatform int
	ActiveAPIKeysPerPlatform    int
	// OpenConsultationsPerComplaint counts a complaint's consultations not closed or
	// cancelled; MessagesPerConsultation bounds a consultation's thread.
	OpenConsultationsPerComplaint int
	MessagesPerConsultation       int
}

// DefaultLimits are the ceilings of API.md section 1.
var DefaultLimits = Limits{SupplementsPerComplaint: 20, RepliesPerComplaint: 50,
	WebhookEndpointsPerPlatform: 20, ActiveAPIKeysPerPlatform: 5,
	OpenConsultationsPerComplaint: 3, MessagesPerConsultation: 50}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.SupplementsPerComplaint, DefaultLimits.SupplementsPerComplaint)
	def(&l.RepliesPerComplaint, DefaultLimits.RepliesPerComplaint)
	def(&l.WebhookEndpointsPerPlatform, DefaultLimits.WebhookEndpointsPerPlatform)
	def(&l.ActiveAPIKeysPerPlatform, DefaultLimits.ActiveAPIKeysPerPlatform)
	def(&l.OpenConsultationsPerComplaint, DefaultLimits.OpenConsultationsPerComplaint)
	def(&l.MessagesPerConsultation, DefaultLimits.MessagesPerConsultation)
	return l
}

// within refuses one more of what limit l counts when n are there already. Callers count
// under a row lock (the complaint's, or the platform's), so that concurrent requests cannot
// both pass at n = max-1.
func within(l models.Limit, n int64, max int) error {
	if n >= int64(max) {
		return models.LimitReached(l, max)
	}
	return nil
}
