package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "modernc.org/sqlite" // the "sqlite" driver under fazhi's GORM dialector
)

// Dialects, as fazhi's store names them.
const (
	dialectSQLite = "sqlite"
	dialectMySQL  = "mysql"
)

// openDatabase opens the database a DATABASE_URL names, with fazhi's driver
// settings (dsnOf) and the pool of store.Open: maxConns connections, as
// many kept idle, each recycled after 30 minutes.
func openDatabase(rawURL string, maxConns int) (*sql.DB, string, error) {
	dialect, dsn, err := dsnOf(rawURL)
	if err != nil {
		return nil, "", err
	}
	db, err := sql.Open(dialect, dsn)
	if err != nil {
		return nil, "", err
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxLifetime(30 * time.Minute)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, "", fmt.Errorf("open %s database: %w", dialect, err)
	}
	return db, dialect, nil
}

// dsnOf is store.ParseURL, for URLs without parameters (baseline_test.go
// compares the two): on SQLite the same pragmas and BEGIN IMMEDIATE; on
// MySQL queries interpolated by the driver (one round trip each, no
// server-side prepared statements), the same collation and timeouts.
func dsnOf(rawURL string) (dialect, dsn string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.RawQuery != "" || u.Host+u.Path == "" {
		return "", "", errors.New("-db: want sqlite:///path/file.db or mysql://user:pass@host:port/db, without parameters")
	}
	switch u.Scheme {
	case "sqlite":
		return dialectSQLite, "file:" + u.Host + u.Path +
			"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate&_timezone=UTC", nil
	case "mysql":
		c := mysql.NewConfig()
		c.Net, c.Addr = "tcp", u.Host
		if u.Port() == "" {
			c.Addr = u.Host + ":3306"
		}
		if u.User != nil {
			c.User = u.User.Username()
			c.Passwd, _ = u.User.Password()
		}
		c.DBName = strings.TrimPrefix(u.Path, "/")
		c.ParseTime, c.Loc, c.Collation = true, time.UTC, "utf8mb4_bin"
		c.Params = map[string]string{"charset": "utf8mb4"}
		c.InterpolateParams = true
		c.Timeout, c.ReadTimeout, c.WriteTimeout = 10*time.Second, 30*time.Second, 30*time.Second
		return dialectMySQL, c.FormatDSN(), nil
	}
	return "", "", fmt.Errorf("-db: unknown scheme %q (want mysql:// or sqlite://)", u.Scheme)
}

// now is fazhi's clock: UTC, truncated to microseconds as both databases
// store instants.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// maxAttempts bounds how often a transaction that conflicts runs (store.attempt).
const maxAttempts = 6

// errBusy is a transaction that kept conflicting (fazhi's models.ErrBusy).
var errBusy = &problem{status: 503, code: "database_busy", detail: "the change kept colliding with others however often it was tried; retry shortly"}

// inTx runs fn in a transaction with one clock reading, and runs it again,
// after a random pause in a window that doubles each time, when MySQL
// reports a deadlock or a lock wait timeout: as fazhi's store.attempt does.
func (s *server) inTx(ctx context.Context, fn func(tx *sql.Tx, at time.Time) error) error {
	var err error
	for n := range maxAttempts {
		if n > 0 {
			select {
			case <-time.After(time.Duration(rand.Int64N(int64(10 * time.Millisecond << n)))):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err = s.txOnce(ctx, now(), fn); !isDeadlock(err) {
			return err
		}
	}
	return errBusy
}

func (s *server) txOnce(ctx context.Context, at time.Time, fn func(tx *sql.Tx, at time.Time) error) error {
	// On SQLite one transaction of the process begins at a time, waiting in
	// turn rather than in SQLite's busy handler (store.takeWriteTurn).
	if s.writeTurn != nil {
		select {
		case s.writeTurn <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-s.writeTurn }()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx, at); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func isDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

type scanner interface{ Scan(dest ...any) error }

// querier is the pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryAll runs a query and scans each of its rows with scan.
func queryAll[T any](ctx context.Context, q querier, scan func(scanner) (T, error), stmt string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		all = append(all, v)
	}
	return all, rows.Err()
}

// conditions are a WHERE clause, built in the order fazhi's store adds its
// conditions.
type conditions struct {
	list []string
	args []any
}

func (c *conditions) add(condition string, args ...any) {
	c.list, c.args = append(c.list, condition), append(c.args, args...)
}

func (c *conditions) where() string {
	if len(c.list) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.list, " AND ")
}
