package models

import (
	"errors"
	"testing"
)

// TestTransitionTable covers every (status, action, actor) triple: the allowed ones lead where
// API.md 5.1 says, everything else is invalid_state (or forbidden for the wrong actor).
func TestTransitionTable(t *testing.T) {
	type want struct {
		to     Status
		actors []Actor
	}
	allowed := map[Status]map[Action]want{
		"": {ActionSubmit: {StatusPendingReview, []Actor{ActorConsumer, ActorMerchant}}},
		StatusPendingReview: {
			ActionAccept:   {StatusDelivered, []Actor{ActorModerator, ActorAdmin, ActorSystem}},
			ActionHold:     {StatusAwaitingContact, []Actor{ActorModerator, ActorAdmin, ActorSystem}},
			ActionReject:   {StatusRejected, []Actor{ActorModerator, ActorAdmin, ActorSystem}},
			ActionWithdraw: {StatusWithdrawn, []Actor{ActorConsumer, ActorMerchant}},
		},
		StatusRejected: {
			ActionResubmit: {StatusPendingReview, []Actor{ActorConsumer, ActorMerchant}},
			ActionWithdraw: {StatusWithdrawn, []Actor{ActorConsumer, ActorMerchant}},
		},
		StatusAwaitingContact: {
			ActionDeliver:  {StatusDelivered, []Actor{ActorSystem}},
			ActionReject:   {StatusRejected, []Actor{ActorSystem}},
			ActionWithdraw: {StatusWithdrawn, []Actor{ActorConsumer, ActorMerchant}},
		},
		StatusDelivered: {
			ActionReply:    {StatusReplied, []Actor{ActorPlatform}},
			ActionWithdraw: {StatusWithdrawn, []Actor{ActorConsumer, ActorMerchant}},
		},
		StatusReplied: {
			ActionRate:         {StatusCompleted, []Actor{ActorConsumer, ActorMerchant}},
			ActionAutoComplete: {StatusCompleted, []Actor{ActorSystem}},
			ActionWithdraw:     {StatusWithdrawn, []Actor{ActorConsumer, ActorMerchant}},
		},
		StatusCompleted: {},
		StatusWithdrawn: {},
	}
	actors := []Actor{ActorConsumer, ActorMerchant, ActorModerator, ActorAdmin, ActorPlatform, ActorSystem}
	statuses := append([]Status{""}, AllStatuses...)
	pairs := 0
	for _, from := range statuses {
		for _, action := range AllActions {
			for _, actor := range actors {
				name := string(from) + "/" + string(action) + "/" + string(actor)
				t.Run(name, func(t *testing.T) {
					pairs++
					got, err := Transition(from, action, actor)
					w, ok := allowed[from][action]
					switch {
					case !ok:
						if !errors.Is(err, ErrInvalidState) {
							t.Fatalf("got %q, %v; want invalid_state", got, err)
						}
					case contains(w.actors, actor):
						if err != nil || got != w.to {
							t.Fatalf("got %q, %v; want %q", got, err, w.to)
						}
					default:
						if !errors.Is(err, ErrActorNotAllowed) {
							t.Fatalf("got %q, %v; want forbidden for this actor", got, err)
						}
					}
				})
			}
		}
	}
	if pairs != len(statuses)*len(AllActions)*len(actors) {
		t.Fatalf("covered %d triples", pairs)
	}
	// Every status has its label.
	for _, s := range AllStatuses {
		if s.Label() == "" {
			t.Errorf("%s has no label", s)
		}
	}
}

func contains(as []Actor, a Actor) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

func TestFinalAndResubmittable(t *testing.T) {
	reason := func(r RejectionReason) *string { s := string(r); return &s }
	cases := []struct {
		c                    Complaint
		final, resubmittable bool
	}{
		{Complaint{Status: StatusPendingReview}, false, false},
		{Complaint{Status: StatusRejected, RejectionReason: reason(RejectAbusiveContent)}, false, true},
		{Complaint{Status: StatusRejected, RejectionReason: reason(RejectMissingInformation)}, false, true},
		{Complaint{Status: StatusRejected, RejectionReason: reason(RejectOutOfScope)}, true, false},
		{Complaint{Status: StatusRejected, RejectionReason: reason(RejectDuplicate)}, true, false},
		{Complaint{Status: StatusRejected, RejectionReason: reason(RejectOther)}, true, false},
		{Complaint{Status: StatusCompleted}, true, false},
		{Complaint{Status: StatusWithdrawn}, true, false},
		{Complaint{Status: StatusReplied}, false, false},
	}
	for _, tc := range cases {
		if tc.c.Final() != tc.final || tc.c.Resubmittable() != tc.resubmittable {
			t.Errorf("%s %v: final %v resubmittable %v", tc.c.Status, deref(tc.c.RejectionReason), tc.c.Final(), tc.c.Resubmittable())
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestCanMove(t *testing.T) {
	if !CanMove("", StatusPendingReview) || !CanMove(StatusPendingReview, StatusDelivered) || !CanMove(StatusReplied, StatusCompleted) {
		t.Fatal("allowed moves refused")
	}
	if CanMove(StatusCompleted, StatusReplied) || CanMove(StatusPendingReview, StatusReplied) || CanMove("", StatusDelivered) {
		t.Fatal("a move outside the state machine allowed")
	}
}
