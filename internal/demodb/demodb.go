// Package demodb makes SQLite databases holding the demo data and accounts,
// as `fazhi serve` makes on a new embedded database, for tests that need the
// demo as the contract's examples describe it. One template is seeded once
// and copied for each test that writes, since seeding costs far more than a
// file copy.
package demodb

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/store"
)

// Create makes the SQLite database file path with the migrations, the demo
// data and the demo accounts, and returns it open; it is closed when the
// test ends, and may be closed before to make the file complete for copies
// (closing writes SQLite's write-ahead log back into it).
func Create(t testing.TB, path string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(store.Config{URL: "sqlite://" + path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.MigrateUp(ctx); err != nil {
		t.Fatal(err)
	}
	// A cheap hash: the cost of argon2id is no part of these tests.
	hasher := &password.Hasher{Params: password.Fast}
	if _, err := demo.Seed(ctx, db, demo.Options{Accounts: true, HashPassword: hasher.Hash}); err != nil {
		t.Fatal(err)
	}
	return db
}

// OpenCopy copies the closed database file template into the test's
// temporary directory and opens the copy, which is closed when the test ends.
func OpenCopy(t testing.TB, template string) *store.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), filepath.Base(template))
	if err := copyFile(template, path); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(store.Config{URL: "sqlite://" + path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
