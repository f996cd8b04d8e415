package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// reach remembers whether the database was unreachable when last used: every statement on any
// of the store's handles (the work queue's pool included, which sweeps every second) and every
// Ping says so. What is served without a statement (platforms' kept reads) asks it, so that an
// outage answers 503 as every other request does instead of serving what was kept.
type reach struct{ down atomic.Bool }

// Unreachable reports whether the last use of the database found it unreachable.
func (s *Store) Unreachable() bool { return s.reach != nil && s.reach.down.Load() }

func (r *reach) saw(err error) {
	switch {
	case err == nil:
		if r.down.Load() {
			r.down.Store(false)
		}
	case unreachable(err):
		r.down.Store(true)
	}
}

// unreachable reports the errors of a database that cannot be reached (IsUnavailable without
// the lock waits and deadlines, which a reachable database gives too).
func unreachable(err error) bool {
	var netErr net.Error
	var me *mysqldriver.MySQLError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysqldriver.ErrInvalidConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &netErr):
		return true
	case errors.As(err, &me):
		return me.Number == 1040 || me.Number == 1053
	}
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "broken pipe") ||
		strings.Contains(msg, "connection reset")
}

// registerReach adds the callbacks that keep r current to a gorm handle.
func registerReach(db *gorm.DB, r *reach) error {
	cb := db.Callback()
	see := func(db *gorm.DB) { r.saw(db.Error) }
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register("dsb:reach_query", see),
		"row":    cb.Row().After("gorm:row").Register("dsb:reach_row", see),
		"raw":    cb.Raw().After("gorm:raw").Register("dsb:reach_raw", see),
		"create": cb.Create().After("gorm:create").Register("dsb:reach_create", see),
		"update": cb.Update().After("gorm:update").Register("dsb:reach_update", see),
		"delete": cb.Delete().After("gorm:delete").Register("dsb:reach_delete", see),
	} {
		if err != nil {
			return errors.Join(errors.New(name), err)
		}
	}
	return nil
}
