package store_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

func TestIsUnavailable(t *testing.T) {
	_, refused := net.Dial("tcp", "127.0.0.1:1")
	for _, c := range []struct {
		err  error
		want bool
	}{
		{driver.ErrBadConn, true},
		{mysqldriver.ErrInvalidConn, true},
		{sql.ErrConnDone, true},
		{io.ErrUnexpectedEOF, true},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), true},
		{refused, true},
		{errors.New("dial tcp 127.0.0.1:3306: connect: connection refused"), true},
		{errors.New("database is locked (5) (SQLITE_BUSY)"), true},
		{&mysqldriver.MySQLError{Number: 1040, Message: "Too many connections"}, true},
		{nil, false},
		{gorm.ErrRecordNotFound, false},
		{gorm.ErrDuplicatedKey, false},
		{&mysqldriver.MySQLError{Number: 1064, Message: "syntax error"}, false},
		{models.NotFound("complaint"), false},
		{context.Canceled, false},
	} {
		if got := store.IsUnavailable(c.err); got != c.want {
			t.Errorf("IsUnavailable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
