package queue_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
	"github.com/dianshubao/dianshubao/store"
)

const kindTest = "test"

func newJob(dest string, due time.Time) models.Job {
	return models.Job{ID: models.NewID(), Kind: kindTest, State: models.JobAvailable, DueAt: due.UTC().Truncate(time.Millisecond),
		Ref: "ref", Destination: dest, CreatedAt: due, UpdatedAt: due}
}

func enqueue(t *testing.T, st *store.Store, jobs ...models.Job) {
	t.Helper()
	if err := st.EnqueueJobs(context.Background(), jobs); err != nil {
		t.Fatal(err)
	}
}

// statements counts the statements that reach the jobs table, and the claims among them; it
// can also make them fail, as a database that went away would.
type statements struct {
	all, claims atomic.Int64
	refuse      atomic.Bool
	refused     atomic.Int64
}

func countStatements(t *testing.T, st *store.Store) *statements {
	t.Helper()
	s := &statements{}
	onJobs := func(db *gorm.DB) bool {
		return db.Statement.Table == "jobs" || strings.Contains(db.Statement.SQL.String(), "jobs")
	}
	before := func(db *gorm.DB) {
		if s.refuse.Load() && onJobs(db) {
			s.refused.Add(1)
			_ = db.AddError(errors.New("connection refused"))
		}
	}
	after := func(db *gorm.DB) {
		if !onJobs(db) {
			return
		}
		s.all.Add(1)
		if strings.Contains(db.Statement.SQL.String(), "due_at <=") {
			s.claims.Add(1)
		}
	}
	cb := st.DB().Callback()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(cb.Query().Before("gorm:query").Register("test:refuse_query", before))
	must(cb.Update().Before("gorm:update").Register("test:refuse_update", before))
	must(cb.Create().Before("gorm:create").Register("test:refuse_create", before))
	must(cb.Raw().Before("gorm:raw").Register("test:refuse_raw", before))
	must(cb.Row().Before("gorm:row").Register("test:refuse_row", before))
	must(cb.Query().After("gorm:query").Register("test:count_query", after))
	must(cb.Update().After("gorm:update").Register("test:count_update", after))
	must(cb.Create().After("gorm:create").Register("test:count_create", after))
	must(cb.Raw().After("gorm:raw").Register("test:count_raw", after))
	must(cb.Row().After("gorm:row").Register("test:count_row", after))
	return s
}

// jobState reads one job as it is stored.
func jobState(t *testing.T, st *store.Store, id string) models.Job {
	t.Helper()
	var j models.Job
	if err := st.DB().Where("id = ?", id).Take(&j).Error; err != nil {
		t.Fatal(err)
	}
	return j
}

func countJobs(t *testing.T, st *store.Store, state string) int64 {
	t.Helper()
	var n int64
	if err := st.DB().Model(&models.Job{}).Where("state = ?", state).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testkit.WaitFor(t, 10*time.Second, what, cond)
}

// running starts r and returns the function that stops it and waits for Run to return.
func running(r *queue.Runner) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	var once sync.Once
	return func() { once.Do(func() { cancel(); <-done }) }
}
