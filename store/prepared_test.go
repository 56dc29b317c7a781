package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/fazhi/fazhi/models"
)

// TestPreparedStmts: on SQLite a fixed read is prepared once, however many
// requests ask for it at once, still counts as a statement of its request,
// and fails cleanly once the database is closed.
func TestPreparedStmts(t *testing.T) {
	db, err := Open(Config{URL: "sqlite://" + filepath.Join(t.TempDir(), "prepared.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.prepared == nil {
		t.Fatal("SQLite keeps no prepared statements")
	}
	const query = "SELECT ? + 1"

	var wg sync.WaitGroup
	got := make([]*sql.Stmt, 16)
	for i := range got {
		wg.Go(func() {
			s, err := db.prepared.get(query)
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		})
	}
	wg.Wait()
	kept := 0
	db.prepared.stmts.Range(func(any, any) bool { kept++; return true })
	for i, s := range got {
		if s != got[0] {
			t.Errorf("request %d got statement %p, request 0 %p: want one statement", i, s, got[0])
		}
	}
	if kept != 1 {
		t.Errorf("%d statements kept for one query", kept)
	}

	ctx, n := models.WithStatementCount(context.Background())
	rows, err := db.queryFixed(ctx, query, 41)
	if err != nil {
		t.Fatal(err)
	}
	var answer int
	for rows.Next() {
		if err := rows.Scan(&answer); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if answer != 42 || n.Load() != 1 {
		t.Errorf("queryFixed: answer %d, %d statements counted; want 42 and 1", answer, n.Load())
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.prepared.get(query); !errors.Is(err, errPoolClosed) {
		t.Errorf("after Close: %v, want errPoolClosed", err)
	}
	if _, err := got[0].Query(1); err == nil {
		t.Error("a statement prepared before Close still runs")
	}
}
