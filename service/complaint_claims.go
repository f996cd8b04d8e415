package service

import (
	"context"
	"errors"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// settleClaim takes or gives up the complaint's duplicate claim when its status changed
// whether it holds one.
func (cs *Complaints) settleClaim(ctx context.Context, tx *store.Store, a *aggregate) error {
	key, _, held := a.c.DuplicateClaim()
	switch {
	case held && !a.claimed:
		if err := cs.takeClaim(ctx, tx, a.c); err != nil {
			return err
		}
	case !held && a.claimed:
		if err := tx.ReleaseClaim(ctx, key, a.c.ID); err != nil {
			return err
		}
	}
	a.claimed = held
	return nil
}

// takeClaim inserts the complaint's duplicate key. A key held by another complaint is
// 409 duplicate_complaint naming it, unless the hold has lapsed: then it is taken over,
// conditionally on the holder read, so that two takers cannot both win.
func (cs *Complaints) takeClaim(ctx context.Context, tx *store.Store, c *models.Complaint) error {
	key, expires, _ := c.DuplicateClaim()
	cl := &models.ComplaintClaim{Key: key, ComplaintID: c.ID, ExpiresAt: expires}
	t := now(cs.clock)
	for range 3 {
		ok, err := tx.InsertClaim(ctx, cl)
		if err != nil || ok {
			return err
		}
		holder, err := tx.ClaimHolder(ctx, key)
		if errors.Is(err, models.ErrNotFound) {
			continue // given up meanwhile
		}
		if err != nil {
			return err
		}
		if holder.ComplaintID == c.ID {
			return nil
		}
		if holder.ExpiresAt == nil || holder.ExpiresAt.After(t) {
			return duplicateOf(holder.ComplaintID)
		}
		if ok, err := tx.TakeOverClaim(ctx, holder.ComplaintID, cl); err != nil || ok {
			return err
		}
	}
	return store.ErrComplaintChanged
}

func duplicateOf(id string) error {
	return &models.Error{Kind: models.KindConflict, Code: "duplicate_complaint",
		Detail: "you already have an open complaint about this against the same platform (请不要重复递交投诉); add a supplement to it instead",
		Extra:  map[string]any{"existing_id": id}}
}
