package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/fazhi/fazhi/models"
)

var lockingClause = clause.Locking{Strength: "UPDATE"}

// translate maps driver and GORM errors onto the sentinels of package models.
// Errors already carrying a sentinel pass through unchanged.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrConflict),
		errors.Is(err, models.ErrInvalid), errors.Is(err, models.ErrPrecondition),
		errors.Is(err, models.ErrUnavailable), errors.Is(err, models.ErrBusy), errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%w: %w", models.ErrNotFound, err)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return &models.ConflictError{Code: "duplicate", Detail: "a record with the same key exists"}
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return &models.ConflictError{Code: "referenced", Detail: "the change would break a reference between records"}
	case isUnavailable(err):
		return fmt.Errorf("%w: %w", models.ErrUnavailable, err)
	}
	return err
}

// isUnavailable recognises a database that cannot be reached, as opposed to one
// that rejected a statement.
func isUnavailable(err error) bool {
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysqldriver.ErrInvalidConn),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr), errors.As(err, &opErr):
		return true
	}
	// SQLite reports a locked database after busy_timeout as text only.
	return strings.Contains(err.Error(), "database is locked")
}

// isDeadlock recognises MySQL's deadlock and lock-wait-timeout errors.
func isDeadlock(err error) bool {
	var me *mysqldriver.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}
