package service

import (
	"context"
	"errors"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// campaignJoin is a filing's choice of a campaign to join (campaign_id); nil is none.
type campaignJoin struct {
	ctx        context.Context
	campaignID string
}

// campaignChoice checks a filing's campaign_id: it must name an open campaign that watches
// the platform. A wrong one is a field error on v.
func (cs *Complaints) campaignChoice(ctx context.Context, v *models.Validator, campaignID *string, platformID string) (*campaignJoin, error) {
	if campaignID == nil {
		return nil, nil
	}
	if len(*campaignID) > 64 {
		v.Add("campaign_id", "is not a known campaign")
		return nil, nil
	}
	c, err := cs.st.CampaignByID(ctx, *campaignID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		v.Add("campaign_id", "is not a known campaign")
		return nil, nil
	case err != nil:
		return nil, err
	case c.Status != models.CampaignOpen:
		v.Add("campaign_id", "names a campaign that is %s (%s): complaints join a campaign while it is open", c.Status, c.Status.Label())
	case !c.Watches(platformID):
		v.Add("campaign_id", "names a campaign that does not watch this platform")
	}
	return &campaignJoin{ctx: ctx, campaignID: c.ID}, nil
}

// around returns review preceded by writing the complaint's membership, so that the filing
// and its membership commit together or not at all.
func (j *campaignJoin) around(review func(tx *store.Store, c *models.Complaint, fx *effects) error) func(tx *store.Store, c *models.Complaint, fx *effects) error {
	if j == nil {
		return review
	}
	return func(tx *store.Store, c *models.Complaint, fx *effects) error {
		status, err := tx.CampaignStatusShared(j.ctx, j.campaignID)
		if err != nil {
			return err
		}
		if status != models.CampaignOpen {
			return models.Invalid("campaign_id", "names a campaign that closed while the complaint was filed")
		}
		_, err = tx.TagComplaints(j.ctx, []models.CampaignComplaint{{CampaignID: j.campaignID, ComplaintID: c.ID,
			Source: models.TagByFiling, TaggedBy: c.ComplainantID, TaggedAt: c.CreatedAt}})
		if err != nil || review == nil {
			return err
		}
		return review(tx, c, fx)
	}
}
