package models

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// diffTestKind has columns in an order that is not alphabetical, so that
// the tests tell the kind's order from sorted keys.
func diffTestKind() *ChecklistKind {
	return &ChecklistKind{Key: "diffTest", Name: "测试清单", Columns: []KindColumn{
		{Key: "setBy", Label: "设定依据", Type: ColumnLegalRef},
		{Key: "applies", Label: "适用条件", Type: ColumnLongText},
		{Key: "level", Label: "层级", Type: ColumnEnum, Values: []string{"市级", "县级"}},
	}}
}

// listVersion makes a version of a list with an item for each key, in
// order from sequence 1. Its record fields (ids, version, timestamps,
// search text) depend on the version, as they do between two real ones.
func listVersion(version string, keys ...string) []ChecklistItem {
	at := time.Date(2024, 1, len(version), 0, 0, 0, 0, time.UTC)
	items := make([]ChecklistItem, len(keys))
	for i, key := range keys {
		items[i] = ChecklistItem{
			ID: version + "-" + key, ChecklistID: version, ItemKey: key, Sequence: i + 1,
			Name: "事项" + key, LegalBasis: "《条例》第" + key + "条", Category: "类别",
			Attributes: map[string]string{"setBy": "《法》" + key, "level": "市级"},
			SearchText: version + key, Version: int64(len(version)), CreatedAt: at, UpdatedAt: at,
		}
	}
	return items
}

// edit returns a copy of items with the item of this key changed by f.
func edit(items []ChecklistItem, key string, f func(*ChecklistItem)) []ChecklistItem {
	items = slices.Clone(items)
	for i := range items {
		if items[i].ItemKey == key {
			items[i].Attributes = maps.Clone(items[i].Attributes)
			f(&items[i])
		}
	}
	return items
}

func editAttrs(items []ChecklistItem, key string, f func(map[string]string)) []ChecklistItem {
	return edit(items, key, func(it *ChecklistItem) { f(it.Attributes) })
}

// renumber returns a copy of items with sequences first, first+step, ….
func renumber(items []ChecklistItem, first, step int) []ChecklistItem {
	items = slices.Clone(items)
	for i := range items {
		items[i].Sequence = first + i*step
	}
	return items
}

func reversed(items []ChecklistItem) []ChecklistItem {
	items = slices.Clone(items)
	slices.Reverse(items)
	return items
}

// summary writes a diff one line a fact, in the diff's order:
// "+key@seq" added, "-key@seq" removed, "~key field(label): old→new"
// changed, "^key from→to" moved.
func summary(d ChecklistDiff) []string {
	var lines []string
	for _, it := range d.Added {
		lines = append(lines, fmt.Sprintf("+%s@%d", it.ItemKey, it.Sequence))
	}
	for _, it := range d.Removed {
		lines = append(lines, fmt.Sprintf("-%s@%d", it.ItemKey, it.Sequence))
	}
	for _, c := range d.Changed {
		if c.From.ItemKey != c.ItemKey || c.To.ItemKey != c.ItemKey {
			lines = append(lines, fmt.Sprintf("!%s pairs %s with %s", c.ItemKey, c.From.ItemKey, c.To.ItemKey))
		}
		for _, f := range c.Fields {
			lines = append(lines, fmt.Sprintf("~%s %s(%s): %q→%q", c.ItemKey, f.Field, f.Label, f.Old, f.New))
		}
	}
	for _, m := range d.Moved {
		lines = append(lines, fmt.Sprintf("^%s %d→%d", m.ItemKey, m.FromSequence, m.ToSequence))
	}
	return lines
}

func TestDiffChecklists(t *testing.T) {
	abc := listVersion("v1", "a", "b", "c")
	aj := listVersion("v1", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
	tests := []struct {
		name     string
		from, to []ChecklistItem
		want     []string
	}{
		{"both empty", nil, nil, nil},
		{"identical", abc, listVersion("v2", "a", "b", "c"), nil},
		{"identical, given out of order", reversed(abc), listVersion("v2", "a", "b", "c"), nil},
		{"sequences renumbered", abc, renumber(listVersion("v2", "a", "b", "c"), 10, 10), nil},
		{"record fields ignored", abc, edit(listVersion("v2", "a", "b", "c"), "b", func(it *ChecklistItem) {
			it.SearchText, it.Version, it.UpdatedAt = "other", 9, time.Now()
		}), nil},
		{"from empty", nil, listVersion("v2", "a", "b"), []string{"+a@1", "+b@2"}},
		{"to empty", listVersion("v1", "a", "b"), nil, []string{"-a@1", "-b@2"}},
		{"added in the middle", abc, listVersion("v2", "a", "x", "b", "c"), []string{"+x@2"}},
		{"removed in the middle", abc, listVersion("v2", "a", "c"), []string{"-b@2"}},
		{"inserted at the top: nothing moves", aj, listVersion("v2", "x", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), []string{"+x@1"}},
		{"removed at the top: nothing moves", aj, listVersion("v2", "b", "c", "d", "e", "f", "g", "h", "i", "j"), []string{"-a@1"}},
		{"added and removed", abc, listVersion("v2", "x", "b", "y"), []string{"+x@1", "+y@3", "-a@1", "-c@3"}},

		{"name changed", abc, edit(abc, "b", func(it *ChecklistItem) { it.Name = "新名称" }),
			[]string{`~b name(名称): "事项b"→"新名称"`}},
		{"unit set", abc, edit(abc, "b", func(it *ChecklistItem) { it.ImplementingUnitID = ptrTo("u1") }),
			[]string{`~b implementingUnitId(实施单位): ""→"u1"`}},
		{"unit changed", edit(abc, "b", func(it *ChecklistItem) { it.ImplementingUnitID = ptrTo("u1") }),
			edit(abc, "b", func(it *ChecklistItem) { it.ImplementingUnitID = ptrTo("u2") }),
			[]string{`~b implementingUnitId(实施单位): "u1"→"u2"`}},
		{"unit cleared", edit(abc, "b", func(it *ChecklistItem) { it.ImplementingUnitID = ptrTo("u1") }), abc,
			[]string{`~b implementingUnitId(实施单位): "u1"→""`}},
		{"unit the same in other pointers", edit(abc, "b", func(it *ChecklistItem) { it.ImplementingUnitID = ptrTo("u1") }),
			edit(abc, "b", func(it *ChecklistItem) { it.ImplementingUnitID = ptrTo("u1") }), nil},
		{"legal basis changed", abc, edit(abc, "c", func(it *ChecklistItem) { it.LegalBasis = "" }),
			[]string{`~c legalBasis(法律依据): "《条例》第c条"→""`}},
		{"remark changed", abc, edit(abc, "a", func(it *ChecklistItem) { it.Remark = "暂停实施" }),
			[]string{`~a remark(备注): ""→"暂停实施"`}},
		{"category changed", abc, edit(abc, "a", func(it *ChecklistItem) { it.Category = "其他" }),
			[]string{`~a category(类别): "类别"→"其他"`}},
		{"several fields: common fields first, in their order", abc, edit(abc, "a", func(it *ChecklistItem) {
			it.Category, it.Attributes["level"], it.Name, it.Remark = "其他", "县级", "新", "注"
		}), []string{
			`~a name(名称): "事项a"→"新"`,
			`~a remark(备注): ""→"注"`,
			`~a category(类别): "类别"→"其他"`,
			`~a attributes.level(层级): "市级"→"县级"`,
		}},

		{"attribute added", abc, editAttrs(abc, "b", func(m map[string]string) { m["applies"] = "初次违法" }),
			[]string{`~b attributes.applies(适用条件): ""→"初次违法"`}},
		{"attribute removed", abc, editAttrs(abc, "b", func(m map[string]string) { delete(m, "setBy") }),
			[]string{`~b attributes.setBy(设定依据): "《法》b"→""`}},
		{"attribute changed", abc, editAttrs(abc, "b", func(m map[string]string) { m["level"] = "县级" }),
			[]string{`~b attributes.level(层级): "市级"→"县级"`}},
		{"attributes in the kind's column order", abc, editAttrs(abc, "b", func(m map[string]string) {
			m["level"], m["applies"], m["setBy"] = "县级", "初次违法", "《法》"
		}), []string{
			`~b attributes.setBy(设定依据): "《法》b"→"《法》"`,
			`~b attributes.applies(适用条件): ""→"初次违法"`,
			`~b attributes.level(层级): "市级"→"县级"`,
		}},
		{"absent and empty attributes read the same", abc, editAttrs(abc, "b", func(m map[string]string) { m["applies"] = "" }), nil},
		{"attributes all gone", abc, edit(abc, "b", func(it *ChecklistItem) { it.Attributes = nil }), []string{
			`~b attributes.setBy(设定依据): "《法》b"→""`,
			`~b attributes.level(层级): "市级"→""`,
		}},
		{"unknown attribute: labelled by its key", editAttrs(abc, "b", func(m map[string]string) { m["retired"] = "旧" }),
			editAttrs(abc, "b", func(m map[string]string) { m["retired"] = "新" }),
			[]string{`~b attributes.retired(retired): "旧"→"新"`}},
		{"unknown attributes after the columns, sorted", editAttrs(abc, "b", func(m map[string]string) { m["zeta"], m["gone"] = "1", "x" }),
			editAttrs(abc, "b", func(m map[string]string) { m["zeta"], m["alpha"], m["level"] = "2", "a", "县级" }), []string{
				`~b attributes.level(层级): "市级"→"县级"`,
				`~b attributes.alpha(alpha): ""→"a"`,
				`~b attributes.gone(gone): "x"→""`,
				`~b attributes.zeta(zeta): "1"→"2"`,
			}},
		{"unknown attribute unchanged", editAttrs(abc, "b", func(m map[string]string) { m["retired"] = "旧" }),
			editAttrs(abc, "b", func(m map[string]string) { m["retired"] = "旧" }), nil},

		// The moves are the fewest that explain the new order.
		{"adjacent swap: one move", listVersion("v1", "a", "b", "c", "d"), listVersion("v2", "a", "c", "b", "d"),
			[]string{"^b 2→3"}},
		{"distant swap: two moves, in to's order", listVersion("v1", "a", "b", "c", "d", "e"), listVersion("v2", "e", "b", "c", "d", "a"),
			[]string{"^e 5→1", "^a 1→5"}},
		{"one item to the top", listVersion("v1", "a", "b", "c", "d"), listVersion("v2", "d", "a", "b", "c"),
			[]string{"^d 4→1"}},
		{"one item to the bottom", listVersion("v1", "a", "b", "c", "d"), listVersion("v2", "b", "c", "d", "a"),
			[]string{"^a 1→4"}},
		{"reversed: all but one move, even at the same sequence", abc, listVersion("v2", "c", "b", "a"),
			[]string{"^b 2→2", "^a 1→3"}},
		{"moved among insertions and removals", listVersion("v1", "a", "b", "c", "d"), listVersion("v2", "x", "c", "a", "d"),
			[]string{"+x@1", "-b@2", "^a 1→3"}},
		{"changed and moved", abc, edit(listVersion("v2", "b", "c", "a"), "a", func(it *ChecklistItem) { it.Remark = "注" }),
			[]string{`~a remark(备注): ""→"注"`, "^a 1→3"}},

		{"results in sequence order, given out of order",
			reversed(listVersion("v1", "a", "b", "c", "d", "e", "f")),
			reversed(edit(edit(listVersion("v2", "y", "c", "a", "x", "f"), "a", func(it *ChecklistItem) { it.Name = "A" }),
				"c", func(it *ChecklistItem) { it.Name = "C" })),
			[]string{"+y@1", "+x@4", "-b@2", "-d@4", "-e@5",
				`~c name(名称): "事项c"→"C"`, `~a name(名称): "事项a"→"A"`, "^a 1→3"}},
		{"equal sequences keep the order given", abc, renumber(listVersion("v2", "c", "a", "b"), 1, 0),
			[]string{"^c 3→1"}},

		{"a key twice in from: the first matches", append(listVersion("v1", "a"), renumber(listVersion("v1", "a"), 2, 1)...),
			listVersion("v2", "a"), []string{"-a@2"}},
		{"a key twice in to: the first matches", listVersion("v1", "a"),
			append(listVersion("v2", "a"), renumber(listVersion("v2", "a"), 2, 1)...), []string{"+a@2"}},
		{"no key matches nothing", listVersion("v1", ""), listVersion("v2", ""), []string{"+@1", "-@1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := slices.Clone(tt.from), slices.Clone(tt.to)
			d := DiffChecklists(diffTestKind(), tt.from, tt.to)
			if got := summary(d); !slices.Equal(got, tt.want) {
				t.Errorf("DiffChecklists =\n\t%q\nwant\n\t%q", got, tt.want)
			}
			if d.Empty() != (len(tt.want) == 0) {
				t.Errorf("Empty() = %v, want %v", d.Empty(), len(tt.want) == 0)
			}
			if !reflect.DeepEqual(tt.from, from) || !reflect.DeepEqual(tt.to, to) {
				t.Errorf("DiffChecklists changed its arguments")
			}
		})
	}
}

// TestDiffChecklistsEntries checks the whole entries, which the summary
// abbreviates: the items themselves, the moved item's name as to has it.
func TestDiffChecklistsEntries(t *testing.T) {
	from := listVersion("v1", "a", "b", "c")
	to := edit(listVersion("v2", "b", "c", "x", "a"), "a", func(it *ChecklistItem) { it.Name = "新名称" })
	d := DiffChecklists(diffTestKind(), from, to)
	want := ChecklistDiff{
		Added: []ChecklistItem{to[2]},
		Changed: []ItemChange{{ItemKey: "a", From: from[0], To: to[3], Fields: []FieldChange{
			{Field: "name", Label: "名称", Old: "事项a", New: "新名称"},
		}}},
		Moved: []ItemMove{{ItemKey: "a", Name: "新名称", FromSequence: 1, ToSequence: 4}},
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("DiffChecklists =\n\t%+v\nwant\n\t%+v", d, want)
	}
}

func TestDiffChecklistsNilKind(t *testing.T) {
	from := listVersion("v1", "a")
	to := editAttrs(listVersion("v2", "a"), "a", func(m map[string]string) { m["setBy"], m["level"] = "x", "县级" })
	got := summary(DiffChecklists(nil, from, to))
	want := []string{
		`~a attributes.level(level): "市级"→"县级"`,
		`~a attributes.setBy(setBy): "《法》a"→"x"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("DiffChecklists(nil kind) =\n\t%q\nwant\n\t%q", got, want)
	}
}

// TestDiffChecklistsRandom checks on random versions that the items not
// moved keep their order and are as many as they can be: their count is
// that of a longest common subsequence of the two orders, found here the
// slow, obvious way.
func TestDiffChecklistsRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 500 {
		n := r.IntN(30)
		keys := make([]string, n)
		for i := range keys {
			keys[i] = fmt.Sprint("k", i)
		}
		var toKeys []string
		for _, k := range keys {
			if r.IntN(5) > 0 { // keep four in five
				toKeys = append(toKeys, k)
			}
		}
		for range r.IntN(4) { // a few moves
			if len(toKeys) > 1 {
				i, j := r.IntN(len(toKeys)), r.IntN(len(toKeys))
				k := toKeys[i]
				toKeys = slices.Insert(slices.Delete(toKeys, i, i+1), j, k)
			}
		}
		added := r.IntN(4)
		for i := range added {
			toKeys = slices.Insert(toKeys, r.IntN(len(toKeys)+1), fmt.Sprint("new", i))
		}
		from, to := listVersion("v1", keys...), listVersion("v2", toKeys...)
		r.Shuffle(len(to), func(i, j int) { to[i], to[j] = to[j], to[i] })

		d := DiffChecklists(nil, from, to)
		common := len(toKeys) - added
		if len(d.Added) != added || len(d.Removed) != n-common || len(d.Changed) != 0 {
			t.Fatalf("round %d: %d added, %d removed, %d changed; want %d, %d, 0", round, len(d.Added), len(d.Removed), len(d.Changed), added, n-common)
		}
		if want := common - longestCommonSubsequence(keys, toKeys); len(d.Moved) != want {
			t.Fatalf("round %d: %v → %v: %d moved, want %d", round, keys, toKeys, len(d.Moved), want)
		}
		moved := map[string]bool{}
		for _, m := range d.Moved {
			moved[m.ItemKey] = true
		}
		stay := func(k string) bool { return !moved[k] && slices.Contains(keys, k) && slices.Contains(toKeys, k) }
		a := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return !stay(k) })
		b := slices.DeleteFunc(slices.Clone(toKeys), func(k string) bool { return !stay(k) })
		if !slices.Equal(a, b) {
			t.Fatalf("round %d: items not moved change order: %v, then %v", round, a, b)
		}
	}
}

func longestCommonSubsequence(a, b []string) int {
	l := make([][]int, len(a)+1)
	for i := range l {
		l[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	return l[0][0]
}

func TestLongestIncreasing(t *testing.T) {
	tests := []struct {
		s    []int
		want []bool
	}{
		{nil, []bool{}},
		{[]int{0}, []bool{true}},
		{[]int{0, 1, 2}, []bool{true, true, true}},
		{[]int{2, 1, 0}, []bool{false, false, true}},
		{[]int{1, 0, 2}, []bool{false, true, true}},
		{[]int{3, 0, 1, 2}, []bool{false, true, true, true}},
		{[]int{1, 2, 3, 0}, []bool{true, true, true, false}},
	}
	for _, tt := range tests {
		if got := longestIncreasing(tt.s); !slices.Equal(got, tt.want) {
			t.Errorf("longestIncreasing(%v) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// BenchmarkDiffChecklists compares two versions of a list as long as a list
// may be, the second with 1% of the items changed, 1% added, 1% removed
// and a few moved.
func BenchmarkDiffChecklists(b *testing.B) {
	const n = MaxChecklistItems
	kind := diffTestKind()
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("%08d", i)
	}
	from := listVersion("v1", keys...)

	r := rand.New(rand.NewPCG(1, 2))
	toKeys := slices.Clone(keys)
	for range n / 100 { // removed
		j := r.IntN(len(toKeys))
		toKeys = slices.Delete(toKeys, j, j+1)
	}
	for i := range n / 100 { // added
		j := r.IntN(len(toKeys) + 1)
		toKeys = slices.Insert(toKeys, j, fmt.Sprint("new", i))
	}
	for range 5 { // moved
		i, j := r.IntN(len(toKeys)), r.IntN(len(toKeys))
		k := toKeys[i]
		toKeys = slices.Insert(slices.Delete(toKeys, i, i+1), j, k)
	}
	to := listVersion("v2", toKeys...)
	for range n / 100 { // changed
		it := &to[r.IntN(len(to))]
		if r.IntN(2) == 0 {
			it.Name += "（修订）"
		} else {
			it.Attributes["level"] = "县级"
		}
	}

	d := DiffChecklists(kind, from, to)
	if len(d.Added) != n/100 || len(d.Removed) != n/100 || len(d.Changed) < n/200 || len(d.Moved) == 0 || len(d.Moved) > 5 {
		b.Fatalf("%d added, %d removed, %d changed, %d moved", len(d.Added), len(d.Removed), len(d.Changed), len(d.Moved))
	}
	b.ReportAllocs()
	for b.Loop() {
		DiffChecklists(kind, from, to)
	}
}
