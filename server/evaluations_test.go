package server_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
)

const evaluationsPath = "/api/v1/evaluations"

// evalPath is the path of an evaluation, or of one of its sub-resources.
func evalPath(id string, rest ...string) string {
	return strings.Join(append([]string{evaluationsPath, id}, rest...), "/")
}

// createEvaluation starts an evaluation as the administrator, expecting 201
// with its Location and ETag.
func (h *harness) createEvaluation(t *testing.T, body map[string]any) api.Evaluation {
	t.Helper()
	resp := h.Post(evaluationsPath, body, nil)
	if resp.Status != http.StatusCreated {
		t.Fatalf("create evaluation %v: status %d, body %s", body, resp.Status, resp.Body)
	}
	var e api.Evaluation
	resp.JSON(t, &e)
	if got, want := resp.Header.Get("Location"), evalPath(e.Id.String()); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := resp.Header.Get("ETag"); got != `"1"` {
		t.Errorf("ETag = %q, want \"1\"", got)
	}
	if e.Status != "draft" || e.Version != 1 || e.PublishedAt != nil || e.PublishedBy != nil || e.SupersededById != nil {
		t.Errorf("new evaluation %+v", e)
	}
	return e
}

// getEvaluation reads an evaluation as who, expecting 200 and an ETag of its version.
func (h *harness) getEvaluation(t *testing.T, id string, who map[string]string) api.Evaluation {
	t.Helper()
	e, resp := getOK[api.Evaluation](t, h, evalPath(id), who)
	if got, want := resp.Header.Get("ETag"), fmt.Sprintf(`"%d"`, e.Version); got != want {
		t.Errorf("ETag %s, want %s", got, want)
	}
	return e
}

// publishEvaluation publishes at version v as the administrator.
func (h *harness) publishEvaluation(t *testing.T, id string, v int64) api.Evaluation {
	t.Helper()
	resp := h.Post(evalPath(id, "publish"), nil, matching(v))
	expect(t, resp, http.StatusOK, "")
	var e api.Evaluation
	resp.JSON(t, &e)
	if got, want := resp.Header.Get("ETag"), fmt.Sprintf(`"%d"`, v+1); got != want {
		t.Errorf("ETag after publish %s, want %s", got, want)
	}
	return e
}

// ranking reads a whole ranking as who, in one page and one entry a page,
// failing the test unless both agree.
func (h *harness) ranking(t *testing.T, id string, who map[string]string) []api.RankingEntry {
	t.Helper()
	whole := listAll[api.RankingEntry](t, h, evalPath(id, "ranking"), who, nil, 500)
	paged := listAll[api.RankingEntry](t, h, evalPath(id, "ranking"), who, nil, 1)
	if a, b := string(mustJSON(t, whole)), string(mustJSON(t, paged)); a != b {
		t.Errorf("ranking in one page:\n%s\none a page:\n%s", a, b)
	}
	return whole
}

func (h *harness) scorecard(t *testing.T, id, unitID string, who map[string]string) api.Scorecard {
	t.Helper()
	c, _ := getOK[api.Scorecard](t, h, evalPath(id, "units", unitID), who)
	return c
}

// compare reads a whole comparison as who, in one page and one unit a page.
func (h *harness) compare(t *testing.T, id, with string, who map[string]string) []api.UnitComparison {
	t.Helper()
	path := evalPath(id, "compare")
	page, _ := getOK[api.ComparisonPage](t, h, path+"?with="+with, who)
	if page.EvaluationId.String() != id || page.PreviousEvaluationId.String() != with || page.NextCursor != nil {
		t.Errorf("comparison of %s with %s: %s, %s, next %v", id, with, page.EvaluationId, page.PreviousEvaluationId, page.NextCursor)
	}
	paged := listAll[api.UnitComparison](t, h, path, who, url.Values{"with": {with}}, 1)
	if a, b := string(mustJSON(t, page.Items)), string(mustJSON(t, paged)); a != b {
		t.Errorf("comparison in one page:\n%s\none a page:\n%s", a, b)
	}
	// A cursor whose position a client pushed past the end (to the
	// largest int) is an empty last page, not an overflow.
	first, _ := getOK[api.ComparisonPage](t, h, path+"?limit=1&with="+with, who)
	if first.NextCursor != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*first.NextCursor)
		if err != nil {
			t.Fatal(err)
		}
		var c map[string]string
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		c["k"] = strconv.Itoa(math.MaxInt)
		raw, _ = json.Marshal(c)
		far, _ := getOK[api.ComparisonPage](t, h, path+"?limit=1&with="+with+"&cursor="+base64.RawURLEncoding.EncodeToString(raw), who)
		if len(far.Items) != 0 || far.NextCursor != nil {
			t.Errorf("a page past the end: %+v", far)
		}
	}
	return page.Items
}

func evaluationIDs(es []api.Evaluation) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Id.String()
	}
	return out
}

// listEvaluations reads every evaluation matching query as who, one a page.
func (h *harness) listEvaluations(t *testing.T, who map[string]string, query url.Values) []string {
	t.Helper()
	return evaluationIDs(listAll[api.Evaluation](t, h, evaluationsPath, who, query, 1))
}

func decStr(d *exact.Decimal) string {
	if d == nil {
		return "nil"
	}
	return d.String()
}

// scoreLine is one indicator's score with everything that explains it, on
// one line: code, method, reason, score/points, points lost, the value and
// what it was held against, and the message.
func scoreLine(s api.IndicatorScore) string {
	var b strings.Builder
	method := "-"
	if s.Method != nil {
		method = string(*s.Method)
	}
	fmt.Fprintf(&b, "%s %s %s %s/%s lost %s", s.Code, method, s.Reason, s.Score, s.Points, s.Lost)
	if s.Value != nil {
		fmt.Fprintf(&b, " value=%s", s.Value)
	}
	if s.YesNo != nil {
		if *s.YesNo {
			b.WriteString(" yes")
		} else {
			b.WriteString(" no")
		}
	}
	if s.Qualifier != nil && *s.Qualifier != "exact" {
		fmt.Fprintf(&b, " qualifier=%s", *s.Qualifier)
	}
	if s.Period != nil {
		fmt.Fprintf(&b, " @%s", *s.Period)
	}
	if tg := s.Target; tg != nil {
		fmt.Fprintf(&b, " target=%s %s", tg.Comparator, tg.Value)
		if tg.ValueTo != nil {
			fmt.Fprintf(&b, "–%s", tg.ValueTo)
		}
		if tg.UnitSpecific {
			b.WriteString(" own")
		}
	}
	if s.Attainment != nil {
		fmt.Fprintf(&b, " att=%s", s.Attainment)
	}
	if bd := s.Band; bd != nil {
		lo, hi := "-∞", "+∞"
		if bd.Min != nil {
			lo = bd.Min.String()
		}
		if bd.Max != nil {
			hi = bd.Max.String()
		}
		fmt.Fprintf(&b, " band=[%s,%s)=%s", lo, hi, bd.Points)
	}
	if s.Occurrences != nil || s.PerOccurrence != nil || s.Deducted != nil {
		fmt.Fprintf(&b, " occ=%s×%s=%s", decStr(s.Occurrences), decStr(s.PerOccurrence), decStr(s.Deducted))
	}
	if s.ReviewScore != nil {
		fmt.Fprintf(&b, " review=%s", s.ReviewScore)
	}
	fmt.Fprintf(&b, " | %s", s.Message)
	return b.String()
}

func scoreLines(c api.Scorecard) []string {
	out := make([]string, len(c.Scores))
	for i, s := range c.Scores {
		out[i] = scoreLine(s)
	}
	return out
}

func areaLine(as []api.AreaScore) string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = fmt.Sprintf("%s %s/%s", a.Code, a.Score, a.Points)
	}
	return strings.Join(out, ", ")
}

// rankLine is a ranking entry on one line, its unit by its short name.
func rankLine(e api.RankingEntry, name map[string]string) string {
	return fmt.Sprintf("%d %s %s/%s %s [%s]", e.Rank, name[e.UnitId.String()], e.Total, e.Points, strOf(e.Grade), areaLine(e.Areas))
}

func rankLines(es []api.RankingEntry, name map[string]string) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = rankLine(e, name)
	}
	return out
}

// cardHead is a scorecard's summary on one line.
func cardHead(c api.Scorecard, name map[string]string) string {
	return fmt.Sprintf("%s %s %s/%s rank %d of %d %s [%s]", c.EvaluationStatus, name[c.UnitId.String()], c.Total, c.Points,
		c.Rank, c.UnitsRanked, strOf(c.Grade), areaLine(c.Areas))
}

// changeLines are a comparison's units on a line each, units by short name
// and indicators by code (label maps ids to codes).
func changeLines(us []api.UnitComparison, name, label map[string]string) []string {
	out := make([]string, len(us))
	for i, u := range us {
		inds := make([]string, len(u.Indicators))
		for j, c := range u.Indicators {
			inds[j] = fmt.Sprintf("%s←%s %s→%s %s", label[c.IndicatorId.String()], label[c.PreviousIndicatorId.String()], c.PreviousScore, c.Score, c.Change)
		}
		out[i] = fmt.Sprintf("%s %s→%s %s rank %d→%d %+d [%s]", name[u.UnitId.String()], u.PreviousTotal, u.Total, u.Change,
			u.PreviousRank, u.Rank, u.RankChange, strings.Join(inds, ", "))
	}
	return out
}

// sameLines fails the test with both lists, line by line, unless they are equal.
func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	t.Errorf("%s:\n got:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
}

// The year of an evaluation, through the API: a system with grade bands and
// indicators of every scoring method, the year's targets, four units
// reporting (one value returned and corrected), bulk approval, the draft's
// ranking and scorecards, a correction of an approved value before
// publication, publication (which freezes the results and locks the values),
// a superseding correction, and comparisons within a system and across its
// editions.
func TestEvaluationYear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		admin, reviewer, town := h.as("admin"), h.as("reviewer"), h.as("reporter")
		reader := h.as("key:read")

		// Units: the fixture district (D) and town (T) below it, and two more
		// towns below the district (A, B), each with a reporter of its own.
		townArea := areaCode()
		unitA := h.createUnit(t, map[string]any{"code": townArea + "001", "name": "兴隆街道", "kind": "town", "parentId": h.fx.district})
		unitB := h.createUnit(t, map[string]any{"code": townArea + "002", "name": "铁东街道", "kind": "town", "parentId": h.fx.district})
		D, T, A, B := h.fx.district, h.fx.town, unitA.Id.String(), unitB.Id.String()
		name := map[string]string{D: "D", T: "T", A: "A", B: "B"}
		repD := h.signedIn2(t, D, "reporter")
		repA := h.signedIn2(t, A, "reporter")
		repB := h.signedIn2(t, B, "reporter")

		// The system: 100 points in two areas, graded 优秀 ≥ 90, 良好 ≥ 80,
		// 合格 ≥ 60, 不合格 ≥ 0.
		grades := []map[string]any{{"grade": "优秀", "min": "90"}, {"grade": "良好", "min": "80"},
			{"grade": "合格", "min": "60"}, {"grade": "不合格", "min": "0"}}
		sys := h.newSystem(t, p, map[string]any{"name": "测试市法治政府建设考核指标 " + p, "yearFrom": 2021, "yearTo": 2021, "gradeBands": grades})
		sid := sys.Id.String()
		area1 := h.newIndicator(t, sid, indicatorBody("1", "60", nil, map[string]any{"name": "依法全面履行政府职能"}))
		i11 := h.newIndicator(t, sid, indicatorBody("1.1", "10", &area1, map[string]any{"name": "政务服务事项全程网办率",
			"valueType": "percent", "measureUnit": "%", "scoring": map[string]any{"method": "linear"}, "reportingUnitIds": []string{D, T}}))
		i12 := h.newIndicator(t, sid, indicatorBody("1.2", "10", &area1, map[string]any{"name": "行政许可平均办理时限",
			"direction": "lower_better", "measureUnit": "工作日", "scoring": map[string]any{"method": "target_met"}}))
		i13 := h.newIndicator(t, sid, indicatorBody("1.3", "20", &area1, map[string]any{"name": "群众满意度",
			"valueType": "percent", "measureUnit": "%", "scoring": map[string]any{"method": "tiered", "bands": []map[string]any{
				{"min": "90", "points": "20"}, {"min": "80", "max": "90", "points": "15"}, {"min": "60", "max": "80", "points": "12.5"}}}}))
		i14 := h.newIndicator(t, sid, indicatorBody("1.4", "20", &area1, map[string]any{"name": "矛盾纠纷调处件数",
			"frequency": "quarter", "measureUnit": "件", "scoring": map[string]any{"method": "linear"}}))
		area2 := h.newIndicator(t, sid, indicatorBody("2", "40", nil, map[string]any{"name": "严格规范公正文明执法"}))
		i21 := h.newIndicator(t, sid, indicatorBody("2.1", "10", &area2, map[string]any{"name": "行政执法公示制度落实",
			"valueType": "yes_no", "scoring": map[string]any{"method": "yes_no"}, "reportingUnitIds": []string{A, T}}))
		i22 := h.newIndicator(t, sid, indicatorBody("2.2", "20", &area2, map[string]any{"name": "行政复议被纠错案件",
			"direction": "lower_better", "measureUnit": "件", "scoring": map[string]any{"method": "deduction", "perOccurrence": "7.5"}}))
		i23 := h.newIndicator(t, sid, indicatorBody("2.3", "10", &area2, map[string]any{"name": "法治政府建设年度报告",
			"valueType": "text", "scoring": map[string]any{"method": "manual"}}))
		h.publish(t, sid)
		if got := h.getSystem(t, sid); got.GradeBands == nil || string(mustJSON(t, *got.GradeBands)) != string(mustJSON(t, grades)) {
			t.Errorf("grade bands %s, want %s", mustJSON(t, got.GradeBands), mustJSON(t, grades))
		}
		if got := h.getIndicator(t, i13.Id.String()); got.Scoring == nil || got.Scoring.Method != "tiered" || got.Scoring.Bands == nil ||
			string(mustJSON(t, *got.Scoring.Bands)) != `[{"min":"90","points":"20"},{"max":"90","min":"80","points":"15"},{"max":"80","min":"60","points":"12.5"}]` {
			t.Errorf("scoring of 1.3: %s", mustJSON(t, got.Scoring))
		}
		label := map[string]string{}
		for _, ind := range []api.Indicator{area1, i11, i12, i13, i14, area2, i21, i22, i23} {
			label[ind.Id.String()] = ind.Code
		}

		// The year's targets: 1.1 ≥ 50% for every unit, ≥ 40% for the town;
		// 1.2 ≤ 30 days; 1.3 has one too, which tiered scoring ignores; 1.4 has
		// targets of the units' own only, none for B. A target of another year
		// plays no part.
		t11 := h.newTarget(t, i11.Id.String(), map[string]any{"year": 2021, "comparator": "gte", "value": "50"})
		h.newTarget(t, i11.Id.String(), map[string]any{"year": 2021, "unitId": T, "comparator": "gte", "value": "40"})
		h.newTarget(t, i11.Id.String(), map[string]any{"year": 2022, "comparator": "gte", "value": "99"})
		h.newTarget(t, i12.Id.String(), map[string]any{"year": 2021, "comparator": "lte", "value": "30"})
		h.newTarget(t, i13.Id.String(), map[string]any{"year": 2021, "comparator": "gte", "value": "90"})
		h.newTarget(t, i14.Id.String(), map[string]any{"year": 2021, "unitId": D, "comparator": "gte", "value": "100"})
		h.newTarget(t, i14.Id.String(), map[string]any{"year": 2021, "unitId": T, "comparator": "gte", "value": "100"})
		h.newTarget(t, i14.Id.String(), map[string]any{"year": 2021, "unitId": A, "comparator": "gte", "value": "80"})

		// The units report the year. 1.4 is quarterly: the year-end figure
		// (Q4) counts, D's Q3 does not.
		yes, no := map[string]any{"yesNo": true}, map[string]any{"yesNo": false}
		text := func(s string) map[string]any { return map[string]any{"text": s} }
		type rep struct {
			who    map[string]string
			ind    api.Indicator
			unit   string
			period string
			value  string
			extra  map[string]any
		}
		reports := []rep{
			{repD, i11, D, "2021", "36", nil}, {repD, i12, D, "2021", "25", nil}, {repD, i13, D, "2021", "85", nil},
			{repD, i14, D, "2021-Q3", "500", nil}, {repD, i14, D, "2021-Q4", "90", nil}, {repD, i21, D, "2021", "", yes},
			{repD, i22, D, "2021", "1", nil}, {repD, i23, D, "2021", "", text("已按时发布年度报告")},
			{town, i11, T, "2021", "36", nil}, {town, i12, T, "2021", "350", nil}, {town, i13, T, "2021", "90", nil},
			{town, i14, T, "2021-Q4", "130", nil}, {town, i21, T, "2021", "", yes}, {town, i22, T, "2021", "0", nil},
			{town, i23, T, "2021", "", text("年度报告已公开")},
			{repA, i11, A, "2021", "60", nil}, {repA, i12, A, "2021", "30", nil}, {repA, i13, A, "2021", "95", nil},
			{repA, i14, A, "2021-Q4", "80", nil}, {repA, i21, A, "2021", "", yes}, {repA, i22, A, "2021", "0", nil},
			{repA, i23, A, "2021", "", text("已报送")},
			{repB, i11, B, "2021", "12.325", map[string]any{"qualifier": "about"}}, {repB, i13, B, "2021", "55", nil},
			{repB, i14, B, "2021-Q4", "50", nil}, {repB, i21, B, "2021", "", no}, {repB, i22, B, "2021", "3", nil},
		}
		type key struct{ ind, unit, period string }
		values := map[key]api.IndicatorValue{}
		for _, r := range reports {
			v := h.report(t, r.who, valueBody(r.ind, r.unit, r.period, r.value, r.extra))
			values[key{r.ind.Code, name[r.unit], r.period}] = h.mustAct(t, v.Id.String(), "submit", nil, r.who, "submitted")
		}
		val := func(code, unit string, period ...string) api.IndicatorValue {
			t.Helper()
			pd := "2021"
			if len(period) > 0 {
				pd = period[0]
			}
			v, ok := values[key{code, unit, pd}]
			if !ok {
				t.Fatalf("no value of %s for %s %s", code, unit, pd)
			}
			return v
		}
		// B's report is still a draft at the year's end: it does not count.
		draftB23 := h.report(t, repB, valueBody(i23, B, "2021", "", text("草稿")))

		// The reviewer returns the town's 350 days; the town corrects it to 35.
		ret := h.mustAct(t, val("1.2", "T").Id.String(), "return", map[string]any{"reason": "办理时限应为工作日数，请核实"}, reviewer, "returned")
		expect(t, h.Patch(valuesPath+"/"+ret.Id.String(), map[string]any{"value": "35", "comment": "已更正"}, with(town, matching(ret.Version))), http.StatusOK, "")
		h.mustAct(t, ret.Id.String(), "submit", nil, town, "submitted")

		// The annual reports are scored by the reviewer; everything else is
		// approved at once: 8 + 7 + 7 + 5 submitted values, less the 2 scored.
		h.mustAct(t, val("2.3", "D").Id.String(), "approve", map[string]any{"reviewScore": "7.3"}, reviewer, "approved")
		h.mustAct(t, val("2.3", "T").Id.String(), "approve", map[string]any{"reviewScore": "1"}, reviewer, "approved")
		resp := h.Post(valuesPath+"/bulk-approve", map[string]any{"systemId": sid}, reviewer)
		expect(t, resp, http.StatusOK, "")
		var bulk api.BulkResult
		resp.JSON(t, &bulk)
		if bulk.Count != 25 {
			t.Fatalf("bulk approval of %d values, want 25", bulk.Count)
		}

		// The evaluation, of the units in an order of the administrator's
		// choosing: it breaks ties.
		e1 := h.createEvaluation(t, map[string]any{"systemId": sid, "year": 2021, "name": "测试市2021年度法治政府建设考核 " + p,
			"unitIds": []string{B, T, D, A}})
		id1 := e1.Id.String()
		if e1.SystemId != sys.Id || e1.Year != 2021 || e1.Name != "测试市2021年度法治政府建设考核 "+p ||
			!slices.Equal(evaluationUnitIDs(e1), []string{B, T, D, A}) || e1.SupersedesId != nil {
			t.Errorf("created %+v", e1)
		}
		if got := h.getEvaluation(t, id1, nil); string(mustJSON(t, got)) != string(mustJSON(t, e1)) {
			t.Errorf("read back %s, created %s", mustJSON(t, got), mustJSON(t, e1))
		}

		// The draft, scored by hand:
		//   D: 1.1 36/50 = 0.72 × 10 = 7.20; 1.2 25 ≤ 30: 10; 1.3 85 in [80, 90): 15;
		//      1.4 Q4 90/100 (its own target) × 20 = 18 → area 1 50.20;
		//      2.1 yes 10; 2.2 1 × 7.5 deducted: 12.50; 2.3 reviewed 7.3 → area 2 29.80; total 80.00.
		//   T: 1.1 36/40 (its own target) × 10 = 9; 1.2 35 > 30: 0; 1.3 90 in [90, ∞): 20;
		//      1.4 130 ≥ 100: capped 20 → 49; 2.1 10; 2.2 none 20; 2.3 reviewed 1 → 31; total 80.00.
		//   A: 1.1 60 > 50 capped 10; 1.2 30 ≤ 30 10; 1.3 95: 20; 1.4 80 = 80 (own): 20 → 60;
		//      2.1 10; 2.2 20; 2.3 approved unscored: 0 → 30; total 90.00.
		//   B: 1.1 12.325/50 = 0.2465 × 10 = 2.465, half up 2.47; 1.2 unreported 0; 1.3 55 in
		//      no band 0; 1.4 no target 0 → 2.47; 2.1 no 0; 2.2 3 × 7.5 = 22.5 ≥ 20: 0; 2.3 a
		//      draft: missing 0 → 0; total 2.47.
		// T and D tie at 80.00 and share rank 2 (T first, as given); B is 4th.
		sameLines(t, "draft ranking", rankLines(h.ranking(t, id1, reviewer), name), []string{
			"1 A 90.00/100 优秀 [1 60.00/60, 2 30.00/40]",
			"2 T 80.00/100 良好 [1 49.00/60, 2 31.00/40]",
			"2 D 80.00/100 良好 [1 50.20/60, 2 29.80/40]",
			"4 B 2.47/100 不合格 [1 2.47/60, 2 0.00/40]",
		})
		first := h.ranking(t, id1, admin)
		if e := first[0]; e.UnitId.String() != A || e.UnitCode != townArea+"001" || e.UnitName != "兴隆街道" {
			t.Errorf("first entry names %s %q %q", e.UnitId, e.UnitCode, e.UnitName)
		}
		wantCards := map[string][]string{
			D: {
				"1 - subtotal 50.20/60 lost 9.80 | 小计 50.2/60",
				"1.1 linear proportional 7.20/10 lost 2.80 value=36 @2021 target=gte 50 att=0.720000 | 未达目标值50%，按比例得分 7.2/10",
				"1.2 target_met met 10.00/10 lost 0.00 value=25 @2021 target=lte 30 | 达到目标值（≤ 30工作日），得满分 10/10",
				"1.3 tiered band 15.00/20 lost 5.00 value=85 @2021 band=[80,90)=15 | 落在区间[80%, 90%)，得 15/20",
				"1.4 linear proportional 18.00/20 lost 2.00 value=90 @2021-Q4 target=gte 100 own att=0.900000 | 未达目标值100件，按比例得分 18/20",
				"2 - subtotal 29.80/40 lost 10.20 | 小计 29.8/40",
				"2.1 yes_no yes 10.00/10 lost 0.00 yes @2021 | 是，得 10/10",
				"2.2 deduction deducted 12.50/20 lost 7.50 value=1 @2021 occ=1×7.5=7.5 | 发生1件，每次扣7.5分，扣7.5分，得 12.5/20",
				"2.3 manual manual 7.30/10 lost 2.70 @2021 review=7.3 | 评审评分 7.3/10",
			},
			T: {
				"1 - subtotal 49.00/60 lost 11.00 | 小计 49/60",
				"1.1 linear proportional 9.00/10 lost 1.00 value=36 @2021 target=gte 40 own att=0.900000 | 未达目标值40%，按比例得分 9/10",
				"1.2 target_met not_met 0.00/10 lost 10.00 value=35 @2021 target=lte 30 | 超过目标值30工作日，得 0/10",
				"1.3 tiered band 20.00/20 lost 0.00 value=90 @2021 band=[90,+∞)=20 | 落在区间[90%, +∞)，得 20/20",
				"1.4 linear capped 20.00/20 lost 0.00 value=130 @2021-Q4 target=gte 100 own att=1.000000 | 优于目标值（≥ 100件），得满分 20/20",
				"2 - subtotal 31.00/40 lost 9.00 | 小计 31/40",
				"2.1 yes_no yes 10.00/10 lost 0.00 yes @2021 | 是，得 10/10",
				"2.2 deduction none_deducted 20.00/20 lost 0.00 value=0 @2021 occ=0×7.5=0.0 | 未发生，不扣分，得 20/20",
				"2.3 manual manual 1.00/10 lost 9.00 @2021 review=1 | 评审评分 1/10",
			},
			A: {
				"1 - subtotal 60.00/60 lost 0.00 | 小计 60/60",
				"1.1 linear capped 10.00/10 lost 0.00 value=60 @2021 target=gte 50 att=1.000000 | 优于目标值（≥ 50%），得满分 10/10",
				"1.2 target_met met 10.00/10 lost 0.00 value=30 @2021 target=lte 30 | 达到目标值（≤ 30工作日），得满分 10/10",
				"1.3 tiered band 20.00/20 lost 0.00 value=95 @2021 band=[90,+∞)=20 | 落在区间[90%, +∞)，得 20/20",
				"1.4 linear met 20.00/20 lost 0.00 value=80 @2021-Q4 target=gte 80 own att=1.000000 | 达到目标值（≥ 80件），得满分 20/20",
				"2 - subtotal 30.00/40 lost 10.00 | 小计 30/40",
				"2.1 yes_no yes 10.00/10 lost 0.00 yes @2021 | 是，得 10/10",
				"2.2 deduction none_deducted 20.00/20 lost 0.00 value=0 @2021 occ=0×7.5=0.0 | 未发生，不扣分，得 20/20",
				"2.3 manual not_reviewed 0.00/10 lost 10.00 @2021 | 未评审，得 0/10",
			},
			B: {
				"1 - subtotal 2.47/60 lost 57.53 | 小计 2.47/60",
				"1.1 linear proportional 2.47/10 lost 7.53 value=12.325 qualifier=about @2021 target=gte 50 att=0.246500 | 未达目标值50%，按比例得分 2.47/10",
				"1.2 target_met missing 0.00/10 lost 10.00 target=lte 30 | 未填报，得 0/10",
				"1.3 tiered no_band 0.00/20 lost 20.00 value=55 @2021 | 填报55%，未落在任何区间，得 0/20",
				"1.4 linear no_target 0.00/20 lost 20.00 value=50 @2021-Q4 | 未设目标值，得 0/20",
				"2 - subtotal 0.00/40 lost 40.00 | 小计 0/40",
				"2.1 yes_no no 0.00/10 lost 10.00 no @2021 | 否，得 0/10",
				"2.2 deduction floor 0.00/20 lost 20.00 value=3 @2021 occ=3×7.5=22.5 | 发生3件，每次扣7.5分，扣22.5分，扣完为止，得 0/20",
				"2.3 manual missing 0.00/10 lost 10.00 | 未填报，得 0/10",
			},
		}
		wantHeads := map[string]string{
			D: "draft D 80.00/100 rank 2 of 4 良好 [1 50.20/60, 2 29.80/40]",
			T: "draft T 80.00/100 rank 2 of 4 良好 [1 49.00/60, 2 31.00/40]",
			A: "draft A 90.00/100 rank 1 of 4 优秀 [1 60.00/60, 2 30.00/40]",
			B: "draft B 2.47/100 rank 4 of 4 不合格 [1 2.47/60, 2 0.00/40]",
		}
		for _, u := range []string{D, T, A, B} {
			c := h.scorecard(t, id1, u, reviewer)
			if got := cardHead(c, name); got != wantHeads[u] || c.EvaluationId != e1.Id {
				t.Errorf("scorecard of %s: %s, want %s", name[u], got, wantHeads[u])
			}
			sameLines(t, "draft scorecard of "+name[u], scoreLines(c), wantCards[u])
		}
		// The scores name the values and the tree they were computed from.
		dCard := h.scorecard(t, id1, D, admin)
		for i, s := range dCard.Scores {
			wantLevel, wantParent := int32(2), area1.Id
			if s.Code == "2" || s.Code == "1" {
				wantLevel = 1
			} else if strings.HasPrefix(s.Code, "2.") {
				wantParent = area2.Id
			}
			if s.Level != wantLevel || (wantLevel == 1) != (s.ParentId == nil) || s.ParentId != nil && *s.ParentId != wantParent ||
				label[s.IndicatorId.String()] != s.Code {
				t.Errorf("score %d: level %d, parent %v, id %s", i, s.Level, s.ParentId, s.IndicatorId)
			}
		}
		if s := dCard.Scores[4]; s.ValueId == nil || *s.ValueId != val("1.4", "D", "2021-Q4").Id || s.Name != "矛盾纠纷调处件数" {
			t.Errorf("1.4 of D scored value %v (%s), want the Q4 one %s", s.ValueId, s.Name, val("1.4", "D", "2021-Q4").Id)
		}

		// Who sees the draft: the ranking is for administrators and reviewers;
		// a unit's own staff read its own scorecard; API keys see no draft.
		expect(t, h.Get(evalPath(id1, "ranking"), town), http.StatusForbidden, "forbidden")
		expect(t, h.Get(evalPath(id1, "ranking"), h.as("viewer")), http.StatusForbidden, "forbidden")
		expect(t, h.Get(evalPath(id1, "ranking"), reader), http.StatusNotFound, "not_found")
		expect(t, h.Get(evalPath(id1), reader), http.StatusNotFound, "not_found")
		expect(t, h.Get(evalPath(id1, "units", T), reader), http.StatusNotFound, "not_found")
		if c := h.scorecard(t, id1, T, town); cardHead(c, name) != wantHeads[T] {
			t.Errorf("the town reads its draft scorecard as %s", cardHead(c, name))
		}
		expect(t, h.Get(evalPath(id1, "units", D), town), http.StatusNotFound, "not_found")
		expect(t, h.Get(evalPath(id1, "units", A), town), http.StatusNotFound, "not_found")
		h.getEvaluation(t, id1, h.as("viewer"))

		// An approved value is corrected before publication: the reviewer
		// returns D's 1 deduction, and while it is back with D it does not count:
		// D loses 12.50 (2.2 missing), 67.50 is 合格, third.
		d22 := val("2.2", "D")
		back := h.mustAct(t, d22.Id.String(), "return", map[string]any{"reason": "复议纠错案件已撤销，请更正"}, reviewer, "returned")
		sameLines(t, "ranking with D's 2.2 returned", rankLines(h.ranking(t, id1, reviewer), name), []string{
			"1 A 90.00/100 优秀 [1 60.00/60, 2 30.00/40]",
			"2 T 80.00/100 良好 [1 49.00/60, 2 31.00/40]",
			"3 D 67.50/100 合格 [1 50.20/60, 2 17.30/40]",
			"4 B 2.47/100 不合格 [1 2.47/60, 2 0.00/40]",
		})
		if got := scoreLine(h.scorecard(t, id1, D, reviewer).Scores[7]); got != "2.2 deduction missing 0.00/20 lost 20.00 | 未填报，得 0/20" {
			t.Errorf("D's returned 2.2 scores %s", got)
		}
		expect(t, h.Patch(valuesPath+"/"+d22.Id.String(), map[string]any{"value": "0"}, with(repD, matching(back.Version))), http.StatusOK, "")
		h.mustAct(t, d22.Id.String(), "submit", nil, repD, "submitted")
		h.mustAct(t, d22.Id.String(), "approve", map[string]any{}, admin, "approved")
		// D: 2.2 none: 20, area 2 37.30, total 87.50: second, and the tie is gone.
		wantRanking := []string{
			"1 A 90.00/100 优秀 [1 60.00/60, 2 30.00/40]",
			"2 D 87.50/100 良好 [1 50.20/60, 2 37.30/40]",
			"3 T 80.00/100 良好 [1 49.00/60, 2 31.00/40]",
			"4 B 2.47/100 不合格 [1 2.47/60, 2 0.00/40]",
		}
		beforePublish := h.ranking(t, id1, reviewer)
		sameLines(t, "ranking after the correction", rankLines(beforePublish, name), wantRanking)
		cardsBefore := map[string]api.Scorecard{}
		for _, u := range []string{D, T, A, B} {
			cardsBefore[u] = h.scorecard(t, id1, u, admin)
		}
		if got := scoreLine(cardsBefore[D].Scores[7]); got != "2.2 deduction none_deducted 20.00/20 lost 0.00 value=0 @2021 occ=0×7.5=0.0 | 未发生，不扣分，得 20/20" {
			t.Errorf("D's corrected 2.2 scores %s", got)
		}
		if head := cardHead(cardsBefore[T], name); head != "draft T 80.00/100 rank 3 of 4 良好 [1 49.00/60, 2 31.00/40]" {
			t.Errorf("the town's card after the correction: %s", head)
		}

		// Publication, with If-Match: results frozen, values locked.
		pub := h.publishEvaluation(t, id1, 1)
		if pub.Status != "published" || pub.Version != 2 || pub.PublishedAt == nil || who(pub.PublishedBy) != "user:"+h.fx.users["admin"].ID ||
			pub.Id != e1.Id || !slices.Equal(evaluationUnitIDs(pub), []string{B, T, D, A}) {
			t.Errorf("published %+v", pub)
		}
		frozen := h.ranking(t, id1, reviewer)
		if a, b := string(mustJSON(t, frozen)), string(mustJSON(t, beforePublish)); a != b {
			t.Errorf("published ranking\n%s\ndiffers from the draft's at publication\n%s", a, b)
		}
		checkFrozen := func(status api.EvaluationStatus) {
			t.Helper()
			sameLines(t, "published ranking", rankLines(h.ranking(t, id1, reviewer), name), wantRanking)
			for _, u := range []string{D, T, A, B} {
				c, want := h.scorecard(t, id1, u, admin), cardsBefore[u]
				if c.EvaluationStatus != status {
					t.Errorf("scorecard of %s is %s, want %s", name[u], c.EvaluationStatus, status)
				}
				want.EvaluationStatus = status
				if a, b := string(mustJSON(t, c)), string(mustJSON(t, want)); a != b {
					t.Errorf("%s scorecard of %s\n%s\nis not the one at publication\n%s", status, name[u], a, b)
				}
			}
		}
		checkFrozen("published")

		// The values scored are locked; others (D's Q3, B's draft) are not.
		for _, v := range []api.IndicatorValue{val("1.1", "D"), val("1.4", "D", "2021-Q4"), d22, val("2.3", "A"), val("1.1", "B")} {
			if got := h.getValue(t, v.Id.String(), nil); got.Status != "locked" {
				t.Errorf("value %s is %s after publication, want locked", v.Id, got.Status)
			}
		}
		if got := h.getValue(t, val("1.4", "D", "2021-Q3").Id.String(), nil); got.Status != "approved" {
			t.Errorf("D's Q3 value is %s, want approved", got.Status)
		}
		if got := h.getValue(t, draftB23.Id.String(), nil); got.Status != "draft" {
			t.Errorf("B's draft is %s", got.Status)
		}
		locked := h.getValue(t, val("1.1", "D").Id.String(), nil)
		expect(t, h.act(locked.Id.String(), "return", map[string]any{"reason": "再改"}, reviewer), http.StatusConflict, "value_locked")
		expect(t, h.act(locked.Id.String(), "return", map[string]any{"reason": "再改"}, admin), http.StatusConflict, "value_locked")
		expect(t, h.Patch(valuesPath+"/"+locked.Id.String(), map[string]any{"value": "50"}, with(repD, matching(locked.Version))), http.StatusConflict, "value_not_editable")
		expect(t, h.act(locked.Id.String(), "submit", nil, repD), http.StatusConflict, "value_not_editable")
		expect(t, h.act(locked.Id.String(), "approve", map[string]any{}, reviewer), http.StatusConflict, "value_not_submitted")
		if got := h.getValue(t, locked.Id.String(), nil); got.Version != locked.Version || got.Value.String() != "36" {
			t.Errorf("a locked value changed: %+v", got)
		}
		history := h.auditEvents(t, "admin", url.Values{"entityType": {"indicator_value"}, "entityId": {d22.Id.String()}})
		if last := history[len(history)-1]; last.Operation != "publishEvaluation" || last.After == nil || (*last.After)["status"] != "locked" {
			t.Errorf("the locking is not in the value's history: %+v", last)
		}

		// Everyone sees the published ranking; the town reads its own card only.
		for _, who := range []map[string]string{town, h.as("viewer"), reader, admin} {
			if got := h.ranking(t, id1, who); string(mustJSON(t, got)) != string(mustJSON(t, frozen)) {
				t.Errorf("ranking as %v: %s", who, mustJSON(t, got))
			}
		}
		if c := h.scorecard(t, id1, T, town); cardHead(c, name) != "published T 80.00/100 rank 3 of 4 良好 [1 49.00/60, 2 31.00/40]" {
			t.Errorf("the town reads %s", cardHead(c, name))
		}
		expect(t, h.Get(evalPath(id1, "units", D), town), http.StatusNotFound, "not_found")
		expect(t, h.Get(evalPath(id1, "units", B), h.as("viewer")), http.StatusNotFound, "not_found")
		h.scorecard(t, id1, B, reader)
		if got := h.getEvaluation(t, id1, reader); got.Status != "published" {
			t.Errorf("a key reads %+v", got)
		}

		// After publication, a target changes (1.1 for every unit: ≥ 45%) and B
		// reports what it lacked: the published evaluation does not move.
		expect(t, h.Patch("/api/v1/targets/"+t11.Id.String(), map[string]any{"value": "45"}, matching(1)), http.StatusOK, "")
		b12 := h.report(t, repB, valueBody(i12, B, "2021", "28", nil))
		h.mustAct(t, b12.Id.String(), "submit", nil, repB, "submitted")
		h.mustAct(t, b12.Id.String(), "approve", map[string]any{}, reviewer, "approved")
		h.mustAct(t, draftB23.Id.String(), "submit", nil, repB, "submitted")
		h.mustAct(t, draftB23.Id.String(), "approve", map[string]any{"reviewScore": "6"}, reviewer, "approved")
		checkFrozen("published")

		// A correction: a new draft of the same system, year and units.
		resp = h.Post(evalPath(id1, "supersede"), nil, nil)
		expect(t, resp, http.StatusCreated, "")
		var e2 api.Evaluation
		resp.JSON(t, &e2)
		id2 := e2.Id.String()
		if resp.Header.Get("Location") != evalPath(id2) || resp.Header.Get("ETag") != `"1"` || e2.Status != "draft" || e2.Version != 1 ||
			e2.SupersedesId == nil || *e2.SupersedesId != e1.Id || e2.SystemId != sys.Id || e2.Year != 2021 ||
			e2.Name != e1.Name+"（更正）" || !slices.Equal(evaluationUnitIDs(e2), []string{B, T, D, A}) || e2.PublishedAt != nil {
			t.Errorf("correction: Location %q ETag %q %+v", resp.Header.Get("Location"), resp.Header.Get("ETag"), e2)
		}
		expect(t, h.Post(evalPath(id1, "supersede"), nil, nil), http.StatusConflict, "evaluation_correction_exists")
		expect(t, h.Post(evalPath(id2, "supersede"), nil, nil), http.StatusConflict, "evaluation_not_published")
		expect(t, h.Get(evalPath(id2), reader), http.StatusNotFound, "not_found")
		expect(t, h.Get(evalPath(id2, "compare")+"?with="+id1, reader), http.StatusNotFound, "not_found")
		if got := h.getEvaluation(t, id1, nil); got.Status != "published" || got.SupersededById != nil || got.Version != 2 {
			t.Errorf("the corrected evaluation before the correction is published: %+v", got)
		}

		// The correction scores the values as they are now:
		//   D: 1.1 36/45 = 0.8 × 10 = 8.00 (+0.80) → area 1 51.00, total 88.30.
		//   B: 1.1 12.325/45 = 0.273889 (6 decimals) × 10 = 2.74; 1.2 28 ≤ 30: 10;
		//      2.3 reviewed 6 → 12.74 + 6.00 = 18.74.
		//   T keeps its own target (36/40): 80.00; A is capped: 90.00.
		sameLines(t, "correction's ranking", rankLines(h.ranking(t, id2, reviewer), name), []string{
			"1 A 90.00/100 优秀 [1 60.00/60, 2 30.00/40]",
			"2 D 88.30/100 良好 [1 51.00/60, 2 37.30/40]",
			"3 T 80.00/100 良好 [1 49.00/60, 2 31.00/40]",
			"4 B 18.74/100 不合格 [1 12.74/60, 2 6.00/40]",
		})
		bCard := scoreLines(h.scorecard(t, id2, B, reviewer))
		sameLines(t, "B's corrected 1.1, 1.2 and 2.3", []string{bCard[1], bCard[2], bCard[8]}, []string{
			"1.1 linear proportional 2.74/10 lost 7.26 value=12.325 qualifier=about @2021 target=gte 45 att=0.273889 | 未达目标值45%，按比例得分 2.74/10",
			"1.2 target_met met 10.00/10 lost 0.00 value=28 @2021 target=lte 30 | 达到目标值（≤ 30工作日），得满分 10/10",
			"2.3 manual manual 6.00/10 lost 4.00 @2021 review=6 | 评审评分 6/10",
		})

		// Compared with the first: biggest movers first, then (no change) in
		// the order the units were given; unchanged indicators left out.
		wantChanges := []string{
			"B 2.47→18.74 16.27 rank 4→4 +0 [1.2←1.2 0.00→10.00 10.00, 2.3←2.3 0.00→6.00 6.00, 1.1←1.1 2.47→2.74 0.27]",
			"D 87.50→88.30 0.80 rank 2→2 +0 [1.1←1.1 7.20→8.00 0.80]",
			"T 80.00→80.00 0.00 rank 3→3 +0 []",
			"A 90.00→90.00 0.00 rank 1→1 +0 []",
		}
		sameLines(t, "draft correction against the first", changeLines(h.compare(t, id2, id1, reviewer), name, label), wantChanges)

		// Publishing the correction: If-Match required and current.
		expect(t, h.Post(evalPath(id2, "publish"), nil, nil), http.StatusPreconditionRequired, "if_match_required")
		expect(t, h.Post(evalPath(id2, "publish"), nil, matching(2)), http.StatusPreconditionFailed, "version_mismatch")
		pub2 := h.publishEvaluation(t, id2, 1)
		if pub2.Status != "published" || pub2.SupersedesId == nil || *pub2.SupersedesId != e1.Id {
			t.Errorf("published correction %+v", pub2)
		}
		old := h.getEvaluation(t, id1, reader)
		if old.Status != "superseded" || old.SupersededById == nil || *old.SupersededById != e2.Id || old.Version != 3 || old.PublishedAt == nil {
			t.Errorf("the corrected evaluation: %+v", old)
		}
		checkFrozen("superseded") // still answers what it froze
		for _, v := range []api.IndicatorValue{b12, draftB23} {
			if got := h.getValue(t, v.Id.String(), nil); got.Status != "locked" {
				t.Errorf("B's value %s is %s after the correction, want locked", v.Id, got.Status)
			}
		}
		events := h.auditEvents(t, "admin", url.Values{"entityType": {"evaluation"}, "entityId": {id1}})
		if got, want := auditOps(events), []string{"createEvaluation", "publishEvaluation", "publishEvaluation"}; !slices.Equal(got, want) {
			t.Errorf("history of the first evaluation %v, want %v", got, want)
		} else if (*events[1].After)["status"] != "published" || (*events[2].After)["status"] != "superseded" || (*events[2].After)["supersededById"] != id2 {
			t.Errorf("history of the first evaluation: %v, %v", events[1].After, events[2].After)
		}

		// A superseded evaluation is not corrected, published or deleted again.
		expect(t, h.Post(evalPath(id1, "supersede"), nil, nil), http.StatusConflict, "evaluation_not_published")
		expect(t, h.Post(evalPath(id1, "publish"), nil, matching(3)), http.StatusConflict, "evaluation_not_draft")
		expect(t, h.Delete(evalPath(id1), matching(3)), http.StatusConflict, "evaluation_not_draft")
		expect(t, h.Delete(evalPath(id2), matching(2)), http.StatusConflict, "evaluation_not_draft")
		// A correction of the correction may be discarded while a draft.
		resp = h.Post(evalPath(id2, "supersede"), nil, nil)
		expect(t, resp, http.StatusCreated, "")
		var e2b api.Evaluation
		resp.JSON(t, &e2b)
		expect(t, h.Delete(evalPath(e2b.Id.String()), matching(1)), http.StatusNoContent, "")
		expect(t, h.Get(evalPath(e2b.Id.String()), nil), http.StatusNotFound, "not_found")

		// Published, the comparison is the same; the other way round, negated.
		sameLines(t, "published correction against the first", changeLines(h.compare(t, id2, id1, reader), name, label), wantChanges)
		sameLines(t, "first against the correction", changeLines(h.compare(t, id1, id2, admin), name, label), []string{
			"B 18.74→2.47 -16.27 rank 4→4 +0 [1.2←1.2 10.00→0.00 -10.00, 2.3←2.3 6.00→0.00 -6.00, 1.1←1.1 2.74→2.47 -0.27]",
			"D 88.30→87.50 -0.80 rank 2→2 +0 [1.1←1.1 8.00→7.20 -0.80]",
			"T 80.00→80.00 0.00 rank 3→3 +0 []",
			"A 90.00→90.00 0.00 rank 1→1 +0 []",
		})
		expect(t, h.Get(evalPath(id2, "compare")+"?with="+id1, town), http.StatusForbidden, "forbidden")

		// The next year under a new edition: 2.3 dropped, 2.4 new, the rest
		// carried over (scoring and grade bands included).
		resp = h.Post(systemsPath+"/"+sid+"/editions", map[string]any{"edition": "2022年版", "yearFrom": 2022, "yearTo": 2022}, nil)
		expect(t, resp, http.StatusCreated, "")
		var sys2 api.IndicatorSystem
		resp.JSON(t, &sys2)
		sid2 := sys2.Id.String()
		if sys2.GradeBands == nil || string(mustJSON(t, *sys2.GradeBands)) != string(mustJSON(t, grades)) {
			t.Errorf("new edition's grade bands %s", mustJSON(t, sys2.GradeBands))
		}
		copies := map[string]api.Indicator{}
		for _, ind := range h.listIndicators(t, sid2, nil, 100) {
			copies[ind.Code] = ind
			label[ind.Id.String()] = ind.Code + "'"
		}
		if c := copies["1.3"]; c.SourceIndicatorId == nil || *c.SourceIndicatorId != i13.Id ||
			string(mustJSON(t, c.Scoring)) != string(mustJSON(t, i13.Scoring)) {
			t.Errorf("copy of 1.3: source %v, scoring %s", c.SourceIndicatorId, mustJSON(t, c.Scoring))
		}
		expect(t, h.Delete(indicatorsPath+"/"+copies["2.3"].Id.String(), matching(1)), http.StatusNoContent, "")
		i24 := h.newIndicator(t, sid2, indicatorBody("2.4", "10", nil, map[string]any{"parentId": copies["2"].Id.String(),
			"name": "行政执法全过程记录", "valueType": "yes_no", "scoring": map[string]any{"method": "yes_no"}}))
		label[i24.Id.String()] = "2.4'"
		h.publish(t, sid2)
		h.newTarget(t, copies["1.1"].Id.String(), map[string]any{"year": 2022, "comparator": "gte", "value": "50"})
		h.newTarget(t, copies["1.2"].Id.String(), map[string]any{"year": 2022, "comparator": "lte", "value": "30"})
		h.newTarget(t, copies["1.4"].Id.String(), map[string]any{"year": 2022, "comparator": "gte", "value": "100"})
		for _, r := range []rep{
			{nil, copies["1.1"], D, "2022", "45", nil}, {nil, copies["1.3"], D, "2022", "70", nil},
			{nil, copies["2.2"], D, "2022", "2", nil}, {nil, i24, D, "2022", "", yes},
			{nil, copies["1.1"], A, "2022", "50", nil}, {nil, copies["2.1"], A, "2022", "", yes},
		} {
			h.report(t, r.who, valueBody(r.ind, r.unit, r.period, r.value, r.extra))
		}
		expect(t, h.Post(valuesPath+"/bulk-submit", map[string]any{"systemId": sid2}, admin), http.StatusOK, "")
		resp = h.Post(valuesPath+"/bulk-approve", map[string]any{"systemId": sid2}, reviewer)
		expect(t, resp, http.StatusOK, "")
		if resp.JSON(t, &bulk); bulk.Count != 6 {
			t.Errorf("approved %d values of 2022, want 6", bulk.Count)
		}
		e3 := h.createEvaluation(t, map[string]any{"systemId": sid2, "year": 2022, "unitIds": []string{D, A, T}})
		id3 := e3.Id.String()
		if e3.Name != sys2.Name+" 2022年度考核" {
			t.Errorf("default name %q", e3.Name)
		}
		// D: 1.1 45/50 × 10 = 9; 1.3 70 in [60, 80): 12.5 → 21.50; 2.2 2 × 7.5 = 15
		// deducted: 5; 2.4 yes 10 → 15.00; total 36.50. A: 1.1 50 = 50: 10; 2.1 10: 20.00.
		// T reported nothing: 0.00, still graded 不合格 (≥ 0).
		sameLines(t, "2022 ranking", rankLines(h.ranking(t, id3, reviewer), name), []string{
			"1 D 36.50/100 不合格 [1 21.50/60, 2 15.00/40]",
			"2 A 20.00/100 不合格 [1 10.00/60, 2 10.00/40]",
			"3 T 0.00/100 不合格 [1 0.00/60, 2 0.00/40]",
		})
		d3 := scoreLines(h.scorecard(t, id3, D, reviewer))
		sameLines(t, "D's 2022 1.3, 2.2 and 2.4", []string{d3[3], d3[7], d3[8]}, []string{
			"1.3 tiered band 12.50/20 lost 7.50 value=70 @2022 band=[60,80)=12.5 | 落在区间[60%, 80%)，得 12.5/20",
			"2.2 deduction deducted 5.00/20 lost 15.00 value=2 @2022 occ=2×7.5=15.0 | 发生2件，每次扣7.5分，扣15分，得 5/20",
			"2.4 yes_no yes 10.00/10 lost 0.00 yes @2022 | 是，得 10/10",
		})

		// 2022 against the published 2021 correction, matched through the
		// lineage: 2.3 and 2.4 have no counterpart; B was not evaluated in 2022.
		//   D: 88.30 → 36.50 (−51.80), rank 2 → 1; 1.4 18 → 0, 2.2 20 → 5, 1.2 10 → 0,
		//      2.1 10 → 0 (equal changes in tree order), 1.3 15 → 12.5, 1.1 8 → 9.
		sameLines(t, "2022 against 2021", changeLines(h.compare(t, id3, id2, reviewer), name, label), []string{
			"T 80.00→0.00 -80.00 rank 3→3 +0 [1.3'←1.3 20.00→0.00 -20.00, 1.4'←1.4 20.00→0.00 -20.00, 2.2'←2.2 20.00→0.00 -20.00, 2.1'←2.1 10.00→0.00 -10.00, 1.1'←1.1 9.00→0.00 -9.00]",
			"A 90.00→20.00 -70.00 rank 1→2 -1 [1.3'←1.3 20.00→0.00 -20.00, 1.4'←1.4 20.00→0.00 -20.00, 2.2'←2.2 20.00→0.00 -20.00, 1.2'←1.2 10.00→0.00 -10.00]",
			"D 88.30→36.50 -51.80 rank 2→1 +1 [1.4'←1.4 18.00→0.00 -18.00, 2.2'←2.2 20.00→5.00 -15.00, 1.2'←1.2 10.00→0.00 -10.00, 2.1'←2.1 10.00→0.00 -10.00, 1.3'←1.3 15.00→12.50 -2.50, 1.1'←1.1 8.00→9.00 1.00]",
		})
		sameLines(t, "2021 against 2022", changeLines(h.compare(t, id2, id3, admin), name, label), []string{
			"T 0.00→80.00 80.00 rank 3→3 +0 [1.3←1.3' 0.00→20.00 20.00, 1.4←1.4' 0.00→20.00 20.00, 2.2←2.2' 0.00→20.00 20.00, 2.1←2.1' 0.00→10.00 10.00, 1.1←1.1' 0.00→9.00 9.00]",
			"A 20.00→90.00 70.00 rank 2→1 +1 [1.3←1.3' 0.00→20.00 20.00, 1.4←1.4' 0.00→20.00 20.00, 2.2←2.2' 0.00→20.00 20.00, 1.2←1.2' 0.00→10.00 10.00]",
			"D 36.50→88.30 51.80 rank 1→2 -1 [1.4←1.4' 0.00→18.00 18.00, 2.2←2.2' 5.00→20.00 15.00, 1.2←1.2' 0.00→10.00 10.00, 2.1←2.1' 0.00→10.00 10.00, 1.3←1.3' 12.50→15.00 2.50, 1.1←1.1' 9.00→8.00 -1.00]",
		})
		// Keys compare published evaluations only; unrelated systems, unknown
		// evaluations.
		expect(t, h.Get(evalPath(id2, "compare")+"?with="+id3, reader), http.StatusUnprocessableEntity, "evaluation_not_found")
		expect(t, h.Get(evalPath(id3, "compare")+"?with="+id2, reader), http.StatusNotFound, "not_found")
		resp = h.Get(evalPath(id3, "compare")+"?with="+h.fx.evaluation, nil)
		expect(t, resp, http.StatusUnprocessableEntity, "evaluations_unrelated")
		expect(t, h.Get(evalPath(h.fx.evaluation, "compare")+"?with="+id1, nil), http.StatusUnprocessableEntity, "evaluations_unrelated")
		resp = h.Get(evalPath(id3, "compare")+"?with="+absentID, nil)
		expect(t, resp, http.StatusUnprocessableEntity, "evaluation_not_found")
		if prob := resp.Problem(t); len(prob.Errors) != 1 || prob.Errors[0].Parameter != "query.with" {
			t.Errorf("unknown with: %+v", prob.Errors)
		}
		expect(t, h.Get(evalPath(absentID, "compare")+"?with="+id1, nil), http.StatusNotFound, "not_found")

		// By default, every unit the indicators name as reporting units (D, T
		// and A), by id; a draft nobody needs is deleted.
		def := h.createEvaluation(t, map[string]any{"systemId": sid, "year": 2021})
		wantUnits := []string{D, T, A}
		slices.Sort(wantUnits)
		if got := evaluationUnitIDs(def); !slices.Equal(got, wantUnits) || def.Name != sys.Name+" 2021年度考核" {
			t.Errorf("default evaluation: %q of %v, want %v", def.Name, got, wantUnits)
		}
		expect(t, h.Delete(evalPath(def.Id.String()), nil), http.StatusPreconditionRequired, "if_match_required")
		expect(t, h.Delete(evalPath(def.Id.String()), matching(2)), http.StatusPreconditionFailed, "version_mismatch")
		expect(t, h.Delete(evalPath(def.Id.String()), matching(1)), http.StatusNoContent, "")
		expect(t, h.Get(evalPath(def.Id.String()), nil), http.StatusNotFound, "not_found")
		expect(t, h.Delete(evalPath(def.Id.String()), matching(1)), http.StatusNotFound, "not_found")

		// Lists: by system, year and state, oldest first, one a page; keys
		// list published and superseded evaluations only.
		for what, c := range map[string]struct {
			who  map[string]string
			q    url.Values
			want []string
		}{
			"system":             {nil, url.Values{"systemId": {sid}}, []string{id1, id2}},
			"system and year":    {nil, url.Values{"systemId": {sid}, "year": {"2021"}}, []string{id1, id2}},
			"another year":       {nil, url.Values{"systemId": {sid}, "year": {"2022"}}, nil},
			"published":          {nil, url.Values{"systemId": {sid}, "status": {"published"}}, []string{id2}},
			"superseded":         {reviewer, url.Values{"systemId": {sid}, "status": {"superseded"}}, []string{id1}},
			"draft":              {nil, url.Values{"systemId": {sid2}, "status": {"draft"}}, []string{id3}},
			"the new edition":    {town, url.Values{"systemId": {sid2}}, []string{id3}},
			"year alone":         {nil, url.Values{"systemId": {sid2}, "year": {"2022"}, "status": {"draft"}}, []string{id3}},
			"a key":              {reader, url.Values{"systemId": {sid}}, []string{id1, id2}},
			"a key and a draft":  {reader, url.Values{"systemId": {sid2}}, nil},
			"a key asking draft": {reader, url.Values{"systemId": {sid}, "status": {"draft"}}, nil},
		} {
			if got := h.listEvaluations(t, c.who, c.q); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", what, got, c.want)
			}
		}
	})
}

func evaluationUnitIDs(e api.Evaluation) []string {
	out := make([]string, len(e.UnitIds))
	for i, id := range e.UnitIds {
		out[i] = id.String()
	}
	return out
}

// Every operation's refusals: unknown ids, preconditions, states, and the
// rules of a new evaluation.
func TestEvaluationErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		sys, _ := h.valueSystem(t, indicatorBody("1", "100", nil, map[string]any{"scoring": map[string]any{"method": "target_met"}}))
		sid := sys.Id.String()
		town, district := h.fx.town, h.fx.district

		// Creation: a published system, a year it covers, units that exist, once each.
		for _, tt := range []struct {
			name     string
			body     map[string]any
			who      map[string]string
			status   int
			code     string
			pointers []string
		}{
			{"draft system", map[string]any{"systemId": h.fx.system, "year": 2021, "unitIds": []string{town}}, nil, 409, "indicator_system_not_published", nil},
			{"year outside the system", map[string]any{"systemId": sid, "year": 2023, "unitIds": []string{town}}, nil, 422, "evaluation_invalid", []string{"/year"}},
			{"unknown system", map[string]any{"systemId": absentID, "year": 2021, "unitIds": []string{town}}, nil, 422, "evaluation_system_not_found", []string{"/systemId"}},
			{"no units", map[string]any{"systemId": sid, "year": 2021}, nil, 422, "evaluation_invalid", []string{"/unitIds"}},
			{"no units and a year outside", map[string]any{"systemId": sid, "year": 2020}, nil, 422, "evaluation_invalid", []string{"/unitIds", "/year"}},
			{"duplicate and unknown units", map[string]any{"systemId": sid, "year": 2021, "unitIds": []string{town, district, town, absentID}}, nil,
				422, "evaluation_unit_not_found", []string{"/unitIds/2", "/unitIds/3"}},
			{"empty unit list", map[string]any{"systemId": sid, "year": 2021, "unitIds": []string{}}, nil, 400, "invalid_request", nil},
			{"blank name", map[string]any{"systemId": sid, "year": 2021, "unitIds": []string{town}, "name": " "}, nil, 400, "invalid_request", nil},
			{"status given", map[string]any{"systemId": sid, "year": 2021, "unitIds": []string{town}, "status": "published"}, nil, 400, "invalid_request", nil},
			{"no year", map[string]any{"systemId": sid, "unitIds": []string{town}}, nil, 400, "invalid_request", nil},
			{"a reviewer", map[string]any{"systemId": sid, "year": 2021, "unitIds": []string{town}}, h.as("reviewer"), 403, "forbidden", nil},
			{"a key", map[string]any{"systemId": sid, "year": 2021, "unitIds": []string{town}}, h.as("key:read"), 403, "", nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				resp := h.Post(evaluationsPath, tt.body, tt.who)
				expect(t, resp, tt.status, tt.code)
				if tt.pointers != nil {
					if got := pointers(resp.Problem(t)); !slices.Equal(got, tt.pointers) {
						t.Errorf("pointers %v, want %v", got, tt.pointers)
					}
				}
			})
		}
		if got := h.listEvaluations(t, nil, url.Values{"systemId": {sid}}); len(got) != 0 {
			t.Fatalf("refused creations wrote %v", got)
		}

		// Idempotency: the same key and body answer the first evaluation again.
		body := map[string]any{"systemId": sid, "year": 2021, "unitIds": []string{town, district}, "name": "幂等 " + p}
		idem := map[string]string{"Idempotency-Key": "evaluation-" + p}
		first := h.Post(evaluationsPath, body, idem)
		expect(t, first, http.StatusCreated, "")
		again := h.Post(evaluationsPath, body, idem)
		expect(t, again, http.StatusCreated, "")
		if string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay differs:\n%s\n%s", first.Body, again.Body)
		}
		expect(t, h.Post(evaluationsPath, map[string]any{"systemId": sid, "year": 2022, "unitIds": []string{town}}, idem),
			http.StatusUnprocessableEntity, "idempotency_key_reused")
		var e api.Evaluation
		first.JSON(t, &e)
		id := e.Id.String()

		// The names the server makes up fit in the contract's 200 characters.
		long := p + strings.Repeat("长", 200-len(p))
		ls := h.newSystem(t, p+"-long", map[string]any{"name": long, "yearFrom": 2021, "yearTo": 2021})
		h.newIndicator(t, ls.Id.String(), indicatorBody("1", "100", nil, nil))
		h.publish(t, ls.Id.String())
		named := h.createEvaluation(t, map[string]any{"systemId": ls.Id.String(), "year": 2021, "unitIds": []string{town}})
		if r := []rune(named.Name); len(r) != 200 || string(r[:191]) != string([]rune(long)[:191]) || !strings.HasSuffix(named.Name, " 2021年度考核") {
			t.Errorf("default name of %d characters: %q", len(r), named.Name)
		}
		expect(t, h.Post(evaluationsPath, map[string]any{"systemId": ls.Id.String(), "year": 2021, "unitIds": []string{town}, "name": long + "x"}, nil),
			http.StatusBadRequest, "invalid_request")
		full := h.createEvaluation(t, map[string]any{"systemId": ls.Id.String(), "year": 2021, "unitIds": []string{town}, "name": long})
		h.publishEvaluation(t, full.Id.String(), 1)
		resp := h.Post(evalPath(full.Id.String(), "supersede"), nil, nil)
		expect(t, resp, http.StatusCreated, "")
		var correction api.Evaluation
		resp.JSON(t, &correction)
		if r := []rune(correction.Name); len(r) != 200 || string(r[:196]) != string([]rune(long)[:196]) || !strings.HasSuffix(correction.Name, "（更正）") {
			t.Errorf("correction's name of %d characters: %q", len(r), correction.Name)
		}
		draft := h.createEvaluation(t, map[string]any{"systemId": sid, "year": 2022, "unitIds": []string{district}})

		// Absent ids are 404 for every operation; malformed ones 400.
		for _, c := range []struct {
			name string
			resp func() int
		}{
			{"get", func() int { return h.Get(evalPath(absentID), nil).Status }},
			{"ranking", func() int { return h.Get(evalPath(absentID, "ranking"), nil).Status }},
			{"scorecard", func() int { return h.Get(evalPath(absentID, "units", town), nil).Status }},
			{"delete", func() int { return h.Delete(evalPath(absentID), matching(1)).Status }},
			{"publish", func() int { return h.Post(evalPath(absentID, "publish"), nil, matching(1)).Status }},
			{"supersede", func() int { return h.Post(evalPath(absentID, "supersede"), nil, nil).Status }},
			{"compare", func() int { return h.Get(evalPath(absentID, "compare")+"?with="+id, nil).Status }},
			{"unit not in the evaluation", func() int { return h.Get(evalPath(id, "units", h.fx.other), nil).Status }},
			{"unknown unit", func() int { return h.Get(evalPath(id, "units", absentID), nil).Status }},
			{"unit of another evaluation", func() int { return h.Get(evalPath(draft.Id.String(), "units", town), nil).Status }},
		} {
			if got := c.resp(); got != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", c.name, got)
			}
		}
		expect(t, h.Get(evalPath("x"), nil), http.StatusBadRequest, "invalid_request")
		expect(t, h.Get(evalPath(id, "units", "x"), nil), http.StatusBadRequest, "invalid_request")
		expect(t, h.Get(evalPath(id, "compare"), nil), http.StatusBadRequest, "invalid_request")
		expect(t, h.Get(evalPath(id, "compare")+"?with=x", nil), http.StatusBadRequest, "invalid_request")
		expect(t, h.Get(evalPath(id, "ranking")+"?cursor=bm9wZQ", nil), http.StatusBadRequest, "invalid_cursor")
		expect(t, h.Get(evalPath(id, "ranking")+"?limit=0", nil), http.StatusBadRequest, "invalid_request")
		expect(t, h.Get(evaluationsPath+"?status=frozen", nil), http.StatusBadRequest, "invalid_request")
		expect(t, h.Get(evaluationsPath+"?year=abc", nil), http.StatusBadRequest, "invalid_request")
		expect(t, h.Get(evaluationsPath+"?unitId="+town, nil), http.StatusBadRequest, "")

		// Delete and publish want the current version in If-Match.
		expect(t, h.Delete(evalPath(id), nil), http.StatusPreconditionRequired, "if_match_required")
		expect(t, h.Delete(evalPath(id), matching(2)), http.StatusPreconditionFailed, "version_mismatch")
		expect(t, h.Post(evalPath(id, "publish"), nil, nil), http.StatusPreconditionRequired, "if_match_required")
		expect(t, h.Post(evalPath(id, "publish"), nil, matching(5)), http.StatusPreconditionFailed, "version_mismatch")
		expect(t, h.Post(evalPath(id, "publish"), nil, with(h.as("reviewer"), matching(1))), http.StatusForbidden, "forbidden")
		expect(t, h.Delete(evalPath(id), with(h.as("reviewer"), matching(1))), http.StatusForbidden, "forbidden")
		expect(t, h.Post(evalPath(id, "supersede"), nil, nil), http.StatusConflict, "evaluation_not_published")
		if got := h.getEvaluation(t, id, nil); got.Status != "draft" || got.Version != 1 {
			t.Fatalf("refused requests changed the evaluation: %+v", got)
		}
		h.publishEvaluation(t, id, 1)
		// Published: no more publishing or deleting, whatever the version given.
		expect(t, h.Post(evalPath(id, "publish"), nil, matching(2)), http.StatusConflict, "evaluation_not_draft")
		expect(t, h.Post(evalPath(id, "publish"), nil, matching(1)), http.StatusConflict, "evaluation_not_draft")
		expect(t, h.Delete(evalPath(id), matching(2)), http.StatusConflict, "evaluation_not_draft")
		expect(t, h.Post(evalPath(id, "supersede"), nil, h.as("reviewer")), http.StatusForbidden, "forbidden")
		if got := h.getEvaluation(t, id, nil); got.Status != "published" || got.Version != 2 {
			t.Errorf("after refused requests: %+v", got)
		}
		// Nothing was reported: both units score 0 and share the first rank.
		sameLines(t, "ranking of nothing", rankLines(h.ranking(t, id, nil), map[string]string{town: "T", district: "D"}), []string{
			"1 T 0.00/100  [1 0.00/100]", "1 D 0.00/100  [1 0.00/100]",
		})

		// Lists: keys see the published one only; filters and paging.
		ids := []string{id, draft.Id.String()}
		if got := h.listEvaluations(t, nil, url.Values{"systemId": {sid}}); !slices.Equal(got, ids) {
			t.Errorf("system's evaluations %v, want %v", got, ids)
		}
		if got := h.listEvaluations(t, h.as("key:read"), url.Values{"systemId": {sid}}); !slices.Equal(got, ids[:1]) {
			t.Errorf("a key lists %v, want %v", got, ids[:1])
		}
		if got := h.listEvaluations(t, h.as("viewer"), url.Values{"systemId": {sid}, "status": {"draft"}}); !slices.Equal(got, ids[1:]) {
			t.Errorf("drafts %v, want %v", got, ids[1:])
		}
		if got := h.listEvaluations(t, nil, url.Values{"systemId": {sid}, "year": {"2022"}}); !slices.Equal(got, ids[1:]) {
			t.Errorf("2022: %v, want %v", got, ids[1:])
		}
		if got := h.listEvaluations(t, h.as("key:read"), url.Values{"status": {"draft"}}); len(got) != 0 {
			t.Errorf("a key lists drafts %v", got)
		}
		all := evaluationIDs(listAll[api.Evaluation](t, h, evaluationsPath, nil, nil, 500))
		if !slices.Contains(all, id) || !slices.Contains(all, h.fx.evaluation) || !slices.IsSorted(all) {
			t.Errorf("every evaluation, oldest first: %v", all)
		}
		resp = h.Get(evaluationsPath+"?limit=1&systemId="+sid, nil)
		var page api.EvaluationPage
		resp.JSON(t, &page)
		if page.NextCursor == nil || len(page.Items) != 1 {
			t.Fatalf("first page %+v", page)
		}
		expect(t, h.Get(evaluationsPath+"?limit=1&systemId="+sid+"&status=draft&cursor="+*page.NextCursor, nil), http.StatusBadRequest, "invalid_cursor")
	})
}

// The scoring fields of systems and indicators: grade bands and scoring
// methods are checked where they are written.
func TestScoringFields(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		grades := []map[string]any{{"grade": "优秀", "min": "90"}, {"grade": "良好", "min": "80.5"}, {"grade": "合格", "min": "60"}, {"grade": "不合格", "min": "0"}}
		s := h.newSystem(t, p, map[string]any{"gradeBands": grades})
		sid := s.Id.String()
		if got := h.getSystem(t, sid); got.GradeBands == nil || string(mustJSON(t, *got.GradeBands)) != string(mustJSON(t, grades)) {
			t.Errorf("grade bands read back as %s", mustJSON(t, got.GradeBands))
		}
		if plain := h.newSystem(t, p+"-plain", nil); plain.GradeBands == nil || len(*plain.GradeBands) != 0 {
			t.Errorf("a system without grades has %s", mustJSON(t, plain.GradeBands))
		}

		// Grade bands: named once each, distinct minimums within the total.
		for _, tt := range []struct {
			name     string
			bands    []map[string]any
			status   int
			pointers []string
		}{
			{"grade twice", []map[string]any{{"grade": "优秀", "min": "90"}, {"grade": "优秀", "min": "80"}}, 422, []string{"/gradeBands/1/grade"}},
			{"minimum above the total", []map[string]any{{"grade": "优秀", "min": "100.01"}}, 422, []string{"/gradeBands/0/min"}},
			{"negative minimum", []map[string]any{{"grade": "不合格", "min": "-1"}}, 422, []string{"/gradeBands/0/min"}},
			{"same minimum twice", []map[string]any{{"grade": "合格", "min": "60"}, {"grade": "基本合格", "min": "60.0"}}, 422, []string{"/gradeBands/1/min"}},
			{"grade too long", []map[string]any{{"grade": strings.Repeat("优", 21), "min": "60"}}, 400, nil},
			{"no name", []map[string]any{{"grade": "", "min": "60"}}, 400, nil},
			{"no minimum", []map[string]any{{"grade": "合格"}}, 400, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				resp := h.Post(systemsPath, map[string]any{"name": "等次 " + p, "issuingUnitId": h.fx.city, "edition": "2022年版",
					"yearFrom": 2022, "yearTo": 2022, "totalPoints": "100", "gradeBands": tt.bands}, nil)
				code := "indicator_system_invalid"
				if tt.status == 400 {
					code = "invalid_request"
				}
				expect(t, resp, tt.status, code)
				if tt.pointers != nil {
					if got := pointers(resp.Problem(t)); !slices.Equal(got, tt.pointers) {
						t.Errorf("pointers %v, want %v", got, tt.pointers)
					}
				}
				resp = h.Patch(systemsPath+"/"+sid, map[string]any{"gradeBands": tt.bands}, matching(1))
				expect(t, resp, tt.status, code)
			})
		}
		if n := len(h.listSystems(t, url.Values{"q": {"等次 " + p}}, 50)); n != 0 {
			t.Errorf("%d refused systems created", n)
		}
		// Lowering the total below a grade's minimum is refused too.
		resp := h.Patch(systemsPath+"/"+sid, map[string]any{"totalPoints": "85"}, matching(1))
		expect(t, resp, http.StatusUnprocessableEntity, "indicator_system_invalid")
		if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{"/gradeBands/0/min"}) {
			t.Errorf("pointers %v", got)
		}
		resp = h.Patch(systemsPath+"/"+sid, map[string]any{"gradeBands": []map[string]any{{"grade": "达标", "min": "60"}}}, matching(1))
		expect(t, resp, http.StatusOK, "")
		if got := h.getSystem(t, sid); got.Version != 2 || string(mustJSON(t, got.GradeBands)) != `[{"grade":"达标","min":"60"}]` {
			t.Errorf("after patch: %s", mustJSON(t, got.GradeBands))
		}
		expect(t, h.Patch(systemsPath+"/"+sid, map[string]any{"gradeBands": []map[string]any{}}, matching(2)), http.StatusOK, "")
		if got := h.getSystem(t, sid); string(mustJSON(t, got.GradeBands)) != `[]` {
			t.Errorf("after clearing: %s", mustJSON(t, got.GradeBands))
		}

		// Scoring methods and their parameters.
		path := systemsPath + "/" + sid + "/indicators"
		tiered := map[string]any{"method": "tiered", "bands": []map[string]any{{"min": "90", "points": "10"}, {"min": "60", "max": "90", "points": "6.5"}, {"max": "60", "points": "0"}}}
		tier := h.newIndicator(t, sid, indicatorBody("1", "10", nil, map[string]any{"scoring": tiered}))
		if string(mustJSON(t, tier.Scoring)) != string(mustJSON(t, tiered)) {
			t.Errorf("tiered scoring comes back as %s", mustJSON(t, tier.Scoring))
		}
		lin := h.newIndicator(t, sid, indicatorBody("2", "10", nil, map[string]any{"scoring": map[string]any{"method": "linear"}}))
		manual := h.newIndicator(t, sid, indicatorBody("3", "10", nil, map[string]any{"valueType": "evidence_only", "scoring": map[string]any{"method": "manual"}}))
		none := h.newIndicator(t, sid, indicatorBody("4", "10", nil, nil))
		if none.Scoring != nil || manual.Scoring == nil || manual.Scoring.Method != "manual" || manual.Scoring.Bands != nil || manual.Scoring.PerOccurrence != nil {
			t.Errorf("scoring: none %s, manual %s", mustJSON(t, none.Scoring), mustJSON(t, manual.Scoring))
		}
		band := func(bs ...map[string]any) map[string]any { return map[string]any{"method": "tiered", "bands": bs} }
		for _, tt := range []struct {
			name     string
			extra    map[string]any
			status   int
			pointers []string
		}{
			{"tiered without bands", map[string]any{"scoring": map[string]any{"method": "tiered"}}, 422, []string{"/scoring/bands"}},
			{"deduction without perOccurrence", map[string]any{"scoring": map[string]any{"method": "deduction"}}, 422, []string{"/scoring/perOccurrence"}},
			{"deduction of nothing", map[string]any{"scoring": map[string]any{"method": "deduction", "perOccurrence": "0"}}, 422, []string{"/scoring/perOccurrence"}},
			{"yes_no of a number", map[string]any{"scoring": map[string]any{"method": "yes_no"}}, 422, []string{"/scoring/method"}},
			{"linear of text", map[string]any{"valueType": "text", "scoring": map[string]any{"method": "linear"}}, 422, []string{"/scoring/method"}},
			{"target_met of yes/no", map[string]any{"valueType": "yes_no", "scoring": map[string]any{"method": "target_met"}}, 422, []string{"/scoring/method"}},
			{"tiered of yes/no without bands", map[string]any{"valueType": "yes_no", "scoring": map[string]any{"method": "tiered"}}, 422, []string{"/scoring/bands", "/scoring/method"}},
			{"overlapping bands", map[string]any{"scoring": band(map[string]any{"min": "0", "max": "50", "points": "5"}, map[string]any{"min": "40", "points": "10"})}, 422, []string{"/scoring/bands/1"}},
			{"open bands overlapping", map[string]any{"scoring": band(map[string]any{"max": "50", "points": "5"}, map[string]any{"points": "10"})}, 422, []string{"/scoring/bands/1"}},
			{"band above the points", map[string]any{"scoring": band(map[string]any{"min": "0", "points": "10.5"})}, 422, []string{"/scoring/bands/0/points"}},
			{"negative band", map[string]any{"scoring": band(map[string]any{"min": "0", "points": "-1"})}, 422, []string{"/scoring/bands/0/points"}},
			{"empty band", map[string]any{"scoring": band(map[string]any{"min": "50", "max": "50", "points": "5"})}, 422, []string{"/scoring/bands/0"}},
			{"bands of linear", map[string]any{"scoring": map[string]any{"method": "linear", "bands": []map[string]any{{"points": "1"}}}}, 422, []string{"/scoring/bands"}},
			{"perOccurrence of target_met", map[string]any{"scoring": map[string]any{"method": "target_met", "perOccurrence": "1"}}, 422, []string{"/scoring/perOccurrence"}},
			{"unknown method", map[string]any{"scoring": map[string]any{"method": "average"}}, 400, nil},
			{"band without points", map[string]any{"scoring": band(map[string]any{"min": "0"})}, 400, nil},
			{"number as points", map[string]any{"scoring": band(map[string]any{"min": "0", "points": 5})}, 400, nil},
			{"no method", map[string]any{"scoring": map[string]any{"perOccurrence": "1"}}, 400, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				resp := h.Post(path, indicatorBody("9", "10", nil, tt.extra), nil)
				code := "indicator_invalid"
				if tt.status == 400 {
					code = "invalid_request"
				}
				expect(t, resp, tt.status, code)
				if tt.pointers != nil {
					if got := pointers(resp.Problem(t)); !slices.Equal(got, tt.pointers) {
						t.Errorf("pointers %v, want %v", got, tt.pointers)
					}
				}
			})
		}
		if got := indicatorIDs(h.listIndicators(t, sid, nil, 100)...); len(got) != 4 {
			t.Errorf("%d indicators after refused creations, want 4", len(got))
		}

		// Changing scoring: another method, null (manual), refusals.
		one := indicatorsPath + "/" + lin.Id.String()
		resp = h.Patch(one, map[string]any{"scoring": map[string]any{"method": "deduction", "perOccurrence": "2.5"}}, matching(1))
		expect(t, resp, http.StatusOK, "")
		var got api.Indicator
		resp.JSON(t, &got)
		if got.Scoring == nil || got.Scoring.Method != "deduction" || got.Scoring.PerOccurrence.String() != "2.5" || got.Version != 2 {
			t.Errorf("after patch: %s", mustJSON(t, got.Scoring))
		}
		expect(t, h.Patch(one, map[string]any{"scoring": map[string]any{"method": "tiered"}}, matching(2)), http.StatusUnprocessableEntity, "indicator_invalid")
		resp = h.Patch(one, map[string]any{"valueType": "yes_no"}, matching(2))
		expect(t, resp, http.StatusUnprocessableEntity, "indicator_invalid")
		if ps := pointers(resp.Problem(t)); !slices.Equal(ps, []string{"/scoring/method"}) {
			t.Errorf("a deduction of yes/no values points at %v", ps)
		}
		resp = h.Patch(one, map[string]any{"scoring": nil}, matching(2))
		expect(t, resp, http.StatusOK, "")
		if rawField(t, resp, "scoring") != "" {
			t.Errorf("scoring after null: %s", resp.Body)
		}
		if g := h.getIndicator(t, lin.Id.String()); g.Scoring != nil || g.Version != 3 {
			t.Errorf("read back: %s, version %d", mustJSON(t, g.Scoring), g.Version)
		}
		// Points below a band's are refused; the tree shows the scoring.
		resp = h.Patch(indicatorsPath+"/"+tier.Id.String(), map[string]any{"points": "8"}, matching(1))
		expect(t, resp, http.StatusUnprocessableEntity, "indicator_invalid")
		if ps := pointers(resp.Problem(t)); !slices.Equal(ps, []string{"/scoring/bands/0/points"}) {
			t.Errorf("points below a band point at %v", ps)
		}
		tree := flatten(h.indicatorTree(t, sid).Indicators)
		if len(tree) != 4 || string(mustJSON(t, tree[0].Scoring)) != string(mustJSON(t, tiered)) || tree[1].Scoring != nil {
			t.Errorf("tree scoring: %s", mustJSON(t, tree))
		}
	})
}

// The rules of scoring/scoring.go that the year above does not reach, each
// worked out by hand: linear for every direction and kind of target, a
// target of 0, tiered bands with open ends and points that round, review
// scores out of range (as imports may write them), deductions of a negative
// or fractional count, half-yearly and monthly year-end figures, a unit
// below every grade, and points kept at the scale they were given.
func TestEvaluationScoringRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := tag()
		linear := map[string]any{"method": "linear"}
		s := h.newSystem(t, p, map[string]any{"yearFrom": 2021, "yearTo": 2021, "totalPoints": "80",
			"gradeBands": []map[string]any{{"grade": "达标", "min": "45"}}})
		sid := s.Id.String()
		newInd := func(code, points string, parent *api.Indicator, extra map[string]any) api.Indicator {
			return h.newIndicator(t, sid, indicatorBody(code, points, parent, extra))
		}
		iL := newInd("1", "10", nil, map[string]any{"direction": "lower_better", "measureUnit": "工作日", "scoring": linear})
		iR := newInd("2", "10", nil, map[string]any{"direction": "target", "valueType": "percent", "measureUnit": "%", "scoring": linear})
		iE := newInd("3", "10", nil, map[string]any{"direction": "target", "measureUnit": "件", "frequency": "month", "scoring": linear})
		iH := newInd("4", "10", nil, map[string]any{"scoring": linear})
		iZ := newInd("5", "10", nil, map[string]any{"frequency": "half", "scoring": linear})
		iT := newInd("6", "10", nil, map[string]any{"valueType": "percent", "measureUnit": "%", "scoring": map[string]any{"method": "tiered",
			"bands": []map[string]any{{"min": "90", "points": "10"}, {"min": "60", "max": "90", "points": "2.345"}, {"max": "60", "points": "0"}}}})
		iM := newInd("7", "10", nil, map[string]any{"scoring": map[string]any{"method": "manual"}})
		area := newInd("8", "10", nil, nil)
		iD := newInd("8.1", "10.00", &area, map[string]any{"scoring": map[string]any{"method": "deduction", "perOccurrence": "3"}})
		h.publish(t, sid)
		h.newTarget(t, iL.Id.String(), map[string]any{"year": 2021, "comparator": "lte", "value": "30"})
		h.newTarget(t, iR.Id.String(), map[string]any{"year": 2021, "comparator": "between", "value": "80", "valueTo": "90"})
		h.newTarget(t, iE.Id.String(), map[string]any{"year": 2021, "comparator": "eq", "value": "100"})
		h.newTarget(t, iH.Id.String(), map[string]any{"year": 2021, "comparator": "between", "value": "80", "valueTo": "90"})
		h.newTarget(t, iZ.Id.String(), map[string]any{"year": 2021, "comparator": "gte", "value": "0"})
		h.newTarget(t, iD.Id.String(), map[string]any{"year": 2021, "comparator": "lte", "value": "0"}) // deduction needs none

		var units []string
		name := map[string]string{}
		townArea := areaCode()
		for i := 1; i <= 4; i++ {
			u := h.createUnit(t, map[string]any{"code": fmt.Sprintf("%s%03d", townArea, i), "name": fmt.Sprintf("单位%d", i), "kind": "town", "parentId": h.fx.district})
			units = append(units, u.Id.String())
			name[u.Id.String()] = fmt.Sprintf("U%d", i)
		}
		U1, U2, U3, U4 := units[0], units[1], units[2], units[3]
		var values []*models.IndicatorValue
		put := func(ind api.Indicator, unit, period, value string, status models.ValueStatus, review string) {
			v := &models.IndicatorValue{IndicatorID: ind.Id.String(), SystemID: sid, UnitID: unit, Period: period, Year: 2021,
				Qualifier: "exact", Status: status}
			if value != "" {
				v.Value = ptrTo(exact.MustParse(value))
			}
			if review != "" {
				v.ReviewScore = ptrTo(exact.MustParse(review))
			}
			values = append(values, v)
		}
		ok := models.ValueApproved
		for _, u := range []struct {
			unit                      string
			l, r, e, hh, z, tt, d, rv string
		}{
			{U1, "40", "85", "110", "70", "0", "55", "-2", "0"},
			{U2, "20", "72", "250", "95", "-5", "75", "4", "12"},
			{U3, "30", "99", "100", "80", "3", "100", "1.5", "-1"},
			{U4, "0", "0", "75", "", "0.000", "89.999999", "", ""},
		} {
			put(iL, u.unit, "2021", u.l, ok, "")
			put(iR, u.unit, "2021", u.r, ok, "")
			put(iE, u.unit, "2021-12", u.e, ok, "")
			if u.hh != "" {
				put(iH, u.unit, "2021", u.hh, ok, "")
			}
			put(iZ, u.unit, "2021-H2", u.z, ok, "")
			put(iT, u.unit, "2021", u.tt, ok, "")
			put(iM, u.unit, "2021", "1", ok, u.rv)
			if u.d != "" {
				put(iD, u.unit, "2021", u.d, models.ValueLocked, "") // locked by an earlier evaluation: counts
			}
		}
		put(iE, U1, "2021-11", "0", ok, "")                  // not the year's end
		put(iZ, U1, "2021-H1", "-100", ok, "")               // not the year's end
		put(iH, U4, "2021", "85", models.ValueSubmitted, "") // not approved
		put(iD, U4, "2020", "9", ok, "")                     // another year
		if err := db.CreateValues(t.Context(), values); err != nil {
			t.Fatal(err)
		}

		e := h.createEvaluation(t, map[string]any{"systemId": sid, "year": 2021, "unitIds": units})
		id := e.Id.String()
		// Totals: U1 7.50 + 10 + 9 + 8.75 + 10 + 0 + 0 + 10 = 55.25;
		// U2 10 + 9 + 0 + 10 + 0 + 2.35 + 10 + 0 = 41.35;
		// U3 10 + 9 + 10 + 10 + 10 + 10 + 0 + 5.50 = 64.50;
		// U4 10 + 0 + 7.50 + 0 + 10 + 2.35 + 0 + 0 = 29.85. Below 45 no grade.
		short := func(es []api.RankingEntry) []string {
			out := make([]string, len(es))
			for i, e := range es {
				out[i] = fmt.Sprintf("%d %s %s/%s %s %s", e.Rank, name[e.UnitId.String()], e.Total, e.Points, strOf(e.Grade), e.Areas[7].Points)
			}
			return out
		}
		draft := h.ranking(t, id, nil)
		sameLines(t, "ranking", short(draft), []string{
			"1 U3 64.50/80.00 达标 10.00", "2 U1 55.25/80.00 达标 10.00", "3 U2 41.35/80.00  10.00", "4 U4 29.85/80.00  10.00",
		})
		want := map[string][]string{
			U1: {
				"1 linear proportional 7.50/10 lost 2.50 value=40 @2021 target=lte 30 att=0.750000 | 超过目标值30工作日，按比例得分 7.5/10",
				"2 linear met 10.00/10 lost 0.00 value=85 @2021 target=between 80–90 att=1.000000 | 达到目标区间[80%, 90%]，得满分 10/10",
				"3 linear proportional 9.00/10 lost 1.00 value=110 @2021-12 target=eq 100 att=0.900000 | 超过目标值100件，按比例得分 9/10",
				"4 linear proportional 8.75/10 lost 1.25 value=70 @2021 target=between 80–90 att=0.875000 | 低于目标区间[80, 90]，按比例得分 8.75/10",
				"5 linear met 10.00/10 lost 0.00 value=0 @2021-H2 target=gte 0 att=1.000000 | 达到目标值（≥ 0），得满分 10/10",
				"6 tiered band 0.00/10 lost 10.00 value=55 @2021 band=[-∞,60)=0 | 落在区间(-∞, 60%)，得 0/10",
				"7 manual manual 0.00/10 lost 10.00 value=1 @2021 review=0 | 评审评分 0/10",
				"8 - subtotal 10.00/10.00 lost 0.00 | 小计 10/10",
				"8.1 deduction none_deducted 10.00/10.00 lost 0.00 value=-2 @2021 occ=0×3=0 | 未发生，不扣分，得 10/10",
			},
			U2: {
				"1 linear capped 10.00/10 lost 0.00 value=20 @2021 target=lte 30 att=1.000000 | 优于目标值（≤ 30工作日），得满分 10/10",
				"2 linear proportional 9.00/10 lost 1.00 value=72 @2021 target=between 80–90 att=0.900000 | 低于目标区间[80%, 90%]，按比例得分 9/10",
				"3 linear proportional 0.00/10 lost 10.00 value=250 @2021-12 target=eq 100 att=0.000000 | 超过目标值100件，按比例得分 0/10",
				"4 linear capped 10.00/10 lost 0.00 value=95 @2021 target=between 80–90 att=1.000000 | 优于目标区间[80, 90]，得满分 10/10",
				"5 linear proportional 0.00/10 lost 10.00 value=-5 @2021-H2 target=gte 0 att=0.000000 | 未达目标值0，按比例得分 0/10",
				"6 tiered band 2.35/10 lost 7.65 value=75 @2021 band=[60,90)=2.345 | 落在区间[60%, 90%)，得 2.35/10",
				"7 manual manual 10.00/10 lost 0.00 value=1 @2021 review=12 | 评审评分 12，超出分值，计 10/10",
				"8 - subtotal 0.00/10.00 lost 10.00 | 小计 0/10",
				"8.1 deduction floor 0.00/10.00 lost 10.00 value=4 @2021 occ=4×3=12 | 发生4次，每次扣3分，扣12分，扣完为止，得 0/10",
			},
			U3: {
				"1 linear met 10.00/10 lost 0.00 value=30 @2021 target=lte 30 att=1.000000 | 达到目标值（≤ 30工作日），得满分 10/10",
				"2 linear proportional 9.00/10 lost 1.00 value=99 @2021 target=between 80–90 att=0.900000 | 高于目标区间[80%, 90%]，按比例得分 9/10",
				"3 linear met 10.00/10 lost 0.00 value=100 @2021-12 target=eq 100 att=1.000000 | 达到目标值（= 100件），得满分 10/10",
				"4 linear met 10.00/10 lost 0.00 value=80 @2021 target=between 80–90 att=1.000000 | 达到目标区间[80, 90]，得满分 10/10",
				"5 linear capped 10.00/10 lost 0.00 value=3 @2021-H2 target=gte 0 att=1.000000 | 优于目标值（≥ 0），得满分 10/10",
				"6 tiered band 10.00/10 lost 0.00 value=100 @2021 band=[90,+∞)=10 | 落在区间[90%, +∞)，得 10/10",
				"7 manual manual 0.00/10 lost 10.00 value=1 @2021 review=-1 | 评审评分 -1，低于0分，计 0/10",
				"8 - subtotal 5.50/10.00 lost 4.50 | 小计 5.5/10",
				"8.1 deduction deducted 5.50/10.00 lost 4.50 value=1.5 @2021 occ=1.5×3=4.5 | 发生1.5次，每次扣3分，扣4.5分，得 5.5/10",
			},
			U4: {
				"1 linear capped 10.00/10 lost 0.00 value=0 @2021 target=lte 30 att=1.000000 | 优于目标值（≤ 30工作日），得满分 10/10",
				"2 linear proportional 0.00/10 lost 10.00 value=0 @2021 target=between 80–90 att=0.000000 | 低于目标区间[80%, 90%]，按比例得分 0/10",
				"3 linear proportional 7.50/10 lost 2.50 value=75 @2021-12 target=eq 100 att=0.750000 | 未达目标值100件，按比例得分 7.5/10",
				"4 linear missing 0.00/10 lost 10.00 target=between 80–90 | 未填报，得 0/10",
				"5 linear met 10.00/10 lost 0.00 value=0.000 @2021-H2 target=gte 0 att=1.000000 | 达到目标值（≥ 0），得满分 10/10",
				"6 tiered band 2.35/10 lost 7.65 value=89.999999 @2021 band=[60,90)=2.345 | 落在区间[60%, 90%)，得 2.35/10",
				"7 manual not_reviewed 0.00/10 lost 10.00 value=1 @2021 | 未评审，得 0/10",
				"8 - subtotal 0.00/10.00 lost 10.00 | 小计 0/10",
				"8.1 deduction missing 0.00/10.00 lost 10.00 | 未填报，得 0/10",
			},
		}
		cards := map[string]api.Scorecard{}
		for _, u := range units {
			cards[u] = h.scorecard(t, id, u, nil)
			sameLines(t, "scorecard of "+name[u], scoreLines(cards[u]), want[u])
		}
		if c := cards[U2]; c.Grade != nil || c.Points.String() != "80.00" || c.Rank != 3 {
			t.Errorf("U2's card: grade %v, points %s, rank %d", c.Grade, c.Points, c.Rank)
		}

		// Published, the ranking and the cards are what they were.
		h.publishEvaluation(t, id, 1)
		if a, b := string(mustJSON(t, h.ranking(t, id, nil))), string(mustJSON(t, draft)); a != b {
			t.Errorf("published ranking\n%s\nis not the draft's\n%s", a, b)
		}
		for _, u := range units {
			c, w := h.scorecard(t, id, u, nil), cards[u]
			w.EvaluationStatus = "published"
			if a, b := string(mustJSON(t, c)), string(mustJSON(t, w)); a != b {
				t.Errorf("published card of %s\n%s\nis not the draft's\n%s", name[u], a, b)
			}
		}
	})
}

// TestUnitInEvaluationIsNotDeleted: a unit an evaluation covers is one of the
// unit's referrers, named in the 409.
func TestUnitInEvaluationIsNotDeleted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		u := h.createUnit(t, map[string]any{"code": deptCode(), "name": "评价中的单位", "kind": "department", "parentId": h.fx.city})
		e := h.createEvaluation(t, map[string]any{"systemId": h.fx.publishedSystem, "year": 2021, "unitIds": []string{u.Id.String()}})
		resp := h.Delete(unitsPath+"/"+u.Id.String(), matching(u.Version))
		expect(t, resp, http.StatusConflict, "unit_has_referrers")
		if p := resp.Problem(t); len(p.Referrers) != 1 || p.Referrers[0].Type != "evaluation" || p.Referrers[0].ID != e.Id.String() {
			t.Errorf("referrers %+v, want the evaluation", p.Referrers)
		}
	})
}
