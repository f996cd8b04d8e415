package service

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// aggregate is one complaint as a command changes it: the row with its supplements, replies
// and (for views that show it) timeline, the evidence they cite, and the row as it was read,
// so that only the changed columns are written. Response and webhook payloads are built from
// it; nothing is read back.
type aggregate struct {
	c        *models.Complaint
	loaded   models.Complaint // the columns as read; ID "" for a new complaint
	evidence map[string]models.Evidence
	// claimed: the complaint held its duplicate claim when read (or took it when filed).
	claimed bool
}

// loadAggregate reads a complaint with its children and evidence. lock takes the row lock
// first, inside a transaction.
func loadAggregate(ctx context.Context, st *store.Store, id string, timeline, lock bool) (*aggregate, error) {
	var (
		c   *models.Complaint
		err error
	)
	if lock {
		c, err = st.ComplaintForUpdate(ctx, id)
	} else {
		c, err = st.ComplaintRow(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	if err := st.LoadComplaintChildren(ctx, c, timeline); err != nil {
		return nil, err
	}
	return newAggregate(ctx, st, c)
}

func newAggregate(ctx context.Context, st *store.Store, c *models.Complaint) (*aggregate, error) {
	evs, err := st.EvidenceByIDs(ctx, allEvidenceIDs(c))
	if err != nil {
		return nil, err
	}
	a := &aggregate{c: c, loaded: *c, evidence: make(map[string]models.Evidence, len(evs))}
	a.loaded.Flags = slices.Clone(c.Flags)
	for _, e := range evs {
		a.evidence[e.ID] = e
	}
	_, _, a.claimed = c.DuplicateClaim()
	return a, nil
}

// clone is a copy a transaction attempt may change freely: a retried attempt starts again
// from the aggregate as read.
func (a *aggregate) clone() *aggregate {
	c := *a.c
	c.Flags = slices.Clone(c.Flags)
	c.Supplements, c.Replies, c.Timeline = slices.Clone(c.Supplements), slices.Clone(c.Replies), slices.Clone(c.Timeline)
	return &aggregate{c: &c, loaded: a.loaded, evidence: maps.Clone(a.evidence), claimed: a.claimed}
}

// cite adds evidence rows a change brings in, for the views.
func (a *aggregate) cite(evs []models.Evidence) {
	for _, e := range evs {
		a.evidence[e.ID] = e
	}
}

// guard is a check of the caller against the complaint that needs no lock: one that fails
// answers before any transaction, so that a stranger never waits for (or takes) the row lock.
type guard func(c *models.Complaint) error

// act runs one command on complaint id in one transaction: the aggregate is read (with the row
// lock), fn changes it in memory, everything it wrote is flushed, and the view for aud is the
// result, built before commit. With a guard, the aggregate is read and checked before the
// transaction, and inside it only the row is locked and read again; the children read before
// are current when the version did not move (every change of a child moves it).
func (cs *Complaints) act(ctx context.Context, id string, aud Audience, check guard, fn func(tx *store.Store, c *models.Complaint, fx *effects) error) (*ComplaintView, error) {
	if len(id) > 64 {
		return nil, models.NotFound("complaint")
	}
	timeline := aud != AudiencePlatform
	var pre *aggregate
	if check != nil {
		var err error
		if pre, err = loadAggregate(ctx, cs.st, id, timeline, false); err != nil {
			return nil, err
		}
		if err := check(pre.c); err != nil {
			return nil, err
		}
	}
	var done *effects
	v, err := command(ctx, cs.st, func(tx *store.Store) (*ComplaintView, error) {
		a, err := cs.lockAggregate(ctx, tx, id, pre, timeline)
		if err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(a.c); err != nil {
				return nil, err
			}
		}
		if im := IdempotentOf(ctx); im != nil {
			im.Subject = a.c.ComplainantID // the answer shows the complainant's data
		}
		fx := &effects{agg: a}
		if err := fn(tx, a.c, fx); err != nil {
			return nil, err
		}
		if err := cs.flush(ctx, tx, fx); err != nil {
			return nil, err
		}
		done = fx
		return cs.presentInMemory(ctx, tx, a.c, a.evidence, aud)
	})
	if err != nil {
		return nil, err
	}
	cs.committed(ctx, done)
	return v, nil
}

// lockAggregate locks the complaint's row and returns the aggregate as it is now: pre, when
// it was read before and the version did not move, else read again under the lock.
func (cs *Complaints) lockAggregate(ctx context.Context, tx *store.Store, id string, pre *aggregate, timeline bool) (*aggregate, error) {
	if pre == nil {
		return loadAggregate(ctx, tx, id, timeline, true)
	}
	row, err := tx.ComplaintForUpdate(ctx, id)
	if err != nil {
		return nil, err
	}
	if row.Version == pre.loaded.Version {
		return pre.clone(), nil
	}
	if err := tx.LoadComplaintChildren(ctx, row, timeline); err != nil {
		return nil, err
	}
	return newAggregate(ctx, tx, row)
}

// flush writes what a command changed, in a fixed order: the duplicate claim first (so that a
// duplicate is refused before anything else is written), then the row, then the new rows.
func (cs *Complaints) flush(ctx context.Context, tx *store.Store, fx *effects) error {
	a := fx.agg
	if err := cs.settleClaim(ctx, tx, a); err != nil {
		return err
	}
	if a.loaded.ID == "" {
		if err := tx.CreateComplaint(ctx, a.c); err != nil {
			return err
		}
	} else if err := tx.UpdateComplaint(ctx, &a.loaded, a.c); err != nil {
		return err
	}
	if err := tx.AddSupplements(ctx, fx.supplements); err != nil {
		return err
	}
	if err := tx.AddReplies(ctx, fx.replies); err != nil {
		return err
	}
	if err := tx.LinkEvidence(ctx, a.c.ID, fx.links); err != nil {
		return err
	}
	// Every effect of the command — text messages, follow-ups and webhook deliveries — goes to
	// the work queue in one statement.
	jobs := fx.jobs
	for i := range fx.outbox {
		ds, err := cs.webhooks.deliveryJobs(ctx, tx, &fx.outbox[i])
		if err != nil {
			return err
		}
		jobs = append(jobs, ds...)
	}
	// The rows nothing in the transaction reads again, and no platform's view is made of, go
	// with its commit (with the idempotency record): one round trip for all of them.
	return tx.Later(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.AddTimelineItems(ctx, fx.timeline); err != nil {
			return err
		}
		if err := tx.AddNotifications(ctx, fx.notes); err != nil {
			return err
		}
		if err := tx.AddWebhookEvents(ctx, fx.outbox); err != nil {
			return err
		}
		return tx.EnqueueJobs(ctx, jobs)
	})
}

// presentInMemory is the view of a complaint in memory for aud, with the platform from the cache
// (a miss read through tx).
func (cs *Complaints) presentInMemory(ctx context.Context, tx *store.Store, c *models.Complaint, evidence map[string]models.Evidence, aud Audience) (*ComplaintView, error) {
	p, err := cs.platforms.PlatformVia(ctx, tx, c.PlatformID)
	if errors.Is(err, models.ErrNotFound) {
		p, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := cs.view(c, p, evidence, aud)
	return &v, nil
}
