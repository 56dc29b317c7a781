package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"testing"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pageAll follows nextCursor from the first page of query and returns the ids
// in the order received.
func pageAll(t *testing.T, h *harness, query url.Values) []string {
	t.Helper()
	var ids []string
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		resp := h.Get(unitsPath+"?"+query.Encode(), nil)
		expect(t, resp, http.StatusOK, "")
		var page api.UnitPage
		resp.JSON(t, &page)
		for _, u := range page.Items {
			ids = append(ids, u.Id.String())
		}
		if page.NextCursor == nil {
			return ids
		}
		query.Set("cursor", *page.NextCursor)
	}
}

func TestListUnitsFiltersAndSorts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		p := areaCode()
		root := h.createUnit(t, map[string]any{"code": p, "name": "盤錦市", "kind": "city"})
		names := []string{"盤錦市司法局", "盤錦市公安局", "雙台子區", "盘锦市财政局"}
		kinds := []string{"department", "department", "district", "department"}
		for i, n := range names {
			// A department's code is its city's and a suffix; a district has a division code of its own.
			code := fmt.Sprintf("%s-%d", p, i)
			if kinds[i] == "district" {
				code = areaCode()
			}
			h.createUnit(t, map[string]any{"code": code, "name": n, "kind": kinds[i], "parentId": root.Id.String()})
		}
		list := func(q url.Values) []api.Unit {
			t.Helper()
			resp := h.Get(unitsPath+"?"+q.Encode(), nil)
			expect(t, resp, http.StatusOK, "")
			var page api.UnitPage
			resp.JSON(t, &page)
			return page.Items
		}
		parent := root.Id.String()
		if got := list(url.Values{"parentId": {parent}}); len(got) != 4 {
			t.Errorf("children: %d, want 4", len(got))
		}
		if got := list(url.Values{"parentId": {parent}, "kind": {"district"}}); len(got) != 1 || got[0].Name != "雙台子區" {
			t.Errorf("kind=district: %+v", got)
		}
		if got := list(url.Values{"q": {p}, "level": {"1"}}); len(got) != 1 || got[0].Id != root.Id {
			t.Errorf("level=1: %+v", got)
		}
		// Simplified finds traditional and the other way round.
		if got := list(url.Values{"parentId": {parent}, "q": {"盘锦市司法"}}); len(got) != 1 || got[0].Name != "盤錦市司法局" {
			t.Errorf("q=盘锦市司法: %+v", got)
		}
		if got := list(url.Values{"parentId": {parent}, "q": {"盤錦市財政"}}); len(got) != 1 || got[0].Name != "盘锦市财政局" {
			t.Errorf("q=盤錦市財政: %+v", got)
		}
		if got := list(url.Values{"parentId": {parent}, "q": {"%"}}); len(got) != 0 {
			t.Errorf("q=%% matched %d units: wildcards must be literal", len(got))
		}
		if got := list(url.Values{"parentId": {parent}, "q": {p + "-3"}}); len(got) != 1 {
			t.Errorf("q by code: %+v", got)
		}
		for _, sort := range []string{"code", "-code", "name", "-name", "level", "-level", "createdAt", "-createdAt", "updatedAt", "-updatedAt"} {
			got := list(url.Values{"parentId": {parent}, "sort": {sort}, "limit": {"500"}})
			if !sortedBy(got, sort) {
				t.Errorf("sort=%s: out of order", sort)
			}
		}
	})
}

// sortedBy checks the order of a page against the declared sort, ties by id.
func sortedBy(units []api.Unit, sort string) bool {
	desc := sort[0] == '-'
	field := sort
	if desc {
		field = sort[1:]
	}
	less := func(a, b api.Unit) int {
		var c int
		switch field {
		case "code":
			c = cmp(a.Code, b.Code)
		case "name":
			c = cmp(a.Name, b.Name)
		case "level":
			c = cmp(a.Level, b.Level)
		case "createdAt":
			c = a.CreatedAt.Compare(b.CreatedAt)
		case "updatedAt":
			c = a.UpdatedAt.Compare(b.UpdatedAt)
		}
		if c == 0 {
			c = cmp(a.Id.String(), b.Id.String())
		}
		if desc {
			c = -c
		}
		return c
	}
	for i := 1; i < len(units); i++ {
		if less(units[i-1], units[i]) > 0 {
			return false
		}
	}
	return true
}

func cmp[T int32 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestListUnitsErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		var first api.UnitPage
		h.Get(unitsPath+"?limit=1&sort=name", nil).JSON(t, &first)
		if first.NextCursor == nil {
			t.Fatal("expected a second page")
		}
		tests := []struct {
			name, query, param string
		}{
			{"unknown parameter", "colour=red", "query.colour"},
			{"limit zero", "limit=0", "query.limit"},
			{"limit too big", "limit=501", "query.limit"},
			{"limit not a number", "limit=ten", "query.limit"},
			{"unknown sort", "sort=colour", "query.sort"},
			{"unknown kind", "kind=planet", "query.kind"},
			{"level out of range", "level=17", "query.level"},
			{"empty q", "q=", "query.q"},
			{"q too long", "q=" + url.QueryEscape(string(make([]rune, 101))), "query.q"},
			{"invalid UTF-8", "q=%FF%FE", "query.q"},
			{"repeated limit", "limit=1&limit=2", "query.limit"},
			{"garbage cursor", "cursor=abc", "query.cursor"},
			{"cursor with other sort", "sort=code&cursor=" + *first.NextCursor, "query.cursor"},
			{"cursor with other filter", "sort=name&kind=city&cursor=" + *first.NextCursor, "query.cursor"},
			{"bad parentId", "parentId=x", "query.parentId"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := h.Get(unitsPath+"?"+tt.query, nil)
				if resp.Status != http.StatusBadRequest {
					t.Fatalf("status %d, want 400; body %s", resp.Status, resp.Body)
				}
				if prob := resp.Problem(t); !hasPointer(prob, tt.param) {
					t.Errorf("errors %+v do not name %s", prob.Errors, tt.param)
				}
			})
		}
		// A malformed query string is refused as a whole.
		expect(t, h.Get(unitsPath+"?limit=%zz", nil), http.StatusBadRequest, "invalid_request")
	})
}

// TestPagingTenThousandUnits pages through 10,000 siblings by cursor, in two
// orders, and sees each exactly once.
func TestPagingTenThousandUnits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		h := newHarness(t, db, server.Config{})
		root := &models.Unit{ID: store.NewID(), Code: areaCode(), Name: "萬", Kind: models.UnitCity, Level: 1}
		root.Path = models.UnitPath("", root.ID)
		units := []*models.Unit{root}
		want := map[string]bool{}
		for i := 0; i < 10000; i++ {
			// Names repeat, so ordering by name leans on the id tie-break.
			u := &models.Unit{ID: store.NewID(), Code: fmt.Sprintf("%s%06d", root.Code, (i*7919)%10000), Name: fmt.Sprintf("村%03d", i%300),
				Kind: models.UnitVillage, ParentID: &root.ID, Level: 2}
			u.Path = models.UnitPath(root.Path, u.ID)
			units = append(units, u)
			want[u.ID] = true
		}
		if err := db.CreateUnits(t.Context(), units); err != nil {
			t.Fatal(err)
		}
		for _, sortBy := range []string{"code", "-name"} {
			ids := pageAll(t, h, url.Values{"parentId": {root.ID}, "limit": {"500"}, "sort": {sortBy}})
			seen := map[string]int{}
			for _, id := range ids {
				seen[id]++
			}
			var dup, missing []string
			for id, n := range seen {
				if n > 1 {
					dup = append(dup, id)
				}
			}
			for id := range want {
				if seen[id] == 0 {
					missing = append(missing, id)
				}
			}
			sort.Strings(dup)
			if len(ids) != 10000 || len(dup) > 0 || len(missing) > 0 {
				t.Errorf("sort %s: %d ids, %d duplicated, %d missing", sortBy, len(ids), len(dup), len(missing))
			}
		}
	})
}
