// Package applicationsheet reads the spreadsheets in which units keep the
// cases where they applied the items of a checklist (适用台账): one row a
// case, naming the item by its 序号 in the list version, the unit that
// applied it, the case's number and date, the persons it concerned and the
// fine waived.
//
// Headers are matched as package sheet matches them (width, spaces, "*",
// traditional or simplified characters), with the synonyms real ledgers
// use. Reading judges each cell on its own (a date that is not a date, a
// count that is not a whole number, an amount with a fraction of a fen, an
// item or unit the list or the tree does not have); the rules a case obeys
// as a whole are the store's, which the caller maps back to cells through
// Row.Problem.
package applicationsheet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
	"github.com/fazhi/fazhi/textsearch"
)

// The keys of the columns, which are also the fields of a case that
// problems point at.
const (
	ColItemSequence  = "itemSequence"
	ColItemName      = "itemName"
	ColUnit          = "unitId"
	ColCaseNumber    = "caseNumber"
	ColCaseDate      = "caseDate"
	ColLegalPersons  = "legalPersons"
	ColNaturalPerson = "naturalPersons"
	ColAmountWaived  = "amountWaived"
	ColRemark        = "remark"
)

// Columns are the columns a ledger may have, the first header of each being
// the one a template prints.
var Columns = []sheet.Column{
	{Key: ColItemSequence, Headers: []string{"事项序号", "清单序号", "适用事项序号"}, Required: true},
	{Key: ColItemName, Headers: []string{"事项名称", "违法行为", "适用事项"}},
	{Key: ColUnit, Headers: []string{"执法单位", "执法机关", "实施机关", "办案单位"}, Required: true},
	{Key: ColCaseNumber, Headers: []string{"案件编号", "案号", "决定书文号"}},
	{Key: ColCaseDate, Headers: []string{"案件日期", "结案日期", "决定日期"}, Required: true},
	{Key: ColLegalPersons, Headers: []string{"受益法人数", "法人数", "法人"}},
	{Key: ColNaturalPerson, Headers: []string{"受益自然人数", "自然人数", "自然人", "自然人（非法人组织）"}},
	{Key: ColAmountWaived, Headers: []string{"减免金额（元）", "减免金额", "减免罚款金额", "减免罚款金额（元）"}},
	{Key: ColRemark, Headers: []string{"备注"}},
}

// SheetName is the name a ledger's sheet has in positions when the file
// names none (a CSV file).
const SheetName = "适用案件"

// Row is a case as one row states it, and where the row is.
type Row struct {
	Number int
	Case   models.ChecklistApplication
	cells  map[string]sheet.Cell
}

// Problem is a problem at the row's cell of column key (a field of the
// case), or at the row when the sheet has no such column.
func (r Row) Problem(key, format string, args ...any) sheet.Problem {
	if c, ok := r.cells[key]; ok {
		return c.Problem(format, args...)
	}
	return sheet.Problem{Row: r.Number, Message: fmt.Sprintf(format, args...)}
}

// Item resolves a 序号 of the list version to the item there.
type Item func(sequence int) (*models.ChecklistItem, bool)

// Unit resolves what a cell writes of a unit (its code, name or short name)
// to its id.
type Unit func(text string) (string, bool)

// Read reads the cases of a file (an .xlsx workbook's first sheet or a CSV
// file), at most models.MaxApplicationsPerFile, resolving items and units:
// total is how many non-blank rows are below the header. A row with a
// problem is reported and not returned; the error is for a file that cannot
// be read at all.
func Read(data []byte, name string, item Item, unit Unit) (rows []Row, total int, probs sheet.Problems, err error) {
	tab, headerProbs, err := sheet.Scan(data, name, Columns, sheet.ReadOptions{MaxRows: models.MaxApplicationsPerFile}, func(r sheet.Row) error {
		total++
		row, rowProbs := readRow(r, item, unit)
		if len(rowProbs) > 0 {
			probs = append(probs, rowProbs...)
			return nil
		}
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return nil, 0, nil, err
	}
	probs = append(headerProbs, probs...)
	if tab != nil && tab.HeaderRow > 0 && len(rows) == 0 && len(probs) == 0 {
		probs = append(probs, sheet.Problem{Sheet: tab.Sheet, Row: tab.HeaderRow, Message: "the sheet has no cases below its header"})
	}
	probs.Sort()
	return rows, total, probs, nil
}

// readRow reads one case.
func readRow(r sheet.Row, item Item, unit Unit) (Row, sheet.Problems) {
	row := Row{Number: r.Number, cells: r.Cells}
	a := &row.Case
	var probs sheet.Problems
	cell := func(key string) (sheet.Cell, string) {
		c := r.Cells[key]
		return c, strings.TrimSpace(c.Text)
	}
	if c, text := cell(ColItemSequence); text == "" {
		probs = append(probs, c.Problem("事项序号 is required: the 序号 of the applied item in the list"))
	} else if seq, err := strconv.Atoi(text); err != nil || seq < 1 {
		probs = append(probs, c.Problem("事项序号 %q is not the 序号 of an item (a whole number from 1)", text))
	} else if it, ok := item(seq); !ok {
		probs = append(probs, c.Problem("the list has no item %d", seq))
	} else {
		a.ItemID = it.ID
		if nc, name := cell(ColItemName); name != "" && textsearch.Fold(name) != textsearch.Fold(it.Name) {
			probs = append(probs, nc.Problem("item %d is %s, not %s: check the 事项序号", seq, it.Name, name))
		}
	}
	if c, text := cell(ColUnit); text == "" {
		probs = append(probs, c.Problem("执法单位 is required"))
	} else if id, ok := unit(text); !ok {
		probs = append(probs, c.Problem("there is no unit %s (write its code or its name as the unit tree has it)", text))
	} else {
		a.UnitID = id
	}
	if _, text := cell(ColCaseNumber); text != "" {
		a.CaseNumber = &text
	}
	if c, text := cell(ColCaseDate); text == "" {
		probs = append(probs, c.Problem("案件日期 is required"))
	} else if d, ok := sheet.DateText(c); !ok {
		probs = append(probs, c.Problem("%q is not a date (write it as 2021-12-31)", text))
	} else {
		a.CaseDate = d
	}
	for _, n := range []struct {
		key string
		to  *int
	}{{ColLegalPersons, &a.LegalPersons}, {ColNaturalPerson, &a.NaturalPersons}} {
		c, text := cell(n.key)
		if text == "" {
			continue
		}
		v, err := strconv.Atoi(text)
		if err != nil || v < 0 {
			probs = append(probs, c.Problem("%q is not a count of persons (a whole number from 0)", text))
			continue
		}
		*n.to = v
	}
	if c, text := cell(ColAmountWaived); text != "" {
		d, err := exact.Parse(text)
		if err != nil {
			probs = append(probs, c.Problem("%q is not an amount of yuan", text))
		} else if fen, err := models.YuanToFen(d, "/"+ColAmountWaived); err != nil {
			probs = append(probs, c.Problem("%s", fieldMessage(err)))
		} else {
			a.AmountFen = fen
		}
	}
	_, a.Remark = cell(ColRemark)
	return row, probs
}

// fieldMessage is the message of a validation error's first field.
func fieldMessage(err error) string {
	if v, ok := err.(*models.ValidationError); ok && len(v.Fields) > 0 {
		return v.Fields[0].Message
	}
	return err.Error()
}
