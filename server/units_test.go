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
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

const unitsPath = "/api/v1/units"

// tag is a unique prefix for the codes one test creates, since the tests of a
// package share their databases.
func tag() string { return "t" + dbtest.RandomSuffix() }

// townCode is a new town's code: a fresh area's code and three digits.
func townCode() string { return areaCode() + "001" }

// villageCode is a new village's or community's code: a fresh area's code and
// six digits.
func villageCode() string { return areaCode() + "001001" }

// deptCode is a new department's or office's code: a fresh area's code, a dash
// and a suffix.
func deptCode() string { return areaCode() + "-001" }

func (h *harness) createUnit(t *testing.T, body map[string]any) api.Unit {
	t.Helper()
	resp := h.Post(unitsPath, body, nil)
	if resp.Status != http.StatusCreated {
		t.Fatalf("create unit %v: status %d, body %s", body, resp.Status, resp.Body)
	}
	var u api.Unit
	resp.JSON(t, &u)
	return u
}

func (h *harness) getUnit(t *testing.T, id string) api.Unit {
	t.Helper()
	u, _ := getOK[api.Unit](t, h, unitsPath+"/"+id, nil)
	return u
}

func etagOf(u api.Unit) string { return fmt.Sprintf(`"%d"`, u.Version) }

// expect checks a problem response's status and code.
func expect(t *testing.T, resp *apitest.Response, status int, code string) {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d; body %s", resp.Status, status, resp.Body)
	}
	if code != "" {
		if p := resp.Problem(t); p.Code != code {
			t.Fatalf("problem code %q, want %q; body %s", p.Code, code, resp.Body)
		}
	}
}

func TestCreateAndGetUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := areaCode()
		root := h.createUnit(t, map[string]any{"code": p, "name": "盘锦市", "kind": "city"})
		resp := h.Post(unitsPath, map[string]any{
			"code": p + "-001", "name": "盘锦市司法局", "shortName": "市司法局", "kind": "department", "parentId": root.Id.String(),
		}, nil)
		expect(t, resp, http.StatusCreated, "")
		var child api.Unit
		resp.JSON(t, &child)
		if got, want := resp.Header.Get("Location"), unitsPath+"/"+child.Id.String(); got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		if got := resp.Header.Get("ETag"); got != `"1"` {
			t.Errorf("ETag = %q, want \"1\"", got)
		}
		if child.Level != 2 || child.Path != root.Path+child.Id.String()+"/" || child.ParentId == nil || *child.ParentId != root.Id {
			t.Errorf("child placed at level %d path %q parent %v; root path %q", child.Level, child.Path, child.ParentId, root.Path)
		}
		if child.ShortName == nil || *child.ShortName != "市司法局" || child.Name != "盘锦市司法局" {
			t.Errorf("child names = %q, %v", child.Name, child.ShortName)
		}

		got := h.getUnit(t, child.Id.String())
		if got.Code != child.Code || !got.CreatedAt.Equal(child.CreatedAt) || got.Version != 1 {
			t.Errorf("get = %+v, want %+v", got, child)
		}
		notModified := h.Get(unitsPath+"/"+child.Id.String(), map[string]string{"If-None-Match": `"1"`})
		expect(t, notModified, http.StatusNotModified, "")
		if len(notModified.Body) != 0 {
			t.Errorf("304 with a body: %s", notModified.Body)
		}
		changed := h.Get(unitsPath+"/"+child.Id.String(), map[string]string{"If-None-Match": `"7"`})
		expect(t, changed, http.StatusOK, "")
	})
}

func TestCreateUnitErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		// The failures' codes all contain p, so that the list by q=p below finds
		// any of them that was written: economic zones, whose code may be a
		// city's and a suffix, and a department.
		p := areaCode()
		h.createUnit(t, map[string]any{"code": p, "name": "盘锦市", "kind": "city"})
		tests := []struct {
			name        string
			body        any
			contentType string
			status      int
			code        string
			pointer     string // one pointer the problem must list
		}{
			{"missing name", map[string]any{"code": p + "-a", "kind": "economic_zone"}, "", 400, "invalid_request", "/name"},
			{"unknown kind", map[string]any{"code": p + "-b", "name": "x", "kind": "planet"}, "", 400, "invalid_request", "/kind"},
			{"wrong type", map[string]any{"code": 42, "name": "x", "kind": "city"}, "", 400, "invalid_request", "/code"},
			{"name too long", map[string]any{"code": p + "-c", "name": strings.Repeat("长", 101), "kind": "economic_zone"}, "", 400, "invalid_request", "/name"},
			{"unknown field", map[string]any{"code": p + "-d", "name": "x", "kind": "economic_zone", "colour": "red"}, "", 400, "invalid_request", ""},
			{"bad parent id", map[string]any{"code": p + "-e", "name": "x", "kind": "economic_zone", "parentId": "not-a-uuid"}, "", 400, "invalid_request", "/parentId"},
			{"leading space", map[string]any{"code": p + "-f", "name": " x", "kind": "economic_zone"}, "", 400, "invalid_request", "/name"},
			{"malformed JSON", `{"code": "x",`, "", 400, "invalid_request", ""},
			{"invalid UTF-8", []byte("{\"code\":\"" + p + "-g\",\"name\":\"\xff\xfe\",\"kind\":\"economic_zone\"}"), "", 400, "invalid_request", ""},
			{"empty body", "", "", 400, "invalid_request", ""},
			{"duplicate code", map[string]any{"code": p, "name": "again", "kind": "city"}, "", 409, "unit_code_taken", ""},
			{"too large", map[string]any{"code": p + "-h", "name": strings.Repeat("x", 20000), "kind": "economic_zone"}, "", 413, "payload_too_large", ""},
			{"text/plain", `{"code":"x","name":"x","kind":"city"}`, "text/plain", 415, "unsupported_media_type", ""},
			{"missing parent", map[string]any{"code": p + "-i", "name": "x", "kind": "department", "parentId": "0190a000-0000-7000-8000-00000000ffff"}, "", 422, "unit_parent_not_found", "/parentId"},
			{"code not of its kind", map[string]any{"code": p + "9", "name": "x", "kind": "district"}, "", 422, "unit_invalid", "/code"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := h.Do(apitest.Request{Method: http.MethodPost, Path: unitsPath, Body: tt.body, ContentType: tt.contentType})
				expect(t, resp, tt.status, tt.code)
				prob := resp.Problem(t)
				if prob.RequestID == "" || prob.RequestID != resp.Header.Get("X-Request-Id") {
					t.Errorf("problem requestId %q, header %q", prob.RequestID, resp.Header.Get("X-Request-Id"))
				}
				if tt.pointer != "" && !hasPointer(prob, tt.pointer) {
					t.Errorf("problem errors %+v do not point at %s", prob.Errors, tt.pointer)
				}
			})
		}
		// Nothing above was written.
		list := h.Get(unitsPath+"?q="+p, nil)
		var page api.UnitPage
		list.JSON(t, &page)
		if len(page.Items) != 1 {
			t.Errorf("%d units with code prefix %s after the failures, want 1", len(page.Items), p)
		}
	})
}

func hasPointer(p apitest.Problem, pointer string) bool {
	for _, e := range p.Errors {
		if e.Pointer == pointer || e.Parameter == pointer {
			return true
		}
	}
	return false
}

func TestCreateUnitListsEveryViolation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		resp := h.Post(unitsPath, map[string]any{"code": "", "name": strings.Repeat("x", 101), "kind": "planet"}, nil)
		expect(t, resp, 400, "invalid_request")
		prob := resp.Problem(t)
		for _, ptr := range []string{"/code", "/name", "/kind"} {
			if !hasPointer(prob, ptr) {
				t.Errorf("errors %+v lack %s", prob.Errors, ptr)
			}
		}
	})
}

func TestCreateUnitIdempotency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p, code := tag(), deptCode()
		body := map[string]any{"code": code, "name": "盘锦市人民防空办公室", "kind": "department"}
		key := map[string]string{"Idempotency-Key": "key-" + p}
		first := h.Post(unitsPath, body, key)
		expect(t, first, http.StatusCreated, "")
		again := h.Post(unitsPath, body, key)
		expect(t, again, http.StatusCreated, "")
		if string(again.Body) != string(first.Body) || again.Header.Get("Location") != first.Header.Get("Location") {
			t.Errorf("replay differs:\n%s\n%s", first.Body, again.Body)
		}
		if again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay lacks Idempotent-Replayed")
		}
		var page api.UnitPage
		h.Get(unitsPath+"?q="+code, nil).JSON(t, &page)
		if len(page.Items) != 1 {
			t.Errorf("%d units created by one key, want 1", len(page.Items))
		}

		other := h.Post(unitsPath, map[string]any{"code": code + "x", "name": "别的", "kind": "department"}, key)
		expect(t, other, http.StatusUnprocessableEntity, "idempotency_key_reused")

		// A key whose first request is still running: claim it as that request would.
		running := map[string]any{"code": code + "r", "name": "进行中", "kind": "department"}
		runKey := "running-" + p
		if _, err := db.ClaimIdempotencyKey(t.Context(), "user:"+h.fx.users["admin"].ID, runKey, server.RequestHash(http.MethodPost, unitsPath, mustJSON(t, running)), server.IdempotencyTTL); err != nil {
			t.Fatal(err)
		}
		busy := h.Post(unitsPath, running, map[string]string{"Idempotency-Key": runKey})
		expect(t, busy, http.StatusConflict, "idempotency_request_running")

		// A failed request's outcome is kept too: the same key and body answer the same 409.
		dup := map[string]any{"code": code, "name": "重复", "kind": "department"}
		dupKey := map[string]string{"Idempotency-Key": "dup-" + p}
		expect(t, h.Post(unitsPath, dup, dupKey), http.StatusConflict, "unit_code_taken")
		expect(t, h.Post(unitsPath, dup, dupKey), http.StatusConflict, "unit_code_taken")
	})
}

func TestGetUnitErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		expect(t, h.Get(unitsPath+"/not-an-id", nil), 400, "invalid_request")
		expect(t, h.Get(unitsPath+"/0190a000-0000-7000-8000-00000000ffff", nil), 404, "not_found")
		expect(t, h.Get(unitsPath+"/0190a000-0000-7000-8000-00000000ffff?x=1", nil), 400, "invalid_request")
	})
}

func TestUpdateUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := areaCode()
		root := h.createUnit(t, map[string]any{"code": p, "name": "盘锦市", "kind": "city"})
		u := h.createUnit(t, map[string]any{"code": p + "-1", "name": "司法局", "shortName": "司法", "kind": "department", "parentId": root.Id.String()})
		path := unitsPath + "/" + u.Id.String()

		resp := h.Patch(path, map[string]any{"name": "盘锦市司法局", "shortName": nil}, map[string]string{"If-Match": etagOf(u)})
		expect(t, resp, http.StatusOK, "")
		var got api.Unit
		resp.JSON(t, &got)
		if got.Name != "盘锦市司法局" || got.ShortName != nil || got.Version != 2 || got.Code != u.Code || got.Kind != u.Kind {
			t.Errorf("after patch: %+v", got)
		}
		if resp.Header.Get("ETag") != `"2"` {
			t.Errorf("ETag = %q, want \"2\"", resp.Header.Get("ETag"))
		}
		if !got.UpdatedAt.After(u.UpdatedAt) && !got.UpdatedAt.Equal(u.UpdatedAt) {
			t.Errorf("updatedAt went back: %v before %v", got.UpdatedAt, u.UpdatedAt)
		}

		// Stale and missing If-Match write nothing.
		expect(t, h.Patch(path, map[string]any{"name": "stale"}, map[string]string{"If-Match": `"1"`}), 412, "version_mismatch")
		expect(t, h.Patch(path, map[string]any{"name": "none"}, nil), 428, "if_match_required")
		if now := h.getUnit(t, u.Id.String()); now.Name != "盘锦市司法局" || now.Version != 2 {
			t.Errorf("a refused patch wrote: %+v", now)
		}
	})
}

func TestUpdateUnitErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p, district := areaCode(), areaCode()
		root := h.createUnit(t, map[string]any{"code": p, "name": "盘锦市", "kind": "city"})
		a := h.createUnit(t, map[string]any{"code": district, "name": "甲", "kind": "district", "parentId": root.Id.String()})
		b := h.createUnit(t, map[string]any{"code": district + "001", "name": "乙", "kind": "town", "parentId": a.Id.String()})
		// Offices below offices down to the level above the last: a, whose
		// child b is one level below it, cannot move there.
		deepest := root
		for level := 2; level < models.MaxUnitLevel; level++ {
			deepest = h.createUnit(t, map[string]any{"code": fmt.Sprintf("%s-L%d", p, level), "name": fmt.Sprintf("第%d级", level),
				"kind": "office", "parentId": deepest.Id.String()})
		}
		match := map[string]string{"If-Match": etagOf(a)}
		path := unitsPath + "/" + a.Id.String()
		tests := []struct {
			name        string
			path        string
			body        any
			contentType string
			header      map[string]string
			status      int
			code        string
		}{
			{"empty patch", path, map[string]any{}, "", match, 400, "invalid_request"},
			{"unknown field", path, map[string]any{"colour": "red"}, "", match, 400, "invalid_request"},
			{"null name", path, map[string]any{"name": nil}, "", match, 400, "invalid_request"},
			{"bad If-Match", path, map[string]any{"name": "x"}, "", map[string]string{"If-Match": "W/\"1\""}, 400, "invalid_request"},
			{"bad id", unitsPath + "/nope", map[string]any{"name": "x"}, "", match, 400, "invalid_request"},
			{"unknown unit", unitsPath + "/0190a000-0000-7000-8000-00000000ffff", map[string]any{"name": "x"}, "", match, 404, "not_found"},
			{"duplicate code", path, map[string]any{"code": p}, "", match, 409, "unit_code_taken"},
			{"stale", path, map[string]any{"name": "x"}, "", map[string]string{"If-Match": `"9"`}, 412, "version_mismatch"},
			{"too large", path, map[string]any{"name": strings.Repeat("x", 20000)}, "", match, 413, "payload_too_large"},
			{"plain JSON", path, `{"name":"x"}`, "application/json", match, 415, "unsupported_media_type"},
			{"under itself", path, map[string]any{"parentId": a.Id.String()}, "", match, 422, "unit_move_cycle"},
			{"under descendant", path, map[string]any{"parentId": b.Id.String()}, "", match, 422, "unit_move_cycle"},
			{"missing parent", path, map[string]any{"parentId": "0190a000-0000-7000-8000-00000000ffff"}, "", match, 422, "unit_parent_not_found"},
			{"no If-Match", path, map[string]any{"name": "x"}, "", nil, 428, "if_match_required"},
			{"code not of the new kind", path, map[string]any{"kind": "town"}, "", match, 422, "unit_invalid"},
			{"too deep", path, map[string]any{"parentId": deepest.Id.String()}, "", match, 422, "unit_too_deep"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ct := tt.contentType
				if ct == "" {
					ct = "application/merge-patch+json"
				}
				resp := h.Do(apitest.Request{Method: http.MethodPatch, Path: tt.path, Body: tt.body, ContentType: ct, Header: tt.header})
				expect(t, resp, tt.status, tt.code)
			})
		}
		if now := h.getUnit(t, a.Id.String()); now.Version != a.Version || now.Name != a.Name || now.Path != a.Path {
			t.Errorf("refused patches wrote: %+v", now)
		}
	})
}

func TestMoveUnitMovesSubtree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		fromCode := areaCode()
		root := h.createUnit(t, map[string]any{"code": areaCode(), "name": "盘锦市", "kind": "city"})
		from := h.createUnit(t, map[string]any{"code": fromCode, "name": "双台子区", "kind": "district", "parentId": root.Id.String()})
		to := h.createUnit(t, map[string]any{"code": areaCode(), "name": "兴隆台区", "kind": "district", "parentId": root.Id.String()})
		town := h.createUnit(t, map[string]any{"code": fromCode + "001", "name": "红旗街道", "kind": "town", "parentId": from.Id.String()})
		village := h.createUnit(t, map[string]any{"code": fromCode + "001001", "name": "某社区", "kind": "community", "parentId": town.Id.String()})

		// Move the town (with its community) under the other district.
		resp := h.Patch(unitsPath+"/"+town.Id.String(), map[string]any{"parentId": to.Id.String()}, map[string]string{"If-Match": etagOf(town)})
		expect(t, resp, http.StatusOK, "")
		movedTown := h.getUnit(t, town.Id.String())
		movedVillage := h.getUnit(t, village.Id.String())
		if movedTown.Path != to.Path+town.Id.String()+"/" || movedTown.Level != 3 || *movedTown.ParentId != to.Id {
			t.Errorf("town after move: %+v", movedTown)
		}
		if movedVillage.Path != movedTown.Path+village.Id.String()+"/" || movedVillage.Level != 4 || movedVillage.Version != village.Version+1 {
			t.Errorf("village after move: %+v (town %s)", movedVillage, movedTown.Path)
		}

		// Make the town a root: its subtree follows, one level up.
		resp = h.Patch(unitsPath+"/"+town.Id.String(), map[string]any{"parentId": nil}, map[string]string{"If-Match": etagOf(movedTown)})
		expect(t, resp, http.StatusOK, "")
		rooted := h.getUnit(t, town.Id.String())
		leaf := h.getUnit(t, village.Id.String())
		if rooted.ParentId != nil || rooted.Level != 1 || rooted.Path != "/"+town.Id.String()+"/" {
			t.Errorf("town as root: %+v", rooted)
		}
		if leaf.Level != 2 || leaf.Path != rooted.Path+village.Id.String()+"/" {
			t.Errorf("village under rooted town: %+v", leaf)
		}
		// The community moved with the town: its move is in the audit log too.
		var events struct {
			Items []struct {
				Operation string         `json:"operation"`
				After     map[string]any `json:"after"`
			} `json:"items"`
		}
		h.Get("/api/v1/audit-events?entityType=unit&entityId="+village.Id.String()+"&operation=updateUnit", nil).JSON(t, &events)
		if len(events.Items) != 2 || events.Items[0].After["path"] != movedVillage.Path {
			t.Errorf("audit events of the moved community: %+v", events.Items)
		}

		// The old district has no children left.
		var page api.UnitPage
		h.Get(unitsPath+"?parentId="+from.Id.String(), nil).JSON(t, &page)
		if len(page.Items) != 0 {
			t.Errorf("old parent still lists %d children", len(page.Items))
		}
	})
}

func TestDeleteUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := areaCode()
		root := h.createUnit(t, map[string]any{"code": p, "name": "盘锦市", "kind": "city"})
		child := h.createUnit(t, map[string]any{"code": p + "-1", "name": "司法局", "kind": "department", "parentId": root.Id.String()})
		rootPath := unitsPath + "/" + root.Id.String()

		refused := h.Delete(rootPath, map[string]string{"If-Match": etagOf(root)})
		expect(t, refused, http.StatusConflict, "unit_has_referrers")
		if prob := refused.Problem(t); len(prob.Referrers) != 1 || prob.Referrers[0].ID != child.Id.String() || prob.Referrers[0].Type != "unit" {
			t.Errorf("referrers = %+v, want the child", prob.Referrers)
		}
		expect(t, h.Delete(rootPath, nil), 428, "if_match_required")
		expect(t, h.Delete(unitsPath+"/"+child.Id.String(), map[string]string{"If-Match": `"5"`}), 412, "version_mismatch")
		expect(t, h.Delete(unitsPath+"/bad", map[string]string{"If-Match": `"1"`}), 400, "invalid_request")
		expect(t, h.Delete(unitsPath+"/0190a000-0000-7000-8000-00000000ffff", map[string]string{"If-Match": `"1"`}), 404, "not_found")

		expect(t, h.Delete(unitsPath+"/"+child.Id.String(), map[string]string{"If-Match": etagOf(child)}), 204, "")
		expect(t, h.Get(unitsPath+"/"+child.Id.String(), nil), 404, "not_found")
		expect(t, h.Delete(rootPath, map[string]string{"If-Match": etagOf(root)}), 204, "")
	})
}

func TestUnitTreeAndAncestors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		// b is made first but has the greater code: the tree lists children by code.
		codeA, codeB := areaCode(), areaCode()
		if codeB < codeA {
			codeA, codeB = codeB, codeA
		}
		root := h.createUnit(t, map[string]any{"code": areaCode(), "name": "盘锦市", "kind": "city"})
		b := h.createUnit(t, map[string]any{"code": codeB, "name": "兴隆台区", "kind": "district", "parentId": root.Id.String()})
		a := h.createUnit(t, map[string]any{"code": codeA, "name": "双台子区", "kind": "district", "parentId": root.Id.String()})
		town := h.createUnit(t, map[string]any{"code": codeA + "001", "name": "红旗街道", "kind": "town", "parentId": a.Id.String()})

		var tree api.UnitTreeNode
		resp := h.Get(unitsPath+"/"+root.Id.String()+"/tree", nil)
		expect(t, resp, 200, "")
		resp.JSON(t, &tree)
		if tree.Id != root.Id || len(tree.Children) != 2 || tree.Children[0].Id != a.Id || tree.Children[1].Id != b.Id {
			t.Fatalf("tree children out of code order: %+v", tree.Children)
		}
		if len(tree.Children[0].Children) != 1 || tree.Children[0].Children[0].Id != town.Id || len(tree.Children[1].Children) != 0 {
			t.Errorf("grandchildren wrong: %+v", tree.Children)
		}

		h.Get(unitsPath+"/"+root.Id.String()+"/tree?depth=1", nil).JSON(t, &tree)
		if len(tree.Children) != 2 || len(tree.Children[0].Children) != 0 {
			t.Errorf("depth=1 tree: %+v", tree.Children)
		}
		h.Get(unitsPath+"/"+root.Id.String()+"/tree?depth=0", nil).JSON(t, &tree)
		if len(tree.Children) != 0 {
			t.Errorf("depth=0 tree has children")
		}
		expect(t, h.Get(unitsPath+"/"+root.Id.String()+"/tree?depth=99", nil), 400, "invalid_request")
		expect(t, h.Get(unitsPath+"/"+root.Id.String()+"/tree?depth=x", nil), 400, "invalid_request")
		expect(t, h.Get(unitsPath+"/0190a000-0000-7000-8000-00000000ffff/tree", nil), 404, "not_found")

		var anc api.UnitPage
		resp = h.Get(unitsPath+"/"+town.Id.String()+"/ancestors", nil)
		expect(t, resp, 200, "")
		resp.JSON(t, &anc)
		if len(anc.Items) != 2 || anc.Items[0].Id != root.Id || anc.Items[1].Id != a.Id || anc.NextCursor != nil {
			t.Errorf("ancestors = %+v", anc)
		}
		h.Get(unitsPath+"/"+root.Id.String()+"/ancestors", nil).JSON(t, &anc)
		if len(anc.Items) != 0 {
			t.Errorf("a root has ancestors: %+v", anc.Items)
		}
		expect(t, h.Get(unitsPath+"/x/ancestors", nil), 400, "invalid_request")
		expect(t, h.Get(unitsPath+"/0190a000-0000-7000-8000-00000000ffff/ancestors", nil), 404, "not_found")
	})
}

func TestUnitTreeTooLarge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		root := &models.Unit{ID: store.NewID(), Code: areaCode(), Name: "大树", Kind: models.UnitCity, Level: 1}
		root.Path = models.UnitPath("", root.ID)
		units := []*models.Unit{root}
		for i := 0; i < store.MaxSubtree; i++ { // with the root, one more than a tree may hold
			u := &models.Unit{ID: store.NewID(), Code: fmt.Sprintf("%s%06d", root.Code, i), Name: "村", Kind: models.UnitVillage,
				ParentID: &root.ID, Level: 2}
			u.Path = models.UnitPath(root.Path, u.ID)
			units = append(units, u)
		}
		if err := db.CreateUnits(t.Context(), units); err != nil {
			t.Fatal(err)
		}
		expect(t, h.Get(unitsPath+"/"+root.ID+"/tree", nil), 422, "unit_subtree_too_large")
		var tree api.UnitTreeNode
		h.Get(unitsPath+"/"+root.ID+"/tree?depth=0", nil).JSON(t, &tree)
		if tree.Id.String() != root.ID {
			t.Errorf("depth=0 of a large tree: %+v", tree)
		}
	})
}

// TestUnitsAreTheOrganisationChart: the unit tree is visible whole to every
// signed-in user and read key, since every record names its unit; what units
// keep (their values) is limited to a user's subtree.
func TestUnitsAreTheOrganisationChart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		for _, who := range []string{"viewer", "reporter", "reviewer", "key:read"} {
			t.Run(who, func(t *testing.T) {
				// fx.other is a city outside the viewer's, reporter's and reviewer's subtrees.
				if u, _ := getOK[api.Unit](t, h, unitsPath+"/"+h.fx.other, h.as(who)); u.Id.String() != h.fx.other {
					t.Errorf("read %v", u.Id)
				}
				getOK[api.UnitTreeNode](t, h, unitsPath+"/"+h.fx.other+"/tree", h.as(who))
				listed := listAll[api.Unit](t, h, unitsPath, h.as(who), url.Values{"kind": {"city"}}, 500)
				if !slices.ContainsFunc(listed, func(u api.Unit) bool { return u.Id.String() == h.fx.other }) {
					t.Errorf("the list of cities leaves out %s", h.fx.other)
				}
			})
		}
		// A value of the other city is another matter: invisible to the town's viewer.
		_, inds := h.valueSystem(t, indicatorBody("1", "100", nil, nil))
		v := h.report(t, nil, valueBody(inds[0], h.fx.other, "2021", "1", nil))
		expect(t, h.Get(valuesPath+"/"+v.Id.String(), h.as("viewer")), http.StatusNotFound, "not_found")
	})
}
