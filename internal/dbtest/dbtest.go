// Package dbtest gives tests real databases: the embedded SQLite always, and
// MySQL/MariaDB when TEST_MYSQL_DSN is set (the same URL form as DATABASE_URL).
// Each test package gets its own freshly created, randomly named database on
// each server, migrated by the real migrations and dropped when the package's
// tests end. With CI=true a missing TEST_MYSQL_DSN fails the tests instead of
// skipping the MySQL leg.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	_ "github.com/go-sql-driver/mysql" // for creating and dropping test databases

	"github.com/fazhi/fazhi/store"
)

// DB is one database under test.
type DB struct {
	Name string // "sqlite" or "mysql"
	URL  string // the DATABASE_URL that reaches it
	*store.DB
}

var (
	mu      sync.Mutex
	opened  = map[string]*DB{}
	cleanup []func()
	used    = map[string]bool{}
)

// Run runs a package's tests, then drops the databases they created and says
// which databases they ran on. Call it from TestMain: os.Exit(dbtest.Run(m)).
func Run(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	// Every write of the package's tests appended to the audit chain of its
	// database: the chain must still verify once they are all done.
	for _, db := range opened {
		v, err := db.VerifyAudit(context.Background())
		switch {
		case err != nil:
			fmt.Printf("dbtest: %s: verifying the audit chain: %v\n", db.Name, err)
			code = 1
		case !v.OK:
			fmt.Printf("dbtest: %s: the audit chain is broken at event %d: %s\n", db.Name, v.BrokenSeq, v.BrokenCause)
			code = 1
		default:
			fmt.Printf("dbtest: %s: audit chain of %d event(s) verified\n", db.Name, v.Checked)
		}
	}
	for _, f := range cleanup {
		f()
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	mu.Unlock()
	sort.Strings(names)
	if len(names) > 0 {
		fmt.Printf("dbtest: databases tested: %s\n", strings.Join(names, ", "))
	}
	return code
}

// Each runs fn as a subtest on every available database.
func Each(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	for _, name := range []string{store.SQLite, store.MySQL} {
		t.Run(name, func(t *testing.T) {
			fn(t, Open(t, name))
		})
	}
}

// Open returns the package's database of the given dialect, creating and
// migrating it on first use. The MySQL leg skips when TEST_MYSQL_DSN is unset,
// and fails instead when CI=true.
func Open(t testing.TB, dialect string) *DB {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if db, ok := opened[dialect]; ok {
		return db
	}
	var (
		db  *DB
		err error
	)
	switch dialect {
	case store.SQLite:
		db, err = openSQLite()
	case store.MySQL:
		dsn := os.Getenv("TEST_MYSQL_DSN")
		if dsn == "" {
			if os.Getenv("CI") == "true" {
				t.Fatal("TEST_MYSQL_DSN is not set: with CI=true the MySQL leg must run")
			}
			t.Skip("TEST_MYSQL_DSN is not set: skipping the MySQL leg")
		}
		db, err = openMySQL(dsn)
	default:
		err = fmt.Errorf("unknown dialect %q", dialect)
	}
	if err != nil {
		t.Fatalf("open %s test database: %v", dialect, err)
	}
	opened[dialect] = db
	used[db.Name+" ("+redact(db.URL)+")"] = true
	return db
}

func openSQLite() (*DB, error) {
	dir, err := os.MkdirTemp("", "fazhi-test-")
	if err != nil {
		return nil, err
	}
	u := "sqlite://" + filepath.Join(dir, "test.db")
	db, err := openAndMigrate(store.SQLite, u)
	if err != nil {
		return nil, err
	}
	cleanup = append(cleanup, func() { db.Close(); os.RemoveAll(dir) })
	return db, nil
}

func openMySQL(dsn string) (*DB, error) {
	name := "fazhi_test_" + RandomSuffix()
	if err := CreateMySQLDatabase(dsn, name); err != nil {
		return nil, err
	}
	u, err := WithDatabase(dsn, name)
	if err != nil {
		return nil, err
	}
	db, err := openAndMigrate(store.MySQL, u)
	if err != nil {
		return nil, err
	}
	cleanup = append(cleanup, func() { db.Close(); _ = DropMySQLDatabase(dsn, name) })
	return db, nil
}

func openAndMigrate(name, u string) (*DB, error) {
	s, err := store.Open(store.Config{URL: u, MaxOpenConns: 10})
	if err != nil {
		return nil, err
	}
	if _, err := s.MigrateUp(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	return &DB{Name: name, URL: u, DB: s}, nil
}

// NewMySQLDatabase creates an empty, randomly named database on the server of
// TEST_MYSQL_DSN and returns its URL; it is dropped when t ends. Tests that
// need a database of their own (migrations, several processes) use it.
func NewMySQLDatabase(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("TEST_MYSQL_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TEST_MYSQL_DSN is not set: with CI=true the MySQL leg must run")
		}
		t.Skip("TEST_MYSQL_DSN is not set: skipping the MySQL leg")
	}
	name := "fazhi_test_" + RandomSuffix()
	if err := CreateMySQLDatabase(dsn, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = DropMySQLDatabase(dsn, name) })
	u, err := WithDatabase(dsn, name)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	used["mysql ("+redact(u)+")"] = true
	mu.Unlock()
	return u
}

// RandomSuffix returns 12 random hex digits.
func RandomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// WithDatabase returns the mysql:// URL dsn with its database replaced by name.
func WithDatabase(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("TEST_MYSQL_DSN: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// CreateMySQLDatabase creates database name on the server of the mysql:// URL dsn.
func CreateMySQLDatabase(dsn, name string) error {
	return adminExec(dsn, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
}

// DropMySQLDatabase drops database name.
func DropMySQLDatabase(dsn, name string) error {
	return adminExec(dsn, "DROP DATABASE IF EXISTS `"+name+"`")
}

func adminExec(dsn, stmt string) error {
	_, driverDSN, err := store.ParseURL(dsn, "")
	if err != nil {
		return err
	}
	db, err := sql.Open("mysql", driverDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Exec(stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "?"
	}
	if p.User != nil {
		p.User = url.User(p.User.Username())
	}
	return p.String()
}

// QueryLines runs query (an EXPLAIN, say) on db and returns its rows, each as
// one line of "column=value" cells.
func QueryLines(ctx context.Context, db *sql.DB, query string) ([]string, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		cells := make([]string, len(cols))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			cells[i] = fmt.Sprintf("%s=%v", cols[i], v)
		}
		lines = append(lines, strings.Join(cells, " "))
	}
	return lines, rows.Err()
}
