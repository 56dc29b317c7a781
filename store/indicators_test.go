package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/store"
)

// indUnits creates a city with a district and a town of the test's own.
func indUnits(t *testing.T, db *dbtest.DB) (city, district, town *models.Unit) {
	t.Helper()
	blk := areaBlock()
	city = mustCreate(t, db, newUnit(blk+"0", "盘锦市", models.UnitCity, nil))
	district = mustCreate(t, db, newUnit(blk+"1", "双台子区", models.UnitDistrict, city))
	town = mustCreate(t, db, newUnit(blk+"1001", "红旗街道", models.UnitTown, district))
	return city, district, town
}

// newIndSystem creates a draft system issued by unit.
func newIndSystem(t *testing.T, db *dbtest.DB, unit *models.Unit, name, total string) *models.IndicatorSystem {
	t.Helper()
	s := &models.IndicatorSystem{Name: name, IssuingUnitID: unit.ID, Edition: "2021年版", YearFrom: 2021, YearTo: 2021,
		TotalPoints: exact.MustParse(total)}
	if err := db.CreateIndicatorSystem(t.Context(), s); err != nil {
		t.Fatalf("CreateIndicatorSystem: %v", err)
	}
	return s
}

// newInd builds an unsaved indicator.
func newInd(code, points string, parent *models.Indicator) *models.Indicator {
	ind := &models.Indicator{Code: code, Name: "指标" + code, Points: exact.MustParse(points), ValueType: "number",
		Direction: "higher_better", Aggregation: "sum", Frequency: "year"}
	if parent != nil {
		ind.ParentID = ptr(parent.ID)
	}
	return ind
}

func mustCreateInd(t *testing.T, db *dbtest.DB, systemID string, ind *models.Indicator) *models.Indicator {
	t.Helper()
	if err := db.CreateIndicator(t.Context(), systemID, ind); err != nil {
		t.Fatalf("CreateIndicator(%s): %v", ind.Code, err)
	}
	return ind
}

// buildTree adds n indicators to a system on three levels, every level-2
// indicator under the last level-1 one and every level-3 under the last level
// 2. Every third has two reporting units, every seventh a lead unit.
func buildTree(t *testing.T, db *dbtest.DB, systemID string, n int, district, town *models.Unit) []*models.Indicator {
	t.Helper()
	var l1, l2 *models.Indicator
	out := make([]*models.Indicator, 0, n)
	for i := 0; i < n; i++ {
		var parent *models.Indicator
		switch {
		case i%25 == 0:
		case i%5 == 1 || l2 == nil:
			parent = l1
		default:
			parent = l2
		}
		ind := newInd(fmt.Sprint(i+1), "1.50", parent)
		ind.SortOrder = i % 4
		if i%3 == 0 {
			ind.ReportingUnitIDs = []string{town.ID, district.ID}
		}
		if i%7 == 0 {
			ind.LeadUnitID = ptr(district.ID)
		}
		mustCreateInd(t, db, systemID, ind)
		switch ind.Level {
		case 1:
			l1, l2 = ind, nil
		case 2:
			l2 = ind
		}
		out = append(out, ind)
	}
	return out
}

// rowCount counts the rows of a table matching a condition, bypassing the store.
func rowCount(t *testing.T, db *dbtest.DB, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := store.GormOf(db.DB).Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

var treeOrder = paging.Page{Limit: paging.MaxLimit, Sort: paging.ParseSort("tree")}

func TestIndicatorReadsIssueConstantStatements(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		city, district, town := indUnits(t, db)
		type counts struct{ tree, list, filtered, page int64 }
		got := map[int]counts{}
		for _, n := range []int{5, 300} {
			s := newIndSystem(t, db, city, fmt.Sprintf("常数查询 %d %s", n, dbtest.RandomSuffix()), "100")
			buildTree(t, db, s.ID, n, district, town)
			var c counts

			ctx, count := countStatements(t, db)
			sys, inds, err := db.IndicatorTree(ctx, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			c.tree = count.Load()
			if sys.ID != s.ID || len(inds) != n {
				t.Fatalf("tree of %d: system %s, %d indicators", n, sys.ID, len(inds))
			}
			links := 0
			for _, ind := range inds {
				links += len(ind.ReportingUnitIDs)
				if ind.ReportingUnitIDs == nil {
					t.Fatalf("indicator %s has nil reporting units", ind.Code)
				}
			}
			if want := 2 * ((n + 2) / 3); links != want {
				t.Errorf("tree of %d carries %d reporting units, want %d", n, links, want)
			}
			// Parents before children.
			seen := map[string]bool{}
			for _, ind := range inds {
				if ind.ParentID != nil && !seen[*ind.ParentID] {
					t.Fatalf("indicator %s comes before its parent", ind.Code)
				}
				seen[ind.ID] = true
			}

			ctx, count = countStatements(t, db)
			list, next, err := db.ListIndicators(ctx, s.ID, models.IndicatorFilter{}, treeOrder)
			if err != nil {
				t.Fatal(err)
			}
			c.list = count.Load()
			if len(list) != n || next != nil {
				t.Fatalf("list of %d: %d indicators, next %v", n, len(list), next)
			}
			listed := 0
			for _, ind := range list {
				listed += len(ind.ReportingUnitIDs)
			}
			if listed != links {
				t.Errorf("list of %d carries %d reporting units, the tree %d", n, listed, links)
			}

			ctx, count = countStatements(t, db)
			if _, _, err := db.ListIndicators(ctx, s.ID, models.IndicatorFilter{Level: 3, Query: "指标"}, treeOrder); err != nil {
				t.Fatal(err)
			}
			c.filtered = count.Load()

			// Every page of a paged read costs the same.
			page := paging.Page{Limit: 2, Sort: paging.ParseSort("tree")}
			var paged []string
			for pages := 0; ; pages++ {
				if pages > n {
					t.Fatal("paging does not end")
				}
				ctx, count = countStatements(t, db)
				items, next, err := db.ListIndicators(ctx, s.ID, models.IndicatorFilter{}, page)
				if err != nil {
					t.Fatal(err)
				}
				if c.page == 0 {
					c.page = count.Load()
				} else if count.Load() != c.page {
					t.Fatalf("page %d issued %d statements, the first %d", pages, count.Load(), c.page)
				}
				for _, ind := range items {
					paged = append(paged, ind.ID)
				}
				if next == nil {
					break
				}
				page.After = next
			}
			var whole []string
			for _, ind := range list {
				whole = append(whole, ind.ID)
			}
			if !slices.Equal(paged, whole) {
				t.Errorf("paging by 2 gives another order than one page (%d and %d indicators)", len(paged), len(whole))
			}
			got[n] = c
		}
		t.Logf("statements: %+v", got)
		if got[5] != got[300] {
			t.Errorf("statements for 5 indicators %+v, for 300 %+v: not constant", got[5], got[300])
		}
		if c := got[300]; c.tree > 3 || c.list > 3 || c.filtered > 3 || c.page > 3 {
			t.Errorf("statements %+v, want at most 3 each", c)
		}
	})
}

type txProbeKey struct{}

// txProbe records, for the statements run in its context, how many ran inside
// a transaction, and fails the statement named fail (a table) when set.
type txProbe struct {
	inTx, outside atomic.Int64
	fail          string
}

var (
	probed      sync.Map
	errInjected = errors.New("injected failure")
)

// probeStatements returns a context whose statements the probe watches.
func probeStatements(t *testing.T, db *dbtest.DB, p *txProbe) context.Context {
	t.Helper()
	g := store.GormOf(db.DB)
	if _, done := probed.LoadOrStore(g, true); !done {
		watch := func(tx *gorm.DB) {
			p, ok := tx.Statement.Context.Value(txProbeKey{}).(*txProbe)
			if !ok {
				return
			}
			if _, inTx := tx.Statement.ConnPool.(gorm.TxCommitter); inTx {
				p.inTx.Add(1)
			} else {
				p.outside.Add(1)
			}
			if p.fail != "" && tx.Statement.Table == p.fail {
				_ = tx.AddError(errInjected)
			}
		}
		cb := g.Callback()
		for _, err := range []error{
			cb.Query().Before("gorm:query").Register("fazhi_test:probe_query", watch),
			cb.Row().Before("gorm:row").Register("fazhi_test:probe_row", watch),
			cb.Raw().Before("gorm:raw").Register("fazhi_test:probe_raw", watch),
			cb.Create().Before("gorm:create").Register("fazhi_test:probe_create", watch),
			cb.Update().Before("gorm:update").Register("fazhi_test:probe_update", watch),
			cb.Delete().Before("gorm:delete").Register("fazhi_test:probe_delete", watch),
		} {
			if err != nil {
				t.Fatalf("register transaction probe: %v", err)
			}
		}
	}
	return context.WithValue(t.Context(), txProbeKey{}, p)
}

func TestNewEditionCopiesTheTreeInOneTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		city, district, town := indUnits(t, db)
		name := "新版 " + dbtest.RandomSuffix()
		src := newIndSystem(t, db, city, name, "100.0")
		const n = 450 // more than one batch of indicators
		buildTree(t, db, src.ID, n, district, town)
		_, before, err := db.IndicatorTree(t.Context(), src.ID)
		if err != nil {
			t.Fatal(err)
		}
		srcIDs := make([]string, len(before))
		for i, ind := range before {
			srcIDs[i] = ind.ID
		}

		// A failure while copying the reporting units leaves nothing behind.
		failing := &txProbe{fail: "indicator_reporting_units"}
		_, err = db.NewEdition(probeStatements(t, db, failing), src.ID, models.IndicatorSystem{Edition: "失败", YearFrom: 2022, YearTo: 2022})
		if !errors.Is(err, errInjected) {
			t.Fatalf("NewEdition with a failing copy = %v, want the injected failure", err)
		}
		if systems, _, err := db.ListIndicatorSystems(t.Context(), models.SystemFilter{Query: name}, paging.Page{Limit: 10, Sort: paging.ParseSort("name")}); err != nil || len(systems) != 1 {
			t.Fatalf("systems named %s after the failed copy: %d (%v)", name, len(systems), err)
		}
		if left := rowCount(t, db, "indicators", "source_indicator_id IN ?", srcIDs); left != 0 {
			t.Fatalf("%d copies left by the failed edition", left)
		}

		later := clk.Advance(time.Hour)
		probe := &txProbe{}
		ctx, count := models.WithStatementCount(probeStatements(t, db, probe))
		ed, err := db.NewEdition(ctx, src.ID, models.IndicatorSystem{Edition: "2022年版", YearFrom: 2022, YearTo: 2023})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("NewEdition: %d statements, %d in a transaction", count.Load(), probe.inTx.Load())
		if probe.outside.Load() != 0 || probe.inTx.Load() == 0 {
			t.Errorf("NewEdition ran %d statements outside a transaction and %d inside", probe.outside.Load(), probe.inTx.Load())
		}
		// Batched: the statements do not grow with each indicator, only
		// with each piece of BatchSize rows written (indicators and
		// their events).
		if c := count.Load(); c > 15+2*int64(n/store.BatchSize) {
			t.Errorf("NewEdition of %d indicators issued %d statements", n, c)
		}
		if ed.Status != models.SystemDraft || ed.PreviousEditionID == nil || *ed.PreviousEditionID != src.ID || ed.Name != src.Name ||
			ed.TotalPoints.String() != "100.0" || ed.Version != 1 || !ed.CreatedAt.Equal(later) || ed.PublishedAt != nil {
			t.Errorf("edition %+v", ed)
		}

		_, after, err := db.IndicatorTree(t.Context(), ed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != n {
			t.Fatalf("%d indicators copied, want %d", len(after), n)
		}
		bySource := map[string]models.Indicator{}
		for _, c := range after {
			if c.SourceIndicatorID == nil {
				t.Fatalf("copy %s has no source", c.Code)
			}
			bySource[*c.SourceIndicatorID] = c
		}
		newID := map[string]string{}
		for _, s := range before {
			newID[s.ID] = bySource[s.ID].ID
		}
		links := 0
		for _, s := range before {
			c, ok := bySource[s.ID]
			if !ok {
				t.Fatalf("indicator %s was not copied", s.Code)
			}
			links += len(c.ReportingUnitIDs)
			if c.ID == s.ID || c.SystemID != ed.ID || c.Code != s.Code || c.Name != s.Name || c.Level != s.Level ||
				c.Points.String() != s.Points.String() || c.SortOrder != s.SortOrder || deref(c.LeadUnitID) != deref(s.LeadUnitID) ||
				!slices.Equal(c.ReportingUnitIDs, s.ReportingUnitIDs) || c.Version != 1 || !c.CreatedAt.Equal(later) {
				t.Fatalf("copy of %s differs:\n got %+v\nfrom %+v", s.Code, c, s)
			}
			if (s.ParentID == nil) != (c.ParentID == nil) || s.ParentID != nil && *c.ParentID != newID[*s.ParentID] {
				t.Fatalf("copy of %s has parent %s, want the copy of %s", s.Code, deref(c.ParentID), deref(s.ParentID))
			}
		}
		if want := 2 * ((n + 2) / 3); links != want {
			t.Errorf("%d reporting units copied, want %d", links, want)
		}

		// The source is untouched.
		_, again, err := db.IndicatorTree(t.Context(), src.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != n {
			t.Fatalf("source has %d indicators", len(again))
		}
		for i := range again {
			if again[i].ID != before[i].ID || again[i].Version != before[i].Version || again[i].SystemID != src.ID {
				t.Fatalf("source indicator %s changed: %+v", before[i].Code, again[i])
			}
		}
	})
}

func TestDeleteIndicatorSystemRemovesItsTree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		city, district, town := indUnits(t, db)
		s := newIndSystem(t, db, city, "删除 "+dbtest.RandomSuffix(), "100")
		inds := buildTree(t, db, s.ID, 60, district, town)
		ids := make([]string, len(inds))
		for i, ind := range inds {
			ids[i] = ind.ID
		}
		if n := rowCount(t, db, "indicator_reporting_units", "indicator_id IN ?", ids); n != 40 {
			t.Fatalf("%d reporting units before the delete, want 40", n)
		}

		err := db.DeleteIndicatorSystem(ctx, s.ID, 7)
		checkErr(t, "stale delete", err, models.ErrPrecondition, "")
		if err := db.DeleteIndicatorSystem(ctx, s.ID, s.Version); err != nil {
			t.Fatal(err)
		}
		if n := rowCount(t, db, "indicators", "system_id = ?", s.ID); n != 0 {
			t.Errorf("%d indicators left", n)
		}
		if n := rowCount(t, db, "indicator_reporting_units", "indicator_id IN ?", ids); n != 0 {
			t.Errorf("%d reporting units left", n)
		}
		_, err = db.GetIndicatorSystem(ctx, s.ID)
		checkErr(t, "get deleted system", err, models.ErrNotFound, "")
		_, err = db.GetIndicator(ctx, ids[len(ids)-1])
		checkErr(t, "get deleted indicator", err, models.ErrNotFound, "")
		err = db.DeleteIndicatorSystem(ctx, s.ID, s.Version)
		checkErr(t, "delete again", err, models.ErrNotFound, "")

		// Nothing refers to the units any more.
		for _, u := range []*models.Unit{town, district, city} {
			if err := db.DeleteUnit(ctx, u.ID, u.Version); err != nil {
				t.Errorf("DeleteUnit(%s): %v", u.Name, err)
			}
		}
	})
}

func TestIndicatorDecimalsKeepTheirScale(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		city, _, _ := indUnits(t, db)
		s := newIndSystem(t, db, city, "小数 "+dbtest.RandomSuffix(), "100.00")
		values := []string{"58.10", "0.500", "100", "2.50", "0", "0.000001", "123456789012345.123456", "7.0"}
		var inds []*models.Indicator
		for i, v := range values {
			inds = append(inds, mustCreateInd(t, db, s.ID, newInd(fmt.Sprint(i+1), v, nil)))
		}
		for i, ind := range inds {
			got, err := db.GetIndicator(ctx, ind.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Points.String() != values[i] {
				t.Errorf("GetIndicator points %s, want %s", got.Points, values[i])
			}
			var stored string
			if err := store.GormOf(db.DB).Table("indicators").Where("id = ?", ind.ID).Pluck("points", &stored).Error; err != nil {
				t.Fatal(err)
			}
			if stored != values[i] {
				t.Errorf("column points holds %q, want %q", stored, values[i])
			}
		}
		_, tree, err := db.IndicatorTree(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		list, _, err := db.ListIndicators(ctx, s.ID, models.IndicatorFilter{}, treeOrder)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		for i, ind := range inds {
			want[ind.ID] = values[i]
		}
		for _, got := range append(tree, list...) {
			if got.Points.String() != want[got.ID] {
				t.Errorf("indicator %s read as %s, want %s", got.Code, got.Points, want[got.ID])
			}
		}

		sys, err := db.GetIndicatorSystem(ctx, s.ID)
		if err != nil || sys.TotalPoints.String() != "100.00" {
			t.Fatalf("total %v (%v), want 100.00", sys, err)
		}
		updated, err := db.UpdateIndicatorSystem(ctx, s.ID, 1, models.SystemPatch{TotalPoints: ptr(exact.MustParse("58.10"))})
		if err != nil || updated.TotalPoints.String() != "58.10" {
			t.Fatalf("update total: %v (%v)", updated, err)
		}
		if sys, err = db.GetIndicatorSystem(ctx, s.ID); err != nil || sys.TotalPoints.String() != "58.10" {
			t.Fatalf("total after update %v (%v), want 58.10", sys, err)
		}
		ind, err := db.UpdateIndicator(ctx, inds[1].ID, 1, models.IndicatorPatch{Points: ptr(exact.MustParse("0.50000"))})
		if err != nil || ind.Points.String() != "0.50000" {
			t.Fatalf("update points: %v (%v)", ind, err)
		}
		if got, err := db.GetIndicator(ctx, inds[1].ID); err != nil || got.Points.String() != "0.50000" {
			t.Fatalf("points after update %v (%v)", got, err)
		}
		ed, err := db.NewEdition(ctx, s.ID, models.IndicatorSystem{Edition: "2022年版", YearFrom: 2022, YearTo: 2022})
		if err != nil || ed.TotalPoints.String() != "58.10" {
			t.Fatalf("edition %v (%v)", ed, err)
		}
		_, copies, err := db.IndicatorTree(ctx, ed.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range copies {
			w := want[*c.SourceIndicatorID]
			if *c.SourceIndicatorID == inds[1].ID {
				w = "0.50000"
			}
			if c.Points.String() != w {
				t.Errorf("copy of %s has points %s, want %s", c.Code, c.Points, w)
			}
		}
	})
}

func TestMoveIndicatorSubtree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		clk := setClock(t, db, t0)
		ctx := t.Context()
		city, _, _ := indUnits(t, db)
		s := newIndSystem(t, db, city, "移动 "+dbtest.RandomSuffix(), "100")
		top := mustCreateInd(t, db, s.ID, newInd("A", "10", nil))
		// A chain that repeats its code on every level.
		a := mustCreateInd(t, db, s.ID, newInd("1", "10", nil))
		b := mustCreateInd(t, db, s.ID, newInd("1", "10", a))
		c := mustCreateInd(t, db, s.ID, newInd("1", "10", b))
		d := mustCreateInd(t, db, s.ID, newInd("1", "10", c))
		chain := []*models.Indicator{a, b, c, d}
		levels := func(what string, first int, version int64) {
			t.Helper()
			for i, ind := range chain {
				got, err := db.GetIndicator(ctx, ind.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Level != first+i || got.Version != version {
					t.Errorf("%s: indicator %d at level %d version %d, want level %d version %d", what, i, got.Level, got.Version, first+i, version)
				}
			}
		}
		now := clk.Advance(time.Minute)
		moved, err := db.UpdateIndicator(ctx, a.ID, 1, models.IndicatorPatch{Move: true, ParentID: &top.ID})
		if err != nil {
			t.Fatalf("move down: %v", err)
		}
		if moved.Level != 2 || !moved.UpdatedAt.Equal(now) {
			t.Errorf("moved %+v", moved)
		}
		levels("down", 2, 2)
		if got, _ := db.GetIndicator(ctx, d.ID); !got.UpdatedAt.Equal(now) {
			t.Errorf("descendant updated at %v, want %v", got.UpdatedAt, now)
		}
		if _, err := db.UpdateIndicator(ctx, a.ID, 2, models.IndicatorPatch{Move: true}); err != nil {
			t.Fatalf("move up: %v", err)
		}
		levels("up", 1, 3)

		_, err = db.UpdateIndicator(ctx, a.ID, 3, models.IndicatorPatch{Move: true, ParentID: &c.ID})
		checkErr(t, "move under a descendant", err, models.ErrInvalid, "indicator_move_cycle")
		_, err = db.UpdateIndicator(ctx, a.ID, 3, models.IndicatorPatch{Move: true, ParentID: &a.ID})
		checkErr(t, "move under itself", err, models.ErrInvalid, "indicator_move_cycle")
		// Eight levels at most: the chain a(1) … d(4) grows to g(7).
		e := mustCreateInd(t, db, s.ID, newInd("E", "1", d))
		f := mustCreateInd(t, db, s.ID, newInd("F", "1", e))
		g := mustCreateInd(t, db, s.ID, newInd("G", "1", f))
		_, err = db.UpdateIndicator(ctx, a.ID, 3, models.IndicatorPatch{Move: true, ParentID: &g.ID})
		checkErr(t, "move under a deep descendant", err, models.ErrInvalid, "indicator_move_cycle")
		x := mustCreateInd(t, db, s.ID, newInd("X", "1", nil))
		_, err = db.UpdateIndicator(ctx, x.ID, 1, models.IndicatorPatch{Move: true, ParentID: &g.ID}) // level 8: fits
		checkErr(t, "move to level 8", err, nil, "")
		_, err = db.UpdateIndicator(ctx, a.ID, 3, models.IndicatorPatch{Move: true, ParentID: &top.ID}) // x would be at 9
		checkErr(t, "move too deep", err, models.ErrInvalid, "indicator_too_deep")
		levels("after refused moves", 1, 3)
	})
}

// TestCascadedIndicatorChangesAreAudited: a write that changes indicators
// besides the one named (a system deleted with its tree, a new edition's
// copies) records an event for each of them, under the issuing unit.
func TestCascadedIndicatorChangesAreAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		city, district, town := indUnits(t, db)
		s := newIndSystem(t, db, city, "审计 "+dbtest.RandomSuffix(), "100")
		inds := buildTree(t, db, s.ID, 12, district, town)
		events := func(entityType, entityID, operation string) int {
			t.Helper()
			got, _, err := db.ListAuditEvents(ctx, models.AuditFilter{EntityType: entityType, EntityID: entityID, Operation: operation},
				paging.Page{Limit: paging.MaxLimit, Sort: paging.Sort{Field: "seq"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range got {
				if e.UnitID == nil || *e.UnitID != city.ID || e.UnitPath != city.Path {
					t.Errorf("event %d of %s %s is not under the issuing unit: %v %q", e.Seq, entityType, entityID, e.UnitID, e.UnitPath)
				}
			}
			return len(got)
		}
		edition, err := db.NewEdition(ctx, s.ID, models.IndicatorSystem{Edition: "2022年版", YearFrom: 2022, YearTo: 2022})
		if err != nil {
			t.Fatal(err)
		}
		_, copies, err := db.IndicatorTree(ctx, edition.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range copies {
			if n := events("indicator", c.ID, ""); n != 1 {
				t.Errorf("copy %s has %d events, want 1", c.Code, n)
			}
		}
		if err := db.DeleteIndicatorSystem(ctx, edition.ID, edition.Version); err != nil {
			t.Fatal(err)
		}
		for _, c := range copies {
			if n := events("indicator", c.ID, ""); n != 2 {
				t.Errorf("deleted copy %s has %d events, want 2 (created, deleted)", c.Code, n)
			}
		}
		if n := events("indicator_system", s.ID, ""); n != 1 {
			t.Errorf("the source system has %d events, want 1", n)
		}
		if len(inds) != len(copies) {
			t.Errorf("%d copies of %d indicators", len(copies), len(inds))
		}
	})
}
