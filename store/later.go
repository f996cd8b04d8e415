package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// later holds the inserts a transaction sends together just before it commits.
type later struct{ stmts []laterStmt }

type laterStmt struct {
	sql  string
	vars []any
	size int
}

type laterKey struct{}

// laterPacket bounds the statements sent in one round trip, well under MariaDB's default
// max_allowed_packet (16 MiB): a transaction with many large rows (events of up to 512 KiB)
// sends them in several.
const laterPacket = 4 << 20

// registerLater makes the inserts built by Later's dry runs land in the transaction's list,
// and refuses any other statement there (it would be dropped) and any insert into a table
// platforms' cached views are made of (the view watch would not hear of it).
func registerLater(db *gorm.DB) error {
	queued := func(db *gorm.DB) *later {
		l, _ := db.Statement.Context.Value(laterKey{}).(*later)
		return l
	}
	refuse := func(db *gorm.DB) {
		if queued(db) != nil {
			_ = db.AddError(errors.New("store: Later takes inserts only"))
		}
	}
	cb := db.Callback()
	return errors.Join(
		cb.Create().Before("gorm:create").Register("dsb:later_check", func(db *gorm.DB) {
			if queued(db) != nil && watchedTable(db.Statement.Table) {
				_ = db.AddError(fmt.Errorf("store: Later cannot insert into %s, which platforms' views are made of", db.Statement.Table))
			}
		}),
		cb.Create().After("gorm:create").Register("dsb:later", func(db *gorm.DB) {
			l := queued(db)
			if l == nil || !db.DryRun || db.Error != nil {
				return
			}
			st := laterStmt{sql: db.Statement.SQL.String(), vars: make([]any, len(db.Statement.Vars))}
			st.size = len(st.sql)
			for i, v := range db.Statement.Vars {
				// Valued now (an encrypted column is sealed once), so that its size is known.
				if vr, ok := v.(driver.Valuer); ok {
					dv, err := vr.Value()
					if err != nil {
						_ = db.AddError(err)
						return
					}
					v = dv
				}
				st.vars[i] = v
				switch v := v.(type) {
				case []byte:
					st.size += 2 * len(v)
				case string:
					st.size += 2 * len(v)
				default:
					st.size += 64
				}
			}
			l.stmts = append(l.stmts, st)
		}),
		cb.Query().Before("gorm:query").Register("dsb:later_query", refuse),
		cb.Update().Before("gorm:update").Register("dsb:later_update", refuse),
		cb.Delete().Before("gorm:delete").Register("dsb:later_delete", refuse),
		cb.Raw().Before("gorm:raw").Register("dsb:later_raw", refuse),
		cb.Row().Before("gorm:row").Register("dsb:later_row", refuse),
	)
}

func watchedTable(table string) bool {
	for _, t := range watchedTables {
		if strings.Contains(table, t) {
			return true
		}
	}
	return false
}

// Later runs fn's inserts when the transaction ends, in order with the other inserts queued so:
// on MariaDB in one round trip (a multi-statement) just before COMMIT, instead of one round
// trip each; an error of any of them (a duplicate key) is the transaction's, and rolls it
// back (IsDeferredDuplicate tells a duplicate among them). An error of Later itself must end
// the transaction too, as any store error: where fn ran at once, what it wrote before failing
// is only undone by the rollback. fn may only insert (through this package's methods, on the
// store it is given), not into a table platforms' views are made of, and nothing later in the
// transaction may read what it inserts. Outside a transaction, inside a savepoint and on
// SQLite, fn runs at once.
func (s *Store) Later(ctx context.Context, fn func(ctx context.Context, s *Store) error) error {
	if s.later == nil {
		return fn(ctx, s)
	}
	dry := s.db.Session(&gorm.Session{DryRun: true, NewDB: true, Context: context.WithValue(s.db.Statement.Context, laterKey{}, s.later)})
	n := len(s.later.stmts)
	err := fn(ctx, s.inTxOn(dry))
	if err != nil {
		s.later.stmts = s.later.stmts[:n]
	}
	return err
}

// deferredError is an error of the inserts Later queued.
type deferredError struct{ err error }

func (e *deferredError) Error() string { return e.err.Error() }
func (e *deferredError) Unwrap() error { return e.err }

// IsDeferredDuplicate reports a duplicate key among the inserts Later queued.
func IsDeferredDuplicate(err error) bool {
	var d *deferredError
	return errors.As(err, &d) && IsDuplicate(err)
}

// flushLater sends what Later queued, in as few round trips as laterPacket allows.
func (s *Store) flushLater(ctx context.Context) error {
	if s.later == nil || len(s.later.stmts) == 0 {
		return nil
	}
	stmts := s.later.stmts
	s.later.stmts = nil
	for len(stmts) > 0 {
		n, size := 0, 0
		for n < len(stmts) && (n == 0 || size+stmts[n].size <= laterPacket) {
			size += stmts[n].size
			n++
		}
		sqls := make([]string, n)
		var vars []any
		for i, st := range stmts[:n] {
			sqls[i] = st.sql
			vars = append(vars, st.vars...)
		}
		stmts = stmts[n:]
		_, err := s.db.Statement.ConnPool.ExecContext(ctx, strings.Join(sqls, ";\n"), vars...)
		if s.reach != nil {
			s.reach.saw(err)
		}
		if err != nil {
			if t, ok := s.db.Dialector.(gorm.ErrorTranslator); ok {
				err = t.Translate(err)
			}
			return &deferredError{err}
		}
	}
	return nil
}
