package service

import (
	"context"
	"errors"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
	"github.com/dianshubao/dianshubao/store"
)

// defaultAwaitingBatch is how many waiting complaints one deliver_awaiting attempt delivers
// before it puts itself back, so that one attempt stays short whatever the backlog.
const defaultAwaitingBatch = 100

// maxFollowUpAttempts bounds a follow-up job that keeps failing; the periodic safety nets
// queue the work again later.
const maxFollowUpAttempts = 10

// awaitingJob is the work-queue row that delivers a platform's waiting complaints, written in
// the transaction of a change that may have made the platform reachable.
func awaitingJob(platformID string, t time.Time) models.Job {
	return models.Job{ID: models.NewID(), Kind: models.JobDeliverAwaiting, State: models.JobAvailable, DueAt: t,
		Ref: platformID, Destination: "platform:" + platformID, PlatformID: platformID, CreatedAt: t, UpdatedAt: t}
}

// retryLater puts a follow-up job back after a failure, with a growing wait, or gives it up.
func retryLater(job *models.Job, t time.Time, err error) queue.Result {
	if job.Attempts+1 >= maxFollowUpAttempts {
		return queue.Result{State: models.JobDiscarded, Error: err.Error()}
	}
	return queue.Result{State: models.JobAvailable, DueAt: t.Add(5 * time.Second << min(job.Attempts, 6)), Error: err.Error()}
}

// deliverAwaitingJob is the handler of deliver_awaiting jobs: it delivers one batch of the
// platform's waiting complaints (未有效处理 → 已递交) and puts itself back, due now, while
// more wait.
func (cs *Complaints) deliverAwaitingJob(ctx context.Context, job *models.Job) queue.Result {
	_, more, err := cs.deliverAwaiting(ctx, job.Ref, cs.awaitingBatch)
	switch {
	case err != nil:
		return retryLater(job, now(cs.clock), err)
	case more:
		return queue.Result{State: models.JobAvailable, DueAt: now(cs.clock)}
	}
	return queue.Result{State: models.JobCompleted}
}

// deliverAwaiting delivers up to limit of the platform's waiting complaints, each in a short
// transaction of its own, if the platform is reachable, and reports whether more wait.
func (cs *Complaints) deliverAwaiting(ctx context.Context, platformID string, limit int) (int, bool, error) {
	// The change that made the platform reachable may have been made on another instance:
	// read it afresh, and with it the endpoints the delivered events go to.
	cs.platforms.Forget(platformID)
	if ok, err := cs.reachable(ctx, cs.st, platformID); err != nil || !ok {
		return 0, false, err
	}
	ids, err := cs.st.AwaitingComplaintIDs(ctx, platformID, limit+1)
	if err != nil {
		return 0, false, err
	}
	more := len(ids) > limit
	if more {
		ids = ids[:limit]
	}
	delivered := 0
	for _, id := range ids {
		moved := false
		err := cs.change(ctx, id, func(tx *store.Store, c *models.Complaint, fx *effects) error {
			moved = c.Status == models.StatusAwaitingContact
			if !moved {
				return nil // another instance got there first
			}
			// The list may have changed while it waited: what the platform will read is
			// screened again.
			if ok, err := cs.screenBeforeDelivery(ctx, tx, c, fx); !ok || err != nil {
				moved = false
				return err
			}
			return cs.transition(ctx, tx, c, models.ActionDeliver, models.ActorSystem, "已与平台取得联系，自动递交", fx)
		})
		if err != nil {
			return delivered, more, err
		}
		if moved {
			delivered++
		}
	}
	return delivered, more, nil
}

// QueueAwaiting is the safety net behind the jobs that platform changes queue: it queues a
// deliver_awaiting job for every reachable platform that has waiting complaints and no such
// job open (an acceptance that read a platform as unreachable just before it became
// reachable leaves its complaint waiting).
func (cs *Complaints) QueueAwaiting(ctx context.Context) (int, error) {
	platforms, err := cs.st.PlatformsWithAwaitingComplaints(ctx)
	if err != nil {
		return 0, err
	}
	t := now(cs.clock)
	var jobs []models.Job
	for _, id := range platforms {
		ok, err := cs.reachable(ctx, cs.st, id)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		open, err := cs.st.HasOpenJob(ctx, models.JobDeliverAwaiting, id)
		if err != nil {
			return 0, err
		}
		if !open {
			jobs = append(jobs, awaitingJob(id, t))
		}
	}
	if err := cs.st.EnqueueJobs(ctx, jobs); err != nil {
		return 0, err
	}
	if len(jobs) > 0 {
		cs.webhooks.wake()
	}
	return len(jobs), nil
}

// autoCompleteJob is the handler of auto_complete jobs (Ref: the complaint): under the
// complaint's row lock, a complaint still replied and due by the service clock is completed
// by the system; one not yet due (the clock is behind the job's due time) is put back for
// when it is; anything else was rated, withdrawn or completed already and needs nothing.
func (cs *Complaints) autoCompleteJob(ctx context.Context, job *models.Job) queue.Result {
	var notYet *time.Time
	err := cs.change(ctx, job.Ref, func(tx *store.Store, c *models.Complaint, fx *effects) error {
		notYet = nil
		if c.Status != models.StatusReplied || c.FirstRepliedAt == nil {
			return nil
		}
		if due := c.FirstRepliedAt.Add(cs.autoCompleteAfter); now(cs.clock).Before(due) {
			notYet = &due
			return nil
		}
		return cs.transition(ctx, tx, c, models.ActionAutoComplete, models.ActorSystem, "回复后未评价，系统自动完成", fx)
	})
	switch {
	case errors.Is(err, models.ErrNotFound):
		return queue.Result{State: models.JobDiscarded, Error: "complaint " + job.Ref + " does not exist"}
	case err != nil:
		return retryLater(job, now(cs.clock), err)
	case notYet != nil:
		return queue.Result{State: models.JobAvailable, DueAt: *notYet}
	}
	return queue.Result{State: models.JobCompleted}
}

// AutoComplete completes replied complaints nobody rated within DSB_AUTO_COMPLETE_AFTER: the
// safety net behind the auto_complete jobs, for complaints replied before those existed. Each
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
			moved := false
			err := cs.change(ctx, id, func(tx *store.Store, c *models.Complaint, fx *effects) error {
				moved = c.Status == models.StatusReplied
				if !moved {
					return nil
				}
				return cs.transition(ctx, tx, c, models.ActionAutoComplete, models.ActorSystem, "回复后未评价，系统自动完成", fx)
			})
			if err != nil {
				return done, err
			}
			if moved {
				progressed = true
				done++
			}
		}
		if !progressed {
			return done, nil
		}
	}
}
