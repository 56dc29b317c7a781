// Package store is the only code that speaks SQL. It opens the database (embedded
// SQLite or MySQL/MariaDB), applies the migrations, and keeps one file per domain.
// Driver errors leave it translated into the sentinels of package models.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/libtnb/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"github.com/fazhi/fazhi/models"
)

// Dialects.
const (
	SQLite = "sqlite"
	MySQL  = "mysql"
)

// Config says which database to open.
type Config struct {
	// URL is "mysql://user:pass@host:port/db" or "sqlite:///path/to/file.db";
	// empty means the embedded SQLite file fazhi.db in DataDir.
	URL string
	// DataDir holds the embedded database when URL is empty.
	DataDir string
	// MaxOpenConns bounds the pool; idle connections are kept up to the same number.
	MaxOpenConns int
	// ConnMaxLifetime recycles connections, so a load balancer or failover in
	// front of MySQL is followed.
	ConnMaxLifetime time.Duration
}

// DefaultReadTimeout is how long a MySQL call may go without an answer
// before it fails; DATABASE_URL's readTimeout and writeTimeout change it.
// Long statements are batched (store/lifecycle.go), none near it.
const DefaultReadTimeout = 30 * time.Second

// DB is an open database.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect string
	// sequencer links committed audit events into the chain (sequencer.go).
	sequencer *sequencer
	// prepared holds the hottest fixed reads prepared, on SQLite; nil on
	// MySQL (prepared.go).
	prepared *preparedStmts
	// writeTurn, on SQLite, lets one transaction of this process at a time
	// begin (see attempt); nil on MySQL.
	writeTurn chan struct{}
	// Now is the clock for timestamps: UTC, truncated to microseconds as both
	// databases store them.
	Now func() time.Time
}

// SetClock makes now the clock of the writes that follow and returns what
// puts the previous one back. The demo data dates its records as the seed
// report does with it; nothing else may write meanwhile, so it is for
// seeding before the server serves.
func (db *DB) SetClock(now func() time.Time) (restore func()) {
	previous := db.Now
	db.Now = func() time.Time { return now().UTC().Truncate(time.Microsecond) }
	return func() { db.Now = previous }
}

// Now is the default clock.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Open connects to the database the config names. It does not migrate.
func Open(cfg Config) (*DB, error) {
	dialect, dsn, err := ParseURL(cfg.URL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	gcfg := &gorm.Config{
		TranslateError: true,
		// No server-side prepared statements: database/sql re-prepares a
		// statement for every use inside a transaction and keeps each one
		// until commit, so a large import exhausted MariaDB's
		// max_prepared_stmt_count (16,382, server-wide). MySQL queries are
		// interpolated by the driver instead (interpolateParams, see
		// ParseURL): one round trip each, nothing held on the server.
		PrepareStmt: false,
		NowFunc:     Now,
		Logger:      logger.Discard,
		// Every write names its columns; no implicit transaction around single
		// statements is needed, and explicit ones are opened where a change spans rows.
		SkipDefaultTransaction: true,
	}
	var dialector gorm.Dialector
	switch dialect {
	case MySQL:
		dialector = mysql.Open(dsn)
	case SQLite:
		if dir := filepath.Dir(strings.TrimPrefix(strings.SplitN(dsn, "?", 2)[0], "file:")); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
		}
		dialector = sqlite.Open(dsn)
	}
	g, err := gorm.Open(dialector, gcfg)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, translate(err))
	}
	if err := countStatements(g); err != nil {
		return nil, err
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	maxOpen := cfg.MaxOpenConns
	if maxOpen <= 0 {
		maxOpen = 20
	}
	// database/sql keeps only two idle connections by default: under load it would
	// open and close connections continuously (STACK.md).
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxOpen)
	lifetime := cfg.ConnMaxLifetime
	if lifetime <= 0 {
		lifetime = 30 * time.Minute
	}
	sqlDB.SetConnMaxLifetime(lifetime)
	db := &DB{gorm: g, sql: sqlDB, dialect: dialect, Now: Now, sequencer: newSequencer()}
	if dialect == SQLite {
		db.writeTurn = make(chan struct{}, 1)
		db.prepared = &preparedStmts{pool: sqlDB}
	}
	return db, nil
}

// query runs a fixed statement of the hottest reads on the pool directly,
// counting it as countStatements counts GORM's.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	countStatement(ctx)
	return db.sql.QueryContext(ctx, query, args...)
}

// queryFixed is query for a statement written in the code (never one built
// from input), which SQLite keeps prepared (prepared.go).
func (db *DB) queryFixed(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.prepared == nil {
		return db.query(ctx, query, args...)
	}
	countStatement(ctx)
	s, err := db.prepared.get(query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// queryIn runs a statement written in the code in tx's transaction on
// database/sql directly, for the hottest changes: building the statement
// and scanning its rows through GORM was about a tenth of a PATCH's CPU
// (docs/benchmarks.md). It counts the statement as countStatements counts
// GORM's, and its error is translated as GORM's would be.
func queryIn(tx *gorm.DB, query string, args ...any) (*sql.Rows, error) {
	ctx := tx.Statement.Context
	countStatement(ctx)
	rows, err := tx.Statement.ConnPool.QueryContext(ctx, query, args...)
	return rows, translatedAsGORM(tx, err)
}

// execIn is queryIn for a statement that returns no rows.
func execIn(tx *gorm.DB, query string, args ...any) (sql.Result, error) {
	ctx := tx.Statement.Context
	countStatement(ctx)
	res, err := tx.Statement.ConnPool.ExecContext(ctx, query, args...)
	return res, translatedAsGORM(tx, err)
}

// translatedAsGORM is a driver's error as GORM's TranslateError gives it
// (gorm.ErrDuplicatedKey for a unique key taken, and so on).
func translatedAsGORM(tx *gorm.DB, err error) error {
	if t, ok := tx.Dialector.(gorm.ErrorTranslator); ok && err != nil {
		return t.Translate(err)
	}
	return err
}

// countStatements has every statement GORM runs (query, row, raw, create,
// update, delete) add one to the count its context carries
// (models.WithStatementCount): a request's statements, in its log line.
func countStatements(g *gorm.DB) error {
	count := func(tx *gorm.DB) { countStatement(tx.Statement.Context) }
	cb := g.Callback()
	for _, err := range []error{
		cb.Query().After("gorm:query").Register("fazhi:count_query", count),
		cb.Row().After("gorm:row").Register("fazhi:count_row", count),
		cb.Raw().After("gorm:raw").Register("fazhi:count_raw", count),
		cb.Create().After("gorm:create").Register("fazhi:count_create", count),
		cb.Update().After("gorm:update").Register("fazhi:count_update", count),
		cb.Delete().After("gorm:delete").Register("fazhi:count_delete", count),
	} {
		if err != nil {
			return fmt.Errorf("count statements: %w", err)
		}
	}
	return nil
}

// countStatement adds one to the statement count ctx carries, if any.
func countStatement(ctx context.Context) {
	if n := models.StatementCount(ctx); n != nil {
		n.Add(1)
	}
}

// ParseURL turns a DATABASE_URL into a dialect and a driver DSN.
func ParseURL(raw, dataDir string) (dialect, dsn string, err error) {
	sqliteParams := "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate&_timezone=UTC"
	if raw == "" {
		if dataDir == "" {
			dataDir = "data"
		}
		return SQLite, "file:" + filepath.Join(dataDir, "fazhi.db") + sqliteParams, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("DATABASE_URL: %w", redact(err))
	}
	switch u.Scheme {
	case "sqlite":
		path := u.Host + u.Path
		if path == "" {
			return "", "", errors.New("DATABASE_URL: sqlite URL names no file (sqlite:///path/to/fazhi.db)")
		}
		return SQLite, "file:" + path + sqliteParams, nil
	case "mysql":
		c := mysqldriver.NewConfig()
		c.Net = "tcp"
		c.Addr = u.Host
		if u.Port() == "" {
			c.Addr = u.Host + ":3306"
		}
		if u.User != nil {
			c.User = u.User.Username()
			c.Passwd, _ = u.User.Password()
		}
		c.DBName = strings.TrimPrefix(u.Path, "/")
		if c.DBName == "" {
			return "", "", errors.New("DATABASE_URL: mysql URL names no database (mysql://user:pass@host:3306/fazhi)")
		}
		c.ParseTime = true
		c.Loc = time.UTC
		c.Collation = "utf8mb4_bin"
		c.Params = map[string]string{"charset": "utf8mb4"}
		c.MultiStatements = false
		c.InterpolateParams = true
		// Every call has a deadline: a database that stops answering (the
		// connection silent, not closed) fails the call after readTimeout,
		// and the request answers 503 rather than hanging.
		c.Timeout, c.ReadTimeout, c.WriteTimeout = 10*time.Second, DefaultReadTimeout, DefaultReadTimeout
		for k, vs := range u.Query() {
			v := vs[len(vs)-1]
			switch k {
			case "interpolateParams":
				c.InterpolateParams = v == "true"
			case "timeout", "readTimeout", "writeTimeout":
				d, err := time.ParseDuration(v)
				if err != nil || d <= 0 {
					return "", "", fmt.Errorf("DATABASE_URL: %s=%q is not a duration such as 30s", k, v)
				}
				*map[string]*time.Duration{"timeout": &c.Timeout, "readTimeout": &c.ReadTimeout, "writeTimeout": &c.WriteTimeout}[k] = d
			default:
				c.Params[k] = v
			}
		}
		return MySQL, c.FormatDSN(), nil
	default:
		return "", "", fmt.Errorf("DATABASE_URL: unknown scheme %q (want mysql:// or sqlite://)", u.Scheme)
	}
}

// redact drops the URL, and so any password in it, from a parse error.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Dialect is SQLite or MySQL.
func (db *DB) Dialect() string { return db.dialect }

// SQL is the underlying pool, for migrations, health checks and pool metrics.
func (db *DB) SQL() *sql.DB { return db.sql }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", translate(err))
	}
	return nil
}

// Close closes the pool, and the statements kept prepared on it.
func (db *DB) Close() error {
	var err error
	if db.prepared != nil {
		err = db.prepared.close()
	}
	return errors.Join(err, db.sql.Close())
}

// tx runs fn in a transaction (attempt), and then has the sequencer link
// the audit events it wrote.
func (db *DB) tx(ctx context.Context, fn func(tx *gorm.DB, at time.Time) error) error {
	err := db.attempt(ctx, fn)
	if err == nil {
		db.sequencer.wake()
	}
	return err
}

// maxAttempts bounds how often a transaction that conflicts runs.
const maxAttempts = 6

// attempt runs fn in a transaction with one clock reading. A conflict (a
// deadlock, a lock wait that timed out, or a multi-primary cluster's
// certification failure, which MySQL clients see as a deadlock) is no one's
// fault: the transaction runs again after a pause drawn at random from a
// window that doubles each time (20 ms, 40 ms, … 320 ms), so that the
// transactions that collided do not collide again. Past maxAttempts the
// caller gets models.ErrBusy.
func (db *DB) attempt(ctx context.Context, fn func(tx *gorm.DB, at time.Time) error) error {
	var err error
	for n := range maxAttempts {
		if n > 0 {
			select {
			case <-time.After(time.Duration(rand.Int64N(int64(10 * time.Millisecond << n)))):
			case <-ctx.Done():
				return translate(ctx.Err())
			}
		}
		if err = db.inWriteTurn(ctx, fn); !isDeadlock(err) {
			return translate(err)
		}
	}
	return fmt.Errorf("%w: %d attempts conflicted: %w", models.ErrBusy, maxAttempts, err)
}

// inWriteTurn runs fn in a transaction once, on SQLite after waiting until
// no other transaction of this process runs. SQLite runs one write
// transaction at a time (_txlock=immediate), and a connection that finds
// the database locked sleeps and tries again (busy_timeout), with no queue:
// under a burst of writes one writer could lose every try for
// busy_timeout's 5 s and fail with 503 while others got through (seen in
// the benchmark's PATCH case). Waiting here instead is first come, first
// served (a channel's waiters are served in order) and wakes as soon as the
// turn is free. Other processes on the same file (fazhi migrate, a backup)
// still meet busy_timeout.
//
// The turn is given back however fn ends, a panic included (the server
// recovers from panics; a turn kept would stop every later write).
func (db *DB) inWriteTurn(ctx context.Context, fn func(tx *gorm.DB, at time.Time) error) error {
	if db.writeTurn != nil {
		select {
		case db.writeTurn <- struct{}{}:
			defer func() { <-db.writeTurn }()
		case <-ctx.Done():
			return translate(ctx.Err())
		}
	}
	at := db.Now()
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return fn(tx, at) })
}

// forUpdate locks the rows a query reads until the transaction ends. SQLite needs
// no row locks: its write transactions are serialised (_txlock=immediate).
func (db *DB) forUpdate(q *gorm.DB) *gorm.DB {
	if db.dialect == MySQL {
		return q.Clauses(lockingClause)
	}
	return q
}

// forShare locks the rows a query reads against change until the
// transaction ends, letting others read and share-lock them: for a row a
// change depends on but does not write (the parent of a new unit). Siblings
// created at once do not wait for each other, and on a Galera cluster a
// replicated sibling's foreign-key check does not abort the local one.
func (db *DB) forShare(q *gorm.DB) *gorm.DB {
	if db.dialect == MySQL {
		return q.Clauses(clause.Locking{Strength: "SHARE"})
	}
	return q
}

// find reads the one row matching query and args into a new T, answering
// notFound when there is none. query is written in the code: it may be kept
// prepared (queryFixed).
func find[T any](ctx context.Context, db *DB, what string, notFound error, query string, args ...any) (*T, error) {
	var rows []T
	var err error
	if r, ok := handReaderOf[T](); ok {
		rows, err = r.first(ctx, db, query, args...)
	} else {
		rows, err = findRows[T](db.gorm.WithContext(ctx).Model(new(T)).Where(query, args...).Limit(1), 1)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", what, translate(err))
	}
	if len(rows) == 0 {
		return nil, notFound
	}
	return &rows[0], nil
}
