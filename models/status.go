package models

// Status is where a complaint stands (API.md 5.1).
type Status string

// The statuses of a complaint.
const (
	StatusPendingReview   Status = "pending_review"
	StatusRejected        Status = "rejected"
	StatusAwaitingContact Status = "awaiting_contact"
	StatusDelivered       Status = "delivered"
	StatusReplied         Status = "replied"
	StatusCompleted       Status = "completed"
	StatusWithdrawn       Status = "withdrawn"
)

// StatusLabels are the labels complainants see (进度查询).
var StatusLabels = map[Status]string{
	StatusPendingReview:   "待审核",
	StatusRejected:        "经审核投诉不予受理",
	StatusAwaitingContact: "未有效处理",
	StatusDelivered:       "已递交",
	StatusReplied:         "已回复",
	StatusCompleted:       "已完成",
	StatusWithdrawn:       "已撤销",
}

// AllStatuses lists the statuses in lifecycle order.
var AllStatuses = []Status{StatusPendingReview, StatusRejected, StatusAwaitingContact, StatusDelivered,
	StatusReplied, StatusCompleted, StatusWithdrawn}

// Label is the Chinese label of the status.
func (s Status) Label() string { return StatusLabels[s] }

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := StatusLabels[s]; return ok }

// Actor is who makes a change.
type Actor string

// The actors of the timeline.
const (
	ActorConsumer  Actor = "consumer"
	ActorMerchant  Actor = "merchant"
	ActorModerator Actor = "moderator"
	ActorAdmin     Actor = "admin"
	ActorPlatform  Actor = "platform"
	ActorSystem    Actor = "system"
)

// ActorForRole is the timeline actor of a person.
func ActorForRole(r Role) Actor { return Actor(r) }

// Action is something that moves a complaint.
type Action string

// The actions of the state machine.
const (
	ActionSubmit       Action = "submit"        // filed: → pending_review
	ActionAccept       Action = "accept"        // reviewed and the platform is reachable
	ActionHold         Action = "hold"          // reviewed, but the platform cannot be reached yet
	ActionReject       Action = "reject"        // refused on review (or by screening)
	ActionResubmit     Action = "resubmit"      // a resubmittable rejection, supplemented
	ActionDeliver      Action = "deliver"       // the platform became reachable
	ActionReply        Action = "reply"         // the platform's first reply
	ActionRate         Action = "rate"          // the complainant rated the reply
	ActionAutoComplete Action = "auto_complete" // no rating within DSB_AUTO_COMPLETE_AFTER
	ActionWithdraw     Action = "withdraw"      // the complainant withdrew
)

type transitionKey struct {
	from   Status
	action Action
}

type transitionRule struct {
	to     Status
	actors []Actor
}

var (
	complainants = []Actor{ActorConsumer, ActorMerchant}
	reviewers    = []Actor{ActorModerator, ActorAdmin, ActorSystem}
)

// transitions is the whole state machine: every allowed (status, action) pair, where it leads
// and who may take it. Anything not listed is ErrInvalidState. The system reviews refund-only
// complaints (平台即时受理), which is why it is among the reviewers.
var transitions = map[transitionKey]transitionRule{
	{"", ActionSubmit}:                     {StatusPendingReview, complainants},
	{StatusPendingReview, ActionAccept}:    {StatusDelivered, reviewers},
	{StatusPendingReview, ActionHold}:      {StatusAwaitingContact, reviewers},
	{StatusPendingReview, ActionReject}:    {StatusRejected, reviewers},
	{StatusRejected, ActionResubmit}:       {StatusPendingReview, complainants},
	{StatusAwaitingContact, ActionDeliver}: {StatusDelivered, []Actor{ActorSystem}},
	// Screening again before the delivery finds a term (the list changed while it waited):
	// a refund-only complaint, which no moderator reviews, is rejected instead.
	{StatusAwaitingContact, ActionReject}:   {StatusRejected, []Actor{ActorSystem}},
	{StatusDelivered, ActionReply}:          {StatusReplied, []Actor{ActorPlatform}},
	{StatusReplied, ActionRate}:             {StatusCompleted, complainants},
	{StatusReplied, ActionAutoComplete}:     {StatusCompleted, []Actor{ActorSystem}},
	{StatusPendingReview, ActionWithdraw}:   {StatusWithdrawn, complainants},
	{StatusRejected, ActionWithdraw}:        {StatusWithdrawn, complainants},
	{StatusAwaitingContact, ActionWithdraw}: {StatusWithdrawn, complainants},
	{StatusDelivered, ActionWithdraw}:       {StatusWithdrawn, complainants},
	{StatusReplied, ActionWithdraw}:         {StatusWithdrawn, complainants},
}

// ErrActorNotAllowed is returned when the action exists for the status but not for this actor.
var ErrActorNotAllowed = &Error{Kind: KindForbidden, Code: "forbidden", Detail: "you may not take this action on the complaint"}

// Transition returns the status that action by actor leads to from status, or
// ErrInvalidState when the action is not allowed there.
func Transition(from Status, action Action, actor Actor) (Status, error) {
	rule, ok := transitions[transitionKey{from, action}]
	if !ok {
		return "", &Error{Kind: KindInvalidState, Code: "invalid_state",
			Detail: "a complaint that is " + string(from) + " cannot be " + actionPast(action)}
	}
	for _, a := range rule.actors {
		if a == actor {
			return rule.to, nil
		}
	}
	return "", ErrActorNotAllowed
}

func actionPast(a Action) string {
	switch a {
	case ActionSubmit:
		return "submitted"
	case ActionAccept, ActionHold:
		return "accepted"
	case ActionReject:
		return "rejected"
	case ActionResubmit:
		return "re-submitted"
	case ActionDeliver:
		return "delivered"
	case ActionReply:
		return "replied to as a first reply"
	case ActionRate:
		return "rated"
	case ActionAutoComplete:
		return "completed"
	case ActionWithdraw:
		return "withdrawn"
	}
	return string(a)
}

// AllActions lists every action, for exhaustive tests.
var AllActions = []Action{ActionSubmit, ActionAccept, ActionHold, ActionReject, ActionResubmit, ActionDeliver,
	ActionReply, ActionRate, ActionAutoComplete, ActionWithdraw}

// CanMove reports whether some action by some actor leads from one status to the other; data
// generators use it to keep to the state machine without acting as a particular actor.
func CanMove(from, to Status) bool {
	for k, rule := range transitions {
		if k.from == from && rule.to == to {
			return true
		}
	}
	return false
}
