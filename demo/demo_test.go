package demo_test

import (
	"os"
	"testing"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

func TestUnitsFormOneValidTree(t *testing.T) {
	units := demo.Units()
	byID := map[string]*models.Unit{}
	codes := map[string]bool{}
	kinds := map[models.UnitKind]int{}
	for _, u := range units {
		if err := u.Validate(); err != nil {
			t.Errorf("%s: %v", u.Name, err)
		}
		if byID[u.ID] != nil || codes[u.Code] {
			t.Errorf("%s: id or code repeated", u.Name)
		}
		byID[u.ID], codes[u.Code] = u, true
		kinds[u.Kind]++
		if u.ParentID == nil {
			if u.ID != demo.PanjinCity {
				t.Errorf("%s is a second root", u.Name)
			}
			continue
		}
		p := byID[*u.ParentID]
		if p == nil {
			t.Errorf("%s comes before its parent", u.Name)
			continue
		}
		if u.Level != p.Level+1 || u.Path != models.UnitPath(p.Path, u.ID) {
			t.Errorf("%s: level %d path %s under %s", u.Name, u.Level, u.Path, p.Path)
		}
	}
	// The seed report names or implies these; the issue asks for at least 24 departments.
	if kinds[models.UnitDepartment] < 24 || kinds[models.UnitDistrict] != 3 || kinds[models.UnitCounty] != 1 || kinds[models.UnitEconomicZone] < 3 {
		t.Errorf("kinds = %v", kinds)
	}
	for id, name := range map[string]string{demo.PanjinCity: "盤錦市", demo.JusticeBureau: "盤錦市司法局", demo.Xinglongtai: "興隆台區"} {
		if u := byID[id]; u == nil || u.Name != name {
			t.Errorf("fixed id %s is not %s", id, name)
		}
	}
	if o := byID[demo.RuleOfLawOffice]; o == nil || *o.ParentID != demo.JusticeBureau {
		t.Errorf("the rule-of-law office is not in the Justice Bureau")
	}
}

func TestSeedIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		n, err := demo.Seed(ctx, db, demo.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n != len(demo.Units()) {
			t.Errorf("first seed added %d, want %d", n, len(demo.Units()))
		}
		before, err := db.GetUnit(ctx, demo.JusticeBureau)
		if err != nil {
			t.Fatal(err)
		}
		n, err = demo.Seed(ctx, db, demo.Options{})
		if err != nil || n != 0 {
			t.Fatalf("second seed added %d (%v), want 0", n, err)
		}
		after, err := db.GetUnit(ctx, demo.JusticeBureau)
		if err != nil {
			t.Fatal(err)
		}
		if after.Version != before.Version || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("second seed changed a unit: %+v -> %+v", before, after)
		}
		all, _, err := db.ListUnits(ctx, models.UnitFilter{}, paging.Page{Limit: paging.MaxLimit, Sort: paging.Sort{Field: "code"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != len(demo.Units()) {
			t.Errorf("%d units after seeding twice, want %d", len(all), len(demo.Units()))
		}
	})
}
