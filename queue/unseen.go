package queue

import (
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// UnseenGrace is how long after its creation a job whose row cannot be read is taken to be
// early rather than orphaned. A job and the rows it names commit in one transaction, yet a
// claim (a locking read) can take the job in the instant that transaction commits while a
// plain read that follows still misses its rows: MariaDB did this to one delivery and its text
// message in 10,000 under load, and the job, discarded at once, was lost.
const UnseenGrace = time.Minute

// unseenRetry is the wait before such a job is tried again.
const unseenRetry = time.Second

// Unseen is the result of a job whose row (what) could not be read at now: tried again in a
// second without counting an attempt while the job is younger than UnseenGrace, discarded
// afterwards (the row is gone: erased, or never written by an older version). ok is false
// when the job is past its grace and the handler decides.
func Unseen(job *models.Job, now time.Time, what string) (res Result, ok bool) {
	if now.Sub(job.CreatedAt) >= UnseenGrace {
		return Result{}, false
	}
	return Result{State: models.JobAvailable, DueAt: now.Add(unseenRetry), Unattempted: true,
		Error: what + " cannot be read yet"}, true
}
