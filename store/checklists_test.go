package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/store"
)

// testKind defines a kind of the test's own, with a unique key.
func testKind(t *testing.T, db *dbtest.DB) *models.ChecklistKind {
	t.Helper()
	k := &models.ChecklistKind{Key: "test" + areaBlock(), Name: "测试清单" + areaBlock(), Columns: []models.KindColumn{
		{Key: "field", Label: "监管领域", Type: models.ColumnText, Searchable: true},
		{Key: "level", Label: "行使层级", Type: models.ColumnEnum, Values: []string{"省", "市", "县"}, Required: true},
		{Key: "amount", Label: "金额", Type: models.ColumnNumber},
	}}
	if err := db.CreateChecklistKind(t.Context(), k); err != nil {
		t.Fatalf("CreateChecklistKind: %v", err)
	}
	return k
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := models.Code(err); got != code {
		t.Fatalf("got %v (code %q), want code %q", err, got, code)
	}
}

func TestChecklistKinds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		k := testKind(t, db)
		kinds, err := db.ChecklistKinds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		builtIn := models.BuiltInKinds()
		if len(kinds) < len(builtIn)+1 || !kinds[0].BuiltIn || !slices.ContainsFunc(kinds, func(x models.ChecklistKind) bool { return x.Key == k.Key }) {
			t.Fatalf("kinds: %d, want the %d built-in ones first and %s", len(kinds), len(builtIn), k.Key)
		}
		wantCode(t, db.CreateChecklistKind(ctx, &models.ChecklistKind{Key: builtIn[0].Key, Name: "x"}), "checklist_kind_exists")
		wantCode(t, db.CreateChecklistKind(ctx, &models.ChecklistKind{Key: k.Key, Name: "x"}), "checklist_kind_exists")
		_, err = db.UpdateChecklistKind(ctx, builtIn[0].Key, 1, models.ChecklistKindPatch{Name: ptr("x")})
		wantCode(t, err, "checklist_kind_built_in")
		_, err = db.UpdateChecklistKind(ctx, k.Key, 7, models.ChecklistKindPatch{Name: ptr("x")})
		if !errors.Is(err, models.ErrPrecondition) {
			t.Fatalf("stale version: %v", err)
		}
		if _, err := db.GetChecklistKind(ctx, "nosuchkind"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("unknown kind: %v", err)
		}

		// Not in use: a column may go.
		got, err := db.UpdateChecklistKind(ctx, k.Key, 1, models.ChecklistKindPatch{Columns: k.Columns[:2]})
		if err != nil || len(got.Columns) != 2 || got.Version != 2 {
			t.Fatalf("update unused kind: %+v, %v", got, err)
		}
		// In use: it may not.
		city, _, _ := indUnits(t, db)
		if _, err := db.CreateChecklist(ctx, models.Checklist{KindKey: k.Key, Title: "清单", IssuingUnitID: city.ID, Year: 2021}); err != nil {
			t.Fatal(err)
		}
		_, err = db.UpdateChecklistKind(ctx, k.Key, 2, models.ChecklistKindPatch{Columns: got.Columns[:1]})
		wantCode(t, err, "checklist_kind_in_use")
		got, err = db.UpdateChecklistKind(ctx, k.Key, 2, models.ChecklistKindPatch{Columns: append(got.Columns, models.KindColumn{Key: "note", Label: "说明", Type: models.ColumnLongText})})
		if err != nil || len(got.Columns) != 3 {
			t.Fatalf("adding a column to a kind in use: %+v, %v", got, err)
		}
	})
}

func TestChecklistVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		k := testKind(t, db)
		city, district, town := indUnits(t, db)
		reporter, reviewer := models.UserActor(store.NewID()), models.UserActor(store.NewID())

		_, err := db.CreateChecklist(ctx, models.Checklist{KindKey: "nosuchkind", Title: "清单", IssuingUnitID: city.ID, Year: 2021})
		wantCode(t, err, "checklist_kind_not_found")
		_, err = db.CreateChecklist(ctx, models.Checklist{KindKey: k.Key, Title: "清单", IssuingUnitID: store.NewID(), Year: 2021})
		wantCode(t, err, "checklist_unit_not_found")

		c, err := db.CreateChecklist(ctx, models.Checklist{KindKey: k.Key, Title: "柔性执法事项清单", IssuingUnitID: district.ID,
			DocumentNumber: "盘政办发〔2021〕1号", Year: 2021})
		if err != nil {
			t.Fatal(err)
		}
		if c.ListID != c.ID || c.VersionNo != 1 || c.Status != models.ChecklistDraft || c.Version != 1 {
			t.Fatalf("new list: %+v", c)
		}
		_, err = db.SubmitChecklist(ctx, c.ID, ptr(int64(1)), reporter)
		wantCode(t, err, "checklist_empty")

		add := func(checklistID, name, level, unitID string) *models.ChecklistItem {
			t.Helper()
			it := &models.ChecklistItem{Name: name, Category: "交通运输", Attributes: map[string]string{"level": level, "field": "道路運輸"}}
			if unitID != "" {
				it.ImplementingUnitID = &unitID
			}
			if err := db.CreateChecklistItem(ctx, checklistID, it); err != nil {
				t.Fatalf("CreateChecklistItem(%s): %v", name, err)
			}
			return it
		}
		a := add(c.ID, "未按规定携带道路运输证", "市", district.ID)
		b := add(c.ID, "首次轻微超限", "县", town.ID)
		add(c.ID, "未悬挂标志牌", "县", town.ID)
		if a.Sequence != 1 || b.Sequence != 2 || a.ItemKey == "" || a.ItemKey == b.ItemKey {
			t.Fatalf("sequences %d %d, keys %q %q", a.Sequence, b.Sequence, a.ItemKey, b.ItemKey)
		}
		bad := &models.ChecklistItem{Name: "x", Attributes: map[string]string{"level": "乡", "amount": "十元"}}
		err = db.CreateChecklistItem(ctx, c.ID, bad)
		var ve *models.ValidationError
		if !errors.As(err, &ve) || ve.Code != "checklist_item_invalid" || len(ve.Fields) != 2 || ve.Fields[0].Pointer != "/attributes/level" {
			t.Fatalf("bad attributes: %#v", err)
		}

		// q folds scripts: a search in simplified characters finds the
		// traditional text, and the reverse.
		for _, q := range []string{"道路运输", "道路運輸", "超限"} {
			items, _, err := db.ListChecklistItems(ctx, c.ID, models.ChecklistItemFilter{Query: q}, paging.Page{Limit: 10})
			if err != nil || len(items) == 0 {
				t.Fatalf("q=%s: %d items, %v", q, len(items), err)
			}
		}
		items, _, err := db.ListChecklistItems(ctx, c.ID, models.ChecklistItemFilter{Attributes: map[string]string{"level": "县"}, ImplementingUnitID: town.ID}, paging.Page{Limit: 10})
		if err != nil || len(items) != 2 {
			t.Fatalf("level 县 of the town: %d items, %v", len(items), err)
		}
		page1, next, err := db.ListChecklistItems(ctx, c.ID, models.ChecklistItemFilter{}, paging.Page{Limit: 2})
		if err != nil || len(page1) != 2 || next == nil {
			t.Fatalf("page 1: %d items, %v, %v", len(page1), next, err)
		}
		page2, next, err := db.ListChecklistItems(ctx, c.ID, models.ChecklistItemFilter{}, paging.Page{Limit: 2, After: next})
		if err != nil || len(page2) != 1 || next != nil || page2[0].Sequence != 3 {
			t.Fatalf("page 2: %+v, %v, %v", page2, next, err)
		}

		stats, err := db.ChecklistStatistics(ctx, c.ID)
		if err != nil || stats.Items != 3 || stats.ByUnit[0] != (models.ChecklistCount{Key: town.ID, Items: 2}) || stats.ByCategory[0].Items != 3 {
			t.Fatalf("statistics: %+v, %v", stats, err)
		}

		c, err = db.SubmitChecklist(ctx, c.ID, ptr(int64(1)), reporter)
		if err != nil || c.Status != models.ChecklistInReview {
			t.Fatalf("submit: %+v, %v", c, err)
		}
		_, err = db.UpdateChecklistItem(ctx, a.ID, a.Version, models.ChecklistItemPatch{Name: ptr("x")})
		wantCode(t, err, "checklist_not_draft")
		c, err = db.ReturnChecklist(ctx, c.ID, ptr(int64(2)), reviewer, "依据条文不全")
		if err != nil || c.Status != models.ChecklistDraft || *c.ReviewComment != "依据条文不全" {
			t.Fatalf("return: %+v, %v", c, err)
		}
		if c, err = db.SubmitChecklist(ctx, c.ID, ptr(int64(3)), reporter); err != nil {
			t.Fatal(err)
		}
		_, err = db.PublishChecklist(ctx, c.ID, ptr(int64(4)), reporter, "")
		wantCode(t, err, "self_review")
		c, err = db.PublishChecklist(ctx, c.ID, ptr(int64(4)), reviewer, "")
		if err != nil || c.Status != models.ChecklistPublished || c.PublishedAt == nil {
			t.Fatalf("publish: %+v, %v", c, err)
		}
		wantCode(t, db.DeleteChecklistItem(ctx, a.ID, a.Version), "checklist_not_draft")

		// The revision carries every item under the same keys.
		next2, err := db.ReviseChecklist(ctx, c.ID, &c.Version, models.RevisionIDs{})
		if err != nil || next2.ListID != c.ID || next2.VersionNo != 2 || next2.Status != models.ChecklistDraft {
			t.Fatalf("revise: %+v, %v", next2, err)
		}
		_, err = db.ReviseChecklist(ctx, c.ID, &c.Version, models.RevisionIDs{})
		wantCode(t, err, "checklist_revision_open")
		revised, err := db.AllChecklistItems(ctx, next2.ID)
		if err != nil || len(revised) != 3 || revised[0].ItemKey != a.ItemKey || revised[0].ID == a.ID {
			t.Fatalf("revised items: %+v, %v", revised, err)
		}
		changed, err := db.UpdateChecklistItem(ctx, revised[0].ID, 1, models.ChecklistItemPatch{Name: ptr("未随车携带道路运输证"), Attributes: map[string]string{"amount": "200"}})
		if err != nil || changed.Version != 2 || changed.Attributes["amount"] != "200" || changed.Attributes["level"] != "市" {
			t.Fatalf("update item: %+v, %v", changed, err)
		}
		if err := db.DeleteChecklistItem(ctx, revised[1].ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateChecklistItem(ctx, revised[0].ID, 1, models.ChecklistItemPatch{Name: ptr("y")}); !errors.Is(err, models.ErrPrecondition) {
			t.Fatalf("stale item: %v", err)
		}
		if _, err := db.SubmitChecklist(ctx, next2.ID, ptr(int64(1)), reporter); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PublishChecklist(ctx, next2.ID, ptr(int64(2)), reviewer, "同意"); err != nil {
			t.Fatal(err)
		}
		old, err := db.GetChecklist(ctx, c.ID)
		if err != nil || old.Status != models.ChecklistSuperseded || old.EndedAt == nil {
			t.Fatalf("the old version: %+v, %v", old, err)
		}
		if items, _ := db.AllChecklistItems(ctx, c.ID); len(items) != 3 {
			t.Fatalf("the old version keeps its %d items", len(items))
		}
		versions, err := db.ChecklistVersions(ctx, next2.ID)
		if err != nil || len(versions) != 2 || versions[0].ID != c.ID {
			t.Fatalf("versions: %+v, %v", versions, err)
		}
		_, err = db.AbolishChecklist(ctx, c.ID, &old.Version)
		wantCode(t, err, "checklist_not_published")
		gone, err := db.AbolishChecklist(ctx, next2.ID, ptr(int64(3)))
		if err != nil || gone.Status != models.ChecklistAbolished {
			t.Fatalf("abolish: %+v, %v", gone, err)
		}

		list, _, err := db.ListChecklists(ctx, models.ChecklistFilter{ListID: c.ID, Statuses: models.ChecklistLifecycle.Released}, paging.Page{Limit: 10})
		if err != nil || len(list) != 1 || list[0].ID != c.ID {
			t.Fatalf("released versions: %+v, %v", list, err)
		}
		list, _, err = db.ListChecklists(ctx, models.ChecklistFilter{UnitPath: city.Path, KindKey: k.Key}, paging.Page{Limit: 10, Sort: paging.Sort{Field: "year"}})
		if err != nil || len(list) != 2 {
			t.Fatalf("lists in the city's subtree: %d, %v", len(list), err)
		}
	})
}

func TestDeleteDraftChecklist(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		k := testKind(t, db)
		city, _, _ := indUnits(t, db)
		c, err := db.CreateChecklist(ctx, models.Checklist{KindKey: k.Key, Title: "清单", IssuingUnitID: city.ID, Year: 2022})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := db.CreateChecklistItem(ctx, c.ID, &models.ChecklistItem{Name: fmt.Sprint("事项", i), Attributes: map[string]string{"level": "市"}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.DeleteChecklist(ctx, c.ID, 2); !errors.Is(err, models.ErrPrecondition) {
			t.Fatalf("stale delete: %v", err)
		}
		if err := db.DeleteChecklist(ctx, c.ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetChecklist(ctx, c.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("deleted list: %v", err)
		}
		if items, err := db.AllChecklistItems(ctx, c.ID); err != nil || len(items) != 0 {
			t.Fatalf("its items: %d, %v", len(items), err)
		}
	})
}

// TestChecklistItemOrder: inserting, moving and removing an item keeps the
// sequences 1…n, in the order asked for.
func TestChecklistItemOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		k := testKind(t, db)
		city, _, _ := indUnits(t, db)
		c, err := db.CreateChecklist(ctx, models.Checklist{KindKey: k.Key, Title: "清单", IssuingUnitID: city.ID, Year: 2022})
		if err != nil {
			t.Fatal(err)
		}
		add := func(name string, seq int) *models.ChecklistItem {
			t.Helper()
			it := &models.ChecklistItem{Name: name, Sequence: seq, Attributes: map[string]string{"level": "市"}}
			if err := db.CreateChecklistItem(ctx, c.ID, it); err != nil {
				t.Fatal(err)
			}
			return it
		}
		order := func(want ...string) {
			t.Helper()
			items, err := db.AllChecklistItems(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, it := range items {
				if it.Sequence != i+1 {
					t.Fatalf("item %s at %d, want %d", it.Name, it.Sequence, i+1)
				}
				got = append(got, it.Name)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("order %v, want %v", got, want)
			}
		}
		add("甲", 0)
		b := add("乙", 0)
		add("丙", 0)
		d := add("丁", 1)
		order("丁", "甲", "乙", "丙")
		if _, err := db.UpdateChecklistItem(ctx, d.ID, d.Version, models.ChecklistItemPatch{Sequence: ptr(3)}); err != nil {
			t.Fatal(err)
		}
		order("甲", "乙", "丁", "丙")
		b, err = db.GetChecklistItem(ctx, b.ID)
		if err != nil || b.Version != 3 { // shifted by the insertion, then by the move
			t.Fatalf("a shifted item's version: %+v, %v", b, err)
		}
		if err := db.DeleteChecklistItem(ctx, b.ID, b.Version); err != nil {
			t.Fatal(err)
		}
		order("甲", "丁", "丙")
		add("戊", 99)
		order("甲", "丁", "丙", "戊")
	})
}

// TestBulkItemChangesAudited: a change of more items than one write of
// audit events carries (they are built and written a chunk at a time)
// leaves one event per item, each with the item's own snapshots.
func TestBulkItemChangesAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		actor := models.Caller{Kind: models.CallerUser, ID: store.NewID(), Name: "bulk.auditor"}
		ctx := models.WithRequestInfo(t.Context(), models.RequestInfo{Caller: actor, Operation: "test.bulk"})
		k := testKind(t, db)
		city, _, _ := indUnits(t, db)
		c, err := db.CreateChecklist(ctx, models.Checklist{KindKey: k.Key, Title: "清单", IssuingUnitID: city.ID, Year: 2022})
		if err != nil {
			t.Fatal(err)
		}
		n := 2*store.BatchSize + 3
		items := make([]*models.ChecklistItem, n)
		for i := range items {
			items[i] = &models.ChecklistItem{Name: fmt.Sprint("事项", i), Attributes: map[string]string{"level": "市"}}
		}
		head := auditHead(t, db)
		if err := db.AddChecklistItems(ctx, c.ID, items); err != nil {
			t.Fatal(err)
		}
		added := auditHead(t, db)
		renamed := make([]models.ChecklistItem, n)
		for i, it := range items {
			renamed[i] = *it
			renamed[i].Name = fmt.Sprint("改名事项", i)
		}
		if err := db.ApplyChecklistItemChanges(ctx, c.ID, models.ChecklistItemChanges{Update: renamed}); err != nil {
			t.Fatal(err)
		}
		auditHead(t, db)

		type snapshot struct{ ID, Name string }
		read := func(s string) snapshot {
			var out snapshot
			if s != "" {
				if err := json.Unmarshal([]byte(s), &out); err != nil {
					t.Fatalf("snapshot %q: %v", s, err)
				}
			}
			return out
		}
		index := map[string]int{} // item id → its place
		for i, it := range items {
			index[it.ID] = i
		}
		check := func(events []models.AuditEvent, before, after func(i int) string) {
			t.Helper()
			seen := map[string]bool{}
			for _, e := range events {
				i, ok := index[e.EntityID]
				if e.EntityType != "checklist_item" || !ok || seen[e.EntityID] {
					t.Fatalf("event %s of %s %s: not one per item of the list", e.ID, e.EntityType, e.EntityID)
				}
				seen[e.EntityID] = true
				if b, a := read(e.Before), read(e.After); b.Name != before(i) || a.Name != after(i) || a.ID != e.EntityID {
					t.Fatalf("event of item %d: before %+v, after %+v", i, b, a)
				}
			}
			if len(seen) != n {
				t.Fatalf("%d items have events, want %d", len(seen), n)
			}
		}
		var adds, renames []models.AuditEvent
		for _, e := range eventsAfter(t, db.DB, head, models.AuditFilter{ActorID: actor.ID, EntityType: "checklist_item"}) {
			if e.Seq <= added {
				adds = append(adds, e)
			} else {
				renames = append(renames, e)
			}
		}
		check(adds, func(int) string { return "" }, func(i int) string { return items[i].Name })
		check(renames, func(i int) string { return items[i].Name }, func(i int) string { return renamed[i].Name })
	})
}
