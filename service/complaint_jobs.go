package service

import (
	"context"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// DeliverAwaiting delivers the complaints waiting for a platform that has become reachable.
// It is called on every platform, API key and webhook endpoint change, and by a sweep.
func (cs *Complaints) DeliverAwaiting(ctx context.Context, platformID string) (int, error) {
	delivered := 0
	for {
		batch, err := cs.st.AwaitingComplaintIDs(ctx, platformID, 100)
		if err != nil || len(batch) == 0 {
			return delivered, err
		}
		if ok, err := cs.reachable(ctx, cs.st, platformID); err != nil || !ok {
			return delivered, err
		}
		for _, id := range batch {
			err := cs.change(ctx, id, func(tx *store.Store, c *models.Complaint, fx *effects) error {
				if c.Status != models.StatusAwaitingContact {
					return nil // another instance got there first
				}
				return cs.transition(ctx, tx, c, models.ActionDeliver, models.ActorSystem, "已与平台取得联系，自动递交", fx)
			})
			if err != nil {
				return delivered, err
			}
			delivered++
		}
	}
}

// SweepAwaiting delivers waiting complaints of every platform that has become reachable.
func (cs *Complaints) SweepAwaiting(ctx context.Context) (int, error) {
	platforms, err := cs.st.PlatformsWithAwaitingComplaints(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, id := range platforms {
		n, err := cs.DeliverAwaiting(ctx, id)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// AutoComplete completes replied complaints nobody rated within DSB_AUTO_COMPLETE_AFTER. Each
// complaint changes under its row lock with its status checked again, so several instances
// may run this at once.
func (cs *Complaints) AutoComplete(ctx context.Context) (int, error) {
	done := 0
	for {
		ids, err := cs.st.RepliedComplaintsBefore(ctx, now(cs.clock).Add(-cs.autoCompleteAfter), 100)
		if err != nil || len(ids) == 0 {
			return done, err
		}
		progressed := false
		for _, id := range ids {
			err := cs.change(ctx, id, func(tx *store.Store, c *models.Complaint, fx *effects) error {
				if c.Status != models.StatusReplied {
					return nil
				}
				progressed = true
				return cs.transition(ctx, tx, c, models.ActionAutoComplete, models.ActorSystem, "回复后未评价，系统自动完成", fx)
			})
			if err != nil {
				return done, err
			}
			done++
		}
		if !progressed {
			return done, nil
		}
	}
}
