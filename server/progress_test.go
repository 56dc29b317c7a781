package server_test

// Progress reports through HTTP: each unit of a task reports per period,
// attaches evidence and submits; the city office accepts or returns; the
// task's progress rolls up from accepted reports; who sees and does what,
// and what API keys see.

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

const reportsPath = "/api/v1/progress-reports"

func reportPath(id string, rest ...string) string {
	return strings.Join(append([]string{reportsPath, id}, rest...), "/")
}

// newReport writes a report on a task as who and expects 201.
func (h *harness) newReport(t *testing.T, taskID string, body map[string]any, who map[string]string) api.ProgressReport {
	t.Helper()
	resp := h.Post(taskPath(taskID, "progress-reports"), body, who)
	expect(t, resp, http.StatusCreated, "")
	var r api.ProgressReport
	resp.JSON(t, &r)
	etagIs(t, resp, r.Version)
	if got, want := resp.Header.Get("Location"), reportPath(r.Id.String()); got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	return r
}

func (h *harness) reportAct(t *testing.T, id, action string, body any, who map[string]string, status int, code string) api.ProgressReport {
	t.Helper()
	resp := h.Post(reportPath(id, action), body, who)
	expect(t, resp, status, code)
	var r api.ProgressReport
	if status == http.StatusOK {
		resp.JSON(t, &r)
	}
	return r
}

// uploadEvidence sends one file to a report's or problem's evidence.
func (h *harness) uploadEvidence(t *testing.T, path, filename string, data []byte, who map[string]string) *apitest.Response {
	t.Helper()
	ct, body := multipartOf(t, part{field: "file", filename: filename, contentType: "application/octet-stream", data: data})
	return h.Do(apitest.Request{Method: http.MethodPost, Path: path, Body: body, ContentType: ct, Header: who})
}

// fillEvidence records n files of evidence of a record straight in the
// store (their bytes are never read), to bring it near its bound quickly.
func (h *harness) fillEvidence(t *testing.T, recordType, recordID string, n int) {
	t.Helper()
	for i := range n {
		id := store.NewID()
		e := &models.Evidence{ID: id, RecordType: recordType, RecordID: recordID, Filename: fmt.Sprintf("材料%d.pdf", i+1),
			ContentType: "application/pdf", Size: 1, SHA256: strings.Repeat("0", 64), BlobKey: id, CreatedBy: "user:" + h.fx.users["admin"].ID}
		if err := h.db.CreateEvidence(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
}

func reportBody(unitID, period string, percent int) map[string]any {
	return map[string]any{"unitId": unitID, "period": period, "content": "推进情况 " + period, "percent": percent}
}

func (h *harness) task(t *testing.T, id string) api.PlanTask {
	t.Helper()
	task, _ := getOK[api.PlanTask](t, h, taskPath(id), nil)
	return task
}

func TestProgressReports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		fx := h.fx
		reviewer, reporter, city, key := h.as("reviewer"), h.as("reporter"), h.as("cityReviewer"), h.as("key:read")
		_, cityReporter := h.signedIn(t, fx.city, "reporter")
		_, justiceReviewer := h.signedIn(t, fx.justice, "reviewer")

		plan := h.newPlan(t, reviewer, fx.district, 2022)
		section := h.newTask(t, plan.Id.String(), taskBody("1", "推进依法行政", nil))
		task := h.newTask(t, plan.Id.String(), taskBody("1.1", "开展行政执法培训", map[string]any{"deadline": "2022-12-31",
			"leadUnitIds": []string{fx.town}, "cooperatingUnitIds": []string{fx.district}}))
		other := h.newTask(t, plan.Id.String(), taskBody("1.2", "整理执法案卷", map[string]any{"leadUnitIds": []string{fx.town}}))
		taskID := task.Id.String()
		expect(t, h.Post(taskPath(taskID, "progress-reports"), reportBody(fx.town, "2022-Q1", 10), reviewer), http.StatusConflict, "plan_not_published")
		h.planAct(t, plan.Id.String(), "publish", nil, reviewer, http.StatusOK, "")

		var report, coop api.ProgressReport
		t.Run("report", func(t *testing.T) {
			report = h.newReport(t, taskID, withBody(reportBody(fx.town, "2022-Q1", 30), map[string]any{"problems": "人员不足", "nextSteps": "二季度轮训"}), reporter)
			if report.Status != "draft" || report.Percent != 30 || report.PlanId != plan.Id || report.Problems != "人员不足" ||
				report.CreatedBy.Id == nil || report.CreatedBy.Id.String() != fx.users["reporter"].ID || len(report.Evidence) != 0 {
				t.Errorf("new report %+v", report)
			}
			coop = h.newReport(t, taskID, reportBody(fx.district, "2022-W10", 50), reviewer)
			for _, c := range []struct {
				name   string
				body   map[string]any
				who    map[string]string
				status int
				code   string
			}{
				{"period taken", reportBody(fx.town, "2022-Q1", 40), reporter, http.StatusConflict, "progress_period_taken"},
				{"another year", reportBody(fx.town, "2021-Q4", 40), reporter, http.StatusUnprocessableEntity, "progress_invalid"},
				{"a week 2022 has not", reportBody(fx.town, "2022-W53", 40), reporter, http.StatusUnprocessableEntity, "progress_invalid"},
				{"empty content", withBody(reportBody(fx.town, "2022-Q2", 40), map[string]any{"content": " "}), reporter, http.StatusUnprocessableEntity, "progress_invalid"},
				{"unit not on the task", reportBody(fx.justice, "2022-Q1", 40), nil, http.StatusUnprocessableEntity, "progress_unit_not_assigned"},
				{"a unit above its own", reportBody(fx.district, "2022-Q1", 40), reporter, http.StatusForbidden, "outside_subtree"},
				{"outside the subtree", reportBody(fx.justice, "2022-Q1", 40), reviewer, http.StatusForbidden, "outside_subtree"},
				{"a city reporter for the town", reportBody(fx.town, "2022-Q3", 40), cityReporter, http.StatusForbidden, "own_unit_only"},
				{"not a percentage", reportBody(fx.town, "2022-Q2", 101), reporter, http.StatusBadRequest, "invalid_request"},
			} {
				t.Run(c.name, func(t *testing.T) {
					expect(t, h.Post(taskPath(taskID, "progress-reports"), c.body, c.who), c.status, c.code)
				})
			}
			expect(t, h.Post(taskPath(absentID, "progress-reports"), reportBody(fx.town, "2022-Q1", 40), reporter), http.StatusNotFound, "not_found")
			h.taskAct(t, other.Id.String(), "cancel", map[string]any{"reason": "并入1.1"}, reviewer, http.StatusOK, "")
			expect(t, h.Post(taskPath(other.Id.String(), "progress-reports"), reportBody(fx.town, "2022-Q1", 40), reporter), http.StatusConflict, "task_cancelled")
		})

		t.Run("edit", func(t *testing.T) {
			id := report.Id.String()
			expect(t, h.Patch(reportPath(id), map[string]any{"percent": 35}, reporter), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Patch(reportPath(id), map[string]any{"percent": 35}, with(matching(report.Version+1), reporter)), http.StatusPreconditionFailed, "version_mismatch")
			expect(t, h.Patch(reportPath(id), map[string]any{"content": ""}, with(matching(report.Version), reporter)), http.StatusUnprocessableEntity, "progress_invalid")
			expect(t, h.Patch(reportPath(id), map[string]any{"percent": 35}, with(matching(report.Version), cityReporter)), http.StatusForbidden, "own_unit_only")
			resp := h.Patch(reportPath(id), map[string]any{"percent": 35}, with(matching(report.Version), reporter))
			expect(t, resp, http.StatusOK, "")
			resp.JSON(t, &report)
			etagIs(t, resp, report.Version)
			if report.Percent != 35 || report.Version != 2 || report.Problems != "人员不足" {
				t.Errorf("patched %+v", report)
			}
			resp = h.uploadEvidence(t, reportPath(id, "evidence"), "培训签到表.pdf", testPDF, reporter)
			expect(t, resp, http.StatusCreated, "")
			var e api.Evidence
			resp.JSON(t, &e)
			if loc := resp.Header.Get("Location"); loc != "/api/v1/evidence/"+e.Id.String()+"/content" || e.Filename != "培训签到表.pdf" || e.Size != int64(len(testPDF)) {
				t.Errorf("evidence %+v at %s", e, loc)
			}
			expect(t, h.uploadEvidence(t, reportPath(id, "evidence"), "a.pdf", testPDF, cityReporter), http.StatusForbidden, "own_unit_only")
			got, _ := getOK[api.ProgressReport](t, h, reportPath(id), reporter)
			if len(got.Evidence) != 1 || got.Evidence[0].Id != e.Id {
				t.Errorf("the report's evidence %+v", got.Evidence)
			}
			download := h.Get("/api/v1/evidence/"+e.Id.String()+"/content", reporter)
			expect(t, download, http.StatusOK, "")
			if !bytes.Equal([]byte(download.Body), testPDF) || download.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("downloaded %q", download.Body)
			}
			// A draft is its unit's: keys and other units' users do not see it.
			expect(t, h.Get(reportPath(id), key), http.StatusNotFound, "not_found")
			expect(t, h.Get("/api/v1/evidence/"+e.Id.String()+"/content", key), http.StatusNotFound, "not_found")
			expect(t, h.Get(reportPath(id), justiceReviewer), http.StatusNotFound, "not_found")
			getOK[api.ProgressReport](t, h, reportPath(id), city) // the city office sees every report
			expect(t, h.Get("/api/v1/evidence/"+absentID+"/content", nil), http.StatusNotFound, "not_found")
			expect(t, h.Get(reportPath(absentID), nil), http.StatusNotFound, "not_found")
		})

		t.Run("submit and accept", func(t *testing.T) {
			id := report.Id.String()
			h.reportAct(t, id, "submit", nil, cityReporter, http.StatusForbidden, "own_unit_only")
			h.reportAct(t, id, "accept", nil, city, http.StatusConflict, "progress_not_submitted")
			submitted := h.reportAct(t, id, "submit", nil, reporter, http.StatusOK, "")
			if submitted.Status != "submitted" || submitted.SubmittedBy == nil || submitted.SubmittedAt == nil {
				t.Errorf("submitted %+v", submitted)
			}
			h.reportAct(t, id, "submit", nil, reporter, http.StatusConflict, "progress_not_editable")
			resp := h.Patch(reportPath(id), map[string]any{"percent": 40}, with(matching(submitted.Version), reporter))
			expect(t, resp, http.StatusConflict, "progress_not_editable")
			if p := resp.Problem(t); !slices.Equal(p.AllowedStates, []string{"draft", "returned"}) {
				t.Errorf("allowedStates %v", p.AllowedStates)
			}
			expect(t, h.uploadEvidence(t, reportPath(id, "evidence"), "b.pdf", testPDF, reporter), http.StatusConflict, "progress_not_editable")
			expect(t, h.Delete(reportPath(id), with(matching(submitted.Version), reporter)), http.StatusConflict, "progress_not_draft")
			h.reportAct(t, id, "accept", nil, reviewer, http.StatusForbidden, "forbidden") // the city office's, not a district's
			if got := listAll[api.ProgressReport](t, h, reportsPath, city, url.Values{"status": {"submitted"}, "taskId": {taskID}}, 10); len(got) != 1 || got[0].Id != report.Id {
				t.Errorf("the office's queue %+v", got)
			}
			if task := h.task(t, taskID); task.Status != "not_started" || task.Progress != 0 {
				t.Errorf("before acceptance: %s at %d%%", task.Status, task.Progress)
			}
			accepted := h.reportAct(t, id, "accept", nil, city, http.StatusOK, "")
			if accepted.Status != "accepted" || accepted.ReviewedBy == nil || accepted.ReviewedBy.Id.String() != fx.users["cityReviewer"].ID {
				t.Errorf("accepted %+v", accepted)
			}
			// The town at 35%, the district without an accepted report at
			// 0: the task is at 18% (rounded half up), and started; its
			// section at the mean of its subtasks not cancelled.
			if task := h.task(t, taskID); task.Status != "in_progress" || task.Progress != 18 {
				t.Errorf("after acceptance: %s at %d%%", task.Status, task.Progress)
			}
			if s := h.task(t, section.Id.String()); s.Progress != 18 {
				t.Errorf("the section is at %d%%", s.Progress)
			}
			// Accepted is released: keys see it, its evidence and it in lists;
			// a user of another unit sees it but may not change it.
			getOK[api.ProgressReport](t, h, reportPath(id), key)
			expect(t, h.Get("/api/v1/evidence/"+accepted.Evidence[0].Id.String()+"/content", key), http.StatusOK, "")
			if got := listAll[api.ProgressReport](t, h, reportsPath, key, url.Values{"taskId": {taskID}}, 10); len(got) != 1 || got[0].Id != report.Id {
				t.Errorf("a key lists %+v", got)
			}
			getOK[api.ProgressReport](t, h, reportPath(id), justiceReviewer)
			expect(t, h.Patch(reportPath(id), map[string]any{"percent": 1}, with(matching(accepted.Version), justiceReviewer)), http.StatusForbidden, "outside_subtree")
			expect(t, h.Delete(reportPath(id), with(matching(accepted.Version), justiceReviewer)), http.StatusForbidden, "outside_subtree")
			h.reportAct(t, id, "submit", nil, justiceReviewer, http.StatusForbidden, "outside_subtree")
			expect(t, h.uploadEvidence(t, reportPath(id, "evidence"), "c.pdf", testPDF, justiceReviewer), http.StatusForbidden, "outside_subtree")
		})

		t.Run("return", func(t *testing.T) {
			id := coop.Id.String()
			h.reportAct(t, id, "submit", nil, reviewer, http.StatusOK, "")
			h.reportAct(t, id, "return", map[string]any{"reason": " "}, nil, http.StatusUnprocessableEntity, "progress_return_invalid")
			returned := h.reportAct(t, id, "return", map[string]any{"reason": "请补充佐证材料"}, nil, http.StatusOK, "")
			if returned.Status != "returned" || returned.ReturnReason == nil || *returned.ReturnReason != "请补充佐证材料" {
				t.Errorf("returned %+v", returned)
			}
			h.reportAct(t, id, "return", map[string]any{"reason": "再退"}, nil, http.StatusConflict, "progress_not_submitted")
			// Corrected and submitted again, now by the administrator, who
			// may not accept what it submitted.
			resp := h.Patch(reportPath(id), map[string]any{"percent": 70}, matching(returned.Version))
			expect(t, resp, http.StatusOK, "")
			h.reportAct(t, id, "submit", nil, nil, http.StatusOK, "")
			h.reportAct(t, id, "accept", nil, nil, http.StatusForbidden, "self_review")
			h.reportAct(t, id, "return", map[string]any{"reason": "自己退回"}, nil, http.StatusForbidden, "self_review")
			h.reportAct(t, id, "accept", nil, city, http.StatusOK, "")
			if task := h.task(t, taskID); task.Progress != 53 { // (35 + 70) / 2
				t.Errorf("with both units accepted the task is at %d%%", task.Progress)
			}
			// A later period of the same unit counts instead of the earlier one.
			later := h.newReport(t, taskID, reportBody(fx.town, "2022-H1", 60), reporter)
			h.reportAct(t, later.Id.String(), "submit", nil, reporter, http.StatusOK, "")
			h.reportAct(t, later.Id.String(), "accept", nil, city, http.StatusOK, "")
			if task := h.task(t, taskID); task.Progress != 65 { // (60 + 70) / 2
				t.Errorf("with the town's half-year accepted the task is at %d%%", task.Progress)
			}
			h.taskAct(t, taskID, "complete", nil, reporter, http.StatusOK, "")
			if task := h.task(t, taskID); task.Progress != 100 {
				t.Errorf("a completed task is at %d%%", task.Progress)
			}
		})

		t.Run("delete", func(t *testing.T) {
			draft := h.newReport(t, taskID, reportBody(fx.town, "2022-12", 90), reporter)
			id := draft.Id.String()
			h.uploadEvidence(t, reportPath(id, "evidence"), "d.pdf", testPDF, reporter)
			expect(t, h.Delete(reportPath(id), reporter), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Delete(reportPath(id), with(matching(draft.Version+1), reporter)), http.StatusPreconditionFailed, "version_mismatch")
			expect(t, h.Delete(reportPath(id), with(matching(draft.Version), cityReporter)), http.StatusForbidden, "own_unit_only")
			expect(t, h.Delete(reportPath(id), with(matching(draft.Version), reporter)), http.StatusNoContent, "")
			expect(t, h.Get(reportPath(id), nil), http.StatusNotFound, "not_found")
		})

		t.Run("lists", func(t *testing.T) {
			all := listAll[api.ProgressReport](t, h, reportsPath, nil, url.Values{"planId": {plan.Id.String()}}, 2)
			if len(all) != 3 {
				t.Errorf("the plan has %d reports, want 3", len(all))
			}
			for _, c := range []struct {
				query url.Values
				want  int
			}{
				{url.Values{"planId": {plan.Id.String()}, "unitId": {fx.town}}, 2},
				{url.Values{"taskId": {taskID}, "period": {"2022-W10"}}, 1},
				{url.Values{"taskId": {taskID}, "status": {"draft"}}, 0},
			} {
				if got := listAll[api.ProgressReport](t, h, reportsPath, nil, c.query, 10); len(got) != c.want {
					t.Errorf("%v: %d reports, want %d", c.query, len(got), c.want)
				}
			}
			// The town's own draft on another task: seen by the town and the
			// district above it, not by the justice bureau beside it.
			lone := h.newTask(t, plan.Id.String(), taskBody("2", "单列任务", map[string]any{"leadUnitIds": []string{fx.town}}))
			draft := h.newReport(t, lone.Id.String(), reportBody(fx.town, "2022", 5), reporter)
			for _, c := range []struct {
				who  map[string]string
				sees bool
			}{{reporter, true}, {reviewer, true}, {city, true}, {justiceReviewer, false}, {key, false}} {
				got := listAll[api.ProgressReport](t, h, reportsPath, c.who, url.Values{"taskId": {lone.Id.String()}}, 10)
				if (len(got) == 1) != c.sees || (c.sees && got[0].Id != draft.Id) {
					t.Errorf("%v lists %+v, sees %v", c.who, got, c.sees)
				}
			}
			expect(t, h.Get(reportsPath+"?period=2022-W99", nil), http.StatusBadRequest, "invalid_request")
		})

		t.Run("closed plan", func(t *testing.T) {
			// Closing the year leaves drafts as they are and submitted
			// reports with the office, which still accepts them.
			closing := h.newPlan(t, reviewer, fx.district, 2022)
			last := h.newTask(t, closing.Id.String(), taskBody("1", "年底完成的任务", map[string]any{"leadUnitIds": []string{fx.town}}))
			h.planAct(t, closing.Id.String(), "publish", nil, reviewer, http.StatusOK, "")
			draft := h.newReport(t, last.Id.String(), reportBody(fx.town, "2022-Q4", 90), reporter)
			sent := h.newReport(t, last.Id.String(), reportBody(fx.town, "2022", 100), reporter)
			h.reportAct(t, sent.Id.String(), "submit", nil, reporter, http.StatusOK, "")
			h.taskAct(t, last.Id.String(), "complete", nil, reporter, http.StatusOK, "")
			h.planAct(t, closing.Id.String(), "close", nil, reviewer, http.StatusOK, "")
			expect(t, h.Patch(reportPath(draft.Id.String()), map[string]any{"percent": 95}, with(matching(draft.Version), reporter)),
				http.StatusConflict, "plan_not_published")
			h.reportAct(t, draft.Id.String(), "submit", nil, reporter, http.StatusConflict, "plan_not_published")
			h.reportAct(t, sent.Id.String(), "accept", nil, city, http.StatusOK, "")
		})

		t.Run("evidence full", func(t *testing.T) {
			draft := h.newReport(t, taskID, reportBody(fx.town, "2022-11", 95), reporter)
			path := reportPath(draft.Id.String(), "evidence")
			h.fillEvidence(t, models.EvidenceOfProgress, draft.Id.String(), models.MaxEvidence-1)
			expect(t, h.uploadEvidence(t, path, "第100份.pdf", testPDF, reporter), http.StatusCreated, "")
			expect(t, h.uploadEvidence(t, path, "第101份.pdf", testPDF, reporter), http.StatusConflict, "evidence_full")
		})
	})
}
