package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/store"
)

// TestTaskFilter: the baseline digests the filters fazhi digests.
func TestTaskFilter(t *testing.T) {
	for _, f := range []models.TaskFilter{
		{Today: "2026-12-07", ReleasedEverywhere: true},
		{PlanID: newID(), Today: "2026-01-01", ReleasedEverywhere: true},
		{PlanID: newID(), Today: "2026-01-01", UnitPath: "/a/b/", ReleasedEverywhere: true},
	} {
		if got, want := taskFilter(f.PlanID, f.UnitPath), f.Key(); got != want {
			t.Errorf("taskFilter = %q, fazhi digests %q", got, want)
		}
	}
}

// planWorld is what seedPlans writes.
type planWorld struct {
	published string // the city's, 64 tasks
	draft     string // the other city's, 3 tasks
}

// seedPlans writes the city's plan of this year, published: 4 sections
// and 60 tasks under them, due two by two from 18 days ago to 11 days
// ahead (so that some are overdue, and pairs of them share a due day,
// which the keyset seek breaks by id), every 9th ongoing; led by the
// district, its town or both, with cooperating units and indicators; some
// completed (by a user who exists, and by one who does not), started,
// cancelled, or with accepted reports. And a draft plan of the other city.
func seedPlans(t *testing.T, db *dbtest.DB, w *world) planWorld {
	ctx := t.Context()
	var admin string
	var indicators []string
	if err := db.SQL().QueryRow("SELECT id FROM users WHERE username = 'admin'").Scan(&admin); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL().Query("SELECT id FROM indicators ORDER BY id LIMIT 3")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		indicators = append(indicators, id)
	}
	rows.Close()
	by, stranger := models.UserActor(admin), models.UserActor(store.NewID())
	today, _ := time.Parse(time.DateOnly, store.Now().In(models.ChinaTime).Format(time.DateOnly))

	plan := func(unit, title string, sections, tasks int) (*models.Plan, []*models.PlanTask) {
		p := models.NewPlan(store.NewID(), unit, today.Year(), title, models.PlanKeyPoints, by)
		if err := db.CreatePlan(ctx, p); err != nil {
			t.Fatal(err)
		}
		var out []*models.PlanTask
		for i := range sections + tasks {
			pt := models.NewPlanTask(store.NewID(), p.ID)
			pt.Number, pt.Title = fmt.Sprint(i+1), fmt.Sprintf("第%d部分<“重点”>&任务", i+1)
			if i >= sections {
				pt.Number = fmt.Sprintf("%d.%d", i%sections+1, i/sections)
				pt.Title, pt.Content = fmt.Sprintf("推进第%d项工作", i), "按季度报送进展。\n年底前总结。"
				pt.Supervised = i%3 == 0
				if i%9 == 0 {
					pt.Ongoing = true
				} else {
					pt.Deadline = new(today.AddDate(0, 0, i/2-20).Format(time.DateOnly))
				}
				pt.LeadUnitIDs = [][]string{{w.district}, {w.town}, {w.district, w.town}}[i%3]
				pt.CooperatingUnitIDs = [][]string{{w.town, w.root}, {w.district}, {}}[i%3]
				pt.IndicatorIDs = indicators[:i%4]
			}
			if err := db.CreatePlanTask(ctx, pt); err != nil {
				t.Fatal(err)
			}
			out = append(out, pt)
		}
		return p, out
	}

	p, tasks := plan(w.root, "基准市年度法治政府建设工作要点", 4, 60)
	if _, err := db.PublishPlan(ctx, p.ID, nil, by); err != nil {
		t.Fatal(err)
	}
	for i, pt := range tasks[4:] {
		var apply func(t *models.PlanTask, at time.Time) error
		switch i % 6 {
		case 0:
			apply = func(t *models.PlanTask, at time.Time) error { return t.Complete(by, at) }
		case 1:
			apply = func(t *models.PlanTask, at time.Time) error { return t.Complete(stranger, at) }
		case 2:
			apply = func(t *models.PlanTask, _ time.Time) error { return t.Start() }
		case 3:
			if i%4 == 3 {
				apply = func(t *models.PlanTask, _ time.Time) error { return t.Cancel("职能调整<并入>其他任务") }
			}
		case 4:
			// Reports of two periods of the lead unit, the later one counting.
			for q, percent := range []int{30, 45 + i%50} {
				r := models.NewProgressReport(store.NewID(), pt.ID, pt.LeadUnitIDs[0], fmt.Sprintf("%d-Q%d", today.Year(), q+1), by)
				r.Content, r.Percent = "已完成阶段性工作。", percent
				if err := db.CreateProgressReport(ctx, r); err != nil {
					t.Fatal(err)
				}
				if _, err := db.SubmitProgressReport(ctx, r.ID, by); err != nil {
					t.Fatal(err)
				}
				_, err := db.ReviewProgressReport(ctx, r.ID, func(r *models.ProgressReport, at time.Time) error { return r.Accept(stranger, at) })
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		if apply != nil {
			if _, err := db.MovePlanTask(ctx, pt.ID, apply); err != nil {
				t.Fatal(err)
			}
		}
	}
	draft, _ := plan(w.other, "别的市年度工作安排（草稿）", 1, 2)
	return planWorld{published: p.ID, draft: draft.ID}
}

func testListPlanTasks(t *testing.T, s servers, db *dbtest.DB, w *world) {
	// Overdue is of China's day: both servers' answers of a page must fall
	// on the same one. (Truncate would cut at UTC's midnight.)
	y, m, d := time.Now().In(models.ChinaTime).Date()
	midnight := time.Date(y, m, d+1, 0, 0, 0, 0, models.ChinaTime)
	if d := time.Until(midnight); d < time.Minute {
		time.Sleep(d + time.Second)
	}
	pw := seedPlans(t, db, w)
	admin, viewer, outsider := w.tokens["admin"], w.tokens["viewer"], w.tokens["outsider"]
	q := "/api/v1/plan-tasks?planId=" + pw.published
	for _, token := range []string{admin, viewer, outsider} {
		if got := s.pages(t, q+"&limit=7", token); fmt.Sprint(got) != "[7 7 7 7 7 7 7 7 7 1]" {
			t.Errorf("pages of %v tasks, want nine of 7 and one", got)
		}
	}
	// Every plan's tasks: the other city's draft is its own and the administrator's.
	for token, want := range map[string]string{admin: "[50 17]", viewer: "[50 14]", outsider: "[50 17]"} {
		if got := s.pages(t, "/api/v1/plan-tasks?limit=50", token); fmt.Sprint(got) != want {
			t.Errorf("pages of %v tasks, want %s", got, want)
		}
	}
	s.same(t, call{target: q, token: admin}, 200)
	s.same(t, call{target: q + "&sort=deadline&limit=500", token: viewer}, 200)
	s.same(t, call{target: "/api/v1/plan-tasks?planId=" + pw.draft, token: viewer}, 200) // none
	s.same(t, call{target: q, token: w.tokens["mustChange"]}, 403)

	first := s.same(t, call{target: q + "&limit=7", token: admin}, 200)
	cursor, _ := nextCursor(t, first.Body.Bytes())
	s.same(t, call{target: q + "&limit=7&cursor=" + cursor, token: admin}, 200)
	// A cursor is good for its filters only: the plan, and the caller's subtree.
	s.sameStatus(t, call{target: "/api/v1/plan-tasks?limit=7&cursor=" + cursor, token: admin}, 400)
	s.sameStatus(t, call{target: q + "&limit=7&cursor=" + cursor, token: viewer}, 400)
	s.sameStatus(t, call{target: q + "&cursor=bm9wZQ", token: admin}, 400)
	s.sameStatus(t, call{target: "/api/v1/plan-tasks?planId=nope", token: admin}, 400)
	s.sameStatus(t, call{target: q + "&limit=0", token: admin}, 400)
	if got := send(s.baseline, call{target: q + "&overdue=true", token: admin}, "x"); got.Code != http.StatusBadRequest {
		t.Errorf("overdue=true: the baseline answered %d; it does not mirror that filter", got.Code)
	}
}
