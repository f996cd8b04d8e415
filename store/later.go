package store

import (
	"context"
	"strings"

	"gorm.io/gorm"
)

// later holds the inserts a transaction sends together just before it commits.
type later struct{ stmts []laterStmt }

type laterStmt struct {
	sql  string
	vars []any
}

type laterKey struct{}

// registerLater makes the statements built by Later's dry runs land in the transaction's list.
func registerLater(db *gorm.DB) error {
	return db.Callback().Create().After("gorm:create").Register("dsb:later", func(db *gorm.DB) {
		l, _ := db.Statement.Context.Value(laterKey{}).(*later)
		if l == nil || !db.DryRun || db.Error != nil {
			return
		}
		l.stmts = append(l.stmts, laterStmt{sql: db.Statement.SQL.String(), vars: db.Statement.Vars})
	})
}

// Later runs fn's inserts when the transaction ends, in order with the other inserts queued so:
// on MariaDB in one round trip (a multi-statement) just before COMMIT, instead of one round
// trip each; an error of any of them (a duplicate key) is the transaction's, and rolls it
// back. An error of Later itself must end the transaction too, as any store error: where fn
// ran at once, what it wrote before failing is only undone by the rollback. fn may only insert (through this package's methods, on the store it is given), and
// nothing later in the transaction may read what it inserts. Outside a transaction, inside a
// savepoint and on SQLite, fn runs at once.
func (s *Store) Later(ctx context.Context, fn func(ctx context.Context, s *Store) error) error {
	if s.later == nil {
		return fn(ctx, s)
	}
	dry := s.db.Session(&gorm.Session{DryRun: true, NewDB: true, Context: context.WithValue(s.db.Statement.Context, laterKey{}, s.later)})
	n := len(s.later.stmts)
	err := fn(ctx, &Store{db: dry, driver: s.driver, txTimeout: s.txTimeout, inTx: true, keys: s.keys, log: s.log, views: s.views, reach: s.reach})
	if err != nil {
		s.later.stmts = s.later.stmts[:n]
	}
	return err
}

// flushLater sends what Later queued, in one statement list.
func (s *Store) flushLater(ctx context.Context) error {
	if s.later == nil || len(s.later.stmts) == 0 {
		return nil
	}
	sqls := make([]string, len(s.later.stmts))
	var vars []any
	for i, st := range s.later.stmts {
		sqls[i] = st.sql
		vars = append(vars, st.vars...)
	}
	s.later.stmts = nil
	_, err := s.db.Statement.ConnPool.ExecContext(ctx, strings.Join(sqls, ";\n"), vars...)
	if s.reach != nil {
		s.reach.saw(err)
	}
	if t, ok := s.db.Dialector.(gorm.ErrorTranslator); ok && err != nil {
		err = t.Translate(err)
	}
	return err
}
