package service

import (
	"context"

	"github.com/dianshubao/dianshubao/models"
)

// PlatformAdminView is what an admin sees of a platform beyond its public profile: whether
// complaints can reach it now (API.md 5.1) and what makes it reachable.
type PlatformAdminView struct {
	Platform                *models.Platform
	Reachable               bool
	ActiveAPIKeys           int64
	EnabledWebhookEndpoints int
}

// AdminGet loads one platform, by id or slug, with its reachability read from the database
// (not from the one-second cache, so that an admin sees the effect of a change at once).
func (ps *Platforms) AdminGet(ctx context.Context, idOrSlug string) (*PlatformAdminView, error) {
	p, err := ps.Lookup(ctx, idOrSlug)
	if err != nil {
		return nil, err
	}
	keys, err := ps.st.CountActiveAPIKeys(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	eps, err := ps.st.EnabledWebhookEndpoints(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	reachable := p.Onboarded && (p.HasAfterSalesContact() || keys > 0 || len(eps) > 0)
	return &PlatformAdminView{Platform: p, Reachable: reachable, ActiveAPIKeys: keys, EnabledWebhookEndpoints: len(eps)}, nil
}
