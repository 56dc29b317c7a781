package server_test

// Yearly work plans through HTTP: a plan written, its tasks nested and
// linked, published, worked on by its lead units, adjusted, broken down
// into a plan of the level below and closed with its unfinished tasks
// carried over; unit task lists, overdue and due-soon tasks on China's
// working-day calendar; who sees and does what.

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
)

const plansPath = "/api/v1/plans"

func planPath(id string, rest ...string) string {
	return strings.Join(append([]string{plansPath, id}, rest...), "/")
}

func taskPath(id string, rest ...string) string {
	return strings.Join(append([]string{"/api/v1/plan-tasks", id}, rest...), "/")
}

// newPlan writes a plan as who (nil: the administrator).
func (h *harness) newPlan(t *testing.T, who map[string]string, unitID string, year int) api.Plan {
	t.Helper()
	resp := h.Post(plansPath, map[string]any{"unitId": unitID, "year": year, "title": "测试工作要点 " + tag(), "kind": "key_points"}, who)
	expect(t, resp, http.StatusCreated, "")
	var p api.Plan
	resp.JSON(t, &p)
	etagIs(t, resp, p.Version)
	return p
}

// newTask adds a task to a plan as the administrator.
func (h *harness) newTask(t *testing.T, planID string, body map[string]any) api.PlanTask {
	t.Helper()
	resp := h.Post(planPath(planID, "tasks"), body, nil)
	expect(t, resp, http.StatusCreated, "")
	var task api.PlanTask
	resp.JSON(t, &task)
	if got, want := resp.Header.Get("Location"), taskPath(task.Id.String()); got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	return task
}

func taskBody(number, title string, extra map[string]any) map[string]any {
	b := map[string]any{"number": number, "title": title}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func (h *harness) getPlan(t *testing.T, id string) api.Plan {
	t.Helper()
	resp := h.Get(planPath(id), nil)
	expect(t, resp, http.StatusOK, "")
	var p api.Plan
	resp.JSON(t, &p)
	return p
}

func (h *harness) planAct(t *testing.T, id, action string, body any, who map[string]string, status int, code string) api.Plan {
	t.Helper()
	resp := h.Post(planPath(id, action), body, who)
	expect(t, resp, status, code)
	var p api.Plan
	if status == http.StatusOK && action != "close" {
		resp.JSON(t, &p)
	}
	return p
}

func (h *harness) taskAct(t *testing.T, id, action string, body any, who map[string]string, status int, code string) api.PlanTask {
	t.Helper()
	resp := h.Post(taskPath(id, action), body, who)
	expect(t, resp, status, code)
	var task api.PlanTask
	if status == http.StatusOK {
		resp.JSON(t, &task)
	}
	return task
}

// tasks lists every task matching query as who, page by page.
func (h *harness) tasks(t *testing.T, query url.Values, who map[string]string) []api.PlanTask {
	t.Helper()
	var out []api.PlanTask
	query.Set("limit", "2")
	for {
		resp := h.Get("/api/v1/plan-tasks?"+query.Encode(), who)
		expect(t, resp, http.StatusOK, "")
		var page api.PlanTaskPage
		resp.JSON(t, &page)
		out = append(out, page.Items...)
		if page.NextCursor == nil {
			return out
		}
		query.Set("cursor", *page.NextCursor)
	}
}

func numbers(tasks []api.PlanTask) []string {
	out := make([]string, len(tasks))
	for i, t := range tasks {
		out[i] = t.Number
	}
	return out
}

func TestPlanLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		fx := h.fx
		reviewer, reporter, key := h.as("reviewer"), h.as("reporter"), h.as("key:read")
		plan := h.newPlan(t, reviewer, fx.district, 2022)
		if plan.Status != "draft" || plan.TaskCount != 0 || plan.UnitId.String() != fx.district {
			t.Fatalf("new plan %+v", plan)
		}
		id := plan.Id.String()

		t.Run("create refusals", func(t *testing.T) {
			body := map[string]any{"unitId": fx.city, "year": 2022, "title": "市级计划", "kind": "key_points"}
			expect(t, h.Post(plansPath, body, reviewer), http.StatusForbidden, "outside_subtree")
			body["unitId"] = absentID
			expect(t, h.Post(plansPath, body, nil), http.StatusUnprocessableEntity, "plan_invalid")
			body["unitId"], body["year"] = fx.city, 1999
			expect(t, h.Post(plansPath, body, nil), http.StatusBadRequest, "invalid_request")
			expect(t, h.Post(plansPath, body, reporter), http.StatusForbidden, "forbidden")
		})

		var one, oneTwo, two api.PlanTask
		t.Run("tasks", func(t *testing.T) {
			one = h.newTask(t, id, taskBody("1", "加强组织领导", nil))
			oneTwo = h.newTask(t, id, taskBody("1.2", "落实第一责任人职责", map[string]any{"deadline": "2022-06-30", "leadUnitIds": []string{fx.town},
				"cooperatingUnitIds": []string{fx.district}, "checklistIds": []string{fx.checklist}, "indicatorIds": []string{fx.publishedIndicator}}))
			two = h.newTask(t, id, taskBody("10", "长期坚持的任务", map[string]any{"ongoing": true, "supervised": true, "leadUnitIds": []string{fx.district}}))
			if oneTwo.Status != "not_started" || oneTwo.Deadline.String() != "2022-06-30" || oneTwo.LeadUnitIds[0].String() != fx.town ||
				len(oneTwo.ChecklistIds) != 1 || len(oneTwo.IndicatorIds) != 1 || !two.Ongoing || two.Deadline != nil || !two.Supervised {
				t.Errorf("tasks %+v %+v", oneTwo, two)
			}
			for _, c := range []struct {
				name string
				body map[string]any
				code string
			}{
				{"number taken", taskBody("1.2", "重复", nil), "task_number_taken"},
				{"parent missing", taskBody("3.1", "无上级", nil), "task_invalid"},
				{"deadline and ongoing", taskBody("3", "两者", map[string]any{"deadline": "2022-10-31", "ongoing": true}), "task_invalid"},
				{"unknown unit", taskBody("3", "无此单位", map[string]any{"leadUnitIds": []string{absentID}}), "task_invalid"},
				{"lead and cooperating", taskBody("3", "重复单位", map[string]any{"leadUnitIds": []string{fx.town}, "cooperatingUnitIds": []string{fx.town}}), "task_invalid"},
				{"draft checklist", taskBody("3", "草稿清单", map[string]any{"checklistIds": []string{fx.draftChecklist}}), "task_invalid"},
				{"draft system's indicator", taskBody("3", "草稿指标", map[string]any{"indicatorIds": []string{fx.indicator}}), "task_invalid"},
			} {
				status := http.StatusUnprocessableEntity
				if c.code == "task_number_taken" {
					status = http.StatusConflict
				}
				expect(t, h.Post(planPath(id, "tasks"), c.body, nil), status, c.code)
			}
			got := h.tasks(t, url.Values{"planId": {id}, "sort": {"number"}}, nil)
			if !slices.Equal(numbers(got), []string{"1", "1.2", "10"}) {
				t.Errorf("tasks in number order: %v", numbers(got))
			}
			if p := h.getPlan(t, id); p.TaskCount != 3 || p.UnfinishedCount != 3 {
				t.Errorf("counts %d %d", p.TaskCount, p.UnfinishedCount)
			}
		})

		t.Run("draft", func(t *testing.T) {
			expect(t, h.Patch(planPath(id), map[string]any{"documentNumber": "兴法治办发〔2022〕1号"}, nil), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Patch(planPath(id), map[string]any{"documentNumber": "兴法治办发〔2022〕1号"}, with(matching(plan.Version+1), reviewer)),
				http.StatusPreconditionFailed, "version_mismatch")
			resp := h.Patch(planPath(id), map[string]any{"documentNumber": "兴法治办发〔2022〕1号", "kind": "arrangement"}, with(matching(plan.Version), reviewer))
			expect(t, resp, http.StatusOK, "")
			resp.JSON(t, &plan)
			if plan.DocumentNumber == nil || plan.Kind != "arrangement" || plan.Version != 2 {
				t.Errorf("patched %+v", plan)
			}
			resp = h.Patch(planPath(id), map[string]any{"documentNumber": nil}, with(matching(plan.Version), reviewer))
			expect(t, resp, http.StatusOK, "")
			plan = api.Plan{} // a field left out of the answer must not keep its old value
			resp.JSON(t, &plan)
			if plan.DocumentNumber != nil {
				t.Errorf("document number not cleared: %+v", plan)
			}
			// Drafts stay within the subtree; keys never see them.
			expect(t, h.Get(planPath(id), reporter), http.StatusNotFound, "not_found")
			expect(t, h.Get(planPath(id), key), http.StatusNotFound, "not_found")
			expect(t, h.Get(taskPath(oneTwo.Id.String()), key), http.StatusNotFound, "not_found")
			if got := h.tasks(t, url.Values{"planId": {id}}, key); len(got) != 0 {
				t.Errorf("a key lists draft tasks: %v", numbers(got))
			}
			h.taskAct(t, oneTwo.Id.String(), "start", nil, nil, http.StatusConflict, "plan_not_published")
			expect(t, h.Delete(taskPath(one.Id.String()), matching(one.Version)), http.StatusConflict, "task_has_subtasks")
		})

		t.Run("publish", func(t *testing.T) {
			empty := h.newPlan(t, reviewer, fx.district, 2022)
			h.planAct(t, empty.Id.String(), "publish", nil, reviewer, http.StatusConflict, "plan_empty")
			expect(t, h.Delete(planPath(empty.Id.String()), matching(empty.Version)), http.StatusNoContent, "")
			expect(t, h.Get(planPath(empty.Id.String()), nil), http.StatusNotFound, "not_found")
			p := h.planAct(t, id, "publish", nil, reviewer, http.StatusOK, "")
			if p.Status != "published" || p.PublishedBy == nil || p.PublishedAt == nil {
				t.Errorf("published %+v", p)
			}
			plan = p
			h.planAct(t, id, "publish", nil, reviewer, http.StatusConflict, "plan_not_draft")
			expect(t, h.Patch(planPath(id), map[string]any{"title": "改"}, matching(p.Version)), http.StatusConflict, "plan_not_draft")
			expect(t, h.Delete(planPath(id), matching(p.Version)), http.StatusConflict, "plan_not_draft")
			expect(t, h.Delete(taskPath(two.Id.String()), matching(two.Version)), http.StatusConflict, "plan_not_draft")
			// Released: every user and every key sees it now.
			expect(t, h.Get(planPath(id), reporter), http.StatusOK, "")
			expect(t, h.Get(planPath(id), key), http.StatusOK, "")
			if got := h.tasks(t, url.Values{"planId": {id}}, key); len(got) != 3 {
				t.Errorf("a key lists %d tasks of the published plan", len(got))
			}
		})

		t.Run("work", func(t *testing.T) {
			task := oneTwo.Id.String()
			// The reporter of a unit above the lead unit sees the task
			// but acts on its own unit only; the town's reporter leads.
			_, cityReporter := h.signedIn(t, fx.city, "reporter")
			h.taskAct(t, task, "start", nil, cityReporter, http.StatusForbidden, "own_unit_only")
			h.taskAct(t, two.Id.String(), "start", nil, reporter, http.StatusForbidden, "task_unit_only")
			got := h.taskAct(t, task, "start", nil, reporter, http.StatusOK, "")
			if got.Status != "in_progress" {
				t.Errorf("started %+v", got)
			}
			h.taskAct(t, task, "start", nil, reporter, http.StatusConflict, "task_not_startable")
			h.taskAct(t, task, "cancel", map[string]any{"reason": "不做了"}, reporter, http.StatusForbidden, "forbidden")
			got = h.taskAct(t, task, "complete", nil, reporter, http.StatusOK, "")
			if got.Status != "completed" || got.CompletedBy == nil || got.CompletedAt == nil || got.Overdue {
				t.Errorf("completed %+v", got)
			}
			h.taskAct(t, task, "complete", nil, reporter, http.StatusConflict, "task_finished")
			expect(t, h.Patch(taskPath(task), map[string]any{"supervised": true}, matching(got.Version)), http.StatusConflict, "task_finished")
			h.taskAct(t, task, "cancel", map[string]any{"reason": "已完成"}, reviewer, http.StatusConflict, "task_finished")
			cancel := h.newTask(t, id, taskBody("3", "待取消", nil)).Id.String()
			expect(t, h.Post(taskPath(cancel, "cancel"), map[string]any{"reason": " "}, reviewer), http.StatusUnprocessableEntity, "task_cancel_invalid")
		})

		t.Run("adjust", func(t *testing.T) {
			// Tasks of a published plan are adjusted (with If-Match) and added.
			resp := h.Patch(taskPath(two.Id.String()), map[string]any{"ongoing": false, "deadline": "2022-12-31", "cooperatingUnitIds": []string{fx.town}},
				with(matching(two.Version), reviewer))
			expect(t, resp, http.StatusOK, "")
			var got api.PlanTask
			resp.JSON(t, &got)
			etagIs(t, resp, got.Version)
			if got.Ongoing || got.Deadline.String() != "2022-12-31" || len(got.CooperatingUnitIds) != 1 || !got.Supervised || got.Number != "10" {
				t.Errorf("adjusted %+v", got)
			}
			expect(t, h.Patch(taskPath(two.Id.String()), map[string]any{"deadline": nil}, matching(two.Version)), http.StatusPreconditionFailed, "version_mismatch")
			expect(t, h.Patch(taskPath(two.Id.String()), map[string]any{"ongoing": true}, matching(got.Version)), http.StatusUnprocessableEntity, "task_invalid")
			expect(t, h.Patch(taskPath(two.Id.String()), map[string]any{"title": "改"}, nil), http.StatusPreconditionRequired, "if_match_required")
			two = got
			h.newTask(t, id, taskBody("2", "年中增加的任务", map[string]any{"deadline": "2022-09-30", "leadUnitIds": []string{fx.town}}))
			// The city's plans are the city's: the district's reviewer sees
			// the published one but may not change it.
			expect(t, h.Post(planPath(fx.plan, "tasks"), taskBody("9", "区里加的", nil), reviewer), http.StatusForbidden, "outside_subtree")
			h.taskAct(t, fx.planTask, "cancel", map[string]any{"reason": "取消"}, reviewer, http.StatusForbidden, "outside_subtree")
			cancelled := h.taskAct(t, two.Id.String(), "cancel", map[string]any{"reason": "并入任务2"}, reviewer, http.StatusOK, "")
			if cancelled.Status != "cancelled" || cancelled.CancelReason == nil || *cancelled.CancelReason != "并入任务2" {
				t.Errorf("cancelled %+v", cancelled)
			}
		})
	})
}

func TestPlanDerive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		fx := h.fx
		reviewer := h.as("reviewer")
		city := h.newPlan(t, nil, fx.city, 2022)
		cityID := city.Id.String()
		h.newTask(t, cityID, taskBody("1", "优化营商环境", nil))
		chosen := h.newTask(t, cityID, taskBody("1.1", "开展法治化营商环境评价", map[string]any{"deadline": "2022-10-31",
			"leadUnitIds": []string{fx.district}, "supervised": true}))
		h.newTask(t, cityID, taskBody("2", "加强队伍建设", nil))
		body := map[string]any{"unitId": fx.district, "year": 2022, "title": "区级任务分工方案", "kind": "division",
			"taskIds": []string{chosen.Id.String()}}
		h.planAct(t, cityID, "derive", body, reviewer, http.StatusNotFound, "not_found") // a draft of the city: not the district's to see
		h.planAct(t, cityID, "derive", body, nil, http.StatusConflict, "plan_not_released")
		h.planAct(t, cityID, "publish", nil, nil, http.StatusOK, "")
		expect(t, h.Post(planPath(cityID, "derive"), withBody(body, map[string]any{"taskIds": []string{fx.planTask}}), reviewer),
			http.StatusUnprocessableEntity, "plan_invalid")
		expect(t, h.Post(planPath(cityID, "derive"), withBody(body, map[string]any{"unitId": fx.city}), reviewer), http.StatusForbidden, "outside_subtree")

		resp := h.Post(planPath(cityID, "derive"), body, reviewer)
		expect(t, resp, http.StatusCreated, "")
		var d api.Plan
		resp.JSON(t, &d)
		if d.Status != "draft" || d.ParentPlanId == nil || d.ParentPlanId.String() != cityID || d.TaskCount != 2 || d.UnitId.String() != fx.district {
			t.Fatalf("derived %+v", d)
		}
		got := h.tasks(t, url.Values{"planId": {d.Id.String()}, "sort": {"number"}}, reviewer)
		if !slices.Equal(numbers(got), []string{"1", "1.1"}) || got[1].SourceTaskId == nil || got[1].SourceTaskId.String() != chosen.Id.String() ||
			!got[1].Supervised || got[1].Deadline.String() != "2022-10-31" || got[1].LeadUnitIds[0].String() != fx.district {
			t.Errorf("derived tasks %+v", got)
		}
		resp = h.Get(plansPath+"?parentPlanId="+cityID, nil)
		expect(t, resp, http.StatusOK, "")
		var page api.PlanPage
		resp.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].Id != d.Id {
			t.Errorf("plans derived from the city's: %+v", page.Items)
		}
	})
}

// withBody merges two bodies, the second winning.
func withBody(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range []map[string]any{a, b} {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func TestPlanYearClose(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		fx := h.fx
		old := h.newPlan(t, nil, fx.city, 2021)
		oldID := old.Id.String()
		section := h.newTask(t, oldID, taskBody("1", "推进依法行政", nil))
		done := h.newTask(t, oldID, taskBody("1.1", "完成规范性文件清理", map[string]any{"deadline": "2021-06-30", "leadUnitIds": []string{fx.district}}))
		open := h.newTask(t, oldID, taskBody("1.2", "推进法治乡村建设", map[string]any{"deadline": "2021-10-31", "leadUnitIds": []string{fx.town},
			"cooperatingUnitIds": []string{fx.district}, "checklistIds": []string{fx.checklist}}))
		started := h.newTask(t, oldID, taskBody("2", "加强执法监督", map[string]any{"ongoing": true, "leadUnitIds": []string{fx.district}}))
		dropped := h.newTask(t, oldID, taskBody("3", "试点任务", map[string]any{"deadline": "2021-05-31"}))
		h.planAct(t, oldID, "publish", nil, nil, http.StatusOK, "")
		h.taskAct(t, done.Id.String(), "complete", nil, nil, http.StatusOK, "")
		h.taskAct(t, started.Id.String(), "start", nil, nil, http.StatusOK, "")
		h.taskAct(t, dropped.Id.String(), "cancel", map[string]any{"reason": "试点取消"}, nil, http.StatusOK, "")

		t.Run("overdue as of a date", func(t *testing.T) {
			// On 2021-11-01 the town's task 1.2 (due 31 October) is overdue;
			// the ongoing and the completed ones never are.
			got := h.tasks(t, url.Values{"unitId": {fx.town}, "overdue": {"true"}, "asOf": {"2021-11-01"}}, nil)
			if len(got) != 1 || got[0].Id != open.Id || !got[0].Overdue {
				t.Errorf("the town's overdue tasks on 2021-11-01: %+v", got)
			}
			if got := h.tasks(t, url.Values{"unitId": {fx.town}, "overdue": {"true"}, "asOf": {"2021-10-31"}}, nil); len(got) != 0 {
				t.Errorf("overdue on its deadline: %v", numbers(got))
			}
			if got := h.tasks(t, url.Values{"unitId": {fx.district}, "role": {"lead"}, "planId": {oldID}}, nil); !slices.Equal(numbers(got), []string{"1.1", "2"}) {
				t.Errorf("the district leads %v", numbers(got))
			}
			if got := h.tasks(t, url.Values{"unitId": {fx.district}, "role": {"cooperating"}, "planId": {oldID}}, nil); !slices.Equal(numbers(got), []string{"1.2"}) {
				t.Errorf("the district cooperates on %v", numbers(got))
			}
		})

		next := h.newPlan(t, nil, fx.city, 2022)
		nextID := next.Id.String()
		h.newTask(t, nextID, taskBody("1", "新年度任务", nil))
		h.newTask(t, nextID, taskBody("2", "新年度任务二", nil))
		t.Run("refusals", func(t *testing.T) {
			h.planAct(t, oldID, "close", nil, nil, http.StatusConflict, "plan_tasks_unfinished")
			h.planAct(t, oldID, "close", map[string]any{"carryIntoPlanId": absentID}, nil, http.StatusUnprocessableEntity, "plan_close_invalid")
			other := h.newPlan(t, nil, fx.city, 2023)
			h.planAct(t, oldID, "close", map[string]any{"carryIntoPlanId": other.Id.String()}, nil, http.StatusUnprocessableEntity, "plan_close_invalid")
			h.planAct(t, oldID, "close", map[string]any{"carryIntoPlanId": fx.closablePlan}, nil, http.StatusUnprocessableEntity, "plan_close_invalid")
			h.planAct(t, next.Id.String(), "close", nil, nil, http.StatusConflict, "plan_not_published")
			h.planAct(t, oldID, "close", nil, h.as("reviewer"), http.StatusForbidden, "outside_subtree")
		})

		t.Run("close 2021", func(t *testing.T) {
			resp := h.Post(planPath(oldID, "close"), map[string]any{"carryIntoPlanId": nextID}, nil)
			expect(t, resp, http.StatusOK, "")
			var closing api.PlanClosing
			resp.JSON(t, &closing)
			if closing.Plan.Status != "closed" || closing.Plan.CarriedIntoPlanId == nil || closing.Plan.CarriedIntoPlanId.String() != nextID || closing.Plan.ClosedBy == nil {
				t.Errorf("closed %+v", closing.Plan)
			}
			// The unfinished 1.2 and 2 go on in 2022, with task 1 above 1.2,
			// numbered after 2022's last task: 1 → 3, 2 → 4.
			carried := closing.CarriedOver
			if !slices.Equal(numbers(carried), []string{"3", "3.2", "4"}) {
				t.Fatalf("carried over %v", numbers(carried))
			}
			for i, from := range []api.PlanTask{section, open, started} {
				c := carried[i]
				if c.CarriedFromTaskId == nil || *c.CarriedFromTaskId != from.Id || c.PlanId.String() != nextID || c.Status != "not_started" || c.Deadline != nil {
					t.Errorf("carried %d: %+v", i, c)
				}
			}
			if carried[1].Title != "推进法治乡村建设" || carried[1].LeadUnitIds[0].String() != fx.town || len(carried[1].ChecklistIds) != 1 || !carried[2].Ongoing {
				t.Errorf("carried content %+v %+v", carried[1], carried[2])
			}
			got := h.tasks(t, url.Values{"planId": {nextID}, "sort": {"number"}}, nil)
			if !slices.Equal(numbers(got), []string{"1", "2", "3", "3.2", "4"}) {
				t.Errorf("2022 tasks %v", numbers(got))
			}
			h.planAct(t, oldID, "close", map[string]any{"carryIntoPlanId": nextID}, nil, http.StatusConflict, "plan_not_published")
			// Last year's plan is closed: its tasks no longer change, nor
			// does it take any; the plan that took them stays.
			expect(t, h.Patch(taskPath(open.Id.String()), map[string]any{"title": "改"}, matching(open.Version)), http.StatusConflict, "plan_closed")
			expect(t, h.Post(planPath(oldID, "tasks"), taskBody("9", "补充", nil), nil), http.StatusConflict, "plan_closed")
			h.taskAct(t, open.Id.String(), "complete", nil, nil, http.StatusConflict, "plan_not_published")
			expect(t, h.Delete(planPath(nextID), matching(next.Version)), http.StatusConflict, "plan_in_use")
			if p := h.getPlan(t, nextID); p.TaskCount != 5 || p.UnfinishedCount != 5 {
				t.Errorf("2022 counts %d %d", p.TaskCount, p.UnfinishedCount)
			}
		})

		t.Run("closed plan takes no carried tasks", func(t *testing.T) {
			second := h.newPlan(t, nil, fx.city, 2021)
			h.newTask(t, second.Id.String(), taskBody("1", "另一计划的未完成任务", nil))
			h.planAct(t, second.Id.String(), "publish", nil, nil, http.StatusOK, "")
			h.planAct(t, second.Id.String(), "close", map[string]any{"carryIntoPlanId": nextID}, nil, http.StatusOK, "")
			h.planAct(t, nextID, "publish", nil, nil, http.StatusOK, "")
			closed := h.newPlan(t, nil, fx.city, 2020)
			h.newTask(t, closed.Id.String(), taskBody("1", "未完成", nil))
			h.planAct(t, closed.Id.String(), "publish", nil, nil, http.StatusOK, "")
			h.planAct(t, closed.Id.String(), "close", map[string]any{"carryIntoPlanId": oldID}, nil, http.StatusConflict, "plan_closed")
		})
	})
}

func TestPlanTaskLists(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		fx := h.fx
		p := h.newPlan(t, nil, fx.city, 2021)
		id := p.Id.String()
		// Around National Day 2021: 1–7 October off, Sunday 26 September
		// and Saturday 9 October worked.
		for _, d := range []struct{ number, deadline string }{
			{"1", "2021-09-29"}, {"2", "2021-10-08"}, {"3", "2021-10-09"}, {"4", "2021-10-11"}, {"5", "2021-09-27"},
		} {
			h.newTask(t, id, taskBody(d.number, "任务"+d.number, map[string]any{"deadline": d.deadline, "leadUnitIds": []string{fx.town},
				"supervised": d.number == "2" || d.number == "4" || d.number == "5"}))
		}
		h.newTask(t, id, taskBody("6", "长期坚持", map[string]any{"ongoing": true, "leadUnitIds": []string{fx.town}}))
		h.planAct(t, id, "publish", nil, nil, http.StatusOK, "")
		base := func(extra url.Values) url.Values {
			v := url.Values{"planId": {id}}
			for k, vs := range extra {
				v[k] = vs
			}
			return v
		}

		tests := []struct {
			name  string
			query url.Values
			want  []string
		}{
			// Three working days after Tuesday 28 September: 29, 30
			// September and Friday 8 October; the 9th is the fourth.
			{"due within 3 working days", url.Values{"asOf": {"2021-09-28"}, "dueWithinWorkingDays": {"3"}}, []string{"1", "2"}},
			{"due within 4 working days", url.Values{"asOf": {"2021-09-28"}, "dueWithinWorkingDays": {"4"}}, []string{"1", "2", "3"}},
			{"overdue on 28 September", url.Values{"asOf": {"2021-09-28"}, "overdue": {"true"}}, []string{"5"}},
			{"overdue on 10 October", url.Values{"asOf": {"2021-10-10"}, "overdue": {"true"}}, []string{"5", "1", "2", "3"}},
			// Two pages each: a cursor of a supervised list is good on its page 2.
			{"supervised", url.Values{"supervised": {"true"}}, []string{"5", "2", "4"}},
			{"not supervised", url.Values{"supervised": {"false"}}, []string{"1", "3", "6"}},
			{"by deadline, ongoing last", url.Values{}, []string{"5", "1", "2", "3", "4", "6"}},
			{"the town leads", url.Values{"unitId": {fx.town}, "role": {"lead"}}, []string{"5", "1", "2", "3", "4", "6"}},
			{"the district leads", url.Values{"unitId": {fx.district}, "role": {"lead"}}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := numbers(h.tasks(t, base(tt.query), nil)); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			})
		}
		t.Run("overdue flag as of the day asked", func(t *testing.T) {
			for _, task := range h.tasks(t, base(url.Values{"asOf": {"2021-10-09"}}), nil) {
				if want := task.Number == "5" || task.Number == "1" || task.Number == "2"; task.Overdue != want {
					t.Errorf("task %s overdue %v on 9 October", task.Number, task.Overdue)
				}
			}
		})
		t.Run("a year without a schedule", func(t *testing.T) {
			resp := h.Get("/api/v1/plan-tasks?asOf=2099-01-05&dueWithinWorkingDays=5", nil)
			expect(t, resp, http.StatusUnprocessableEntity, "calendar_year_missing")
		})
		t.Run("a cursor of other filters", func(t *testing.T) {
			resp := h.Get("/api/v1/plan-tasks?limit=1&planId="+id, nil)
			var page api.PlanTaskPage
			resp.JSON(t, &page)
			expect(t, h.Get("/api/v1/plan-tasks?limit=1&cursor="+*page.NextCursor, nil), http.StatusBadRequest, "invalid_cursor")
		})
	})
}

// TestPlanRefusals drives the refusals the walk through a plan's year does
// not meet: conditions on deletions, another unit's plans, who moves a
// task on.
func TestPlanRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		fx := h.fx
		reviewer, reporter := h.as("reviewer"), h.as("reporter")

		draft := h.newPlan(t, reviewer, fx.district, 2022)
		id := draft.Id.String()
		task := h.newTask(t, id, taskBody("1", "待删除的任务", map[string]any{"leadUnitIds": []string{fx.town}}))
		h.taskAct(t, task.Id.String(), "cancel", map[string]any{"reason": "草稿中"}, reviewer, http.StatusConflict, "plan_not_published")
		expect(t, h.Delete(taskPath(task.Id.String()), nil), http.StatusPreconditionRequired, "if_match_required")
		expect(t, h.Delete(taskPath(task.Id.String()), matching(task.Version+1)), http.StatusPreconditionFailed, "version_mismatch")
		expect(t, h.Delete(taskPath(task.Id.String()), with(matching(task.Version), reviewer)), http.StatusNoContent, "")
		expect(t, h.Get(taskPath(task.Id.String()), nil), http.StatusNotFound, "not_found")
		expect(t, h.Delete(planPath(id), nil), http.StatusPreconditionRequired, "if_match_required")
		expect(t, h.Delete(planPath(id), matching(draft.Version+1)), http.StatusPreconditionFailed, "version_mismatch")

		// The city's published plan is seen by the district's reviewer,
		// who may not change it: outside its subtree, whatever the state.
		city := h.getPlan(t, fx.plan)
		expect(t, h.Patch(planPath(fx.plan), map[string]any{"title": "改"}, with(matching(city.Version), reviewer)), http.StatusForbidden, "outside_subtree")
		expect(t, h.Delete(planPath(fx.plan), with(matching(city.Version), reviewer)), http.StatusForbidden, "outside_subtree")
		h.planAct(t, fx.plan, "publish", nil, reviewer, http.StatusForbidden, "outside_subtree")
		resp := h.Get(taskPath(fx.planTask), nil)
		expect(t, resp, http.StatusOK, "")
		var cityTask api.PlanTask
		resp.JSON(t, &cityTask)
		expect(t, h.Patch(taskPath(fx.planTask), map[string]any{"supervised": true}, with(matching(cityTask.Version), reviewer)), http.StatusForbidden, "outside_subtree")
		expect(t, h.Delete(taskPath(fx.planTask), with(matching(cityTask.Version), reviewer)), http.StatusForbidden, "outside_subtree")

		// Completing: the town's reporter leads one task and not another;
		// the city's reporter acts on its own unit only.
		published := h.newPlan(t, reviewer, fx.district, 2022)
		led := h.newTask(t, published.Id.String(), taskBody("1", "镇牵头的任务", map[string]any{"leadUnitIds": []string{fx.town}}))
		other := h.newTask(t, published.Id.String(), taskBody("2", "区牵头的任务", map[string]any{"leadUnitIds": []string{fx.district}}))
		h.planAct(t, published.Id.String(), "publish", nil, reviewer, http.StatusOK, "")
		_, cityReporter := h.signedIn(t, fx.city, "reporter")
		h.taskAct(t, led.Id.String(), "complete", nil, cityReporter, http.StatusForbidden, "own_unit_only")
		h.taskAct(t, other.Id.String(), "complete", nil, reporter, http.StatusForbidden, "task_unit_only")
		h.taskAct(t, led.Id.String(), "complete", nil, reporter, http.StatusOK, "")
	})
}
