package store_test

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/store"
)

func TestCreateUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		// A city, a county of the city and a town of the county.
		blk := areaBlock()
		code, countyCode, townCode := blk+"0", blk+"1", blk+"1001"

		root := &models.Unit{
			Code: code, Name: "盤錦市司法局", ShortName: ptr("市司法局"), Kind: models.UnitCity,
			// Level, Path and Version come from the store, whatever the caller sends.
			Level: 7, Path: "/bogus/", Version: 9,
		}
		mustCreate(t, db, root)
		t1 := clk.Advance(time.Second)
		child := mustCreate(t, db, newUnit(countyCode, "Panshan County", models.UnitCounty, root))
		t2 := clk.Advance(time.Second)
		presetID := store.NewID()
		grand := newUnit(townCode, "太平鎮", models.UnitTown, child)
		grand.ID = presetID
		mustCreate(t, db, grand)

		tests := []struct {
			name       string
			got        *models.Unit
			want       models.Unit
			searchHas  []string
			searchNone []string
		}{
			{
				name: "root",
				got:  root,
				want: models.Unit{
					ID: root.ID, Code: code, Name: "盤錦市司法局", ShortName: ptr("市司法局"), Kind: models.UnitCity,
					Level: 1, Path: "/" + root.ID + "/", Version: 1, CreatedAt: t0, UpdatedAt: t0,
				},
				// folded: simplified, lower case
				searchHas:  []string{"盘锦市司法局", "市司法局", code},
				searchNone: []string{"盤錦"},
			},
			{
				name: "child",
				got:  child,
				want: models.Unit{
					ID: child.ID, Code: countyCode, Name: "Panshan County", Kind: models.UnitCounty, ParentID: ptr(root.ID),
					Level: 2, Path: "/" + root.ID + "/" + child.ID + "/", Version: 1, CreatedAt: t1, UpdatedAt: t1,
				},
				searchHas:  []string{"panshan county", countyCode},
				searchNone: []string{"Panshan"},
			},
			{
				name: "grandchild with preset id",
				got:  grand,
				want: models.Unit{
					ID: presetID, Code: townCode, Name: "太平鎮", Kind: models.UnitTown, ParentID: ptr(child.ID),
					Level: 3, Path: "/" + root.ID + "/" + child.ID + "/" + presetID + "/", Version: 1, CreatedAt: t2, UpdatedAt: t2,
				},
				searchHas: []string{"太平镇", townCode},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := uuid.Parse(tt.got.ID); err != nil {
					t.Errorf("ID %q is not a UUID: %v", tt.got.ID, err)
				}
				if d := unitDiff(tt.got, &tt.want); d != "" {
					t.Errorf("returned unit: %s", d)
				}
				stored := mustGet(t, db, tt.want.ID)
				if d := unitDiff(stored, &tt.want); d != "" {
					t.Errorf("stored unit: %s", d)
				}
				checkTimestamps(t, stored)
				if stored.SearchText != tt.got.SearchText {
					t.Errorf("stored SearchText %q, returned %q", stored.SearchText, tt.got.SearchText)
				}
				for _, s := range tt.searchHas {
					if !strings.Contains(stored.SearchText, s) {
						t.Errorf("SearchText %q does not contain %q", stored.SearchText, s)
					}
				}
				for _, s := range tt.searchNone {
					if strings.Contains(stored.SearchText, s) {
						t.Errorf("SearchText %q contains %q, which should be folded", stored.SearchText, s)
					}
				}
			})
		}
	})
}

func TestCreateUnitDefaultClock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		// The real clock: UTC, truncated to what the columns store.
		u := mustCreate(t, db, newUnit(organCode(), "默认时钟", models.UnitOffice, nil))
		checkTimestamps(t, u)
		stored := mustGet(t, db, u.ID)
		checkTimestamps(t, stored)
		if d := unitDiff(stored, u); d != "" {
			t.Errorf("stored unit differs from the returned one: %s", d)
		}
	})
}

func TestCreateUnitErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		code := areaCode()
		root := mustCreate(t, db, newUnit(code, "根", models.UnitCity, nil))
		tests := []struct {
			name     string
			unit     *models.Unit
			wantErr  error
			wantCode string
		}{
			{"duplicate code of a root", newUnit(root.Code, "另一个", models.UnitCity, nil), models.ErrConflict, "unit_code_taken"},
			{"duplicate code of a child", newUnit(root.Code, "另一个", models.UnitDistrict, root), models.ErrConflict, "unit_code_taken"},
			{"parent does not exist", &models.Unit{Code: code + "-p", Name: "孤儿", Kind: models.UnitOffice, ParentID: ptr(store.NewID())}, models.ErrInvalid, "unit_parent_not_found"},
			{"no name", newUnit(code+"-n", " ", models.UnitOffice, root), models.ErrInvalid, "unit_invalid"},
			{"no code", newUnit("", "无代码", models.UnitOffice, root), models.ErrInvalid, "unit_invalid"},
			{"unknown kind", newUnit(code+"-k", "未知", "planet", root), models.ErrInvalid, "unit_invalid"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := db.CreateUnit(t.Context(), tt.unit)
				checkErr(t, "CreateUnit", err, tt.wantErr, tt.wantCode)
				if tt.unit.ID != "" && tt.unit.ID != root.ID {
					_, err := db.GetUnit(t.Context(), tt.unit.ID)
					checkErr(t, "GetUnit of the refused unit", err, models.ErrNotFound, "")
				}
			})
		}
		// The refused duplicates left the original alone.
		if d := unitDiff(mustGet(t, db, root.ID), root); d != "" {
			t.Errorf("root after refused creates: %s", d)
		}
	})
}

func TestGetUnitNotFound(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		id := store.NewID()
		_, err := db.GetUnit(t.Context(), id)
		checkErr(t, "GetUnit", err, models.ErrNotFound, "")
		var nf *models.NotFoundError
		if !errors.As(err, &nf) || nf.ID != id || nf.Entity != "unit" {
			t.Errorf("got %#v, want a NotFoundError for unit %s", err, id)
		}
	})
}

func TestUpdateUnitFields(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		area := areaCode()
		root := mustCreate(t, db, newUnit(area, "更新根", models.UnitCity, nil))
		tests := []struct {
			name       string
			patch      func(code string) models.UnitPatch
			want       func(u *models.Unit)
			searchHas  []string
			searchNone []string
		}{
			{
				name:      "name",
				patch:     func(string) models.UnitPatch { return models.UnitPatch{Name: ptr("興隆臺區司法局")} },
				want:      func(u *models.Unit) { u.Name = "興隆臺區司法局" },
				searchHas: []string{"兴隆台区司法局", "旧简称"}, searchNone: []string{"旧名称"},
			},
			{
				name:      "code",
				patch:     func(string) models.UnitPatch { return models.UnitPatch{Code: ptr(area + "-NEW")} },
				want:      func(u *models.Unit) { u.Code = area + "-NEW" },
				searchHas: []string{"-new"},
			},
			{
				name:  "kind",
				patch: func(string) models.UnitPatch { return models.UnitPatch{Kind: ptr(models.UnitOffice)} },
				want:  func(u *models.Unit) { u.Kind = models.UnitOffice },
			},
			{
				name: "set short name",
				patch: func(string) models.UnitPatch {
					return models.UnitPatch{SetShortName: true, ShortName: ptr("新簡稱")}
				},
				want:       func(u *models.Unit) { u.ShortName = ptr("新簡稱") },
				searchHas:  []string{"新简称", "旧名称"},
				searchNone: []string{"旧简称"},
			},
			{
				name:       "clear short name",
				patch:      func(string) models.UnitPatch { return models.UnitPatch{SetShortName: true, ShortName: nil} },
				want:       func(u *models.Unit) { u.ShortName = nil },
				searchHas:  []string{"旧名称"},
				searchNone: []string{"旧简称"},
			},
			{
				name:      "short name without SetShortName is ignored",
				patch:     func(string) models.UnitPatch { return models.UnitPatch{ShortName: ptr("忽略")} },
				want:      func(u *models.Unit) {},
				searchHas: []string{"旧简称"}, searchNone: []string{"忽略"},
			},
			{
				name: "several fields",
				patch: func(string) models.UnitPatch {
					return models.UnitPatch{Name: ptr("多字段"), Kind: ptr(models.UnitDepartment), SetShortName: true, ShortName: ptr("多")}
				},
				want: func(u *models.Unit) { u.Name, u.Kind, u.ShortName = "多字段", models.UnitDepartment, ptr("多") },
			},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				created := clk.Advance(time.Minute)
				// An economic zone: its code, the city's and a suffix, is
				// also an office's and a department's.
				code := fmt.Sprintf("%s-%02d", area, i)
				u := newUnit(code, "旧名称", models.UnitEconomicZone, root)
				u.ShortName = ptr("旧简称")
				mustCreate(t, db, u)
				want := *u
				tt.want(&want)
				want.Version = 2
				want.UpdatedAt = clk.Advance(time.Second)
				want.CreatedAt = created

				got, err := db.UpdateUnit(t.Context(), u.ID, 1, tt.patch(code))
				if err != nil {
					t.Fatalf("UpdateUnit: %v", err)
				}
				if d := unitDiff(got, &want); d != "" {
					t.Errorf("returned unit: %s", d)
				}
				stored := mustGet(t, db, u.ID)
				if d := unitDiff(stored, &want); d != "" {
					t.Errorf("stored unit: %s", d)
				}
				if stored.SearchText != got.SearchText {
					t.Errorf("stored SearchText %q, returned %q", stored.SearchText, got.SearchText)
				}
				for _, s := range tt.searchHas {
					if !strings.Contains(stored.SearchText, s) {
						t.Errorf("SearchText %q does not contain %q", stored.SearchText, s)
					}
				}
				for _, s := range tt.searchNone {
					if strings.Contains(stored.SearchText, s) {
						t.Errorf("SearchText %q still contains %q", stored.SearchText, s)
					}
				}
			})
		}
	})
}

func TestUpdateUnitRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		other := mustCreate(t, db, newUnit(areaCode(), "其他", models.UnitCity, nil))
		u := newUnit(areaCode(), "原名", models.UnitCity, nil)
		u.ShortName = ptr("原简称")
		mustCreate(t, db, u)
		clk.Advance(time.Hour)

		tests := []struct {
			name      string
			id        string
			ifVersion int64
			patch     models.UnitPatch
			wantErr   error
			wantCode  string
		}{
			{"stale version (older)", u.ID, 0, models.UnitPatch{Name: ptr("改名")}, models.ErrPrecondition, ""},
			{"stale version (newer)", u.ID, 2, models.UnitPatch{Name: ptr("改名")}, models.ErrPrecondition, ""},
			{"stale version clearing short name", u.ID, 2, models.UnitPatch{SetShortName: true}, models.ErrPrecondition, ""},
			{"code of another unit", u.ID, 1, models.UnitPatch{Code: ptr(other.Code)}, models.ErrConflict, "unit_code_taken"},
			{"empty name", u.ID, 1, models.UnitPatch{Name: ptr("")}, models.ErrInvalid, "unit_invalid"},
			{"unknown kind", u.ID, 1, models.UnitPatch{Kind: ptr(models.UnitKind("planet"))}, models.ErrInvalid, "unit_invalid"},
			{"unknown unit", store.NewID(), 1, models.UnitPatch{Name: ptr("改名")}, models.ErrNotFound, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.UpdateUnit(t.Context(), tt.id, tt.ifVersion, tt.patch)
				checkErr(t, "UpdateUnit", err, tt.wantErr, tt.wantCode)
				if got != nil {
					t.Errorf("UpdateUnit returned %+v with its error", got)
				}
				// Nothing was written.
				if d := unitDiff(mustGet(t, db, u.ID), u); d != "" {
					t.Errorf("unit after a refused update: %s", d)
				}
				if d := unitDiff(mustGet(t, db, other.ID), other); d != "" {
					t.Errorf("other unit after a refused update: %s", d)
				}
			})
		}

		// After one successful update, the version read before it is stale.
		if _, err := db.UpdateUnit(t.Context(), u.ID, 1, models.UnitPatch{Name: ptr("第二版")}); err != nil {
			t.Fatalf("UpdateUnit at version 1: %v", err)
		}
		_, err := db.UpdateUnit(t.Context(), u.ID, 1, models.UnitPatch{Name: ptr("第三版")})
		checkErr(t, "second UpdateUnit at version 1", err, models.ErrPrecondition, "")
		if got := mustGet(t, db, u.ID); got.Name != "第二版" || got.Version != 2 {
			t.Errorf("after a stale update: name %q version %d, want 第二版 2", got.Name, got.Version)
		}
	})
}

// tree is the expected shape of a set of units, kept beside the database so a
// test can state what every unit's parent, path, level, version and update
// time must be after each step.
type tree struct {
	ids     map[string]string // name → id
	parent  map[string]string // name → parent name, "" for a root
	version map[string]int64
	updated map[string]time.Time
	names   []string
}

func newTree() *tree {
	return &tree{ids: map[string]string{}, parent: map[string]string{}, version: map[string]int64{}, updated: map[string]time.Time{}}
}

// add creates a unit named name below parent ("" for a root).
func (tr *tree) add(t *testing.T, db *dbtest.DB, code, name, parent string, now time.Time) {
	t.Helper()
	u := &models.Unit{Code: code, Name: name, Kind: models.UnitDepartment}
	if parent != "" {
		u.ParentID = ptr(tr.ids[parent])
	}
	mustCreate(t, db, u)
	tr.ids[name], tr.parent[name], tr.version[name], tr.updated[name] = u.ID, parent, 1, now
	tr.names = append(tr.names, name)
}

func (tr *tree) path(name string) string {
	if p := tr.parent[name]; p != "" {
		return tr.path(p) + tr.ids[name] + "/"
	}
	return "/" + tr.ids[name] + "/"
}

// below reports whether name is anc or in its subtree.
func (tr *tree) below(name, anc string) bool {
	for n := name; n != ""; n = tr.parent[n] {
		if n == anc {
			return true
		}
	}
	return false
}

// move records a successful move: the unit and its descendants get a new
// version and update time.
func (tr *tree) move(name, to string, now time.Time) {
	tr.parent[name] = to
	for _, n := range tr.names {
		if tr.below(n, name) {
			tr.version[n]++
			tr.updated[n] = now
		}
	}
}

// check compares every unit of the tree, and every root's subtree, with the
// database.
func (tr *tree) check(t *testing.T, db *dbtest.DB) {
	t.Helper()
	for _, n := range tr.names {
		u := mustGet(t, db, tr.ids[n])
		wantParent := "<nil>"
		if p := tr.parent[n]; p != "" {
			wantParent = tr.ids[p]
		}
		wantPath := tr.path(n)
		if got := deref(u.ParentID); got != wantParent {
			t.Errorf("%s: ParentID %s, want %s", n, got, wantParent)
		}
		if u.Path != wantPath {
			t.Errorf("%s: Path %s, want %s", n, u.Path, wantPath)
		}
		if want := strings.Count(wantPath, "/") - 1; u.Level != want {
			t.Errorf("%s: Level %d, want %d", n, u.Level, want)
		}
		if u.Version != tr.version[n] {
			t.Errorf("%s: Version %d, want %d", n, u.Version, tr.version[n])
		}
		if !u.UpdatedAt.Equal(tr.updated[n]) {
			t.Errorf("%s: UpdatedAt %v, want %v", n, u.UpdatedAt, tr.updated[n])
		}
	}
	for _, r := range tr.names {
		if tr.parent[r] != "" {
			continue
		}
		units, err := db.UnitSubtree(t.Context(), tr.ids[r], models.MaxUnitLevel)
		if err != nil {
			t.Fatalf("UnitSubtree(%s): %v", r, err)
		}
		var got, want []string
		for _, u := range units {
			got = append(got, tr.nameOf(u.ID))
		}
		for _, n := range tr.names {
			if tr.below(n, r) {
				want = append(want, n)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("subtree of %s: got %v, want %v", r, got, want)
		}
	}
}

func (tr *tree) nameOf(id string) string {
	for n, i := range tr.ids {
		if i == id {
			return n
		}
	}
	return "?" + id
}

func TestMoveUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		area := areaCode()
		tr := newTree()
		for _, u := range []struct{ name, parent string }{
			{"A", ""}, {"A1", "A"}, {"A1a", "A1"}, {"A1a1", "A1a"}, {"A1b", "A1"}, {"A2", "A"},
			{"B", ""}, {"B1", "B"},
		} {
			tr.add(t, db, area+"-"+u.name, u.name, u.parent, t0)
		}
		tr.check(t, db)

		const missing = "<missing>"
		tests := []struct {
			name     string
			unit     string
			to       string // "" makes the unit a root
			stale    bool
			wantErr  error
			wantCode string
		}{
			{name: "subtree under another root", unit: "A1", to: "B"},
			{name: "subtree one level deeper", unit: "A1", to: "B1"},
			{name: "subtree to the root", unit: "A1", to: ""},
			{name: "root with children under another root", unit: "A", to: "B"},
			{name: "under its own grandchild", unit: "A1", to: "A1a1", wantErr: models.ErrInvalid, wantCode: "unit_move_cycle"},
			{name: "under its own child", unit: "A1", to: "A1a", wantErr: models.ErrInvalid, wantCode: "unit_move_cycle"},
			{name: "under itself", unit: "A1", to: "A1", wantErr: models.ErrInvalid, wantCode: "unit_move_cycle"},
			{name: "root under its own descendant", unit: "B", to: "A2", wantErr: models.ErrInvalid, wantCode: "unit_move_cycle"},
			{name: "stale version", unit: "A1b", to: "B", stale: true, wantErr: models.ErrPrecondition},
			{name: "parent does not exist", unit: "A1b", to: missing, wantErr: models.ErrInvalid, wantCode: "unit_parent_not_found"},
			{name: "leaf to another branch", unit: "A1a1", to: "A2"},
			{name: "same parent again", unit: "A1a", to: "A1"},
			{name: "subtree back under its old parent", unit: "A1", to: "A"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				now := clk.Advance(time.Second)
				version := tr.version[tt.unit]
				if tt.stale {
					version--
				}
				patch := models.UnitPatch{Move: true}
				switch tt.to {
				case "":
				case missing:
					patch.ParentID = ptr(store.NewID())
				default:
					patch.ParentID = ptr(tr.ids[tt.to])
				}
				got, err := db.UpdateUnit(t.Context(), tr.ids[tt.unit], version, patch)
				checkErr(t, "UpdateUnit", err, tt.wantErr, tt.wantCode)
				if err == nil {
					if tr.parent[tt.unit] == tt.to {
						// Not a move: only the unit itself changes version.
						tr.version[tt.unit]++
						tr.updated[tt.unit] = now
					} else {
						tr.move(tt.unit, tt.to, now)
					}
					if d := unitDiff(got, mustGet(t, db, got.ID)); d != "" {
						t.Errorf("returned unit differs from the stored one: %s", d)
					}
				}
				tr.check(t, db)
			})
		}

		// Ancestors follow the moves: A1a1 now sits under B → A → A2.
		anc, err := db.UnitAncestors(t.Context(), tr.ids["A1a1"])
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range anc {
			got = append(got, tr.nameOf(u.ID))
		}
		if want := []string{"B", "A", "A2"}; !slices.Equal(got, want) {
			t.Errorf("ancestors of A1a1: got %v, want %v", got, want)
		}
	})
}

func TestUnitDepthLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		area := areaCode()
		// A chain exactly MaxUnitLevel deep.
		chain := make([]*models.Unit, 0, models.MaxUnitLevel)
		var parent *models.Unit
		for i := 1; i <= models.MaxUnitLevel; i++ {
			parent = mustCreate(t, db, newUnit(fmt.Sprintf("%s-c%02d", area, i), fmt.Sprintf("第%d级", i), models.UnitDepartment, parent))
			chain = append(chain, parent)
		}
		if got, want := parent.Level, models.MaxUnitLevel; got != want {
			t.Fatalf("deepest chain unit at level %d, want %d", got, want)
		}
		level := func(n int) *models.Unit { return chain[n-1] }

		tooDeep := newUnit(area+"-deep", "太深", models.UnitDepartment, level(models.MaxUnitLevel))
		err := db.CreateUnit(t.Context(), tooDeep)
		checkErr(t, "CreateUnit below the deepest level", err, models.ErrInvalid, "unit_too_deep")
		if tooDeep.ID != "" {
			_, err := db.GetUnit(t.Context(), tooDeep.ID)
			checkErr(t, "GetUnit of the refused unit", err, models.ErrNotFound, "")
		}

		// A root with one child: a subtree two levels deep.
		s := mustCreate(t, db, newUnit(area+"-s", "子树", models.UnitDepartment, nil))
		s1 := mustCreate(t, db, newUnit(area+"-s1", "子树下级", models.UnitDepartment, s))
		leaf := mustCreate(t, db, newUnit(area+"-leaf", "叶子", models.UnitDepartment, nil))

		tests := []struct {
			name      string
			unit      *models.Unit
			to        *models.Unit
			wantErr   error
			wantLevel int // of unit after the move
		}{
			{"leaf below the deepest level", leaf, level(models.MaxUnitLevel), models.ErrInvalid, 0},
			{"subtree whose child would pass the limit", s, level(models.MaxUnitLevel - 1), models.ErrInvalid, 0},
			{"subtree whose child reaches the limit", s, level(models.MaxUnitLevel - 2), nil, models.MaxUnitLevel - 1},
			{"leaf at the deepest level", leaf, level(models.MaxUnitLevel - 1), nil, models.MaxUnitLevel},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := mustGet(t, db, tt.unit.ID)
				got, err := db.UpdateUnit(t.Context(), tt.unit.ID, before.Version, models.UnitPatch{Move: true, ParentID: ptr(tt.to.ID)})
				code := ""
				if tt.wantErr != nil {
					code = "unit_too_deep"
				}
				checkErr(t, "move", err, tt.wantErr, code)
				after := mustGet(t, db, tt.unit.ID)
				if err != nil {
					if d := unitDiff(after, before); d != "" {
						t.Errorf("unit after a refused move: %s", d)
					}
					return
				}
				if got.Level != tt.wantLevel || after.Level != tt.wantLevel {
					t.Errorf("level after the move: returned %d, stored %d, want %d", got.Level, after.Level, tt.wantLevel)
				}
			})
		}
		if got, want := mustGet(t, db, s1.ID).Level, models.MaxUnitLevel; got != want {
			t.Errorf("child of the moved subtree at level %d, want %d", got, want)
		}
	})
}

func TestDeleteUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		area := areaCode()
		p := mustCreate(t, db, newUnit(area, "上级", models.UnitCity, nil))
		// Created out of code order: referrers are named in code order.
		b := mustCreate(t, db, newUnit(area+"-2", "乙单位", models.UnitOffice, p))
		a := mustCreate(t, db, newUnit(area+"-1", "甲单位", models.UnitOffice, p))
		if _, err := db.UpdateUnit(t.Context(), b.ID, 1, models.UnitPatch{Name: ptr("乙单位（改）")}); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name      string
			id        string
			version   int64
			wantErr   error
			wantCode  string
			wantRefs  []models.Referrer
			wantGone  bool
			wantAfter int64 // version still stored after a refusal
		}{
			{
				name: "with children", id: p.ID, version: 1, wantErr: models.ErrConflict, wantCode: "unit_has_referrers",
				wantRefs:  []models.Referrer{{Type: "unit", ID: a.ID, Name: "甲单位"}, {Type: "unit", ID: b.ID, Name: "乙单位（改）"}},
				wantAfter: 1,
			},
			{name: "stale version", id: a.ID, version: 2, wantErr: models.ErrPrecondition, wantAfter: 1},
			{name: "leaf", id: a.ID, version: 1, wantGone: true},
			{name: "already deleted", id: a.ID, version: 1, wantErr: models.ErrNotFound, wantGone: true},
			{name: "older version of an updated leaf", id: b.ID, version: 1, wantErr: models.ErrPrecondition, wantAfter: 2},
			{name: "updated leaf", id: b.ID, version: 2, wantGone: true},
			{name: "former parent", id: p.ID, version: 1, wantGone: true},
			{name: "unknown unit", id: store.NewID(), version: 1, wantErr: models.ErrNotFound, wantGone: true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := db.DeleteUnit(t.Context(), tt.id, tt.version)
				checkErr(t, "DeleteUnit", err, tt.wantErr, tt.wantCode)
				if tt.wantRefs != nil {
					var ce *models.ConflictError
					errors.As(err, &ce)
					if !slices.Equal(ce.Referrers, tt.wantRefs) {
						t.Errorf("referrers: got %+v, want %+v", ce.Referrers, tt.wantRefs)
					}
				}
				u, err := db.GetUnit(t.Context(), tt.id)
				switch {
				case tt.wantGone:
					checkErr(t, "GetUnit after delete", err, models.ErrNotFound, "")
				case err != nil:
					t.Errorf("GetUnit after a refused delete: %v", err)
				case u.Version != tt.wantAfter:
					t.Errorf("version after a refused delete: got %d, want %d", u.Version, tt.wantAfter)
				}
			})
		}
	})
}

// listAll pages through a list and returns every unit and the number of pages.
func listAll(t *testing.T, db *dbtest.DB, f models.UnitFilter, sort string, limit int) ([]models.Unit, int) {
	t.Helper()
	s := paging.ParseSort(sort)
	page := paging.Page{Limit: limit, Sort: s}
	var all []models.Unit
	for pages := 1; ; pages++ {
		if pages > 100000 {
			t.Fatal("paging does not end")
		}
		units, next, err := db.ListUnits(t.Context(), f, page)
		if err != nil {
			t.Fatalf("ListUnits(%+v, %s, page %d): %v", f, sort, pages, err)
		}
		if len(units) > limit {
			t.Fatalf("page %d has %d units, more than the limit %d", pages, len(units), limit)
		}
		all = append(all, units...)
		if next == nil {
			return all, pages
		}
		if len(units) != limit {
			t.Fatalf("page %d has %d units and a next cursor, want a full page of %d", pages, len(units), limit)
		}
		if next.Sort != s.String() {
			t.Fatalf("cursor sort %q, want %q", next.Sort, s.String())
		}
		// Through the opaque form the client sees.
		c, err := paging.Decode(next.Encode(), s, "")
		if err != nil {
			t.Fatalf("decode cursor: %v", err)
		}
		page.After = c
	}
}

func ids(units []models.Unit) []string {
	out := make([]string, len(units))
	for i, u := range units {
		out[i] = u.ID
	}
	return out
}

// compareUnits orders units by a sort field, ties by id.
func compareUnits(field string, a, b *models.Unit) int {
	var c int
	switch field {
	case "code":
		c = strings.Compare(a.Code, b.Code)
	case "name":
		c = strings.Compare(a.Name, b.Name)
	case "level":
		c = cmp.Compare(a.Level, b.Level)
	case "createdAt":
		c = a.CreatedAt.Compare(b.CreatedAt)
	case "updatedAt":
		c = a.UpdatedAt.Compare(b.UpdatedAt)
	default:
		panic("unknown sort field " + field)
	}
	return cmp.Or(c, strings.Compare(a.ID, b.ID))
}

func TestListUnitsFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		// The units' codes share the block blk, which the queries below look
		// for. The city's code ends in 3, above its districts' 1 and 2, so that
		// the codes of its departments and offices (the city's, a dash and the
		// key) sort after the districts', in the order of their keys.
		blk := areaBlock()
		code := blk + "3"
		root := mustCreate(t, db, newUnit(code, "筛选根", models.UnitCity, nil))
		u := map[string]*models.Unit{}
		for _, c := range []struct {
			key, code, name, short string
			kind                   models.UnitKind
			parent                 string
		}{
			{"k1", blk + "1", "盤錦市大窪區", "", models.UnitDistrict, ""},
			{"k2", blk + "2", "盘锦市双台子区", "", models.UnitDistrict, ""},
			{"k3", code + "-k3", "Fazhi Office", "FZO", models.UnitOffice, ""},
			{"k4", code + "-k4", "达标率100%", "", models.UnitDepartment, ""},
			{"k5", code + "-k5", "达标率1000", "", models.UnitDepartment, ""},
			{"k6", code + "-k6", "a_b科", "", models.UnitDepartment, ""},
			{"k7", code + "-k7", "axb科", "", models.UnitDepartment, ""},
			{"k8", code + "-k8", `a\b科`, "", models.UnitDepartment, ""},
			{"k9", code + "-k9", "注意!事项", "", models.UnitDepartment, ""},
			{"g1", blk + "1001", "榮興街道", "", models.UnitTown, "k1"},
			{"g2", code + "-g2", "Office Annex", "", models.UnitOffice, "k3"},
		} {
			p := root
			if c.parent != "" {
				p = u[c.parent]
			}
			n := newUnit(c.code, c.name, c.kind, p)
			if c.short != "" {
				n.ShortName = ptr(c.short)
			}
			u[c.key] = mustCreate(t, db, n)
		}

		tests := []struct {
			name   string
			filter models.UnitFilter
			want   []string // keys, in code order (the districts' first, then "-g…" before "-k…")
		}{
			{"parent", models.UnitFilter{ParentID: root.ID}, []string{"k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"}},
			{"parent of grandchildren", models.UnitFilter{ParentID: u["k1"].ID}, []string{"g1"}},
			{"parent and kind", models.UnitFilter{ParentID: root.ID, Kind: models.UnitDistrict}, []string{"k1", "k2"}},
			{"kind across levels", models.UnitFilter{Query: blk, Kind: models.UnitOffice}, []string{"g2", "k3"}},
			{"level 1", models.UnitFilter{Query: blk, Level: 1}, []string{"root"}},
			{"level 3", models.UnitFilter{Query: blk, Level: 3}, []string{"g1", "g2"}},
			{"parent without children", models.UnitFilter{ParentID: u["k8"].ID}, nil},
			{"simplified query finds traditional name", models.UnitFilter{ParentID: root.ID, Query: "盘锦"}, []string{"k1", "k2"}},
			{"traditional query finds simplified name", models.UnitFilter{ParentID: root.ID, Query: "盤錦"}, []string{"k1", "k2"}},
			{"mixed query", models.UnitFilter{ParentID: root.ID, Query: "盘锦市大洼"}, []string{"k1"}},
			{"simplified query finds traditional sub-unit", models.UnitFilter{Query: "荣兴街道", Level: 3, ParentID: u["k1"].ID}, []string{"g1"}},
			{"query ignores case", models.UnitFilter{ParentID: root.ID, Query: "FAZHI office"}, []string{"k3"}},
			{"query full-width", models.UnitFilter{ParentID: root.ID, Query: "ＦＡＺＨＩ"}, []string{"k3"}},
			{"query short name", models.UnitFilter{ParentID: root.ID, Query: "fzo"}, []string{"k3"}},
			{"query code", models.UnitFilter{Query: code + "-K3"}, []string{"k3"}},
			{"percent is literal", models.UnitFilter{ParentID: root.ID, Query: "100%"}, []string{"k4"}},
			{"lone percent", models.UnitFilter{ParentID: root.ID, Query: "%"}, []string{"k4"}},
			{"underscore is literal", models.UnitFilter{ParentID: root.ID, Query: "a_b"}, []string{"k6"}},
			{"escape character is literal", models.UnitFilter{ParentID: root.ID, Query: "意!事"}, []string{"k9"}},
			{"escaped wildcard is literal", models.UnitFilter{ParentID: root.ID, Query: "!%"}, nil},
			{"backslash is literal", models.UnitFilter{ParentID: root.ID, Query: `a\b`}, []string{"k8"}},
			{"query and kind", models.UnitFilter{ParentID: root.ID, Kind: models.UnitDepartment, Query: "达标"}, []string{"k4", "k5"}},
			{"no match", models.UnitFilter{ParentID: root.ID, Query: "不存在的单位"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, next, err := db.ListUnits(t.Context(), tt.filter, paging.Page{Limit: 100, Sort: paging.Sort{Field: "code"}})
				if err != nil {
					t.Fatalf("ListUnits: %v", err)
				}
				if next != nil {
					t.Errorf("next cursor %+v on a short list", next)
				}
				var want []string
				for _, k := range tt.want {
					if k == "root" {
						want = append(want, root.ID)
					} else {
						want = append(want, u[k].ID)
					}
				}
				if g := ids(got); !slices.Equal(g, want) {
					var names []string
					for _, x := range got {
						names = append(names, x.Name)
					}
					t.Errorf("got %d units %v, want %v", len(got), names, tt.want)
				}
			})
		}
	})
}

func TestListUnitsSort(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		code := areaCode()
		// Ties in every field but code: names repeat, levels repeat, units are
		// created three at a time on one clock tick, and only some are updated.
		specs := []struct {
			name   string
			parent int // index, -1 for the root
		}{
			{"乙", -1}, {"甲", 0}, {"甲", 0}, {"Alpha", 0}, {"alpha", 1}, {"乙", 1}, {"丙", 2}, {"Beta", 3}, {"甲", 4},
		}
		var created []*models.Unit
		for i, s := range specs {
			if i%3 == 0 {
				clk.Advance(time.Second)
			}
			var p *models.Unit
			if s.parent >= 0 {
				p = created[s.parent]
			}
			// Codes are not in creation order.
			created = append(created, mustCreate(t, db, newUnit(fmt.Sprintf("%s-%02d", code, (i*5)%9), s.name, models.UnitDepartment, p)))
		}
		for _, i := range []int{2, 7, 4} {
			clk.Advance(time.Millisecond)
			if _, err := db.UpdateUnit(t.Context(), created[i].ID, 1, models.UnitPatch{SetShortName: true, ShortName: ptr("简")}); err != nil {
				t.Fatal(err)
			}
		}
		clk.Advance(time.Microsecond)
		if _, err := db.UpdateUnit(t.Context(), created[5].ID, 1, models.UnitPatch{SetShortName: true, ShortName: ptr("简")}); err != nil {
			t.Fatal(err)
		}
		var stored []models.Unit
		for _, u := range created {
			stored = append(stored, *mustGet(t, db, u.ID))
		}
		filter := models.UnitFilter{Query: code}

		for _, field := range models.UnitSortFields {
			for _, desc := range []bool{false, true} {
				sort := paging.Sort{Field: field, Desc: desc}
				for _, limit := range []int{1, 2, 4, 100} {
					t.Run(fmt.Sprintf("%s/limit=%d", sort, limit), func(t *testing.T) {
						want := slices.Clone(stored)
						slices.SortFunc(want, func(a, b models.Unit) int {
							c := compareUnits(field, &a, &b)
							if desc {
								return -c
							}
							return c
						})
						got, pages := listAll(t, db, filter, sort.String(), limit)
						if g, w := ids(got), ids(want); !slices.Equal(g, w) {
							t.Errorf("order:\n got %v\nwant %v", g, w)
						}
						if want := (len(stored) + limit - 1) / limit; pages != want {
							t.Errorf("%d pages, want %d", pages, want)
						}
					})
				}
			}
		}

		t.Run("unknown sort field", func(t *testing.T) {
			if _, _, err := db.ListUnits(t.Context(), filter, paging.Page{Limit: 10, Sort: paging.Sort{Field: "path"}}); err == nil {
				t.Error("ListUnits sorted by path: no error")
			}
		})
		t.Run("cursor with a key of the wrong type", func(t *testing.T) {
			for _, field := range []string{"level", "createdAt", "updatedAt"} {
				_, _, err := db.ListUnits(t.Context(), filter, paging.Page{
					Limit: 10, Sort: paging.Sort{Field: field},
					After: &paging.Cursor{Sort: field, Key: "not-a-" + field, ID: created[0].ID},
				})
				if !errors.Is(err, paging.ErrInvalidCursor) {
					t.Errorf("%s: got error %v, want %v", field, err, paging.ErrInvalidCursor)
				}
			}
		})
	})
}

func TestListUnitsTenThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 10,000 units")
	}
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		const n, batch, limit = 10000, 2000, 500
		root := mustCreate(t, db, newUnit(areaCode(), "万级根", models.UnitCity, nil))
		all := make([]*models.Unit, 0, n)
		for i := range n {
			id := store.NewID()
			all = append(all, &models.Unit{
				ID: id, Code: fmt.Sprintf("%s-%05d", root.Code, (i*7919)%n),
				// Every name twice, in an order unlike the codes'.
				Name: fmt.Sprintf("單位%04d", (i*31)%(n/2)), Kind: models.UnitDepartment,
				ParentID: ptr(root.ID), Level: 2, Path: models.UnitPath(root.Path, id),
			})
		}
		for start := 0; start < n; start += batch {
			if err := db.CreateUnits(t.Context(), all[start:start+batch]); err != nil {
				t.Fatalf("CreateUnits[%d:]: %v", start, err)
			}
		}
		// The store fills in the search text, also on what it stores.
		probe := all[n/3]
		if want := strings.ToLower(probe.Code); !strings.Contains(probe.SearchText, want) || !strings.Contains(probe.SearchText, "单位") {
			t.Errorf("SearchText %q: want the folded name and %q", probe.SearchText, want)
		}
		if got := mustGet(t, db, probe.ID); got.SearchText != probe.SearchText || got.Version != 1 || got.Level != 2 {
			t.Errorf("stored probe: SearchText %q version %d level %d, want %q 1 2", got.SearchText, got.Version, got.Level, probe.SearchText)
		}
		found, _, err := db.ListUnits(t.Context(), models.UnitFilter{ParentID: root.ID, Query: probe.Code}, paging.Page{Limit: 10, Sort: paging.Sort{Field: "code"}})
		if err != nil || len(found) != 1 || found[0].ID != probe.ID {
			t.Errorf("search by code %s: got %v (%v), want the probe", probe.Code, ids(found), err)
		}

		for _, sort := range []string{"code", "-name"} {
			t.Run(sort, func(t *testing.T) {
				s := paging.ParseSort(sort)
				page := paging.Page{Limit: limit, Sort: s}
				seen := make(map[string]int, n)
				var prev *models.Unit
				pages := 0
				for {
					pages++
					ctx, count := countStatements(t, db)
					units, next, err := db.ListUnits(ctx, models.UnitFilter{ParentID: root.ID}, page)
					if err != nil {
						t.Fatalf("page %d: %v", pages, err)
					}
					if got := count.Load(); got != 1 {
						t.Fatalf("page %d issued %d statements, want 1", pages, got)
					}
					if len(units) != limit {
						t.Fatalf("page %d has %d units, want %d", pages, len(units), limit)
					}
					for i := range units {
						u := &units[i]
						seen[u.ID]++
						if prev != nil {
							c := compareUnits(s.Field, prev, u)
							if s.Desc {
								c = -c
							}
							if c >= 0 {
								t.Fatalf("page %d: %s (%s) does not come after %s (%s)", pages, u.Code, u.Name, prev.Code, prev.Name)
							}
						}
						prev = u
					}
					if next == nil {
						break
					}
					page.After = next
				}
				if pages != n/limit {
					t.Errorf("%d pages, want %d", pages, n/limit)
				}
				if len(seen) != n {
					t.Errorf("%d distinct units, want %d", len(seen), n)
				}
				for _, u := range all {
					if seen[u.ID] != 1 {
						t.Errorf("unit %s seen %d times, want once", u.Code, seen[u.ID])
					}
				}
			})
		}

		t.Run("subtree too large", func(t *testing.T) {
			_, err := db.UnitSubtree(t.Context(), root.ID, 1)
			checkErr(t, "UnitSubtree", err, models.ErrInvalid, "unit_subtree_too_large")
			units, err := db.UnitSubtree(t.Context(), root.ID, 0)
			if err != nil || len(units) != 1 || units[0].ID != root.ID {
				t.Errorf("UnitSubtree depth 0: got %v (%v), want the root alone", ids(units), err)
			}
		})
	})
}

func TestUnitSubtreeAndAncestors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		area := areaCode()
		u := map[string]*models.Unit{}
		// Created in this order; codes order them otherwise (and deeper units
		// before shallower ones), names otherwise again.
		for _, c := range []struct{ name, code, parent string }{
			{"root", "9", ""},
			{"a", "4", "root"},
			{"b", "3", "root"},
			{"a1", "2", "a"},
			{"a2", "1", "a"},
			{"b1", "0", "b"},
			{"a1x", "5", "a1"},
			{"other", "8", ""},
		} {
			var p *models.Unit
			if c.parent != "" {
				p = u[c.parent]
			}
			u[c.name] = mustCreate(t, db, newUnit(area+"-"+c.code, c.name, models.UnitDepartment, p))
		}
		name := func(units []models.Unit) []string {
			out := []string{}
			for _, x := range units {
				out = append(out, x.Name)
			}
			return out
		}

		subtrees := []struct {
			unit  string
			depth int
			want  []string
		}{
			{"root", 0, []string{"root"}},
			{"root", 1, []string{"root", "b", "a"}},
			{"root", 2, []string{"root", "b", "a", "b1", "a2", "a1"}},
			{"root", 3, []string{"root", "b", "a", "b1", "a2", "a1", "a1x"}},
			{"root", models.MaxUnitLevel, []string{"root", "b", "a", "b1", "a2", "a1", "a1x"}},
			{"a", 0, []string{"a"}},
			{"a", 1, []string{"a", "a2", "a1"}},
			{"a", 5, []string{"a", "a2", "a1", "a1x"}},
			{"b", 5, []string{"b", "b1"}},
			{"a1x", 3, []string{"a1x"}},
			{"other", 3, []string{"other"}},
		}
		for _, tt := range subtrees {
			t.Run(fmt.Sprintf("subtree %s depth %d", tt.unit, tt.depth), func(t *testing.T) {
				got, err := db.UnitSubtree(t.Context(), u[tt.unit].ID, tt.depth)
				if err != nil {
					t.Fatal(err)
				}
				if g := name(got); !slices.Equal(g, tt.want) {
					t.Errorf("got %v, want %v", g, tt.want)
				}
			})
		}

		ancestors := []struct {
			unit string
			want []string
		}{
			{"root", []string{}},
			{"other", []string{}},
			{"a", []string{"root"}},
			{"b1", []string{"root", "b"}},
			{"a1x", []string{"root", "a", "a1"}},
		}
		for _, tt := range ancestors {
			t.Run("ancestors of "+tt.unit, func(t *testing.T) {
				got, err := db.UnitAncestors(t.Context(), u[tt.unit].ID)
				if err != nil {
					t.Fatal(err)
				}
				if got == nil {
					t.Error("got nil, want an empty list")
				}
				if g := name(got); !slices.Equal(g, tt.want) {
					t.Errorf("got %v, want %v", g, tt.want)
				}
			})
		}

		t.Run("unknown unit", func(t *testing.T) {
			_, err := db.UnitSubtree(t.Context(), store.NewID(), 1)
			checkErr(t, "UnitSubtree", err, models.ErrNotFound, "")
			_, err = db.UnitAncestors(t.Context(), store.NewID())
			checkErr(t, "UnitAncestors", err, models.ErrNotFound, "")
		})
	})
}
