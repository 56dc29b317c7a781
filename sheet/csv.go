package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ReadCSV reads a CSV file like a sheet (see ReadXLSX): UTF-8, with or
// without a byte order mark, or GB18030 (which covers GBK and GB2312, what
// Excel on Chinese Windows saves as "CSV") when the bytes are not valid UTF-8;
// fields separated by opts.Comma (default ','), quoted as RFC 4180 says.
// Row numbers are those Excel shows when it opens the file: blank lines count
// as rows, and a quoted field spanning lines stays in one row. Cell.Text and
// Cell.Formatted are the field as written, except that a leading "'" that
// WriteCSV put before a text starting with "=", "+", "-" or "@" is removed.
// A malformed line is a Problem at its position and ends the reading.
func ReadCSV(r io.Reader, cols []Column, opts ReadOptions) (*Table, Problems, error) {
	var s scanner
	data, err := s.read(r, 0, cols, opts)
	if err != nil {
		return nil, nil, err
	}
	return s.scanCSV(data, s.opts.Sheet)
}

// scanCSV scans CSV data as the sheet named sheetName. A malformed line
// ends the reading with a problem, as the end of the sheet.
func (s *scanner) scanCSV(data []byte, sheetName string) (*Table, Problems, error) {
	text, err := decodeCSV(data)
	if err != nil {
		return nil, nil, err
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = s.opts.Comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	src := &csvSource{r: cr, sheet: sheetName, text: text}
	t, probs, err := s.scanSheet(src, sheetName)
	if err != nil {
		return nil, nil, unwrapCaller(err)
	}
	if src.problem != nil {
		probs = append(probs, *src.problem)
		probs.Sort()
	}
	return t, probs, nil
}

// decodeCSV returns the text as UTF-8 without a byte order mark.
func decodeCSV(data []byte) ([]byte, error) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, fmt.Errorf("%w: UTF-16 text (Excel's \"Unicode text\"); save as \"CSV UTF-8\" or .xlsx", ErrFormat)
	}
	if t, ok := bytes.CutPrefix(data, utf8BOM); ok {
		if !utf8.Valid(t) {
			return nil, fmt.Errorf("%w: marked UTF-8 but is not valid UTF-8", ErrFormat)
		}
		return t, nil
	}
	if utf8.Valid(data) {
		return data, nil
	}
	t, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("%w: neither UTF-8 nor GB18030 text", ErrFormat)
	}
	if bytes.IndexByte(t, 0) >= 0 {
		return nil, fmt.Errorf("%w: binary data, not CSV text", ErrFormat)
	}
	return t, nil
}

// csvSource yields CSV records with Excel's row numbers.
type csvSource struct {
	r       *csv.Reader
	sheet   string
	text    []byte
	row     int // row number of the last record
	endLine int // line on which the last record ended
	// lastLine and lastCol are where the last field of the last record
	// starts (1-based, the column in bytes).
	lastLine, lastCol int
	problem           *Problem
}

func (s *csvSource) next() (sourceRow, bool, error) {
	rec, err := s.r.Read()
	if err == io.EOF {
		s.checkLastQuote()
		return sourceRow{}, false, nil
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			row := s.row + 1 + max(pe.StartLine-s.endLine-1, 0)
			s.problem = &Problem{Sheet: s.sheet, Row: row, Col: 0,
				Message: fmt.Sprintf("malformed CSV at line %d, column %d: %v; nothing after it was read", pe.Line, pe.Column, pe.Err)}
			return sourceRow{}, false, nil
		}
		return sourceRow{}, false, err
	}
	start, _ := s.r.FieldPos(0)
	// csv.Reader skips empty lines, Excel shows them as empty rows.
	s.row += 1 + max(start-s.endLine-1, 0)
	last, col := s.r.FieldPos(len(rec) - 1)
	s.endLine = last + strings.Count(rec[len(rec)-1], "\n")
	s.lastLine, s.lastCol = last, col
	out := make([]string, len(rec))
	for i, f := range rec {
		out[i] = unescapeFormula(f)
	}
	return sourceRow{num: s.row, raw: out, formatted: out}, true, nil
}

// checkLastQuote reports a quoted field that is never closed. With
// LazyQuotes (files from Excel and WPS carry stray quotes inside fields),
// encoding/csv reads such a field to the end of the file: every line after
// the quote would vanish into one cell instead of being read as rows.
func (s *csvSource) checkLastQuote() {
	if s.problem != nil || s.lastLine == 0 {
		return
	}
	start := 0
	for line := 1; line < s.lastLine; line++ {
		i := bytes.IndexByte(s.text[start:], '\n')
		if i < 0 {
			return
		}
		start += i + 1
	}
	start += s.lastCol - 1
	if start >= len(s.text) || s.text[start] != '"' {
		return
	}
	field := bytes.TrimRight(s.text[start:], "\r\n")
	if len(field) >= 2 && field[len(field)-1] == '"' {
		return
	}
	s.problem = &Problem{Sheet: s.sheet, Row: s.row, Col: 0,
		Message: fmt.Sprintf("the quote opened at line %d, column %d is never closed: the rest of the file would be one cell; close it", s.lastLine, s.lastCol)}
}

// WriteCSV writes a header line and the rows, UTF-8 with a byte order mark
// and CRLF line ends, as Excel expects. A text starting with "=", "+", "-"
// or "@" that is not a number gets a leading "'" so that Excel does not run
// it as a formula (CSV injection); ReadCSV removes it again.
func WriteCSV(w io.Writer, cols []OutColumn, rows [][]string) error {
	cw, err := NewCSVWriter(w, cols)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// formulaStart reports whether s, after any "'"s, starts as Excel would take
// a formula.
func formulaStart(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// escapeFormula prefixes "'" to a text Excel would run as a formula; numbers
// such as "-3" are left alone. Texts already starting with "'" before such a
// character get one more, so that unescapeFormula gives back any text.
func escapeFormula(s string) string {
	if !formulaStart(s) || isDecimalSyntax(s) {
		return s
	}
	return "'" + s
}

// unescapeFormula undoes escapeFormula.
func unescapeFormula(s string) string {
	if strings.HasPrefix(s, "'") && formulaStart(s) {
		return s[1:]
	}
	return s
}
