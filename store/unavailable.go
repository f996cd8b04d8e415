package store

import (
	"context"
	"errors"
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
	if errors.Is(err, context.DeadlineExceeded) || unreachable(err) {
		return true
	}
	var me *mysqldriver.MySQLError
	if errors.As(err, &me) {
		// A lock wait that timed out, or a deadlock victim, after Tx's retries.
		return me.Number == 1205 || me.Number == 1213
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked") ||
		strings.Contains(msg, "connection pool timeout")
}
