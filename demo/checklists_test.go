package demo_test

import (
	"context"
	"errors"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/store"
	"github.com/fazhi/fazhi/textsearch"
)

// flexibleListFigures reads from the seed report the sentence on the
// flexible-enforcement list, "涵盖公安、城市管理、交通等24个执法部门共计854项":
// the departments it names, and its counts of departments and items, which
// must also be figures 3.1 and 3.2 of seedFigures.
func flexibleListFigures(t *testing.T) (named []string, departments, items int) {
	t.Helper()
	m := regexp.MustCompile(`《盘锦市柔性执法事项清单》[,，]涵盖(.+?)等(\d+)个执法部门共计(\d+)项`).FindStringSubmatch(textsearch.Fold(seedReport(t)))
	if m == nil {
		t.Fatal("the seed report no longer says how many departments and items the flexible-enforcement list has")
	}
	departments, _ = strconv.Atoi(m[2])
	items, _ = strconv.Atoi(m[3])
	if seedFigures["3.1"].value != m[2] || seedFigures["3.2"].value != m[3] {
		t.Fatalf("the report says %s departments and %s items, seedFigures %v and %v", m[2], m[3], seedFigures["3.1"], seedFigures["3.2"])
	}
	return strings.Split(m[1], "、"), departments, items
}

func noPenaltyKind(t *testing.T) *models.ChecklistKind {
	t.Helper()
	k, ok := models.BuiltInKind("noPenalty")
	if !ok {
		t.Fatal("no built-in kind noPenalty")
	}
	return &k
}

// TestFlexibleListData holds the 2021 list, as data, against the seed report
// and the kind: its items of as many departments as the report says, each
// department a city department of the demo tree, among them those the
// report names; valid items with distinct names, fixed ids and keys, in
// order, marked as generated.
func TestFlexibleListData(t *testing.T) {
	named, departments, count := flexibleListFigures(t)
	c, items := demo.FlexibleList2021()
	if c.ID != demo.FlexibleList || c.KindKey != "noPenalty" || c.Title != "盘锦市柔性执法事项清单" || c.Year != 2021 ||
		!c.SampleData || c.IssuingUnitID != demo.CityGovernmentOffice || !strings.HasPrefix(c.DocumentNumber, "盘政办发〔2021〕") ||
		c.EffectiveDate == nil || !strings.HasPrefix(*c.EffectiveDate, "2021-") {
		t.Errorf("the 2021 list: %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
	units := map[string]*models.Unit{}
	for _, u := range demo.Units() {
		units[u.ID] = u
	}
	kind := noPenaltyKind(t)
	exists := func(id string) bool { return units[id] != nil }
	byUnit, names, ids := map[string]int{}, map[string]bool{}, map[string]bool{}
	for i, it := range items {
		if err := it.Validate(kind, exists, ""); err != nil {
			t.Errorf("item %d: %v", i+1, err)
		}
		if it.Sequence != i+1 || it.ImplementingUnitID == nil || it.Category == "" || !strings.Contains(it.Remark, "示例数据") ||
			!strings.HasPrefix(it.LegalBasis, "《中华人民共和国行政处罚法》第三十三条") {
			t.Errorf("item %d: %+v", i+1, it)
			continue
		}
		if names[it.Name] || ids[it.ID] || ids[it.ItemKey] {
			t.Errorf("item %d (%s): name, id or key repeated", i+1, it.Name)
		}
		names[it.Name], ids[it.ID], ids[it.ItemKey] = true, true, true
		byUnit[*it.ImplementingUnitID]++
	}
	if len(items) != count || len(byUnit) != departments {
		t.Errorf("%d items of %d departments, the report says %d of %d", len(items), len(byUnit), count, departments)
	}
	for id := range byUnit {
		if u := units[id]; u.Kind != models.UnitDepartment || u.ParentID == nil || *u.ParentID != demo.PanjinCity {
			t.Errorf("implementing unit %s is not a city department", u.Name)
		}
	}
	for _, name := range named {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(byUnit)), func(id string) bool { return strings.Contains(units[id].Name, name) }) {
			t.Errorf("the report names %s among the list's departments; no department of the list is", name)
		}
	}

	// The list's ids and keys, and the revision's, are no other demo record's.
	_, revised := demo.FlexibleRevision2022()
	for _, it := range revised {
		if it.ID != "" && !ids[it.ID] {
			ids[it.ID] = true
		}
		ids[it.ItemKey] = true
	}
	ids[c.ID] = true
	for _, id := range otherDemoIDs() {
		if ids[id] {
			t.Errorf("id %s is both another demo record's and the flexible-enforcement list's", id)
		}
	}
}

// otherDemoIDs are the ids of every demo record but the checklists'.
func otherDemoIDs() []string {
	var ids []string
	for _, u := range demo.Units() {
		ids = append(ids, u.ID)
	}
	for _, u := range demo.Users() {
		ids = append(ids, u.ID)
	}
	for _, k := range demo.APIKeys() {
		ids = append(ids, k.ID)
	}
	for _, f := range []func() (*models.IndicatorSystem, []*models.Indicator){demo.CityIndicators, demo.NationalIndicators, demo.DraftIndicators} {
		s, inds := f()
		ids = append(ids, s.ID)
		for _, ind := range inds {
			ids = append(ids, ind.ID)
		}
	}
	for _, v := range slices.Concat(demo.CityValues(), demo.NationalValues(), demo.WorkingValues()) {
		ids = append(ids, v.ID)
	}
	for _, tg := range slices.Concat(demo.SampleTargets(), demo.NationalTargets()) {
		ids = append(ids, tg.ID)
	}
	return append(ids, demo.NationalEvaluationDraft().ID)
}

// TestFlexibleListSeeded: the seeded 2021 list is published, submitted by
// the demo reporter and published by the demo legality reviewer; its
// statistics give the seed report's 854 items of 24 departments; its 2022
// revision is a draft whose items are FlexibleRevision2022's, and whose
// comparison with 2021 has items added, removed, changed and moved.
func TestFlexibleListSeeded(t *testing.T) {
	named, departments, count := flexibleListFigures(t)
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := t.Context()
		if _, err := demo.Seed(ctx, db, demo.Options{}); err != nil {
			t.Fatal(err)
		}
		c, err := db.GetChecklist(ctx, demo.FlexibleList)
		if err != nil {
			t.Fatal(err)
		}
		reporter, reviewer := string(models.UserActor(demo.ReporterUser)), string(models.UserActor(demo.LegalityReviewerUser))
		if c.Status != models.ChecklistPublished || c.VersionNo != 1 || !c.SampleData || c.SubmittedBy == nil || *c.SubmittedBy != reporter ||
			c.ReviewedBy == nil || *c.ReviewedBy != reviewer || c.ReviewComment == nil || !strings.Contains(*c.ReviewComment, "示例数据") {
			t.Errorf("the 2021 list: %s, version %d, sample %v, submitted by %v, reviewed by %v: %v",
				c.Status, c.VersionNo, c.SampleData, deref(c.SubmittedBy), deref(c.ReviewedBy), deref(c.ReviewComment))
		}

		stats, err := db.ChecklistStatistics(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stats.Items != count || len(stats.ByUnit) != departments {
			t.Errorf("statistics: %d items of %d units, the seed report says %d of %d", stats.Items, len(stats.ByUnit), count, departments)
		}
		unitNames := map[string]string{}
		for _, u := range demo.Units() {
			unitNames[u.ID] = u.Name
		}
		for _, name := range named {
			if !slices.ContainsFunc(stats.ByUnit, func(g models.ChecklistCount) bool { return strings.Contains(unitNames[g.Key], name) }) {
				t.Errorf("no department of %s in the statistics %+v", name, stats.ByUnit)
			}
		}

		versions, err := db.ChecklistVersions(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(versions) != 2 || versions[1].Status != models.ChecklistDraft || versions[1].Year != 2022 || versions[1].ListID != c.ID ||
			versions[1].DocumentNumber != "" || versions[1].EffectiveDate != nil || !versions[1].SampleData {
			t.Fatalf("versions: %+v", versions)
		}
		from, err := db.AllChecklistItems(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		to, err := db.AllChecklistItems(ctx, versions[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		_, want := demo.FlexibleRevision2022()
		if len(to) != len(want) {
			t.Fatalf("the 2022 draft has %d items, want %d", len(to), len(want))
		}
		for i, got := range to {
			w := want[i]
			if got.ItemKey != w.ItemKey || got.Sequence != w.Sequence || got.Name != w.Name || got.Category != w.Category ||
				got.LegalBasis != w.LegalBasis || !maps.Equal(got.Attributes, w.Attributes) || (w.ID != "" && got.ID != w.ID) {
				t.Errorf("2022 item %d: %+v, want %+v", i+1, got, w)
			}
		}

		d := models.DiffChecklists(noPenaltyKind(t), from, to)
		if len(d.Added) == 0 || len(d.Removed) == 0 || len(d.Changed) == 0 || len(d.Moved) == 0 {
			t.Fatalf("the 2022 draft against 2021: %d added, %d removed, %d changed, %d moved; want some of each",
				len(d.Added), len(d.Removed), len(d.Changed), len(d.Moved))
		}
		if len(d.Added) != 3 || len(d.Removed) != 5 || len(d.Changed) != 3 || len(d.Moved) != 1 {
			t.Errorf("the 2022 draft against 2021: %d added, %d removed, %d changed, %d moved; want 3, 5, 3, 1",
				len(d.Added), len(d.Removed), len(d.Changed), len(d.Moved))
		}
		for _, ch := range d.Changed {
			if !slices.ContainsFunc(ch.Fields, func(f models.FieldChange) bool { return f.Field == "attributes.penaltyProvision" }) ||
				!strings.Contains(ch.To.Attributes["penaltyProvision"], "市场主体登记管理条例") {
				t.Errorf("changed item %s: %+v", ch.To.Name, ch.Fields)
			}
		}
	})
}

// clockedDB is a store whose clock the seed can set (demo.Clock).
type clockedDB struct{ *store.DB }

func (c clockedDB) SetClock(now func() time.Time) func() {
	old := c.DB.Now
	c.DB.Now = now
	return func() { c.DB.Now = old }
}

var _ demo.Clock = clockedDB{}

// With a store whose clock it can set, the seed dates the list as the demo
// tells: drafted, submitted and published in July 2021, revised in 2022; and
// leaves the clock as it was.
func TestFlexibleListInstants(t *testing.T) {
	db := freshDatabase(t, store.SQLite)
	ctx := t.Context()
	if _, err := demo.Seed(ctx, clockedDB{db}, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	if now := db.Now(); time.Since(now).Abs() > time.Minute {
		t.Errorf("the store's clock reads %v after seeding", now)
	}
	versions, err := db.ChecklistVersions(ctx, demo.FlexibleList)
	if err != nil || len(versions) != 2 {
		t.Fatalf("versions %+v (%v)", versions, err)
	}
	c, next := versions[0], versions[1]
	in := func(at *time.Time, year int) bool { return at != nil && at.Year() == year }
	if !in(&c.CreatedAt, 2021) || !in(c.SubmittedAt, 2021) || !in(c.PublishedAt, 2021) || !c.PublishedAt.After(*c.SubmittedAt) ||
		c.EffectiveDate == nil || *c.EffectiveDate < c.PublishedAt.Format(time.DateOnly) {
		t.Errorf("the 2021 list's instants: created %v, submitted %v, published %v, in force %v", c.CreatedAt, c.SubmittedAt, c.PublishedAt, c.EffectiveDate)
	}
	if !in(&next.CreatedAt, 2022) || !in(&next.UpdatedAt, 2022) {
		t.Errorf("the 2022 draft's instants: created %v, updated %v", next.CreatedAt, next.UpdatedAt)
	}
	items, err := db.AllChecklistItems(ctx, next.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.CreatedAt.Year() != 2022 {
			t.Fatalf("2022 item %s created %v", it.Name, it.CreatedAt)
		}
	}
}

// Seeding again changes neither version nor any item; a 2022 draft a user
// deleted comes back as it was.
func TestFlexibleListSeedsOnce(t *testing.T) {
	eachFreshDatabase(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if _, err := demo.Seed(ctx, db, demo.Options{}); err != nil {
			t.Fatal(err)
		}
		read := func() ([]models.Checklist, [][]models.ChecklistItem) {
			versions, err := db.ChecklistVersions(ctx, demo.FlexibleList)
			if err != nil {
				t.Fatal(err)
			}
			var items [][]models.ChecklistItem
			for _, v := range versions {
				its, err := db.AllChecklistItems(ctx, v.ID)
				if err != nil {
					t.Fatal(err)
				}
				items = append(items, its)
			}
			return versions, items
		}
		versions, items := read()
		if n, err := demo.Seed(ctx, db, demo.Options{}); err != nil || n != 0 {
			t.Fatalf("the second seed added %d (%v)", n, err)
		}
		again, againItems := read()
		if !slices.EqualFunc(versions, again, sameChecklist) || !slices.EqualFunc(items, againItems, func(a, b []models.ChecklistItem) bool {
			return slices.EqualFunc(a, b, sameItem)
		}) {
			t.Error("the second seed changed the flexible-enforcement list")
		}

		if err := db.DeleteChecklist(ctx, versions[1].ID, versions[1].Version); err != nil {
			t.Fatal(err)
		}
		_, want := demo.FlexibleRevision2022()
		if n, err := demo.Seed(ctx, db, demo.Options{}); err != nil || n != 1+len(want) {
			t.Errorf("seeding after the draft's deletion added %d (%v), want %d", n, err, 1+len(want))
		}
		assertRevision(t, db)
	})
}

// A seed stopped while it makes the 2022 draft is finished by the next one.
func TestFlexibleListSeedResumes(t *testing.T) {
	db := freshDatabase(t, store.SQLite)
	ctx := t.Context()
	boom := errors.New("connection lost")
	failing := &failingDB{DB: db, fail: func(checklistID string) error {
		if checklistID != demo.FlexibleList {
			return boom // the draft's tail
		}
		return nil
	}}
	if _, err := demo.Seed(ctx, failing, demo.Options{}); !errors.Is(err, boom) {
		t.Fatalf("the seed with a failing store: %v, want %v", err, boom)
	}
	if _, err := demo.Seed(ctx, db, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	assertRevision(t, db)
}

// failingDB fails AddChecklistItems where fail says.
type failingDB struct {
	*store.DB
	fail func(checklistID string) error
}

func (f *failingDB) AddChecklistItems(ctx context.Context, checklistID string, items []*models.ChecklistItem) error {
	if err := f.fail(checklistID); err != nil {
		return err
	}
	return f.DB.AddChecklistItems(ctx, checklistID, items)
}

// assertRevision checks that the list's 2022 draft holds FlexibleRevision2022's items.
func assertRevision(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := t.Context()
	versions, err := db.ChecklistVersions(ctx, demo.FlexibleList)
	if err != nil || len(versions) != 2 || versions[1].Year != 2022 {
		t.Fatalf("versions %+v (%v)", versions, err)
	}
	items, err := db.AllChecklistItems(ctx, versions[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	_, want := demo.FlexibleRevision2022()
	if len(items) != len(want) {
		t.Fatalf("the 2022 draft has %d items, want %d", len(items), len(want))
	}
	for i, it := range items {
		if it.ItemKey != want[i].ItemKey || it.Sequence != want[i].Sequence || it.Name != want[i].Name {
			t.Errorf("2022 item %d: %s %d %s, want %s %d %s", i+1, it.ItemKey, it.Sequence, it.Name, want[i].ItemKey, want[i].Sequence, want[i].Name)
		}
	}
}

func sameChecklist(a, b models.Checklist) bool {
	return a.ID == b.ID && a.Version == b.Version && a.Status == b.Status && a.UpdatedAt.Equal(b.UpdatedAt)
}

func sameItem(a, b models.ChecklistItem) bool {
	return a.ID == b.ID && a.Version == b.Version && a.Sequence == b.Sequence && a.UpdatedAt.Equal(b.UpdatedAt)
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
