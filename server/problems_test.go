package server_test

// Problem records through HTTP: recorded with links, rectified with
// measures and a task, evidence attached, signed off by a reviewer; who
// sees and does what, and what API keys see.

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
)

const problemsPath = "/api/v1/problems"

func problemPath(id string, rest ...string) string {
	return strings.Join(append([]string{problemsPath, id}, rest...), "/")
}

// newProblem records a problem as who and expects 201.
func (h *harness) newProblem(t *testing.T, body map[string]any, who map[string]string) api.ProblemRecord {
	t.Helper()
	resp := h.Post(problemsPath, body, who)
	expect(t, resp, http.StatusCreated, "")
	var p api.ProblemRecord
	resp.JSON(t, &p)
	etagIs(t, resp, p.Version)
	if got, want := resp.Header.Get("Location"), problemPath(p.Id.String()); got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	return p
}

func (h *harness) problemAct(t *testing.T, id, action string, body any, who map[string]string, status int, code string) api.ProblemRecord {
	t.Helper()
	resp := h.Post(problemPath(id, action), body, who)
	expect(t, resp, status, code)
	var p api.ProblemRecord
	if status == http.StatusOK {
		resp.JSON(t, &p)
	}
	return p
}

func problemBody(unitID, title string, extra map[string]any) map[string]any {
	return withBody(map[string]any{"unitId": unitID, "year": 2021, "source": "self_inspection", "title": title}, extra)
}

func TestProblems(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		fx := h.fx
		reviewer, reporter, city, key := h.as("reviewer"), h.as("reporter"), h.as("cityReviewer"), h.as("key:read")
		_, cityReporter := h.signedIn(t, fx.city, "reporter")
		_, justiceReviewer := h.signedIn(t, fx.justice, "reviewer")

		plan := h.newPlan(t, reviewer, fx.district, 2022)
		draftTask := h.newTask(t, plan.Id.String(), taskBody("1", "草稿中的整改任务", nil))
		fixTask := h.newTask(t, plan.Id.String(), taskBody("2", "开展执法案卷评查", map[string]any{"leadUnitIds": []string{fx.town}}))
		draftPlan := h.newPlan(t, reviewer, fx.district, 2022)
		unpublished := h.newTask(t, draftPlan.Id.String(), taskBody("1", "未发布计划的任务", nil))
		h.planAct(t, plan.Id.String(), "publish", nil, reviewer, http.StatusOK, "")

		var p api.ProblemRecord
		t.Run("record", func(t *testing.T) {
			p = h.newProblem(t, problemBody(fx.town, "执法案卷不规范", map[string]any{"detail": "部分案卷告知程序记录不完整。", "category": "行政执法",
				"indicatorIds": []string{fx.publishedIndicator}, "taskIds": []string{draftTask.Id.String()}}), reporter)
			if p.Status != "open" || p.Year != 2021 || p.Category != "行政执法" || len(p.IndicatorIds) != 1 || len(p.TaskIds) != 1 ||
				p.Measures != "" || p.RectificationTaskId != nil || len(p.Evidence) != 0 {
				t.Errorf("recorded %+v", p)
			}
			// Supervision finds problems anywhere: the city office records them.
			h.newProblem(t, problemBody(fx.district, "督察发现的问题", map[string]any{"source": "supervision"}), city)
			for _, c := range []struct {
				name   string
				body   map[string]any
				who    map[string]string
				status int
				code   string
			}{
				{"unknown unit", problemBody(absentID, "无此单位", nil), nil, http.StatusUnprocessableEntity, "problem_invalid"},
				{"draft system's indicator", problemBody(fx.town, "草稿指标", map[string]any{"indicatorIds": []string{fx.indicator}}), reporter, http.StatusUnprocessableEntity, "problem_invalid"},
				{"draft plan's task", problemBody(fx.town, "草稿任务", map[string]any{"rectificationTaskId": unpublished.Id.String()}), reporter, http.StatusUnprocessableEntity, "problem_invalid"},
				{"a task twice", problemBody(fx.town, "重复任务", map[string]any{"taskIds": []string{fixTask.Id.String(), fixTask.Id.String()}}), reporter, http.StatusUnprocessableEntity, "problem_invalid"},
				{"a unit above its own", problemBody(fx.district, "上级单位", nil), reporter, http.StatusForbidden, "outside_subtree"},
				{"a city reporter for the town", problemBody(fx.town, "市级填报员", nil), cityReporter, http.StatusForbidden, "own_unit_only"},
				{"unknown source", problemBody(fx.town, "来源", map[string]any{"source": "rumour"}), reporter, http.StatusBadRequest, "invalid_request"},
				{"a viewer", problemBody(fx.town, "查看员", nil), h.as("viewer"), http.StatusForbidden, "forbidden"},
			} {
				t.Run(c.name, func(t *testing.T) { expect(t, h.Post(problemsPath, c.body, c.who), c.status, c.code) })
			}
		})

		t.Run("edit and rectify", func(t *testing.T) {
			id := p.Id.String()
			expect(t, h.Patch(problemPath(id), map[string]any{"category": "执法"}, reporter), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Patch(problemPath(id), map[string]any{"category": "执法"}, with(matching(p.Version+1), reporter)), http.StatusPreconditionFailed, "version_mismatch")
			expect(t, h.Patch(problemPath(id), map[string]any{"taskIds": []string{unpublished.Id.String()}}, with(matching(p.Version), reporter)),
				http.StatusUnprocessableEntity, "problem_invalid")
			expect(t, h.Patch(problemPath(id), map[string]any{"category": "执法"}, with(matching(p.Version), cityReporter)), http.StatusForbidden, "own_unit_only")
			resp := h.Patch(problemPath(id), map[string]any{"rectificationTaskId": fixTask.Id.String(), "taskIds": []string{}}, with(matching(p.Version), reporter))
			expect(t, resp, http.StatusOK, "")
			resp.JSON(t, &p)
			if p.RectificationTaskId == nil || *p.RectificationTaskId != fixTask.Id || len(p.TaskIds) != 0 || len(p.IndicatorIds) != 1 || p.Version != 2 {
				t.Errorf("patched %+v", p)
			}
			h.problemAct(t, id, "rectify", nil, reporter, http.StatusUnprocessableEntity, "problem_measures_missing")
			h.problemAct(t, id, "rectify", map[string]any{"measures": "开展案卷评查", "rectificationTaskId": unpublished.Id.String()}, reporter,
				http.StatusUnprocessableEntity, "problem_invalid")
			h.problemAct(t, id, "rectify", map[string]any{"measures": "开展案卷评查"}, cityReporter, http.StatusForbidden, "own_unit_only")
			h.problemAct(t, id, "sign-off", nil, reviewer, http.StatusConflict, "problem_not_rectifying")
			p = h.problemAct(t, id, "rectify", map[string]any{"measures": "开展案卷评查，规范告知程序。"}, reporter, http.StatusOK, "")
			if p.Status != "rectifying" || p.RectifyingSince == nil || p.Measures != "开展案卷评查，规范告知程序。" || *p.RectificationTaskId != fixTask.Id {
				t.Errorf("rectifying %+v", p)
			}
			h.problemAct(t, id, "rectify", map[string]any{"measures": "再次"}, reporter, http.StatusConflict, "problem_not_open")
			expect(t, h.Delete(problemPath(id), with(matching(p.Version), reporter)), http.StatusConflict, "problem_not_open")
			// The rectification task finds its problems.
			got := listAll[api.ProblemRecord](t, h, problemsPath, nil, url.Values{"taskId": {fixTask.Id.String()}}, 10)
			if len(got) != 1 || got[0].Id != p.Id {
				t.Errorf("problems of the task %+v", got)
			}
			if got := listAll[api.ProblemRecord](t, h, problemsPath, nil, url.Values{"indicatorId": {fx.publishedIndicator}, "unitId": {fx.town}}, 10); len(got) != 1 {
				t.Errorf("problems of the indicator %+v", got)
			}
		})

		t.Run("sign off", func(t *testing.T) {
			id := p.Id.String()
			h.problemAct(t, id, "sign-off", nil, reviewer, http.StatusConflict, "problem_evidence_missing")
			expect(t, h.uploadEvidence(t, problemPath(id, "evidence"), "x.pdf", testPDF, cityReporter), http.StatusForbidden, "own_unit_only")
			resp := h.uploadEvidence(t, problemPath(id, "evidence"), "整改报告.pdf", testPDF, reporter)
			expect(t, resp, http.StatusCreated, "")
			var e api.Evidence
			resp.JSON(t, &e)
			h.problemAct(t, id, "sign-off", nil, reporter, http.StatusForbidden, "forbidden") // a reviewer's, not a reporter's
			expect(t, h.Get(problemPath(id), key), http.StatusNotFound, "not_found")
			expect(t, h.Get("/api/v1/evidence/"+e.Id.String()+"/content", key), http.StatusNotFound, "not_found")
			expect(t, h.Get(problemPath(id), justiceReviewer), http.StatusNotFound, "not_found")
			h.problemAct(t, id, "sign-off", map[string]any{"note": "经核查，整改到位"}, justiceReviewer, http.StatusNotFound, "not_found")
			done := h.problemAct(t, id, "sign-off", map[string]any{"note": "经核查，整改到位"}, reviewer, http.StatusOK, "")
			if done.Status != "signed_off" || done.SignedOffBy == nil || done.SignedOffBy.Id.String() != fx.users["reviewer"].ID ||
				done.SignOffNote == nil || len(done.Evidence) != 1 {
				t.Errorf("signed off %+v", done)
			}
			h.problemAct(t, id, "sign-off", nil, city, http.StatusConflict, "problem_not_rectifying")
			resp = h.Patch(problemPath(id), map[string]any{"category": "改"}, with(matching(done.Version), reporter))
			expect(t, resp, http.StatusConflict, "problem_signed_off")
			if pr := resp.Problem(t); !slices.Equal(pr.AllowedStates, []string{"open", "rectifying"}) {
				t.Errorf("allowedStates %v", pr.AllowedStates)
			}
			expect(t, h.uploadEvidence(t, problemPath(id, "evidence"), "y.pdf", testPDF, reporter), http.StatusConflict, "problem_signed_off")
			// Signed off is released: keys and every user see it and its
			// evidence; another subtree's users may not change it.
			getOK[api.ProblemRecord](t, h, problemPath(id), key)
			expect(t, h.Get("/api/v1/evidence/"+e.Id.String()+"/content", key), http.StatusOK, "")
			getOK[api.ProblemRecord](t, h, problemPath(id), justiceReviewer)
			expect(t, h.Patch(problemPath(id), map[string]any{"category": "改"}, with(matching(done.Version), justiceReviewer)), http.StatusForbidden, "outside_subtree")
			expect(t, h.Delete(problemPath(id), with(matching(done.Version), justiceReviewer)), http.StatusForbidden, "outside_subtree")
			h.problemAct(t, id, "rectify", map[string]any{"measures": "x"}, justiceReviewer, http.StatusForbidden, "outside_subtree")
			h.problemAct(t, id, "sign-off", nil, justiceReviewer, http.StatusForbidden, "outside_subtree")
			expect(t, h.uploadEvidence(t, problemPath(id, "evidence"), "z.pdf", testPDF, justiceReviewer), http.StatusForbidden, "outside_subtree")
			keyList := listAll[api.ProblemRecord](t, h, problemsPath, key, url.Values{"unitId": {fx.town}}, 10)
			if len(keyList) != 1 || keyList[0].Id != p.Id {
				t.Errorf("a key lists %+v", keyList)
			}
		})

		t.Run("self review", func(t *testing.T) {
			own := h.newProblem(t, problemBody(fx.district, "区自查问题", map[string]any{"measures": "整改"}), reviewer)
			h.problemAct(t, own.Id.String(), "rectify", nil, reviewer, http.StatusOK, "")
			expect(t, h.uploadEvidence(t, problemPath(own.Id.String(), "evidence"), "r.pdf", testPDF, reviewer), http.StatusCreated, "")
			h.problemAct(t, own.Id.String(), "sign-off", nil, reviewer, http.StatusForbidden, "self_review")
			h.problemAct(t, own.Id.String(), "sign-off", nil, city, http.StatusOK, "")
		})

		t.Run("delete", func(t *testing.T) {
			mistake := h.newProblem(t, problemBody(fx.town, "误录的问题", nil), reporter)
			id := mistake.Id.String()
			expect(t, h.Delete(problemPath(id), reporter), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Delete(problemPath(id), with(matching(mistake.Version+1), reporter)), http.StatusPreconditionFailed, "version_mismatch")
			expect(t, h.Delete(problemPath(id), with(matching(mistake.Version), cityReporter)), http.StatusForbidden, "own_unit_only")
			expect(t, h.Delete(problemPath(id), with(matching(mistake.Version), reporter)), http.StatusNoContent, "")
			expect(t, h.Get(problemPath(id), nil), http.StatusNotFound, "not_found")
		})

		t.Run("lists", func(t *testing.T) {
			for _, c := range []struct {
				who   map[string]string
				query url.Values
				want  int
			}{
				{nil, url.Values{"source": {"supervision"}, "unitId": {fx.district}}, 1},
				{nil, url.Values{"status": {"signed_off"}, "unitId": {fx.district}}, 1},
				{reporter, url.Values{"unitId": {fx.district}}, 1},        // the town's reporter sees the district's signed-off one only
				{justiceReviewer, url.Values{"unitId": {fx.town}}, 1},     // the town's signed-off problem
				{justiceReviewer, url.Values{"unitId": {fx.district}}, 1}, // the district's signed-off problem
			} {
				if got := listAll[api.ProblemRecord](t, h, problemsPath, c.who, c.query, 2); len(got) != c.want {
					t.Errorf("%v lists %d problems for %v, want %d", c.who, len(got), c.query, c.want)
				}
			}
			town := listAll[api.ProblemRecord](t, h, problemsPath, nil, url.Values{"year": {"2021"}, "unitId": {fx.town}}, 2)
			if !slices.ContainsFunc(town, func(q api.ProblemRecord) bool { return q.Id == p.Id }) ||
				slices.ContainsFunc(town, func(q api.ProblemRecord) bool { return q.UnitId.String() != fx.town || q.Year != 2021 }) {
				t.Errorf("the town's problems of 2021: %+v", town)
			}
			expect(t, h.Get(problemPath(absentID), nil), http.StatusNotFound, "not_found")
		})

		t.Run("evidence full", func(t *testing.T) {
			full := h.newProblem(t, problemBody(fx.town, "材料很多的问题", nil), reporter)
			path := problemPath(full.Id.String(), "evidence")
			h.fillEvidence(t, models.EvidenceOfProblem, full.Id.String(), models.MaxEvidence-1)
			expect(t, h.uploadEvidence(t, path, "材料100.pdf", testPDF, reporter), http.StatusCreated, "")
			expect(t, h.uploadEvidence(t, path, "材料101.pdf", testPDF, reporter), http.StatusConflict, "evidence_full")
		})
	})
}
