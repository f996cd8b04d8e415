package models

import (
	"errors"
	"slices"
	"testing"
)

// TestConsultationTransitionTable covers every (status, action, actor) triple: the allowed ones
// lead where the table says with the notification it names, everything else is invalid_state
// (or forbidden for the wrong actor).
func TestConsultationTransitionTable(t *testing.T) {
	type want struct {
		to     ConsultationStatus
		actors []ConsultationActor
		notify string
	}
	complainant := []ConsultationActor{ConsultantComplainant}
	lawyer := []ConsultationActor{ConsultantLawyer}
	cancel := want{ConsultationCancelled, []ConsultationActor{ConsultantComplainant, ConsultantSystem}, ""}
	closing := want{ConsultationClosed, lawyer, ""}
	answer := want{ConsultationAnswered, lawyer, NotifyConsultationAnswered}
	reassign := want{ConsultationAssigned, []ConsultationActor{ConsultantStaff}, NotifyConsultationAssigned}
	allowed := map[ConsultationStatus]map[ConsultationAction]want{
		"": {ConsultRequest: {ConsultationRequested, complainant, ""}},
		ConsultationRequested: {
			ConsultAssign:   {ConsultationAssigned, []ConsultationActor{ConsultantStaff, ConsultantSystem}, NotifyConsultationAssigned},
			ConsultFollowUp: {ConsultationRequested, complainant, ""},
			ConsultCancel:   cancel,
		},
		ConsultationAssigned: {
			ConsultAssign: reassign, ConsultAnswer: answer, ConsultFollowUp: {ConsultationAssigned, complainant, ""},
			ConsultClose: closing, ConsultCancel: cancel,
		},
		ConsultationAnswered: {
			ConsultAssign: reassign, ConsultAnswer: answer, ConsultFollowUp: {ConsultationAssigned, complainant, ""},
			ConsultClose: closing, ConsultCancel: cancel,
		},
		ConsultationClosed:    {},
		ConsultationCancelled: {},
	}
	statuses := append([]ConsultationStatus{""}, AllConsultationStatuses...)
	pairs := 0
	for _, from := range statuses {
		for _, action := range AllConsultationActions {
			for _, actor := range AllConsultationActors {
				rule, err := ConsultationTransition(from, action, actor)
				w, ok := allowed[from][action]
				name := string(from) + "/" + string(action) + "/" + string(actor)
				switch {
				case !ok:
					if !errors.Is(err, ErrInvalidState) {
						t.Errorf("%s: %v, want invalid_state", name, err)
					}
				case !slices.Contains(w.actors, actor):
					if !errors.Is(err, ErrConsultationActorNotAllowed) {
						t.Errorf("%s: %v, want forbidden", name, err)
					}
				default:
					pairs++
					if err != nil || rule.To != w.to || rule.Notify != w.notify {
						t.Errorf("%s: %+v %v, want %s notifying %q", name, rule, err, w.to, w.notify)
					}
				}
			}
		}
	}
	if pairs != 18 {
		t.Errorf("%d allowed (status, action, actor) triples, want 18", pairs)
	}
	for _, s := range AllConsultationStatuses {
		if s.Label() == "" {
			t.Errorf("%s has no label", s)
		}
		if s.Open() != (s != ConsultationClosed && s != ConsultationCancelled) {
			t.Errorf("%s: open %v", s, s.Open())
		}
	}
	for _, s := range AllSpecialties {
		if !s.Valid() || s.Label() == "" {
			t.Errorf("specialty %s has no label", s)
		}
	}
	if len(AllSpecialties) != len(SpecialtyLabels) {
		t.Errorf("%d specialties listed, %d labelled", len(AllSpecialties), len(SpecialtyLabels))
	}
}
