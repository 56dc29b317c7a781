package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

// BenchmarkEvaluation scores one system-year for 100 units × 300 indicators
// in 10 areas (30,000 approved values, each indicator scored linearly
// against a target)
// through the whole HTTP stack: the draft ranking (read, score and rank every
// unit, answer one page of 100) and one unit's scorecard (the same work, and
// 300 explained scores in JSON), next to reading the same values with plain
// database/sql in the same run. Run it with TEST_MYSQL_DSN set:
//
//	go test -run x -bench Evaluation -benchtime 50x ./server/
func BenchmarkEvaluation(b *testing.B) {
	const units, indicators, areas = 100, 300, 10
	for _, dialect := range []string{store.MySQL, store.SQLite} {
		b.Run(dialect, func(b *testing.B) {
			db := dbtest.Open(b, dialect)
			ctx := b.Context()
			us := benchUnits(b, db, units)
			root := us[0]
			var unitIDs []string
			for _, u := range us[1:] {
				unitIDs = append(unitIDs, u.ID)
			}
			sys := &models.IndicatorSystem{Name: "考核基准体系 " + root.Code, IssuingUnitID: root.ID, Edition: "2021年版", YearFrom: 2021,
				YearTo: 2021, TotalPoints: exact.FromInt(indicators),
				GradeBands: []models.GradeBand{{Grade: "优秀", Min: exact.FromInt(270)}, {Grade: "合格", Min: exact.FromInt(180)}}}
			if err := db.CreateIndicatorSystem(ctx, sys); err != nil {
				b.Fatal(err)
			}
			// Ten areas of thirty indicators, as real systems group theirs.
			var inds []*models.Indicator
			for a := range areas {
				area := &models.Indicator{Code: fmt.Sprint(a + 1), Name: fmt.Sprintf("领域%d", a+1), Points: exact.FromInt(indicators / areas),
					ValueType: "evidence_only", Direction: "target", Aggregation: "none", Frequency: "year", SortOrder: a}
				if err := db.CreateIndicator(ctx, sys.ID, area); err != nil {
					b.Fatal(err)
				}
				for i := range indicators / areas {
					ind := &models.Indicator{ParentID: &area.ID, Code: fmt.Sprintf("%d.%d", a+1, i+1), Name: fmt.Sprintf("指标%d.%d", a+1, i+1),
						Points: exact.FromInt(1), MeasureUnit: ptrTo("%"), ValueType: "percent", Direction: "higher_better",
						Aggregation: "average", Frequency: "year", SortOrder: i, Scoring: &models.Scoring{Method: models.ScoreLinear}}
					if err := db.CreateIndicator(ctx, sys.ID, ind); err != nil {
						b.Fatal(err)
					}
					if err := db.CreateTarget(ctx, &models.Target{IndicatorID: ind.ID, Year: 2021, Comparator: models.AtLeast,
						Value: exact.FromInt(90)}); err != nil {
						b.Fatal(err)
					}
					inds = append(inds, ind)
				}
			}
			if _, err := db.PublishIndicatorSystem(ctx, sys.ID); err != nil {
				b.Fatal(err)
			}
			for ui, u := range us[1:] {
				batch := make([]*models.IndicatorValue, 0, indicators)
				for ii, ind := range inds {
					v := exact.MustParse(fmt.Sprintf("%d.%d", 60+(ui*7+ii*13)%40, (ui+ii)%10))
					batch = append(batch, &models.IndicatorValue{IndicatorID: ind.ID, SystemID: sys.ID, UnitID: u.ID,
						Period: "2021", Year: 2021, Value: &v, Qualifier: "exact", Status: models.ValueApproved})
				}
				if err := db.CreateValues(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			ev := &models.Evaluation{SystemID: sys.ID, Year: 2021, UnitIDs: unitIDs}
			if err := db.CreateEvaluation(ctx, ev); err != nil {
				b.Fatal(err)
			}
			e, err := server.New(server.Config{AttachmentDir: b.TempDir()}, db, discardLogger())
			if err != nil {
				b.Fatal(err)
			}
			auth := "Bearer " + fixturesFor(b, db).tokens["admin"]
			get := func(b *testing.B, path string) {
				b.ReportAllocs()
				for b.Loop() {
					rec := httptest.NewRecorder()
					req := httptest.NewRequest(http.MethodGet, path, nil)
					req.Header.Set("Authorization", auth)
					e.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d: %.300s", rec.Code, rec.Body)
					}
				}
			}
			b.Run("http-ranking", func(b *testing.B) { get(b, "/api/v1/evaluations/"+ev.ID+"/ranking?limit=100") })
			b.Run("http-scorecard", func(b *testing.B) { get(b, "/api/v1/evaluations/"+ev.ID+"/units/"+unitIDs[42]) })
			b.Run("database-sql", func(b *testing.B) {
				b.ReportAllocs()
				q := "SELECT id, indicator_id, unit_id, period, value, review_score, status, version FROM indicator_values" +
					" WHERE system_id = ? AND year = ? AND period IN (?, ?, ?, ?) AND status IN (?, ?)"
				stmt, err := db.SQL().PrepareContext(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				defer stmt.Close()
				for b.Loop() {
					rows, err := stmt.QueryContext(ctx, sys.ID, 2021, "2021", "2021-H2", "2021-Q4", "2021-12", "approved", "locked")
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for rows.Next() {
						var v models.IndicatorValue
						if err := rows.Scan(&v.ID, &v.IndicatorID, &v.UnitID, &v.Period, &v.Value, &v.ReviewScore, &v.Status, &v.Version); err != nil {
							b.Fatal(err)
						}
						n++
					}
					if err := rows.Close(); err != nil || n != units*indicators {
						b.Fatalf("%d rows, %v", n, err)
					}
				}
			})
		})
	}
}
