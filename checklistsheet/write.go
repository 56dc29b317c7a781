package checklistsheet

import (
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
)

// outColumns are the columns as the sheet writers take them. Numbers are
// written as numbers, which Excel sums (分值) and sorts (序号); they read back
// by value, as PlanImport compares them.
func outColumns(cols []Column) []sheet.OutColumn {
	out := make([]sheet.OutColumn, len(cols))
	for i, c := range cols {
		number := c.Key == ColSequence || c.Kind != nil && c.Kind.Type == models.ColumnNumber
		out[i] = sheet.OutColumn{Key: c.Key, Header: c.Header, Width: c.width, Text: c.text, Number: number}
	}
	return out
}

// cellTexts fills row with the item's cells, one per column. Units are
// written by unitName (nil, or "" for an id it does not know: the id), which
// should give a text that Read's resolveUnit resolves to the same unit.
func cellTexts(row []string, cols []Column, it *models.ChecklistItem, unitName func(string) string) {
	unit := func(id string) string {
		if unitName != nil {
			if name := unitName(id); name != "" {
				return name
			}
		}
		return id
	}
	for i, c := range cols {
		var s string
		switch c.Key {
		case ColItemKey:
			s = it.ItemKey
		case ColSequence:
			s = strconv.Itoa(it.Sequence)
		case ColName:
			s = it.Name
		case ColUnit:
			if it.ImplementingUnitID != nil && *it.ImplementingUnitID != "" {
				s = unit(*it.ImplementingUnitID)
			}
		case ColLegalBasis:
			s = it.LegalBasis
		case ColCategory:
			s = it.Category
		case ColRemark:
			s = it.Remark
		default:
			s = it.Attributes[c.Key]
			if s != "" && c.Kind != nil && c.Kind.Type == models.ColumnUnit {
				s = unit(s)
			}
		}
		row[i] = s
	}
}

// subtitle is the line below a list's title: its document number (文号),
// version and effective date, those it has.
func subtitle(list *models.Checklist) string {
	var parts []string
	if n := strings.TrimSpace(list.DocumentNumber); n != "" {
		parts = append(parts, "文号："+n)
	}
	if list.VersionNo > 0 {
		parts = append(parts, fmt.Sprintf("第%d版", list.VersionNo))
	}
	if list.EffectiveDate != nil && *list.EffectiveDate != "" {
		parts = append(parts, "生效日期："+*list.EffectiveDate)
	}
	return strings.Join(parts, "　")
}

// WriteXLSX writes a list version's items as a workbook of one sheet (named
// after the kind): the list's title and its document number in rows above
// the header, the kind's Chinese headers frozen in view, widths that fit,
// long texts wrapped, codes as text. Items come from an iterator, in the
// order written, and stream to temporary files through excelize's
// StreamWriter: memory stays flat in the number of items. An error from the
// iterator stops the writing and is returned. Read reads the workbook back
// and PlanImport finds no change.
func WriteXLSX(w io.Writer, list *models.Checklist, kind *models.ChecklistKind, items iter.Seq2[models.ChecklistItem, error], unitName func(id string) string) error {
	cols := Columns(kind)
	x, err := sheet.NewXLSXWriter()
	if err != nil {
		return err
	}
	defer func() { _ = x.Close() }()
	styles, err := columnStyles(x, cols)
	if err != nil {
		return err
	}
	spec := sheet.SheetSpec{Name: SheetName(kind), Columns: outColumns(cols), ColumnStyles: styles, Title: strings.TrimSpace(list.Title)}
	if s := subtitle(list); s != "" {
		spec.Subtitles = []string{s}
	}
	sw, err := x.AddSheet(spec)
	if err != nil {
		return err
	}
	row := make([]string, len(cols))
	for it, err := range items {
		if err != nil {
			return err
		}
		cellTexts(row, cols, &it, unitName)
		if err := sw.Write(row); err != nil {
			return err
		}
	}
	_, err = x.WriteTo(w)
	return err
}

// columnStyles wraps the columns of long texts, top-aligned, so that a
// row shows its whole legal basis.
func columnStyles(x *sheet.XLSXWriter, cols []Column) ([]int, error) {
	wrap, err := x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	styles := make([]int, len(cols))
	for i, c := range cols {
		if c.wrap {
			styles[i] = wrap
		}
	}
	return styles, nil
}

// WriteCSV writes a list version's items as CSV: UTF-8 with a byte order
// mark (which Excel on Chinese Windows needs), the header line, then a line
// per item, streamed from the iterator. There is no title line, so that any
// program reads the file as a table; Read reads it back and PlanImport finds
// no change.
func WriteCSV(w io.Writer, kind *models.ChecklistKind, items iter.Seq2[models.ChecklistItem, error], unitName func(id string) string) error {
	cols := Columns(kind)
	cw, err := sheet.NewCSVWriter(w, outColumns(cols))
	if err != nil {
		return err
	}
	row := make([]string, len(cols))
	for it, err := range items {
		if err != nil {
			return err
		}
		cellTexts(row, cols, &it, unitName)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	return cw.Flush()
}
