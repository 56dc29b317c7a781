package demo_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/textsearch"
)

// TestDemoPlans holds the seeded plans to what the contract's examples say
// of them: the 2021 plan published with 8 tasks, one unfinished; the 2022
// plan published (version 2) with 6 tasks, 4 unfinished; the district's
// draft arrangement with copies of the 2022 plan's tasks 4 and 6; and the
// tasks the examples show, as they show them.
func TestDemoPlans(t *testing.T) {
	report := textsearch.Fold(seedReport(t))
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		if _, err := demo.Seed(ctx, db, demo.Options{}); err != nil {
			t.Fatal(err)
		}
		instant := func(s string) time.Time {
			at, err := time.Parse(time.RFC3339, s)
			if err != nil {
				t.Fatal(err)
			}
			return at
		}
		for _, want := range []struct {
			id, unit, title string
			year            int
			kind            models.PlanKind
			status          models.PlanStatus
			version         int64
			created         string
			published       string
			count           models.PlanCount
		}{
			{demo.Plan2021, demo.RuleOfLawOffice, "盘锦市2021年法治政府建设工作要点", 2021, models.PlanKeyPoints, models.PlanPublished, 2,
				"2021-02-20T01:00:00Z", "2021-03-01T01:00:00Z", models.PlanCount{Tasks: 8, Unfinished: 1}},
			{demo.Plan2022, demo.RuleOfLawOffice, "盘锦市2022年法治政府建设工作要点", 2022, models.PlanKeyPoints, models.PlanPublished, 2,
				"2022-02-10T01:00:00Z", "2022-02-25T01:00:00Z", models.PlanCount{Tasks: 6, Unfinished: 4}},
			{demo.DraftPlan, demo.Xinglongtai, "兴隆台区2022年法治政府建设工作安排", 2022, models.PlanArrangement, models.PlanDraft, 1,
				"2022-03-01T01:00:00Z", "", models.PlanCount{Tasks: 2, Unfinished: 2}},
		} {
			p, err := db.GetPlan(ctx, want.id)
			if err != nil {
				t.Errorf("plan %s: %v", want.title, err)
				continue
			}
			updated := instant(want.created)
			if want.published != "" {
				updated = instant(want.published)
			}
			if p.UnitID != want.unit || p.Title != want.title || p.Year != want.year || p.Kind != want.kind || p.Status != want.status ||
				p.Version != want.version || !p.SampleData || !p.CreatedAt.Equal(instant(want.created)) || !p.UpdatedAt.Equal(updated) ||
				(want.published != "") != (p.PublishedAt != nil && p.PublishedAt.Equal(instant(want.published))) || p.ClosedAt != nil {
				t.Errorf("plan %s: %+v", want.title, p)
			}
			counts, err := db.PlanCounts(ctx, []string{want.id})
			if err != nil {
				t.Fatal(err)
			}
			if counts[want.id] != want.count {
				t.Errorf("plan %s: %+v tasks, want %+v", want.title, counts[want.id], want.count)
			}
		}
		for id, number := range map[string]string{demo.Plan2021: "盘法治办发〔2021〕1号", demo.Plan2022: "盘法治办发〔2022〕1号"} {
			if p, err := db.GetPlan(ctx, id); err != nil || p.DocumentNumber == nil || *p.DocumentNumber != number {
				t.Errorf("plan %s: document number %v (%v), want %s", id, p.DocumentNumber, err, number)
			}
		}
		if p, err := db.GetPlan(ctx, demo.DraftPlan); err != nil || p.DocumentNumber != nil || p.ParentPlanID == nil || *p.ParentPlanID != demo.Plan2022 {
			t.Errorf("the draft plan: %+v (%v), want no document number and Plan2022 as its parent", p, err)
		}

		tasks := func(planID string) []models.PlanTask {
			ts, _, err := db.ListPlanTasks(ctx, models.TaskFilter{PlanID: planID}, paging.Page{Limit: paging.MaxLimit, Sort: paging.Sort{Field: "number"}})
			if err != nil {
				t.Fatal(err)
			}
			return ts
		}
		// 2021: tasks 1 to 7 completed in 2021, task 8 the one in progress;
		// their figures are the seed report's.
		figures := regexp.MustCompile(`[0-9]+(\.[0-9]+)?`)
		for i, task := range tasks(demo.Plan2021) {
			if task.ID != demo.ID(0x13101+i) || task.Number != string(rune('1'+i)) {
				t.Errorf("2021 task %d: id %s, number %s", i+1, task.ID, task.Number)
			}
			if task.Ongoing == (task.Deadline != nil) || (task.Deadline != nil && !strings.HasPrefix(*task.Deadline, "2021-")) || len(task.LeadUnitIDs) != 1 {
				t.Errorf("2021 task %s: deadline %v, ongoing %v, lead %v", task.Number, task.Deadline, task.Ongoing, task.LeadUnitIDs)
			}
			for _, f := range figures.FindAllString(task.Content, -1) {
				if !strings.Contains(report, f) {
					t.Errorf("2021 task %s: the figure %s is not the seed report's", task.Number, f)
				}
			}
			if i < 7 {
				if task.Status != models.TaskCompleted || task.CompletedAt == nil || task.CompletedAt.Year() != 2021 ||
					task.CompletedBy == nil || *task.CompletedBy != string(models.UserActor(demo.AdminUser)) || task.Version != 3 {
					t.Errorf("2021 task %s: %s, completed %v by %v, version %d", task.Number, task.Status, task.CompletedAt, task.CompletedBy, task.Version)
				}
				continue
			}
			if task.Title != "推进法治乡村建设" || task.Status != models.TaskInProgress || task.Supervised ||
				!slices.Equal(task.LeadUnitIDs, []string{demo.JusticeBureau}) || len(task.CooperatingUnitIDs)+len(task.IndicatorIDs)+len(task.ChecklistIDs) != 0 {
				t.Errorf("2021 task 8: %+v", task)
			}
		}

		// 2022: the six tasks of the report's plan for 2022.
		t2022 := tasks(demo.Plan2022)
		want2022 := []struct {
			status  models.TaskStatus
			version int64
		}{{models.TaskCompleted, 3}, {models.TaskCompleted, 3}, {models.TaskInProgress, 2}, {models.TaskInProgress, 2},
			{models.TaskNotStarted, 1}, {models.TaskNotStarted, 1}}
		if len(t2022) != len(want2022) {
			t.Fatalf("%d tasks of 2022, want %d", len(t2022), len(want2022))
		}
		for i, w := range want2022 {
			if task := t2022[i]; task.ID != demo.ID(0x13201+i) || task.Status != w.status || task.Version != w.version ||
				!task.CreatedAt.Equal(instant("2022-02-10T01:00:00Z")) {
				t.Errorf("2022 task %d: id %s, %s, version %d, created %v; want %s, version %d", i+1, task.ID, task.Status, task.Version, task.CreatedAt, w.status, w.version)
			}
		}
		if task := t2022[2]; task.Title != "持续优化法治化营商环境" || task.Content != "对标省营商环境评价指标体系，开展法治化营商环境评价。" ||
			task.Deadline == nil || *task.Deadline != "2022-10-31" || !task.Supervised || !slices.Equal(task.LeadUnitIDs, []string{demo.ID(0x31)}) ||
			!slices.Equal(task.CooperatingUnitIDs, []string{demo.ID(0x21)}) || !task.UpdatedAt.Equal(instant("2022-04-01T01:00:00Z")) {
			t.Errorf("2022 task 3: %+v", task)
		}
		if task := t2022[3]; task.Deadline == nil || *task.Deadline != "2022-06-30" || !slices.Equal(task.ChecklistIDs, []string{demo.FlexibleList}) {
			t.Errorf("2022 task 4: %+v", task)
		}
		if task := t2022[4]; task.Title != "加强法治工作队伍建设" || task.Content != "加强法治专门队伍和法律服务队伍建设，开展行政执法人员培训。" ||
			task.Deadline == nil || *task.Deadline != "2022-12-31" || task.Supervised || !slices.Equal(task.LeadUnitIDs, []string{demo.JusticeBureau}) ||
			!slices.Equal(task.CooperatingUnitIDs, []string{demo.ID(0x2c)}) {
			t.Errorf("2022 task 5: %+v", task)
		}
		if task := t2022[5]; task.Deadline == nil || *task.Deadline != "2022-11-30" || !slices.Equal(task.LeadUnitIDs, []string{demo.RuleOfLawOffice}) ||
			!slices.Equal(task.ChecklistIDs, []string{demo.SelfInspectionList}) {
			t.Errorf("2022 task 6: %+v", task)
		}

		// The draft: copies of tasks 4 and 6, not started.
		draft := tasks(demo.DraftPlan)
		if len(draft) != 2 {
			t.Fatalf("%d tasks of the draft plan, want 2", len(draft))
		}
		for i, src := range []models.PlanTask{t2022[3], t2022[5]} {
			c := draft[i]
			if c.ID != demo.ID(0x13301+i) || c.SourceTaskID == nil || *c.SourceTaskID != src.ID || c.Number != src.Number ||
				c.Title != src.Title || c.Content != src.Content || deref(c.Deadline) != deref(src.Deadline) || c.Status != models.TaskNotStarted ||
				!slices.Equal(c.LeadUnitIDs, src.LeadUnitIDs) || !slices.Equal(c.CooperatingUnitIDs, src.CooperatingUnitIDs) ||
				!slices.Equal(c.ChecklistIDs, src.ChecklistIDs) || !slices.Equal(c.IndicatorIDs, src.IndicatorIDs) {
				t.Errorf("draft task %d: %+v, a copy of %+v", i+1, c, src)
			}
		}
	})
}
