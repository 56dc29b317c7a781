package checklistsheet

import (
	"cmp"
	"fmt"
	"iter"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
	"github.com/fazhi/fazhi/spool"
)

// spoolBatch is how many rows a spooled sheet holds in memory as it is read,
// and how many rows each of its plans covers.
const spoolBatch = 1000

// Spooled is a sheet read by ReadSpooled: its rows wait in a temporary file,
// and memory holds only what matching them with a list needs, each row's
// number, item key and 序号. Close removes the file.
type Spooled struct {
	Rows   int // the rows without problems
	layout *layout
	claims []claim
	rows   *spool.Spool[[]Row]
	batch  []Row
}

// ReadSpooled reads a sheet as Read does, keeping the rows without problems
// in a temporary file in dir (the system's temporary directory when empty),
// so that an import of 100,000 rows holds a thousand of them at a time.
// Match, then Plans, make of them what PlanImport makes of Read's rows.
func ReadSpooled(data []byte, fileName string, kind *models.ChecklistKind, resolveUnit func(text string) (id string, ok bool), dir string) (*Spooled, sheet.Problems, error) {
	rows, err := spool.New[[]Row](dir)
	if err != nil {
		return nil, nil, err
	}
	s := &Spooled{rows: rows}
	l, probs, err := scan(data, fileName, kind, resolveUnit, func(r Row) error {
		s.claims = append(s.claims, claimOf(&r))
		if s.batch = append(s.batch, r); len(s.batch) == spoolBatch {
			return s.flush()
		}
		return nil
	})
	if err == nil {
		err = s.flush()
	}
	if err != nil {
		_ = rows.Close()
		return nil, nil, err
	}
	s.layout, s.Rows = l, len(s.claims)
	return s, probs, nil
}

func (s *Spooled) flush() error {
	if len(s.batch) == 0 {
		return nil
	}
	err := s.rows.Write(s.batch)
	clear(s.batch) // the items' strings are the file's to keep now
	s.batch = s.batch[:0]
	return err
}

// Close removes the rows' file.
func (s *Spooled) Close() error { return s.rows.Close() }

// Match matches the rows with the items of a list, which existing yields
// in the list's order, as PlanImport does: the problems are those that
// leave a row's item undecided; the error is existing's, or an item whose
// id is not a UUID. What it keeps of an item is its id, version and 序号,
// so that existing may be read as it is matched. The rows are read back by
// Plans.
func (s *Spooled) Match(existing iter.Seq2[models.ChecklistItemRef, error]) (*Matching, sheet.Problems, error) {
	m, probs, err := s.layout.match(s.claims, existing)
	if err != nil || len(probs) > 0 {
		return nil, probs, err
	}
	return &Matching{sheet: s, matching: m}, nil, nil
}

// Matching is a spooled sheet matched with a list's items.
type Matching struct {
	sheet *Spooled
	*matching
}

// Missing yields the items no row states, in the list's order: to delete
// with PlanOptions.DeleteMissing (PlanImport's Plan.Delete), kept
// otherwise (Plan.Kept). Their keys were not kept: ItemKey is empty.
func (m *Matching) Missing() iter.Seq[models.ChecklistItemRef] {
	return func(yield func(models.ChecklistItemRef) bool) {
		for j := range m.items {
			it := &m.items[j]
			if !it.claimed() && !yield(models.ChecklistItemRef{ID: it.id.String(), Sequence: it.sequence, Version: it.version}) {
				return
			}
		}
	}
}

// Plans yields the plan of each batch of rows, in row order: the items to
// create and update and the count of those unchanged (Delete and Kept are
// Missing's). load reads the items of the list with these ids as they are
// now; an item that is gone, or at another version than the one matched,
// changed since the list was read, and ends the sequence with a conflict.
func (m *Matching) Plans(load func(ids []string) ([]models.ChecklistItem, error)) iter.Seq2[*Plan, error] {
	return func(yield func(*Plan, error) bool) {
		first := 0 // the index of the batch's first row among all rows
		for rows, err := range m.sheet.rows.Batches() {
			if err != nil {
				yield(nil, err)
				return
			}
			plan, err := m.plan(rows, m.target[first:first+len(rows)], load)
			if !yield(plan, err) || err != nil {
				return
			}
			first += len(rows)
		}
	}
}

// plan plans rows, whose items are targets (indices in the list, -1 for
// new ones).
func (m *Matching) plan(rows []Row, targets []int, load func(ids []string) ([]models.ChecklistItem, error)) (*Plan, error) {
	var ids []string
	for i := range rows {
		rows[i].layout = m.sheet.layout
		if j := targets[i]; j >= 0 {
			ids = append(ids, m.items[j].id.String())
		}
	}
	byID := make(map[string]*models.ChecklistItem, len(ids))
	if len(ids) > 0 {
		items, err := load(ids)
		if err != nil {
			return nil, err
		}
		for i := range items {
			byID[items[i].ID] = &items[i]
		}
	}
	plan := &Plan{}
	next := 0 // the index in ids of the next row's item
	for i := range rows {
		var before *models.ChecklistItem
		if j := targets[i]; j >= 0 {
			ref, id := &m.items[j], ids[next]
			next++
			if before = byID[id]; before == nil || before.Version != ref.version {
				return nil, &models.ConflictError{Code: "checklist_item_changed",
					Detail: fmt.Sprintf("item %s (%s) changed while the import ran: nothing was imported, upload the file again", id, cmp.Or(rows[i].Item.ItemKey, fmt.Sprint(ref.sequence)))}
			}
		}
		plan.add(&rows[i], before)
	}
	return plan, nil
}
