package server_test

// Annual reports through HTTP: drafted from a district's records of 2020,
// rewritten part by part with figures traced, signed off (untraced figures
// refused unless accepted), reopened, submitted, published, exported, and
// judged against the 1 March and 1 April deadlines.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
)

const annualReportsPath = "/api/v1/annual-reports"

func annualReportPath(id string, rest ...string) string {
	return strings.Join(append([]string{annualReportsPath, id}, rest...), "/")
}

func (h *harness) annualReportAct(t *testing.T, id, action string, body any, who map[string]string, status int, code string) api.AnnualReport {
	t.Helper()
	resp := h.Post(annualReportPath(id, action), body, who)
	expect(t, resp, status, code)
	var r api.AnnualReport
	if status == http.StatusOK {
		resp.JSON(t, &r)
	}
	return r
}

// at runs fn with the store's clock at the instant (08:00 in China).
func at(db *dbtest.DB, day string, fn func()) {
	d, _ := time.Parse(time.DateOnly, day)
	restore := db.SetClock(func() time.Time { return d.Add(time.Hour) })
	defer restore()
	fn()
}

func deadlines(t *testing.T, h *harness, year int, asOf string, who map[string]string) map[string]api.AnnualReportDeadline {
	t.Helper()
	items := listAll[api.AnnualReportDeadline](t, h, "/api/v1/annual-report-deadlines", who, url.Values{"year": {"2020"}, "asOf": {asOf}}, 1)
	out := map[string]api.AnnualReportDeadline{}
	for _, d := range items {
		out[d.UnitId.String()] = d
	}
	return out
}

func TestAnnualReports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		fx := h.fx
		reviewer, key := h.as("reviewer"), h.as("key:read")
		_, justiceReviewer := h.signedIn(t, fx.justice, "reviewer")
		_, cityViewer := h.signedIn(t, fx.city, "viewer")

		// The district's records: its 2020 plan with one task done, a
		// problem of 2020, and its plan of 2021.
		plan := h.newPlan(t, reviewer, fx.district, 2020)
		done := h.newTask(t, plan.Id.String(), taskBody("1", "开展行政执法培训", map[string]any{"content": "培训执法人员320人次。", "leadUnitIds": []string{fx.district}}))
		h.newTask(t, plan.Id.String(), taskBody("2", "未完成的任务", map[string]any{"content": "推进中。", "leadUnitIds": []string{fx.district}}))
		h.planAct(t, plan.Id.String(), "publish", nil, reviewer, http.StatusOK, "")
		h.taskAct(t, done.Id.String(), "complete", nil, reviewer, http.StatusOK, "")
		h.newProblem(t, withBody(problemBody(fx.district, "执法监督力量薄弱", map[string]any{"detail": "乡镇执法监督体系亟需完善。"}), map[string]any{"year": 2020}), reviewer)
		next := h.newPlan(t, reviewer, fx.district, 2021)
		h.newTask(t, next.Id.String(), taskBody("1", "加强法治队伍建设", map[string]any{"content": "开展全员轮训。"}))
		h.planAct(t, next.Id.String(), "publish", nil, reviewer, http.StatusOK, "")

		var report api.AnnualReport
		t.Run("draft", func(t *testing.T) {
			at(db, "2021-02-10", func() {
				resp := h.Post(annualReportsPath, map[string]any{"unitId": fx.district, "year": 2020}, reviewer)
				expect(t, resp, http.StatusCreated, "")
				resp.JSON(t, &report)
				etagIs(t, resp, report.Version)
			})
			if report.Status != "draft" || len(report.Sections) != 5 || len(report.UntracedFigures) != 0 {
				t.Fatalf("draft %+v", report)
			}
			one, two, four := report.Sections[0], report.Sections[1], report.Sections[3]
			if len(one.Paragraphs) != 1 || *one.Paragraphs[0].Heading != "（一）开展行政执法培训" || one.Paragraphs[0].Sentences[0].Text != "培训执法人员320人次。" {
				t.Errorf("part one %+v", one)
			}
			if f := one.Paragraphs[0].Sentences[0].Figures; len(f) != 1 || f[0].Value != "320" || f[0].Source == nil || f[0].Source.Id != done.Id {
				t.Errorf("the figure 320 is traced to %+v, want the task", f)
			}
			if len(two.Paragraphs) != 1 || !strings.HasPrefix(two.Paragraphs[0].Sentences[0].Text, "一是执法监督力量薄弱。") {
				t.Errorf("part two %+v", two)
			}
			if len(four.Paragraphs) != 1 || *four.Paragraphs[0].Heading != "1.加强法治队伍建设" {
				t.Errorf("part four %+v", four)
			}
			expect(t, h.Post(annualReportsPath, map[string]any{"unitId": fx.district, "year": 2020}, reviewer), http.StatusConflict, "report_exists")
			expect(t, h.Post(annualReportsPath, map[string]any{"unitId": absentID, "year": 2020}, nil), http.StatusUnprocessableEntity, "report_invalid")
			expect(t, h.Post(annualReportsPath, map[string]any{"unitId": fx.city, "year": 2020}, reviewer), http.StatusForbidden, "outside_subtree")
			expect(t, h.Post(annualReportsPath, map[string]any{"unitId": fx.district, "year": 2020}, h.as("reporter")), http.StatusForbidden, "forbidden")
			// A draft is the district's: keys and other subtrees do not see it.
			expect(t, h.Get(annualReportPath(report.Id.String()), key), http.StatusNotFound, "not_found")
			expect(t, h.Get(annualReportPath(report.Id.String()), justiceReviewer), http.StatusNotFound, "not_found")
			expect(t, h.Get(annualReportPath(absentID), nil), http.StatusNotFound, "not_found")
		})

		id := report.Id.String()
		t.Run("rewrite", func(t *testing.T) {
			part := annualReportPath(id, "sections", "3")
			body := map[string]any{"paragraphs": []any{map[string]any{"sentences": []any{
				map[string]any{"text": "区政府主要负责人3次专题研究法治政府建设。"}}}}}
			expect(t, h.Put(part, body, reviewer), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Put(part, body, with(matching(report.Version+1), reviewer)), http.StatusPreconditionFailed, "version_mismatch")
			empty := map[string]any{"paragraphs": []any{map[string]any{"sentences": []any{map[string]any{"text": " "}}}}}
			expect(t, h.Put(part, empty, with(matching(report.Version), reviewer)), http.StatusUnprocessableEntity, "report_invalid")
			resp := h.Put(part, body, with(matching(report.Version), reviewer))
			expect(t, resp, http.StatusOK, "")
			resp.JSON(t, &report)
			if len(report.UntracedFigures) != 1 || report.UntracedFigures[0].Text != "3" || report.Version != 2 {
				t.Errorf("after the rewrite: version %d, untraced %+v", report.Version, report.UntracedFigures)
			}
			// Part one rewritten: 320 keeps its task while the sentence names it.
			one := map[string]any{"paragraphs": []any{map[string]any{"heading": "（一）执法培训", "sentences": []any{
				map[string]any{"text": "全年培训执法人员320人次，覆盖全部执法部门。", "sources": []any{map[string]any{"type": "plan_task", "id": done.Id.String()}}}}}}}
			resp = h.Put(annualReportPath(id, "sections", "1"), one, with(matching(report.Version), reviewer))
			expect(t, resp, http.StatusOK, "")
			resp.JSON(t, &report)
			if f := report.Sections[0].Paragraphs[0].Sentences[0].Figures; len(f) != 1 || f[0].Source == nil || len(report.UntracedFigures) != 1 {
				t.Errorf("the rewritten 320: %+v, untraced %+v", f, report.UntracedFigures)
			}
			versions := listAll[api.AnnualReportVersion](t, h, annualReportPath(id, "versions"), reviewer, nil, 1)
			if len(versions) != 3 || versions[0].Part != 0 || versions[1].Part != 3 || versions[2].Part != 1 || versions[0].Version != 1 {
				t.Errorf("versions %+v", versions)
			}
		})

		t.Run("export", func(t *testing.T) {
			resp := h.Get(annualReportPath(id, "export"), reviewer)
			expect(t, resp, http.StatusOK, "")
			if ct := resp.Header.Get("Content-Type"); ct != "text/markdown; charset=utf-8" || !strings.Contains(string(resp.Body), "## 二、存在的不足和原因") {
				t.Errorf("markdown %s:\n%s", ct, resp.Body)
			}
			resp = h.Get(annualReportPath(id, "export")+"?format=html", reviewer)
			expect(t, resp, http.StatusOK, "")
			for _, want := range []string{`<h2>五、其他</h2>`, `href="/api/v1/plan-tasks/` + done.Id.String() + `"`, `<mark class="untraced" title="未关联数据来源">3</mark>`} {
				if !strings.Contains(string(resp.Body), want) {
					t.Errorf("the HTML lacks %s", want)
				}
			}
			resp = h.Get(annualReportPath(id, "export")+"?format=docx", reviewer)
			expect(t, resp, http.StatusOK, "")
			if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" ||
				!strings.HasPrefix(string(resp.Body), "PK") || !strings.Contains(resp.Header.Get("Content-Disposition"), ".docx") {
				t.Errorf("Word: %s, %s, %d bytes", ct, resp.Header.Get("Content-Disposition"), len(resp.Body))
			}
			expect(t, h.Get(annualReportPath(absentID, "export"), nil), http.StatusNotFound, "not_found")
		})

		t.Run("sign off and submit", func(t *testing.T) {
			h.annualReportAct(t, id, "reopen", nil, reviewer, http.StatusConflict, "report_not_signed_off")
			h.annualReportAct(t, id, "submit", nil, reviewer, http.StatusConflict, "report_not_signed_off")
			h.annualReportAct(t, id, "publish", nil, reviewer, http.StatusConflict, "report_not_submitted")
			h.annualReportAct(t, id, "sign-off", nil, reviewer, http.StatusConflict, "report_untraced_figures")
			signed := h.annualReportAct(t, id, "sign-off", map[string]any{"acceptUntraced": true}, reviewer, http.StatusOK, "")
			if signed.Status != "signed_off" || signed.SignedOffBy == nil {
				t.Errorf("signed off %+v", signed)
			}
			expect(t, h.Put(annualReportPath(id, "sections", "5"), map[string]any{"paragraphs": []any{}}, with(matching(signed.Version), reviewer)),
				http.StatusConflict, "report_not_draft")
			h.annualReportAct(t, id, "reopen", nil, reviewer, http.StatusOK, "")
			h.annualReportAct(t, id, "sign-off", map[string]any{"acceptUntraced": true}, reviewer, http.StatusOK, "")
			at(db, "2021-02-27", func() {
				submitted := h.annualReportAct(t, id, "submit", nil, reviewer, http.StatusOK, "")
				if submitted.Status != "submitted" || submitted.SubmittedAt == nil {
					t.Errorf("submitted %+v", submitted)
				}
			})
			h.annualReportAct(t, id, "sign-off", nil, reviewer, http.StatusConflict, "report_not_draft")
			expect(t, h.Delete(annualReportPath(id), with(matching(report.Version+4), reviewer)), http.StatusConflict, "report_not_draft")
			// Submitted is released: keys and other subtrees see it; another
			// subtree may not change it.
			getOK[api.AnnualReport](t, h, annualReportPath(id), key)
			getOK[api.AnnualReport](t, h, annualReportPath(id), justiceReviewer)
			if got := listAll[api.AnnualReport](t, h, annualReportsPath, key, url.Values{"unitId": {fx.district}, "year": {"2020"}}, 10); len(got) != 1 {
				t.Errorf("a key lists %d reports of the district's 2020", len(got))
			}
			for _, action := range []string{"sign-off", "reopen", "submit", "publish"} {
				h.annualReportAct(t, id, action, nil, justiceReviewer, http.StatusForbidden, "outside_subtree")
			}
			expect(t, h.Put(annualReportPath(id, "sections", "5"), map[string]any{"paragraphs": []any{}}, with(matching(1), justiceReviewer)),
				http.StatusForbidden, "outside_subtree")
			expect(t, h.Delete(annualReportPath(id), with(matching(1), justiceReviewer)), http.StatusForbidden, "outside_subtree")
		})

		t.Run("deadlines", func(t *testing.T) {
			for _, c := range []struct {
				asOf                    string
				district, justice, city models.Timeliness
				districtPub, justicePub models.Timeliness
			}{
				{"2021-02-20", models.OnTime, models.Due, models.Due, models.Due, models.Due},
				{"2021-03-01", models.OnTime, models.Missing, models.Missing, models.Due, models.Due},
				{"2021-03-31", models.OnTime, models.Missing, models.Missing, models.Due, models.Due},
				{"2021-04-01", models.OnTime, models.Missing, models.Missing, models.Missing, models.Missing},
			} {
				got := deadlines(t, h, 2020, c.asOf, cityViewer)
				d, j, city := got[fx.district], got[fx.justice], got[fx.city]
				if d.SubmitBefore.String() != "2021-03-01" || d.PublishBefore.String() != "2021-04-01" || d.ReportId == nil || d.ReportId.String() != id {
					t.Errorf("%s: the district %+v", c.asOf, d)
				}
				if string(d.Submission) != string(c.district) || string(j.Submission) != string(c.justice) || string(city.Submission) != string(c.city) ||
					string(d.Publication) != string(c.districtPub) || string(j.Publication) != string(c.justicePub) {
					t.Errorf("%s: district %s/%s, justice %s/%s, city %s", c.asOf, d.Submission, d.Publication, j.Submission, j.Publication, city.Submission)
				}
				if _, ok := got[fx.town]; ok {
					t.Errorf("a town is listed among the units that report")
				}
			}
			at(db, "2021-04-02", func() {
				h.annualReportAct(t, id, "publish", nil, reviewer, http.StatusOK, "")
			})
			if d := deadlines(t, h, 2020, "2021-04-05", reviewer)[fx.district]; d.Publication != "late" || d.Status == nil || *d.Status != "published" {
				t.Errorf("published on 2 April: %+v", d)
			}
			// A key knows of released reports only.
			if d := deadlines(t, h, 2020, "2021-04-05", key)[fx.district]; d.ReportId == nil {
				t.Errorf("a key does not see the published report: %+v", d)
			}
		})

		t.Run("delete", func(t *testing.T) {
			resp := h.Post(annualReportsPath, map[string]any{"unitId": fx.justice, "year": 2020}, nil)
			expect(t, resp, http.StatusCreated, "")
			var r api.AnnualReport
			resp.JSON(t, &r)
			path := annualReportPath(r.Id.String())
			expect(t, h.Delete(path, nil), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Delete(path, matching(r.Version+1)), http.StatusPreconditionFailed, "version_mismatch")
			expect(t, h.Delete(path, matching(r.Version)), http.StatusNoContent, "")
			expect(t, h.Get(path, nil), http.StatusNotFound, "not_found")
		})
	})
}
