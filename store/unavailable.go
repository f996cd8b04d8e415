package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	mysqldriver "github.com/go-sql-driver/mysql"
)

// IsUnavailable reports whether err says the database (or Redis) could not be reached or did not answer
// in time (a dropped or refused connection, a deadline, SQLite's lock wait giving up), as
// opposed to a statement it refused: the request may succeed if retried a little later.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var netErr net.Error
	var me *mysqldriver.MySQLError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, mysqldriver.ErrInvalidConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &netErr):
		return true
	case errors.As(err, &me):
		// Too many connections, server shutting down, lock wait timeout after retries.
		return me.Number == 1040 || me.Number == 1053 || me.Number == 1205 || me.Number == 1213
	}
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "SQLITE_BUSY") ||
		strings.Contains(msg, "database is locked") || strings.Contains(msg, "broken pipe") ||
		strings.Contains(msg, "connection reset") || strings.Contains(msg, "connection pool timeout")
}
