package server_test

// Applications of checklist items (适用) through HTTP: recording a case with
// its checks, who records and who reads which cases, corrections and
// deletions under If-Match, the list's filters and the sums, and the demo's
// cases adding up to the seed report's figures.

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/server"
)

const applicationsPath = "/api/v1/checklist-applications"

func applicationPath(id string) string { return applicationsPath + "/" + id }

// noPenaltyItem is an item of the built-in kind noPenalty implemented by the
// unit.
func noPenaltyItem(name, unitID string) map[string]any {
	return map[string]any{"name": name, "implementingUnitId": unitID, "category": "道路运输", "attributes": map[string]string{
		"violatedProvision": "《中华人民共和国道路运输条例》第三十四条",
		"penaltyProvision":  "《中华人民共和国道路运输条例》第六十八条",
		"conditions":        "首次违法，及时改正，未造成危害后果",
	}}
}

// caseBody is a case of the item by the unit, with one natural person and
// 200 yuan waived unless extra says otherwise.
func caseBody(itemID, unitID string, extra map[string]any) map[string]any {
	body := map[string]any{"itemId": itemID, "unitId": unitID, "caseDate": "2021-09-01", "legalPersons": 0, "naturalPersons": 1,
		"amountWaived": "200"}
	for k, v := range extra {
		if v == nil {
			delete(body, k)
			continue
		}
		body[k] = v
	}
	return body
}

// newCase records a case as who, expecting 201 with its Location and ETag.
func (h *harness) newCase(t *testing.T, who map[string]string, body map[string]any) api.ChecklistApplication {
	t.Helper()
	resp := h.Post(applicationsPath, body, who)
	expect(t, resp, http.StatusCreated, "")
	var a api.ChecklistApplication
	resp.JSON(t, &a)
	if got, want := resp.Header.Get("Location"), applicationPath(a.Id.String()); got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	etagIs(t, resp, 1)
	return a
}

func TestChecklistApplications(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		fx := h.fx
		rep, viewer := h.as("reporter"), h.as("viewer")
		list := h.publishedChecklist(t, "noPenalty", fx.town, noPenaltyItem("首次未随车携带道路运输证", fx.town),
			noPenaltyItem("首次未按规定粘贴车辆标志", fx.justice))
		items := h.items(t, list.Id.String(), nil, nil, 10)
		townItem, justiceItem := items[0].Id.String(), items[1].Id.String()
		village := h.createUnit(t, map[string]any{"code": villageCode(), "name": "某村", "kind": "village", "parentId": fx.town}).Id.String()
		number := "测试不罚〔2021〕" + tag()

		var first api.ChecklistApplication
		t.Run("record and read", func(t *testing.T) {
			first = h.newCase(t, rep, caseBody(townItem, fx.town, map[string]any{"caseNumber": number + "-1", "amountWaived": "200",
				"remark": "当场改正"}))
			if first.ListId != list.ListId || first.ChecklistId != list.Id || first.ItemId.String() != townItem || first.UnitId.String() != fx.town ||
				first.AmountWaived.String() != "200.00" || first.NaturalPersons != 1 || first.LegalPersons != 0 || first.SampleData ||
				first.CreatedBy.Id == nil || first.CreatedBy.Id.String() != fx.users["reporter"].ID || first.CaseDate.String() != "2021-09-01" ||
				first.Remark == nil || first.Version != 1 {
				t.Errorf("recorded %+v", first)
			}
			for _, who := range []string{"viewer", "reviewer", "cityReviewer", "admin", "key:read"} {
				got, resp := getOK[api.ChecklistApplication](t, h, applicationPath(first.Id.String()), h.as(who))
				etagIs(t, resp, 1)
				if got.Id != first.Id || got.AmountWaived.String() != "200.00" {
					t.Errorf("%s reads %+v", who, got)
				}
			}
			expect(t, h.Get(applicationPath(absentID), nil), http.StatusNotFound, "not_found")
			// A case of the justice bureau is outside the town's subtree.
			other := h.newCase(t, nil, caseBody(justiceItem, fx.justice, map[string]any{"legalPersons": 1, "naturalPersons": 0, "amountWaived": "1500.5"}))
			if other.AmountWaived.String() != "1500.50" {
				t.Errorf("1500.5 yuan is %s", other.AmountWaived)
			}
			expect(t, h.Get(applicationPath(other.Id.String()), viewer), http.StatusNotFound, "not_found")
			getOK[api.ChecklistApplication](t, h, applicationPath(other.Id.String()), h.as("cityReviewer"))
		})

		t.Run("who records", func(t *testing.T) {
			// The reporter records its own unit's cases only.
			expect(t, h.Post(applicationsPath, caseBody(townItem, fx.district, nil), rep), http.StatusForbidden, "outside_subtree")
			expect(t, h.Post(applicationsPath, caseBody(townItem, village, nil), rep), http.StatusForbidden, "own_unit_only")
			// The administrator records any unit's, the village's too.
			h.newCase(t, nil, caseBody(townItem, village, nil))
		})

		t.Run("refused", func(t *testing.T) {
			before := listAll[api.ChecklistApplication](t, h, applicationsPath, nil, url.Values{"checklistId": {list.Id.String()}}, 100)
			cases := []struct {
				name    string
				body    map[string]any
				status  int
				code    string
				pointer string
			}{
				{"no such unit", caseBody(townItem, absentID, nil), http.StatusUnprocessableEntity, "checklist_application_invalid", "/unitId"},
				{"no such item", caseBody(absentID, fx.town, nil), http.StatusUnprocessableEntity, "checklist_application_invalid", "/itemId"},
				{"a date after today", caseBody(townItem, fx.town, map[string]any{"caseDate": "2999-01-01"}), http.StatusUnprocessableEntity, "checklist_application_invalid", "/caseDate"},
				{"nobody", caseBody(townItem, fx.town, map[string]any{"naturalPersons": 0}), http.StatusUnprocessableEntity, "checklist_application_invalid", "/naturalPersons"},
				{"a fraction of a fen", caseBody(townItem, fx.town, map[string]any{"amountWaived": "1.005"}), http.StatusUnprocessableEntity, "checklist_application_invalid", "/amountWaived"},
				{"a negative amount", caseBody(townItem, fx.town, map[string]any{"amountWaived": "-1"}), http.StatusUnprocessableEntity, "checklist_application_invalid", "/amountWaived"},
				{"a number of the unit's", caseBody(townItem, fx.town, map[string]any{"caseNumber": number + "-1"}), http.StatusConflict, "checklist_application_duplicate", ""},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					resp := h.Post(applicationsPath, c.body, rep)
					expect(t, resp, c.status, c.code)
					if c.pointer != "" {
						if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{c.pointer}) {
							t.Errorf("pointers %q, want %s", got, c.pointer)
						}
					}
				})
			}
			// A draft applies nothing yet.
			draft := h.newChecklist(t, nil, checklistBody("noPenalty", fx.town, nil))
			draftItem := h.newItem(t, nil, draft.Id.String(), noPenaltyItem("草稿事项", fx.town))
			resp := h.Post(applicationsPath, caseBody(draftItem.Id.String(), fx.town, nil), rep)
			expect(t, resp, http.StatusConflict, "checklist_not_released")
			if p := resp.Problem(t); !slices.Equal(p.AllowedStates, []string{"published", "superseded"}) {
				t.Errorf("allowedStates %q", p.AllowedStates)
			}
			after := listAll[api.ChecklistApplication](t, h, applicationsPath, nil, url.Values{"checklistId": {list.Id.String()}}, 100)
			if len(after) != len(before) {
				t.Errorf("refused cases changed the list: %d cases, then %d", len(before), len(after))
			}
			// Another unit may use the same number.
			h.newCase(t, nil, caseBody(justiceItem, fx.justice, map[string]any{"caseNumber": number + "-1"}))
		})

		t.Run("one number at a time", func(t *testing.T) {
			// Offices recording the same case at once: one records it,
			// the others learn it is recorded; none fails.
			statuses := make([]int, 6)
			var wg sync.WaitGroup
			for i := range statuses {
				wg.Go(func() {
					statuses[i] = h.Post(applicationsPath, caseBody(townItem, fx.town, map[string]any{"caseNumber": number + "-race"}), rep).Status
				})
			}
			wg.Wait()
			slices.Sort(statuses)
			if want := []int{http.StatusCreated, 409, 409, 409, 409, 409}; !slices.Equal(statuses, want) {
				t.Errorf("statuses %v, want one 201 and five 409", statuses)
			}
			raced := listAll[api.ChecklistApplication](t, h, applicationsPath, nil, url.Values{"unitId": {fx.town}}, 100)
			for _, a := range raced {
				if a.CaseNumber != nil && *a.CaseNumber == number+"-race" {
					expect(t, h.Delete(applicationPath(a.Id.String()), matching(1)), http.StatusNoContent, "")
				}
			}
		})

		t.Run("correct", func(t *testing.T) {
			path := applicationPath(first.Id.String())
			expect(t, h.Patch(path, map[string]any{"naturalPersons": 2}, rep), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Patch(path, map[string]any{"naturalPersons": 2}, with(rep, matching(7))), http.StatusPreconditionFailed, "version_mismatch")
			resp := h.Patch(path, map[string]any{"naturalPersons": 2, "amountWaived": "50", "remark": nil, "caseNumber": nil}, with(rep, matching(1)))
			expect(t, resp, http.StatusOK, "")
			etagIs(t, resp, 2)
			var got api.ChecklistApplication
			resp.JSON(t, &got)
			if got.NaturalPersons != 2 || got.AmountWaived.String() != "50.00" || got.Remark != nil || got.CaseNumber != nil || got.Version != 2 {
				t.Errorf("corrected %+v", got)
			}
			second := h.newCase(t, rep, caseBody(townItem, fx.town, map[string]any{"caseNumber": number + "-2"}))
			expect(t, h.Patch(path, map[string]any{"caseNumber": number + "-2"}, with(rep, matching(2))), http.StatusConflict, "checklist_application_duplicate")
			expect(t, h.Patch(path, map[string]any{"legalPersons": 0, "naturalPersons": 0}, with(rep, matching(2))), http.StatusUnprocessableEntity, "checklist_application_invalid")
			expect(t, h.Patch(path, map[string]any{"caseDate": "2999-12-31"}, with(rep, matching(2))), http.StatusUnprocessableEntity, "checklist_application_invalid")
			// Its own number again is no conflict.
			resp = h.Patch(applicationPath(second.Id.String()), map[string]any{"caseNumber": number + "-2", "legalPersons": 1}, with(rep, matching(1)))
			expect(t, resp, http.StatusOK, "")
			villageCase := listAll[api.ChecklistApplication](t, h, applicationsPath, nil, url.Values{"unitId": {village}}, 10)
			if len(villageCase) != 1 {
				t.Fatalf("the village's cases: %+v", villageCase)
			}
			expect(t, h.Patch(applicationPath(villageCase[0].Id.String()), map[string]any{"naturalPersons": 3}, with(rep, matching(1))), http.StatusForbidden, "own_unit_only")
			expect(t, h.Patch(applicationPath(absentID), map[string]any{"naturalPersons": 3}, with(rep, matching(1))), http.StatusNotFound, "not_found")
		})

		t.Run("list and sum", func(t *testing.T) {
			all := listAll[api.ChecklistApplication](t, h, applicationsPath, nil, url.Values{"listId": {list.ListId.String()}}, 2)
			town := listAll[api.ChecklistApplication](t, h, applicationsPath, viewer, url.Values{"listId": {list.ListId.String()}}, 2)
			if len(all) != 5 || len(town) != 3 {
				t.Fatalf("the list's cases: %d for the administrator, %d for the town's viewer; want 5 and 3", len(all), len(town))
			}
			for i := 1; i < len(all); i++ {
				if all[i-1].CaseDate.String() < all[i].CaseDate.String() {
					t.Errorf("newest first: %s before %s", all[i-1].CaseDate, all[i].CaseDate)
				}
			}
			for _, a := range town {
				if u := a.UnitId.String(); u != fx.town && u != village {
					t.Errorf("the town's viewer sees a case of unit %s", u)
				}
			}
			h.newCase(t, rep, caseBody(townItem, fx.town, map[string]any{"caseDate": "2021-12-30"}))
			for _, c := range []struct {
				query url.Values
				want  int
			}{
				{url.Values{"itemId": {justiceItem}}, 2},
				{url.Values{"unitId": {fx.town}, "checklistId": {list.Id.String()}}, 3},
				{url.Values{"from": {"2021-12-01"}, "listId": {list.ListId.String()}}, 1},
				{url.Values{"to": {"2021-11-30"}, "listId": {list.ListId.String()}}, 5},
				{url.Values{"sort": {"caseDate"}, "listId": {list.ListId.String()}}, 6},
			} {
				if got := listAll[api.ChecklistApplication](t, h, applicationsPath, nil, c.query, 3); len(got) != c.want {
					t.Errorf("%v: %d cases, want %d", c.query, len(got), c.want)
				}
			}
			expect(t, h.Get(applicationsPath+"?cursor=nonsense", nil), http.StatusBadRequest, "invalid_cursor")

			sum := func(who map[string]string, query string) api.ChecklistApplicationStatistics {
				t.Helper()
				s, _ := getOK[api.ChecklistApplicationStatistics](t, h, applicationsPath+"/statistics?listId="+list.ListId.String()+query, who)
				return s
			}
			// The town: the first case (2 persons, 50 yuan), the second (1
			// legal person, 1 natural person, 200), the village's (1, 200)
			// and the one of December (1, 200).
			s := sum(viewer, "&groupBy=unit")
			if s.Totals.Cases != 4 || s.Totals.LegalPersons != 1 || s.Totals.NaturalPersons != 5 || s.Totals.AmountWaived.String() != "650.00" {
				t.Errorf("the town's totals %+v", s.Totals)
			}
			if len(s.Groups) != 2 || s.Groups[0].Name == nil {
				t.Errorf("the town's groups %+v", s.Groups)
			}
			all2 := sum(nil, "&groupBy=month")
			if all2.Totals.Cases != 6 || len(all2.Groups) != 2 || all2.Groups[0].Key != "2021-09" || all2.Groups[1].Key != "2021-12" || all2.Groups[1].Cases != 1 {
				t.Errorf("by month %+v", all2)
			}
			if q := sum(h.as("key:read"), "&groupBy=quarter"); len(q.Groups) != 2 || q.Groups[0].Key != "2021-Q3" || q.Groups[1].Key != "2021-Q4" {
				t.Errorf("by quarter %+v", q.Groups)
			}
			if y := sum(nil, "&groupBy=year"); len(y.Groups) != 1 || y.Groups[0].Key != "2021" || y.Groups[0].Cases != 6 {
				t.Errorf("by year %+v", y.Groups)
			}
			if l := sum(nil, "&groupBy=list"); len(l.Groups) != 1 || l.Groups[0].Key != list.ListId.String() || l.Groups[0].Name == nil || *l.Groups[0].Name != list.Title {
				t.Errorf("by list %+v", l.Groups)
			}
			if it := sum(nil, "&groupBy=item&itemId="+townItem); len(it.Groups) != 1 || it.Groups[0].Name == nil || *it.Groups[0].Name != "首次未随车携带道路运输证" {
				t.Errorf("by item %+v", it.Groups)
			}
			if none := sum(nil, "&from=2022-01-01"); none.Totals.Cases != 0 || none.Totals.AmountWaived.String() != "0.00" || len(none.Groups) != 0 {
				t.Errorf("no cases %+v", none)
			}
		})

		t.Run("delete", func(t *testing.T) {
			path := applicationPath(first.Id.String())
			expect(t, h.Delete(path, rep), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Delete(path, with(rep, matching(1))), http.StatusPreconditionFailed, "version_mismatch")
			villageCase := listAll[api.ChecklistApplication](t, h, applicationsPath, nil, url.Values{"unitId": {village}}, 10)
			expect(t, h.Delete(applicationPath(villageCase[0].Id.String()), with(rep, matching(1))), http.StatusForbidden, "own_unit_only")
			expect(t, h.Delete(path, with(rep, matching(2))), http.StatusNoContent, "")
			expect(t, h.Get(path, nil), http.StatusNotFound, "not_found")
			expect(t, h.Delete(path, with(rep, matching(2))), http.StatusNotFound, "not_found")
		})

		t.Run("audit", func(t *testing.T) {
			ops := auditOps(h.auditEvents(t, "admin", url.Values{"entityType": {"checklist_application"}, "entityId": {first.Id.String()}}))
			slices.Sort(ops)
			if got := fmt.Sprint(ops); got != "[createChecklistApplication deleteChecklistApplication updateChecklistApplication]" {
				t.Errorf("the case's events %s", got)
			}
		})
	})
}

// TestChecklistApplicationsDemoFigures: the demo's cases of the 2021 list add
// up, through the API, to the seed report's four figures: 2,848 cases, 65
// legal persons, 3,923 natural persons and 1,194,700 yuan (119.47 万元).
func TestChecklistApplicationsDemoFigures(t *testing.T) {
	c := exampleServer(t, demoDatabase(t))
	token := demoToken(t, c, specOps(t)[slices.IndexFunc(specOps(t), func(o specOp) bool { return o.ID() == "getChecklistApplicationStatistics" })])
	resp := c.Get(applicationsPath+"/statistics?groupBy=year&listId="+demo.FlexibleList, map[string]string{"Authorization": "Bearer " + token})
	expect(t, resp, http.StatusOK, "")
	var s api.ChecklistApplicationStatistics
	resp.JSON(t, &s)
	want := api.ApplicationTotals{Cases: 2848, LegalPersons: 65, NaturalPersons: 3923}
	if s.Totals.Cases != want.Cases || s.Totals.LegalPersons != want.LegalPersons || s.Totals.NaturalPersons != want.NaturalPersons ||
		s.Totals.AmountWaived.String() != "1194700.00" {
		t.Errorf("the demo's cases add up to %+v, want 2848 cases, 65 legal persons, 3923 natural persons, 1194700.00 yuan", s.Totals)
	}
	if len(s.Groups) != 1 || s.Groups[0].Key != "2021" || s.Groups[0].Cases != 2848 {
		t.Errorf("by year %+v", s.Groups)
	}
}

// importCases uploads a ledger to a list version as who.
func (h *harness) importCases(t *testing.T, listID, filename string, data []byte, dryRun bool, who map[string]string) *apitest.Response {
	t.Helper()
	ct, body := multipartOf(t, part{field: "file", filename: filename, contentType: "application/octet-stream", data: data})
	path := clPath(listID, "applications", "import")
	if dryRun {
		path += "?dryRun=true"
	}
	return h.Do(apitest.Request{Method: http.MethodPost, Path: path, Body: body, ContentType: ct, Header: who})
}

// ledgerHeader is a ledger's header as units write it: synonyms, traditional
// characters and a required-marker among them.
var ledgerHeader = []string{"事项序号*", "违法行为", "执法機關", "案号", "结案日期", "法人数", "自然人数", "减免罚款金额（元）", "备注"}

// TestChecklistApplicationImport: a ledger of cases in, judged cell by cell
// and as cases, all or nothing.
func TestChecklistApplicationImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		fx := h.fx
		rep := h.as("reporter")
		list := h.publishedChecklist(t, "noPenalty", fx.town, noPenaltyItem("首次未随车携带道路运输证", fx.town),
			noPenaltyItem("首次未按规定粘贴车辆标志", fx.justice))
		id := list.Id.String()
		village := h.createUnit(t, map[string]any{"code": villageCode(), "name": "导入村" + tag(), "kind": "village", "parentId": fx.town})
		count := func() int {
			return len(listAll[api.ChecklistApplication](t, h, applicationsPath, nil, url.Values{"checklistId": {id}}, 100))
		}
		n := tag()
		good := [][]string{
			{"1", "首次未随车携带道路運輸證", "测试街道", n + "-1", "2021/9/1", "0", "1", "200", "当场改正"},
			{"1", "", "测试街道", n + "-2", "2021年10月8日", "1", "2", "1500.50", ""},
		}

		t.Run("dry run", func(t *testing.T) {
			rows := append(slices.Clone(good), []string{"2", "", "测试街道", n + "-3", "2021-02-30", "0", "1", "100", ""})
			resp := h.importCases(t, id, "台账.xlsx", xlsxOf(t, "适用台账", ledgerHeader, rows), true, rep)
			expect(t, resp, http.StatusOK, "")
			var r api.ApplicationImportReport
			resp.JSON(t, &r)
			if !r.DryRun || r.Rows != 3 || r.Created != 2 || r.ProblemCount != 1 || len(r.Problems) != 1 || r.Sheet != "适用台账" {
				t.Fatalf("report %+v", r)
			}
			if p := r.Problems[0]; p.Ref == nil || *p.Ref != "E4" || p.Row == nil || *p.Row != 4 {
				t.Errorf("the bad date's problem %+v", p)
			}
			if got := count(); got != 0 {
				t.Errorf("a dry run recorded %d cases", got)
			}
		})

		t.Run("refused rows", func(t *testing.T) {
			rows := append(slices.Clone(good),
				[]string{"3", "", "测试街道", "", "2021-09-01", "0", "1", "0", ""},       // no such item
				[]string{"2", "别的违法行为", "测试街道", "", "2021-09-01", "0", "1", "0", ""}, // not item 2's name
				[]string{"1", "", "无此单位", "", "2021-09-01", "0", "1", "0", ""},       // no such unit
				[]string{"2", "", "测试市司法局", "", "2021-09-01", "0", "1", "0", ""},     // outside the reporter's subtree
				[]string{"1", "", village.Name, "", "2021-09-01", "0", "1", "0", ""}, // below the reporter's unit
				[]string{"1", "", "测试街道", n + "-1", "2021-09-02", "0", "1", "0", ""}, // a number of the file's
				[]string{"1", "", "测试街道", "", "2999-01-01", "0", "1", "0", ""},       // after today
				[]string{"1", "", "测试街道", "", "2021-09-01", "0", "0", "0", ""},       // nobody
				[]string{"1", "", "测试街道", "", "2021-09-01", "一", "1", "0.001", ""},   // not a count, a fraction of a fen
			)
			resp := h.importCases(t, id, "台账.xlsx", xlsxOf(t, "适用台账", ledgerHeader, rows), false, rep)
			expect(t, resp, http.StatusUnprocessableEntity, "sheet_invalid")
			want := []string{"A4", "B5", "C6", "C7", "C8", "D9", "E10", "G11", "F12", "H12"}
			var got []string
			for _, c := range resp.Problem(t).Cells {
				got = append(got, c.Ref)
			}
			if !slices.Equal(got, want) {
				t.Errorf("problems at %q, want %q: %s", got, want, resp.Body)
			}
			if got := count(); got != 0 {
				t.Errorf("a refused import recorded %d cases", got)
			}
		})

		t.Run("import", func(t *testing.T) {
			var csv bytes.Buffer
			csv.WriteString(strings.Join(ledgerHeader, ",") + "\n")
			for _, r := range good {
				csv.WriteString(strings.Join(r, ",") + "\n")
			}
			resp := h.importCases(t, id, "台账.csv", csv.Bytes(), false, rep)
			expect(t, resp, http.StatusOK, "")
			var r api.ApplicationImportReport
			resp.JSON(t, &r)
			if r.DryRun || r.Rows != 2 || r.Created != 2 || r.ProblemCount != 0 {
				t.Fatalf("report %+v", r)
			}
			cases := listAll[api.ChecklistApplication](t, h, applicationsPath, nil, url.Values{"checklistId": {id}, "sort": {"caseDate"}}, 10)
			if len(cases) != 2 || cases[0].CaseDate.String() != "2021-09-01" || cases[1].CaseDate.String() != "2021-10-08" ||
				cases[1].AmountWaived.String() != "1500.50" || cases[1].LegalPersons != 1 || cases[1].NaturalPersons != 2 ||
				cases[0].Remark == nil || *cases[0].Remark != "当场改正" || cases[0].CreatedBy.Id.String() != fx.users["reporter"].ID {
				t.Errorf("imported %+v", cases)
			}
			// The same ledger again: every case is recorded already.
			resp = h.importCases(t, id, "台账.csv", csv.Bytes(), false, rep)
			expect(t, resp, http.StatusUnprocessableEntity, "sheet_invalid")
			if cells := resp.Problem(t).Cells; len(cells) != 2 || cells[0].Ref != "D2" {
				t.Errorf("re-import problems %+v", cells)
			}
			if got := count(); got != 2 {
				t.Errorf("%d cases after the re-import, want 2", got)
			}
		})

		t.Run("a draft", func(t *testing.T) {
			draft := h.newChecklist(t, nil, checklistBody("noPenalty", fx.town, nil))
			resp := h.importCases(t, draft.Id.String(), "台账.xlsx", xlsxOf(t, "适用台账", ledgerHeader, good), false, rep)
			expect(t, resp, http.StatusConflict, "checklist_not_released")
			expect(t, h.importCases(t, absentID, "台账.xlsx", xlsxOf(t, "适用台账", ledgerHeader, good), false, rep), http.StatusNotFound, "not_found")
		})
	})
}
