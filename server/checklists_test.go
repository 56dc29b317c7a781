package server_test

// Checklists (清单) through HTTP: kinds and their columns, the versions of a
// list through the legality review (submit, return, publish, revise,
// supersede, abolish), who sees which version, items with their checks,
// filters and search, the counts of a version and the diff between two.
// Some item texts are in traditional characters on purpose: search folds
// both scripts.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/server"
)

const (
	kindsPath          = "/api/v1/checklist-kinds"
	checklistsPath     = "/api/v1/checklists"
	checklistItemsPath = "/api/v1/checklist-items"
)

// clPath is the path of a list version, or of one of its sub-resources.
func clPath(id string, rest ...string) string {
	return strings.Join(append([]string{checklistsPath, id}, rest...), "/")
}

func itemPath(id string) string { return checklistItemsPath + "/" + id }

// etagIs checks a response's ETag against a record's version.
func etagIs(t *testing.T, resp *apitest.Response, version int64) {
	t.Helper()
	if got, want := resp.Header.Get("ETag"), fmt.Sprintf(`"%d"`, version); got != want {
		t.Errorf("ETag %s, want %s", got, want)
	}
}

// userIn makes a user of the unit with the roles in the store and a session
// for it, and returns the header that signs requests as it.
func (h *harness) userIn(t *testing.T, unitID string, roles ...models.Role) (map[string]string, *models.User) {
	t.Helper()
	u := &models.User{Username: "cl" + dbtest.RandomSuffix() + ".user", DisplayName: "清单测试用户", UnitID: unitID,
		Roles: roles, PasswordHash: h.fx.users["admin"].PasswordHash}
	if err := h.db.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	token, tokenHash := password.NewToken("fzs_")
	if _, err := h.db.CreateSession(t.Context(), u, tokenHash, time.Hour); err != nil {
		t.Fatal(err)
	}
	return bearer(token), u
}

// testKindColumns are the columns of the kinds the tests define: one of each
// type that checks its values, and two that q searches.
func testKindColumns() []map[string]any {
	return []map[string]any{
		{"key": "level", "label": "执法层级", "type": "enum", "values": []string{"市", "县", "乡"}, "required": true, "searchable": false},
		{"key": "amount", "label": "罚款金额", "type": "number", "required": false, "searchable": false},
		{"key": "startDate", "label": "施行日期", "type": "date", "required": false, "searchable": false},
		{"key": "note", "label": "说明", "type": "text", "required": false, "searchable": true},
		{"key": "basis", "label": "违法依据", "type": "legal_ref", "required": false, "searchable": true},
	}
}

// newKind defines a kind as the administrator, expecting 201 with its
// Location and ETag.
func (h *harness) newKind(t *testing.T, body map[string]any) api.ChecklistKind {
	t.Helper()
	resp := h.Post(kindsPath, body, nil)
	expect(t, resp, http.StatusCreated, "")
	var k api.ChecklistKind
	resp.JSON(t, &k)
	if got, want := resp.Header.Get("Location"), kindsPath+"/"+k.Key; got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	etagIs(t, resp, 1)
	if k.BuiltIn || k.Version != 1 {
		t.Errorf("new kind %+v", k)
	}
	return k
}

// testKind defines a kind of the test's own, with testKindColumns.
func (h *harness) testKind(t *testing.T) string {
	t.Helper()
	return h.newKind(t, map[string]any{"key": "k" + dbtest.RandomSuffix(), "name": "测试清单类型", "columns": testKindColumns()}).Key
}

func checklistBody(kind, unitID string, extra map[string]any) map[string]any {
	body := map[string]any{"kind": kind, "title": "测试清单 " + tag(), "issuingUnitId": unitID, "year": 2022}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

// newChecklist creates a list as who (nil: the administrator), expecting 201,
// a first version in draft, its Location and ETag.
func (h *harness) newChecklist(t *testing.T, who map[string]string, body map[string]any) api.Checklist {
	t.Helper()
	resp := h.Post(checklistsPath, body, who)
	expect(t, resp, http.StatusCreated, "")
	var c api.Checklist
	resp.JSON(t, &c)
	if got, want := resp.Header.Get("Location"), clPath(c.Id.String()); got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	etagIs(t, resp, 1)
	if c.Status != "draft" || c.VersionNo != 1 || c.ListId != c.Id || c.Version != 1 || c.SubmittedBy != nil || c.PublishedAt != nil {
		t.Errorf("new list %+v", c)
	}
	return c
}

// itemBody is an item of a test kind, at level 市 unless extra says otherwise.
func itemBody(name string, extra map[string]any) map[string]any {
	body := map[string]any{"name": name, "attributes": map[string]string{"level": "市"}}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

// newItem adds an item as who (nil: the administrator), expecting 201.
func (h *harness) newItem(t *testing.T, who map[string]string, listID string, body map[string]any) api.ChecklistItem {
	t.Helper()
	resp := h.Post(clPath(listID, "items"), body, who)
	expect(t, resp, http.StatusCreated, "")
	var it api.ChecklistItem
	resp.JSON(t, &it)
	if got, want := resp.Header.Get("Location"), itemPath(it.Id.String()); got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	etagIs(t, resp, 1)
	if it.ChecklistId.String() != listID || it.ItemKey == "" {
		t.Errorf("new item %+v", it)
	}
	return it
}

// clAct posts a move of a list version as who.
func (h *harness) clAct(id, action string, body any, who map[string]string) *apitest.Response {
	return h.Post(clPath(id, action), body, who)
}

// mustClAct posts a move and expects status (201 for revise, 200 for the
// others) and the state it leads to.
func (h *harness) mustClAct(t *testing.T, id, action string, body any, who map[string]string, state string) api.Checklist {
	t.Helper()
	resp := h.clAct(id, action, body, who)
	status := http.StatusOK
	if action == "revise" {
		status = http.StatusCreated
	}
	expect(t, resp, status, "")
	var c api.Checklist
	resp.JSON(t, &c)
	if string(c.Status) != state {
		t.Fatalf("%s %s: status %s, want %s", action, id, c.Status, state)
	}
	return c
}

func (h *harness) getChecklist(t *testing.T, id string, who map[string]string) api.Checklist {
	t.Helper()
	c, resp := getOK[api.Checklist](t, h, clPath(id), who)
	etagIs(t, resp, c.Version)
	return c
}

// publishedChecklist makes a list of the kind issued by the unit with the
// items and publishes it: the administrator submits it, the city-wide
// reviewer publishes it.
func (h *harness) publishedChecklist(t *testing.T, kind, unitID string, items ...map[string]any) api.Checklist {
	t.Helper()
	c := h.newChecklist(t, nil, checklistBody(kind, unitID, nil))
	if len(items) == 0 {
		items = []map[string]any{itemBody("已发布事项", nil)}
	}
	for _, b := range items {
		h.newItem(t, nil, c.Id.String(), b)
	}
	h.mustClAct(t, c.Id.String(), "submit", nil, nil, "in_review")
	return h.mustClAct(t, c.Id.String(), "publish", nil, h.as("cityReviewer"), "published")
}

func (h *harness) items(t *testing.T, listID string, who map[string]string, query url.Values, limit int) []api.ChecklistItem {
	t.Helper()
	return listAll[api.ChecklistItem](t, h, clPath(listID, "items"), who, query, limit)
}

func itemNames(items []api.ChecklistItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Name
	}
	return out
}

func checklistIDs(cs []api.Checklist) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Id.String()
	}
	slices.Sort(out)
	return out
}

func sortedIDs(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func TestChecklistKinds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})

		t.Run("list", func(t *testing.T) {
			defined := h.testKind(t)
			all := listAll[api.ChecklistKind](t, h, kindsPath, h.as("viewer"), nil, 5)
			builtIn := models.BuiltInKinds()
			if len(all) <= len(builtIn) {
				t.Fatalf("%d kinds, want the %d built-in ones and those defined", len(all), len(builtIn))
			}
			// The built-in ones first, in the order the domain lists them
			// (证明事项, the four flexible-enforcement lists, …).
			var got, want []string
			for i, k := range builtIn {
				got, want = append(got, all[i].Key), append(want, k.Key)
				if !all[i].BuiltIn {
					t.Errorf("kind %s at %d is not built in", all[i].Key, i)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("built-in kinds in the order\n%v\nwant the domain's\n%v", got, want)
			}
			// Then the defined ones, by key.
			var rest []string
			for _, k := range all[len(builtIn):] {
				if k.BuiltIn {
					t.Errorf("built-in kind %s among the defined ones", k.Key)
				}
				rest = append(rest, k.Key)
			}
			if !slices.IsSorted(rest) || !slices.Contains(rest, defined) {
				t.Errorf("defined kinds %v: want them by key, with %s", rest, defined)
			}
			// One page of all equals the pages of five.
			var page struct {
				Items      []api.ChecklistKind `json:"items"`
				NextCursor *string             `json:"nextCursor"`
			}
			h.Get(kindsPath+"?limit=500", h.as("key:read")).JSON(t, &page)
			if len(page.Items) != len(all) || page.NextCursor != nil {
				t.Errorf("one page of 500: %d kinds, cursor %v; in pages of 5: %d", len(page.Items), page.NextCursor, len(all))
			}
		})

		t.Run("get", func(t *testing.T) {
			k, resp := getOK[api.ChecklistKind](t, h, kindsPath+"/noPenalty", h.as("key:read"))
			etagIs(t, resp, 1)
			var keys []string
			for _, c := range k.Columns {
				keys = append(keys, c.Key)
			}
			if !k.BuiltIn || k.Name != "不予处罚事项清单" || !slices.Equal(keys, []string{"violatedProvision", "penaltyProvision", "conditions"}) {
				t.Errorf("noPenalty: %+v", k)
			}
			expect(t, h.Get(kindsPath+"/"+absentKindKey, nil), http.StatusNotFound, "not_found")
		})

		t.Run("create", func(t *testing.T) {
			key := "k" + dbtest.RandomSuffix()
			body := map[string]any{"key": key, "name": "行政执法证件清单", "description": "列明执法证件。", "columns": []map[string]any{
				{"key": "certificateNumber", "label": "证件编号", "type": "text", "required": true, "searchable": true},
				{"key": "level", "label": "执法层级", "type": "enum", "values": []string{"市", "县", "乡"}, "required": true, "searchable": false},
			}}
			k := h.newKind(t, body)
			if k.Key != key || k.Description == nil || len(k.Columns) != 2 || k.Columns[1].Values == nil || len(*k.Columns[1].Values) != 3 {
				t.Errorf("created %+v", k)
			}
			got, _ := getOK[api.ChecklistKind](t, h, kindsPath+"/"+key, nil)
			if got.Name != "行政执法证件清单" || len(got.Columns) != 2 {
				t.Errorf("read back %+v", got)
			}
			expect(t, h.Post(kindsPath, body, nil), http.StatusConflict, "checklist_kind_exists")
			body["key"] = "noPenalty"
			expect(t, h.Post(kindsPath, body, nil), http.StatusConflict, "checklist_kind_exists")

			// Columns the contract lets through but the kind refuses, each
			// pointed at.
			bad := map[string]any{"key": "k" + dbtest.RandomSuffix(), "name": "坏的类型", "columns": []map[string]any{
				{"key": "level", "label": "层级", "type": "enum", "required": true, "searchable": false},
				{"key": "name", "label": "名称", "type": "text", "required": false, "searchable": false},
				{"key": "note", "label": "名称", "type": "text", "values": []string{"甲"}, "required": false, "searchable": false},
			}}
			resp := h.Post(kindsPath, bad, nil)
			expect(t, resp, http.StatusUnprocessableEntity, "checklist_kind_invalid")
			want := []string{"/columns/0/values", "/columns/1/key", "/columns/2/label", "/columns/2/values"}
			if got := pointers(resp.Problem(t)); !slices.Equal(got, want) {
				t.Errorf("pointers %v, want %v", got, want)
			}
			expect(t, h.Get(kindsPath+"/"+bad["key"].(string), nil), http.StatusNotFound, "not_found")
		})

		t.Run("update", func(t *testing.T) {
			k := h.newKind(t, map[string]any{"key": "k" + dbtest.RandomSuffix(), "name": "待修改类型", "description": "说明",
				"columns": testKindColumns()})
			path := kindsPath + "/" + k.Key
			rename := map[string]any{"name": "已修改类型"}
			expect(t, h.Patch(path, rename, nil), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Patch(path, rename, matching(7)), http.StatusPreconditionFailed, "version_mismatch")
			resp := h.Patch(path, map[string]any{"name": "已修改类型", "description": nil}, matching(1))
			expect(t, resp, http.StatusOK, "")
			etagIs(t, resp, 2)
			var got api.ChecklistKind
			resp.JSON(t, &got)
			if got.Name != "已修改类型" || got.Description != nil || got.Version != 2 || len(got.Columns) != len(testKindColumns()) {
				t.Errorf("after the change %+v", got)
			}

			expect(t, h.Patch(kindsPath+"/noPenalty", rename, matching(1)), http.StatusConflict, "checklist_kind_built_in")
			expect(t, h.Patch(kindsPath+"/"+absentKindKey, rename, matching(1)), http.StatusNotFound, "not_found")

			dup := testKindColumns()
			dup[1]["label"] = dup[0]["label"]
			resp = h.Patch(path, map[string]any{"columns": dup}, matching(2))
			expect(t, resp, http.StatusUnprocessableEntity, "checklist_kind_invalid")
			if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{"/columns/1/label"}) {
				t.Errorf("pointers %v, want /columns/1/label", got)
			}

			// Unused, a column may go; once a list uses the kind, none may
			// go or change its type, but one may be added or relabelled.
			resp = h.Patch(path, map[string]any{"columns": testKindColumns()[:4]}, matching(2))
			expect(t, resp, http.StatusOK, "")
			h.newChecklist(t, nil, checklistBody(k.Key, h.fx.town, nil))
			resp = h.Patch(path, map[string]any{"columns": testKindColumns()[:3]}, matching(3))
			expect(t, resp, http.StatusConflict, "checklist_kind_in_use")
			retyped := testKindColumns()[:4]
			retyped[3]["type"] = "long_text"
			expect(t, h.Patch(path, map[string]any{"columns": retyped}, matching(3)), http.StatusConflict, "checklist_kind_in_use")
			grown := testKindColumns()
			grown[3]["label"] = "备注说明"
			resp = h.Patch(path, map[string]any{"columns": grown}, matching(3))
			expect(t, resp, http.StatusOK, "")
			var wider api.ChecklistKind
			resp.JSON(t, &wider)
			if len(wider.Columns) != 5 || wider.Columns[3].Label != "备注说明" || wider.Version != 4 {
				t.Errorf("after adding a column %+v", wider)
			}
		})
	})
}

func TestCreateAndEditChecklist(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		kind := h.testKind(t)
		fx := h.fx

		t.Run("create", func(t *testing.T) {
			c := h.newChecklist(t, nil, checklistBody(kind, fx.district, map[string]any{
				"documentNumber": "测司发〔2022〕3号", "effectiveDate": "2022-03-01"}))
			if c.Kind != kind || c.IssuingUnitId.String() != fx.district || c.Year != 2022 || c.DocumentNumber == nil ||
				*c.DocumentNumber != "测司发〔2022〕3号" || c.EffectiveDate == nil || c.EffectiveDate.String() != "2022-03-01" {
				t.Errorf("created %+v", c)
			}
			got := h.getChecklist(t, c.Id.String(), nil)
			if got.Title != c.Title || got.Version != 1 {
				t.Errorf("read back %+v", got)
			}
			resp := h.Get(clPath(c.Id.String()), map[string]string{"If-None-Match": `"1"`})
			expect(t, resp, http.StatusNotModified, "")
			etagIs(t, resp, 1)

			// A reporter creates lists of its own unit.
			own := h.newChecklist(t, h.as("reporter"), checklistBody(kind, fx.town, nil))
			if own.IssuingUnitId.String() != fx.town {
				t.Errorf("the reporter's list is issued by %s", own.IssuingUnitId)
			}
		})

		t.Run("refused", func(t *testing.T) {
			// A unit outside the reporter's subtree is one it cannot issue
			// for: it does not exist for it.
			resp := h.Post(checklistsPath, checklistBody(kind, fx.district, nil), h.as("reporter"))
			expect(t, resp, http.StatusUnprocessableEntity, "checklist_unit_not_found")
			if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{"/issuingUnitId"}) {
				t.Errorf("pointers %v", got)
			}
			expect(t, h.Post(checklistsPath, checklistBody(kind, absentID, nil), nil), http.StatusUnprocessableEntity, "checklist_unit_not_found")
			resp = h.Post(checklistsPath, checklistBody(absentKindKey, fx.town, nil), nil)
			expect(t, resp, http.StatusUnprocessableEntity, "checklist_kind_not_found")
			if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{"/kind"}) {
				t.Errorf("pointers %v", got)
			}
			// The contract bounds the year (400); a title of an ideographic
			// space alone passes its pattern but is blank to the domain.
			expect(t, h.Post(checklistsPath, checklistBody(kind, fx.town, map[string]any{"year": 1999}), nil), http.StatusBadRequest, "")
			resp = h.Post(checklistsPath, checklistBody(kind, fx.town, map[string]any{"title": "\u3000"}), nil)
			expect(t, resp, http.StatusUnprocessableEntity, "checklist_invalid")
			if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{"/title"}) {
				t.Errorf("pointers %v", got)
			}
			expect(t, h.Post(checklistsPath, checklistBody(kind, fx.town, nil), h.as("viewer")), http.StatusForbidden, "forbidden")
		})

		t.Run("reporter of a unit below its own", func(t *testing.T) {
			// The reporter of the town sees a village's lists but acts on
			// its own unit's only.
			village := h.createUnit(t, map[string]any{"code": villageCode(), "name": "某村", "kind": "village", "parentId": fx.town}).Id.String()
			rep := h.as("reporter")
			c := h.newChecklist(t, nil, checklistBody(kind, village, nil))
			it := h.newItem(t, nil, c.Id.String(), itemBody("村级事项", nil))
			id := c.Id.String()
			h.getChecklist(t, id, rep)
			expect(t, h.Patch(clPath(id), map[string]any{"title": "改"}, with(rep, matching(1))), http.StatusForbidden, "own_unit_only")
			expect(t, h.Delete(clPath(id), with(rep, matching(1))), http.StatusForbidden, "own_unit_only")
			expect(t, h.clAct(id, "submit", nil, rep), http.StatusForbidden, "own_unit_only")
			expect(t, h.Post(clPath(id, "items"), itemBody("新事项", nil), rep), http.StatusForbidden, "own_unit_only")
			expect(t, h.Patch(itemPath(it.Id.String()), map[string]any{"name": "改"}, with(rep, matching(1))), http.StatusForbidden, "own_unit_only")
			expect(t, h.Delete(itemPath(it.Id.String()), with(rep, matching(1))), http.StatusForbidden, "own_unit_only")
			pub := h.publishedChecklist(t, kind, village)
			expect(t, h.clAct(pub.Id.String(), "revise", nil, rep), http.StatusForbidden, "own_unit_only")
			if got := h.getChecklist(t, id, nil); got.Version != 1 || got.Status != "draft" {
				t.Errorf("refused changes changed the list: %+v", got)
			}
			// Creating one for the village is the same refusal: the unit is
			// one the reporter sees (the organisation chart) but does not act for.
			expect(t, h.Post(checklistsPath, checklistBody(kind, village, nil), rep), http.StatusForbidden, "own_unit_only")
		})

		t.Run("update", func(t *testing.T) {
			c := h.newChecklist(t, h.as("reporter"), checklistBody(kind, fx.town, map[string]any{"documentNumber": "测政发〔2022〕1号"}))
			path := clPath(c.Id.String())
			patch := map[string]any{"title": "已修改的清单", "year": 2023, "documentNumber": nil, "effectiveDate": "2023-01-01"}
			expect(t, h.Patch(path, patch, nil), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Patch(path, patch, matching(5)), http.StatusPreconditionFailed, "version_mismatch")
			resp := h.Patch(path, patch, with(h.as("reporter"), matching(1)))
			expect(t, resp, http.StatusOK, "")
			etagIs(t, resp, 2)
			var got api.Checklist
			resp.JSON(t, &got)
			if got.Title != "已修改的清单" || got.Year != 2023 || got.DocumentNumber != nil || got.EffectiveDate == nil || got.Version != 2 {
				t.Errorf("after the change %+v", got)
			}
			resp = h.Patch(path, map[string]any{"effectiveDate": nil}, matching(2))
			expect(t, resp, http.StatusOK, "")
			var cleared api.Checklist
			if resp.JSON(t, &cleared); cleared.EffectiveDate != nil {
				t.Errorf("effectiveDate %v after null", cleared.EffectiveDate)
			}
			resp = h.Patch(path, map[string]any{"title": "\u3000"}, matching(3))
			expect(t, resp, http.StatusUnprocessableEntity, "checklist_invalid")
			if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{"/title"}) {
				t.Errorf("pointers %v", got)
			}
			expect(t, h.Patch(path, patch, h.as("viewer")), http.StatusForbidden, "forbidden")

			// A published version does not change; a stale If-Match is a
			// 412 before the state is looked at.
			pub := h.publishedChecklist(t, kind, fx.town)
			resp = h.Patch(clPath(pub.Id.String()), patch, matching(pub.Version))
			expect(t, resp, http.StatusConflict, "checklist_not_draft")
			if p := resp.Problem(t); !slices.Equal(p.AllowedStates, []string{"draft"}) {
				t.Errorf("allowedStates %v", p.AllowedStates)
			}
			expect(t, h.Patch(clPath(pub.Id.String()), patch, matching(1)), http.StatusPreconditionFailed, "version_mismatch")
		})

		t.Run("delete", func(t *testing.T) {
			c := h.newChecklist(t, nil, checklistBody(kind, fx.town, nil))
			it := h.newItem(t, nil, c.Id.String(), itemBody("将删除的事项", nil))
			path := clPath(c.Id.String())
			expect(t, h.Delete(path, nil), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Delete(path, matching(2)), http.StatusPreconditionFailed, "version_mismatch")
			expect(t, h.Delete(path, with(h.as("reporter"), matching(1))), http.StatusNoContent, "")
			expect(t, h.Get(path, nil), http.StatusNotFound, "not_found")
			expect(t, h.Get(itemPath(it.Id.String()), nil), http.StatusNotFound, "not_found")
			expect(t, h.Delete(path, matching(1)), http.StatusNotFound, "not_found")

			pub := h.publishedChecklist(t, kind, fx.town)
			resp := h.Delete(clPath(pub.Id.String()), matching(pub.Version))
			expect(t, resp, http.StatusConflict, "checklist_not_draft")
			if p := resp.Problem(t); !slices.Equal(p.AllowedStates, []string{"draft"}) {
				t.Errorf("allowedStates %v", p.AllowedStates)
			}
		})
	})
}

func TestChecklistReview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		kind := h.testKind(t)
		fx := h.fx
		rep, city := h.as("reporter"), h.as("cityReviewer")

		t.Run("submit, return, publish", func(t *testing.T) {
			c := h.newChecklist(t, rep, checklistBody(kind, fx.town, nil))
			id := c.Id.String()
			expect(t, h.clAct(id, "submit", nil, rep), http.StatusConflict, "checklist_empty")
			h.newItem(t, rep, id, itemBody("第一项", nil))
			sub := h.mustClAct(t, id, "submit", nil, rep, "in_review")
			if sub.SubmittedBy == nil || sub.SubmittedBy.Id == nil || sub.SubmittedBy.Id.String() != fx.users["reporter"].ID ||
				sub.SubmittedBy.Name == nil || sub.SubmittedAt == nil || sub.Version != 2 {
				t.Errorf("submitted %+v", sub)
			}
			resp := h.clAct(id, "submit", nil, rep)
			expect(t, resp, http.StatusConflict, "checklist_not_draft")
			if p := resp.Problem(t); !slices.Equal(p.AllowedStates, []string{"draft"}) {
				t.Errorf("allowedStates %v", p.AllowedStates)
			}
			// Nothing changes in review.
			expect(t, h.Post(clPath(id, "items"), itemBody("审查中新增", nil), rep), http.StatusConflict, "checklist_not_draft")
			expect(t, h.Patch(clPath(id), map[string]any{"title": "改"}, with(rep, matching(2))), http.StatusConflict, "checklist_not_draft")

			// The comment is required by the contract.
			expect(t, h.clAct(id, "return", nil, city), http.StatusBadRequest, "")
			expect(t, h.clAct(id, "return", map[string]any{}, city), http.StatusBadRequest, "")
			expect(t, h.clAct(id, "return", map[string]any{"comment": "请核实"}, rep), http.StatusForbidden, "forbidden")
			ret := h.mustClAct(t, id, "return", map[string]any{"comment": "第1项的违法依据有误，请核实后重新提交。"}, city, "draft")
			if ret.ReviewedBy == nil || ret.ReviewedBy.Id == nil || ret.ReviewedBy.Id.String() != fx.users["cityReviewer"].ID ||
				ret.ReviewComment == nil || *ret.ReviewComment != "第1项的违法依据有误，请核实后重新提交。" || ret.ReviewedAt == nil {
				t.Errorf("returned %+v", ret)
			}
			expect(t, h.clAct(id, "publish", nil, city), http.StatusConflict, "checklist_not_in_review")
			expect(t, h.clAct(id, "return", map[string]any{"comment": "再退"}, city), http.StatusConflict, "checklist_not_in_review")

			// Reworked and submitted again, the city-wide reviewer, in the
			// justice bureau outside the town's subtree, publishes it.
			expect(t, h.Patch(clPath(id), map[string]any{"title": "修改后的清单"}, with(rep, matching(ret.Version))), http.StatusOK, "")
			h.mustClAct(t, id, "submit", nil, rep, "in_review")
			pub := h.mustClAct(t, id, "publish", map[string]any{"comment": "经合法性审查，同意发布。"}, city, "published")
			if pub.PublishedAt == nil || pub.ReviewComment == nil || *pub.ReviewComment != "经合法性审查，同意发布。" ||
				pub.ReviewedBy == nil || pub.ReviewedBy.Id.String() != fx.users["cityReviewer"].ID || pub.EndedAt != nil {
				t.Errorf("published %+v", pub)
			}
			if got := h.getChecklist(t, id, h.as("viewer")); got.Status != "published" || got.Title != "修改后的清单" {
				t.Errorf("the viewer reads %+v", got)
			}
			expect(t, h.clAct(id, "publish", nil, city), http.StatusConflict, "checklist_not_in_review")
		})

		t.Run("publish without a comment", func(t *testing.T) {
			c := h.newChecklist(t, nil, checklistBody(kind, fx.district, nil))
			h.newItem(t, nil, c.Id.String(), itemBody("一项", nil))
			h.mustClAct(t, c.Id.String(), "submit", nil, nil, "in_review")
			pub := h.mustClAct(t, c.Id.String(), "publish", nil, city, "published")
			if pub.ReviewComment != nil {
				t.Errorf("review comment %q without one sent", *pub.ReviewComment)
			}
		})

		t.Run("self review", func(t *testing.T) {
			// The administrator submits: it may neither publish nor return
			// its own submission.
			c := h.newChecklist(t, nil, checklistBody(kind, fx.town, nil))
			id := c.Id.String()
			h.newItem(t, nil, id, itemBody("一项", nil))
			h.mustClAct(t, id, "submit", nil, nil, "in_review")
			expect(t, h.clAct(id, "publish", nil, nil), http.StatusForbidden, "self_review")
			expect(t, h.clAct(id, "return", map[string]any{"comment": "自己退回"}, nil), http.StatusForbidden, "self_review")
			if got := h.getChecklist(t, id, nil); got.Status != "in_review" || got.Version != 2 {
				t.Errorf("refused review changed the list: %+v", got)
			}
			h.mustClAct(t, id, "publish", nil, city, "published")
		})

		t.Run("revise, supersede, abolish", func(t *testing.T) {
			v1 := h.publishedChecklist(t, kind, fx.town, itemBody("甲", nil), itemBody("乙", nil))
			id1 := v1.Id.String()
			expect(t, h.clAct(id1, "revise", nil, h.as("viewer")), http.StatusForbidden, "forbidden")
			resp := h.clAct(id1, "revise", nil, rep)
			expect(t, resp, http.StatusCreated, "")
			var v2 api.Checklist
			resp.JSON(t, &v2)
			id2 := v2.Id.String()
			if got, want := resp.Header.Get("Location"), clPath(id2); got != want {
				t.Errorf("Location %q, want %q", got, want)
			}
			etagIs(t, resp, v2.Version)
			if v2.Status != "draft" || v2.VersionNo != 2 || v2.ListId != v1.ListId || v2.Id == v1.Id || v2.Title != v1.Title ||
				v2.SubmittedBy != nil || v2.PublishedAt != nil || v2.ReviewComment != nil {
				t.Errorf("revision %+v of %+v", v2, v1)
			}
			// The items are copied under the same keys.
			before, after := h.items(t, id1, nil, nil, 50), h.items(t, id2, nil, nil, 50)
			if len(before) != 2 || len(after) != 2 {
				t.Fatalf("items %d before, %d in the revision", len(before), len(after))
			}
			for i := range before {
				if after[i].ItemKey != before[i].ItemKey || after[i].Id == before[i].Id || after[i].Name != before[i].Name ||
					after[i].ChecklistId != v2.Id || after[i].Sequence != before[i].Sequence {
					t.Errorf("item %d: %+v copied as %+v", i, before[i], after[i])
				}
			}
			// One revision at a time; only the published version is revised.
			expect(t, h.clAct(id1, "revise", nil, rep), http.StatusConflict, "checklist_revision_open")
			resp = h.clAct(id2, "revise", nil, rep)
			expect(t, resp, http.StatusConflict, "checklist_not_published")
			if p := resp.Problem(t); !slices.Equal(p.AllowedStates, []string{"published"}) {
				t.Errorf("allowedStates %v", p.AllowedStates)
			}
			// The published version stays in force meanwhile.
			if got := h.getChecklist(t, id1, nil); got.Status != "published" {
				t.Errorf("the published version is %s during the revision", got.Status)
			}

			h.mustClAct(t, id2, "submit", nil, rep, "in_review")
			expect(t, h.clAct(id1, "revise", nil, rep), http.StatusConflict, "checklist_revision_open")
			pub := h.mustClAct(t, id2, "publish", nil, city, "published")
			old := h.getChecklist(t, id1, h.as("key:read"))
			if old.Status != "superseded" || old.EndedAt == nil || !old.EndedAt.Equal(*pub.PublishedAt) {
				t.Errorf("the old version after the new one's publication: %s, ended %v, published %v", old.Status, old.EndedAt, pub.PublishedAt)
			}

			resp = h.clAct(id1, "abolish", nil, city)
			expect(t, resp, http.StatusConflict, "checklist_not_published")
			if p := resp.Problem(t); !slices.Equal(p.AllowedStates, []string{"published"}) {
				t.Errorf("allowedStates %v", p.AllowedStates)
			}
			expect(t, h.clAct(id1, "revise", nil, rep), http.StatusConflict, "checklist_not_published")
			expect(t, h.clAct(id2, "abolish", nil, rep), http.StatusForbidden, "forbidden")
			ab := h.mustClAct(t, id2, "abolish", nil, city, "abolished")
			if ab.EndedAt == nil {
				t.Errorf("abolished without endedAt: %+v", ab)
			}
			// Abolished is not released: API keys no longer see it.
			expect(t, h.Get(clPath(id2), h.as("key:read")), http.StatusNotFound, "not_found")
			h.getChecklist(t, id1, h.as("key:read"))

			// Versions, oldest first, a page at a time; a key sees the
			// released ones.
			versions := listAll[api.Checklist](t, h, clPath(id2, "versions"), nil, nil, 1)
			if len(versions) != 2 || versions[0].Id != v1.Id || versions[1].Id != v2.Id {
				t.Errorf("versions %v, want %s then %s", checklistIDs(versions), id1, id2)
			}
			versions = listAll[api.Checklist](t, h, clPath(id1, "versions"), h.as("key:read"), nil, 1)
			if len(versions) != 1 || versions[0].Id != v1.Id {
				t.Errorf("the key reads versions %v, want %s alone", checklistIDs(versions), id1)
			}
			byList := listAll[api.Checklist](t, h, checklistsPath, nil, url.Values{"listId": {v1.ListId.String()}}, 1)
			if got, want := checklistIDs(byList), sortedIDs(id1, id2); !slices.Equal(got, want) {
				t.Errorf("lists of listId: %v, want %v", got, want)
			}
		})

		t.Run("delete a revision", func(t *testing.T) {
			v1 := h.publishedChecklist(t, kind, fx.town)
			v2 := h.mustClAct(t, v1.Id.String(), "revise", nil, nil, "draft")
			expect(t, h.Delete(clPath(v2.Id.String()), matching(v2.Version)), http.StatusNoContent, "")
			if got := h.getChecklist(t, v1.Id.String(), nil); got.Status != "published" {
				t.Errorf("the published version is %s after its revision went", got.Status)
			}
			v3 := h.mustClAct(t, v1.Id.String(), "revise", nil, nil, "draft")
			if v3.VersionNo != 2 {
				t.Errorf("the next revision is version %d, want 2", v3.VersionNo)
			}
		})
	})
}

func TestChecklistVisibility(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		kind := h.testKind(t)
		fx := h.fx
		viewer, key, city := h.as("viewer"), h.as("key:read"), h.as("cityReviewer")

		townDraft := h.newChecklist(t, nil, checklistBody(kind, fx.town, nil))
		townItem := h.newItem(t, nil, townDraft.Id.String(), itemBody("街道草稿事项", nil))
		districtDraft := h.newChecklist(t, nil, checklistBody(kind, fx.district, nil))
		districtItem := h.newItem(t, nil, districtDraft.Id.String(), itemBody("区草稿事项", nil))
		districtPublished := h.publishedChecklist(t, kind, fx.district)
		otherDraft := h.newChecklist(t, nil, checklistBody(kind, fx.other, nil))
		otherPublished := h.publishedChecklist(t, kind, fx.other)
		inReview := h.newChecklist(t, nil, checklistBody(kind, fx.district, nil))
		h.newItem(t, nil, inReview.Id.String(), itemBody("审查中事项", nil))
		h.mustClAct(t, inReview.Id.String(), "submit", nil, nil, "in_review")

		t.Run("the city-wide reviewer", func(t *testing.T) {
			// Its unit is a sibling of the district: it reads every unit's
			// drafts all the same.
			for _, c := range []api.Checklist{townDraft, districtDraft, otherDraft, inReview} {
				h.getChecklist(t, c.Id.String(), city)
			}
			_, _ = getOK[api.ChecklistItem](t, h, itemPath(townItem.Id.String()), city)
			got := listAll[api.Checklist](t, h, checklistsPath, city, url.Values{"kind": {kind}}, 3)
			want := sortedIDs(townDraft.Id.String(), districtDraft.Id.String(), districtPublished.Id.String(), otherDraft.Id.String(),
				otherPublished.Id.String(), inReview.Id.String())
			if !slices.Equal(checklistIDs(got), want) {
				t.Errorf("the city-wide reviewer lists %v, want %v", checklistIDs(got), want)
			}
		})

		t.Run("the town's viewer", func(t *testing.T) {
			h.getChecklist(t, townDraft.Id.String(), viewer)
			for name, path := range map[string]string{
				"district draft":         clPath(districtDraft.Id.String()),
				"district draft's items": clPath(districtDraft.Id.String(), "items"),
				"district draft's item":  itemPath(districtItem.Id.String()),
				"district draft's stats": clPath(districtDraft.Id.String(), "statistics"),
				"list in review":         clPath(inReview.Id.String()),
				"other city's draft":     clPath(otherDraft.Id.String()),
			} {
				if resp := h.Get(path, viewer); resp.Status != http.StatusNotFound {
					t.Errorf("%s: %d, want 404", name, resp.Status)
				}
			}
			// Released versions apply city-wide: every user reads them.
			h.getChecklist(t, districtPublished.Id.String(), viewer)
			h.getChecklist(t, otherPublished.Id.String(), viewer)
			if items := h.items(t, districtPublished.Id.String(), viewer, nil, 50); len(items) != 1 {
				t.Errorf("the viewer reads %d items of the district's published list, want 1", len(items))
			}
			got := listAll[api.Checklist](t, h, checklistsPath, viewer, url.Values{"kind": {kind}}, 2)
			want := sortedIDs(townDraft.Id.String(), districtPublished.Id.String(), otherPublished.Id.String())
			if !slices.Equal(checklistIDs(got), want) {
				t.Errorf("the viewer lists %v, want its unit's draft and the released ones %v", checklistIDs(got), want)
			}
			got = listAll[api.Checklist](t, h, checklistsPath, viewer, url.Values{"kind": {kind}, "status": {"draft"}}, 50)
			if !slices.Equal(checklistIDs(got), []string{townDraft.Id.String()}) {
				t.Errorf("the viewer lists drafts %v, want its unit's alone", checklistIDs(got))
			}
		})

		t.Run("the district's reviewer", func(t *testing.T) {
			got := listAll[api.Checklist](t, h, checklistsPath, h.as("reviewer"), url.Values{"kind": {kind}}, 50)
			want := sortedIDs(townDraft.Id.String(), districtDraft.Id.String(), districtPublished.Id.String(),
				otherPublished.Id.String(), inReview.Id.String())
			if !slices.Equal(checklistIDs(got), want) {
				t.Errorf("the reviewer lists %v, want %v", checklistIDs(got), want)
			}
		})

		t.Run("API key", func(t *testing.T) {
			h.getChecklist(t, districtPublished.Id.String(), key)
			for _, c := range []api.Checklist{townDraft, districtDraft, otherDraft, inReview} {
				expect(t, h.Get(clPath(c.Id.String()), key), http.StatusNotFound, "not_found")
			}
			expect(t, h.Get(itemPath(townItem.Id.String()), key), http.StatusNotFound, "not_found")
			got := listAll[api.Checklist](t, h, checklistsPath, key, url.Values{"kind": {kind}}, 50)
			want := sortedIDs(districtPublished.Id.String(), otherPublished.Id.String())
			if !slices.Equal(checklistIDs(got), want) {
				t.Errorf("the key lists %v, want the published ones %v", checklistIDs(got), want)
			}
			got = listAll[api.Checklist](t, h, checklistsPath, key, url.Values{"kind": {kind}, "status": {"draft"}}, 50)
			if len(got) != 0 {
				t.Errorf("the key lists drafts %v", checklistIDs(got))
			}
		})

		t.Run("filters and sort", func(t *testing.T) {
			got := listAll[api.Checklist](t, h, checklistsPath, nil, url.Values{"kind": {kind}, "issuingUnitId": {fx.district}, "status": {"published"}}, 50)
			if !slices.Equal(checklistIDs(got), []string{districtPublished.Id.String()}) {
				t.Errorf("published lists of the district: %v", checklistIDs(got))
			}
			got = listAll[api.Checklist](t, h, checklistsPath, nil, url.Values{"kind": {kind}, "year": {"2021"}}, 50)
			if len(got) != 0 {
				t.Errorf("lists of 2021: %v", checklistIDs(got))
			}
			// Newest first by default.
			got = listAll[api.Checklist](t, h, checklistsPath, nil, url.Values{"kind": {kind}}, 2)
			if !slices.IsSortedFunc(got, func(a, b api.Checklist) int { return b.CreatedAt.Compare(a.CreatedAt) }) {
				t.Errorf("lists not newest first")
			}
			got = listAll[api.Checklist](t, h, checklistsPath, nil, url.Values{"kind": {kind}, "sort": {"title"}}, 2)
			if !slices.IsSortedFunc(got, func(a, b api.Checklist) int { return strings.Compare(a.Title, b.Title) }) {
				t.Errorf("lists not by title")
			}
		})
	})
}

func TestChecklistItems(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		kind := h.testKind(t)
		fx := h.fx
		rep := h.as("reporter")
		c := h.newChecklist(t, rep, checklistBody(kind, fx.town, nil))
		id := c.Id.String()

		t.Run("create and get", func(t *testing.T) {
			it := h.newItem(t, rep, id, map[string]any{"name": "未按规定公示执法信息", "implementingUnitId": fx.town,
				"legalBasis": "《中华人民共和国行政处罚法》第三十三条", "category": "综合执法", "remark": "首违",
				"attributes": map[string]string{"level": "县", "amount": "-3.5", "startDate": "2021-06-01", "note": "夜间施工"}})
			if it.Sequence != 1 || it.ImplementingUnitId == nil || it.ImplementingUnitId.String() != fx.town || it.Remark == nil ||
				it.Attributes["amount"] != "-3.5" || it.Version != 1 {
				t.Errorf("created %+v", it)
			}
			got, resp := getOK[api.ChecklistItem](t, h, itemPath(it.Id.String()), h.as("viewer"))
			etagIs(t, resp, 1)
			if got.ItemKey != it.ItemKey || got.Attributes["startDate"] != "2021-06-01" {
				t.Errorf("read back %+v", got)
			}
			expect(t, h.Get(itemPath(absentID), nil), http.StatusNotFound, "not_found")
			expect(t, h.Post(clPath(absentID, "items"), itemBody("无", nil), nil), http.StatusNotFound, "not_found")
			// A legal reference may be long (the contract: up to 4,000 characters).
			long := h.Post(clPath(id, "items"), itemBody("长依据", map[string]any{"attributes": map[string]string{
				"level": "市", "basis": strings.Repeat("依", 1000)}}), rep)
			expect(t, long, http.StatusCreated, "")
			var longItem api.ChecklistItem
			long.JSON(t, &longItem)
			expect(t, h.Delete(itemPath(longItem.Id.String()), matching(1)), http.StatusNoContent, "")
		})

		t.Run("invalid", func(t *testing.T) {
			// Every bad attribute is pointed at, as the kind's column says.
			resp := h.Post(clPath(id, "items"), map[string]any{"name": "坏事项", "attributes": map[string]string{
				"level": "省", "amount": "十二", "startDate": "2021-02-30", "colour": "红"}}, rep)
			expect(t, resp, http.StatusUnprocessableEntity, "checklist_item_invalid")
			want := []string{"/attributes/amount", "/attributes/colour", "/attributes/level", "/attributes/startDate"}
			p := resp.Problem(t)
			if got := pointers(p); !slices.Equal(got, want) {
				t.Errorf("pointers %v, want %v", got, want)
			}
			for _, e := range p.Errors {
				if e.Pointer == "/attributes/level" && !strings.Contains(e.Message, "市") {
					t.Errorf("the enum's message %q does not say what it takes", e.Message)
				}
			}
			for _, tt := range []struct {
				attrs   map[string]string
				pointer string
			}{
				{map[string]string{"level": "省"}, "/attributes/level"},
				{map[string]string{"level": "市", "amount": "1e3"}, "/attributes/amount"},
				{map[string]string{"level": "市", "startDate": "2021/06/01"}, "/attributes/startDate"},
				{map[string]string{"amount": "12"}, "/attributes/level"}, // required
			} {
				resp := h.Post(clPath(id, "items"), map[string]any{"name": "坏事项", "attributes": tt.attrs}, rep)
				expect(t, resp, http.StatusUnprocessableEntity, "checklist_item_invalid")
				if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{tt.pointer}) {
					t.Errorf("%v: pointers %v, want %s", tt.attrs, got, tt.pointer)
				}
			}
			resp = h.Post(clPath(id, "items"), itemBody("坏单位", map[string]any{"implementingUnitId": absentID}), rep)
			expect(t, resp, http.StatusUnprocessableEntity, "checklist_item_invalid")
			if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{"/implementingUnitId"}) {
				t.Errorf("pointers %v", got)
			}
			expect(t, h.Post(clPath(id, "items"), itemBody("无权", nil), h.as("viewer")), http.StatusForbidden, "forbidden")
		})

		t.Run("filters, search and paging", func(t *testing.T) {
			l := h.newChecklist(t, nil, checklistBody(kind, fx.district, nil))
			lid := l.Id.String()
			// Texts in both scripts: a search in either finds both.
			h.newItem(t, nil, lid, itemBody("道路運輸經營許可", map[string]any{"implementingUnitId": fx.town, "category": "交通运输",
				"attributes": map[string]string{"level": "市"}}))
			h.newItem(t, nil, lid, itemBody("食品经营许可", map[string]any{"implementingUnitId": fx.district, "category": "市场监管",
				"attributes": map[string]string{"level": "县"}}))
			h.newItem(t, nil, lid, itemBody("建筑施工噪声", map[string]any{"category": "生态环境",
				"attributes": map[string]string{"level": "县", "note": "夜間施工"}}))
			h.newItem(t, nil, lid, itemBody("占道经营", map[string]any{"implementingUnitId": fx.town, "category": "交通运输",
				"legalBasis": "《城市道路管理条例》第二十七条", "attributes": map[string]string{"level": "乡"}}))
			h.newItem(t, nil, lid, itemBody("户外广告", map[string]any{"implementingUnitId": fx.town,
				"attributes": map[string]string{"level": "市", "basis": "《城市市容和环境卫生管理条例》第十一条"}}))

			all := h.items(t, lid, nil, nil, 2)
			if got := itemNames(all); !slices.Equal(got, []string{"道路運輸經營許可", "食品经营许可", "建筑施工噪声", "占道经营", "户外广告"}) {
				t.Errorf("items in order: %v", got)
			}
			for i, it := range all {
				if int(it.Sequence) != i+1 {
					t.Errorf("item %s at sequence %d, want %d", it.Name, it.Sequence, i+1)
				}
			}
			for _, tt := range []struct {
				name  string
				query url.Values
				want  []string
			}{
				{"implementing unit", url.Values{"implementingUnitId": {fx.town}}, []string{"道路運輸經營許可", "占道经营", "户外广告"}},
				{"category", url.Values{"category": {"交通运输"}}, []string{"道路運輸經營許可", "占道经营"}},
				{"attribute", url.Values{"attribute": {"level:县"}}, []string{"食品经营许可", "建筑施工噪声"}},
				{"two attributes", url.Values{"attribute": {"level:县", "note:夜間施工"}}, []string{"建筑施工噪声"}},
				{"filters together", url.Values{"implementingUnitId": {fx.town}, "attribute": {"level:市"}}, []string{"道路運輸經營許可", "户外广告"}},
				{"simplified finds traditional", url.Values{"q": {"道路运输"}}, []string{"道路運輸經營許可"}},
				{"traditional finds simplified", url.Values{"q": {"食品經營"}}, []string{"食品经营许可"}},
				{"both scripts", url.Values{"q": {"经营"}}, []string{"道路運輸經營許可", "食品经营许可", "占道经营"}},
				{"searchable column", url.Values{"q": {"夜间施工"}}, []string{"建筑施工噪声"}},
				{"legal basis", url.Values{"q": {"城市道路"}}, []string{"占道经营"}},
				{"legalRef column", url.Values{"q": {"市容和环境卫生"}}, []string{"户外广告"}},
				{"category searched", url.Values{"q": {"市场监管"}}, []string{"食品经营许可"}},
				{"nothing", url.Values{"q": {"不存在的事项"}}, nil},
			} {
				t.Run(tt.name, func(t *testing.T) {
					for _, limit := range []int{1, 50} {
						if got := itemNames(h.items(t, lid, nil, tt.query, limit)); !slices.Equal(got, tt.want) {
							t.Errorf("limit %d: %v, want %v", limit, got, tt.want)
						}
					}
				})
			}
			resp := h.Get(clPath(lid, "items")+"?attribute=colour:red", nil)
			expect(t, resp, http.StatusUnprocessableEntity, "checklist_attribute_unknown")
			if p := resp.Problem(t); len(p.Errors) != 1 || p.Errors[0].Parameter != "query.attribute" {
				t.Errorf("errors %+v, want query.attribute", p.Errors)
			}
			// A cursor is for the filters it was made with.
			var page struct {
				NextCursor *string `json:"nextCursor"`
			}
			h.Get(clPath(lid, "items")+"?"+url.Values{"limit": {"1"}, "category": {"交通运输"}}.Encode(), nil).JSON(t, &page)
			if page.NextCursor == nil {
				t.Fatal("no cursor after the first of two items")
			}
			expect(t, h.Get(clPath(lid, "items")+"?limit=1&cursor="+*page.NextCursor, nil), http.StatusBadRequest, "invalid_cursor")
			// A cursor of this list made by hand, its position not a sequence.
			h.Get(clPath(lid, "items")+"?limit=1", nil).JSON(t, &page)
			var forged paging.Cursor
			raw, _ := base64.RawURLEncoding.DecodeString(*page.NextCursor)
			if err := json.Unmarshal(raw, &forged); err != nil {
				t.Fatal(err)
			}
			forged.Key = "第一"
			expect(t, h.Get(clPath(lid, "items")+"?limit=1&cursor="+forged.Encode(), nil), http.StatusBadRequest, "invalid_cursor")
		})

		t.Run("update", func(t *testing.T) {
			l := h.newChecklist(t, rep, checklistBody(kind, fx.town, nil))
			lid := l.Id.String()
			a := h.newItem(t, rep, lid, itemBody("甲", map[string]any{"category": "交通运输", "legalBasis": "依据",
				"attributes": map[string]string{"level": "市", "note": "说明甲", "amount": "12"}}))
			b := h.newItem(t, rep, lid, itemBody("乙", nil))
			cc := h.newItem(t, rep, lid, itemBody("丙", nil))
			path := itemPath(a.Id.String())
			patch := map[string]any{"name": "甲（修改）", "category": nil, "attributes": map[string]any{"note": nil, "amount": "15.5"}}
			expect(t, h.Patch(path, patch, rep), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Patch(path, patch, with(rep, matching(3))), http.StatusPreconditionFailed, "version_mismatch")
			resp := h.Patch(path, patch, with(rep, matching(1)))
			expect(t, resp, http.StatusOK, "")
			etagIs(t, resp, 2)
			var got api.ChecklistItem
			resp.JSON(t, &got)
			wantAttrs := map[string]string{"level": "市", "amount": "15.5"}
			if got.Name != "甲（修改）" || got.Category != nil || got.LegalBasis == nil || got.ItemKey != a.ItemKey ||
				len(got.Attributes) != len(wantAttrs) || got.Attributes["level"] != "市" || got.Attributes["amount"] != "15.5" {
				t.Errorf("after the change %+v", got)
			}
			// The merged attributes are checked as a whole.
			resp = h.Patch(path, map[string]any{"attributes": map[string]any{"level": nil}}, with(rep, matching(2)))
			expect(t, resp, http.StatusUnprocessableEntity, "checklist_item_invalid")
			if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{"/attributes/level"}) {
				t.Errorf("pointers %v", got)
			}
			resp = h.Patch(path, map[string]any{"attributes": map[string]any{"startDate": "明年"}}, with(rep, matching(2)))
			expect(t, resp, http.StatusUnprocessableEntity, "checklist_item_invalid")
			// The search follows the change.
			if names := itemNames(h.items(t, lid, nil, url.Values{"q": {"修改"}}, 50)); !slices.Equal(names, []string{"甲（修改）"}) {
				t.Errorf("search after the change: %v", names)
			}
			if names := itemNames(h.items(t, lid, nil, url.Values{"q": {"说明甲"}}, 50)); len(names) != 0 {
				t.Errorf("a removed attribute is still found: %v", names)
			}

			// Moving the last item to the top shifts the others down.
			resp = h.Patch(itemPath(cc.Id.String()), map[string]any{"sequence": 1}, with(rep, matching(1)))
			expect(t, resp, http.StatusOK, "")
			if names := itemNames(h.items(t, lid, nil, nil, 50)); !slices.Equal(names, []string{"丙", "甲（修改）", "乙"}) {
				t.Errorf("after the move: %v", names)
			}
			if moved, _ := getOK[api.ChecklistItem](t, h, itemPath(b.Id.String()), nil); moved.Sequence != 3 || moved.Version == b.Version {
				t.Errorf("a shifted item: sequence %d, version %d (was %d)", moved.Sequence, moved.Version, b.Version)
			}

			// Deleting one moves the ones after it up.
			now, _ := getOK[api.ChecklistItem](t, h, path, nil)
			expect(t, h.Delete(path, rep), http.StatusPreconditionRequired, "if_match_required")
			expect(t, h.Delete(path, with(rep, matching(now.Version+1))), http.StatusPreconditionFailed, "version_mismatch")
			expect(t, h.Delete(path, with(rep, matching(now.Version))), http.StatusNoContent, "")
			expect(t, h.Get(path, nil), http.StatusNotFound, "not_found")
			left := h.items(t, lid, nil, nil, 50)
			if names := itemNames(left); !slices.Equal(names, []string{"丙", "乙"}) || left[1].Sequence != 2 {
				t.Errorf("after the deletion: %v", names)
			}
			expect(t, h.Patch(itemPath(absentID), patch, matching(1)), http.StatusNotFound, "not_found")
		})

		t.Run("not a draft", func(t *testing.T) {
			pub := h.publishedChecklist(t, kind, fx.town)
			it := h.items(t, pub.Id.String(), nil, nil, 50)[0]
			for name, resp := range map[string]*apitest.Response{
				"create": h.Post(clPath(pub.Id.String(), "items"), itemBody("新", nil), rep),
				"update": h.Patch(itemPath(it.Id.String()), map[string]any{"name": "改"}, with(rep, matching(it.Version))),
				"delete": h.Delete(itemPath(it.Id.String()), with(rep, matching(it.Version))),
			} {
				expect(t, resp, http.StatusConflict, "checklist_not_draft")
				if p := resp.Problem(t); !slices.Equal(p.AllowedStates, []string{"draft"}) {
					t.Errorf("%s: allowedStates %v", name, p.AllowedStates)
				}
			}
		})

		t.Run("stale If-Match before the state", func(t *testing.T) {
			// As for the list itself, the version the client read is
			// checked first: a stale one is 412 whatever the state.
			pub := h.publishedChecklist(t, kind, fx.town)
			it := h.items(t, pub.Id.String(), nil, nil, 50)[0]
			expect(t, h.Patch(itemPath(it.Id.String()), map[string]any{"name": "改"}, matching(it.Version+1)), http.StatusPreconditionFailed, "version_mismatch")
			expect(t, h.Delete(itemPath(it.Id.String()), matching(it.Version+1)), http.StatusPreconditionFailed, "version_mismatch")
		})

		t.Run("full", func(t *testing.T) {
			// A list holds at most 100,000 items: the rows are put in
			// directly, all but the one added through the API.
			l := h.newChecklist(t, nil, checklistBody(kind, fx.town, nil))
			first := h.newItem(t, nil, l.Id.String(), itemBody("第一项", nil))
			empty := fillChecklist(t, db, first.Id.String(), models.MaxChecklistItems-1)
			expect(t, h.Post(clPath(l.Id.String(), "items"), itemBody("多出的一项", nil), nil), http.StatusConflict, "checklist_full")
			sheet := []byte("事项名称,执法层级\n多出的一项,市\n")
			expect(t, checklistUpload(t, h, l.Id.String(), nil, "多出.csv", sheet, nil), http.StatusConflict, "checklist_full")
			expect(t, h.Post(clPath(l.Id.String(), "items", "bulk"), map[string]any{"create": []any{itemBody("多出的一项", nil)}}, nil),
				http.StatusConflict, "checklist_full")
			empty()
			h.newItem(t, nil, l.Id.String(), itemBody("第二项", nil))
			expect(t, h.Delete(clPath(l.Id.String()), matching(1)), http.StatusNoContent, "")
		})
	})
}

// fillChecklist copies the item n times into its list, at the sequences after
// it, in one statement, and returns a function that takes the copies out
// again. Both run on a connection of their own with a page cache big enough
// for the list's indexes, without which SQLite takes ten times as long.
func fillChecklist(t *testing.T, db *dbtest.DB, itemID string, n int) (empty func()) {
	t.Helper()
	ctx := t.Context()
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) int64 {
		t.Helper()
		res, err := conn.ExecContext(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := res.RowsAffected()
		return n
	}
	id := "CONCAT(?, LPAD(x.n, 12, '0'))"
	if db.Name != "mysql" {
		id = "? || printf('%012d', x.n)"
		exec("PRAGMA cache_size = -100000")
	}
	digits := "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4" +
		" UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)"
	numbers := fmt.Sprintf("(SELECT a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d AS n FROM %s a, %s b, %s c, %s e, %s f)",
		digits, digits, digits, digits, digits)
	prefix := dbtest.RandomSuffix()[:8] + "-0000-7000-8000-" // and 12 digits: an id's 36 characters
	q := "INSERT INTO checklist_items (id, checklist_id, item_key, sequence, name, implementing_unit_id, legal_basis, remark," +
		" category, attributes, search_text, version, created_at, updated_at)" +
		" SELECT " + id + ", t.checklist_id, " + id + ", t.sequence + 1 + x.n, t.name, NULL, '', '', '', t.attributes, t.search_text," +
		" 1, t.created_at, t.updated_at FROM checklist_items t, " + numbers + " x WHERE t.id = ? AND x.n < ?"
	if got := exec(q, prefix, prefix, itemID, n); got != int64(n) {
		t.Fatalf("%d items put in, want %d", got, n)
	}
	done := false
	empty = func() {
		t.Helper()
		if done {
			return
		}
		done = true
		exec("DELETE FROM checklist_items WHERE id LIKE ?", prefix+"%")
		if db.Name != "mysql" {
			exec("PRAGMA cache_size = -2000") // SQLite's default, as the pool had it
		}
		if err := conn.Close(); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(empty)
	return empty
}

func TestChecklistStatistics(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		kind := h.testKind(t)
		fx := h.fx
		c := h.newChecklist(t, nil, checklistBody(kind, fx.district, nil))
		id := c.Id.String()
		empty, _ := getOK[api.ChecklistStatistics](t, h, clPath(id, "statistics"), nil)
		if empty.Items != 0 || empty.Units != 0 || len(empty.ByUnit) != 0 || len(empty.ByCategory) != 0 {
			t.Errorf("statistics of an empty list: %+v", empty)
		}
		add := func(n int, unit *string, category string) {
			for range n {
				body := itemBody("事项", nil)
				if unit != nil {
					body["implementingUnitId"] = *unit
				}
				if category != "" {
					body["category"] = category
				}
				h.newItem(t, nil, id, body)
			}
		}
		add(2, &fx.town, "交通运输")
		add(1, &fx.town, "市场监管")
		add(1, &fx.district, "市场监管")
		add(1, &fx.district, "")
		add(1, nil, "")
		add(1, nil, "交通运输")
		// By unit: the town 3, the district 2, none 2; by category:
		// 交通运输 3, 市场监管 2, none 2.
		st, _ := getOK[api.ChecklistStatistics](t, h, clPath(id, "statistics"), h.as("reviewer"))
		if st.ChecklistId.String() != id || st.Items != 7 || st.Units != 2 {
			t.Errorf("statistics: %d items from %d units, want 7 from 2", st.Items, st.Units)
		}
		units := map[string]int32{}
		for _, u := range st.ByUnit {
			k := ""
			if u.UnitId != nil {
				k = u.UnitId.String()
			}
			units[k] = u.Items
		}
		if len(st.ByUnit) != 3 || units[fx.town] != 3 || units[fx.district] != 2 || units[""] != 2 {
			t.Errorf("by unit %+v", st.ByUnit)
		}
		if st.ByUnit[0].UnitId == nil || st.ByUnit[0].UnitId.String() != fx.town {
			t.Errorf("by unit does not start with the biggest: %+v", st.ByUnit)
		}
		cats := map[string]int32{}
		for _, c := range st.ByCategory {
			k := ""
			if c.Category != nil {
				k = *c.Category
			}
			cats[k] = c.Items
		}
		if len(st.ByCategory) != 3 || cats["交通运输"] != 3 || cats["市场监管"] != 2 || cats[""] != 2 {
			t.Errorf("by category %+v", st.ByCategory)
		}
		if st.ByCategory[0].Category == nil || *st.ByCategory[0].Category != "交通运输" {
			t.Errorf("by category does not start with the biggest: %+v", st.ByCategory)
		}
		expect(t, h.Get(clPath(absentID, "statistics"), nil), http.StatusNotFound, "not_found")
		expect(t, h.Get(clPath(id, "statistics"), h.as("key:read")), http.StatusNotFound, "not_found")
	})
}

func TestChecklistDiff(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		kind := h.testKind(t)
		fx := h.fx
		v1 := h.publishedChecklist(t, kind, fx.town,
			itemBody("甲", map[string]any{"attributes": map[string]string{"level": "市", "note": "旧说明"}}),
			itemBody("乙", nil), itemBody("丙", nil), itemBody("丁", nil))
		v2 := h.mustClAct(t, v1.Id.String(), "revise", nil, nil, "draft")
		id2 := v2.Id.String()
		byName := map[string]api.ChecklistItem{}
		for _, it := range h.items(t, id2, nil, nil, 50) {
			byName[it.Name] = it
		}
		// 甲 changes its name and an attribute, 乙 goes, 戊 comes, 丁 moves to the top.
		resp := h.Patch(itemPath(byName["甲"].Id.String()), map[string]any{"name": "甲（修订）",
			"attributes": map[string]any{"note": "新说明", "level": "县"}}, matching(1))
		expect(t, resp, http.StatusOK, "")
		b := byName["乙"]
		expect(t, h.Delete(itemPath(b.Id.String()), matching(b.Version)), http.StatusNoContent, "")
		added := h.newItem(t, nil, id2, itemBody("戊", nil))
		d, _ := getOK[api.ChecklistItem](t, h, itemPath(byName["丁"].Id.String()), nil)
		expect(t, h.Patch(itemPath(d.Id.String()), map[string]any{"sequence": 1}, matching(d.Version)), http.StatusOK, "")

		check := func(t *testing.T, diff api.ChecklistDiff, from, to api.Checklist) {
			t.Helper()
			if diff.From.Id != from.Id || diff.From.VersionNo != from.VersionNo || diff.To.Id != to.Id || diff.To.VersionNo != to.VersionNo {
				t.Errorf("from %+v to %+v", diff.From, diff.To)
			}
		}
		t.Run("default: this version against the one before", func(t *testing.T) {
			diff, _ := getOK[api.ChecklistDiff](t, h, clPath(id2, "diff"), nil)
			check(t, diff, v1, v2)
			if len(diff.Added) != 1 || diff.Added[0].ItemKey != added.ItemKey || diff.Added[0].Name != "戊" {
				t.Errorf("added %+v", diff.Added)
			}
			if len(diff.Removed) != 1 || diff.Removed[0].ItemKey != b.ItemKey || diff.Removed[0].Name != "乙" {
				t.Errorf("removed %+v", diff.Removed)
			}
			if len(diff.Changed) != 1 {
				t.Fatalf("changed %+v, want 甲 alone", diff.Changed)
			}
			ch := diff.Changed[0]
			var fields []string
			for _, f := range ch.Fields {
				fields = append(fields, f.Field+"|"+f.Label+"|"+f.Old+"|"+f.New)
			}
			want := []string{"name|名称|甲|甲（修订）", "attributes.level|执法层级|市|县", "attributes.note|说明|旧说明|新说明"}
			if ch.ItemKey != byName["甲"].ItemKey || ch.Name != "甲（修订）" || !slices.Equal(fields, want) {
				t.Errorf("changed %s %s: %v, want %v", ch.ItemKey, ch.Name, fields, want)
			}
			if len(diff.Moved) != 1 || diff.Moved[0].ItemKey != d.ItemKey || diff.Moved[0].Name != "丁" ||
				diff.Moved[0].FromSequence != 4 || diff.Moved[0].ToSequence != 1 {
				t.Errorf("moved %+v, want 丁 from 4 to 1", diff.Moved)
			}
		})

		t.Run("explicit and reversed", func(t *testing.T) {
			same, _ := getOK[api.ChecklistDiff](t, h, clPath(v1.Id.String(), "diff")+"?from=1&to=2", nil)
			check(t, same, v1, v2)
			if len(same.Added) != 1 || len(same.Removed) != 1 || len(same.Changed) != 1 || len(same.Moved) != 1 {
				t.Errorf("from 1 to 2 asked of version 1: %+v", same)
			}
			back, _ := getOK[api.ChecklistDiff](t, h, clPath(id2, "diff")+"?from=2&to=1", nil)
			check(t, back, v2, v1)
			if len(back.Added) != 1 || back.Added[0].Name != "乙" || len(back.Removed) != 1 || back.Removed[0].Name != "戊" ||
				len(back.Changed) != 1 || back.Changed[0].Fields[0].New != "甲" {
				t.Errorf("from 2 to 1: %+v", back)
			}
			none, _ := getOK[api.ChecklistDiff](t, h, clPath(id2, "diff")+"?from=1&to=1", nil)
			if len(none.Added)+len(none.Removed)+len(none.Changed)+len(none.Moved) != 0 {
				t.Errorf("a version against itself: %+v", none)
			}
		})

		t.Run("versions the list does not have", func(t *testing.T) {
			resp := h.Get(clPath(id2, "diff")+"?from=7", nil)
			expect(t, resp, http.StatusUnprocessableEntity, "checklist_version_not_found")
			if p := resp.Problem(t); len(p.Errors) != 1 || p.Errors[0].Parameter != "query.from" {
				t.Errorf("errors %+v, want query.from", p.Errors)
			}
			resp = h.Get(clPath(id2, "diff")+"?to=3", nil)
			expect(t, resp, http.StatusUnprocessableEntity, "checklist_version_not_found")
			// Version 1 has none before it.
			expect(t, h.Get(clPath(v1.Id.String(), "diff"), nil), http.StatusUnprocessableEntity, "checklist_version_not_found")
			// A version the caller may not see is one the list does not
			// have for it: the draft revision, to a key.
			expect(t, h.Get(clPath(v1.Id.String(), "diff")+"?from=1&to=2", h.as("key:read")), http.StatusUnprocessableEntity, "checklist_version_not_found")
		})
	})
}

// TestChecklistAudit: changes of kinds, lists and items are in the audit log
// under entity types a client can ask for.
func TestChecklistAudit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		kind := h.testKind(t)
		c := h.newChecklist(t, nil, checklistBody(kind, h.fx.town, nil))
		it := h.newItem(t, nil, c.Id.String(), itemBody("审计事项", nil))
		for _, tt := range []struct{ entityType, id string }{
			{"checklist", c.Id.String()},
			{"checklist_item", it.Id.String()},
			{"checklist_kind", kind},
		} {
			events := h.auditEvents(t, "admin", url.Values{"entityType": {tt.entityType}, "entityId": {tt.id}})
			if len(events) != 1 || events[0].EntityType != tt.entityType {
				t.Errorf("%s %s: %d events (%v), want its creation", tt.entityType, tt.id, len(events), auditOps(events))
			}
		}
	})
}

// TestChecklistBulkItems: many items added, changed and removed in one
// request, all or nothing, with the errors pointing into the request.
func TestChecklistBulkItems(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		kind := h.testKind(t)
		c := h.newChecklist(t, nil, checklistBody(kind, h.fx.district, nil))
		id := c.Id.String()
		a := h.newItem(t, nil, id, itemBody("甲", nil))
		b := h.newItem(t, nil, id, itemBody("乙", nil))
		bulk := clPath(id, "items", "bulk")

		// Refused as a whole: a bad level in the second new item, an item of
		// no such id, and an item named twice; nothing changes.
		resp := h.Post(bulk, map[string]any{
			"create": []any{itemBody("丙", nil), itemBody("丁", map[string]any{"attributes": map[string]string{"level": "省"}})},
			"update": []any{map[string]any{"id": a.Id, "version": a.Version, "name": "甲改"}, map[string]any{"id": absentID, "version": 1}},
			"delete": []any{map[string]any{"id": a.Id, "version": a.Version}},
		}, nil)
		expect(t, resp, http.StatusUnprocessableEntity, "checklist_item_invalid")
		if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{"/delete/0/id", "/update/1/id"}) {
			t.Errorf("pointers %v", got)
		}
		resp = h.Post(bulk, map[string]any{
			"create": []any{itemBody("丙", nil), itemBody("丁", map[string]any{"attributes": map[string]string{"level": "省"}})},
			"update": []any{map[string]any{"id": a.Id, "version": a.Version, "name": "甲改"}},
		}, nil)
		expect(t, resp, http.StatusUnprocessableEntity, "checklist_item_invalid")
		if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{"/create/1/attributes/level"}) {
			t.Errorf("pointers %v", got)
		}
		// A stale version is a conflict.
		expect(t, h.Post(bulk, map[string]any{"update": []any{map[string]any{"id": a.Id, "version": a.Version + 1, "name": "甲改"}}}, nil),
			http.StatusConflict, "checklist_item_changed")
		if got := itemNames(h.items(t, id, nil, nil, 50)); !slices.Equal(got, []string{"甲", "乙"}) {
			t.Fatalf("a refused bulk change changed the items: %v", got)
		}

		// Accepted: one added, one changed, one removed, numbered 1…n.
		resp = h.Post(bulk, map[string]any{
			"create": []any{itemBody("丙", nil)},
			"update": []any{map[string]any{"id": a.Id, "version": a.Version, "name": "甲改", "attributes": map[string]any{"note": "改了"}}},
			"delete": []any{map[string]any{"id": b.Id, "version": b.Version}},
		}, nil)
		expect(t, resp, http.StatusOK, "")
		var r api.ChecklistItemBulkResult
		resp.JSON(t, &r)
		if len(r.Created) != 1 || r.Created[0].Name != "丙" || len(r.Updated) != 1 || r.Updated[0].Name != "甲改" ||
			r.Updated[0].Attributes["note"] != "改了" || r.Updated[0].Version != 2 || len(r.Deleted) != 1 || r.Deleted[0] != b.Id {
			t.Fatalf("bulk result %+v", r)
		}
		items := h.items(t, id, nil, nil, 50)
		if got := itemNames(items); !slices.Equal(got, []string{"甲改", "丙"}) || items[1].Sequence != 2 {
			t.Fatalf("items after the bulk change: %v", got)
		}

		// Only drafts change, and a reporter changes its own unit's lists only.
		pub := h.publishedChecklist(t, kind, h.fx.town)
		expect(t, h.Post(clPath(pub.Id.String(), "items", "bulk"), map[string]any{"create": []any{itemBody("戊", nil)}}, nil),
			http.StatusConflict, "checklist_not_draft")
		town := h.newChecklist(t, nil, checklistBody(kind, h.fx.town, nil))
		other, _ := h.userIn(t, h.fx.district, models.RoleReporter)
		expect(t, h.Post(clPath(town.Id.String(), "items", "bulk"), map[string]any{"create": []any{itemBody("己", nil)}}, other),
			http.StatusForbidden, "own_unit_only")

		// An item of another list is no item of this one.
		elsewhere := h.newItem(t, nil, town.Id.String(), itemBody("庚", nil))
		resp = h.Post(bulk, map[string]any{"update": []any{map[string]any{"id": elsewhere.Id, "version": elsewhere.Version, "name": "庚改"}}}, nil)
		expect(t, resp, http.StatusUnprocessableEntity, "checklist_item_invalid")
		if got := pointers(resp.Problem(t)); !slices.Equal(got, []string{"/update/0/id"}) {
			t.Errorf("pointers %v", got)
		}
	})
}
