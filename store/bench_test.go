package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/store"
)

// BenchmarkValues loads 100 units × 300 quarterly indicators × 4 quarters ×
// 5 years (600,000 values) on MariaDB, then reads one unit's values for a year
// (1,200 values, three pages of 500) and the system's tree, each next to the
// same query through plain database/sql in the same run. Run it with
// TEST_MYSQL_DSN set: go test -run x -bench Values -benchtime 20x ./store/
func BenchmarkValues(b *testing.B) {
	const units, indicators, years = 100, 300, 5
	db := dbtest.Open(b, store.MySQL)
	ctx := b.Context()
	us := benchCity(units)
	root, p := us[0], us[0].Code
	if err := db.CreateUnits(ctx, us); err != nil {
		b.Fatal(err)
	}
	sys := &models.IndicatorSystem{Name: "基准体系 " + p, IssuingUnitID: root.ID, Edition: "2021年版", YearFrom: 2021,
		YearTo: 2021 + years - 1, TotalPoints: exact.FromInt(300)}
	if err := db.CreateIndicatorSystem(ctx, sys); err != nil {
		b.Fatal(err)
	}
	inds := make([]*models.Indicator, indicators)
	for i := range inds {
		inds[i] = &models.Indicator{Code: fmt.Sprint(i + 1), Name: fmt.Sprintf("指标%d", i+1), Points: exact.FromInt(1),
			ValueType: "number", Direction: "higher_better", Aggregation: "sum", Frequency: "quarter", SortOrder: i}
		if err := db.CreateIndicator(ctx, sys.ID, inds[i]); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.PublishIndicatorSystem(ctx, sys.ID); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for y := 0; y < years; y++ {
		for _, u := range us[1:] {
			batch := make([]*models.IndicatorValue, 0, indicators*4)
			for _, ind := range inds {
				for q := 1; q <= 4; q++ {
					v := exact.MustParse(fmt.Sprintf("%d.%02d", (y*7+q*13)%500, q*7))
					batch = append(batch, &models.IndicatorValue{IndicatorID: ind.ID, SystemID: sys.ID, UnitID: u.ID,
						Period: fmt.Sprintf("%d-Q%d", 2021+y, q), Year: 2021 + y, Value: &v, Qualifier: "exact", Status: models.ValueApproved})
				}
			}
			if err := db.CreateValues(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Logf("loaded %d values in %s", units*indicators*4*years, time.Since(start).Round(time.Second))
	unit := us[50].ID

	b.Run("unit-year/store", func(b *testing.B) {
		for b.Loop() {
			n := 0
			page := paging.Page{Limit: 500, Sort: paging.Sort{Field: "id"}}
			for {
				vs, next, err := db.ListValues(ctx, models.ValueFilter{UnitID: unit, Year: 2023}, page)
				if err != nil {
					b.Fatal(err)
				}
				n += len(vs)
				if next == nil {
					break
				}
				page.After = next
			}
			if n != indicators*4 {
				b.Fatalf("%d values", n)
			}
		}
	})
	b.Run("unit-year/database-sql", func(b *testing.B) {
		stmt, err := db.SQL().PrepareContext(ctx, "SELECT id, indicator_id, period, value, status FROM indicator_values"+
			" WHERE unit_id = ? AND year = ? AND id > ? ORDER BY id LIMIT 501")
		if err != nil {
			b.Fatal(err)
		}
		defer stmt.Close()
		for b.Loop() {
			n, after := 0, ""
			for {
				rows, err := stmt.QueryContext(ctx, unit, 2023, after)
				if err != nil {
					b.Fatal(err)
				}
				got := 0
				for rows.Next() {
					var id, ind, period, value, status string
					if err := rows.Scan(&id, &ind, &period, &value, &status); err != nil {
						b.Fatal(err)
					}
					if got < 500 {
						n++
						after = id
					}
					got++
				}
				rows.Close()
				if got <= 500 {
					break
				}
			}
			if n != indicators*4 {
				b.Fatalf("%d values", n)
			}
		}
	})
	b.Run("tree/store", func(b *testing.B) {
		for b.Loop() {
			if _, got, err := db.IndicatorTree(ctx, sys.ID); err != nil || len(got) != indicators {
				b.Fatal(len(got), err)
			}
		}
	})
	b.Run("tree/database-sql", func(b *testing.B) {
		stmt, err := db.SQL().PrepareContext(ctx, "SELECT id, parent_id, code, name, level, points, value_type, direction,"+
			" aggregation, frequency, sort_order FROM indicators WHERE system_id = ? ORDER BY level, sort_order, code, id")
		if err != nil {
			b.Fatal(err)
		}
		defer stmt.Close()
		for b.Loop() {
			rows, err := stmt.QueryContext(ctx, sys.ID)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var id, code, name, points, vt, dir, agg, freq string
				var parent *string
				var level, order int
				if err := rows.Scan(&id, &parent, &code, &name, &level, &points, &vt, &dir, &agg, &freq, &order); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			if n != indicators {
				b.Fatalf("%d indicators", n)
			}
		}
	})
}

// BenchmarkSequence links the audit events of 5,000 new units (5,000
// events, each with its feed event) into the chain, as the sequencer does
// after an import: five transactions of 1,000 events, each read, hashed,
// numbered with their feed events, and the chain's head advanced.
func BenchmarkSequence(b *testing.B) {
	const units = 5000
	for _, dialect := range []string{store.SQLite, store.MySQL} {
		b.Run(dialect, func(b *testing.B) {
			db := dbtest.Open(b, dialect)
			ctx := b.Context()
			if err := db.Sequence(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var linking time.Duration
			for i := 0; i < b.N; i++ {
				us := benchCity(units - 1)
				b.StopTimer()
				if err := db.CreateUnits(ctx, us); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				began := time.Now()
				if err := db.Sequence(ctx); err != nil {
					b.Fatal(err)
				}
				linking += time.Since(began)
			}
			b.ReportMetric(float64(units*b.N)/linking.Seconds(), "events/s")
		})
	}
}

// benchCity is a new city (a code of its own) with n departments below it,
// the city first; nothing is written.
func benchCity(n int) []*models.Unit {
	p := areaCode()
	root := &models.Unit{ID: store.NewID(), Code: p, Name: "基准市", Kind: models.UnitCity, Level: 1}
	root.Path = models.UnitPath("", root.ID)
	us := []*models.Unit{root}
	for i := range n {
		u := &models.Unit{ID: store.NewID(), Code: fmt.Sprintf("%s-%04d", p, i), Name: fmt.Sprintf("单位%04d", i),
			Kind: models.UnitDepartment, ParentID: &root.ID, Level: 2}
		u.Path = models.UnitPath(root.Path, u.ID)
		us = append(us, u)
	}
	return us
}
