package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
	"github.com/dianshubao/dianshubao/store"
)

// Erasures erases consumers' and merchants' accounts with the personal data of their
// complaints (个人信息删除, PIPL art. 47), keeping what the rating lists count.
type Erasures struct {
	st         *store.Store
	clock      Clock
	log        *slog.Logger
	accounts   *Accounts
	complaints *Complaints
	evidence   *Evidence
	// consultations are emptied with their requester's complaints.
	consultations *Consultations
}

// erasureNote is the timeline note of a complaint withdrawn by its complainant's erasure.
const erasureNote = "账户已注销，投诉随之撤销"

var (
	errEraseSelfByAdmin = &models.Error{Kind: models.KindForbidden, Code: "forbidden",
		Detail: "an admin cannot erase their own account through the admin endpoint"}
	errEraseStaff = &models.Error{Kind: models.KindForbidden, Code: "forbidden",
		Detail: "only consumer and merchant accounts can be erased; staff accounts are disabled instead"}
)

// EraseByAdmin erases a consumer's or merchant's account at an admin's request. Erasing an
// erased account changes nothing and answers its erasure.
func (e *Erasures) EraseByAdmin(ctx context.Context, actor *models.Principal, id string) (*models.Erasure, error) {
	if len(id) > 64 {
		return nil, models.NotFound("user")
	}
	if id == actor.UserID {
		return nil, errEraseSelfByAdmin
	}
	u, err := e.st.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Role.IsManaged() {
		return nil, errEraseStaff
	}
	return e.erase(ctx, u.ID, models.ErasedByAdmin, actor.UserID)
}

// EraseSelf erases the caller's own account (DELETE /me).
func (e *Erasures) EraseSelf(ctx context.Context, p *models.Principal) (*models.Erasure, error) {
	if p.Kind != models.PrincipalPerson {
		return nil, models.ErrForbidden
	}
	if p.Role.IsManaged() {
		return nil, errEraseStaff
	}
	return e.erase(ctx, p.UserID, models.ErasedBySelf, p.UserID)
}

// erase is one command: the account row is locked, then its complaints in id order; every
// personal datum is replaced in the same transaction as the erasure's record, the open
// complaints are withdrawn, and the files go to the work queue for deletion after commit.
func (e *Erasures) erase(ctx context.Context, userID, actorType, actorID string) (*models.Erasure, error) {
	var wake bool
	rec, err := command(ctx, e.st, func(tx *store.Store) (*models.Erasure, error) {
		wake = false
		u, err := tx.UserForUpdate(ctx, userID)
		if err != nil {
			return nil, err
		}
		if u.ErasedAt != nil {
			return tx.ErasureOfUser(ctx, u.ID)
		}
		if u.Role.IsManaged() {
			return nil, errEraseStaff
		}
		t := now(e.clock)
		rec := &models.Erasure{ID: models.NewID(), UserID: u.ID, Role: u.Role, ActorType: actorType, ActorID: actorID, CreatedAt: t}
		if wake, err = e.sweep(ctx, tx, u, rec, t); err != nil {
			return nil, err
		}
		if err := tx.EraseUser(ctx, u, t); err != nil {
			return nil, err
		}
		if err := tx.CreateErasure(ctx, rec); err != nil {
			return nil, err
		}
		// Requests authenticated just before this commit may still commit after it (a filing
		// takes no lock on its complainant): a second sweep, once their transactions are over,
		// erases what they stored.
		sweep := models.Job{ID: models.NewID(), Kind: models.JobEraseSweep, State: models.JobAvailable,
			DueAt: t.Add(eraseSweepDelay), Ref: u.ID, CreatedAt: t, UpdatedAt: t}
		return rec, tx.EnqueueJobs(ctx, []models.Job{sweep})
	})
	if err != nil {
		return nil, err
	}
	e.accounts.states.forget(userID)
	if wake {
		e.complaints.webhooks.wake()
	}
	e.log.InfoContext(ctx, "account erased", "user_id", rec.UserID, "erasure_id", rec.ID, "by", rec.ActorType,
		"actor_id", rec.ActorID, "complaints", rec.Complaints, "withdrawn", rec.Withdrawn, "evidence_files", rec.EvidenceFiles)
	return rec, nil
}

// eraseSweepDelay is how long after an erasure its second sweep runs: longer than any
// transaction may last, and than a request takes from its token check to its commit.
const eraseSweepDelay = time.Minute

// sweep erases, in tx, what the account has that is not erased yet, adding the counts to rec,
// and reports whether it queued work: its complaints and files, the recorded answers of its
// requests, its refresh tokens.
func (e *Erasures) sweep(ctx context.Context, tx *store.Store, u *models.User, rec *models.Erasure, t time.Time) (bool, error) {
	queued, err := e.eraseComplaints(ctx, tx, u, rec)
	if err != nil {
		return false, err
	}
	if _, err := e.consultations.eraseRequester(ctx, tx, u.ID); err != nil {
		return false, fmt.Errorf("erase consultations: %w", err)
	}
	n, err := tx.DeleteIdempotencyRecordsOf(ctx, u.ID)
	if err != nil {
		return false, err
	}
	rec.IdempotencyRecords += int(n)
	if err := tx.EraseAnswerTextsOf(ctx, u.ID); err != nil {
		return false, err
	}
	if n, err = tx.CountLiveRefreshTokens(ctx, u.ID, t); err != nil {
		return false, err
	}
	rec.RefreshTokens += int(n)
	if err := tx.DeleteWebSessionsOf(ctx, u.ID); err != nil {
		return false, err
	}
	return queued, tx.RevokeUserRefreshTokens(ctx, u.ID, t)
}

// eraseSweepJob is the second sweep of an erasure (Ref: the account).
func (e *Erasures) eraseSweepJob(ctx context.Context, job *models.Job) queue.Result {
	var wake bool
	_, err := command(ctx, e.st, func(tx *store.Store) (*models.Erasure, error) {
		wake = false
		u, err := tx.UserForUpdate(ctx, job.Ref)
		if err != nil || u.ErasedAt == nil {
			return nil, err
		}
		rec, err := tx.ErasureOfUser(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		before := *rec
		if wake, err = e.sweep(ctx, tx, u, rec, now(e.clock)); err != nil {
			return nil, err
		}
		if *rec == before {
			return rec, nil
		}
		e.log.WarnContext(ctx, "erasure swept what was stored while it ran", "user_id", u.ID, "erasure_id", rec.ID,
			"complaints", rec.Complaints-before.Complaints, "evidence_files", rec.EvidenceFiles-before.EvidenceFiles)
		return rec, tx.SaveErasure(ctx, rec)
	})
	switch {
	case errors.Is(err, models.ErrNotFound):
		return queue.Result{State: models.JobDiscarded, Error: "account " + job.Ref + " does not exist"}
	case err != nil:
		return retryLater(job, now(e.clock), err)
	}
	if wake {
		e.complaints.webhooks.wake()
	}
	return queue.Result{State: models.JobCompleted}
}

// eraseComplaints anonymises the account's complaints, their children, messages, events and
// evidence, and reports whether it queued work.
func (e *Erasures) eraseComplaints(ctx context.Context, tx *store.Store, u *models.User, rec *models.Erasure) (bool, error) {
	cs := e.complaints
	all, err := tx.ComplaintIDsOfComplainant(ctx, u.ID)
	if err != nil {
		return false, err
	}
	ids := make([]string, 0, len(all))
	aggs := make([]*aggregate, 0, len(all))
	for _, id := range all {
		a, err := loadAggregate(ctx, tx, id, false, true)
		if err != nil {
			return false, err
		}
		if !a.c.Erased() {
			aggs, ids = append(aggs, a), append(ids, id)
		}
	}
	rec.Complaints += len(ids)
	counts := []struct {
		n    *int
		fn   func(context.Context, []string) (int64, error)
		what string
	}{
		{&rec.Supplements, tx.EraseSupplementTexts, "supplements"},
		{&rec.Replies, tx.EraseReplyContents, "replies"},
		{&rec.TimelineEntries, tx.EraseTimelineNotes, "timeline"},
		{&rec.Notifications, tx.EraseNotifications, "notifications"},
	}
	for _, c := range counts {
		n, err := c.fn(ctx, ids)
		if err != nil {
			return false, fmt.Errorf("erase %s: %w", c.what, err)
		}
		*c.n += int(n)
	}
	n, err := tx.EraseCasesOf(ctx, ids, now(e.clock))
	if err != nil {
		return false, fmt.Errorf("erase cases: %w", err)
	}
	rec.Cases += int(n)
	jobs, err := e.eraseEvidence(ctx, tx, u, rec)
	if err != nil {
		return false, err
	}
	queued := len(jobs) > 0
	actor := models.ActorForRole(u.Role)
	for _, a := range aggs {
		c := a.c
		c.Anonymise()
		c.ContentHash = contentHash(deref(c.Title), c.Description)
		for id, ev := range a.evidence {
			if ev.UploaderKind == models.UploaderUser && ev.UploaderID == u.ID {
				ev.Anonymise()
				a.evidence[id] = ev
			}
		}
		fx := &effects{agg: a}
		if withdrawnByErasure(c) {
			// The platform stops working on it; its complaint.withdrawn is anonymised already.
			if err := cs.transition(ctx, tx, c, models.ActionWithdraw, actor, erasureNote, fx); err != nil {
				return false, err
			}
			rec.Withdrawn++
		} else {
			cs.touch(c) // the change feed hands platforms the anonymised complaint
		}
		// Nobody can file as this account again: its duplicate claims go.
		if err := tx.ReleaseClaimsOf(ctx, c.ID); err != nil {
			return false, err
		}
		_, _, a.claimed = c.DuplicateClaim()
		if err := cs.flush(ctx, tx, fx); err != nil {
			return false, err
		}
		queued = queued || fx.queued()
		n, err := e.eraseEvents(ctx, tx, c, fx)
		if err != nil {
			return false, err
		}
		rec.WebhookEvents += n
	}
	return queued, tx.EnqueueJobs(ctx, jobs)
}

// withdrawnByErasure: a complaint the platform has not answered and that is still open is
// withdrawn; a replied one stays (the platform's reply counts) and completes as any other.
func withdrawnByErasure(c *models.Complaint) bool {
	switch c.Status {
	case models.StatusPendingReview, models.StatusAwaitingContact, models.StatusDelivered:
		return true
	case models.StatusRejected:
		return c.Resubmittable()
	}
	return false
}

// eraseEvidence anonymises every evidence row the person uploaded and returns the jobs that
// delete their files.
func (e *Erasures) eraseEvidence(ctx context.Context, tx *store.Store, u *models.User, rec *models.Erasure) ([]models.Job, error) {
	evs, err := tx.EvidenceOfUploaderForUpdate(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	var jobs []models.Job
	t := now(e.clock)
	for _, ev := range evs {
		if ev.Erased() {
			continue
		}
		ids = append(ids, ev.ID)
		if !seen[ev.SHA256] {
			seen[ev.SHA256] = true
			jobs = append(jobs, models.Job{ID: models.NewID(), Kind: models.JobEraseBlob, State: models.JobAvailable,
				DueAt: t, Ref: ev.SHA256, Destination: models.DestinationBlobs, CreatedAt: t, UpdatedAt: t})
		}
	}
	rec.EvidenceFiles += len(ids)
	return jobs, tx.EraseEvidence(ctx, ids)
}

// ListErasures returns one page of erasure records, oldest first.
func (e *Erasures) ListErasures(ctx context.Context, page models.Page) ([]models.Erasure, string, error) {
	return pageByID(page, func(r *models.Erasure) string { return r.ID },
		func(after string, limit int) ([]models.Erasure, error) { return e.st.ListErasures(ctx, after, limit) })
}

// eraseBlobJob deletes an erased file's bytes, unless another evidence row still stores the
// same content (content-addressed storage keeps one copy for all of them).
func (e *Erasures) eraseBlobJob(ctx context.Context, job *models.Job) queue.Result {
	if err := e.evidence.eraseBlob(ctx, job.Ref); err != nil {
		return retryLater(job, now(e.clock), err)
	}
	return queue.Result{State: models.JobCompleted}
}
