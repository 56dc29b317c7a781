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
// the data rows. It is XLSXWriter for sheets that need nothing more.
func WriteXLSX(w io.Writer, sheets []SheetData) error {
	if len(sheets) == 0 {
		return errors.New("sheet: no sheets to write")
	}
	x, err := NewXLSXWriter()
	if err != nil {
		return err
	}
	defer func() { _ = x.Close() }()
	for _, sd := range sheets {
		if err := x.writeSheet(sd); err != nil {
			return err
		}
	}
	_, err = x.WriteTo(w)
	return err
}

// writeSheet adds the sheet sd and writes its rows.
func (x *XLSXWriter) writeSheet(sd SheetData) error {
	s, err := x.AddSheet(SheetSpec{Name: sd.Name, Title: sd.Title, Columns: sd.Columns})
	if err != nil {
		return err
	}
	for _, row := range sd.Rows {
		if err := s.Write(row); err != nil {
			return err
		}
	}
	if sd.More == nil {
		return nil
	}
	for row := range sd.More {
		if err := s.Write(row); err != nil {
			return err
		}
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
