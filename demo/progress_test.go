package demo_test

import (
	"strings"
	"testing"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/textsearch"
)

// TestDemoProblemsAndProgress holds the seeded problems to the seed report's
// part two, word for word, and the progress on the 2022 plan to what the
// contract's examples show: reports accepted, submitted and in draft, and
// the tasks' progress rolled up from the accepted ones.
func TestDemoProblemsAndProgress(t *testing.T) {
	report := textsearch.Fold(seedReport(t))
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		if _, err := demo.Seed(ctx, db, demo.Options{}); err != nil {
			t.Fatal(err)
		}
		problems, _, err := db.ListProblems(ctx, models.ProblemFilter{UnitID: demo.RuleOfLawOffice, Year: 2021}, paging.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(problems) != 4 {
			t.Fatalf("the city has %d problems of 2021, want the seed's 4", len(problems))
		}
		status := map[models.ProblemStatus]int{}
		for _, p := range problems {
			for _, text := range []string{p.Title, p.Detail} {
				if !strings.Contains(report, textsearch.Fold(text)) {
					t.Errorf("problem %q: %q is not the seed report's", p.Title, text)
				}
			}
			if p.Source != models.SourceAnnualReview || !p.SampleData {
				t.Errorf("problem %q: source %s, sample %v", p.Title, p.Source, p.SampleData)
			}
			if p.Status == models.ProblemRectifying {
				_, plan, err := db.GetPlanTask(ctx, *p.RectificationTaskID)
				if err != nil || plan.ID != demo.Plan2022 || p.Measures == "" {
					t.Errorf("problem %q is rectified by %v of another plan (%v)", p.Title, p.RectificationTaskID, err)
				}
			}
			status[p.Status]++
		}
		if status[models.ProblemOpen] != 1 || status[models.ProblemRectifying] != 3 {
			t.Errorf("problems by status %v, want 1 open and 3 rectifying", status)
		}

		reports, _, err := db.ListProgressReports(ctx, models.ProgressFilter{PlanID: demo.Plan2022}, paging.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		byStatus := map[models.ProgressStatus][]string{}
		for _, r := range reports {
			byStatus[r.Status] = append(byStatus[r.Status], r.ID)
		}
		if len(byStatus[models.ProgressAccepted]) != 2 || len(byStatus[models.ProgressSubmitted]) != 1 || len(byStatus[models.ProgressDraft]) != 1 {
			t.Errorf("reports by status %v", byStatus)
		}
		tasks, _, err := db.ListPlanTasks(ctx, models.TaskFilter{PlanID: demo.Plan2022}, paging.Page{Limit: 500, Sort: paging.Sort{Field: "number"}})
		if err != nil {
			t.Fatal(err)
		}
		page := make([]*models.PlanTask, len(tasks))
		for i := range tasks {
			page[i] = &tasks[i]
		}
		progress, err := db.TaskProgress(ctx, page)
		if err != nil {
			t.Fatal(err)
		}
		for id, want := range map[string]int{
			demo.ID(0x13201): 100, // completed
			demo.ID(0x13203): 20,  // the lead's 40%, the cooperating unit's nothing yet
			demo.ID(0x13204): 30,  // the lead's 60%, the cooperating unit's draft not counted
			demo.ID(0x13205): 0,   // its report is with the office
		} {
			if progress[id] != want {
				t.Errorf("task %s is at %d%%, want %d%%", id, progress[id], want)
			}
		}
	})
}
