package server_test

// Self-inspection rounds through HTTP: a round assigned, answered with
// evidence, submitted, returned, submitted again and accepted, the rates,
// who sees and does what, overdue rounds, and what read-only keys see.

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
)

const roundsPath = "/api/v1/inspection-rounds"

func roundPath(id string, rest ...string) string {
	p := roundsPath + "/" + id
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

func sheetPath(id string, rest ...string) string {
	p := "/api/v1/inspection-sheets/" + id
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

// sheetOf is the round's sheet of the unit.
func sheetOf(t *testing.T, r api.InspectionRound, unitID string) string {
	t.Helper()
	for _, s := range r.Sheets {
		if s.UnitId.String() == unitID {
			return s.Id.String()
		}
	}
	t.Fatalf("round %s has no sheet of unit %s: %+v", r.Id, unitID, r.Sheets)
	return ""
}

func unitsOf(r api.InspectionRound) []string {
	var out []string
	for _, s := range r.Sheets {
		out = append(out, s.UnitId.String())
	}
	slices.Sort(out)
	return out
}

func sorted(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// answer puts an answer as who, expecting status.
func (h *harness) answer(t *testing.T, sheetID, itemID string, body map[string]any, who map[string]string, status int, code string) api.InspectionAnswer {
	t.Helper()
	resp := h.Do(apitest.Request{Method: http.MethodPut, Path: sheetPath(sheetID, "answers", itemID), Body: body, Header: who})
	expect(t, resp, status, code)
	var a api.InspectionAnswer
	if status < 300 {
		resp.JSON(t, &a)
		etagIs(t, resp, a.Version)
	}
	return a
}

func (h *harness) sheetAct(t *testing.T, sheetID, action string, body any, who map[string]string, status int, code string) api.InspectionSheet {
	t.Helper()
	resp := h.Post(sheetPath(sheetID, action), body, who)
	expect(t, resp, status, code)
	var s api.InspectionSheet
	if status == http.StatusOK {
		resp.JSON(t, &s)
	}
	return s
}

func TestInspectionRound(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		fx := h.fx
		rep, admin, city, key := h.as("reporter"), h.as("admin"), h.as("cityReviewer"), h.as("key:read")
		kind := h.testKind(t)
		list := h.publishedChecklist(t, kind, fx.city, itemBody("年度报告按时公开", nil), itemBody("重大决策合法性审查", nil), itemBody("规范性文件备案", nil))
		items := h.items(t, list.Id.String(), nil, nil, 10)
		item := func(i int) string { return items[i].Id.String() }
		village := h.createUnit(t, map[string]any{"code": villageCode(), "name": "自查村", "kind": "village", "parentId": fx.town}).Id.String()

		body := map[string]any{"checklistId": list.Id.String(), "title": "年度法治政府建设自查", "deadline": "2021-11-30",
			"unitIds": []string{fx.town, fx.district, village}}
		var round api.InspectionRound
		t.Run("assign", func(t *testing.T) {
			resp := h.Post(roundsPath, body, city)
			expect(t, resp, http.StatusCreated, "")
			resp.JSON(t, &round)
			if got, want := resp.Header.Get("Location"), roundPath(round.Id.String()); got != want {
				t.Errorf("Location %q, want %q", got, want)
			}
			if round.AssigningUnitId.String() != fx.justice || round.Deadline.String() != "2021-11-30" || len(round.Sheets) != 3 || !round.Overdue {
				t.Errorf("round %+v", round)
			}
			for _, s := range round.Sheets {
				if s.Status != "pending" || !s.Overdue {
					t.Errorf("new sheet %+v", s)
				}
			}
			draft := h.newChecklist(t, nil, checklistBody(kind, fx.city, nil))
			for _, c := range []struct {
				name   string
				edit   map[string]any
				status int
				code   string
			}{
				{"a draft list", map[string]any{"checklistId": draft.Id.String()}, http.StatusConflict, "checklist_not_published"},
				{"no such list", map[string]any{"checklistId": absentID}, http.StatusUnprocessableEntity, "inspection_round_invalid"},
				{"no such unit", map[string]any{"unitIds": []string{fx.town, absentID}}, http.StatusUnprocessableEntity, "inspection_round_invalid"},
				{"a unit twice", map[string]any{"unitIds": []string{fx.town, fx.town}}, http.StatusUnprocessableEntity, "inspection_round_invalid"},
				{"no date", map[string]any{"deadline": "2021-02-30"}, http.StatusBadRequest, "invalid_request"},
			} {
				b := map[string]any{}
				for k, v := range body {
					b[k] = v
				}
				for k, v := range c.edit {
					b[k] = v
				}
				expect(t, h.Post(roundsPath, b, admin), c.status, c.code)
			}
		})
		town, district, villageSheet := sheetOf(t, round, fx.town), sheetOf(t, round, fx.district), sheetOf(t, round, village)

		t.Run("who sees", func(t *testing.T) {
			for _, c := range []struct {
				who   string
				units []string
			}{
				{"viewer", sorted(fx.town, village)},
				{"reviewer", sorted(fx.town, fx.district, village)},
				{"cityReviewer", sorted(fx.town, fx.district, village)},
			} {
				got, _ := getOK[api.InspectionRound](t, h, roundPath(round.Id.String()), h.as(c.who))
				if !slices.Equal(unitsOf(got), c.units) {
					t.Errorf("%s sees the sheets of %v, want %v", c.who, unitsOf(got), c.units)
				}
			}
			expect(t, h.Get(roundPath(round.Id.String()), key), http.StatusNotFound, "not_found") // nothing accepted yet
			expect(t, h.Get(sheetPath(district), h.as("viewer")), http.StatusNotFound, "not_found")
			expect(t, h.Get(roundPath(absentID), nil), http.StatusNotFound, "not_found")
			expect(t, h.Get(sheetPath(absentID), nil), http.StatusNotFound, "not_found")
		})

		var second api.InspectionAnswer
		t.Run("answer", func(t *testing.T) {
			first := h.answer(t, town, item(0), map[string]any{"result": "complies"}, rep, http.StatusCreated, "")
			if first.Result != "complies" || first.Version != 1 {
				t.Errorf("answer %+v", first)
			}
			h.answer(t, town, item(1), map[string]any{"result": "does_not_comply"}, rep, http.StatusUnprocessableEntity, "inspection_answer_invalid")
			second = h.answer(t, town, item(1), map[string]any{"result": "does_not_comply", "comment": "决策未经合法性审查"}, rep, http.StatusCreated, "")
			// A change needs the answer's ETag.
			h.answer(t, town, item(0), map[string]any{"result": "not_applicable"}, rep, http.StatusPreconditionRequired, "if_match_required")
			h.answer(t, town, item(0), map[string]any{"result": "not_applicable"}, with(rep, matching(5)), http.StatusPreconditionFailed, "version_mismatch")
			h.answer(t, town, item(2), map[string]any{"result": "complies"}, with(rep, matching(1)), http.StatusPreconditionFailed, "version_mismatch")
			changed := h.answer(t, town, item(0), map[string]any{"result": "complies", "comment": "已公开"}, with(rep, matching(1)), http.StatusOK, "")
			if changed.Version != 2 || changed.Comment == nil {
				t.Errorf("changed %+v", changed)
			}
			// The reporter answers its own unit's sheet only.
			h.answer(t, district, item(0), map[string]any{"result": "complies"}, rep, http.StatusNotFound, "not_found")
			h.answer(t, villageSheet, item(0), map[string]any{"result": "complies"}, rep, http.StatusForbidden, "own_unit_only")
			h.answer(t, town, absentID, map[string]any{"result": "complies"}, rep, http.StatusNotFound, "not_found")
			h.answer(t, absentID, item(0), map[string]any{"result": "complies"}, rep, http.StatusNotFound, "not_found")
		})

		t.Run("evidence", func(t *testing.T) {
			ct, b := multipartOf(t, part{field: "file", filename: "决策卷宗.pdf", contentType: "application/pdf", data: fixturePDF})
			path := "/api/v1/inspection-answers/" + second.Id.String() + "/evidence"
			resp := h.Do(apitest.Request{Method: http.MethodPost, Path: path, Body: b, ContentType: ct, Header: rep})
			expect(t, resp, http.StatusCreated, "")
			var e api.InspectionEvidence
			resp.JSON(t, &e)
			if e.ContentType != "application/pdf" || e.Filename != "决策卷宗.pdf" || e.AnswerId != second.Id {
				t.Errorf("evidence %+v", e)
			}
			got, _ := getOK[api.InspectionSheet](t, h, sheetPath(town), h.as("viewer"))
			if len(got.Answers) != 2 {
				t.Fatalf("answers %+v", got.Answers)
			}
			for _, a := range got.Answers {
				if a.Id == second.Id && (len(a.Evidence) != 1 || a.Evidence[0].Id != e.Id) {
					t.Errorf("the answer's evidence %+v", a.Evidence)
				}
			}
			file := h.Get(resp.Header.Get("Location"), h.as("viewer"))
			expect(t, file, http.StatusOK, "")
			if string(file.Body) != string(fixturePDF) || file.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("downloaded %d bytes, headers %v", len(file.Body), file.Header)
			}
			expect(t, h.Get(resp.Header.Get("Location"), key), http.StatusNotFound, "not_found") // not accepted
			expect(t, h.Get("/api/v1/inspection-evidence/"+absentID+"/content", nil), http.StatusNotFound, "not_found")
			bad := h.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/inspection-answers/" + absentID + "/evidence", Body: b, ContentType: ct, Header: rep})
			expect(t, bad, http.StatusNotFound, "not_found")
			// The reporter attaches to its own unit's answers only.
			villageAnswer := h.answer(t, villageSheet, item(0), map[string]any{"result": "complies"}, admin, http.StatusCreated, "")
			below := h.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/inspection-answers/" + villageAnswer.Id.String() + "/evidence", Body: b, ContentType: ct, Header: rep})
			expect(t, below, http.StatusForbidden, "own_unit_only")
		})

		t.Run("submit, return, accept", func(t *testing.T) {
			h.sheetAct(t, town, "submit", nil, rep, http.StatusConflict, "inspection_incomplete")
			h.answer(t, town, item(2), map[string]any{"result": "not_applicable"}, rep, http.StatusCreated, "")
			s := h.sheetAct(t, town, "submit", nil, rep, http.StatusOK, "")
			if s.Status != "submitted" || s.SubmittedBy == nil || s.SubmittedBy.Id.String() != fx.users["reporter"].ID || s.Overdue {
				t.Errorf("submitted %+v", s)
			}
			// Submitted answers do not change.
			h.answer(t, town, item(2), map[string]any{"result": "complies"}, with(rep, matching(1)), http.StatusConflict, "inspection_not_editable")
			ct, b := multipartOf(t, part{field: "file", filename: "补充.pdf", contentType: "application/pdf", data: fixturePDF})
			late := h.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/inspection-answers/" + second.Id.String() + "/evidence", Body: b, ContentType: ct, Header: rep})
			expect(t, late, http.StatusConflict, "inspection_not_editable")
			h.sheetAct(t, town, "submit", nil, rep, http.StatusConflict, "inspection_not_editable")
			h.sheetAct(t, villageSheet, "submit", nil, rep, http.StatusForbidden, "own_unit_only")

			h.sheetAct(t, town, "return", map[string]any{"reason": " "}, city, http.StatusUnprocessableEntity, "inspection_invalid")
			s = h.sheetAct(t, town, "return", map[string]any{"reason": "第2项请补充整改措施"}, city, http.StatusOK, "")
			if s.Status != "returned" || s.ReturnReason == nil || !s.Overdue {
				t.Errorf("returned %+v", s)
			}
			h.sheetAct(t, town, "accept", nil, city, http.StatusConflict, "inspection_not_submitted")
			h.sheetAct(t, town, "return", map[string]any{"reason": "再次退回"}, city, http.StatusConflict, "inspection_not_submitted")
			h.answer(t, town, item(1), map[string]any{"result": "does_not_comply", "comment": "决策未经合法性审查，已制定整改措施"}, with(rep, matching(1)), http.StatusOK, "")
			h.sheetAct(t, town, "submit", nil, rep, http.StatusOK, "")
			s = h.sheetAct(t, town, "accept", nil, city, http.StatusOK, "")
			if s.Status != "accepted" || s.ReviewedBy == nil || s.ReviewedBy.Id.String() != fx.users["cityReviewer"].ID {
				t.Errorf("accepted %+v", s)
			}

			// Nobody accepts what they submitted.
			for i := range items {
				h.answer(t, district, item(i), map[string]any{"result": "complies"}, admin, http.StatusCreated, "")
			}
			h.sheetAct(t, district, "submit", nil, admin, http.StatusOK, "")
			h.sheetAct(t, district, "accept", nil, admin, http.StatusForbidden, "self_review")
			h.sheetAct(t, district, "return", map[string]any{"reason": "自己退回"}, admin, http.StatusForbidden, "self_review")
			h.sheetAct(t, absentID, "accept", nil, city, http.StatusNotFound, "not_found")
		})

		t.Run("rates", func(t *testing.T) {
			s, _ := getOK[api.InspectionStatistics](t, h, roundPath(round.Id.String(), "statistics"), nil)
			byUnit := map[string]api.InspectionUnitRates{}
			for _, u := range s.ByUnit {
				byUnit[u.UnitId.String()] = u
			}
			tw, di, vi := byUnit[fx.town], byUnit[fx.district], byUnit[village]
			if tw.Answered != 3 || tw.Complies != 1 || tw.DoesNotComply != 1 || tw.NotApplicable != 1 || tw.CompletionRate.String() != "100.00" ||
				tw.ComplianceRate == nil || tw.ComplianceRate.String() != "50.00" || tw.Status != "accepted" {
				t.Errorf("the town's rates %+v", tw)
			}
			if di.ComplianceRate == nil || di.ComplianceRate.String() != "100.00" || di.Status != "submitted" {
				t.Errorf("the district's rates %+v", di)
			}
			if vi.Answered != 1 || vi.CompletionRate.String() != "33.33" || vi.ComplianceRate == nil || vi.ComplianceRate.String() != "100.00" || vi.Items != 3 {
				t.Errorf("the village's rates %+v", vi)
			}
			if len(s.ByItem) != 3 || s.ByItem[1].Sequence != 2 || s.ByItem[1].Items != 3 || s.ByItem[1].Answered != 2 || s.ByItem[1].DoesNotComply != 1 ||
				s.ByItem[1].CompletionRate.String() != "66.67" || s.ByItem[1].ComplianceRate.String() != "50.00" {
				t.Errorf("item rates %+v", s.ByItem)
			}
			// The town's viewer counts the town's subtree.
			mine, _ := getOK[api.InspectionStatistics](t, h, roundPath(round.Id.String(), "statistics"), h.as("viewer"))
			if len(mine.ByUnit) != 2 || mine.ByItem[1].Items != 2 {
				t.Errorf("the viewer's rates %+v", mine)
			}
			expect(t, h.Get(roundPath(absentID, "statistics"), nil), http.StatusNotFound, "not_found")
		})

		t.Run("keys see accepted sheets", func(t *testing.T) {
			got, _ := getOK[api.InspectionRound](t, h, roundPath(round.Id.String()), key)
			if !slices.Equal(unitsOf(got), []string{fx.town}) {
				t.Errorf("the key sees the sheets of %v", unitsOf(got))
			}
			getOK[api.InspectionSheet](t, h, sheetPath(town), key)
			expect(t, h.Get(sheetPath(district), key), http.StatusNotFound, "not_found")
			stats, _ := getOK[api.InspectionStatistics](t, h, roundPath(round.Id.String(), "statistics"), key)
			if len(stats.ByUnit) != 1 {
				t.Errorf("the key counts %d units", len(stats.ByUnit))
			}
			rounds := listAll[api.InspectionRound](t, h, roundsPath, key, url.Values{"checklistId": {list.Id.String()}}, 10)
			if len(rounds) != 1 {
				t.Errorf("the key lists %d rounds", len(rounds))
			}
		})

		t.Run("overdue", func(t *testing.T) {
			later := map[string]any{"checklistId": list.Id.String(), "title": "下一年度自查", "deadline": "2999-12-31", "unitIds": []string{fx.town}}
			expect(t, h.Post(roundsPath, later, admin), http.StatusCreated, "")
			all := listAll[api.InspectionRound](t, h, roundsPath, nil, url.Values{"checklistId": {list.Id.String()}}, 1)
			overdue := listAll[api.InspectionRound](t, h, roundsPath, nil, url.Values{"checklistId": {list.Id.String()}, "overdue": {"true"}}, 1)
			if len(all) != 2 || len(overdue) != 1 || overdue[0].Id != round.Id {
				t.Errorf("%d rounds, %d overdue: %+v", len(all), len(overdue), overdue)
			}
			byDeadline := listAll[api.InspectionRound](t, h, roundsPath, nil, url.Values{"checklistId": {list.Id.String()}, "sort": {"deadline"}}, 1)
			if len(byDeadline) != 2 || byDeadline[0].Deadline.String() != "2021-11-30" {
				t.Errorf("by deadline %+v", byDeadline)
			}
			// The town's viewer lists the rounds of its subtree.
			if mine := listAll[api.InspectionRound](t, h, roundsPath, h.as("viewer"), url.Values{"checklistId": {list.Id.String()}}, 10); len(mine) != 2 {
				t.Errorf("the viewer lists %d rounds", len(mine))
			}
			expect(t, h.Get(roundsPath+"?cursor=nonsense", nil), http.StatusBadRequest, "invalid_cursor")
		})
	})
}

// TestUnitsInUseByChecklists: a unit that issues a list, implements an item,
// applied a list, answers a round, or reported a value, is refused deletion
// with its referrers named, never with a bare foreign-key error.
func TestUnitsInUseByChecklists(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		fx := h.fx
		unit := func(name string) api.Unit {
			return h.createUnit(t, map[string]any{"code": deptCode(), "name": name + tag(), "kind": "department", "parentId": fx.city})
		}
		issuer, implementer, applier, answering := unit("发布单位"), unit("实施单位"), unit("适用单位"), unit("自查单位")
		list := h.publishedChecklist(t, "noPenalty", issuer.Id.String(), noPenaltyItem("首次未按规定公示", implementer.Id.String()))
		item := h.items(t, list.Id.String(), nil, nil, 10)[0]
		app := h.newCase(t, nil, caseBody(item.Id.String(), applier.Id.String(), nil))
		var round api.InspectionRound
		resp := h.Post(roundsPath, map[string]any{"checklistId": list.Id.String(), "title": "引用自查", "deadline": "2021-11-30",
			"unitIds": []string{answering.Id.String()}}, nil)
		expect(t, resp, http.StatusCreated, "")
		resp.JSON(t, &round)
		_, inds := h.valueSystem(t, indicatorBody("1", "100", nil, nil))
		reporter := unit("填报单位")
		value := h.report(t, nil, valueBody(inds[0], reporter.Id.String(), "2021", "1", nil))

		for _, c := range []struct {
			unit     api.Unit
			kind, id string
		}{
			{issuer, "checklist", list.Id.String()},
			{implementer, "checklist_item", item.Id.String()},
			{applier, "checklist_application", app.Id.String()},
			{answering, "inspection_sheet", round.Sheets[0].Id.String()},
			{reporter, "indicator_value", value.Id.String()},
		} {
			resp := h.Delete(unitsPath+"/"+c.unit.Id.String(), map[string]string{"If-Match": etagOf(c.unit)})
			expect(t, resp, http.StatusConflict, "unit_has_referrers")
			if got := referrerIDs(resp.Problem(t), c.kind); !slices.Contains(got, c.id) {
				t.Errorf("unit %s: referrers %+v, want %s %s", c.unit.Name, resp.Problem(t).Referrers, c.kind, c.id)
			}
		}
	})
}
