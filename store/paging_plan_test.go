package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/store"
)

type capturedKey struct{}

// captureQueries returns a context in which every query GORM runs on db is
// added, its arguments written in, to the returned list.
func captureQueries(t *testing.T, db *store.DB) (context.Context, *[]string) {
	t.Helper()
	g := store.GormOf(db)
	capture := func(tx *gorm.DB) {
		if list, ok := tx.Statement.Context.Value(capturedKey{}).(*[]string); ok {
			*list = append(*list, tx.Dialector.Explain(tx.Statement.SQL.String(), tx.Statement.Vars...))
		}
	}
	// Queries read by GORM, and those whose rows the store scans itself (Rows).
	for _, err := range []error{
		g.Callback().Query().After("gorm:query").Register("fazhi_test:capture", capture),
		g.Callback().Row().After("gorm:row").Register("fazhi_test:capture_row", capture),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	list := new([]string)
	return context.WithValue(t.Context(), capturedKey{}, list), list
}

// planOf is how the database runs query: MySQL's EXPLAIN rows, SQLite's
// query plan, one line each.
func planOf(t *testing.T, db *store.DB, dialect, query string) []string {
	t.Helper()
	explain := "EXPLAIN "
	if dialect == store.SQLite {
		explain = "EXPLAIN QUERY PLAN "
	}
	lines, err := dbtest.QueryLines(t.Context(), db.SQL(), explain+query)
	if err != nil {
		t.Fatalf("%s%s: %v", explain, query, err)
	}
	return lines
}

// The unit list, first page and a deep one, in every order, with and
// without a parent, is read from an index: neither database sorts the
// table or merges two index searches (the shapes keysetPage writes).
func TestUnitListPlansReadAnIndex(t *testing.T) {
	eachNewDatabase(t, "plans.db", func(t *testing.T, dialect string, db *store.DB) {
		if _, err := db.MigrateUp(t.Context()); err != nil {
			t.Fatal(err)
		}
		root := &models.Unit{ID: store.NewID(), Code: areaCode(), Name: "计划市", Kind: models.UnitCity, Level: 1}
		root.Path = models.UnitPath("", root.ID)
		units := []*models.Unit{root}
		for i := range 3000 {
			u := &models.Unit{ID: store.NewID(), Code: fmt.Sprintf("%s%06d", root.Code, (i*7919)%3000), Name: fmt.Sprintf("村%03d", i%300),
				Kind: models.UnitVillage, ParentID: &root.ID, Level: 2}
			u.Path = models.UnitPath(root.Path, u.ID)
			units = append(units, u)
		}
		if err := db.CreateUnits(t.Context(), units); err != nil {
			t.Fatal(err)
		}
		analyze := "ANALYZE"
		if dialect == store.MySQL {
			analyze = "ANALYZE TABLE units"
		}
		if _, err := db.SQL().ExecContext(t.Context(), analyze); err != nil {
			t.Fatal(err)
		}
		ctx, queries := captureQueries(t, db)
		for _, sort := range []string{"code", "-code", "name", "-createdAt", "level"} {
			for _, f := range []models.UnitFilter{{}, {ParentID: root.ID}} {
				page := paging.Page{Limit: 50, Sort: paging.ParseSort(sort)}
				*queries = nil
				for range 50 { // to a page 2,500 units deep
					_, next, err := db.ListUnits(ctx, f, page)
					if err != nil || next == nil {
						t.Fatalf("ListUnits %s: %v, next %v", sort, err, next)
					}
					page.After = next
				}
				for _, q := range []string{(*queries)[0], (*queries)[len(*queries)-1]} {
					plan := planOf(t, db, dialect, q)
					joined := strings.Join(plan, "\n")
					if strings.Contains(joined, "filesort") || strings.Contains(joined, "TEMP B-TREE") ||
						strings.Contains(joined, "MULTI-INDEX OR") || strings.Contains(joined, "type=ALL") {
						t.Errorf("%s\n%s", q, joined)
					}
				}
			}
		}
	})
}
