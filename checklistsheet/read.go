package checklistsheet

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
	"github.com/fazhi/fazhi/textsearch"
)

// Row is a data row of a sheet: the item as the row states it, and where
// the row is.
//
// Item has the fields the row gives: ItemKey as written ("" for a row
// without one), Sequence from 序号 (0 when the sheet has no such column),
// ImplementingUnitID and unit attributes resolved to unit ids, dates as
// YYYY-MM-DD, enum values as the kind spells them; blank cells are absent
// attributes. It has no ID, list, version or times.
type Row struct {
	Number int // the row's number as Excel shows it
	Item   models.ChecklistItem
	layout *layout
}

// Problem is a problem at the row's cell of column key, or at the row when
// its sheet has no such column.
func (r Row) Problem(key, format string, args ...any) sheet.Problem {
	return r.layout.problem(r.Number, key, format, args...)
}

// layout is what the rows of one sheet share: the kind, its columns, and
// where the sheet has them.
type layout struct {
	kind    *models.ChecklistKind
	cols    []Column
	byKey   map[string]*Column
	enums   map[string]map[string]string // column key → folded value → the value
	sheet   string
	headers map[string]sheet.Cell // header cells of the columns the sheet has, by key
}

func newLayout(kind *models.ChecklistKind) *layout {
	l := &layout{kind: kind, cols: Columns(kind), byKey: map[string]*Column{}, enums: map[string]map[string]string{}}
	for i := range l.cols {
		l.byKey[l.cols[i].Key] = &l.cols[i]
	}
	for _, c := range kind.Columns {
		if c.Type != models.ColumnEnum {
			continue
		}
		m := map[string]string{}
		for _, v := range c.Values {
			f := enumFold(v)
			if _, dup := m[f]; dup {
				m[f] = "" // two values read alike: only the exact text is either
				continue
			}
			m[f] = v
		}
		l.enums[c.Key] = m
	}
	return l
}

// has tells whether the sheet has the column key.
func (l *layout) has(key string) bool {
	_, ok := l.headers[key]
	return ok
}

// problem is a problem at row's cell of column key, or at the row when the
// sheet has no such column (or no layout is known: rows made by hand).
func (l *layout) problem(row int, key, format string, args ...any) sheet.Problem {
	p := sheet.Problem{Row: row, Message: fmt.Sprintf(format, args...)}
	if l == nil {
		return p
	}
	p.Sheet = l.sheet
	if c, ok := l.headers[key]; ok {
		p.Col, p.Ref, p.Column = c.Col, sheet.CellRef(c.Col, row), key
	}
	return p
}

// enumSeparators are the ways people separate several levels ("市,县",
// "市/县", "市 县"), which an enum value of several writes with "、".
var enumSeparators = regexp.MustCompile(`[\s,;/，；、]+`)

// enumFold is the form in which a cell's text is compared with an enum's
// values: folded (script, width, case) and with its separators as "、".
func enumFold(s string) string {
	return enumSeparators.ReplaceAllString(textsearch.Fold(strings.TrimSpace(s)), "、")
}

// keyPattern is what an item key may look like: the store's keys are UUIDs,
// which an export writes and a re-import reads back.
var keyPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Read reads a checklist sheet of the kind: an .xlsx workbook (its first
// sheet) or a CSV file, told apart by content; fileName only names a CSV
// file's sheet in positions. The header is found among the first ten rows,
// below any title and document number, in one row or two; blank rows, and
// rows of a numbered template with nothing but their 序号, are skipped. resolveUnit finds the unit a cell names (by name or code, as
// the caller decides; nil resolves nothing) for 实施单位 and the kind's unit
// columns.
//
// Every problem of every row is reported, at its cell: texts too long or
// holding characters no text may hold, a 序号 that is not a whole number,
// an item key that is not one, a key given twice, and whatever
// ChecklistItem.Validate refuses (a name missing, a required column blank,
// a value not among an enum's, a number or date that is not one, a unit
// that resolveUnit did not find), with the models' messages. Rows with
// problems are left out of the rows returned. A sheet without items is a
// problem too: importing it would do nothing, or with
// PlanOptions.DeleteMissing delete the whole list.
//
// The error is for a file refused as a whole (sheet.ErrFormat,
// sheet.ErrTooLarge, sheet.ErrTooManyRows beyond models.MaxChecklistItems
// rows).
//
// Rows are judged as they are read, so that memory holds the items, not the
// sheet's cells; ReadSpooled holds even less.
func Read(data []byte, fileName string, kind *models.ChecklistKind, resolveUnit func(text string) (id string, ok bool)) ([]Row, sheet.Problems, error) {
	var rows []Row
	_, probs, err := scan(data, fileName, kind, resolveUnit, func(r Row) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return rows, probs, nil
}

// scan reads a sheet as Read describes, handing each row without problems
// to fn as it is read. It returns the rows' layout, complete once the whole
// sheet is read, and every problem found, sorted.
func scan(data []byte, fileName string, kind *models.ChecklistKind, resolveUnit func(text string) (id string, ok bool), fn func(Row) error) (*layout, sheet.Problems, error) {
	l := newLayout(kind)
	cols := make([]sheet.Column, len(l.cols))
	for i, c := range l.cols {
		cols[i] = sheet.Column{Key: c.Key, Headers: c.Headers, Required: c.Required}
	}
	if resolveUnit == nil {
		resolveUnit = func(string) (string, bool) { return "", false }
	}
	var (
		probs sheet.Problems
		keys  = map[string]int{} // item key → the row that gave it
		n     int
	)
	tab, headerProbs, err := sheet.Scan(data, fileName, cols, sheet.ReadOptions{MaxRows: models.MaxChecklistItems}, func(r sheet.Row) error {
		if unfilled(r) {
			return nil
		}
		n++
		row, rp := l.read(r, n, resolveUnit)
		if k := row.Item.ItemKey; k != "" {
			if first, dup := keys[k]; dup {
				rp = append(rp, r.Cells[ColItemKey].Problem("item key %s is also row %d's: a row that copies another needs its 事项编码 cleared", k, first))
			} else {
				keys[k] = r.Number
			}
		}
		if len(rp) > 0 {
			probs = append(probs, rp...)
			return nil
		}
		return fn(row)
	})
	if err != nil {
		return nil, nil, err
	}
	// The rows' problems are placed by their cells; the rows handed on by
	// the header, which Scan has found.
	l.sheet, l.headers = tab.Sheet, tab.Headers
	probs = append(headerProbs, probs...)
	if tab.HeaderRow > 0 && n == 0 {
		probs = append(probs, sheet.Problem{Sheet: tab.Sheet, Row: tab.HeaderRow, Message: "the sheet has no items below its header"})
	}
	probs.Sort()
	return l, probs, nil
}

// unfilled tells a row of a template that nobody filled in: a 序号 and
// nothing else, as templates come numbered.
func unfilled(r sheet.Row) bool {
	for key, c := range r.Cells {
		if key != ColSequence && !c.Blank() {
			return false
		}
	}
	return true
}

// read judges one data row; n is its place among the sheet's data rows.
func (l *layout) read(r sheet.Row, n int, resolveUnit func(string) (string, bool)) (Row, sheet.Problems) {
	row := Row{Number: r.Number, layout: l, Item: models.ChecklistItem{Attributes: map[string]string{}}}
	it := &row.Item
	var probs sheet.Problems
	cell := func(key string) (sheet.Cell, string, bool) {
		c, ok := r.Cells[key]
		return c, strings.TrimSpace(c.Text), ok
	}

	if c, s, _ := cell(ColItemKey); s != "" {
		if !keyPattern.MatchString(s) {
			probs = append(probs, c.Problem("an item key (事项编码) is the one an export wrote, up to 64 letters, digits, dots, dashes and underscores; leave it blank for a new item"))
		} else {
			it.ItemKey = s
		}
	}
	// Without a 序号 column, the row's place stands in for validation and
	// the item keeps its place or goes last (PlanImport).
	sequence := n
	if c, s, ok := cell(ColSequence); ok {
		sequence = 1 // when the cell is refused here, for the other checks
		switch v, err := strconv.Atoi(s); {
		case s == "":
			probs = append(probs, c.Problem("a sequence (序号) is required: it orders the list"))
		case err != nil:
			probs = append(probs, c.Problem("the sequence (序号) is a whole number, not %q", s))
		default:
			sequence, it.Sequence = v, v
		}
	}
	text := func(key string, limit int) string {
		c, s, ok := cell(key)
		if !ok || s == "" {
			return ""
		}
		if msg := models.TextProblem(s); msg != "" {
			probs = append(probs, c.Problem("%s", msg))
		} else if k := utf8.RuneCountInString(s); k > limit {
			probs = append(probs, c.Problem("has %d characters, more than %d", k, limit))
		}
		return s
	}
	it.Name = text(ColName, models.MaxItemName)
	it.LegalBasis = text(ColLegalBasis, models.MaxItemLegalBasis)
	it.Category = text(ColCategory, models.MaxItemCategory)
	it.Remark = text(ColRemark, models.MaxItemRemark)

	// A unit's text that names no unit stays as it is: Validate says so,
	// in the API's words.
	var units []string
	unit := func(s string) string {
		if id, ok := resolveUnit(s); ok {
			units = append(units, id)
			return id
		}
		return s
	}
	if _, s, _ := cell(ColUnit); s != "" {
		id := unit(s)
		it.ImplementingUnitID = &id
	}
	for _, kc := range l.kind.Columns {
		c, s, ok := cell(kc.Key)
		if !ok || s == "" {
			continue
		}
		switch kc.Type {
		case models.ColumnDate:
			if d, ok := sheet.DateText(c); ok {
				s = d
			}
		case models.ColumnEnum:
			if !slices.Contains(kc.Values, s) {
				if v := l.enums[kc.Key][enumFold(s)]; v != "" {
					s = v
				}
			}
		case models.ColumnUnit:
			s = unit(s)
		}
		it.Attributes[kc.Key] = s
	}

	checked := *it
	checked.Sequence = sequence
	unitExists := func(id string) bool { return slices.Contains(units, id) }
	var invalid *models.ValidationError
	if err := checked.Validate(l.kind, unitExists, ""); errors.As(err, &invalid) {
		for _, f := range invalid.Fields {
			key := pointerColumn(f.Pointer)
			// A cell already refused is not refused twice.
			if c, ok := r.Cells[key]; ok && !slices.ContainsFunc(probs, func(p sheet.Problem) bool { return p.Col == c.Col }) {
				probs = append(probs, c.Problem("%s", f.Message))
			} else if !ok {
				probs = append(probs, r.Problem("%s", f.Message))
			}
		}
	}
	return row, probs
}

// pointerColumn is the column of the field a validation problem points at.
func pointerColumn(pointer string) string {
	switch pointer {
	case "/sequence":
		return ColSequence
	case "/name":
		return ColName
	case "/implementingUnitId":
		return ColUnit
	}
	if key, ok := strings.CutPrefix(pointer, "/attributes/"); ok {
		return strings.NewReplacer("~1", "/", "~0", "~").Replace(key)
	}
	return ""
}
