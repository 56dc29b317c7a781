package models

import (
	"cmp"
	"maps"
	"slices"
	"sort"
)

// ItemChangeKind names what happened to an item between two versions of a
// list.
type ItemChangeKind string

const (
	ItemAdded   ItemChangeKind = "added"   // in the later version only
	ItemRemoved ItemChangeKind = "removed" // in the earlier version only
	ItemChanged ItemChangeKind = "changed" // in both, with some field changed
	ItemMoved   ItemChangeKind = "moved"   // in both, at another place among the items of both
)

// ChecklistDiff is the comparison of two versions of a list, item by item
// (DiffChecklists). An item may be both changed and moved.
type ChecklistDiff struct {
	Added   []ChecklistItem // in to only, in to's sequence order
	Removed []ChecklistItem // in from only, in from's sequence order
	Changed []ItemChange    // in both, with a field other than the sequence changed, in to's sequence order
	Moved   []ItemMove      // in both, at another place among the items of both, in to's sequence order
}

// Empty tells whether the two versions carry the same items, in the same
// order, with the same fields.
func (d *ChecklistDiff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0 && len(d.Moved) == 0
}

// ItemChange is an item in both versions whose fields differ.
type ItemChange struct {
	ItemKey  string
	From, To ChecklistItem
	Fields   []FieldChange // common fields first, then attributes
}

// FieldChange is one field of an item that differs between two versions.
// Field is the field's name as the API spells it ("name", "legalBasis",
// "attributes.<key>" …); Label is what a reader knows it by: the Chinese
// name of a common field, the kind's label of a column, or the key itself
// of an attribute the kind no longer has. Old and New are the values as
// text, "" when absent.
type FieldChange struct {
	Field    string
	Label    string
	Old, New string
}

// ItemMove is an item in both versions whose place among the items of both
// changed.
type ItemMove struct {
	ItemKey      string
	Name         string // as to has it
	FromSequence int
	ToSequence   int
}

// Labels of an item's common fields, as lists print them.
const (
	labelName             = "名称"
	labelImplementingUnit = "实施单位"
	labelLegalBasis       = "法律依据"
	labelRemark           = "备注"
	labelCategory         = "类别"
)

// DiffChecklists compares two versions of a list, from the earlier one to
// the later one. Items are matched by ItemKey; an item without a key
// matches nothing, and when a version carries a key twice, its first item
// in sequence order matches and the others count as added or removed. The
// slices need not be in sequence order. kind gives attribute columns their
// order and labels; it may be nil.
//
// An item is moved when its place among the items both versions carry
// changed, not when its sequence number merely shifted because items were
// added or removed before it. The moved items are the fewest whose moving
// explains the new order: those outside a longest subsequence of common
// items that keeps its order from one version to the other.
//
// It takes O(n log n) time for n items.
func DiffChecklists(kind *ChecklistKind, from, to []ChecklistItem) ChecklistDiff {
	fromOrder, toOrder := sequenceOrder(from), sequenceOrder(to)

	// fromPlace maps a key to the place in fromOrder of its first item.
	fromPlace := make(map[string]int, len(from))
	for p, i := range fromOrder {
		key := from[i].ItemKey
		if _, dup := fromPlace[key]; key != "" && !dup {
			fromPlace[key] = p
		}
	}

	// Walking to in order, an item matching one of from's is common, and
	// common's index is its rank among the common items in to's order;
	// rankAt records that rank at the item's place in from (-1: unmatched).
	var d ChecklistDiff
	type pair struct{ from, to int } // indices into from and to
	common := make([]pair, 0, min(len(from), len(to)))
	rankAt := make([]int, len(fromOrder))
	for p := range rankAt {
		rankAt[p] = -1
	}
	for _, j := range toOrder {
		p, ok := fromPlace[to[j].ItemKey]
		if !ok || rankAt[p] >= 0 {
			d.Added = append(d.Added, to[j])
			continue
		}
		rankAt[p] = len(common)
		common = append(common, pair{fromOrder[p], j})
	}

	// ranks lists the common items' to-ranks in from's order; the items
	// outside its longest increasing subsequence are the moved ones.
	ranks := make([]int, 0, len(common))
	for p, r := range rankAt {
		if r < 0 {
			d.Removed = append(d.Removed, from[fromOrder[p]])
			continue
		}
		ranks = append(ranks, r)
	}
	moved := make([]bool, len(common)) // by rank
	for q, kept := range longestIncreasing(ranks) {
		if !kept {
			moved[ranks[q]] = true
		}
	}

	for r, c := range common {
		a, b := &from[c.from], &to[c.to]
		if fields := diffItem(kind, a, b); len(fields) > 0 {
			d.Changed = append(d.Changed, ItemChange{ItemKey: b.ItemKey, From: *a, To: *b, Fields: fields})
		}
		if moved[r] {
			d.Moved = append(d.Moved, ItemMove{ItemKey: b.ItemKey, Name: b.Name, FromSequence: a.Sequence, ToSequence: b.Sequence})
		}
	}
	return d
}

// sequenceOrder returns the indices of items in sequence order; items with
// the same sequence keep the order they came in, so the result does not
// depend on the sort.
func sequenceOrder(items []ChecklistItem) []int {
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	bySequence := func(i, j int) int { return cmp.Compare(items[i].Sequence, items[j].Sequence) }
	// Items usually come from the store already in order.
	if !slices.IsSortedFunc(order, bySequence) {
		slices.SortStableFunc(order, bySequence)
	}
	return order
}

// longestIncreasing marks the elements of one longest strictly increasing
// subsequence of s. It is the patience method, O(n log n): tails[k] is the
// index of the smallest element that ends an increasing subsequence of
// length k+1 seen so far, and prev links each element to the one before it
// in the subsequence it ends.
func longestIncreasing(s []int) []bool {
	tails := make([]int, 0, 16)
	prev := make([]int, len(s))
	for i, v := range s {
		k := sort.Search(len(tails), func(k int) bool { return s[tails[k]] >= v })
		prev[i] = -1
		if k > 0 {
			prev[i] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	in := make([]bool, len(s))
	if len(tails) > 0 {
		for i := tails[len(tails)-1]; i >= 0; i = prev[i] {
			in[i] = true
		}
	}
	return in
}

// diffItem lists the fields of an item that differ between a and b: the
// common fields, then the attributes. The sequence is not among them (a
// move is told apart), nor are the record's id, version and timestamps,
// which differ between any two versions, nor the search text, which
// follows from the fields.
func diffItem(kind *ChecklistKind, a, b *ChecklistItem) []FieldChange {
	var fields []FieldChange
	fields = appendChange(fields, "name", labelName, a.Name, b.Name)
	fields = appendChange(fields, "implementingUnitId", labelImplementingUnit, optionalText(a.ImplementingUnitID), optionalText(b.ImplementingUnitID))
	fields = appendChange(fields, "legalBasis", labelLegalBasis, a.LegalBasis, b.LegalBasis)
	fields = appendChange(fields, "remark", labelRemark, a.Remark, b.Remark)
	fields = appendChange(fields, "category", labelCategory, a.Category, b.Category)
	// Most items of a new version keep their attributes: compare the maps
	// before spending anything on listing keys.
	if !maps.Equal(a.Attributes, b.Attributes) {
		fields = appendAttributeChanges(fields, kind, a.Attributes, b.Attributes)
	}
	return fields
}

func appendChange(fields []FieldChange, field, label, before, after string) []FieldChange {
	if before == after {
		return fields
	}
	return append(fields, FieldChange{Field: field, Label: label, Old: before, New: after})
}

// appendAttributeChanges appends the attributes that differ between before
// and after: the kind's columns in the kind's order, then the keys the kind does
// not have (a column since dropped, or a nil kind) sorted, labelled by the
// key itself. An absent attribute and an empty one read the same, as an
// empty cell does.
func appendAttributeChanges(fields []FieldChange, kind *ChecklistKind, before, after map[string]string) []FieldChange {
	var columns []KindColumn
	if kind != nil {
		columns = kind.Columns
	}
	for _, c := range columns {
		if o, n := before[c.Key], after[c.Key]; o != n {
			fields = append(fields, FieldChange{Field: "attributes." + c.Key, Label: c.Label, Old: o, New: n})
		}
	}
	isColumn := func(key string) bool {
		return slices.ContainsFunc(columns, func(c KindColumn) bool { return c.Key == key })
	}
	var unknown []string
	for key, o := range before {
		if o != after[key] && !isColumn(key) {
			unknown = append(unknown, key)
		}
	}
	for key, n := range after {
		if _, inBefore := before[key]; !inBefore && n != "" && !isColumn(key) {
			unknown = append(unknown, key)
		}
	}
	slices.Sort(unknown)
	for _, key := range unknown {
		fields = append(fields, FieldChange{Field: "attributes." + key, Label: key, Old: before[key], New: after[key]})
	}
	return fields
}

// optionalText is an optional field as text: "" when absent.
func optionalText(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
