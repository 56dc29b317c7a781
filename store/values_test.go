package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm/schema"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/store"
)

// valueSetup is a published system with one indicator of the given frequency
// (100 points, number), issued by a city of the test's own with a district
// and a town below it.
type valueSetup struct {
	city, district, town *models.Unit
	system               *models.IndicatorSystem
	ind                  *models.Indicator
}

func newValueSetup(t *testing.T, db *dbtest.DB, freq models.Frequency) valueSetup {
	t.Helper()
	city, district, town := indUnits(t, db)
	s := newIndSystem(t, db, city, "填报测试 "+dbtest.RandomSuffix(), "100")
	ind := newInd("1", "100", nil)
	ind.Frequency = freq
	mustCreateInd(t, db, s.ID, ind)
	if _, err := db.PublishIndicatorSystem(t.Context(), s.ID); err != nil {
		t.Fatalf("PublishIndicatorSystem: %v", err)
	}
	return valueSetup{city: city, district: district, town: town, system: s, ind: ind}
}

// report creates a draft value of the setup's indicator.
func (s valueSetup) report(t *testing.T, db *dbtest.DB, unit *models.Unit, period, value string) *models.IndicatorValue {
	t.Helper()
	v := &models.IndicatorValue{IndicatorID: s.ind.ID, UnitID: unit.ID, Period: period}
	if value != "" {
		v.Value = ptr(exact.MustParse(value))
	}
	if err := db.CreateValue(t.Context(), v); err != nil {
		t.Fatalf("CreateValue(%s, %s, %s): %v", unit.Code, period, value, err)
	}
	return v
}

// The value and score columns keep the decimal as it was written, scale and
// all, on both databases; value_key is its SortKey.
func TestValueKeepsScale(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		s := newValueSetup(t, db, "year")
		for i, in := range []string{"58.10", "100.000", "0.5", "0.000000", "-3.250000", "40000000", "999999999999999.999999", "007.50"} {
			unit := mustCreate(t, db, newUnit(fmt.Sprintf("%s-s%d", s.city.Code, i), "单位", models.UnitDepartment, s.city))
			v := &models.IndicatorValue{IndicatorID: s.ind.ID, UnitID: unit.ID, Period: "2021",
				Value: ptr(exact.MustParse(in)), SelfScore: ptr(exact.MustParse("4.50"))}
			if err := db.CreateValue(ctx, v); err != nil {
				t.Fatalf("CreateValue(%s): %v", in, err)
			}
			want := exact.MustParse(in).String() // "007.50" is "7.50"
			var raw, key, score string
			if err := db.SQL().QueryRowContext(ctx, "SELECT value, value_key, self_score FROM indicator_values WHERE id = ?", v.ID).
				Scan(&raw, &key, &score); err != nil {
				t.Fatal(err)
			}
			if raw != want || score != "4.50" {
				t.Errorf("%s: stored value %q and self score %q, want %q and 4.50", in, raw, score, want)
			}
			if key != exact.MustParse(in).SortKey() {
				t.Errorf("%s: stored key %q, want %q", in, key, exact.MustParse(in).SortKey())
			}
			got, path, err := db.GetValue(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Value == nil || got.Value.String() != want || got.SelfScore.String() != "4.50" || path != unit.Path {
				t.Errorf("%s: read back %v, self score %v, path %q", in, got.Value, got.SelfScore, path)
			}
			// A change keeps the new scale too, and clears the key with the value.
			changed, err := db.UpdateValue(ctx, v.ID, 1, models.ValuePatch{SetValue: true, Value: ptr(exact.MustParse("58.100"))})
			if err != nil {
				t.Fatal(err)
			}
			got, _, _ = db.GetValue(ctx, v.ID)
			if changed.Value.String() != "58.100" || got.Value.String() != "58.100" || *got.ValueKey != exact.MustParse("58.1").SortKey() {
				t.Errorf("%s: after the change %v, read back %v key %v", in, changed.Value, got.Value, *got.ValueKey)
			}
		}
	})
}

// Ordering by value_key in SQL is the numeric order of exact.Cmp, across
// signs and scales; comparisons on it select the same values as Cmp does.
func TestValueKeyOrdersLikeCmp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		s := newValueSetup(t, db, "month")
		inputs := []string{"58.10", "58.1", "-1000.5", "-2", "-0.000001", "0", "0.00", "0.000001", "1", "1.5", "10",
			"9.999999", "100", "-999999999999999.999999", "999999999999999.999999", "-10", "-9.99", "2021"}
		byID := map[string]exact.Decimal{}
		for i, in := range inputs {
			// Twelve months per unit: a new unit every twelve values.
			unit := s.town
			if i >= 12 {
				unit = s.district
			}
			v := s.report(t, db, unit, fmt.Sprintf("2021-%02d", i%12+1), in)
			byID[v.ID] = *v.Value
		}
		rows, err := db.SQL().QueryContext(ctx, "SELECT id, value FROM indicator_values WHERE indicator_id = ? ORDER BY value_key, id", s.ind.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var sorted []exact.Decimal
		for rows.Next() {
			var id, value string
			if err := rows.Scan(&id, &value); err != nil {
				t.Fatal(err)
			}
			if byID[id].String() != value {
				t.Errorf("value %s read back as %s", byID[id], value)
			}
			sorted = append(sorted, byID[id])
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(sorted) != len(inputs) {
			t.Fatalf("%d values sorted, want %d", len(sorted), len(inputs))
		}
		if !slices.IsSortedFunc(sorted, func(a, b exact.Decimal) int { return a.Cmp(b) }) {
			t.Errorf("ORDER BY value_key gives %v: not in the order of Cmp", sorted)
		}
		// WHERE value_key >= the key of 1 selects exactly the values Cmp puts at 1 or above.
		one := exact.MustParse("1.000")
		var n int
		if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM indicator_values WHERE indicator_id = ? AND value_key >= ?",
			s.ind.ID, one.SortKey()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, d := range byID {
			if d.Cmp(one) >= 0 {
				want++
			}
		}
		if n != want {
			t.Errorf("value_key >= key(1) selects %d values, Cmp %d", n, want)
		}
	})
}

// Two changes of the same version at once: exactly one wins, the other is told
// that the value moved on, and the loser's change is nowhere.
func TestValueConcurrentUpdates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		s := newValueSetup(t, db, "quarter")
		for round, period := range []string{"2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"} {
			v := s.report(t, db, s.town, period, "1")
			var (
				wg   sync.WaitGroup
				errs [2]error
				outs [2]*models.IndicatorValue
			)
			start := make(chan struct{})
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					outs[i], errs[i] = db.UpdateValue(ctx, v.ID, 1, models.ValuePatch{SetValue: true, Value: ptr(exact.MustParse(fmt.Sprint(i + 2)))})
				}()
			}
			close(start)
			wg.Wait()
			won, lost := 0, 1
			if errs[0] != nil {
				won, lost = 1, 0
			}
			if errs[won] != nil || !errors.Is(errs[lost], models.ErrPrecondition) {
				t.Fatalf("round %d: errors %v and %v, want one success and one ErrPrecondition", round, errs[0], errs[1])
			}
			got, _, err := db.GetValue(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != 2 || got.Value.String() != fmt.Sprint(won+2) || outs[won].Version != 2 {
				t.Errorf("round %d: value %v at version %d, want the winner's %d at version 2", round, got.Value, got.Version, won+2)
			}
		}
	})
}

// Two reports of the same indicator, unit and period at once: one is created,
// the other is value_exists.
func TestValueConcurrentCreates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		s := newValueSetup(t, db, "year")
		var (
			wg   sync.WaitGroup
			errs [2]error
		)
		start := make(chan struct{})
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = db.CreateValue(t.Context(), &models.IndicatorValue{IndicatorID: s.ind.ID, UnitID: s.town.ID, Period: "2021",
					Value: ptr(exact.FromInt(int64(i)))})
			}()
		}
		close(start)
		wg.Wait()
		ok, conflict := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errCode(err) == "value_exists" && errors.Is(err, models.ErrConflict):
				conflict++
			default:
				t.Errorf("CreateValue: %v", err)
			}
		}
		if ok != 1 || conflict != 1 {
			t.Errorf("%d created and %d value_exists, want one of each (%v)", ok, conflict, errs)
		}
	})
}

// The workflow in the store: only draft and returned values change and are
// submitted, only submitted ones are reviewed, never by who submitted them.
func TestValueWorkflow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		s := newValueSetup(t, db, "year")
		v := s.report(t, db, s.town, "2021", "58.10")
		if v.Status != models.ValueDraft || v.Version != 1 || v.Qualifier != "exact" || v.Year != 2021 || v.SystemID != s.system.ID {
			t.Fatalf("created %+v", v)
		}
		_, err := db.ReturnValue(ctx, v.ID, "user:r", "reason")
		checkErr(t, "return a draft", err, models.ErrConflict, "value_not_submitted")
		sub, err := db.SubmitValue(ctx, v.ID, "user:a")
		checkErr(t, "submit", err, nil, "")
		if sub.Status != models.ValueSubmitted || *sub.SubmittedBy != "user:a" || sub.SubmittedAt == nil || sub.Version != 2 {
			t.Errorf("submitted %+v", sub)
		}
		_, err = db.SubmitValue(ctx, v.ID, "user:a")
		checkErr(t, "submit twice", err, models.ErrConflict, "value_not_editable")
		_, err = db.UpdateValue(ctx, v.ID, 2, models.ValuePatch{SetComment: true, Comment: ptr("x")})
		checkErr(t, "change a submitted value", err, models.ErrConflict, "value_not_editable")
		_, err = db.ApproveValue(ctx, v.ID, "user:a", nil)
		checkErr(t, "approve one's own", err, models.ErrForbidden, "")
		_, err = db.ReturnValue(ctx, v.ID, "user:a", "reason")
		checkErr(t, "return one's own", err, models.ErrForbidden, "")
		_, err = db.ApproveValue(ctx, v.ID, "user:r", ptr(exact.MustParse("100.5")))
		checkErr(t, "score above the points", err, models.ErrInvalid, "value_score_invalid")
		ret, err := db.ReturnValue(ctx, v.ID, "user:r", "请补充口径")
		checkErr(t, "return", err, nil, "")
		if ret.Status != models.ValueReturned || *ret.ReturnReason != "请补充口径" || *ret.ReviewedBy != "user:r" {
			t.Errorf("returned %+v", ret)
		}
		if _, err := db.UpdateValue(ctx, v.ID, ret.Version, models.ValuePatch{SetValue: true, Value: ptr(exact.MustParse("58.20"))}); err != nil {
			t.Fatal(err)
		}
		again, err := db.SubmitValue(ctx, v.ID, "user:a")
		checkErr(t, "submit again", err, nil, "")
		if again.ReturnReason != nil {
			t.Errorf("a resubmitted value keeps its return reason %q", *again.ReturnReason)
		}
		ok, err := db.ApproveValue(ctx, v.ID, "user:r", ptr(exact.MustParse("99.50")))
		checkErr(t, "approve", err, nil, "")
		if ok.Status != models.ValueApproved || ok.ReviewScore.String() != "99.50" || ok.Version != 6 {
			t.Errorf("approved %+v", ok)
		}
		_, err = db.ApproveValue(ctx, v.ID, "user:r", nil)
		checkErr(t, "approve twice", err, models.ErrConflict, "value_not_submitted")
		_, _, err = db.GetValue(ctx, "0190a000-0000-7000-8000-00000000ffff")
		checkErr(t, "get unknown", err, models.ErrNotFound, "")
		_, err = db.SubmitValue(ctx, "0190a000-0000-7000-8000-00000000ffff", "user:a")
		checkErr(t, "submit unknown", err, models.ErrNotFound, "")

		// Lists: by subtree, and approved only for the published view.
		d := s.report(t, db, s.district, "2021", "7")
		all, _, err := db.ListValues(ctx, models.ValueFilter{IndicatorID: s.ind.ID}, paging.Page{Limit: 10})
		if err != nil || len(all) != 2 {
			t.Fatalf("ListValues: %d values, %v", len(all), err)
		}
		town, _, _ := db.ListValues(ctx, models.ValueFilter{IndicatorID: s.ind.ID, UnitPath: s.town.Path}, paging.Page{Limit: 10})
		published, _, _ := db.ListValues(ctx, models.ValueFilter{IndicatorID: s.ind.ID, ReleasedOnly: true}, paging.Page{Limit: 10})
		drafts, _, _ := db.ListValues(ctx, models.ValueFilter{SystemID: s.system.ID, Status: models.ValueDraft}, paging.Page{Limit: 10})
		if len(town) != 1 || town[0].ID != v.ID || len(published) != 1 || published[0].ID != v.ID || len(drafts) != 1 || drafts[0].ID != d.ID {
			t.Errorf("town %d, published %d, drafts %d values", len(town), len(published), len(drafts))
		}
	})
}

// TestHandReadersMatchGORM: the hand scans of units, values and checklist
// items (rowscan.go) read every column GORM maps, and read each row as GORM
// does: optional fields set and unset, flags none, empty and some,
// attributes, times and decimals.
func TestHandReadersMatchGORM(t *testing.T) {
	for table, model := range map[string]any{"units": &models.Unit{}, "indicator_values": &models.IndicatorValue{},
		"checklist_items": &models.ChecklistItem{}, "feed_events": &models.FeedEvent{}, "audit_events": &models.AuditEvent{},
		"plan_tasks": &models.PlanTask{}, "plan_task_units": store.TaskLinkRows["plan_task_units"],
		"plan_task_indicators": store.TaskLinkRows["plan_task_indicators"],
		"plan_task_checklists": store.TaskLinkRows["plan_task_checklists"]} {
		sch, err := schema.Parse(model, &sync.Map{}, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		scanned := strings.Split(store.HandReadColumns[table], ", ")
		if len(scanned) != len(sch.DBNames) {
			t.Errorf("%s: the hand scan reads %d columns, GORM maps %d: %v", table, len(scanned), len(sch.DBNames), sch.DBNames)
		}
		for _, col := range sch.DBNames {
			if !slices.Contains(scanned, col) {
				t.Errorf("%s: the hand scan does not read %s", table, col)
			}
		}
	}
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		s := newValueSetup(t, db, "year")
		at := time.Date(2022, 3, 4, 5, 6, 7, 891011000, time.UTC)
		by := "user:" + store.NewID()
		full := &models.IndicatorValue{IndicatorID: s.ind.ID, SystemID: s.system.ID, UnitID: s.town.ID, Period: "2021", Year: 2021,
			Value: ptr(exact.MustParse("58.100")), Qualifier: "estimate", RawText: ptr("约58.1"), AsOf: &at,
			Comment: ptr("备注"), SelfScore: ptr(exact.MustParse("4.5")), ReviewScore: ptr(exact.MustParse("4")),
			Status: models.ValueApproved, ReturnReason: ptr("补充佐证"), Flags: []string{"outlier", "late"}, Flagged: true,
			SubmittedBy: &by, SubmittedAt: &at, ReviewedBy: &by, ReviewedAt: &at}
		bare := &models.IndicatorValue{IndicatorID: s.ind.ID, SystemID: s.system.ID, UnitID: s.district.ID, Period: "2021", Year: 2021,
			Qualifier: "exact", Status: models.ValueDraft}
		empty := &models.IndicatorValue{IndicatorID: s.ind.ID, SystemID: s.system.ID, UnitID: s.city.ID, Period: "2021", Year: 2021,
			Text: ptr("文本"), YesNo: ptr(true), Qualifier: "exact", Status: models.ValueSubmitted, Flags: []string{}}
		if err := db.CreateValues(ctx, []*models.IndicatorValue{full, bare, empty}); err != nil {
			t.Fatal(err)
		}
		got, _, err := db.ListValues(ctx, models.ValueFilter{SystemID: s.system.ID}, paging.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var want []models.IndicatorValue
		if err := store.GormOf(db.DB).Where("system_id = ?", s.system.ID).Order("id").Find(&want).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || !reflect.DeepEqual(got, want) {
			t.Errorf("values by hand:\n%+v\nGORM:\n%+v", got, want)
		}

		// Units: the town has a short name and a parent, the city neither.
		short := "街道"
		if _, err := db.UpdateUnit(ctx, s.town.ID, s.town.Version, models.UnitPatch{SetShortName: true, ShortName: &short}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{s.city.ID, s.town.ID} {
			unit, err := db.GetUnit(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			var want models.Unit
			if err := store.GormOf(db.DB).Where("id = ?", id).Take(&want).Error; err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*unit, want) {
				t.Errorf("unit by hand:\n%+v\nGORM:\n%+v", *unit, want)
			}
		}
		page, _, err := db.ListUnits(ctx, models.UnitFilter{ParentID: s.district.ID}, paging.Page{Limit: 10, Sort: paging.Sort{Field: "code"}})
		if err != nil {
			t.Fatal(err)
		}
		var children []models.Unit
		if err := store.GormOf(db.DB).Where("parent_id = ?", s.district.ID).Order("code").Find(&children).Error; err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 || !reflect.DeepEqual(page, children) {
			t.Errorf("units listed by hand:\n%+v\nGORM:\n%+v", page, children)
		}

		// Checklist items: one with every field, one with the fewest.
		k := testKind(t, db)
		c, err := db.CreateChecklist(ctx, models.Checklist{KindKey: k.Key, Title: "清单", IssuingUnitID: s.city.ID, Year: 2022})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range []*models.ChecklistItem{
			{Name: "未按规定公示", ImplementingUnitID: &s.town.ID, LegalBasis: "《条例》第十条", Remark: "首违不罚", Category: "交通运输",
				Attributes: map[string]string{"level": "市", "field": "道路运输", "amount": "200.50"}},
			{Name: "甲", Attributes: map[string]string{"level": "县"}},
		} {
			if err := db.CreateChecklistItem(ctx, c.ID, it); err != nil {
				t.Fatal(err)
			}
		}
		items, _, err := db.ListChecklistItems(ctx, c.ID, models.ChecklistItemFilter{}, paging.Page{Limit: 10, Sort: paging.Sort{Field: "sequence"}})
		if err != nil {
			t.Fatal(err)
		}
		var wantItems []models.ChecklistItem
		if err := store.GormOf(db.DB).Where("checklist_id = ?", c.ID).Order("sequence").Find(&wantItems).Error; err != nil {
			t.Fatal(err)
		}
		if len(items) != 2 || !reflect.DeepEqual(items, wantItems) {
			t.Errorf("checklist items by hand:\n%+v\nGORM:\n%+v", items, wantItems)
		}

		// Plan tasks: a section, a task with every field, an ongoing one.
		plan := models.NewPlan(store.NewID(), s.city.ID, 2022, "年度工作要点", models.PlanKeyPoints, models.UserActor(store.NewID()))
		if err := db.CreatePlan(ctx, plan); err != nil {
			t.Fatal(err)
		}
		for i, number := range []string{"1", "1.1", "1.2"} {
			task := models.NewPlanTask(store.NewID(), plan.ID)
			task.Number, task.Title = number, "任务"+number
			switch i {
			case 1:
				task.Content, task.Deadline, task.Supervised = "按季度报送进展。", ptr("2022-06-30"), true
				task.LeadUnitIDs = []string{s.town.ID}
			case 2:
				task.Ongoing, task.LeadUnitIDs = true, []string{s.district.ID}
			}
			if err := db.CreatePlanTask(ctx, task); err != nil {
				t.Fatal(err)
			}
		}
		tasks, _, err := db.ListPlanTasks(ctx, models.TaskFilter{PlanID: plan.ID}, paging.Page{Limit: 10, Sort: paging.Sort{Field: "number"}})
		if err != nil {
			t.Fatal(err)
		}
		var wantTasks []models.PlanTask
		if err := store.GormOf(db.DB).Where("plan_id = ?", plan.ID).Order("tree_key").Find(&wantTasks).Error; err != nil {
			t.Fatal(err)
		}
		for i := range tasks { // the list loads a task's units and links; GORM reads the row alone
			if i < len(wantTasks) {
				wantTasks[i].LeadUnitIDs, wantTasks[i].CooperatingUnitIDs = tasks[i].LeadUnitIDs, tasks[i].CooperatingUnitIDs
				wantTasks[i].IndicatorIDs, wantTasks[i].ChecklistIDs = tasks[i].IndicatorIDs, tasks[i].ChecklistIDs
				wantTasks[i].PlanUnitID = tasks[i].PlanUnitID
			}
		}
		if len(tasks) != 3 || !reflect.DeepEqual(tasks, wantTasks) {
			t.Errorf("plan tasks by hand:\n%+v\nGORM:\n%+v", tasks, wantTasks)
		}

		// Feed events, numbered, and the records the feed reads with them.
		events, err := db.FeedAfter(ctx, 0, nil, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var wantEvents []models.FeedEvent
		if err := store.GormOf(db.DB).Where("seq > 0").Order("seq").Limit(1000).Find(&wantEvents).Error; err != nil {
			t.Fatal(err)
		}
		if len(events) == 0 || !reflect.DeepEqual(events, wantEvents) {
			t.Errorf("feed events by hand:\n%+v\nGORM:\n%+v", events, wantEvents)
		}
		var records []models.Unit
		if err := db.ReleasedRecords(ctx, &records, []string{s.city.ID, s.town.ID}); err != nil {
			t.Fatal(err)
		}
		var wantRecords []models.Unit
		if err := store.GormOf(db.DB).Where("id IN ?", []string{s.city.ID, s.town.ID}).Find(&wantRecords).Error; err != nil {
			t.Fatal(err)
		}
		byID := func(a, b models.Unit) int { return strings.Compare(a.ID, b.ID) }
		slices.SortFunc(records, byID)
		slices.SortFunc(wantRecords, byID)
		if len(records) != 2 || !reflect.DeepEqual(records, wantRecords) {
			t.Errorf("feed records by hand:\n%+v\nGORM:\n%+v", records, wantRecords)
		}
	})
}
