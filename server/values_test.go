package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
)

const valuesPath = "/api/v1/indicator-values"

// with merges header maps, later ones winning.
func with(hs ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, h := range hs {
		for k, v := range h {
			out[k] = v
		}
	}
	return out
}

// signedIn creates a user of the unit with the roles through the API, signs it
// in with its password and returns the header that signs requests as it.
func (h *harness) signedIn(t *testing.T, unitID string, roles ...string) (api.User, map[string]string) {
	t.Helper()
	u := h.newUser(t, unitID, tag()+".user", roles...)
	s := h.mustSignIn(t, u.Username, testPass)
	return u, bearer(s.Token)
}

// valueSystem creates and publishes a system of 100 points covering 2021 and
// 2022 with one level-1 indicator per body, returning them in order.
func (h *harness) valueSystem(t *testing.T, bodies ...map[string]any) (api.IndicatorSystem, []api.Indicator) {
	t.Helper()
	s := h.newSystem(t, tag(), map[string]any{"yearFrom": 2021, "yearTo": 2022})
	inds := make([]api.Indicator, len(bodies))
	for i, b := range bodies {
		inds[i] = h.newIndicator(t, s.Id.String(), b)
	}
	return h.publish(t, s.Id.String()), inds
}

func decodeValue(t *testing.T, resp *apitest.Response) api.IndicatorValue {
	t.Helper()
	var v api.IndicatorValue
	resp.JSON(t, &v)
	return v
}

// report creates a value as who (nil: the administrator), expecting 201 with
// its Location and ETag.
func (h *harness) report(t *testing.T, who map[string]string, body map[string]any) api.IndicatorValue {
	t.Helper()
	resp := h.Post(valuesPath, body, who)
	if resp.Status != http.StatusCreated {
		t.Fatalf("create value %v: status %d, body %s", body, resp.Status, resp.Body)
	}
	v := decodeValue(t, resp)
	if got, want := resp.Header.Get("Location"), valuesPath+"/"+v.Id.String(); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := resp.Header.Get("ETag"); got != `"1"` {
		t.Errorf("ETag = %q, want \"1\"", got)
	}
	if v.Status != "draft" || v.Version != 1 || v.Flags == nil || len(v.Flags) != 0 || v.SubmittedBy != nil {
		t.Errorf("new value %+v", v)
	}
	return v
}

// valueBody is the body of a value of ind for unit and period; extra fields
// are added ("value" is set unless extra says otherwise).
func valueBody(ind api.Indicator, unitID, period, value string, extra map[string]any) map[string]any {
	body := map[string]any{"indicatorId": ind.Id.String(), "unitId": unitID, "period": period}
	if value != "" {
		body["value"] = value
	}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

// act posts a transition (submit, return, approve) of a value as who.
func (h *harness) act(id, action string, body any, who map[string]string) *apitest.Response {
	return h.Post(valuesPath+"/"+id+"/"+action, body, who)
}

// mustAct posts a transition and expects 200 and the status it leads to.
func (h *harness) mustAct(t *testing.T, id, action string, body any, who map[string]string, status string) api.IndicatorValue {
	t.Helper()
	if body == nil && action != "submit" {
		body = map[string]any{}
	}
	resp := h.act(id, action, body, who)
	expect(t, resp, http.StatusOK, "")
	v := decodeValue(t, resp)
	if string(v.Status) != status {
		t.Fatalf("%s %s: status %s, want %s", action, id, v.Status, status)
	}
	return v
}

// getValue reads a value as who, expecting 200 and an ETag of its version.
func (h *harness) getValue(t *testing.T, id string, who map[string]string) api.IndicatorValue {
	t.Helper()
	resp := h.Get(valuesPath+"/"+id, who)
	expect(t, resp, http.StatusOK, "")
	v := decodeValue(t, resp)
	if got, want := resp.Header.Get("ETag"), fmt.Sprintf(`"%d"`, v.Version); got != want {
		t.Errorf("ETag %s, want %s", got, want)
	}
	return v
}

// listValues reads every page of the values matching query as who, limit at a time.
func (h *harness) listValues(t *testing.T, who map[string]string, query url.Values, limit int) []api.IndicatorValue {
	t.Helper()
	return listAll[api.IndicatorValue](t, h, valuesPath, who, query, limit)
}

func valueIDs(vs ...api.IndicatorValue) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Id.String()
	}
	slices.Sort(out)
	return out
}

func userRef(id api.Id) string { return "user:" + id.String() }

// The reporting round of a quarter: three units report, the reviewer of the
// district returns one with a reason, it is corrected and submitted again, and
// all are approved; reporters reach their own unit's values only, and nobody
// reviews what they submitted. Every step is in the value's audit history.
func TestValueReportingRound(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		townArea := areaCode()
		sys, inds := h.valueSystem(t,
			indicatorBody("1", "60", nil, map[string]any{"frequency": "quarter", "name": "矛盾纠纷调处件数", "measureUnit": "件"}),
			indicatorBody("2", "40", nil, map[string]any{"valueType": "percent", "name": "即办率", "measureUnit": "%"}))
		quarterly, yearly := inds[0], inds[1]
		h.newTarget(t, quarterly.Id.String(), map[string]any{"year": 2021, "comparator": "gte", "value": "100", "sample": true})
		h.newTarget(t, yearly.Id.String(), map[string]any{"year": 2021, "comparator": "gte", "value": "50", "sample": true})

		// Two more towns below the district, each with a reporter of its own.
		unitA := h.createUnit(t, map[string]any{"code": townArea + "001", "name": "兴隆街道", "kind": "town", "parentId": h.fx.district})
		unitB := h.createUnit(t, map[string]any{"code": townArea + "002", "name": "铁东街道", "kind": "town", "parentId": h.fx.district})
		userA, repA := h.signedIn(t, unitA.Id.String(), "reporter")
		userB, repB := h.signedIn(t, unitB.Id.String(), "reporter")
		town, reviewer := h.as("reporter"), h.as("reviewer")
		townUser, reviewerUser := h.fx.users["reporter"], h.fx.users["reviewer"]

		vTown := h.report(t, town, valueBody(quarterly, h.fx.town, "2021-Q1", "120", map[string]any{"rawText": "调处纠纷120件", "asOf": "2021-03-31"}))
		vA := h.report(t, repA, valueBody(quarterly, unitA.Id.String(), "2021-Q1", "95.5", nil))
		vB := h.report(t, repB, valueBody(quarterly, unitB.Id.String(), "2021-Q1", "101", map[string]any{"selfScore": "55"}))

		t.Run("reported and submitted", func(t *testing.T) {
			// The town's reporter corrects a typo before submitting.
			resp := h.Patch(valuesPath+"/"+vTown.Id.String(), map[string]any{"value": "121", "comment": "初稿"}, with(town, matching(1)))
			expect(t, resp, http.StatusOK, "")
			for _, c := range []struct {
				v    api.IndicatorValue
				who  map[string]string
				user string
			}{{vTown, town, townUser.ID}, {vA, repA, userA.Id.String()}, {vB, repB, userB.Id.String()}} {
				s := h.mustAct(t, c.v.Id.String(), "submit", nil, c.who, "submitted")
				if who(s.SubmittedBy) != "user:"+c.user || s.SubmittedAt == nil {
					t.Errorf("submitted %s by %v, want user:%s", s.Id, who(s.SubmittedBy), c.user)
				}
			}

			// The reviewer of the district sees the three submissions.
			submitted := h.listValues(t, reviewer, url.Values{"indicatorId": {quarterly.Id.String()}, "status": {"submitted"}}, 10)
			if got, want := valueIDs(submitted...), valueIDs(vTown, vA, vB); !slices.Equal(got, want) {
				t.Fatalf("reviewer sees %v submitted, want %v", got, want)
			}

		})

		// A reporter reaches only its own unit's values: outside its subtree
		// they do not exist, below its own unit they are forbidden; reporters
		// never review. Each refusal changes nothing.
		t.Run("reach", func(t *testing.T) {
			otherRep := h.signedIn2(t, h.fx.other, "reporter")
			districtRep := h.signedIn2(t, h.fx.district, "reporter")
			if got := h.getValue(t, vTown.Id.String(), districtRep); got.Id != vTown.Id { // reading reaches the subtree
				t.Errorf("district reporter read %v", got.Id)
			}
			comment := map[string]any{"comment": "x"}
			for _, tt := range []struct {
				name   string
				resp   func() *apitest.Response
				status int
				code   string
			}{
				{"another city's reporter reads", func() *apitest.Response { return h.Get(valuesPath+"/"+vTown.Id.String(), otherRep) }, 404, "not_found"},
				{"another city's reporter edits", func() *apitest.Response {
					return h.Patch(valuesPath+"/"+vTown.Id.String(), comment, with(otherRep, matching(3)))
				}, 404, "not_found"},
				{"another city's reporter submits", func() *apitest.Response { return h.act(vTown.Id.String(), "submit", nil, otherRep) }, 404, "not_found"},
				{"the district's reporter edits the town's", func() *apitest.Response {
					return h.Patch(valuesPath+"/"+vTown.Id.String(), comment, with(districtRep, matching(3)))
				}, 403, "own_unit_only"},
				{"a town's reporter edits its neighbour's", func() *apitest.Response {
					return h.Patch(valuesPath+"/"+vA.Id.String(), comment, with(repB, matching(2)))
				}, 404, "not_found"},
				{"the district's reporter reports for the town", func() *apitest.Response {
					return h.Post(valuesPath, valueBody(yearly, h.fx.town, "2021", "50", nil), districtRep)
				}, 403, "own_unit_only"},
				{"a reporter approves", func() *apitest.Response { return h.act(vTown.Id.String(), "approve", map[string]any{}, otherRep) }, 403, "forbidden"},
			} {
				t.Run(tt.name, func(t *testing.T) { expect(t, tt.resp(), tt.status, tt.code) })
			}
			if got := h.getValue(t, vTown.Id.String(), nil); got.Version != 3 || got.Status != "submitted" {
				t.Errorf("refused requests changed the value: %+v", got)
			}
		})

		t.Run("returned, corrected and approved", func(t *testing.T) {
			// Returned with a reason, corrected and submitted again.
			ret := h.mustAct(t, vTown.Id.String(), "return", map[string]any{"reason": "请补充截至3月底的统计口径说明"}, reviewer, "returned")
			if ret.ReturnReason == nil || *ret.ReturnReason != "请补充截至3月底的统计口径说明" || ret.Version != 4 {
				t.Errorf("returned %+v", ret)
			}
			if got := h.getValue(t, vTown.Id.String(), town); got.ReturnReason == nil || got.Status != "returned" {
				t.Errorf("the town reads %+v", got)
			}
			resp := h.Patch(valuesPath+"/"+vTown.Id.String(), map[string]any{"value": "118", "comment": "已按截至3月底口径补充"}, with(town, matching(4)))
			expect(t, resp, http.StatusOK, "")
			if resp.Header.Get("ETag") != `"5"` || rawField(t, resp, "value") != `"118"` {
				t.Errorf("corrected: ETag %s, body %s", resp.Header.Get("ETag"), resp.Body)
			}
			again := h.mustAct(t, vTown.Id.String(), "submit", nil, town, "submitted")
			if again.ReturnReason != nil {
				t.Errorf("submitted again with the return reason %q", *again.ReturnReason)
			}

			// All three approved; the reviewer is named.
			for _, v := range []api.IndicatorValue{vTown, vA, vB} {
				ok := h.mustAct(t, v.Id.String(), "approve", map[string]any{"reviewScore": "4.5"}, reviewer, "approved")
				if who(ok.ReviewedBy) != "user:"+reviewerUser.ID || ok.ReviewedAt == nil || ok.ReviewScore.String() != "4.5" {
					t.Errorf("approved %+v", ok)
				}
			}
			approved := h.listValues(t, reviewer, url.Values{"systemId": {sys.Id.String()}, "period": {"2021-Q1"}, "status": {"approved"}}, 2)
			if got, want := valueIDs(approved...), valueIDs(vTown, vA, vB); !slices.Equal(got, want) {
				t.Errorf("approved %v, want %v", got, want)
			}

		})

		// A reviewer who also reports for the district never reviews what it submitted.
		t.Run("self review", func(t *testing.T) {
			_, dual := h.signedIn(t, h.fx.district, "reviewer", "reporter")
			own := h.report(t, dual, valueBody(quarterly, h.fx.district, "2021-Q1", "0.5", nil))
			expect(t, h.Post(valuesPath, valueBody(quarterly, h.fx.town, "2021-Q2", "80", nil), dual), http.StatusForbidden, "own_unit_only")
			// Far below what the three towns reported for the quarter: flagged, and accepted.
			if s := h.mustAct(t, own.Id.String(), "submit", nil, dual, "submitted"); len(s.Flags) != 1 || !strings.Contains(s.Flags[0], "other units") {
				t.Errorf("0.5 next to 118, 95.5 and 101 has the flags %q", s.Flags)
			}
			expect(t, h.act(own.Id.String(), "approve", map[string]any{"reviewScore": "4"}, dual), http.StatusForbidden, "self_review")
			expect(t, h.act(own.Id.String(), "return", map[string]any{"reason": "自己退回"}, dual), http.StatusForbidden, "self_review")
			h.mustAct(t, own.Id.String(), "approve", map[string]any{}, reviewer, "approved")
			// ... while it reviews what others submitted.
			yv := h.report(t, town, valueBody(yearly, h.fx.town, "2021", "58.10", nil))
			h.mustAct(t, yv.Id.String(), "submit", nil, town, "submitted")
			h.mustAct(t, yv.Id.String(), "approve", map[string]any{"reviewScore": "40"}, dual, "approved")

		})

		// The history of the returned value, step by step, with its actors.
		t.Run("history", func(t *testing.T) {
			events := h.auditEvents(t, "admin", url.Values{"entityType": {"indicator_value"}, "entityId": {vTown.Id.String()}})
			wantOps := []string{"createIndicatorValue", "updateIndicatorValue", "submitIndicatorValue", "returnIndicatorValue",
				"updateIndicatorValue", "submitIndicatorValue", "approveIndicatorValue"}
			wantActors := []string{townUser.ID, townUser.ID, townUser.ID, reviewerUser.ID, townUser.ID, townUser.ID, reviewerUser.ID}
			wantStatus := []string{"draft", "draft", "submitted", "returned", "returned", "submitted", "approved"}
			if got := auditOps(events); !slices.Equal(got, wantOps) {
				t.Fatalf("history %v, want %v", got, wantOps)
			}
			for i, e := range events {
				if strOf(e.ActorId) != wantActors[i] || e.ActorType != "user" || e.After == nil || fmt.Sprint((*e.After)["status"]) != wantStatus[i] {
					t.Errorf("event %d (%s): actor %s %s, after %v; want actor %s, status %s", i, e.Operation, e.ActorType, strOf(e.ActorId), e.After, wantActors[i], wantStatus[i])
				}
				if e.UnitId == nil || e.UnitId.String() != h.fx.town {
					t.Errorf("event %d is under unit %v, want the town", i, e.UnitId)
				}
			}
			if (*events[3].After)["returnReason"] != "请补充截至3月底的统计口径说明" || (*events[4].After)["value"] != "118" || (*events[4].Before)["value"] != "121" {
				t.Errorf("return and correction: %v / %v -> %v", events[3].After, events[4].Before, events[4].After)
			}
			// The reviewer of the district finds the history under its subtree too.
			if got := h.auditEvents(t, "reviewer", url.Values{"entityType": {"indicator_value"}, "entityId": {vTown.Id.String()}}); len(got) != len(wantOps) {
				t.Errorf("the reviewer sees %d events, want %d", len(got), len(wantOps))
			}
		})
	})
}

// signedIn2 is signedIn for a caller whose user record the test does not need.
func (h *harness) signedIn2(t *testing.T, unitID string, roles ...string) map[string]string {
	t.Helper()
	_, who := h.signedIn(t, unitID, roles...)
	return who
}

func TestCreateIndicatorValue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		_, inds := h.valueSystem(t,
			indicatorBody("1", "40", nil, map[string]any{"measureUnit": "条"}),
			indicatorBody("2", "30", nil, map[string]any{"valueType": "percent"}),
			indicatorBody("3", "20", nil, map[string]any{"valueType": "yes_no"}),
			indicatorBody("4", "10", nil, map[string]any{"valueType": "text"}))
		number, percent, yesNo, text := inds[0], inds[1], inds[2], inds[3]

		// The figure keeps its scale, its qualifier and the text it came from.
		resp := h.Post(valuesPath, valueBody(percent, h.fx.town, "2021", "58.10",
			map[string]any{"rawText": "实名注册率达58.10%", "asOf": "2021-12-31", "comment": "辽事通", "selfScore": "30.0"}), nil)
		expect(t, resp, http.StatusCreated, "")
		if got := rawField(t, resp, "value"); got != `"58.10"` {
			t.Errorf("value comes back as %s, want \"58.10\"", got)
		}
		v := decodeValue(t, resp)
		if resp.Header.Get("Location") != valuesPath+"/"+v.Id.String() || resp.Header.Get("ETag") != `"1"` {
			t.Errorf("Location %q, ETag %q", resp.Header.Get("Location"), resp.Header.Get("ETag"))
		}
		if v.Qualifier != "exact" || v.AsOf == nil || v.AsOf.String() != "2021-12-31" || *v.RawText != "实名注册率达58.10%" ||
			v.SelfScore.String() != "30.0" || v.UnitId.String() != h.fx.town || v.Period != "2021" || v.Status != "draft" {
			t.Errorf("created %+v", v)
		}
		if got := h.getValue(t, v.Id.String(), nil); got.Value.String() != "58.10" || got.Version != 1 {
			t.Errorf("read back %+v", got)
		}
		credit := h.report(t, nil, valueBody(number, h.fx.city, "2021", "40000000", map[string]any{"qualifier": "more_than", "rawText": "4000余万条"}))
		if credit.Qualifier != "more_than" || *credit.RawText != "4000余万条" || credit.Value.String() != "40000000" {
			t.Errorf("4000余万条 became %+v", credit)
		}
		yes := h.report(t, nil, valueBody(yesNo, h.fx.city, "2021", "", map[string]any{"yesNo": true}))
		words := h.report(t, nil, valueBody(text, h.fx.city, "2021", "", map[string]any{"text": "已建立法律顾问制度"}))
		if yes.YesNo == nil || !*yes.YesNo || yes.Value != nil || words.Text == nil || *words.Text != "已建立法律顾问制度" {
			t.Errorf("yes/no %+v, text %+v", yes, words)
		}

		// One value per indicator, unit and period.
		expect(t, h.Post(valuesPath, valueBody(percent, h.fx.town, "2021", "60", nil), nil), http.StatusConflict, "value_exists")
		h.report(t, nil, valueBody(percent, h.fx.town, "2022", "60", nil))
		// Values are reported against published systems only.
		draft := h.newSystem(t, tag(), map[string]any{"yearFrom": 2021, "yearTo": 2021})
		draftInd := h.newIndicator(t, draft.Id.String(), indicatorBody("1", "100", nil, nil))
		expect(t, h.Post(valuesPath, valueBody(draftInd, h.fx.town, "2021", "1", nil), nil), http.StatusConflict, "indicator_system_not_published")

		// 422: references, periods and values that do not fit the indicator.
		for _, c := range []struct {
			name, code, pointer string
			body                map[string]any
		}{
			{"unknown indicator", "value_indicator_not_found", "/indicatorId",
				map[string]any{"indicatorId": missingID, "unitId": h.fx.town, "period": "2021", "value": "1"}},
			{"unknown unit", "value_unit_not_found", "/unitId", valueBody(number, missingID, "2021", "1", nil)},
			{"quarter of a yearly indicator", "value_period_invalid", "/period", valueBody(number, h.fx.town, "2021-Q1", "1", nil)},
			{"month of a yearly indicator", "value_period_invalid", "/period", valueBody(number, h.fx.town, "2021-07", "1", nil)},
			{"year after the system", "value_period_invalid", "/period", valueBody(number, h.fx.town, "2023", "1", nil)},
			{"year before the system", "value_period_invalid", "/period", valueBody(number, h.fx.town, "2020", "1", nil)},
			{"number without value", "value_invalid", "/value", valueBody(number, h.fx.town, "2021", "", map[string]any{"rawText": "若干"})},
			{"yesNo on a number", "value_invalid", "/value", valueBody(number, h.fx.town, "2021", "1", map[string]any{"yesNo": true})},
			{"percent above 100", "value_invalid", "/value", valueBody(percent, h.fx.city, "2021", "100.01", nil)},
			{"negative percent", "value_invalid", "/value", valueBody(percent, h.fx.city, "2021", "-1", nil)},
			{"self score above the points", "value_invalid", "/selfScore", valueBody(number, h.fx.town, "2021", "1", map[string]any{"selfScore": "40.5"})},
			{"value on a yes/no", "value_invalid", "/yesNo", valueBody(yesNo, h.fx.town, "2021", "1", nil)},
			{"text without text", "value_invalid", "/text", valueBody(text, h.fx.town, "2021", "", nil)},
		} {
			resp := h.Post(valuesPath, c.body, nil)
			if resp.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, body %s", c.name, resp.Status, resp.Body)
				continue
			}
			if p := resp.Problem(t); p.Code != c.code || !slices.Contains(pointers(p), c.pointer) {
				t.Errorf("%s: code %s, pointers %v; want %s at %s", c.name, p.Code, pointers(p), c.code, c.pointer)
			}
		}
		// The schema refuses what is not a decimal before any rule runs.
		expect(t, h.Post(valuesPath, valueBody(number, h.fx.town, "2021", "1e3", nil), nil), http.StatusBadRequest, "")
		expect(t, h.Post(valuesPath, map[string]any{"indicatorId": number.Id.String(), "unitId": h.fx.town, "period": "2021", "value": 58.1}, nil),
			http.StatusBadRequest, "")

		// Reporters report for their own unit: below it is forbidden, and so
		// is a unit outside its subtree, which they see in the unit tree.
		town := h.as("reporter")
		own := h.report(t, town, valueBody(number, h.fx.town, "2021", "2933", nil))
		for _, unit := range []string{h.fx.district, h.fx.other} {
			expect(t, h.Get(unitsPath+"/"+unit, town), http.StatusOK, "")
			resp := h.Post(valuesPath, valueBody(number, unit, "2021", "1", nil), town)
			expect(t, resp, http.StatusForbidden, "outside_subtree")
			if p := resp.Problem(t); strings.Contains(p.Detail, "not exist") {
				t.Errorf("a unit the reporter sees is refused as if it did not exist: %s", p.Detail)
			}
		}
		districtRep := h.signedIn2(t, h.fx.district, "reporter")
		expect(t, h.Post(valuesPath, valueBody(number, h.fx.town, "2021", "1", nil), districtRep), http.StatusForbidden, "own_unit_only")
		expect(t, h.Post(valuesPath, valueBody(number, h.fx.town, "2021", "1", nil), h.as("viewer")), http.StatusForbidden, "forbidden")
		expect(t, h.Post(valuesPath, valueBody(number, h.fx.town, "2021", "1", nil), h.as("reviewer")), http.StatusForbidden, "forbidden")
		expect(t, h.Post(valuesPath, valueBody(number, h.fx.town, "2021", "1", nil), h.as("key:read")), http.StatusForbidden, "forbidden")
		if own.UnitId.String() != h.fx.town {
			t.Errorf("own value of unit %s", own.UnitId)
		}
		// A report sent twice with one Idempotency-Key is one value, answered alike.
		retry := with(town, map[string]string{"Idempotency-Key": "value-" + tag()})
		body := valueBody(number, h.fx.town, "2022", "382", nil)
		first := h.Post(valuesPath, body, retry)
		expect(t, first, http.StatusCreated, "")
		again := h.Post(valuesPath, body, retry)
		expect(t, again, http.StatusCreated, "")
		if string(again.Body) != string(first.Body) || again.Header.Get("Location") != first.Header.Get("Location") ||
			again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay differs:\n%s\n%s", first.Body, again.Body)
		}
		expect(t, h.Post(valuesPath, body, town), http.StatusConflict, "value_exists")

		// A key that reports values reaches every unit, and is named as the submitter.
		key := h.as("key:write:values")
		outside := h.report(t, key, valueBody(number, h.fx.other, "2021", "614", nil))
		h.report(t, key, valueBody(number, h.fx.district, "2021", "464", nil))
		sub := h.mustAct(t, outside.Id.String(), "submit", nil, key, "submitted")
		if want := "apiKey:" + h.fx.keys["write:values"].ID; who(sub.SubmittedBy) != want {
			t.Errorf("submitted by %v, want %s", who(sub.SubmittedBy), want)
		}
		expect(t, h.act(outside.Id.String(), "approve", map[string]any{}, key), http.StatusForbidden, "forbidden") // keys never review
	})
}

func TestUpdateIndicatorValue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		_, inds := h.valueSystem(t, indicatorBody("1", "60", nil, nil), indicatorBody("2", "40", nil, map[string]any{"valueType": "percent"}))
		number := inds[0]
		v := h.report(t, h.as("reporter"), valueBody(number, h.fx.town, "2021", "2848",
			map[string]any{"rawText": "办结2848件", "comment": "草稿", "asOf": "2021-12-31", "selfScore": "50"}))
		one := valuesPath + "/" + v.Id.String()
		town := h.as("reporter")

		resp := h.Patch(one, map[string]any{"value": "2848.0", "comment": nil, "rawText": nil, "qualifier": "at_least"}, with(town, matching(1)))
		expect(t, resp, http.StatusOK, "")
		if resp.Header.Get("ETag") != `"2"` {
			t.Errorf("ETag %q, want \"2\"", resp.Header.Get("ETag"))
		}
		changed := decodeValue(t, resp)
		if changed.Comment != nil || changed.RawText != nil || changed.Value.String() != "2848.0" || changed.Qualifier != "at_least" ||
			changed.AsOf == nil || changed.SelfScore.String() != "50" || changed.Version != 2 || changed.UpdatedAt.Before(changed.CreatedAt) {
			t.Errorf("after patch: %+v", changed)
		}
		if got := h.getValue(t, v.Id.String(), town); got.Comment != nil || got.RawText != nil || got.Value.String() != "2848.0" {
			t.Errorf("read back %+v", got)
		}
		resp = h.Patch(one, map[string]any{"asOf": nil, "selfScore": nil, "comment": "已核对"}, with(town, matching(2)))
		expect(t, resp, http.StatusOK, "")
		if c := decodeValue(t, resp); c.AsOf != nil || c.SelfScore != nil || *c.Comment != "已核对" || c.Value == nil {
			t.Errorf("after clearing: %+v", c)
		}

		expect(t, h.Patch(one, map[string]any{"value": "1"}, with(town, matching(2))), http.StatusPreconditionFailed, "version_mismatch")
		expect(t, h.Patch(one, map[string]any{"value": "1"}, town), http.StatusPreconditionRequired, "if_match_required")
		expect(t, h.Patch(one, map[string]any{"value": nil}, with(town, matching(3))), http.StatusUnprocessableEntity, "value_invalid")
		expect(t, h.Patch(one, map[string]any{"yesNo": true}, with(town, matching(3))), http.StatusUnprocessableEntity, "value_invalid")
		expect(t, h.Patch(one, map[string]any{"selfScore": "60.01"}, with(town, matching(3))), http.StatusUnprocessableEntity, "value_invalid")
		expect(t, h.Patch(one, map[string]any{"value": 1}, with(town, matching(3))), http.StatusBadRequest, "")
		expect(t, h.Patch(one, map[string]any{}, with(town, matching(3))), http.StatusBadRequest, "")
		expect(t, h.Patch(valuesPath+"/"+missingID, map[string]any{"value": "1"}, matching(1)), http.StatusNotFound, "not_found")
		if got := h.getValue(t, v.Id.String(), nil); got.Version != 3 || got.Value.String() != "2848.0" {
			t.Errorf("refused changes changed the value: %+v", got)
		}

		// Once submitted, and once approved, the value no longer changes.
		h.mustAct(t, v.Id.String(), "submit", nil, town, "submitted")
		expect(t, h.Patch(one, map[string]any{"value": "1"}, with(town, matching(4))), http.StatusConflict, "value_not_editable")
		h.mustAct(t, v.Id.String(), "approve", map[string]any{}, h.as("reviewer"), "approved")
		expect(t, h.Patch(one, map[string]any{"value": "1"}, matching(5)), http.StatusConflict, "value_not_editable")
		expect(t, h.Patch(one, map[string]any{"value": "1"}, matching(4)), http.StatusPreconditionFailed, "version_mismatch")
	})
}

func TestValueReview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		_, inds := h.valueSystem(t, indicatorBody("1", "5", nil, map[string]any{"frequency": "quarter"}), indicatorBody("2", "95", nil, nil))
		quarterly := inds[0]
		town, reviewer := h.as("reporter"), h.as("reviewer")
		v := h.report(t, town, valueBody(quarterly, h.fx.town, "2021-Q1", "100", nil))
		id := v.Id.String()

		expect(t, h.act(id, "return", map[string]any{"reason": "未提交"}, reviewer), http.StatusConflict, "value_not_submitted")
		expect(t, h.act(id, "approve", map[string]any{}, reviewer), http.StatusConflict, "value_not_submitted")
		sub := h.mustAct(t, id, "submit", nil, town, "submitted")
		if who(sub.SubmittedBy) != "user:"+h.fx.users["reporter"].ID || sub.Version != 2 || len(sub.Flags) != 0 {
			t.Errorf("submitted %+v", sub)
		}
		expect(t, h.act(id, "submit", nil, town), http.StatusConflict, "value_not_editable")

		expect(t, h.act(id, "return", map[string]any{"reason": ""}, reviewer), http.StatusBadRequest, "")
		expect(t, h.act(id, "return", map[string]any{"reason": "   "}, reviewer), http.StatusBadRequest, "")
		expect(t, h.act(id, "return", map[string]any{}, reviewer), http.StatusBadRequest, "")
		expect(t, h.act(missingID, "return", map[string]any{"reason": "x"}, reviewer), http.StatusNotFound, "not_found")
		expect(t, h.act(id, "return", map[string]any{"reason": "x"}, h.as("reporter")), http.StatusForbidden, "forbidden")
		expect(t, h.act(id, "approve", map[string]any{"reviewScore": "5.01"}, reviewer), http.StatusUnprocessableEntity, "value_score_invalid")
		expect(t, h.act(id, "approve", map[string]any{"reviewScore": "-1"}, reviewer), http.StatusUnprocessableEntity, "value_score_invalid")
		expect(t, h.act(id, "approve", map[string]any{"reviewScore": 4.5}, reviewer), http.StatusBadRequest, "")
		expect(t, h.act(missingID, "approve", map[string]any{}, reviewer), http.StatusNotFound, "not_found")

		ret := h.mustAct(t, id, "return", map[string]any{"reason": "口径不一致"}, reviewer, "returned")
		if *ret.ReturnReason != "口径不一致" || who(ret.ReviewedBy) != "user:"+h.fx.users["reviewer"].ID {
			t.Errorf("returned %+v", ret)
		}
		expect(t, h.act(id, "return", map[string]any{"reason": "再退"}, reviewer), http.StatusConflict, "value_not_submitted")
		h.mustAct(t, id, "submit", nil, town, "submitted")
		ok := h.mustAct(t, id, "approve", map[string]any{"reviewScore": "4.5"}, reviewer, "approved")
		if ok.ReviewScore == nil || ok.ReviewScore.String() != "4.5" || who(ok.ReviewedBy) != "user:"+h.fx.users["reviewer"].ID ||
			ok.ReviewedAt == nil || ok.ReturnReason != nil {
			t.Errorf("approved %+v", ok)
		}
		expect(t, h.act(id, "approve", map[string]any{}, reviewer), http.StatusConflict, "value_not_submitted")
		// Before an evaluation locks it, an approved value goes back for a
		// correction, without its review score.
		back := h.mustAct(t, id, "return", map[string]any{"reason": "口径更正"}, reviewer, "returned")
		if back.ReviewScore != nil || back.ReturnReason == nil || *back.ReturnReason != "口径更正" {
			t.Errorf("approved value returned: %+v", back)
		}
		h.mustAct(t, id, "submit", nil, town, "submitted")
		h.mustAct(t, id, "approve", map[string]any{"reviewScore": "4.5"}, reviewer, "approved")
		expect(t, h.act(id, "submit", nil, town), http.StatusConflict, "value_not_editable")
		expect(t, h.act(missingID, "submit", nil, town), http.StatusNotFound, "not_found")

		// Implausible figures are accepted, flagged, and listed for reviewers.
		h.report(t, town, valueBody(quarterly, h.fx.town, "2021-Q2", "110", nil))
		odd := h.report(t, town, valueBody(quarterly, h.fx.town, "2021-Q3", "5000", nil))
		flagged := h.mustAct(t, odd.Id.String(), "submit", nil, town, "submitted")
		if len(flagged.Flags) == 0 {
			t.Fatalf("5000 after 100 and 110 is not flagged: %+v", flagged)
		}
		fine := h.report(t, town, valueBody(quarterly, h.fx.town, "2021-Q4", "105.5", nil))
		if got := h.mustAct(t, fine.Id.String(), "submit", nil, town, "submitted"); len(got.Flags) != 0 {
			t.Errorf("105.5 is flagged: %q", got.Flags)
		}
		q := url.Values{"indicatorId": {quarterly.Id.String()}, "flagged": {"true"}}
		if got := h.listValues(t, reviewer, q, 10); !slices.Equal(valueIDs(got...), valueIDs(odd)) || len(got[0].Flags) == 0 {
			t.Errorf("flagged values %v, want %s", valueIDs(got...), odd.Id)
		}
		q.Set("flagged", "false")
		if got := valueIDs(h.listValues(t, reviewer, q, 1)...); slices.Contains(got, odd.Id.String()) || len(got) != 3 {
			t.Errorf("unflagged values %v", got)
		}
		// Returned and corrected, the value is weighed again.
		h.mustAct(t, odd.Id.String(), "return", map[string]any{"reason": "请核实"}, reviewer, "returned")
		expect(t, h.Patch(valuesPath+"/"+odd.Id.String(), map[string]any{"value": "120"}, with(town, matching(3))), http.StatusOK, "")
		if got := h.mustAct(t, odd.Id.String(), "submit", nil, town, "submitted"); len(got.Flags) != 0 {
			t.Errorf("corrected value still flagged: %q", got.Flags)
		}
	})
}

func TestListIndicatorValues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		sys, inds := h.valueSystem(t, indicatorBody("1", "50", nil, nil), indicatorBody("2", "50", nil, map[string]any{"frequency": "half"}))
		yearly, half := inds[0], inds[1]
		_, otherInds := h.valueSystem(t, indicatorBody("1", "100", nil, nil))
		key, reviewer := h.as("key:write:values"), h.as("reviewer")
		approve := func(v api.IndicatorValue) api.IndicatorValue {
			t.Helper()
			h.mustAct(t, v.Id.String(), "submit", nil, key, "submitted")
			return h.mustAct(t, v.Id.String(), "approve", map[string]any{}, nil, "approved")
		}
		town21 := approve(h.report(t, key, valueBody(yearly, h.fx.town, "2021", "10", nil)))
		town22 := h.report(t, key, valueBody(yearly, h.fx.town, "2022", "11", nil))
		townH1 := h.report(t, key, valueBody(half, h.fx.town, "2021-H1", "5", nil))
		district21 := h.report(t, key, valueBody(yearly, h.fx.district, "2021", "20", nil))
		h.mustAct(t, district21.Id.String(), "submit", nil, key, "submitted")
		city21 := h.report(t, key, valueBody(yearly, h.fx.city, "2021", "30", nil))
		other21 := approve(h.report(t, key, valueBody(yearly, h.fx.other, "2021", "40", nil)))
		elsewhere := h.report(t, key, valueBody(otherInds[0], h.fx.town, "2022", "1", nil))
		all := []api.IndicatorValue{town21, town22, townH1, district21, city21, other21}

		bySystem := url.Values{"systemId": {sys.Id.String()}}
		if got := h.listValues(t, nil, bySystem, 100); !slices.Equal(valueIDs(got...), valueIDs(all...)) {
			t.Fatalf("system's values %v, want %v", valueIDs(got...), valueIDs(all...))
		}
		for name, c := range map[string]struct {
			q    url.Values
			want []api.IndicatorValue
		}{
			"indicator":        {url.Values{"indicatorId": {half.Id.String()}}, []api.IndicatorValue{townH1}},
			"unit":             {url.Values{"systemId": {sys.Id.String()}, "unitId": {h.fx.town}}, []api.IndicatorValue{town21, town22, townH1}},
			"period":           {url.Values{"systemId": {sys.Id.String()}, "period": {"2021"}}, []api.IndicatorValue{town21, district21, city21, other21}},
			"year":             {url.Values{"systemId": {sys.Id.String()}, "year": {"2021"}}, []api.IndicatorValue{town21, townH1, district21, city21, other21}},
			"year of a system": {url.Values{"unitId": {h.fx.town}, "year": {"2022"}, "indicatorId": {yearly.Id.String()}}, []api.IndicatorValue{town22}},
			"status":           {url.Values{"systemId": {sys.Id.String()}, "status": {"approved"}}, []api.IndicatorValue{town21, other21}},
			"submitted":        {url.Values{"systemId": {sys.Id.String()}, "status": {"submitted"}}, []api.IndicatorValue{district21}},
			"not flagged":      {url.Values{"systemId": {sys.Id.String()}, "flagged": {"false"}}, all},
			"flagged":          {url.Values{"systemId": {sys.Id.String()}, "flagged": {"true"}}, nil},
			"everything":       {url.Values{"systemId": {sys.Id.String()}, "indicatorId": {yearly.Id.String()}, "unitId": {h.fx.town}, "period": {"2021"}, "year": {"2021"}, "status": {"approved"}, "flagged": {"false"}}, []api.IndicatorValue{town21}},
		} {
			for _, limit := range []int{1, 2, 100} {
				if got := h.listValues(t, nil, c.q, limit); !slices.Equal(valueIDs(got...), valueIDs(c.want...)) {
					t.Errorf("%s, %d a page: %v, want %v", name, limit, valueIDs(got...), valueIDs(c.want...))
				}
			}
		}
		if got := h.listValues(t, nil, url.Values{"unitId": {h.fx.town}, "year": {"2022"}}, 100); !slices.Contains(valueIDs(got...), elsewhere.Id.String()) {
			t.Errorf("a value of another system is missing without systemId: %v", valueIDs(got...))
		}

		// Users see their own unit and the units below it.
		if got := h.listValues(t, h.as("viewer"), bySystem, 2); !slices.Equal(valueIDs(got...), valueIDs(town21, town22, townH1)) {
			t.Errorf("the town's viewer sees %v", valueIDs(got...))
		}
		if got := h.listValues(t, reviewer, bySystem, 2); !slices.Equal(valueIDs(got...), valueIDs(town21, town22, townH1, district21)) {
			t.Errorf("the district's reviewer sees %v", valueIDs(got...))
		}
		if got := h.listValues(t, reviewer, url.Values{"unitId": {h.fx.other}}, 10); len(got) != 0 {
			t.Errorf("the district's reviewer sees %d values of the other city", len(got))
		}
		expect(t, h.Get(valuesPath+"/"+other21.Id.String(), reviewer), http.StatusNotFound, "not_found")
		expect(t, h.Get(valuesPath+"/"+city21.Id.String(), h.as("viewer")), http.StatusNotFound, "not_found")
		h.getValue(t, district21.Id.String(), reviewer)

		// A key that only reads sees approved values, of every unit, and nothing else.
		reader := h.as("key:read")
		if got := h.listValues(t, reader, bySystem, 1); !slices.Equal(valueIDs(got...), valueIDs(town21, other21)) {
			t.Errorf("a read key sees %v", valueIDs(got...))
		}
		if got := h.listValues(t, reader, url.Values{"systemId": {sys.Id.String()}, "status": {"draft"}}, 10); len(got) != 0 {
			t.Errorf("a read key lists %d drafts", len(got))
		}
		h.getValue(t, other21.Id.String(), reader)
		for _, v := range []api.IndicatorValue{town22, district21, city21} {
			expect(t, h.Get(valuesPath+"/"+v.Id.String(), reader), http.StatusNotFound, "not_found")
		}
		expect(t, h.Get(valuesPath+"/"+h.fx.value, reader), http.StatusNotFound, "not_found")
		expect(t, h.Get(valuesPath+"/"+missingID, nil), http.StatusNotFound, "not_found")

		// A cursor is good for the list it came from only.
		resp := h.Get(valuesPath+"?systemId="+sys.Id.String()+"&flagged=false&limit=1", nil)
		expect(t, resp, http.StatusOK, "")
		var page api.IndicatorValuePage
		resp.JSON(t, &page)
		if page.NextCursor == nil {
			t.Fatal("no next cursor")
		}
		expect(t, h.Get(valuesPath+"?systemId="+sys.Id.String()+"&flagged=false&limit=1&cursor="+*page.NextCursor, nil), http.StatusOK, "")
		expect(t, h.Get(valuesPath+"?systemId="+sys.Id.String()+"&flagged=true&limit=1&cursor="+*page.NextCursor, nil), http.StatusBadRequest, "invalid_cursor")
		expect(t, h.Get(valuesPath+"?status=approved&limit=1&cursor="+*page.NextCursor, nil), http.StatusBadRequest, "invalid_cursor")
	})
}

// TestApproveWithoutBody: an approval without a score needs no body at all.
func TestApproveWithoutBody(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := signInHarness(t, db)
		_, inds := h.valueSystem(t, indicatorBody("1", "100", nil, nil))
		town := h.as("reporter")
		v := h.report(t, town, valueBody(inds[0], h.fx.town, "2021", "5", nil))
		h.mustAct(t, v.Id.String(), "submit", nil, town, "submitted")
		resp := h.Do(apitest.Request{Method: http.MethodPost, Path: valuesPath + "/" + v.Id.String() + "/approve", Header: h.as("reviewer")})
		expect(t, resp, http.StatusOK, "")
		if got := decodeValue(t, resp); got.Status != "approved" || got.ReviewScore != nil {
			t.Errorf("approved without a body: %+v", got)
		}
	})
}
