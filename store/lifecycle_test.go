package store_test

import (
	"fmt"
	"testing"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/store"
)

// manyDrafts stores n draft values of a published monthly indicator, twelve
// per unit of a city of their own, and returns them.
func manyDrafts(t *testing.T, db *dbtest.DB, n int) []*models.IndicatorValue {
	t.Helper()
	ctx := t.Context()
	p := areaCode()
	root := &models.Unit{ID: store.NewID(), Code: p, Name: "批量市", Kind: models.UnitCity, Level: 1}
	root.Path = models.UnitPath("", root.ID)
	units := []*models.Unit{root}
	for i := 0; i < (n+11)/12; i++ {
		u := &models.Unit{ID: store.NewID(), Code: fmt.Sprintf("%s001%03d", p, i), Name: "村", Kind: models.UnitVillage, ParentID: &root.ID, Level: 2}
		u.Path = models.UnitPath(root.Path, u.ID)
		units = append(units, u)
	}
	if err := db.CreateUnits(ctx, units); err != nil {
		t.Fatal(err)
	}
	sys := newIndSystem(t, db, root, "批量 "+p, "10")
	ind := newInd("1", "10", nil)
	ind.Frequency = "month"
	mustCreateInd(t, db, sys.ID, ind)
	if _, err := db.PublishIndicatorSystem(ctx, sys.ID); err != nil {
		t.Fatal(err)
	}
	values := make([]*models.IndicatorValue, n)
	for i := range values {
		x := exact.FromInt(int64(i))
		values[i] = &models.IndicatorValue{IndicatorID: ind.ID, SystemID: sys.ID, UnitID: units[1+i/12].ID,
			Period: fmt.Sprintf("2021-%02d", 1+i%12), Year: 2021, Value: &x, Qualifier: "exact", Status: models.ValueDraft}
	}
	if err := db.CreateValues(ctx, values); err != nil {
		t.Fatal(err)
	}
	return values
}

// TestImportStatementsPerBatch: an import's updates cost a few statements
// per batch of rows, not one or more per row: 200,000 rows are 400 batches,
// never 200,000 statements held by one transaction.
func TestImportStatementsPerBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		values := manyDrafts(t, db, 3*store.BatchSize)
		importing := func(vs []*models.IndicatorValue, figure string) int64 {
			t.Helper()
			updates := make([]models.ValueChange, len(vs))
			for i, v := range vs {
				before, _, err := db.GetValue(t.Context(), v.ID)
				if err != nil {
					t.Fatal(err)
				}
				after := *before
				after.Value = ptr(exact.MustParse(figure))
				updates[i] = models.ValueChange{Before: before, After: &after}
			}
			ctx, count := countStatements(t, db)
			if err := db.ImportValues(ctx, vs[0].SystemID, oneBatch(nil, updates)); err != nil {
				t.Fatal(err)
			}
			return count.Load()
		}
		one := importing(values[:store.BatchSize], "1.5")
		three := importing(values, "2.5")
		perBatch := (three - one) / 2
		t.Logf("import of %d updates: %d statements; of %d: %d (%d a batch)", store.BatchSize, one, 3*store.BatchSize, three, perBatch)
		// A few statements a batch, and each of its writes (the values and
		// their events) one statement.
		const writes = 2
		if perBatch > 6+writes || three-one != 2*perBatch || one > perBatch+4 {
			t.Errorf("statements: %d for one batch, %d for three: want a few a batch, the same for each", one, three)
		}
		for i, v := range values {
			want := int64(2) // imported once
			if i < store.BatchSize {
				want = 3 // and once before
			}
			if got := read(t, db, v.ID); got.Value.String() != "2.5" || got.Version != want {
				t.Fatalf("value %s after the imports: %s, version %d, want 2.5 at %d", v.ID, got.Value, got.Version, want)
			}
		}
	})
}

// TestBulkStatementsPerBatch: a bulk submission reads what it judges its
// values against in a few queries, whatever their number.
func TestBulkStatementsPerBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		counts := map[int]int64{}
		for _, n := range []int{12, 2 * store.BatchSize} {
			values := manyDrafts(t, db, n)
			ctx, count := countStatements(t, db)
			moved, err := db.SubmitValues(ctx, models.ValueFilter{SystemID: values[0].SystemID}, "user:a",
				func(*models.IndicatorValue, string) error { return nil })
			if err != nil || len(moved) != n {
				t.Fatalf("SubmitValues of %d: %d moved, %v", n, len(moved), err)
			}
			counts[n] = count.Load()
		}
		t.Logf("statements of a bulk submission: %v", counts)
		// Two batches more, each written (values and events) in one
		// statement each.
		const writes = 2 * 2
		if small, big := counts[12], counts[2*store.BatchSize]; big > small+8+writes {
			t.Errorf("a bulk submission of 12 values issued %d statements, of %d values %d", small, 2*store.BatchSize, big)
		}
	})
}

// TestTransactionsPrepareNothing: on MySQL no statement is prepared on the
// server by a change of many rows (the driver interpolates), so a large
// import never holds prepared statements until commit: MariaDB's
// max_prepared_stmt_count (16,382 for the whole server) is out of reach.
func TestTransactionsPrepareNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		if db.Name != store.MySQL {
			t.Skip("SQLite has no server to hold statements")
		}
		values := manyDrafts(t, db, store.BatchSize+10)
		// One connection each, so that a session's counters are its work's.
		open := func(url string) *store.DB {
			t.Helper()
			one, err := store.Open(store.Config{URL: url, MaxOpenConns: 1})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = one.Close() })
			return one
		}
		preparedBy := func(one *store.DB) (n int64) {
			t.Helper()
			var name string
			if err := one.SQL().QueryRowContext(t.Context(), "SHOW SESSION STATUS LIKE 'Com_stmt_prepare'").Scan(&name, &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// The counter counts: without interpolation, a read with a parameter
		// prepares one.
		plain := open(db.URL + "?interpolateParams=false")
		before := preparedBy(plain)
		if _, _, err := plain.GetValue(t.Context(), values[0].ID); err != nil {
			t.Fatal(err)
		}
		if preparedBy(plain) == before {
			t.Fatal("Com_stmt_prepare did not count a prepared read: the check below would prove nothing")
		}
		one := open(db.URL)
		prepared := func() int64 { return preparedBy(one) }
		before = prepared()
		updates := make([]models.ValueChange, len(values))
		for i, v := range values {
			after := *v
			after.Value = ptr(exact.MustParse("7"))
			updates[i] = models.ValueChange{Before: v, After: &after}
		}
		if err := one.ImportValues(t.Context(), values[0].SystemID, oneBatch(nil, updates)); err != nil {
			t.Fatal(err)
		}
		if _, err := one.SubmitValues(t.Context(), models.ValueFilter{SystemID: values[0].SystemID}, "user:a",
			func(*models.IndicatorValue, string) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if n := prepared() - before; n != 0 {
			t.Errorf("an import and a bulk submission of %d values prepared %d statements on the server", len(values), n)
		}
	})
}
