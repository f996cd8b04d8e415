package service

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// The typical cases and campaigns the reports link to. A case can be unpublished at any time
// (staff, the complainant's consent withdrawn, the complainant's erasure) and must then be gone
// from every public page: the campaign report reads its cases on every read, the periodic
// report checks the cases it holds on every read.

// caseRefs presents cases as report references, in their order.
func caseRefs(ctx context.Context, st *store.Store, cases []models.Case) ([]models.CaseRef, error) {
	ids := make([]string, len(cases))
	for i := range cases {
		ids[i] = cases[i].PlatformID
	}
	platforms, err := st.PlatformsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(platforms))
	for i := range platforms {
		names[platforms[i].ID] = platforms[i].Name
	}
	out := make([]models.CaseRef, len(cases))
	for i := range cases {
		k := &cases[i]
		out[i] = models.CaseRef{ID: k.ID, Title: k.Title, PlatformID: k.PlatformID, PlatformName: names[k.PlatformID],
			Sector: string(k.Sector), SectorLabel: models.SectorLabels[k.Sector]}
		if k.PublishedAt != nil {
			out[i].PublishedAt = Ts(*k.PublishedAt)
		}
	}
	return out, nil
}

// campaignCases are the published cases of the complaints tagged into a campaign, as they are
// now, newest publication first.
func campaignCases(ctx context.Context, st *store.Store, campaignID string) ([]models.CaseRef, error) {
	cases, err := st.PublishedCasesOfCampaign(ctx, campaignID, models.CampaignReportCases)
	if err != nil {
		return nil, err
	}
	return caseRefs(ctx, st, cases)
}

// links fills a periodic report's cases (published in the period, of its channel) and
// campaigns (whose days overlap the period).
func (rs *Reports) links(ctx context.Context, r *models.Report, p models.Period, ch models.Channel) error {
	cases, err := rs.st.PublishedCasesIn(ctx, ch, p.Start(), p.End(), models.ReportCases)
	if err != nil {
		return err
	}
	if r.Cases, err = caseRefs(ctx, rs.st, cases); err != nil {
		return err
	}
	first := p.Start().In(models.ChinaTime).Format(time.DateOnly)
	last := p.End().In(models.ChinaTime).AddDate(0, 0, -1).Format(time.DateOnly)
	campaigns, err := rs.st.CampaignsOverlapping(ctx, first, last, models.ReportCampaigns)
	if err != nil {
		return err
	}
	r.Campaigns = make([]models.ReportCampaign, len(campaigns))
	for i := range campaigns {
		c := &campaigns[i]
		r.Campaigns[i] = models.ReportCampaign{ID: c.ID, Title: c.Title, Status: string(c.Status),
			StatusLabel: c.Status.Label(), StartDate: c.StartsOn, EndDate: c.EndsOn}
	}
	return nil
}

// liveCases keeps of a report's cases those still published in its period, with their titles
// as they are now, and answers the bytes to serve: raw when nothing changed, else r encoded
// again, so that the ETag (of the bytes served) and the PDF (keyed by it) change with it. The
// figures are left as they are.
func (rs *Reports) liveCases(ctx context.Context, r *models.Report, p models.Period, raw []byte) ([]byte, error) {
	if r.Cases == nil || r.Campaigns == nil {
		// A report stored before reports linked cases and campaigns: it is sent with both lists,
		// empty (its figures as stored).
		if r.Campaigns == nil {
			r.Campaigns = []models.ReportCampaign{}
		}
		if r.Cases == nil {
			r.Cases = []models.CaseRef{}
		}
		return json.Marshal(r)
	}
	if len(r.Cases) == 0 {
		return raw, nil
	}
	ids := make([]string, len(r.Cases))
	for i := range r.Cases {
		ids[i] = r.Cases[i].ID
	}
	rows, err := rs.st.PublishedCasesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := make(map[string]*models.Case, len(rows))
	for i := range rows {
		now[rows[i].ID] = &rows[i]
	}
	kept := make([]models.CaseRef, 0, len(r.Cases))
	for _, ref := range r.Cases {
		k, ok := now[ref.ID]
		if !ok || k.PublishedAt == nil || !p.Contains(*k.PublishedAt) {
			continue
		}
		ref.Title = k.Title
		kept = append(kept, ref)
	}
	if slices.Equal(kept, r.Cases) {
		return raw, nil
	}
	r.Cases = kept
	return json.Marshal(r)
}
