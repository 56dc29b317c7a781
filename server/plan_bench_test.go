package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

// BenchmarkPlanTasks reads one page of 50 tasks of a published plan of 500
// (100 sections of 4 tasks, each task with a lead and a cooperating unit
// and an accepted report of each) through the whole HTTP stack, whose
// answer carries each task's progress rolled up from the accepted reports,
// next to the page's own query through plain database/sql in the same run:
// the ratio is the cost of the links, the roll-up and everything above the
// SQL.
func BenchmarkPlanTasks(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.MySQL} {
		b.Run(dialect, func(b *testing.B) {
			db := dbtest.Open(b, dialect)
			fx := fixturesFor(b, db)
			planID := benchPlan(b, db, fx)
			e, err := server.New(server.Config{AttachmentDir: b.TempDir()}, db, discardLogger())
			if err != nil {
				b.Fatal(err)
			}
			path := "/api/v1/plan-tasks?limit=50&sort=number&planId=" + planID
			auth := "Bearer " + fx.tokens["admin"]
			b.Run("http", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rec := httptest.NewRecorder()
					req := httptest.NewRequest(http.MethodGet, path, nil)
					req.Header.Set("Authorization", auth)
					e.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
					}
				}
			})
			b.Run("database-sql", func(b *testing.B) {
				b.ReportAllocs()
				stmt, err := db.SQL().PrepareContext(b.Context(), "SELECT id, plan_id, number, title, content, deadline, ongoing, supervised,"+
					" status, due, tree_key, version, created_at, updated_at FROM plan_tasks WHERE plan_id = ? ORDER BY tree_key, id LIMIT 51")
				if err != nil {
					b.Fatal(err)
				}
				defer stmt.Close()
				for b.Loop() {
					rows, err := stmt.QueryContext(b.Context(), planID)
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for rows.Next() {
						var t models.PlanTask
						if err := rows.Scan(&t.ID, &t.PlanID, &t.Number, &t.Title, &t.Content, &t.Deadline, &t.Ongoing, &t.Supervised,
							&t.Status, &t.DueOn, &t.TreeKey, &t.Version, &t.CreatedAt, &t.UpdatedAt); err != nil {
							b.Fatal(err)
						}
						n++
					}
					if err := rows.Close(); err != nil || n != 51 {
						b.Fatalf("%d rows, %v", n, err)
					}
				}
			})
		})
	}
}

// benchPlan writes the benchmark's published plan with its tasks and
// accepted reports, and returns its id.
func benchPlan(b *testing.B, db *dbtest.DB, fx *fixtures) string {
	b.Helper()
	ctx := b.Context()
	admin, reporter := models.UserActor(fx.users["admin"].ID), models.UserActor(fx.users["reporter"].ID)
	p := models.NewPlan("", fx.city, 2022, "基准工作要点 "+tag(), models.PlanKeyPoints, admin)
	if err := db.CreatePlan(ctx, p); err != nil {
		b.Fatal(err)
	}
	var tasks []*models.PlanTask
	for s := 1; s <= 100; s++ {
		section := models.NewPlanTask("", p.ID)
		section.Number, section.Title = fmt.Sprint(s), fmt.Sprintf("第%d部分", s)
		if err := db.CreatePlanTask(ctx, section); err != nil {
			b.Fatal(err)
		}
		for n := 1; n <= 4; n++ {
			t := models.NewPlanTask("", p.ID)
			t.Number, t.Title, t.Deadline = fmt.Sprintf("%d.%d", s, n), "基准任务", ptrTo("2022-12-31")
			t.LeadUnitIDs, t.CooperatingUnitIDs = []string{fx.town}, []string{fx.district}
			if err := db.CreatePlanTask(ctx, t); err != nil {
				b.Fatal(err)
			}
			tasks = append(tasks, t)
		}
	}
	if _, err := db.PublishPlan(ctx, p.ID, nil, admin); err != nil {
		b.Fatal(err)
	}
	for i, t := range tasks {
		for _, unit := range []string{fx.town, fx.district} {
			r := models.NewProgressReport("", t.ID, unit, "2022-Q2", reporter)
			r.Content, r.Percent = "基准进展", 10+i%90
			if err := db.CreateProgressReport(ctx, r); err != nil {
				b.Fatal(err)
			}
			if _, err := db.SubmitProgressReport(ctx, r.ID, reporter); err != nil {
				b.Fatal(err)
			}
			if _, err := db.ReviewProgressReport(ctx, r.ID, func(r *models.ProgressReport, at time.Time) error { return r.Accept(admin, at) }); err != nil {
				b.Fatal(err)
			}
		}
	}
	return p.ID
}
