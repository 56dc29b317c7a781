package store_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm/schema"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/migrations"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/store"
)

// mappedModels are the GORM-mapped domain types whose columns the migrations
// must create.
var mappedModels = []any{&models.Unit{}, &models.IdempotencyRecord{}, &models.Attachment{}}

// sourceMigrations lists the versions and file names of a dialect's migrations.
func sourceMigrations(t *testing.T, dialect string) ([]int64, []string) {
	t.Helper()
	entries, err := fs.ReadDir(migrations.FS, dialect)
	if err != nil {
		t.Fatal(err)
	}
	var versions []int64
	var names []string
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil {
			t.Fatalf("%s/%s: no version number", dialect, e.Name())
		}
		versions = append(versions, v)
		names = append(names, e.Name())
	}
	if len(versions) == 0 {
		t.Fatalf("no %s migrations", dialect)
	}
	return versions, names
}

// TestMigrations migrates an empty database up, checks the schema against the
// mapped models, rolls one version back and every version back, and migrates
// up again.
// eachNewDatabase runs test on an empty database of each dialect, not
// migrated: a SQLite file named file, and a MySQL database of its own.
func eachNewDatabase(t *testing.T, file string, test func(t *testing.T, dialect string, db *store.DB)) {
	fresh := map[string]func(t testing.TB) string{
		store.SQLite: func(t testing.TB) string { return "sqlite://" + filepath.Join(t.TempDir(), file) },
		store.MySQL:  dbtest.NewMySQLDatabase,
	}
	for _, dialect := range []string{store.SQLite, store.MySQL} {
		t.Run(dialect, func(t *testing.T) {
			db, err := store.Open(store.Config{URL: fresh[dialect](t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			test(t, dialect, db)
		})
	}
}

func TestMigrations(t *testing.T) {
	eachNewDatabase(t, "migrate.db", func(t *testing.T, dialect string, db *store.DB) {
		ctx := t.Context()
		versions, names := sourceMigrations(t, dialect)
		latest := versions[len(versions)-1]

		current := func(want bool) {
			t.Helper()
			got, err := db.MigrationsCurrent(ctx)
			if err != nil {
				t.Fatalf("MigrationsCurrent: %v", err)
			}
			if got != want {
				t.Errorf("MigrationsCurrent = %v, want %v", got, want)
			}
		}
		status := func(applied int) {
			t.Helper()
			st, err := db.MigrationStatus(ctx)
			if err != nil {
				t.Fatalf("MigrationStatus: %v", err)
			}
			if len(st) != len(versions) {
				t.Fatalf("MigrationStatus lists %d migrations, want %d", len(st), len(versions))
			}
			for i, s := range st {
				if s.Version != versions[i] || filepath.Base(s.Name) != names[i] {
					t.Errorf("status[%d] = version %d %q, want %d %q", i, s.Version, s.Name, versions[i], names[i])
				}
				if want := i < applied; s.Applied != want {
					t.Errorf("status[%d] (%s): applied %v, want %v", i, names[i], s.Applied, want)
				}
				if s.Applied == s.AppliedAt.IsZero() {
					t.Errorf("status[%d] (%s): applied %v but applied at %v", i, names[i], s.Applied, s.AppliedAt)
				}
			}
		}
		tables := func(want bool) {
			t.Helper()
			m := store.GormOf(db).Migrator()
			for _, model := range mappedModels {
				if got := m.HasTable(model); got != want {
					t.Errorf("table of %T exists: %v, want %v", model, got, want)
				}
			}
		}

		current(false)
		status(0)
		tables(false)

		applied, err := db.MigrateUp(ctx)
		if err != nil {
			t.Fatalf("MigrateUp: %v", err)
		}
		if !slices.Equal(applied, versions) {
			t.Errorf("MigrateUp applied %v, want %v", applied, versions)
		}
		current(true)
		status(len(versions))
		checkColumns(t, db)

		// Up again: nothing pending, nothing applied.
		if again, err := db.MigrateUp(ctx); err != nil || len(again) != 0 {
			t.Errorf("second MigrateUp applied %v (%v), want nothing", again, err)
		}

		// One step down and up again.
		v, err := db.MigrateDown(ctx)
		if err != nil {
			t.Fatalf("MigrateDown: %v", err)
		}
		if v != latest {
			t.Errorf("MigrateDown rolled back %d, want %d", v, latest)
		}
		current(false)
		status(len(versions) - 1)
		if applied, err := db.MigrateUp(ctx); err != nil || !slices.Equal(applied, []int64{latest}) {
			t.Fatalf("MigrateUp after one down applied %v (%v), want [%d]", applied, err, latest)
		}

		// All the way down: the tables are gone.
		if err := db.MigrateReset(ctx); err != nil {
			t.Fatalf("MigrateReset: %v", err)
		}
		current(false)
		status(0)
		tables(false)

		// And up again, cleanly, to a schema that works.
		applied, err = db.MigrateUp(ctx)
		if err != nil {
			t.Fatalf("MigrateUp after reset: %v", err)
		}
		if !slices.Equal(applied, versions) {
			t.Errorf("MigrateUp after reset applied %v, want %v", applied, versions)
		}
		current(true)
		status(len(versions))
		checkColumns(t, db)
		u := &models.Unit{Code: areaCode(), Name: "迁移后的单位", Kind: models.UnitCity}
		if err := db.CreateUnit(ctx, u); err != nil {
			t.Fatalf("CreateUnit after migrating: %v", err)
		}
		got, err := db.GetUnit(ctx, u.ID)
		if err != nil || got.Name != u.Name {
			t.Errorf("GetUnit after migrating: %+v (%v), want the name %q", got, err, u.Name)
		}
	})
}

// TestPackageDatabaseMigrated checks the package's shared databases, which
// dbtest migrated, the same way.
func TestPackageDatabaseMigrated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ok, err := db.MigrationsCurrent(t.Context())
		if err != nil || !ok {
			t.Errorf("MigrationsCurrent = %v (%v), want true", ok, err)
		}
		checkColumns(t, db.DB)
	})
}

// checkColumns asserts that every column of every mapped model exists in the
// database, and that the check itself would notice a missing one.
func checkColumns(t *testing.T, db *store.DB) {
	t.Helper()
	g := store.GormOf(db)
	m := g.Migrator()
	for _, model := range mappedModels {
		s, err := schema.Parse(model, &sync.Map{}, g.NamingStrategy)
		if err != nil {
			t.Fatalf("parse %T: %v", model, err)
		}
		if !m.HasTable(s.Table) {
			t.Errorf("table %s (%T) does not exist", s.Table, model)
			continue
		}
		var cols []string
		for _, f := range s.Fields {
			if f.DBName == "" {
				continue
			}
			cols = append(cols, f.DBName)
			if !m.HasColumn(model, f.DBName) {
				t.Errorf("%s.%s (%T.%s) does not exist", s.Table, f.DBName, model, f.Name)
			}
		}
		if len(cols) < 5 {
			t.Errorf("%T maps only the columns %v", model, cols)
		}
		if m.HasColumn(model, "no_such_column") {
			t.Errorf("%s.no_such_column reported to exist: the check sees nothing", s.Table)
		}
	}
}

// Upgrading to the version whose feed carries tasks, targets, cases and
// self-inspection sends every consumer back to a snapshot when records of
// those types were released before it (they have no events), and no one
// when there were none.
func TestFeedTypesMigrationRaisesFloor(t *testing.T) {
	eachNewDatabase(t, "feedtypes.db", func(t *testing.T, _ string, db *store.DB) {
		ctx := t.Context()
		if _, err := db.MigrateUp(ctx); err != nil {
			t.Fatal(err)
		}
		// again migrates down to before version 20 and up again, and
		// returns the feed's head before and after.
		again := func() (before, after int64) {
			t.Helper()
			var err error
			for {
				v, err := db.MigrateDown(ctx)
				if err != nil || v < 20 {
					t.Fatalf("MigrateDown rolled back %d (%v), want down to 20", v, err)
				}
				if v == 20 {
					break
				}
			}
			if before, err = db.FeedHead(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := db.MigrateUp(ctx); err != nil {
				t.Fatal(err)
			}
			if after, err = db.FeedHead(ctx); err != nil {
				t.Fatal(err)
			}
			return before, after
		}
		unit := &models.Unit{Code: areaCode(), Name: "迁移测试市", Kind: models.UnitCity}
		if err := db.CreateUnit(ctx, unit); err != nil {
			t.Fatal(err)
		}
		if before, after := again(); after != before {
			t.Errorf("with a unit only, the head moved from %d to %d", before, after)
		}
		if _, err := db.FeedAfter(ctx, 0, nil, 10); err != nil {
			t.Errorf("with a unit only, the feed from 0: %v", err)
		}

		sys := &models.IndicatorSystem{Name: "迁移测试指标体系", IssuingUnitID: unit.ID, Edition: "2021年版", YearFrom: 2021, YearTo: 2021,
			TotalPoints: exact.MustParse("10")}
		if err := db.CreateIndicatorSystem(ctx, sys); err != nil {
			t.Fatal(err)
		}
		ind := &models.Indicator{Code: "1", Name: "指标1", Points: exact.MustParse("10"), ValueType: "number",
			Direction: "higher_better", Aggregation: "sum", Frequency: "year"}
		if err := db.CreateIndicator(ctx, sys.ID, ind); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateTarget(ctx, &models.Target{IndicatorID: ind.ID, Year: 2021, Comparator: models.AtLeast, Value: exact.MustParse("5")}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PublishIndicatorSystem(ctx, sys.ID); err != nil {
			t.Fatal(err)
		}
		before, after := again()
		if after != before+1 {
			t.Errorf("with a released target, the head moved from %d to %d, want one more", before, after)
		}
		var expired *models.FeedExpiredError
		if _, err := db.FeedAfter(ctx, before, nil, 10); !errors.As(err, &expired) || expired.Floor != after {
			t.Errorf("the feed after the old head %d: %v, want it expired below %d", before, err, after)
		}
		if events, err := db.FeedAfter(ctx, after, nil, 10); err != nil || len(events) != 0 {
			t.Errorf("the feed after the new floor: %v (%v), want no events", events, err)
		}
	})
}
