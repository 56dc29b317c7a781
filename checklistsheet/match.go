package checklistsheet

import (
	"cmp"
	"fmt"
	"iter"
	"slices"

	"github.com/google/uuid"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
)

// claim is what matching needs of a row: its number, item key and 序号.
type claim struct {
	row      int
	key      string
	sequence int
}

func claimOf(r *Row) claim {
	return claim{row: r.Number, key: r.Item.ItemKey, sequence: r.Item.Sequence}
}

// itemRef is what matching keeps of an item of the list, 40 bytes: a list
// may have 100,000 items, and their refs with the ids and keys as strings
// took 14 MiB, the most an import into a full list held at once. The key
// is needed only as the items go by (a row names an item by it), the id
// only as a UUID's 16 bytes: ids are the store's, UUIDs as the contract has
// them.
type itemRef struct {
	id       uuid.UUID
	version  int64
	sequence int
	// The number of the row that states the item, by its key or by its
	// 序号; 0 if none. (A sheet's rows are far fewer than 2³¹.)
	keyRow, seqRow int32
}

func (it *itemRef) claimed() bool { return it.keyRow != 0 || it.seqRow != 0 }

// matching is which item of a list each row states, and which items no row
// states.
type matching struct {
	target []int     // for each row, its item's index in items; -1: a new item
	items  []itemRef // the list's items, in the order given
}

// match matches rows, by their claims, with the items of a list, which
// existing yields in the list's order, as PlanImport describes; the
// problems are those that leave a row's item undecided, placed by l. The
// error is existing's, or an item whose id is not a UUID.
func (l *layout) match(claims []claim, existing iter.Seq2[models.ChecklistItemRef, error]) (*matching, sheet.Problems, error) {
	m := &matching{target: make([]int, len(claims))}
	// Keys first, so that a keyless row never takes an item a key names:
	// the first row with a key claims the item with it as the items go by,
	// since keys are unique in a list.
	byKey := map[string]int{} // the index of the first claim with each key
	for i, c := range claims {
		m.target[i] = -1
		if _, ok := byKey[c.key]; c.key != "" && !ok {
			byKey[c.key] = i
		}
	}
	for ref, err := range existing {
		if err != nil {
			return nil, nil, err
		}
		id, err := uuid.Parse(ref.ID)
		if err != nil || id.String() != ref.ID {
			return nil, nil, fmt.Errorf("item %q of the list: its id is not a UUID in canonical form", ref.ID)
		}
		it := itemRef{id: id, version: ref.Version, sequence: ref.Sequence}
		if i, ok := byKey[ref.ItemKey]; ok {
			it.keyRow, m.target[i] = int32(claims[i].row), len(m.items)
		}
		m.items = append(m.items, it)
	}
	var probs sheet.Problems
	for i, c := range claims {
		if first, ok := byKey[c.key]; ok && first != i && m.target[first] >= 0 {
			probs = append(probs, l.problem(c.row, ColItemKey, "item key %s is also row %d's", c.key, claims[first].row))
		}
	}
	// Then the keyless rows by 序号, among the items no key claimed: the
	// items in 序号 order, each row's found by a binary search.
	bySeq := make([]int, len(m.items))
	for j := range bySeq {
		bySeq[j] = j
	}
	slices.SortStableFunc(bySeq, func(a, b int) int { return cmp.Compare(m.items[a].sequence, m.items[b].sequence) })
	for i, c := range claims {
		if c.key != "" || c.sequence == 0 {
			continue
		}
		from, _ := slices.BinarySearchFunc(bySeq, c.sequence, func(j, seq int) int { return cmp.Compare(m.items[j].sequence, seq) })
		free, first := 0, -1 // how many items with the 序号 no key claimed, and the first
		for _, j := range bySeq[from:] {
			if m.items[j].sequence != c.sequence {
				break
			}
			if m.items[j].keyRow == 0 {
				if free++; free == 1 {
					first = j
				}
			}
		}
		switch {
		case free == 0:
		case free > 1:
			probs = append(probs, l.problem(c.row, ColSequence, "%d items of the list have sequence %d: give the row the item key (事项编码) of the one it states", free, c.sequence))
		case m.items[first].seqRow != 0:
			probs = append(probs, l.problem(c.row, ColSequence, "row %d has sequence %d and no item key too: give the row that states the list's item %d its item key (事项编码), and clear the other's sequence or make it another", m.items[first].seqRow, c.sequence, c.sequence))
		default:
			m.items[first].seqRow, m.target[i] = int32(c.row), first
		}
	}
	if len(probs) > 0 {
		probs.Sort()
		return nil, probs, nil
	}
	return m, nil, nil
}
