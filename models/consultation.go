package models

import "time"

// ConsultationStatus is where a legal consultation (法律咨询) stands.
type ConsultationStatus string

// The statuses of a consultation.
const (
	// ConsultationRequested waits for staff (or the specialty rule) to assign a lawyer.
	ConsultationRequested ConsultationStatus = "requested"
	// ConsultationAssigned is the lawyer's turn: a question or a follow-up is unanswered.
	ConsultationAssigned ConsultationStatus = "assigned"
	// ConsultationAnswered is the complainant's turn: the lawyer answered.
	ConsultationAnswered  ConsultationStatus = "answered"
	ConsultationClosed    ConsultationStatus = "closed"
	ConsultationCancelled ConsultationStatus = "cancelled"
)

// ConsultationStatusLabels are the labels complainants and lawyers see.
var ConsultationStatusLabels = map[ConsultationStatus]string{
	ConsultationRequested: "待分配律师",
	ConsultationAssigned:  "律师处理中",
	ConsultationAnswered:  "律师已答复",
	ConsultationClosed:    "咨询已结束",
	ConsultationCancelled: "咨询已取消",
}

// AllConsultationStatuses lists the statuses in lifecycle order.
var AllConsultationStatuses = []ConsultationStatus{ConsultationRequested, ConsultationAssigned, ConsultationAnswered,
	ConsultationClosed, ConsultationCancelled}

// Label is the Chinese label of the status.
func (s ConsultationStatus) Label() string { return ConsultationStatusLabels[s] }

// Valid reports whether s is a known status.
func (s ConsultationStatus) Valid() bool { _, ok := ConsultationStatusLabels[s]; return ok }

// Open reports whether the consultation may still change (it counts against the limit of
// open consultations per complaint).
func (s ConsultationStatus) Open() bool {
	return s == ConsultationRequested || s == ConsultationAssigned || s == ConsultationAnswered
}

// OpenConsultationStatuses are the statuses Open reports.
var OpenConsultationStatuses = []ConsultationStatus{ConsultationRequested, ConsultationAssigned, ConsultationAnswered}

// ConsultationAction is something that moves a consultation.
type ConsultationAction string

// The actions of the consultation state machine.
const (
	ConsultRequest  ConsultationAction = "request"   // the complainant asks: → requested
	ConsultAssign   ConsultationAction = "assign"    // staff or the specialty rule pick a lawyer
	ConsultAnswer   ConsultationAction = "answer"    // the lawyer's message in the thread
	ConsultFollowUp ConsultationAction = "follow_up" // the complainant's message in the thread
	ConsultClose    ConsultationAction = "close"     // the lawyer ends it
	ConsultCancel   ConsultationAction = "cancel"    // the complainant withdraws it (or their erasure)
)

// AllConsultationActions lists every action, for exhaustive tests.
var AllConsultationActions = []ConsultationAction{ConsultRequest, ConsultAssign, ConsultAnswer, ConsultFollowUp,
	ConsultClose, ConsultCancel}

// ConsultationActor is who acts on a consultation.
type ConsultationActor string

// The actors of consultations.
const (
	ConsultantComplainant ConsultationActor = "complainant"
	ConsultantLawyer      ConsultationActor = "lawyer"
	ConsultantStaff       ConsultationActor = "staff"
	ConsultantSystem      ConsultationActor = "system"
)

// AllConsultationActors lists every actor, for exhaustive tests.
var AllConsultationActors = []ConsultationActor{ConsultantComplainant, ConsultantLawyer, ConsultantStaff, ConsultantSystem}

// The notification kinds of consultations: text messages to the complainant.
const (
	NotifyConsultationAssigned = "consultation_assigned"
	NotifyConsultationAnswered = "consultation_answered"
)

type consultationKey struct {
	from   ConsultationStatus
	action ConsultationAction
}

// ConsultationRule is where an action leads, who may take it, and what it causes: the
// notification (a Notify* kind, empty for none) sent to the complainant in the change's
// transaction.
type ConsultationRule struct {
	To     ConsultationStatus
	Actors []ConsultationActor
	Notify string
}

var (
	consultAssigners = []ConsultationActor{ConsultantStaff, ConsultantSystem}
	consultCancel    = ConsultationRule{ConsultationCancelled, []ConsultationActor{ConsultantComplainant, ConsultantSystem}, ""}
	consultClose     = ConsultationRule{ConsultationClosed, []ConsultationActor{ConsultantLawyer}, ""}
	consultAnswer    = ConsultationRule{ConsultationAnswered, []ConsultationActor{ConsultantLawyer}, NotifyConsultationAnswered}
	consultFollowUp  = ConsultationRule{ConsultationAssigned, []ConsultationActor{ConsultantComplainant}, ""}
)

// consultationTransitions is the whole state machine with its effects: every allowed (status,
// action) pair. Anything not listed is invalid_state. Staff may hand an assigned or answered
// consultation to another lawyer (the new lawyer is told through the complainant's message
// that names them); a follow-up before any lawyer is assigned stays requested.
var consultationTransitions = map[consultationKey]ConsultationRule{
	{"", ConsultRequest}:                     {ConsultationRequested, []ConsultationActor{ConsultantComplainant}, ""},
	{ConsultationRequested, ConsultAssign}:   {ConsultationAssigned, consultAssigners, NotifyConsultationAssigned},
	{ConsultationAssigned, ConsultAssign}:    {ConsultationAssigned, []ConsultationActor{ConsultantStaff}, NotifyConsultationAssigned},
	{ConsultationAnswered, ConsultAssign}:    {ConsultationAssigned, []ConsultationActor{ConsultantStaff}, NotifyConsultationAssigned},
	{ConsultationAssigned, ConsultAnswer}:    consultAnswer,
	{ConsultationAnswered, ConsultAnswer}:    consultAnswer,
	{ConsultationRequested, ConsultFollowUp}: {ConsultationRequested, []ConsultationActor{ConsultantComplainant}, ""},
	{ConsultationAssigned, ConsultFollowUp}:  consultFollowUp,
	{ConsultationAnswered, ConsultFollowUp}:  consultFollowUp,
	{ConsultationAssigned, ConsultClose}:     consultClose,
	{ConsultationAnswered, ConsultClose}:     consultClose,
	{ConsultationRequested, ConsultCancel}:   consultCancel,
	{ConsultationAssigned, ConsultCancel}:    consultCancel,
	{ConsultationAnswered, ConsultCancel}:    consultCancel,
}

// ErrConsultationActorNotAllowed is an action that exists for the status but not for this actor.
var ErrConsultationActorNotAllowed = &Error{Kind: KindForbidden, Code: "forbidden", Detail: "you may not take this action on the consultation"}

// ConsultationTransition returns the rule that action by actor follows from status, or
// invalid_state when the action is not allowed there.
func ConsultationTransition(from ConsultationStatus, action ConsultationAction, actor ConsultationActor) (ConsultationRule, error) {
	rule, ok := consultationTransitions[consultationKey{from, action}]
	if !ok {
		return ConsultationRule{}, &Error{Kind: KindInvalidState, Code: "invalid_state",
			Detail: "a consultation that is " + string(from) + " cannot take the action " + string(action)}
	}
	for _, a := range rule.Actors {
		if a == actor {
			return rule, nil
		}
	}
	return ConsultationRule{}, ErrConsultationActorNotAllowed
}

// Consultation is a complainant's request for a lawyer's advice on one of their complaints.
// idx_consultations_lawyer serves a lawyer's list; idx_consultations_complaint the count of a
// complaint's open consultations.
type Consultation struct {
	ID          string `gorm:"primaryKey;size:40;index:idx_consultations_lawyer,priority:2"`
	ComplaintID string `gorm:"size:40;not null;index:idx_consultations_complaint,priority:1"`
	RequesterID string `gorm:"size:40;not null;index"`
	// RequesterRole is consumer or merchant.
	RequesterRole Role `gorm:"size:16;not null"`
	// Question is personal: an erasure of the requester replaces it with ErasedText.
	Question           string                `gorm:"type:text;not null"`
	PreferredSpecialty *string               `gorm:"size:32"`
	Status             ConsultationStatus    `gorm:"size:16;not null;index;index:idx_consultations_complaint,priority:2"`
	LawyerID           *string               `gorm:"size:40;index:idx_consultations_lawyer,priority:1"`
	AssignedAt         *time.Time            ``
	AnsweredAt         *time.Time            ``
	ClosedAt           *time.Time            ``
	CreatedAt          time.Time             `gorm:"not null"`
	UpdatedAt          time.Time             `gorm:"autoUpdateTime:false;not null"`
	Version            int                   `gorm:"not null"`
	Messages           []ConsultationMessage `gorm:"foreignKey:ConsultationID"`
}

// ConsultationMessage is one message of a consultation's thread.
type ConsultationMessage struct {
	ID             string `gorm:"primaryKey;size:40"`
	ConsultationID string `gorm:"size:40;not null;index"`
	// AuthorType is lawyer or complainant; AuthorID the lawyer's profile or the complainant's account.
	AuthorType ConsultationActor `gorm:"size:16;not null"`
	AuthorID   string            `gorm:"size:40;not null"`
	Body       string            `gorm:"type:text;not null"`
	CreatedAt  time.Time         `gorm:"not null"`
}
