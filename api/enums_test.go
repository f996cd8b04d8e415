package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/dianshubao/dianshubao/internal/openapi"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

func keys[K ~string, V any](m map[K]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, string(k))
	}
	return out
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// docProperty is a member of a definition of the served Swagger document.
type docProperty struct {
	Enum        []any  `json:"enum"`
	Description string `json:"description"`
	Items       struct {
		Enum []any `json:"enum"`
	} `json:"items"`
}

// docDefinitions reads the served document's definitions: name → member → property.
func docDefinitions(t *testing.T) map[string]map[string]docProperty {
	t.Helper()
	raw, err := openapi.Swagger()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Definitions map[string]struct {
			Properties map[string]docProperty `json:"properties"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := make(map[string]map[string]docProperty, len(doc.Definitions))
	for name, d := range doc.Definitions {
		out[name] = d.Properties
	}
	return out
}

// TestDocumentEnumsAreTheCodesSets: each closed set the document lists as an enum is exactly
// the set the code knows, so adding a status, sector or event type without the document (or
// the other way round) fails here.
func TestDocumentEnumsAreTheCodesSets(t *testing.T) {
	defs := docDefinitions(t)
	statuses := strs(models.AllStatuses)
	sectors := keys(models.SectorLabels)
	events := service.EventTypes
	complaintEvents := events[:len(events)-1]
	for _, c := range []struct {
		def, prop string
		want      []string
	}{
		{"service.ComplaintView", "status", statuses},
		{"service.ComplaintView", "issue_type", keys(models.IssueTypeLabels)},
		{"service.ComplaintView", "demands", keys(models.DemandLabels)},
		{"service.ComplaintView", "channel", []string{string(models.ChannelConsumer), string(models.ChannelRefundOnly)}},
		{"service.TimelineView", "from", statuses},
		{"service.TimelineView", "to", statuses},
		{"service.RejectionView", "reason_code", keys(models.RejectionReasonLabels)},
		{"service.RejectRequest", "reason_code", keys(models.RejectionReasonLabels)},
		{"service.CreateComplaintRequest", "issue_type", keys(models.IssueTypeLabels)},
		{"service.CreateComplaintRequest", "demands", keys(models.DemandLabels)},
		{"service.CreateRefundOnlyRequest", "demands", keys(models.DemandLabels)},
		{"api.PlatformView", "sector", sectors},
		{"service.RatingPlatform", "sector", sectors},
		{"service.RatingList", "sector", sectors},
		{"service.CreatePlatformRequest", "sector", sectors},
		{"service.UpdatePlatformRequest", "sector", sectors},
		{"service.RatingItem", "grade", keys(models.GradeLabels)},
		{"service.RatingList", "period_type", strs(models.PeriodTypes)},
		{"service.RatingEntry", "period_type", strs(models.PeriodTypes)},
		{"service.EvidenceView", "content_type", models.AllowedEvidenceTypes},
		{"service.EndpointView", "event_types", events},
		{"service.CreateEndpointRequest", "event_types", events},
		{"service.UpdateEndpointRequest", "event_types", events},
		{"service.AttemptView", "event_type", events},
		{"api.WebhookEventType", "type", events},
		{"service.ComplaintEvent", "type", complaintEvents},
		{"service.NotificationView", "status", models.NotificationStatuses},
		{"service.NotificationView", "kind", keys(service.SMSTemplates)},
		{"api.ProblemLimit", "name", strs(models.AllLimits)},
		{"service.ConsultationView", "status", strs(models.AllConsultationStatuses)},
		{"service.LawyerConsultationView", "status", strs(models.AllConsultationStatuses)},
		{"service.SpecialtyView", "code", strs(models.AllSpecialties)},
		{"service.CreateLawyerRequest", "specialties", strs(models.AllSpecialties)},
		{"service.UpdateLawyerRequest", "specialties", strs(models.AllSpecialties)},
		{"service.RequestConsultationRequest", "preferred_specialty", strs(models.AllSpecialties)},
		{"service.ConsultationMessageView", "author_type", []string{string(models.ConsultantLawyer), string(models.ConsultantComplainant)}},
		{"service.CaseView", "sector", sectors},
		{"service.AdminCaseView", "sector", sectors},
		{"service.AdminCaseView", "status", strs(models.CaseStatuses)},
		{"service.AdminCaseView", "unpublished_reason", models.UnpublishedReasons},
		{"service.CreateCaseRequest", "sector", sectors},
		{"service.UpdateCaseRequest", "sector", sectors},
		{"service.CaseOutcomeView", "status", statuses},
		{"service.CaseOutcomeView", "channel", []string{string(models.ChannelConsumer), string(models.ChannelRefundOnly)}},
		{"service.CaseOutcomeView", "issue_type", keys(models.IssueTypeLabels)},
		{"service.CaseOutcomeView", "demands", keys(models.DemandLabels)},
		{"service.CaseHitView", "kind", strs(models.ScrubKinds)},
		{"service.CaseHitView", "field", models.CaseHitFields},
		{"service.CaseEventView", "event", service.CaseEvents},
	} {
		p, ok := defs[c.def][c.prop]
		if !ok {
			t.Errorf("%s.%s is not in the document", c.def, c.prop)
			continue
		}
		enum := p.Enum
		if enum == nil {
			enum = p.Items.Enum
		}
		var got []string
		for _, e := range enum {
			if e != nil {
				got = append(got, fmt.Sprint(e))
			}
		}
		want := slices.Clone(c.want)
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s.%s: the document's enum is %v, the code's set %v", c.def, c.prop, got, want)
		}
	}
}
