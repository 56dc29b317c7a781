package checklistsheet

import (
	"maps"
	"strconv"
	"strings"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
)

// PlanOptions tune PlanImport.
type PlanOptions struct {
	// DeleteMissing deletes the list's items that no row states. Without
	// it they are kept as they are (Plan.Kept): a sheet often holds part
	// of a list (one department's items, the rows someone worked on), and
	// an item left out on purpose cannot be told from one left out by
	// mistake, so deleting is asked for, never inferred.
	DeleteMissing bool
}

// Plan is what importing a sheet into a draft list does. Apply it whole, or
// not at all.
type Plan struct {
	// Create are the rows that match no item, in row order: each item's
	// ItemKey is the row's ("" for the store to make one), its Sequence 0
	// when the sheet has no 序号 (the store puts it last).
	Create []models.ChecklistItem
	// Update are the items the rows state otherwise, in row order.
	Update []Update
	// Delete are, with DeleteMissing, the items no row states, in the
	// order given.
	Delete []models.ChecklistItem
	// Kept are, without DeleteMissing, the items no row states, which stay
	// as they are.
	Kept []models.ChecklistItem
	// Unchanged counts the items the rows state as they are.
	Unchanged int
}

// Empty tells whether the plan changes nothing: a sheet re-imported as it
// was exported.
func (p *Plan) Empty() bool {
	return len(p.Create) == 0 && len(p.Update) == 0 && len(p.Delete) == 0
}

// Update is an item as it is and as a row states it.
type Update struct {
	Row    int // the row's number
	Before models.ChecklistItem
	// After is Before with the fields the row states otherwise: its
	// record's id, key, version and times are Before's.
	After models.ChecklistItem
}

// Changes lists the fields that differ, as a comparison of versions lists
// them (models.DiffChecklists): the sequence first, then the common fields
// and the attributes in the kind's order.
func (u *Update) Changes(kind *models.ChecklistKind) []models.FieldChange {
	var out []models.FieldChange
	if u.Before.Sequence != u.After.Sequence {
		out = append(out, models.FieldChange{Field: "sequence", Label: "序号",
			Old: strconv.Itoa(u.Before.Sequence), New: strconv.Itoa(u.After.Sequence)})
	}
	a, b := u.Before, u.After
	a.ItemKey, b.ItemKey = "-", "-" // the same item, whatever its key
	d := models.DiffChecklists(kind, []models.ChecklistItem{a}, []models.ChecklistItem{b})
	for _, c := range d.Changed {
		out = append(out, c.Fields...)
	}
	return out
}

// PlanImport plans the import of rows (from one Read) into a list whose
// items are existing.
//
// A row with an item key updates the item with that key; a key the list
// does not have creates an item under it (a row of another version of the
// list brings its item back). A row without a key updates the item with the
// row's 序号 that no keyed row claims, or creates one when there is none.
// Problems are what leaves a row's item undecided: several items with the
// row's 序号, or several keyless rows with the same 序号.
//
// A row states every column its sheet has: a blank cell clears the field.
// Columns the sheet does not have keep the items' values. Texts compare as
// a sheet carries them, without the white space around them and with any
// line break alike; numbers compare by value ("12.50" is 12.5), so that an
// export re-imported is an empty plan.
//
// The error is an item of existing whose id is not a UUID in canonical
// form, as the store makes them: matching keeps ids as UUIDs (see itemRef).
func PlanImport(rows []Row, existing []models.ChecklistItem, opts PlanOptions) (*Plan, sheet.Problems, error) {
	claims := make([]claim, len(rows))
	for i := range rows {
		claims[i] = claimOf(&rows[i])
	}
	var l *layout // the rows of one Read share theirs
	if len(rows) > 0 {
		l = rows[0].layout
	}
	refs := func(yield func(models.ChecklistItemRef, error) bool) {
		for i := range existing {
			if !yield(existing[i].Ref(), nil) {
				return
			}
		}
	}
	m, probs, err := l.match(claims, refs)
	if err != nil || len(probs) > 0 {
		return nil, probs, err
	}
	var plan Plan
	for i := range rows {
		var before *models.ChecklistItem
		if j := m.target[i]; j >= 0 {
			before = &existing[j]
		}
		plan.add(&rows[i], before)
	}
	for j := range existing {
		switch {
		case m.items[j].claimed():
		case opts.DeleteMissing:
			plan.Delete = append(plan.Delete, existing[j])
		default:
			plan.Kept = append(plan.Kept, existing[j])
		}
	}
	return &plan, nil, nil
}

// add plans row r, which states before (nil: an item to create).
func (p *Plan) add(r *Row, before *models.ChecklistItem) {
	if before == nil {
		it := r.Item
		it.Attributes = maps.Clone(it.Attributes)
		p.Create = append(p.Create, it)
		return
	}
	if after, changed := r.layout.merge(before, &r.Item); changed {
		p.Update = append(p.Update, Update{Row: r.Number, Before: *before, After: after})
	} else {
		p.Unchanged++
	}
}

// merge is before with the fields the row states otherwise, and whether
// there are any.
func (l *layout) merge(before, row *models.ChecklistItem) (models.ChecklistItem, bool) {
	after := *before
	changed := false
	if l.has(ColSequence) && row.Sequence != before.Sequence {
		after.Sequence, changed = row.Sequence, true
	}
	for _, f := range []struct {
		key      string
		from, to *string
	}{
		{ColName, &row.Name, &after.Name},
		{ColLegalBasis, &row.LegalBasis, &after.LegalBasis},
		{ColCategory, &row.Category, &after.Category},
		{ColRemark, &row.Remark, &after.Remark},
	} {
		if l.has(f.key) && !sameText(*f.from, *f.to) {
			*f.to, changed = *f.from, true
		}
	}
	if l.has(ColUnit) && optional(row.ImplementingUnitID) != optional(before.ImplementingUnitID) {
		after.ImplementingUnitID, changed = row.ImplementingUnitID, true
	}
	cloned := false
	for _, c := range l.kind.Columns {
		if !l.has(c.Key) {
			continue
		}
		was, is := before.Attributes[c.Key], row.Attributes[c.Key]
		same := sameText(was, is)
		if c.Type == models.ColumnNumber {
			same = same || sameNumber(was, is)
		}
		if same {
			continue
		}
		if !cloned {
			after.Attributes, cloned = maps.Clone(before.Attributes), true
			if after.Attributes == nil {
				after.Attributes = map[string]string{}
			}
		}
		if is == "" {
			delete(after.Attributes, c.Key)
		} else {
			after.Attributes[c.Key] = is
		}
		changed = true
	}
	return after, changed
}

// sameText compares texts as a sheet carries them: without the white space
// around them (Read trims cells), with "\r\n", "\r" and "\n" alike (CSV
// and XML change them).
func sameText(a, b string) bool {
	return a == b || lineBreaks.Replace(strings.TrimSpace(a)) == lineBreaks.Replace(strings.TrimSpace(b))
}

var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// sameNumber compares numbers by value: a number cell reads back "12.5"
// for "12.50".
func sameNumber(a, b string) bool {
	x, err := exact.Parse(strings.TrimSpace(a))
	if err != nil {
		return false
	}
	y, err := exact.Parse(strings.TrimSpace(b))
	return err == nil && x.Cmp(y) == 0
}

func optional(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
