package service

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// eraseEvents rewrites the stored bodies of the complaint's webhook events with its personal
// data replaced, those still to be delivered as well as those delivered; a body already
// emptied stays empty. The events this erasure wrote are anonymised already.
func (e *Erasures) eraseEvents(ctx context.Context, tx *store.Store, c *models.Complaint, fx *effects) (int, error) {
	evs, err := tx.WebhookEventsOfComplaint(ctx, c.PlatformID, c.ID, PlatformComplaintPath(c.ID))
	if err != nil {
		return 0, err
	}
	fresh := map[string]bool{}
	for _, ev := range fx.outbox {
		fresh[ev.ID] = true
	}
	n := 0
	for _, ev := range evs {
		if fresh[ev.ID] || len(ev.Payload) == 0 || ev.Type == models.EventWebhookTest {
			continue
		}
		var body ComplaintEvent
		if err := json.Unmarshal(ev.Payload, &body); err != nil {
			return 0, fmt.Errorf("read webhook event %s: %w", ev.ID, err)
		}
		anonymiseView(&body.Data.Complaint)
		payload, err := complaintEventBody(body)
		if err != nil {
			return 0, err
		}
		if err := tx.ReplaceWebhookEventPayload(ctx, ev.ID, payload); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// anonymiseView replaces what models.Complaint.Anonymise replaces in a view already rendered,
// and the complainant's files (the complaint's and the supplements'; the platform's files on
// its replies stay).
func anonymiseView(v *ComplaintView) {
	erase := func(p *string) *string {
		if p == nil {
			return nil
		}
		s := models.ErasedText
		return &s
	}
	files := func(evs []EvidenceView) {
		for i := range evs {
			evs[i].Filename, evs[i].SHA256 = models.ErasedText, ""
		}
	}
	v.Title, v.OrderNo, v.ProductName = erase(v.Title), erase(v.OrderNo), erase(v.ProductName)
	v.Description, v.ContactName, v.ContactPhone = models.ErasedText, models.ErasedText, models.ErasedText
	files(v.Evidence)
	for i := range v.Supplements {
		v.Supplements[i].Text = models.ErasedText
		files(v.Supplements[i].Evidence)
	}
	for i := range v.Replies {
		v.Replies[i].Content = models.ErasedText
	}
	if v.Rating != nil {
		v.Rating.Comment = erase(v.Rating.Comment)
	}
	if v.Rejection != nil {
		v.Rejection.Note = models.ErasedText
	}
	if v.Timeline != nil {
		for i := range *v.Timeline {
			(*v.Timeline)[i].Note = models.ErasedText
		}
	}
	v.ScreeningHits = nil
}
