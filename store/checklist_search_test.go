package store_test

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
	"github.com/fazhi/fazhi/store"
	"github.com/fazhi/fazhi/textsearch"
)

// checkIndex compares the bigram index of a version with what its items'
// texts make of it: a count of the items of every gram they hold, and the
// entries of every gram that is not common, and of no other.
func checkIndex(t *testing.T, db *store.DB, checklistID string) {
	t.Helper()
	items, err := db.AllChecklistItems(t.Context(), checklistID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{} // gram → the ids of the items holding it
	for _, it := range items {
		for _, g := range store.ItemGrams(it.SearchText) {
			want[g] = append(want[g], it.ID)
		}
	}
	var counts []struct {
		Gram   string
		Items  int
		Common bool
	}
	var entries []struct{ Gram, ItemID string }
	g := store.GormOf(db)
	if err := g.Raw("SELECT gram, items, common FROM checklist_gram_counts WHERE checklist_id = ?", checklistID).Scan(&counts).Error; err != nil {
		t.Fatal(err)
	}
	if err := g.Raw("SELECT gram, item_id FROM checklist_item_grams WHERE checklist_id = ?", checklistID).Scan(&entries).Error; err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, e := range entries {
		got[e.Gram] = append(got[e.Gram], e.ItemID)
	}
	counted := map[string]bool{}
	for _, c := range counts {
		counted[c.Gram] = true
		ids := want[c.Gram]
		slices.Sort(ids)
		slices.Sort(got[c.Gram])
		switch {
		case c.Items != len(ids):
			t.Errorf("gram %q: counted in %d items, held by %d", c.Gram, c.Items, len(ids))
		case c.Items == 0 && !c.Common:
			t.Errorf("gram %q: a count of no item that is not common", c.Gram)
		case c.Common && len(got[c.Gram]) > 0:
			t.Errorf("gram %q is common but has %d entries", c.Gram, len(got[c.Gram]))
		case !c.Common && c.Items > store.GramMaxEntries():
			t.Errorf("gram %q: %d items, more than %d, but not common", c.Gram, c.Items, store.GramMaxEntries())
		case !c.Common && !slices.Equal(got[c.Gram], ids):
			t.Errorf("gram %q: entries %v, held by %v", c.Gram, got[c.Gram], ids)
		}
	}
	for gram := range want {
		if !counted[gram] {
			t.Errorf("gram %q, held by %d items, has no count", gram, len(want[gram]))
		}
	}
	for gram := range got {
		if !counted[gram] {
			t.Errorf("gram %q has %d entries and no count", gram, len(got[gram]))
		}
	}
	if len(items) > 0 && len(counts) == 0 {
		t.Errorf("version %s: %d items and no gram", checklistID, len(items))
	}
}

// search reads every page of the items matching f, limit a page, through
// the bigram index where ListChecklistItems would and by the scan of every
// item, and fails unless both read the same pages. It returns the names
// read and whether the index was read.
func search(t *testing.T, db *dbtest.DB, checklistID string, f models.ChecklistItemFilter, limit int) (names []string, byGram bool) {
	t.Helper()
	read := func(most int) (pages [][]string, byGram []bool) {
		t.Helper()
		var after *paging.Cursor
		for {
			rows, next, by, err := db.ListChecklistItemsThrough(t.Context(), checklistID, f, paging.Page{Limit: limit, After: after}, most)
			if err != nil {
				t.Fatalf("q=%q: %v", f.Query, err)
			}
			var page []string
			for _, it := range rows {
				page = append(page, it.ID+" "+it.Name)
			}
			pages, byGram = append(pages, page), append(byGram, by)
			if next == nil {
				return pages, byGram
			}
			if len(pages) > 100 {
				t.Fatalf("q=%q: more than 100 pages", f.Query)
			}
			after = next
		}
	}
	indexed, grams := read(store.GramMaxEntries())
	scanned, scans := read(-1)
	if !slices.EqualFunc(indexed, scanned, slices.Equal) {
		t.Errorf("q=%q: through the index %q, by the scan %q", f.Query, indexed, scanned)
	}
	if slices.Contains(scans, true) {
		t.Errorf("q=%q: the scan read the index", f.Query)
	}
	if slices.Contains(grams, !grams[0]) {
		t.Errorf("q=%q: some pages read the index and some not: %v", f.Query, grams)
	}
	for _, page := range indexed {
		for _, s := range page {
			_, name, _ := strings.Cut(s, " ")
			names = append(names, name)
		}
	}
	return names, grams[0]
}

// wantSearch checks what q finds and how.
func wantSearch(t *testing.T, db *dbtest.DB, checklistID string, f models.ChecklistItemFilter, byGram bool, want ...string) {
	t.Helper()
	got, by := search(t, db, checklistID, f, 2)
	if !slices.Equal(got, want) {
		t.Errorf("q=%q: %q, want %q", f.Query, got, want)
	}
	if by != byGram {
		t.Errorf("q=%q: read through a gram: %v, want %v", f.Query, by, byGram)
	}
}

func q(query string) models.ChecklistItemFilter { return models.ChecklistItemFilter{Query: query} }

func TestChecklistSearchIndex(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		k := testKind(t, db)
		_, district, town := indUnits(t, db)
		reporter, reviewer := models.UserActor(store.NewID()), models.UserActor(store.NewID())
		c, err := db.CreateChecklist(ctx, models.Checklist{KindKey: k.Key, Title: "检索清单", IssuingUnitID: district.ID, Year: 2024})
		if err != nil {
			t.Fatal(err)
		}
		item := func(name, category, field string) *models.ChecklistItem {
			return &models.ChecklistItem{Name: name, Category: category, Attributes: map[string]string{"level": "市", "field": field}}
		}
		one := item("未按规定设置盲道标志", "交通运输", "道路運輸")
		one.ImplementingUnitID = &town.ID
		if err := db.CreateChecklistItem(ctx, c.ID, one); err != nil {
			t.Fatal(err)
		}
		many := []*models.ChecklistItem{
			item("擅自占用盲道设置摊点", "城市管理", ""),
			item("瓶裝燃氣经营者未查验资格", "城市管理", ""),
			item("达标率低于100%的", "生态环境", ""),
			item("首次轻微超限", "交通运输", "治超"),
		}
		for i := range 5 {
			many = append(many, item(fmt.Sprintf("公示经营信息（第%d项）", i+1), "市场监管", ""))
		}
		if err := db.AddChecklistItems(ctx, c.ID, many); err != nil {
			t.Fatal(err)
		}
		checkIndex(t, db.DB, c.ID)
		names := func(items ...*models.ChecklistItem) []string {
			var out []string
			for _, it := range items {
				out = append(out, it.Name)
			}
			return out
		}

		wantSearch(t, db, c.ID, q("盲道"), true, one.Name, many[0].Name)
		wantSearch(t, db, c.ID, q("瓶装燃气"), true, many[1].Name) // simplified finds traditional
		wantSearch(t, db, c.ID, q("瓶裝燃氣"), true, many[1].Name)
		wantSearch(t, db, c.ID, q("道路运输"), true, one.Name) // a searchable column
		wantSearch(t, db, c.ID, q("ＯＫ0%"), true)           // wildcards are text; full width folds
		wantSearch(t, db, c.ID, q("100%的"), true, many[2].Name)
		wantSearch(t, db, c.ID, q("0_"), true)
		wantSearch(t, db, c.ID, q("交通运输"), true, one.Name, many[3].Name) // the category
		wantSearch(t, db, c.ID, q("无此事项"), true)
		wantSearch(t, db, c.ID, q("公示"), true, names(many[4:]...)...)  // three pages
		wantSearch(t, db, c.ID, q("盲"), false, one.Name, many[0].Name) // one character: the scan
		wantSearch(t, db, c.ID, q("%"), false, many[2].Name)
		wantSearch(t, db, c.ID, q("盲 道"), false) // no gram without whitespace
		wantSearch(t, db, c.ID, models.ChecklistItemFilter{Query: "盲道", Category: "交通运输"}, true, one.Name)
		wantSearch(t, db, c.ID, models.ChecklistItemFilter{Query: "盲道", ImplementingUnitID: town.ID}, true, one.Name)
		wantSearch(t, db, c.ID, models.ChecklistItemFilter{Query: "道路", Attributes: map[string]string{"level": "县"}}, true)

		// An item's new text replaces its grams; a move keeps them.
		changed, err := db.UpdateChecklistItem(ctx, many[0].ID, many[0].Version, models.ChecklistItemPatch{Name: ptr("擅自占用消防通道")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateChecklistItem(ctx, one.ID, one.Version, models.ChecklistItemPatch{Sequence: ptr(3)}); err != nil {
			t.Fatal(err)
		}
		checkIndex(t, db.DB, c.ID)
		wantSearch(t, db, c.ID, q("盲道"), true, one.Name)
		wantSearch(t, db, c.ID, q("消防通道"), true, changed.Name)
		wantSearch(t, db, c.ID, q("摊点"), true)

		// A deleted item's entries and counts go.
		deleted, err := db.GetChecklistItem(ctx, many[3].ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteChecklistItem(ctx, deleted.ID, deleted.Version); err != nil {
			t.Fatal(err)
		}
		checkIndex(t, db.DB, c.ID)
		wantSearch(t, db, c.ID, q("超限"), true)
		wantSearch(t, db, c.ID, q("交通运输"), true, one.Name)

		// An import creates, changes and deletes.
		current, err := db.AllChecklistItems(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]models.ChecklistItem{}
		for _, it := range current {
			byName[it.Name] = it
		}
		update := byName[many[1].Name]
		update.Name = "瓶装燃气供应站未落实安全责任"
		err = db.ApplyChecklistItemChanges(ctx, c.ID, models.ChecklistItemChanges{
			Create: []models.ChecklistItem{*item("未办理燃气经营许可", "城市管理", "燃气"), *item("公示经营信息（第6项）", "市场监管", "")},
			Update: []models.ChecklistItem{update},
			Delete: []models.ChecklistItem{byName[many[4].Name]},
		})
		if err != nil {
			t.Fatal(err)
		}
		checkIndex(t, db.DB, c.ID)
		wantSearch(t, db, c.ID, q("燃气"), true, "瓶装燃气供应站未落实安全责任", "未办理燃气经营许可")
		wantSearch(t, db, c.ID, q("查验资格"), true)
		wantSearch(t, db, c.ID, q("第1项"), true)
		sixth := append(names(many[5:]...), "公示经营信息（第6项）")
		wantSearch(t, db, c.ID, q("公示经营"), true, sixth...)

		// A revision copies the grams to its items.
		if c, err = db.SubmitChecklist(ctx, c.ID, nil, reporter); err != nil {
			t.Fatal(err)
		}
		if c, err = db.PublishChecklist(ctx, c.ID, nil, reviewer, ""); err != nil {
			t.Fatal(err)
		}
		next, err := db.ReviseChecklist(ctx, c.ID, nil, models.RevisionIDs{})
		if err != nil {
			t.Fatal(err)
		}
		checkIndex(t, db.DB, next.ID)
		checkIndex(t, db.DB, c.ID)
		wantSearch(t, db, next.ID, q("消防通道"), true, changed.Name)
		wantSearch(t, db, next.ID, q("公示经营"), true, sixth...)
		revised, _, err := db.ListChecklistItems(ctx, next.ID, q("消防通道"), paging.Page{Limit: 10})
		if err != nil || len(revised) != 1 || revised[0].ChecklistID != next.ID || revised[0].ID == changed.ID {
			t.Fatalf("the revision's item: %+v, %v", revised, err)
		}
		edited, err := db.UpdateChecklistItem(ctx, revised[0].ID, revised[0].Version, models.ChecklistItemPatch{Name: ptr("擅自占用疏散通道")})
		if err != nil {
			t.Fatal(err)
		}
		checkIndex(t, db.DB, next.ID)
		checkIndex(t, db.DB, c.ID)
		wantSearch(t, db, next.ID, q("疏散通道"), true, edited.Name)
		wantSearch(t, db, c.ID, q("疏散通道"), true)
		wantSearch(t, db, c.ID, q("消防通道"), true, changed.Name)

		// Deleting the draft deletes its index.
		if err := db.DeleteChecklist(ctx, next.ID, next.Version); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"checklist_gram_counts", "checklist_item_grams"} {
			var n int64
			if err := store.GormOf(db.DB).Raw("SELECT COUNT(*) FROM "+table+" WHERE checklist_id = ?", next.ID).Scan(&n).Error; err != nil || n != 0 {
				t.Errorf("%s of the deleted draft: %d rows, %v", table, n, err)
			}
		}
		checkIndex(t, db.DB, c.ID)
	})
}

// TestChecklistSearchCommonGrams: a gram of more items than are worth
// looking up keeps no entries, and stays so; q finds the same items, by the
// scan when all its grams are common.
func TestChecklistSearchCommonGrams(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		t.Cleanup(store.SetGramMaxEntries(3))
		k := testKind(t, db)
		city, _, _ := indUnits(t, db)
		c, err := db.CreateChecklist(ctx, models.Checklist{KindKey: k.Key, Title: "常见字清单", IssuingUnitID: city.ID, Year: 2024})
		if err != nil {
			t.Fatal(err)
		}
		var items []*models.ChecklistItem
		for i := range 3 {
			items = append(items, &models.ChecklistItem{Name: fmt.Sprintf("公示信息%c", 'a'+i), Attributes: map[string]string{"level": "市"}})
		}
		if err := db.AddChecklistItems(ctx, c.ID, items); err != nil {
			t.Fatal(err)
		}
		checkIndex(t, db.DB, c.ID)
		wantSearch(t, db, c.ID, q("公示"), true, "公示信息a", "公示信息b", "公示信息c")
		fourth := &models.ChecklistItem{Name: "公示信息d", Attributes: map[string]string{"level": "市"}}
		if err := db.CreateChecklistItem(ctx, c.ID, fourth); err != nil {
			t.Fatal(err)
		}
		checkIndex(t, db.DB, c.ID)
		var common []string
		if err := store.GormOf(db.DB).Raw("SELECT gram FROM checklist_gram_counts WHERE checklist_id = ? AND common ORDER BY gram", c.ID).
			Scan(&common).Error; err != nil {
			t.Fatal(err)
		}
		if want := []string{"信息", "公示", "示信"}; !slices.Equal(common, want) {
			t.Errorf("common grams %q, want %q", common, want)
		}
		wantSearch(t, db, c.ID, q("公示"), false, "公示信息a", "公示信息b", "公示信息c", "公示信息d")
		wantSearch(t, db, c.ID, q("公示信息d"), true, "公示信息d") // through 息d
		for _, it := range items[:2] {
			it, err := db.GetChecklistItem(ctx, it.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.DeleteChecklistItem(ctx, it.ID, it.Version); err != nil {
				t.Fatal(err)
			}
		}
		checkIndex(t, db.DB, c.ID) // common still, with two items
		wantSearch(t, db, c.ID, q("公示"), false, "公示信息c", "公示信息d")
	})
}

// foldedSpace is the whitespace a folded text can hold, which migration
// 00011 leaves out of grams as the store does.
var foldedSpace = []rune{'\t', '\n', '\v', '\f', '\r', ' ', 0x85, 0x1680, 0x2028, 0x2029}

// TestChecklistGramBackfill: migration 00011 indexes the items that exist
// before it exactly as the store indexes those it writes.
func TestChecklistGramBackfill(t *testing.T) {
	// Fold lower-cases and normalises (NFKC) before it simplifies CJK
	// characters, which are not whitespace: no other whitespace comes out.
	for r := rune(0); r <= unicode.MaxRune; r++ {
		for _, s := range strings.ToLower(norm.NFKC.String(string(r))) {
			if unicode.IsSpace(s) && !slices.Contains(foldedSpace, s) {
				t.Errorf("%U folds to the whitespace %U, which migration 00011 keeps in grams", r, s)
			}
		}
	}
	eachNewDatabase(t, "backfill.db", func(t *testing.T, dialect string, db *store.DB) {
		ctx := t.Context()
		var err error
		if _, err := db.MigrateUp(ctx); err != nil {
			t.Fatal(err)
		}
		for {
			v, err := db.MigrateDown(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v == 11 {
				break
			}
		}
		// Before migration 00018 an event's number was its key, given
		// when it was written; today's store writes events unnumbered.
		// MySQL numbers them itself meanwhile (SQLite's INTEGER
		// PRIMARY KEY does already).
		if dialect == store.MySQL {
			if err := store.GormOf(db).Exec("ALTER TABLE audit_events MODIFY seq BIGINT NOT NULL AUTO_INCREMENT").Error; err != nil {
				t.Fatal(err)
			}
		}
		// Today's store also writes the province's feed (migration
		// 00019): a table to take its rows while the schema is old.
		if err := store.GormOf(db).Exec(`CREATE TABLE feed_events (id VARCHAR(36) NOT NULL PRIMARY KEY, audit_id VARCHAR(36) NOT NULL,
				seq BIGINT NULL, record_type VARCHAR(40) NOT NULL, record_id VARCHAR(64) NOT NULL, occurred_at DATETIME(6) NOT NULL)`).Error; err != nil {
			t.Fatal(err)
		}
		u := &models.Unit{Code: areaCode(), Name: "回填市", Kind: models.UnitCity}
		if err := db.CreateUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
		lists := make([]*models.Checklist, 2)
		for i := range lists {
			if lists[i], err = db.CreateChecklist(ctx, models.Checklist{KindKey: "noPenalty", Title: "回填清单", IssuingUnitID: u.ID, Year: 2024}); err != nil {
				t.Fatal(err)
			}
		}
		// Texts as the store folds them: every whitespace a folded
		// text can hold, a character outside the BMP, repeated
		// pairs, wildcards, and texts long enough for the
		// migration's positions past 16, 256 and 4,096.
		var odd strings.Builder
		for _, r := range foldedSpace {
			odd.WriteString("甲" + string(r) + "乙")
		}
		texts := []string{
			textsearch.Fold("擅自占用盲道", "《中华人民共和国行政处罚法》", "道路運輸"),
			odd.String() + "𠀀𠀁 a¨b ＡＢ%_!",
			textsearch.Fold("盲道盲道盲道", "x"),
			textsearch.Fold(strings.Repeat("长文本第", 80) + "盲道"),
			textsearch.Fold(strings.Repeat("一二三四五六七八九十", 500) + "尾巴"),
			"a", "",
		}
		var rows []*models.ChecklistItem
		add := func(c *models.Checklist, text string) {
			rows = append(rows, &models.ChecklistItem{ID: store.NewID(), ChecklistID: c.ID, ItemKey: store.NewID(), Sequence: len(rows) + 1,
				Name: "回填事项", Attributes: map[string]string{}, SearchText: text, Version: 1, CreatedAt: db.Now(), UpdatedAt: db.Now()})
		}
		for _, text := range texts {
			add(lists[0], text)
		}
		// 5,001 items of one gram make it common.
		for i := range 5001 {
			add(lists[1], fmt.Sprintf("共同%d", i))
		}
		add(lists[1], "盲道")
		if err := store.GormOf(db).CreateInBatches(rows, 500).Error; err != nil {
			t.Fatal(err)
		}
		if dialect == store.MySQL {
			if err := store.GormOf(db).Exec("ALTER TABLE audit_events MODIFY seq BIGINT NOT NULL").Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := store.GormOf(db).Exec("DROP TABLE feed_events").Error; err != nil {
			t.Fatal(err)
		}
		if applied, err := db.MigrateUp(ctx); err != nil || !slices.Contains(applied, 11) {
			t.Fatalf("MigrateUp: %v, %v", applied, err)
		}
		for _, c := range lists {
			checkIndex(t, db, c.ID)
		}
		var common []string
		if err := store.GormOf(db).Raw("SELECT gram FROM checklist_gram_counts WHERE checklist_id = ? AND common", lists[1].ID).
			Scan(&common).Error; err != nil || !slices.Equal(common, []string{"共同"}) {
			t.Errorf("common grams %q, %v; want 共同", common, err)
		}
		for _, want := range []struct {
			list  int
			query string
			items int
		}{{0, "盲道", 3}, {0, "道路运输", 1}, {0, "甲乙", 0}, {0, "乙甲", 1}, {0, "甲\t乙", 1}, {0, "𠀁", 1}, {0, "%_", 1}, {0, "尾巴", 1},
			{1, "盲道", 1}, {1, "共同", 5001}, {1, "同4999", 1}} {
			got, _, _, err := db.ListChecklistItemsThrough(ctx, lists[want.list].ID, q(want.query), paging.Page{Limit: 10000}, store.GramMaxEntries())
			if err != nil || len(got) != want.items {
				t.Errorf("q=%q: %d items, %v; want %d", want.query, len(got), err, want.items)
			}
		}
	})
}

// TestChecklistSearchFollowsKind: when a kind's searchable columns change,
// q finds the items of its lists by what the kind searches now, in
// published versions too, and the items keep their versions.
func TestChecklistSearchFollowsKind(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		k := testKind(t, db)
		city, _, _ := indUnits(t, db)
		c, err := db.CreateChecklist(ctx, models.Checklist{KindKey: k.Key, Title: "改列清单", IssuingUnitID: city.ID, Year: 2024})
		if err != nil {
			t.Fatal(err)
		}
		items := []*models.ChecklistItem{
			{Name: "事项一", Attributes: map[string]string{"field": "燃气管理", "level": "省"}},
			{Name: "事项二", Attributes: map[string]string{"field": "道路运输", "level": "县"}},
		}
		if err := db.AddChecklistItems(ctx, c.ID, items); err != nil {
			t.Fatal(err)
		}
		if c, err = db.SubmitChecklist(ctx, c.ID, nil, models.UserActor(store.NewID())); err != nil {
			t.Fatal(err)
		}
		if c, err = db.PublishChecklist(ctx, c.ID, nil, models.UserActor(store.NewID()), ""); err != nil {
			t.Fatal(err)
		}
		wantSearch(t, db, c.ID, q("燃气管理"), true, "事项一")
		wantSearch(t, db, c.ID, q("县"), false)

		columns := slices.Clone(k.Columns)
		columns[0].Searchable, columns[1].Searchable = false, true
		if _, err := db.UpdateChecklistKind(ctx, k.Key, k.Version, models.ChecklistKindPatch{Columns: columns}); err != nil {
			t.Fatal(err)
		}
		checkIndex(t, db.DB, c.ID)
		wantSearch(t, db, c.ID, q("燃气管理"), true)
		wantSearch(t, db, c.ID, q("县"), false, "事项二")
		wantSearch(t, db, c.ID, q("事项二县"), true) // the parts stay apart: no item holds 二县
		for _, it := range items {
			got, err := db.GetChecklistItem(ctx, it.ID)
			if err != nil || got.Version != it.Version || !got.UpdatedAt.Equal(it.UpdatedAt) {
				t.Errorf("item %s after the kind changed: %+v, %v; want version %d", it.Name, got, err, it.Version)
			}
		}
	})
}

// TestImportChecklistItemsInBatches: an import given in batches leaves the
// index what its items make of it (a gram that turns common in a later
// batch keeps no entries of the earlier ones), places the problems of a
// batch after the items of those before, and writes nothing when any batch
// is refused.
func TestImportChecklistItemsInBatches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		t.Cleanup(store.SetGramMaxEntries(3))
		k := testKind(t, db)
		city, _, _ := indUnits(t, db)
		c, err := db.CreateChecklist(ctx, models.Checklist{KindKey: k.Key, Title: "分批导入清单", IssuingUnitID: city.ID, Year: 2024})
		if err != nil {
			t.Fatal(err)
		}
		item := func(name string) models.ChecklistItem {
			return models.ChecklistItem{Name: name, Attributes: map[string]string{"level": "市"}}
		}
		batches := func(bs ...models.ChecklistItemChanges) iter.Seq2[models.ChecklistItemChanges, error] {
			return func(yield func(models.ChecklistItemChanges, error) bool) {
				for _, b := range bs {
					if !yield(b, nil) {
						return
					}
				}
			}
		}
		items := func() []models.ChecklistItem {
			all, err := db.AllChecklistItems(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return all
		}
		names := func(items ...models.ChecklistItem) []string {
			var out []string
			for _, it := range items {
				out = append(out, it.Name)
			}
			return out
		}
		entries := func(gram string) int {
			var n int64
			if err := store.GormOf(db.DB).Raw("SELECT COUNT(*) FROM checklist_item_grams WHERE checklist_id = ? AND gram = ?", c.ID, gram).
				Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			return int(n)
		}

		// Two batches of two: 公示 turns common in the second.
		err = db.ImportChecklistItems(ctx, c.ID, batches(
			models.ChecklistItemChanges{Create: []models.ChecklistItem{item("公示信息甲"), item("公示信息乙")}},
			models.ChecklistItemChanges{Create: []models.ChecklistItem{item("公示信息丙"), item("公示信息丁")}}))
		if err != nil {
			t.Fatal(err)
		}
		checkIndex(t, db.DB, c.ID)
		if n := entries("公示"); n != 0 {
			t.Errorf("%d entries of the common gram 公示", n)
		}
		wantSearch(t, db, c.ID, q("信息乙"), true, "公示信息乙")
		before := items()
		if got := names(before...); !slices.Equal(got, []string{"公示信息甲", "公示信息乙", "公示信息丙", "公示信息丁"}) {
			t.Fatalf("items %q", got)
		}

		// A problem in the second batch points past the first batch's
		// items; a stale version in the second is a conflict. Either way
		// the first batch's changes are not written.
		renamed := before[0]
		renamed.Name = "公示经营信息"
		bad := item("")
		err = db.ImportChecklistItems(ctx, c.ID, batches(
			models.ChecklistItemChanges{Create: []models.ChecklistItem{item("新事项")}, Update: []models.ChecklistItem{renamed}},
			models.ChecklistItemChanges{Create: []models.ChecklistItem{bad}}))
		var invalid *models.ValidationError
		if !errors.As(err, &invalid) || len(invalid.Fields) == 0 || !strings.HasPrefix(invalid.Fields[0].Pointer, "/items/2/") {
			t.Errorf("a nameless item in the second batch: %v (%+v)", err, invalid)
		}
		stale := before[1]
		stale.Version--
		err = db.ImportChecklistItems(ctx, c.ID, batches(
			models.ChecklistItemChanges{Create: []models.ChecklistItem{item("新事项")}, Update: []models.ChecklistItem{renamed}},
			models.ChecklistItemChanges{Delete: []models.ChecklistItem{stale}}))
		var conflict *models.ConflictError
		if !errors.As(err, &conflict) || conflict.Code != "checklist_item_changed" {
			t.Errorf("a stale version in the second batch: %v", err)
		}
		if got := items(); !slices.EqualFunc(got, before, func(a, b models.ChecklistItem) bool { return a.ID == b.ID && a.Version == b.Version }) {
			t.Errorf("refused imports changed the items: %q", names(got...))
		}
		checkIndex(t, db.DB, c.ID)

		// Creates, updates and deletes over three batches.
		err = db.ImportChecklistItems(ctx, c.ID, batches(
			models.ChecklistItemChanges{Create: []models.ChecklistItem{item("新事项")}, Update: []models.ChecklistItem{renamed}},
			models.ChecklistItemChanges{Delete: []models.ChecklistItem{before[1]}},
			models.ChecklistItemChanges{Create: []models.ChecklistItem{item("另一新事项")}}))
		if err != nil {
			t.Fatal(err)
		}
		after := items()
		if got := names(after...); !slices.Equal(got, []string{"公示经营信息", "公示信息丙", "公示信息丁", "新事项", "另一新事项"}) {
			t.Errorf("items after the import %q", got)
		}
		for i, it := range after {
			if it.Sequence != i+1 {
				t.Errorf("item %s has sequence %d, want %d", it.Name, it.Sequence, i+1)
			}
		}
		checkIndex(t, db.DB, c.ID)
		wantSearch(t, db, c.ID, q("新事项"), true, "新事项", "另一新事项")
		events, _, err := db.ListAuditEvents(ctx, models.AuditFilter{EntityType: "checklist_item"}, paging.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var ops []string
		for _, e := range events {
			if e.UnitID != nil && *e.UnitID == city.ID && (strings.Contains(e.After, c.ID) || strings.Contains(e.Before, c.ID)) {
				ops = append(ops, fmt.Sprintf("%t/%t", e.Before != "", e.After != ""))
			}
		}
		// Four creates, then two creates, an update and a delete (the
		// renumbering writes no event).
		if want := []string{"false/true", "false/true", "false/true", "false/true", "false/true", "true/true", "true/false", "false/true"}; !slices.Equal(ops, want) {
			t.Errorf("audit events (before/after) %q, want %q", ops, want)
		}
	})
}
