package store

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/models"
)

// ViewChange names the platforms whose view of their complaints a committed write changed, or
// All when the write cannot be tied to platforms (an erasure, evidence, a raw statement).
type ViewChange struct {
	All       bool
	Platforms []string
}

// Empty reports a change that changed nothing a platform reads.
func (v ViewChange) Empty() bool { return !v.All && len(v.Platforms) == 0 }

// viewWatch is what every gorm handle of one store reports to: a callback after each create,
// update, delete and raw statement classifies the write, and the change reaches fn once it is
// committed (at once for a statement outside a transaction, at Store.Tx's commit inside one,
// never for a transaction rolled back). The tables watched are the ones a platform's view is
// built from: complaints, supplements, replies, evidence links and evidence, platforms.
type viewWatch struct {
	mu  sync.Mutex
	fns atomic.Pointer[[]func(ViewChange)]
}

// WatchViews makes fn hear of every committed write that changes what platforms read; fn runs
// after the commit, on the committing goroutine, and must not block. Every watcher hears every
// change (tests run two services over one store).
func (s *Store) WatchViews(fn func(ViewChange)) {
	s.views.mu.Lock()
	defer s.views.mu.Unlock()
	var fns []func(ViewChange)
	if old := s.views.fns.Load(); old != nil {
		fns = append(fns, *old...)
	}
	fns = append(fns, fn)
	s.views.fns.Store(&fns)
}

func (w *viewWatch) tell(v ViewChange) {
	if v.Empty() {
		return
	}
	if fns := w.fns.Load(); fns != nil {
		for _, fn := range *fns {
			fn(v)
		}
	}
}

// viewChanges gathers the writes of one transaction.
type viewChanges struct {
	mu        sync.Mutex
	all       bool
	platforms map[string]bool
	// complaints are complaint-scoped writes (a supplement) whose platform is known only if
	// the same transaction also updates that complaint (complaintPlatform).
	complaints        map[string]bool
	complaintPlatform map[string]string
}

type viewChangesKey struct{}

func viewChangesOf(ctx context.Context) *viewChanges {
	if ctx == nil {
		return nil
	}
	vc, _ := ctx.Value(viewChangesKey{}).(*viewChanges)
	return vc
}

func (vc *viewChanges) add(all bool, platforms map[string]string, complaints []string) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	vc.all = vc.all || all
	for complaintID, platformID := range platforms {
		if vc.platforms == nil {
			vc.platforms = map[string]bool{}
			vc.complaintPlatform = map[string]string{}
		}
		vc.platforms[platformID] = true
		if complaintID != "" {
			vc.complaintPlatform[complaintID] = platformID
		}
	}
	for _, id := range complaints {
		if vc.complaints == nil {
			vc.complaints = map[string]bool{}
		}
		vc.complaints[id] = true
	}
}

// result is the transaction's change: a complaint-scoped write whose complaint the transaction
// did not update makes it All.
func (vc *viewChanges) result() ViewChange {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	all := vc.all
	for id := range vc.complaints {
		if _, ok := vc.complaintPlatform[id]; !ok {
			all = true
		}
	}
	if all {
		return ViewChange{All: true}
	}
	out := ViewChange{}
	for p := range vc.platforms {
		out.Platforms = append(out.Platforms, p)
	}
	return out
}

// registerViewWatch adds the classifying callbacks to a gorm handle.
func registerViewWatch(db *gorm.DB, w *viewWatch) error {
	cb := db.Callback()
	for _, r := range []struct {
		name string
		reg  func(string, func(*gorm.DB)) error
	}{
		{"create", cb.Create().After("gorm:create").Register},
		{"update", cb.Update().After("gorm:update").Register},
		{"delete", cb.Delete().After("gorm:delete").Register},
		{"raw", cb.Raw().After("gorm:raw").Register},
	} {
		op := r.name
		if err := r.reg("dsb:views_"+op, func(db *gorm.DB) { w.after(op, db) }); err != nil {
			return err
		}
	}
	return nil
}

func (w *viewWatch) after(op string, db *gorm.DB) {
	st := db.Statement
	if db.Error != nil || st == nil || st.RowsAffected == 0 {
		return
	}
	all, platforms, complaints := classifyWrite(op, st)
	if !all && len(platforms) == 0 && len(complaints) == 0 {
		return
	}
	if vc := viewChangesOf(st.Context); vc != nil {
		vc.add(all, platforms, complaints)
		return
	}
	// A lone statement has committed by now.
	vc := &viewChanges{}
	vc.add(all, platforms, complaints)
	w.tell(vc.result())
}

// watchedTables appear in raw statements' text; a raw write that names one changes everything.
var watchedTables = []string{"complaints", "supplements", "replies", "evidence", "platforms"}

// classifyWrite says what one statement changed: everything, some platforms (by complaint id
// when known), or some complaints whose platform the transaction must name.
func classifyWrite(op string, st *gorm.Statement) (all bool, platforms map[string]string, complaints []string) {
	if op == "raw" {
		sql := strings.ToLower(strings.TrimSpace(st.SQL.String()))
		if strings.HasPrefix(sql, "select") {
			return false, nil, nil
		}
		for _, t := range watchedTables {
			if strings.Contains(sql, t) {
				return true, nil, nil
			}
		}
		return false, nil, nil
	}
	switch st.Table {
	case "complaints":
		if op == "delete" || selectsColumn(st, "platform_id") && op == "update" {
			return true, nil, nil
		}
		platforms = map[string]string{}
		ok := eachOf(st, func(c *models.Complaint) bool {
			platforms[c.ID] = c.PlatformID
			return c.PlatformID != "" && c.ID != ""
		})
		return !ok, platforms, nil
	case "replies":
		if op != "create" {
			return true, nil, nil
		}
		platforms = map[string]string{}
		ok := eachOf(st, func(r *models.Reply) bool {
			platforms[""] = r.PlatformID
			return r.PlatformID != ""
		})
		return !ok, platforms, nil
	case "supplements", "evidence_links":
		if op != "create" {
			return true, nil, nil
		}
		ok := eachOf(st, func(s *models.Supplement) bool {
			complaints = append(complaints, s.ComplaintID)
			return s.ComplaintID != ""
		}) || eachOf(st, func(l *models.EvidenceLink) bool {
			complaints = append(complaints, l.ComplaintID)
			return l.ComplaintID != ""
		})
		return !ok, nil, complaints
	case "evidence":
		// New evidence is read by no platform until a complaint cites it (an evidence link).
		return op != "create", nil, nil
	case "platforms":
		// A platform's name and slug are in every view of its complaints; an edit is rare
		// enough to drop everything (and a new platform has no complaints yet).
		return op != "create", nil, nil
	}
	return false, nil, nil
}

// selectsColumn reports a statement limited to columns that include col, or not limited at all.
func selectsColumn(st *gorm.Statement, col string) bool {
	if len(st.Selects) == 0 {
		return true
	}
	for _, s := range st.Selects {
		if s == col || s == "*" {
			return true
		}
	}
	return false
}

// eachOf calls fn for every T the statement wrote (its model or its destination: a *T, []T,
// *[]T or []*T) and reports whether there was at least one and fn said yes to all of them.
func eachOf[T any](st *gorm.Statement, fn func(*T) bool) bool {
	seen := false
	for _, v := range []any{st.Dest, st.Model} {
		var items []*T
		switch x := v.(type) {
		case *T:
			items = []*T{x}
		case []T:
			for i := range x {
				items = append(items, &x[i])
			}
		case *[]T:
			for i := range *x {
				items = append(items, &(*x)[i])
			}
		case []*T:
			items = x
		default:
			continue
		}
		for _, it := range items {
			seen = true
			if !fn(it) {
				return false
			}
		}
		if seen {
			return true
		}
	}
	return false
}
