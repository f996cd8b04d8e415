package models

import "fmt"

// Limit names one ceiling that keeps a complaint or a platform from growing without bound
// (API.md section 1); a request past it is 409 limit_reached naming it.
type Limit string

// The limits, by the name a limit_reached problem gives them.
const (
	LimitSupplements      Limit = "supplements_per_complaint"
	LimitReplies          Limit = "replies_per_complaint"
	LimitWebhookEndpoints Limit = "webhook_endpoints_per_platform"
	LimitActiveAPIKeys    Limit = "active_api_keys_per_platform"
	// LimitOpenConsultations counts a complaint's consultations that are not closed or cancelled.
	LimitOpenConsultations    Limit = "open_consultations_per_complaint"
	LimitConsultationMessages Limit = "messages_per_consultation"
)

// AllLimits is every limit, the closed set of the names a limit_reached problem gives.
var AllLimits = []Limit{LimitSupplements, LimitReplies, LimitWebhookEndpoints, LimitActiveAPIKeys,
	LimitOpenConsultations, LimitConsultationMessages}

// limitNouns say what each limit counts, for the problem's detail.
var limitNouns = map[Limit]string{
	LimitSupplements:          "supplements per complaint",
	LimitReplies:              "replies per complaint",
	LimitWebhookEndpoints:     "webhook endpoints per platform",
	LimitActiveAPIKeys:        "active API keys per platform",
	LimitOpenConsultations:    "open consultations per complaint",
	LimitConsultationMessages: "messages per consultation",
}

// LimitReached is the error of a request that would pass limit l, whose ceiling is max. The
// problem carries the limit's name and ceiling as the member limit.
func LimitReached(l Limit, max int) error {
	return &Error{Kind: KindConflict, Code: "limit_reached", Detail: fmt.Sprintf("at most %d %s", max, limitNouns[l]),
		Extra: map[string]any{"limit": string(l), "max": max}}
}
