package store_test

import (
	"testing"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/store"
)

// A section rolls up every task below it, at any depth and whatever else
// is asked for with it: tasks numbered like its own but not below it (10
// beside 1), and tasks of another plan, are not its.
func TestTaskProgressFindsSubtasks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		s := newValueSetup(t, db, "year")
		task := map[string]*models.PlanTask{}
		for _, plan := range []string{"p", "q"} {
			p := models.NewPlan(store.NewID(), s.city.ID, 2022, "年度工作要点"+plan, models.PlanKeyPoints, models.UserActor(store.NewID()))
			if err := db.CreatePlan(ctx, p); err != nil {
				t.Fatal(err)
			}
			for _, number := range []string{"1", "1.1", "1.2", "1.2.1", "1.2.2", "10"} {
				tk := models.NewPlanTask(store.NewID(), p.ID)
				tk.Number, tk.Title = number, "任务"+number
				if err := db.CreatePlanTask(ctx, tk); err != nil {
					t.Fatal(err)
				}
				task[plan+number] = tk
			}
		}
		// Done in plan p: 1.1, 1.2.1 and 10; in plan q, everything.
		for key, tk := range task {
			if key == "p1.1" || key == "p1.2.1" || key == "p10" || key[0] == 'q' {
				tk.Status = models.TaskCompleted
				if err := store.GormOf(db.DB).Model(tk).Update("status", tk.Status).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		want := map[string]int{"p1": 75, "p1.2": 50, "p1.1": 100, "p1.2.2": 0, "p10": 100}
		for _, asked := range [][]string{{"p1"}, {"p1.2"}, {"p1", "p1.2"}, {"p1.2.2", "p1", "q1.1", "p10"},
			{"p1", "p1.1", "p1.2", "p1.2.1", "p1.2.2", "p10", "q1"}} {
			var tasks []*models.PlanTask
			for _, key := range asked {
				tasks = append(tasks, task[key])
			}
			got, err := db.TaskProgress(ctx, tasks)
			if err != nil {
				t.Fatal(err)
			}
			for _, key := range asked {
				w, ok := want[key]
				if !ok {
					w = 100 // plan q's, all done
				}
				if got[task[key].ID] != w {
					t.Errorf("asked for %v: %s at %d%%, want %d%%", asked, key, got[task[key].ID], w)
				}
			}
		}
	})
}
