package server_test

// The lifecycle recipe seen from outside: bulk changes make the very moves
// the single operations make, a key that only reads sees released records
// on every read path, and a refused move names the states that allow it.

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
)

// TestBulkMovesAsSingle: for each rule of a move, the single operation and
// the bulk one over the same kind of value give the same answer.
func TestBulkMovesAsSingle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		bulkSubmit := func(filter map[string]any, who map[string]string) *apitest.Response {
			return h.Post(valuesPath+"/bulk-submit", filter, who)
		}

		t.Run("flags", func(t *testing.T) {
			// Three villages of the town; the third reports 5000 where the
			// others report 100 and 110: flagged, whether submitted alone or
			// in bulk, with the same words.
			town := townCode()
			s, inds := h.valueSystem(t, indicatorBody("1", "50", nil, nil), indicatorBody("2", "50", nil, nil))
			var villages []string
			for i := range 3 {
				v := h.createUnit(t, map[string]any{"code": town + "00" + string(rune('1'+i)), "name": "村", "kind": "village", "parentId": h.fx.town})
				villages = append(villages, v.Id.String())
			}
			var outliers []string
			for _, ind := range inds {
				h.report(t, nil, valueBody(ind, villages[0], "2021", "100", nil))
				h.report(t, nil, valueBody(ind, villages[1], "2021", "110", nil))
				outliers = append(outliers, h.report(t, nil, valueBody(ind, villages[2], "2021", "5000", nil)).Id.String())
			}
			single := h.mustAct(t, outliers[0], "submit", nil, nil, "submitted")
			resp := bulkSubmit(map[string]any{"systemId": s.Id.String(), "unitId": villages[2], "indicatorIds": []string{inds[1].Id.String()}}, nil)
			expect(t, resp, http.StatusOK, "")
			bulk := h.getValue(t, outliers[1], nil)
			if bulk.Status != "submitted" || len(single.Flags) != 1 || !slices.Equal(single.Flags, bulk.Flags) {
				t.Errorf("flags submitted alone %q, in bulk %q (%s): want the same one flag", single.Flags, bulk.Flags, bulk.Status)
			}
		})

		t.Run("self review", func(t *testing.T) {
			// A reviewer who reports for the district submits a value: it may
			// approve it neither alone nor in bulk, refused with one code and
			// one message.
			s, inds := h.valueSystem(t, indicatorBody("1", "100", nil, nil))
			_, dual := h.signedIn(t, h.fx.district, "reviewer", "reporter")
			v := h.report(t, dual, valueBody(inds[0], h.fx.district, "2021", "12", nil))
			h.mustAct(t, v.Id.String(), "submit", nil, dual, "submitted")
			alone := h.act(v.Id.String(), "approve", map[string]any{}, dual)
			expect(t, alone, http.StatusForbidden, "self_review")
			inBulk := h.Post(valuesPath+"/bulk-approve", map[string]any{"systemId": s.Id.String(), "unitId": h.fx.district}, dual)
			expect(t, inBulk, http.StatusConflict, "bulk_refused")
			single, errs := alone.Problem(t), inBulk.Problem(t).Errors
			if len(errs) != 1 || errs[0].Pointer != "/values/"+v.Id.String() || errs[0].Code != single.Code || errs[0].Message != single.Detail {
				t.Errorf("bulk refusal %+v, want the single refusal %q %q", errs, single.Code, single.Detail)
			}
			if got := h.getValue(t, v.Id.String(), nil); got.Status != "submitted" {
				t.Errorf("a refused approval left the value %s", got.Status)
			}
		})

		t.Run("evidence required", func(t *testing.T) {
			// An indicator that requires evidence refuses a value without
			// any, alone and in bulk; with a file attached it goes.
			s, inds := h.valueSystem(t, indicatorBody("1", "100", nil, map[string]any{"evidenceRequired": true}))
			v := h.report(t, nil, valueBody(inds[0], h.fx.town, "2021", "283", nil))
			alone := h.act(v.Id.String(), "submit", nil, nil)
			expect(t, alone, http.StatusConflict, "value_evidence_missing")
			filter := map[string]any{"systemId": s.Id.String(), "unitId": h.fx.town}
			inBulk := bulkSubmit(filter, nil)
			expect(t, inBulk, http.StatusConflict, "bulk_refused")
			single, errs := alone.Problem(t), inBulk.Problem(t).Errors
			if len(errs) != 1 || errs[0].Code != "value_evidence_missing" || errs[0].Message != single.Detail {
				t.Errorf("bulk refusal %+v, want the single refusal %q", errs, single.Detail)
			}
			if got := h.getValue(t, v.Id.String(), nil); got.Status != "draft" || got.Version != v.Version {
				t.Errorf("a refused submission changed the value: %s, version %d", got.Status, got.Version)
			}
			h.mustUpload(t, v.Id.String(), "调解台账.pdf", testPDF, nil)
			expect(t, bulkSubmit(filter, nil), http.StatusOK, "")
			if got := h.getValue(t, v.Id.String(), nil); got.Status != "submitted" {
				t.Errorf("with evidence, bulk submit left the value %s", got.Status)
			}
			w := h.report(t, nil, valueBody(inds[0], h.fx.district, "2021", "242", nil))
			h.mustUpload(t, w.Id.String(), "调解台账.pdf", testPDF, nil)
			h.mustAct(t, w.Id.String(), "submit", nil, nil, "submitted")
		})
	})
}

// TestReleasedReadPaths: a key that only reads sees an indicator system, a
// reported value and an evaluation once released, on every read path, and
// nothing of them before; an administrator sees them all.
func TestReleasedReadPaths(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		key := h.as("key:read")
		fx := h.fx
		s, inds := h.valueSystem(t, indicatorBody("1", "100", nil, nil))
		approved := h.report(t, nil, valueBody(inds[0], fx.district, "2021", "2848", nil))
		h.mustAct(t, approved.Id.String(), "submit", nil, nil, "submitted")
		h.mustAct(t, approved.Id.String(), "approve", map[string]any{}, h.as("reviewer"), "approved")
		draftValue := h.report(t, nil, valueBody(inds[0], fx.town, "2021", "3923", nil))
		draftEvaluation := h.createEvaluation(t, map[string]any{"systemId": s.Id.String(), "year": 2021, "unitIds": []string{fx.district}})
		period2021 := "?period=2021"
		kind := h.testKind(t)
		draftList := h.newChecklist(t, nil, checklistBody(kind, fx.district, nil))
		draftItem := h.newItem(t, nil, draftList.Id.String(), itemBody("草稿事项", nil))
		inReviewList := h.newChecklist(t, nil, checklistBody(kind, fx.district, nil))
		h.newItem(t, nil, inReviewList.Id.String(), itemBody("审查中事项", nil))
		h.mustClAct(t, inReviewList.Id.String(), "submit", nil, nil, "in_review")
		superseded := h.publishedChecklist(t, kind, fx.district)
		revision := h.mustClAct(t, superseded.Id.String(), "revise", nil, nil, "draft")
		h.mustClAct(t, revision.Id.String(), "submit", nil, nil, "in_review")
		published := h.mustClAct(t, revision.Id.String(), "publish", nil, h.as("cityReviewer"), "published")
		publishedItem := h.items(t, published.Id.String(), nil, nil, 50)[0]
		abolished := h.publishedChecklist(t, kind, fx.district)
		h.mustClAct(t, abolished.Id.String(), "abolish", nil, h.as("cityReviewer"), "abolished")

		tests := []struct {
			record, path string
			key          int // the key's status; the administrator always has 200
		}{
			{"draft system", systemsPath + "/" + fx.system, 404},
			{"draft system's tree", systemsPath + "/" + fx.system + "/tree", 404},
			{"draft system's indicators", systemsPath + "/" + fx.system + "/indicators", 404},
			{"draft system's indicator", indicatorsPath + "/" + fx.indicator, 404},
			{"draft system's targets", indicatorsPath + "/" + fx.indicator + "/targets", 404},
			{"draft system's target", "/api/v1/targets/" + fx.target, 404},
			{"draft system's template", systemsPath + "/" + fx.system + "/value-template" + period2021, 404},
			{"draft system's export", systemsPath + "/" + fx.system + "/value-export" + period2021, 404},
			{"draft system's roll-up", valuesPath + "/rollup?indicatorId=" + fx.indicator + "&unitId=" + fx.city + "&period=2021", 404},
			{"published system", systemsPath + "/" + s.Id.String(), 200},
			{"published system's tree", systemsPath + "/" + s.Id.String() + "/tree", 200},
			{"published system's indicator", indicatorsPath + "/" + inds[0].Id.String(), 200},
			{"published system's export", systemsPath + "/" + s.Id.String() + "/value-export" + period2021, 200},
			{"draft value", valuesPath + "/" + draftValue.Id.String(), 404},
			{"draft value's history", valuesPath + "/" + draftValue.Id.String() + "/history", 404},
			{"draft value's attachments", valuesPath + "/" + fx.value + "/attachments", 404},
			{"draft value's attachment", "/api/v1/attachments/" + fx.attachment + "/content", 404},
			{"approved value", valuesPath + "/" + approved.Id.String(), 200},
			{"approved value's history", valuesPath + "/" + approved.Id.String() + "/history", 200},
			{"draft evaluation", evalPath(draftEvaluation.Id.String()), 404},
			{"draft evaluation's ranking", evalPath(draftEvaluation.Id.String(), "ranking"), 404},
			{"draft evaluation's scorecard", evalPath(draftEvaluation.Id.String(), "units", fx.district), 404},
			{"draft evaluation's comparison", evalPath(draftEvaluation.Id.String(), "compare") + "?with=" + draftEvaluation.Id.String(), 404},
			{"published evaluation", evalPath(fx.evaluation), 200},
			{"published evaluation's ranking", evalPath(fx.evaluation, "ranking"), 200},
			{"draft checklist", clPath(draftList.Id.String()), 404},
			{"draft checklist's versions", clPath(draftList.Id.String(), "versions"), 404},
			{"draft checklist's items", clPath(draftList.Id.String(), "items"), 404},
			{"draft checklist's item", itemPath(draftItem.Id.String()), 404},
			{"draft checklist's statistics", clPath(draftList.Id.String(), "statistics"), 404},
			{"draft checklist's diff", clPath(draftList.Id.String(), "diff") + "?from=1&to=1", 404},
			{"checklist in review", clPath(inReviewList.Id.String()), 404},
			{"abolished checklist", clPath(abolished.Id.String()), 404},
			{"abolished checklist's items", clPath(abolished.Id.String(), "items"), 404},
			{"published checklist", clPath(published.Id.String()), 200},
			{"published checklist's versions", clPath(published.Id.String(), "versions"), 200},
			{"published checklist's items", clPath(published.Id.String(), "items"), 200},
			{"published checklist's item", itemPath(publishedItem.Id.String()), 200},
			{"published checklist's statistics", clPath(published.Id.String(), "statistics"), 200},
			{"published checklist's diff", clPath(published.Id.String(), "diff"), 200},
			{"superseded checklist", clPath(superseded.Id.String()), 200},
			{"superseded checklist's items", clPath(superseded.Id.String(), "items"), 200},
			{"draft plan", planPath(fx.draftPlan), 404},
			{"draft plan's tasks", "/api/v1/plan-tasks?planId=" + fx.draftPlan, 200}, // an empty page: see lists
			{"published plan", planPath(fx.plan), 200},
			{"published plan's task", taskPath(fx.planTask), 200},
			{"progress report not accepted", reportPath(fx.report), 404},
			{"problem not signed off", problemPath(fx.problem), 404},
			{"draft annual report", annualReportPath(fx.annualReport), 404},
			{"draft annual report's export", annualReportPath(fx.annualReport, "export"), 404},
			{"draft annual report's versions", annualReportPath(fx.annualReport, "versions"), 404},
		}
		for _, tt := range tests {
			t.Run(tt.record, func(t *testing.T) {
				code := ""
				if tt.key == http.StatusNotFound {
					code = "not_found"
				}
				expect(t, h.Get(tt.path, key), tt.key, code)
				expect(t, h.Get(tt.path, nil), http.StatusOK, "")
			})
		}

		t.Run("lists", func(t *testing.T) {
			for _, sys := range listAll[api.IndicatorSystem](t, h, systemsPath, key, nil, 500) {
				if sys.Status == "draft" {
					t.Errorf("the key lists draft system %s", sys.Id)
				}
			}
			values := listAll[api.IndicatorValue](t, h, valuesPath, key, url.Values{"systemId": {s.Id.String()}}, 50)
			if got := valueIDs(values...); !slices.Equal(got, []string{approved.Id.String()}) {
				t.Errorf("the key lists values %v, want the approved one only", got)
			}
			for _, e := range listAll[api.Evaluation](t, h, evaluationsPath, key, nil, 500) {
				if e.Status == "draft" {
					t.Errorf("the key lists draft evaluation %s", e.Id)
				}
			}
			for _, c := range listAll[api.Checklist](t, h, checklistsPath, key, nil, 500) {
				if c.Status != "published" && c.Status != "superseded" {
					t.Errorf("the key lists %s checklist %s", c.Status, c.Id)
				}
			}
			for _, p := range listAll[api.Plan](t, h, plansPath, key, nil, 500) {
				if p.Status == "draft" {
					t.Errorf("the key lists draft plan %s", p.Id)
				}
			}
			if tasks := listAll[api.PlanTask](t, h, "/api/v1/plan-tasks", key, url.Values{"planId": {fx.draftPlan}}, 50); len(tasks) != 0 {
				t.Errorf("the key lists %d tasks of a draft plan", len(tasks))
			}
			for _, r := range listAll[api.ProgressReport](t, h, reportsPath, key, nil, 500) {
				if r.Status != "accepted" {
					t.Errorf("the key lists %s progress report %s", r.Status, r.Id)
				}
			}
			for _, r := range listAll[api.AnnualReport](t, h, annualReportsPath, key, nil, 500) {
				if r.Status != "submitted" && r.Status != "published" {
					t.Errorf("the key lists %s annual report %s", r.Status, r.Id)
				}
			}
			for _, p := range listAll[api.ProblemRecord](t, h, problemsPath, key, nil, 500) {
				if p.Status != "signed_off" {
					t.Errorf("the key lists %s problem %s", p.Status, p.Id)
				}
			}
			if tasks := listAll[api.PlanTask](t, h, "/api/v1/plan-tasks", nil, url.Values{"planId": {fx.draftPlan}}, 50); len(tasks) != 1 {
				t.Errorf("the administrator lists %d tasks of the draft plan, want 1", len(tasks))
			}
			lists := listAll[api.Checklist](t, h, checklistsPath, key, url.Values{"kind": {kind}}, 50)
			if got, want := checklistIDs(lists), sortedIDs(superseded.Id.String(), published.Id.String()); !slices.Equal(got, want) {
				t.Errorf("the key lists checklists %v, want the published and the superseded one %v", got, want)
			}
			versions := listAll[api.Checklist](t, h, clPath(published.Id.String(), "versions"), key, nil, 50)
			if got, want := checklistIDs(versions), sortedIDs(superseded.Id.String(), published.Id.String()); !slices.Equal(got, want) {
				t.Errorf("the key lists versions %v, want %v", got, want)
			}
		})

		t.Run("roll-up", func(t *testing.T) {
			// The town's own value is a draft: the key sees the roll-up without it.
			q := url.Values{"indicatorId": {inds[0].Id.String()}, "unitId": {fx.town}, "period": {"2021"}}
			var forKey, forAdmin api.Rollup
			h.Get(valuesPath+"/rollup?"+q.Encode(), key).JSON(t, &forKey)
			h.Get(valuesPath+"/rollup?"+q.Encode(), nil).JSON(t, &forAdmin)
			if forKey.Own != nil || forAdmin.Own == nil || forAdmin.Own.Id != draftValue.Id {
				t.Errorf("own value: the key sees %v, the administrator %v", forKey.Own, forAdmin.Own)
			}
		})

		t.Run("export", func(t *testing.T) {
			q := url.Values{"period": {"2021"}, "format": {"csv"}, "unitId": {fx.district, fx.town}}
			path := systemsPath + "/" + s.Id.String() + "/value-export?" + q.Encode()
			forKey, forAdmin := string(download(t, h, path, key, "text/csv", ".csv")), string(download(t, h, path, nil, "text/csv", ".csv"))
			// The figures as fields of their own: bare digits can turn up in a unit's random code.
			if !strings.Contains(forKey, ",2848,") || strings.Contains(forKey, ",3923,") || !strings.Contains(forAdmin, ",3923,") {
				t.Errorf("export: the key's\n%s\nthe administrator's\n%s", forKey, forAdmin)
			}
		})
	})
}

// TestReleasedHistory: a key reads a value's history as the province may
// see it: the events that left the value released, without the draft
// figures, the return reason, the people or the addresses behind them.
func TestReleasedHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		_, inds := h.valueSystem(t, indicatorBody("1", "100", nil, nil))
		v := h.report(t, h.as("reporter"), valueBody(inds[0], h.fx.town, "2021", "5000", nil))
		id := v.Id.String()
		h.mustAct(t, id, "submit", nil, h.as("reporter"), "submitted")
		h.mustAct(t, id, "return", map[string]any{"reason": "口径不对，请核实"}, h.as("reviewer"), "returned")
		expect(t, h.Patch(valuesPath+"/"+id, map[string]any{"value": "568"}, with(h.as("reporter"), matching(3))), http.StatusOK, "")
		h.mustAct(t, id, "submit", nil, h.as("reporter"), "submitted")
		h.mustAct(t, id, "approve", map[string]any{"reviewScore": "90"}, h.as("reviewer"), "approved")

		all := listAll[api.AuditEvent](t, h, valuesPath+"/"+id+"/history", nil, nil, 2)
		if len(all) != 6 || strOf(all[1].ActorName) == "" {
			t.Fatalf("the administrator reads %d events (%v), want 6 with their actors", len(all), auditOps(all))
		}
		for _, limit := range []int{1, 50} {
			released := listAll[api.AuditEvent](t, h, valuesPath+"/"+id+"/history", h.as("key:read"), nil, limit)
			if len(released) != 1 || released[0].Operation != "approveIndicatorValue" {
				t.Fatalf("the key reads %v, want the approval alone", auditOps(released))
			}
			e := released[0]
			if e.ActorName != nil || e.ActorId != nil || e.RequestId != nil || e.ClientAddress != nil {
				t.Errorf("the key reads who and where: %+v", e)
			}
			if e.Before != nil || e.After == nil || (*e.After)["value"] != "568" || (*e.After)["status"] != "approved" {
				t.Errorf("the key reads before %v, after %v: want the approved state alone", e.Before, e.After)
			}
			// The figure as a JSON string: bare digits also turn up inside ids and hashes.
			if body := string(mustJSON(t, released)); strings.Contains(body, `"5000"`) || strings.Contains(body, "口径") {
				t.Errorf("the key reads an unreleased figure or the return reason: %s", body)
			}
		}
	})
}

// TestWrongStateNamesAllowedStates: a move refused in the record's state is
// a 409 whose allowedStates are the states the transition table allows it
// from.
func TestWrongStateNamesAllowedStates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		s, inds := h.valueSystem(t, indicatorBody("1", "100", nil, nil))
		v := h.report(t, nil, valueBody(inds[0], h.fx.town, "2021", "1", nil))
		h.mustAct(t, v.Id.String(), "submit", nil, nil, "submitted")
		kind := h.testKind(t)
		draftList := h.newChecklist(t, nil, checklistBody(kind, h.fx.town, nil)).Id.String()
		pub := h.publishedChecklist(t, kind, h.fx.town)
		pubList := pub.Id.String()
		pubItem := h.items(t, pubList, nil, nil, 50)[0]
		city := h.as("cityReviewer")
		tests := []struct {
			name    string
			resp    *apitest.Response
			code    string
			allowed []string
		}{
			{"edit a submitted value", h.Patch(valuesPath+"/"+v.Id.String(), map[string]any{"value": "2"}, matching(2)),
				"value_not_editable", []string{"draft", "returned"}},
			{"submit a submitted value", h.act(v.Id.String(), "submit", nil, nil), "value_not_editable", []string{"draft", "returned"}},
			{"publish a published system", h.Post(systemsPath+"/"+s.Id.String()+"/publish", nil, nil),
				"indicator_system_not_draft", []string{"draft"}},
			{"archive a draft system", h.Post(systemsPath+"/"+h.fx.system+"/archive", nil, nil),
				"indicator_system_not_published", []string{"published"}},
			{"delete a published evaluation", h.Delete(evalPath(h.fx.evaluation), matching(2)), "evaluation_not_draft", []string{"draft"}},
			{"edit a published checklist", h.Patch(clPath(pubList), map[string]any{"title": "改"}, matching(pub.Version)),
				"checklist_not_draft", []string{"draft"}},
			{"delete a published checklist", h.Delete(clPath(pubList), matching(pub.Version)), "checklist_not_draft", []string{"draft"}},
			{"submit a published checklist", h.clAct(pubList, "submit", nil, nil), "checklist_not_draft", []string{"draft"}},
			{"add an item to a published checklist", h.Post(clPath(pubList, "items"), itemBody("新", nil), nil),
				"checklist_not_draft", []string{"draft"}},
			{"edit an item of a published checklist", h.Patch(itemPath(pubItem.Id.String()), map[string]any{"name": "改"}, matching(pubItem.Version)),
				"checklist_not_draft", []string{"draft"}},
			{"return a draft checklist", h.clAct(draftList, "return", map[string]any{"comment": "退回"}, city),
				"checklist_not_in_review", []string{"in_review"}},
			{"publish a draft checklist", h.clAct(draftList, "publish", nil, city), "checklist_not_in_review", []string{"in_review"}},
			{"revise a draft checklist", h.clAct(draftList, "revise", nil, nil), "checklist_not_published", []string{"published"}},
			{"abolish a draft checklist", h.clAct(draftList, "abolish", nil, city), "checklist_not_published", []string{"published"}},
			{"publish a published plan", h.Post(planPath(h.fx.plan, "publish"), nil, nil), "plan_not_draft", []string{"draft"}},
			{"close a draft plan", h.Post(planPath(h.fx.draftPlan, "close"), nil, nil), "plan_not_published", []string{"published"}},
			{"derive from a draft plan", h.Post(planPath(h.fx.draftPlan, "derive"), map[string]any{"unitId": h.fx.town, "year": 2022,
				"title": "街道工作安排", "kind": "arrangement", "taskIds": []string{h.fx.planTask}}, nil), "plan_not_released", []string{"published", "closed"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				expect(t, tt.resp, http.StatusConflict, tt.code)
				if p := tt.resp.Problem(t); !slices.Equal(p.AllowedStates, tt.allowed) {
					t.Errorf("allowedStates %v, want %v", p.AllowedStates, tt.allowed)
				}
			})
		}
	})
}
