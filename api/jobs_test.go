package api_test

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"sync"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/store"
)

// runJobs runs the due jobs of the kinds the service handles until none is due, recording
// each result as the work-queue runner does (the handler's own rows and the job's next state
// in one transaction), and returns how many attempts it made. Webhook deliveries have their
// own sender and are left in the queue.
func (a *testApp) runJobs() int {
	a.t.Helper()
	ctx := context.Background()
	handlers := a.svc.JobHandlers()
	kinds := make([]string, 0, len(handlers))
	for k := range handlers {
		kinds = append(kinds, k)
	}
	ran := 0
	for ran < 10000 {
		var due []models.Job
		if err := a.st.DB().WithContext(ctx).Where("state = ? AND due_at <= ? AND kind IN ?", models.JobAvailable, a.clock.Now(), kinds).
			Order("due_at, id").Limit(50).Find(&due).Error; err != nil {
			a.t.Fatalf("due jobs: %v", err)
		}
		if len(due) == 0 {
			return ran
		}
		for i := range due {
			a.recordJob(&due[i], handlers[due[i].Kind](ctx, &due[i]))
			ran++
		}
	}
	a.t.Fatal("jobs kept coming back due")
	return ran
}

// recordJob writes the result of one attempt at job.
func (a *testApp) recordJob(job *models.Job, res queue.Result) {
	a.t.Helper()
	ctx := context.Background()
	t := a.clock.Now()
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		if res.Apply != nil {
			if err := res.Apply(ctx, tx); err != nil {
				return err
			}
		}
		if g := res.Grouped; g != nil {
			if err := g.Write(ctx, tx, []any{g.Arg}); err != nil {
				return err
			}
		}
		set := map[string]any{"state": res.State, "attempts": job.Attempts + 1, "updated_at": t}
		if res.State == models.JobAvailable {
			set["due_at"] = res.DueAt
		} else {
			set["finished_at"] = t
		}
		if res.Error != "" {
			set["last_error"] = res.Error
		}
		return tx.DB().WithContext(ctx).Model(&models.Job{}).Where("id = ?", job.ID).Updates(set).Error
	})
	if err != nil {
		a.t.Fatalf("record job %s: %v", job.ID, err)
	}
}

// jobs lists the jobs of kind, optionally for one ref, oldest first.
func (a *testApp) jobs(kind, ref string) []models.Job {
	a.t.Helper()
	q := a.st.DB().Where("kind = ?", kind)
	if ref != "" {
		q = q.Where("ref = ?", ref)
	}
	var out []models.Job
	if err := q.Order("created_at, id").Find(&out).Error; err != nil {
		a.t.Fatal(err)
	}
	return out
}

// smsProvider is an SMS provider under test: it records every message and refuses the
// first failFirst of them (every one when failFirst < 0).
type smsProvider struct {
	mu        sync.Mutex
	failFirst int
	calls     int
	sent      []string
}

func (p *smsProvider) SendSMS(_ context.Context, m service.SMSMessage) (service.SMSReceipt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.failFirst < 0 || p.calls <= p.failFirst {
		return service.SMSReceipt{}, errors.New("provider refused: quota exceeded")
	}
	p.sent = append(p.sent, m.Phone+" "+m.Text)
	return service.SMSReceipt{Ref: "ref-" + strconv.Itoa(p.calls)}, nil
}

func (p *smsProvider) count() (calls, sent int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls, len(p.sent)
}

func destinations(jobs []models.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.Destination
	}
	sort.Strings(out)
	return out
}
