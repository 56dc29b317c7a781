package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/store"
)

// sheetSetup is a published quarterly system of 2021 with a number indicator
// (50 points) and a text one, issued by a city of the test's own with a
// district, a town and two more units below it.
type sheetSetup struct {
	city, district, town, dept1, dept2 *models.Unit
	system                             *models.IndicatorSystem
	num, text                          *models.Indicator
}

func newSheetSetup(t *testing.T, db *dbtest.DB) sheetSetup {
	t.Helper()
	city, district, town := indUnits(t, db)
	s := sheetSetup{city: city, district: district, town: town,
		dept1: mustCreate(t, db, newUnit(city.Code+"-p1", "市司法局", models.UnitDepartment, city)),
		dept2: mustCreate(t, db, newUnit(city.Code+"-p2", "市公安局", models.UnitDepartment, city)),
	}
	s.system = newIndSystem(t, db, city, "填报表测试 "+dbtest.RandomSuffix(), "100")
	s.num = newInd("1", "50", nil)
	s.num.Frequency = "quarter"
	mustCreateInd(t, db, s.system.ID, s.num)
	s.text = newInd("2", "50", nil)
	s.text.Frequency, s.text.ValueType = "quarter", "text"
	mustCreateInd(t, db, s.system.ID, s.text)
	if _, err := db.PublishIndicatorSystem(t.Context(), s.system.ID); err != nil {
		t.Fatalf("PublishIndicatorSystem: %v", err)
	}
	return s
}

// stored inserts a value of the number indicator as it is given, state
// included (CreateValues), and returns it.
func (s sheetSetup) stored(t *testing.T, db *dbtest.DB, unit *models.Unit, period string, status models.ValueStatus, value string) *models.IndicatorValue {
	t.Helper()
	v := &models.IndicatorValue{IndicatorID: s.num.ID, SystemID: s.system.ID, UnitID: unit.ID, Period: period, Year: 2021,
		Value: ptr(exact.MustParse(value)), Qualifier: "exact", Status: status}
	if err := db.CreateValues(t.Context(), []*models.IndicatorValue{v}); err != nil {
		t.Fatalf("CreateValues(%s %s %s): %v", unit.Code, period, status, err)
	}
	return v
}

// read reads a value back, failing the test if it is not there.
func read(t *testing.T, db *dbtest.DB, id string) *models.IndicatorValue {
	t.Helper()
	v, _, err := db.GetValue(t.Context(), id)
	if err != nil {
		t.Fatalf("GetValue(%s): %v", id, err)
	}
	return v
}

// showValue renders what a value holds and its state, scale included.
func showValue(v *models.IndicatorValue) string {
	d := func(p *exact.Decimal) string {
		if p == nil {
			return "<nil>"
		}
		return p.String()
	}
	asOf := "<nil>"
	if v.AsOf != nil {
		asOf = v.AsOf.Format(time.DateOnly)
	}
	yn := "<nil>"
	if v.YesNo != nil {
		yn = fmt.Sprint(*v.YesNo)
	}
	return fmt.Sprintf("%s/%s/%s %s v%d value=%s yesNo=%s text=%s q=%s raw=%s asOf=%s score=%s comment=%s",
		v.IndicatorID, v.UnitID, v.Period, v.Status, v.Version, d(v.Value), yn, deref(v.Text), v.Qualifier, deref(v.RawText),
		asOf, d(v.SelfScore), deref(v.Comment))
}

// systemState is every value of a system, shown, by id.
func systemState(t *testing.T, db *dbtest.DB, systemID string) map[string]string {
	t.Helper()
	vs, _, err := db.ListValues(t.Context(), models.ValueFilter{SystemID: systemID}, paging.Page{Limit: paging.MaxLimit})
	if err != nil {
		t.Fatalf("ListValues: %v", err)
	}
	out := map[string]string{}
	for i := range vs {
		out[vs[i].ID] = showValue(&vs[i])
	}
	return out
}

func sameState(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// absentIDs are n ids no record has.
func absentIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = store.NewID()
	}
	return out
}

func unitCodesOf(units []models.Unit) []string {
	out := make([]string, len(units))
	for i, u := range units {
		out[i] = u.Code
	}
	return out
}

func TestUnitsByCodes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		city, district, town := indUnits(t, db)
		// A code with letters, for the case.
		zone := mustCreate(t, db, newUnit(city.Code+"-J01", "经济开发区", models.UnitEconomicZone, city))
		many := make([]string, 2100)
		for i := range many {
			many[i] = fmt.Sprintf("%s-absent-%d", city.Code, i)
		}
		// One code in each of three chunks of 1000.
		many[5], many[1000], many[2099] = town.Code, city.Code, district.Code
		tests := []struct {
			name  string
			codes []string
			want  []string // sorted
		}{
			{"none", nil, nil},
			{"absent only", []string{city.Code + "-nope", "", " " + city.Code}, nil},
			{"found and absent", []string{town.Code, city.Code + "-nope", city.Code, district.Code}, []string{city.Code, district.Code, town.Code}},
			{"one", []string{district.Code}, []string{district.Code}},
			// Case counts. (Trailing spaces are not tried: MariaDB's
			// utf8mb4_bin collation pads, so "X " finds X there, not on SQLite.)
			{"letters as they are", []string{zone.Code}, []string{zone.Code}},
			{"codes match exactly", []string{strings.ToLower(zone.Code), city.Code + "-"}, nil},
			{"across chunks", many, []string{city.Code, district.Code, town.Code}},
		}
		for _, tt := range tests {
			got, err := db.UnitsByCodes(ctx, tt.codes)
			if err != nil {
				t.Fatalf("%s: UnitsByCodes: %v", tt.name, err)
			}
			codes := unitCodesOf(got)
			slices.Sort(codes)
			if !slices.Equal(codes, tt.want) {
				t.Errorf("%s: got %q, want %q", tt.name, codes, tt.want)
			}
		}
		// The units come whole.
		got, err := db.UnitsByCodes(ctx, []string{town.Code})
		if err != nil || len(got) != 1 {
			t.Fatalf("UnitsByCodes(town): %d units, %v", len(got), err)
		}
		if d := unitDiff(&got[0], mustGet(t, db, town.ID)); d != "" {
			t.Errorf("town: %s", d)
		}
	})
}

func TestUnitsByIDs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		city, district, town := indUnits(t, db)
		many := absentIDs(2500)
		// Across three chunks, in an order of its own, the town twice.
		many[3], many[10], many[1500], many[2400] = city.ID, town.ID, district.ID, town.ID
		tests := []struct {
			name string
			ids  []string
			want []string // codes, in order
		}{
			{"none", nil, nil},
			{"empty", []string{}, nil},
			{"absent only", absentIDs(3), nil},
			{"in the order given", []string{town.ID, city.ID, district.ID}, []string{town.Code, city.Code, district.Code}},
			{"another order", []string{district.ID, town.ID, city.ID}, []string{district.Code, town.Code, city.Code}},
			{"absent ones left out", []string{store.NewID(), district.ID, store.NewID(), city.ID}, []string{district.Code, city.Code}},
			{"duplicates once, where first given", []string{town.ID, city.ID, town.ID, town.ID, city.ID}, []string{town.Code, city.Code}},
			{"across chunks", many, []string{city.Code, town.Code, district.Code}},
		}
		for _, tt := range tests {
			got, err := db.UnitsByIDs(ctx, tt.ids)
			if err != nil {
				t.Fatalf("%s: UnitsByIDs: %v", tt.name, err)
			}
			if codes := unitCodesOf(got); !slices.Equal(codes, tt.want) {
				t.Errorf("%s: got %q, want %q", tt.name, codes, tt.want)
			}
		}
		got, err := db.UnitsByIDs(ctx, []string{district.ID})
		if err != nil || len(got) != 1 {
			t.Fatalf("UnitsByIDs(district): %d units, %v", len(got), err)
		}
		if d := unitDiff(&got[0], mustGet(t, db, district.ID)); d != "" {
			t.Errorf("district: %s", d)
		}
	})
}

func TestPeriodValues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		s := newSheetSetup(t, db)
		other := mustCreate(t, db, newUnit(s.city.Code+"-o", "其他单位", models.UnitDepartment, s.city))
		// A second published system of the same city, with values of the
		// same units and period.
		sys2 := newIndSystem(t, db, s.city, "另一体系 "+dbtest.RandomSuffix(), "100")
		ind2 := newInd("1", "100", nil)
		ind2.Frequency = "quarter"
		mustCreateInd(t, db, sys2.ID, ind2)
		if _, err := db.PublishIndicatorSystem(ctx, sys2.ID); err != nil {
			t.Fatal(err)
		}

		draft := s.stored(t, db, s.town, "2021-Q3", models.ValueDraft, "1.50")
		submitted := s.stored(t, db, s.district, "2021-Q3", models.ValueSubmitted, "2")
		approved := s.stored(t, db, s.city, "2021-Q3", models.ValueApproved, "3.000")
		locked := s.stored(t, db, s.dept1, "2021-Q3", models.ValueLocked, "4")
		returned := s.stored(t, db, s.dept2, "2021-Q3", models.ValueReturned, "5")
		text := &models.IndicatorValue{IndicatorID: s.text.ID, SystemID: s.system.ID, UnitID: s.dept1.ID, Period: "2021-Q3", Year: 2021,
			Text: ptr("进行中"), Qualifier: "exact", Status: models.ValueApproved}
		// Not of the sheet: another period, another system, a unit not asked for.
		q2 := s.stored(t, db, s.town, "2021-Q2", models.ValueApproved, "6")
		otherSys := &models.IndicatorValue{IndicatorID: ind2.ID, SystemID: sys2.ID, UnitID: s.city.ID, Period: "2021-Q3", Year: 2021,
			Value: ptr(exact.MustParse("7")), Qualifier: "exact", Status: models.ValueApproved}
		otherUnit := s.stored(t, db, other, "2021-Q3", models.ValueApproved, "8")
		if err := db.CreateValues(ctx, []*models.IndicatorValue{text, otherSys}); err != nil {
			t.Fatal(err)
		}

		units := []string{s.town.ID, s.district.ID, s.city.ID, s.dept1.ID, s.dept2.ID}
		many := absentIDs(1500)
		many[0], many[1200] = s.town.ID, s.dept1.ID
		tests := []struct {
			name      string
			system    string
			period    string
			units     []string
			published bool
			want      []*models.IndicatorValue
		}{
			{"every state", s.system.ID, "2021-Q3", units, false, []*models.IndicatorValue{draft, submitted, approved, locked, returned, text}},
			{"published only", s.system.ID, "2021-Q3", units, true, []*models.IndicatorValue{approved, locked, text}},
			{"one unit", s.system.ID, "2021-Q3", []string{s.dept1.ID}, false, []*models.IndicatorValue{locked, text}},
			{"the unit left out before", s.system.ID, "2021-Q3", []string{other.ID}, true, []*models.IndicatorValue{otherUnit}},
			{"another period", s.system.ID, "2021-Q2", units, false, []*models.IndicatorValue{q2}},
			{"a period without values", s.system.ID, "2021-Q4", units, false, nil},
			{"the other system", sys2.ID, "2021-Q3", units, false, []*models.IndicatorValue{otherSys}},
			{"the other system, published, of units without", sys2.ID, "2021-Q3", []string{s.town.ID}, true, nil},
			{"no units", s.system.ID, "2021-Q3", nil, false, nil},
			{"absent units", s.system.ID, "2021-Q3", absentIDs(2), false, nil},
			{"across chunks", s.system.ID, "2021-Q3", many, false, []*models.IndicatorValue{draft, locked, text}},
			{"across chunks, published only", s.system.ID, "2021-Q3", many, true, []*models.IndicatorValue{locked, text}},
		}
		for _, tt := range tests {
			got, err := db.PeriodValues(ctx, tt.system, tt.period, tt.units, tt.published)
			if err != nil {
				t.Fatalf("%s: PeriodValues: %v", tt.name, err)
			}
			var gotShown, wantShown []string
			for i := range got {
				gotShown = append(gotShown, got[i].ID+" "+showValue(&got[i]))
			}
			for _, v := range tt.want {
				wantShown = append(wantShown, v.ID+" "+showValue(read(t, db, v.ID)))
			}
			slices.Sort(gotShown)
			slices.Sort(wantShown)
			if !slices.Equal(gotShown, wantShown) {
				t.Errorf("%s:\ngot  %q\nwant %q", tt.name, gotShown, wantShown)
			}
		}
		// The values of one chunk come in id order, and whole.
		got, err := db.PeriodValues(ctx, s.system.ID, "2021-Q3", units, false)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSortedFunc(got, func(a, b models.IndicatorValue) int { return strings.Compare(a.ID, b.ID) }) {
			t.Errorf("values not in id order")
		}
		for _, v := range got {
			if v.ID == approved.ID && (v.Value.String() != "3.000" || v.SystemID != s.system.ID || v.Year != 2021 || v.Version != 1) {
				t.Errorf("approved value read back as %+v", v)
			}
		}
	})
}

// valueEvents are the audit events of a value, oldest first.
func valueEvents(t *testing.T, db *dbtest.DB, id string) []models.AuditEvent {
	t.Helper()
	events, _, err := db.ListAuditEvents(t.Context(), models.AuditFilter{EntityType: "indicator_value", EntityID: id}, paging.Page{Limit: 50})
	if err != nil {
		t.Fatalf("ListAuditEvents(%s): %v", id, err)
	}
	return events
}

// snapshotOf decodes an audit snapshot.
func snapshotOf(t *testing.T, text string) map[string]any {
	t.Helper()
	if text == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		t.Fatalf("snapshot %q: %v", text, err)
	}
	return m
}

// ImportValues creates drafts and changes draft and returned values, each
// with its audit event, in one go.
func TestImportValues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		clk := setClock(t, db, t0)
		s := newSheetSetup(t, db)

		// Creates: as the sheet states them, no id, state or version.
		asOf := time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC)
		creates := []*models.IndicatorValue{
			{IndicatorID: s.num.ID, UnitID: s.town.ID, Period: "2021-Q3", Value: ptr(exact.MustParse("58.10")), Qualifier: "at_least",
				RawText: ptr("58.10%以上"), AsOf: &asOf, SelfScore: ptr(exact.MustParse("40.50")), Comment: ptr("含撤回")},
			{IndicatorID: s.text.ID, UnitID: s.district.ID, Period: "2021-Q3", Text: ptr(" 进行中 "), Qualifier: "exact"},
		}
		created := clk.Advance(time.Second)
		if err := db.ImportValues(ctx, s.system.ID, oneBatch(creates, nil)); err != nil {
			t.Fatalf("ImportValues(creates): %v", err)
		}
		wantCreated := []string{
			s.num.ID + "/" + s.town.ID + "/2021-Q3 draft v1 value=58.10 yesNo=<nil> text=<nil> q=at_least raw=58.10%以上 asOf=2021-09-30 score=40.50 comment=含撤回",
			s.text.ID + "/" + s.district.ID + "/2021-Q3 draft v1 value=<nil> yesNo=<nil> text= 进行中  q=exact raw=<nil> asOf=<nil> score=<nil> comment=<nil>",
		}
		for i, c := range creates {
			if c.ID == "" {
				t.Fatalf("create %d: no id given", i)
			}
			v := read(t, db, c.ID)
			if got := showValue(v); got != wantCreated[i] {
				t.Errorf("create %d:\ngot  %s\nwant %s", i, got, wantCreated[i])
			}
			if v.SystemID != s.system.ID || v.Year != 2021 || len(v.Flags) != 0 || v.Flags == nil || v.Flagged {
				t.Errorf("create %d: got system %s, year %d, flags %v (%v); want %s, 2021, none", i, v.SystemID, v.Year, v.Flags, v.Flagged, s.system.ID)
			}
			if !v.CreatedAt.Equal(created) || !v.UpdatedAt.Equal(created) {
				t.Errorf("create %d: got created %v, updated %v; want both %v", i, v.CreatedAt, v.UpdatedAt, created)
			}
			if v.SubmittedBy != nil || v.ReviewedBy != nil || v.ReviewScore != nil || v.ReturnReason != nil {
				t.Errorf("create %d: got review fields %+v", i, v)
			}
			events := valueEvents(t, db, c.ID)
			if len(events) != 1 || events[0].Before != "" {
				t.Fatalf("create %d: got events %+v, want one without a before", i, events)
			}
			after := snapshotOf(t, events[0].After)
			if after["status"] != "draft" || after["version"] != 1.0 || after["id"] != c.ID {
				t.Errorf("create %d: got snapshot %v", i, after)
			}
			if wantPath := map[int]string{0: s.town.Path, 1: s.district.Path}[i]; events[0].UnitPath != wantPath || !events[0].OccurredAt.Equal(created) {
				t.Errorf("create %d: got event at %v under %q, want %v under %q", i, events[0].OccurredAt, events[0].UnitPath, created, wantPath)
			}
		}
		if got := snapshotOf(t, valueEvents(t, db, creates[0].ID)[0].After); got["value"] != "58.10" || got["asOf"] != "2021-09-30" {
			t.Errorf("the create's snapshot %v, want value 58.10 as of 2021-09-30", got)
		}
		var key string
		if err := db.SQL().QueryRowContext(ctx, "SELECT value_key FROM indicator_values WHERE id = ?", creates[0].ID).Scan(&key); err != nil {
			t.Fatal(err)
		}
		if want := exact.MustParse("58.1").SortKey(); key != want {
			t.Errorf("got value_key %q, want %q", key, want)
		}

		// Updates of a draft and of a returned value, at the versions read,
		// and a create in the same call.
		returned, err := db.SubmitValue(ctx, creates[1].ID, "user:a")
		if err == nil {
			returned, err = db.ReturnValue(ctx, creates[1].ID, "user:r", "请补充")
		}
		if err != nil {
			t.Fatal(err)
		}
		draft := read(t, db, creates[0].ID)
		after1 := *draft
		after1.Value, after1.Qualifier, after1.Comment, after1.AsOf = ptr(exact.MustParse("59")), "exact", nil, nil
		after2 := *returned
		after2.Text, after2.Comment = ptr("已完成"), ptr("补充说明")
		more := []*models.IndicatorValue{{IndicatorID: s.num.ID, UnitID: s.city.ID, Period: "2021-Q3", Value: ptr(exact.MustParse("0")), Qualifier: "exact"}}
		updated := clk.Advance(time.Minute)
		if err := db.ImportValues(ctx, s.system.ID, oneBatch(more, []models.ValueChange{{Before: draft, After: &after1}, {Before: returned, After: &after2}})); err != nil {
			t.Fatalf("ImportValues(updates): %v", err)
		}
		for _, tt := range []struct {
			id, want string
			events   int
		}{
			{draft.ID, s.num.ID + "/" + s.town.ID + "/2021-Q3 draft v2 value=59 yesNo=<nil> text=<nil> q=exact raw=58.10%以上 asOf=<nil> score=40.50 comment=<nil>", 2},
			{returned.ID, s.text.ID + "/" + s.district.ID + "/2021-Q3 returned v4 value=<nil> yesNo=<nil> text=已完成 q=exact raw=<nil> asOf=<nil> score=<nil> comment=补充说明", 4},
			{more[0].ID, s.num.ID + "/" + s.city.ID + "/2021-Q3 draft v1 value=0 yesNo=<nil> text=<nil> q=exact raw=<nil> asOf=<nil> score=<nil> comment=<nil>", 1},
		} {
			v := read(t, db, tt.id)
			if got := showValue(v); got != tt.want {
				t.Errorf("after the import:\ngot  %s\nwant %s", got, tt.want)
			}
			if !v.UpdatedAt.Equal(updated) {
				t.Errorf("%s: got updated %v, want %v", tt.id, v.UpdatedAt, updated)
			}
			events := valueEvents(t, db, tt.id)
			if len(events) != tt.events {
				t.Errorf("%s: got %d events, want %d", tt.id, len(events), tt.events)
				continue
			}
			last := events[len(events)-1]
			if before, after := snapshotOf(t, last.Before), snapshotOf(t, last.After); tt.events > 1 &&
				(before["version"] != float64(v.Version-1) || after["version"] != float64(v.Version)) {
				t.Errorf("%s: last event from %v to %v, want versions %d to %d", tt.id, before, after, v.Version-1, v.Version)
			}
		}
		if v := read(t, db, returned.ID); v.ReturnReason == nil || *v.ReturnReason != "请补充" || v.ReviewedBy == nil || *v.ReviewedBy != "user:r" {
			t.Errorf("a returned value keeps its review: got %+v", v)
		}
		if got := read(t, db, draft.ID); !got.CreatedAt.Equal(created) {
			t.Errorf("an update moved the creation time to %v", got.CreatedAt)
		}

		// Nothing at all is a no-op.
		before := systemState(t, db, s.system.ID)
		if err := db.ImportValues(ctx, s.system.ID, oneBatch(nil, nil)); err != nil {
			t.Errorf("an empty import: %v", err)
		}
		if after := systemState(t, db, s.system.ID); !sameState(before, after) {
			t.Errorf("an empty import changed values: %v → %v", before, after)
		}
	})
}

// Any update that is not at the version read or of a value no longer draft or
// returned, any create of a value that exists, and a system not published
// make the whole import fail with a conflict: nothing is written, not even
// the creates and updates of the same call that were fine.
func TestImportValuesAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		setClock(t, db, t0)
		s := newSheetSetup(t, db)
		draft := s.stored(t, db, s.town, "2021-Q3", models.ValueDraft, "1")
		returned := s.stored(t, db, s.district, "2021-Q3", models.ValueReturned, "2")
		submitted := s.stored(t, db, s.city, "2021-Q3", models.ValueSubmitted, "3")
		approved := s.stored(t, db, s.dept1, "2021-Q3", models.ValueApproved, "4")
		locked := s.stored(t, db, s.dept2, "2021-Q3", models.ValueLocked, "5")
		stale := s.stored(t, db, s.town, "2021-Q2", models.ValueDraft, "6")
		other := s.stored(t, db, s.town, "2021-Q1", models.ValueDraft, "7")
		staleRead := read(t, db, stale.ID)
		if _, err := db.UpdateValue(ctx, stale.ID, 1, models.ValuePatch{SetComment: true, Comment: ptr("someone else")}); err != nil {
			t.Fatal(err)
		}

		// change is an update of v from what was read (at version), to value.
		change := func(v *models.IndicatorValue, version int64, value string) models.ValueChange {
			before := read(t, db, v.ID)
			before.Version = version
			after := *before
			after.Value = ptr(exact.MustParse(value))
			return models.ValueChange{Before: before, After: &after}
		}
		// fine is a create and updates that would go through on their own.
		fine := func() ([]*models.IndicatorValue, []models.ValueChange) {
			return []*models.IndicatorValue{{IndicatorID: s.text.ID, UnitID: s.town.ID, Period: "2021-Q3", Text: ptr("新"), Qualifier: "exact"}},
				[]models.ValueChange{change(draft, 1, "10"), change(returned, 1, "20")}
		}
		tests := []struct {
			name    string
			system  string
			creates []*models.IndicatorValue // besides the fine ones
			updates []models.ValueChange     // after the fine ones
			code    string
		}{
			{name: "a stale version", updates: []models.ValueChange{{Before: staleRead, After: func() *models.IndicatorValue {
				a := *staleRead
				a.Value = ptr(exact.MustParse("60"))
				return &a
			}()}}, code: "value_changed"},
			{name: "a version ahead", updates: []models.ValueChange{change(other, 2, "11")}, code: "value_changed"},
			{name: "a submitted value", updates: []models.ValueChange{change(submitted, 1, "30")}, code: "value_changed"},
			{name: "an approved value", updates: []models.ValueChange{change(approved, 1, "40")}, code: "value_changed"},
			{name: "a locked value", updates: []models.ValueChange{change(locked, 1, "50")}, code: "value_changed"},
			{name: "a value that is gone", updates: []models.ValueChange{func() models.ValueChange {
				c := change(draft, 1, "12")
				c.Before.ID, c.After.ID = store.NewID(), ""
				return c
			}()}, code: "value_changed"},
			{name: "a create of a value that exists", creates: []*models.IndicatorValue{
				{IndicatorID: s.num.ID, UnitID: s.city.ID, Period: "2021-Q3", Value: ptr(exact.MustParse("1")), Qualifier: "exact"}}, code: "value_exists"},
			{name: "the same create twice", creates: []*models.IndicatorValue{
				{IndicatorID: s.num.ID, UnitID: s.town.ID, Period: "2021-Q4", Value: ptr(exact.MustParse("1")), Qualifier: "exact"},
				{IndicatorID: s.num.ID, UnitID: s.town.ID, Period: "2021-Q4", Value: ptr(exact.MustParse("2")), Qualifier: "exact"}}, code: "value_exists"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := systemState(t, db, s.system.ID)
				events := rowCount(t, db, "audit_events", "1 = 1")
				// The fine ones in a first batch, the culprits in a second:
				// the first is rolled back with the second.
				creates, updates := fine()
				err := db.ImportValues(ctx, s.system.ID, batches(nil,
					models.ValueImport{Create: creates, Update: updates},
					models.ValueImport{Create: tt.creates, Update: tt.updates}))
				var conflict *models.ConflictError
				if !errors.As(err, &conflict) || !errors.Is(err, models.ErrConflict) {
					t.Fatalf("got error %v, want a ConflictError", err)
				}
				if conflict.Code != tt.code {
					t.Errorf("got code %q, want %q (%v)", conflict.Code, tt.code, err)
				}
				if after := systemState(t, db, s.system.ID); !sameState(before, after) {
					t.Errorf("a failed import changed the values:\nbefore %v\nafter  %v", before, after)
				}
				if got := rowCount(t, db, "audit_events", "1 = 1"); got != events {
					t.Errorf("a failed import wrote %d audit events", got-events)
				}
			})
		}

		// A batch that cannot be read back (the spool damaged) stops the
		// import too.
		before := systemState(t, db, s.system.ID)
		creates, updates := fine()
		err := db.ImportValues(ctx, s.system.ID, batches(errors.New("spool: unexpected EOF"), models.ValueImport{Create: creates, Update: updates}))
		if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
			t.Errorf("an import whose second batch is lost: %v", err)
		}
		if after := systemState(t, db, s.system.ID); !sameState(before, after) {
			t.Errorf("an import whose second batch is lost changed the values:\nbefore %v\nafter  %v", before, after)
		}

		// Once the culprits are out, the fine ones go through (and so
		// were fine).
		creates, updates = fine()
		if err := db.ImportValues(ctx, s.system.ID, oneBatch(creates, updates)); err != nil {
			t.Fatalf("the fine import: %v", err)
		}
		if v := read(t, db, draft.ID); v.Value.String() != "10" || v.Version != 2 {
			t.Errorf("draft after the fine import: %s", showValue(v))
		}
		if v := read(t, db, returned.ID); v.Value.String() != "20" || v.Version != 2 {
			t.Errorf("returned value after the fine import: %s", showValue(v))
		}
		// The stale update, read again, goes through too.
		if err := db.ImportValues(ctx, s.system.ID, oneBatch(nil, []models.ValueChange{change(stale, 2, "60")})); err != nil {
			t.Fatalf("the stale update at the current version: %v", err)
		}
		if v := read(t, db, stale.ID); v.Value.String() != "60" || v.Version != 3 || v.Comment == nil || *v.Comment != "someone else" {
			t.Errorf("stale value after the update at its version: %s", showValue(v))
		}
	})
}

// A system that is not published takes no values; one that does not exist
// is not found.
func TestImportValuesSystem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		s := newSheetSetup(t, db)
		v := s.stored(t, db, s.town, "2021-Q3", models.ValueDraft, "1")

		draftSys := newIndSystem(t, db, s.city, "草稿体系 "+dbtest.RandomSuffix(), "100")
		dInd := mustCreateInd(t, db, draftSys.ID, func() *models.Indicator {
			ind := newInd("1", "100", nil)
			ind.Frequency = "quarter"
			return ind
		}())
		archived := newSheetSetup(t, db)
		av := archived.stored(t, db, archived.town, "2021-Q3", models.ValueDraft, "1")
		if _, err := db.ArchiveIndicatorSystem(ctx, archived.system.ID); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name    string
			system  string
			creates []*models.IndicatorValue
			updates []models.ValueChange
			want    error
			code    string
		}{
			{"a draft system", draftSys.ID, []*models.IndicatorValue{
				{IndicatorID: dInd.ID, UnitID: s.town.ID, Period: "2021-Q3", Value: ptr(exact.MustParse("1")), Qualifier: "exact"}}, nil,
				models.ErrConflict, "indicator_system_not_published"},
			{"an archived system", archived.system.ID, []*models.IndicatorValue{
				{IndicatorID: archived.num.ID, UnitID: archived.city.ID, Period: "2021-Q3", Value: ptr(exact.MustParse("1")), Qualifier: "exact"}},
				[]models.ValueChange{func() models.ValueChange {
					before := read(t, db, av.ID)
					after := *before
					after.Value = ptr(exact.MustParse("2"))
					return models.ValueChange{Before: before, After: &after}
				}()},
				models.ErrConflict, "indicator_system_not_published"},
			{"no such system", store.NewID(), nil, []models.ValueChange{func() models.ValueChange {
				before := read(t, db, v.ID)
				after := *before
				after.Value = ptr(exact.MustParse("2"))
				return models.ValueChange{Before: before, After: &after}
			}()}, models.ErrNotFound, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				states := map[string]map[string]string{}
				for _, id := range []string{s.system.ID, draftSys.ID, archived.system.ID} {
					states[id] = systemState(t, db, id)
				}
				events := rowCount(t, db, "audit_events", "1 = 1")
				err := db.ImportValues(ctx, tt.system, oneBatch(tt.creates, tt.updates))
				checkErr(t, "ImportValues", err, tt.want, tt.code)
				for id, before := range states {
					if after := systemState(t, db, id); !sameState(before, after) {
						t.Errorf("a refused import changed the values of %s:\nbefore %v\nafter  %v", id, before, after)
					}
				}
				if got := rowCount(t, db, "audit_events", "1 = 1"); got != events {
					t.Errorf("a refused import wrote %d audit events", got-events)
				}
			})
		}
	})
}

// batches is an import of these batches, then of err if it is not nil.
func batches(err error, list ...models.ValueImport) iter.Seq2[models.ValueImport, error] {
	return func(yield func(models.ValueImport, error) bool) {
		for _, b := range list {
			if !yield(b, nil) {
				return
			}
		}
		if err != nil {
			yield(models.ValueImport{}, err)
		}
	}
}

// oneBatch is an import of one batch.
func oneBatch(creates []*models.IndicatorValue, updates []models.ValueChange) iter.Seq2[models.ValueImport, error] {
	return func(yield func(models.ValueImport, error) bool) {
		yield(models.ValueImport{Create: creates, Update: updates}, nil)
	}
}
