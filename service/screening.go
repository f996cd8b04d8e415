package service

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// ScreeningReloadInterval is how often an instance checks the list's version: a term added or
// removed on any instance is applied by every other one within this interval (and at once by
// the instance that made the change; within milliseconds on the others when Redis announces it).
const ScreeningReloadInterval = 2 * time.Second

// ScreeningReloadIntervalAnnounced is the check's interval where Redis announces every change
// (within milliseconds): the check then only catches an announcement that was lost, and an idle
// instance does not query the database every two seconds for a list that rarely changes.
const ScreeningReloadIntervalAnnounced = 30 * time.Second

// ScreeningList is the operated screening list: its terms live in the database, staff change
// them through the admin API, and every instance matches with its own copy, built into an
// Aho–Corasick automaton and replaced whole when the list's version changes.
type ScreeningList struct {
	st    *store.Store
	clock Clock
	log   *slog.Logger
	cur   atomic.Pointer[screeningCopy]
	// reload serialises rebuilds, so that an older copy never replaces a newer one.
	reload sync.Mutex
	// notify tells the other instances after a change (a Redis publish); nil: they poll.
	notify Waker
	// wake makes Run check the version now (a change announced by another instance).
	wake chan struct{}
	// withdraw takes the published cases holding a new term off the public pages, in the
	// transaction that adds the term (Cases.withdrawListed); nil: no cases.
	withdraw func(ctx context.Context, tx *store.Store, screen *models.Screener) ([]string, error)
}

type screeningCopy struct {
	version int64
	s       *models.Screener
}

// Match reports whether text contains a listed term.
func (l *ScreeningList) Match(text string) bool { return l.screener().Match(text) }

// Hits returns where listed terms occur in text (at most max; max <= 0: all).
func (l *ScreeningList) Hits(text string, max int) []models.ScreeningHit {
	return l.screener().Hits(text, max)
}

// Len is the number of terms in this instance's copy.
func (l *ScreeningList) Len() int { return l.screener().Len() }

func (l *ScreeningList) screener() *models.Screener {
	if c := l.cur.Load(); c != nil {
		return c.s
	}
	return nil // a nil Screener matches nothing
}

// Start seeds the list with seed on the database's first start with it (later starts keep
// what staff made of it), then loads it.
func (l *ScreeningList) Start(ctx context.Context, seed []string) error {
	t := now(l.clock)
	terms := make([]models.ScreeningTerm, 0, len(seed))
	seen := make(map[string]bool, len(seed))
	for _, term := range seed {
		folded := models.FoldScreeningTerm(term)
		if folded == "" || seen[folded] || len([]rune(term)) > 255 {
			continue
		}
		seen[folded] = true
		terms = append(terms, models.ScreeningTerm{ID: models.NewID(), Term: strings.TrimSpace(term), Folded: folded, CreatedAt: t})
	}
	var seeded bool
	err := l.st.Tx(ctx, func(tx *store.Store) error {
		var err error
		seeded, err = tx.SeedScreeningTerms(ctx, terms, t)
		return err
	})
	if err != nil {
		return err
	}
	if seeded {
		l.log.InfoContext(ctx, "screening list seeded", "terms", len(terms))
	}
	return l.Refresh(ctx)
}

// Refresh reloads the list if its version changed since this copy was built.
func (l *ScreeningList) Refresh(ctx context.Context) error {
	v, err := l.st.ScreeningVersion(ctx)
	if err != nil {
		return err
	}
	if c := l.cur.Load(); c != nil && c.version == v {
		return nil
	}
	return l.load(ctx, l.st)
}

// currentIn brings this instance's copy up to the list as committed, read in tx with the
// list's version row locked: a change to the list in progress is waited for, and none starts
// before tx ends. A command that screens what it publishes calls it first, so that it never
// screens with a copy older than a term another instance has just added.
func (l *ScreeningList) currentIn(ctx context.Context, tx *store.Store) error {
	v, err := tx.ScreeningVersionForUpdate(ctx)
	if err != nil {
		return err
	}
	if c := l.cur.Load(); c != nil && c.version >= v {
		return nil
	}
	return l.load(ctx, tx)
}

// load builds the copy from the list read through st, unless a copy as new is in place.
func (l *ScreeningList) load(ctx context.Context, st *store.Store) error {
	l.reload.Lock()
	defer l.reload.Unlock()
	terms, v, err := st.ScreeningTermsAll(ctx)
	if err != nil {
		return err
	}
	if c := l.cur.Load(); c != nil && c.version >= v {
		return nil
	}
	folded := make([]string, len(terms))
	for i := range terms {
		folded[i] = terms[i].Folded
	}
	s := models.NewScreener(folded)
	l.cur.Store(&screeningCopy{version: v, s: s})
	l.log.InfoContext(ctx, "screening list loaded", "version", v, "terms", s.Len())
	return nil
}

// Wake asks Run to check the version now; it never blocks. Another instance's change
// announced over Redis calls it; without Redis the interval alone bounds the delay.
func (l *ScreeningList) Wake() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run keeps this instance's copy current until ctx ends, checking the version every interval
// and when woken.
func (l *ScreeningList) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-l.wake:
		}
		if err := l.Refresh(ctx); err != nil && ctx.Err() == nil {
			l.log.WarnContext(ctx, "screening list reload failed", "error", err)
		}
	}
}

// AddScreeningTermRequest is the body of POST /admin/screening-terms.
type AddScreeningTermRequest struct {
	// Term is matched as the list matches: case, width, traditional forms and separators put
	// between its characters (or inside the term itself: "go die" is godie) do not matter. A
	// term of ASCII letters and digits only matches as a whole word (not inside Shitake).
	Term string `json:"term" example:"傻逼" maxLength:"64"`
}

// List lists one page of the terms, oldest first.
func (l *ScreeningList) List(ctx context.Context, page models.Page) ([]models.ScreeningTerm, string, error) {
	return pageByID(page, func(t *models.ScreeningTerm) string { return t.ID },
		func(after string, limit int) ([]models.ScreeningTerm, error) {
			return l.st.ListScreeningTerms(ctx, after, limit)
		})
}

// AddedScreeningTerm is a term just listed and the published cases its addition withdrew.
type AddedScreeningTerm struct {
	Term           *models.ScreeningTerm
	WithdrawnCases []string
}

// Add lists a term; one that folds like a listed term is 409 screening_term_taken. The
// published cases that hold it are withdrawn in the same transaction.
func (l *ScreeningList) Add(ctx context.Context, p *models.Principal, req AddScreeningTermRequest) (*AddedScreeningTerm, error) {
	var v models.Validator
	term := strings.TrimSpace(req.Term)
	v.Text("term", term, 1, models.ScreeningTermMaxLength)
	folded := models.FoldScreeningTerm(term)
	if term != "" && folded == "" {
		v.Add("term", "must have a character that is not a space, punctuation or a symbol (those are skipped when matching)")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	t := now(l.clock)
	by := p.UserID
	row := &models.ScreeningTerm{ID: models.NewID(), Term: term, Folded: folded, CreatedBy: &by, CreatedAt: t}
	out, err := command(ctx, l.st, func(tx *store.Store) (*AddedScreeningTerm, error) {
		// The version row first: publications and edits of cases wait for this transaction
		// (Cases.change), so none can publish the term while its cases are withdrawn.
		if err := tx.BumpScreeningVersion(ctx, t); err != nil {
			return nil, err
		}
		if err := tx.AddScreeningTerm(ctx, row); err != nil {
			if store.IsDuplicate(err) {
				return nil, models.Conflict("screening_term_taken", "the list has a term that matches as %q does", term)
			}
			return nil, err
		}
		added := &AddedScreeningTerm{Term: row, WithdrawnCases: []string{}}
		if l.withdraw != nil {
			ids, err := l.withdraw(ctx, tx, models.NewScreener([]string{term}))
			if err != nil {
				return nil, err
			}
			added.WithdrawnCases = append(added.WithdrawnCases, ids...)
		}
		return added, nil
	})
	if err != nil {
		return nil, err
	}
	l.changed(ctx, "added", row.ID, folded)
	if len(out.WithdrawnCases) > 0 {
		l.log.InfoContext(ctx, "published cases withdrawn: they hold the new screening term", "term_id", row.ID,
			"cases", len(out.WithdrawnCases), "case_ids", out.WithdrawnCases)
	}
	return out, nil
}

// Remove takes a term off the list.
func (l *ScreeningList) Remove(ctx context.Context, id string) error {
	if len(id) > 64 {
		return models.NotFound("screening term")
	}
	t := now(l.clock)
	_, err := command(ctx, l.st, func(tx *store.Store) (struct{}, error) {
		if err := tx.DeleteScreeningTerm(ctx, id); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, tx.BumpScreeningVersion(ctx, t)
	})
	if err != nil {
		return err
	}
	l.changed(ctx, "removed", id, "")
	return nil
}

// changed applies a committed change to this instance at once; the others follow within
// ScreeningReloadInterval.
func (l *ScreeningList) changed(ctx context.Context, what, id, folded string) {
	l.log.InfoContext(ctx, "screening term "+what, "id", id, "term", folded)
	if err := l.Refresh(ctx); err != nil {
		l.log.WarnContext(ctx, "screening list reload failed", "error", err)
	}
	if l.notify != nil {
		l.notify.Wake()
	}
}
