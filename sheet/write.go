package sheet

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// OutColumn is a column written by WriteXLSX and WriteCSV.
type OutColumn struct {
	Key    string
	Header string
	// Width in Excel's character units; 0 chooses one from the header.
	Width float64
	// Text writes the column's cells as text and formats the column as
	// text ("@"), so that Excel keeps codes such as "211100-001" or "0012"
	// as typed, in the cells written and in those a person adds.
	Text bool
	// Number writes cells that hold a plain decimal ("58.1", "-3", "1200")
	// as numbers, which Excel can sum, and anything else as text. A number
	// is read back in canonical form: "58.10" is written as 58.1 and reads
	// "58.1". Without Number (or Text), every cell is written as text and
	// reads back exactly.
	Number bool
}

// SheetData is one sheet to write.
type SheetData struct {
	// Name of the sheet; default "Sheet1", "Sheet2"… Excel allows at most
	// 31 characters and none of : \ / ? * [ ].
	Name string
	// Title, if not empty, is written in a first row merged across the
	// columns, above the header row.
	Title   string
	Columns []OutColumn
	// Rows are the data rows, one string per column ("" leaves the cell
	// empty); a row may be shorter than Columns but not longer.
	Rows [][]string
	// More, if not nil, yields further rows after Rows, so that a large
	// export streams from its source without being held in memory.
	More iter.Seq[[]string]
}

// maxCellChars is Excel's limit on the length of a cell's text, in UTF-16
// code units; excelize truncates longer text silently.
const maxCellChars = 32767

// WriteXLSX writes a workbook with one sheet per SheetData, through
// excelize's StreamWriter (rows are buffered in temporary files, not in
// memory). Each sheet has the optional merged title row, the header row in
// bold with a fill, frozen so that it stays in view, the column widths, and
// the data rows.
func WriteXLSX(w io.Writer, sheets []SheetData) error {
	if len(sheets) == 0 {
		return errors.New("sheet: no sheets to write")
	}
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()

	st, err := newStyles(f)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, sd := range sheets {
		name := sd.Name
		if name == "" {
			name = "Sheet" + strconv.Itoa(i+1)
		}
		if seen[strings.ToLower(name)] {
			return fmt.Errorf("sheet: sheet name %q given twice", name)
		}
		seen[strings.ToLower(name)] = true
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return fmt.Errorf("sheet: sheet name %q: %w", name, err)
		}
		if err := writeSheet(f, name, sd, st); err != nil {
			return fmt.Errorf("sheet: sheet %q: %w", name, err)
		}
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("sheet: writing workbook: %w", err)
	}
	return nil
}

type styles struct{ title, header, text int }

func newStyles(f *excelize.File) (styles, error) {
	var st styles
	var err error
	border := []excelize.Border{
		{Type: "left", Color: "#A6A6A6", Style: 1}, {Type: "right", Color: "#A6A6A6", Style: 1},
		{Type: "top", Color: "#A6A6A6", Style: 1}, {Type: "bottom", Color: "#A6A6A6", Style: 1},
	}
	if st.title, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Size: 14},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
	}); err != nil {
		return st, err
	}
	if st.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#D9E1F2"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Border:    border,
		NumFmt:    49, // "@": the header texts are text
	}); err != nil {
		return st, err
	}
	if st.text, err = f.NewStyle(&excelize.Style{NumFmt: 49}); err != nil {
		return st, err
	}
	return st, nil
}

func writeSheet(f *excelize.File, name string, sd SheetData, st styles) error {
	n := len(sd.Columns)
	if n == 0 {
		return errors.New("no columns")
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	// Column settings and panes come before the first row.
	for i, c := range sd.Columns {
		width := c.Width
		if width <= 0 {
			width = defaultWidth(c.Header)
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
		if c.Text {
			if err := sw.SetColStyle(i+1, i+1, st.text); err != nil {
				return err
			}
		}
	}
	headerRow := 1
	if sd.Title != "" {
		headerRow = 2
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: headerRow, TopLeftCell: CellRef(1, headerRow+1), ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: CellRef(1, headerRow+1), ActiveCell: CellRef(1, headerRow+1), Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	if sd.Title != "" {
		if err := checkCellText(sd.Title); err != nil {
			return fmt.Errorf("title: %w", err)
		}
		if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: sd.Title}}, excelize.RowOpts{Height: 28}); err != nil {
			return err
		}
		if n > 1 {
			if err := sw.MergeCell("A1", CellRef(n, 1)); err != nil {
				return err
			}
		}
	}
	values := make([]any, n)
	for i, c := range sd.Columns {
		if err := checkCellText(c.Header); err != nil {
			return fmt.Errorf("header of column %q: %w", c.Key, err)
		}
		values[i] = excelize.Cell{StyleID: st.header, Value: c.Header}
	}
	if err := sw.SetRow(CellRef(1, headerRow), values); err != nil {
		return err
	}

	rowNum := headerRow
	writeRow := func(row []string) error {
		rowNum++
		if len(row) > n {
			return fmt.Errorf("row %d has %d cells for %d columns", rowNum, len(row), n)
		}
		clear(values)
		for i, text := range row {
			if text == "" {
				continue
			}
			if err := checkCellText(text); err != nil {
				return fmt.Errorf("cell %s: %w", CellRef(i+1, rowNum), err)
			}
			c := sd.Columns[i]
			switch {
			case c.Text:
				values[i] = excelize.Cell{StyleID: st.text, Value: text}
			case c.Number:
				if v, ok := writableNumber(text); ok {
					values[i] = v
				} else {
					values[i] = text
				}
			default:
				values[i] = text
			}
		}
		return sw.SetRow(CellRef(1, rowNum), values)
	}
	for _, row := range sd.Rows {
		if err := writeRow(row); err != nil {
			return err
		}
	}
	if sd.More != nil {
		for row := range sd.More {
			if err = writeRow(row); err != nil {
				break
			}
		}
		if err != nil {
			return err
		}
	}
	return sw.Flush()
}

// defaultWidth fits the header: CJK characters are two units wide.
func defaultWidth(header string) float64 {
	w := 0.0
	for _, r := range header {
		if r >= 0x2E80 {
			w += 2
		} else {
			w++
		}
	}
	return min(max(w+4, 10), 60)
}

// checkCellText refuses text Excel cannot hold, which excelize would cut
// short without a word.
func checkCellText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("text is not valid UTF-8")
	}
	if len(s) > maxCellChars && utf16Len(s) > maxCellChars {
		return fmt.Errorf("text longer than Excel's %d characters", maxCellChars)
	}
	return nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// writableNumber is the float64 to write for a plain decimal that float64
// holds to Excel's 15 significant digits, so the cell reads back as the same
// decimal.
func writableNumber(s string) (float64, bool) {
	if !isDecimalSyntax(s) || strings.ContainsAny(s, "eE") || strings.HasPrefix(s, "+") {
		return 0, false
	}
	digits := strings.TrimLeft(strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s), "0")
	if strings.Contains(s, ".") {
		// trailing zeros of a fraction are not significant
		digits = strings.TrimRight(digits, "0")
	}
	if len(digits) > maxSignificant {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}
