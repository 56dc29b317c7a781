// Package sheet reads and writes the spreadsheets that units fill in by hand:
// .xlsx workbooks and .csv files with a header row of (usually Chinese) column
// names, possibly a title row above it, blank rows in between, and cells typed
// any way Excel allows.
//
// The package is generic: it knows tables, headers, cells and their positions,
// not indicators or checklists. A caller describes the logical columns it
// wants ([Column]: a key and the header texts that name it), reads a file into
// a [Table] whose rows map keys to [Cell]s, judges the cell texts itself, and
// reports what is wrong as [Problems], each with the sheet, row, column and
// A1 reference a person sees in Excel.
//
// # Reading
//
// [ReadXLSX] and [ReadCSV] find the header row among the first rows of the
// sheet (a title row such as "盘锦市2021年法治政府建设主要指标填报表" above it is
// skipped), match header texts ignoring surrounding and inner white space,
// full-width/half-width forms, case, a required-marker "*" and traditional vs
// simplified characters, skip blank rows while keeping the real row numbers,
// and refuse files that are too large, zip bombs and files that are not
// spreadsheets with an error (never a panic).
//
// Each cell has two texts. [Cell.Text] is the value as stored, the one to parse
// for exact decimals and codes: a text cell exactly as typed (so "58.10%" or
// "0012" typed as text stay as they are), a numeric cell as a plain decimal
// cut to Excel's 15 significant digits, so that the binary artefact
// "0.58099999999999996" that Excel writes for 0.581 reads "0.581". Number
// formats are not applied to Text: a percent cell stored as 0.581 and
// displayed "58.10%" has Text "0.581". [Cell.Formatted] is the text as Excel
// displays it ("58.10%", a date as formatted), for showing to people and for
// telling what a number meant; it may be rounded by the format, so never parse
// exact values from it except through [PercentText], which returns "58.10"
// for both the text cell "58.10%" and the percent cell 0.581.
//
// # Writing
//
// [WriteXLSX] streams workbooks (templates and exports) with excelize's
// StreamWriter, so 100,000 rows and more take bounded memory: an optional
// merged title row, a bold header row frozen in place, code columns written
// and formatted as text so that Excel does not turn "211100-001" into a date
// or "0012" into 12. [WriteCSV] writes UTF-8 with a byte order mark, which
// Excel on Chinese Windows needs to show the characters. What the writers
// write, the readers read back to the same strings (numbers in a column
// written as numbers come back in canonical form: "58.10" as "58.1").
package sheet

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/fazhi/fazhi/textsearch"
)

// Errors that say why a file was refused as a whole. They are wrapped with
// details; test with errors.Is. All of them are the uploader's doing (an HTTP
// handler answers 4xx), unlike an I/O error from the reader.
var (
	// ErrFormat: not an .xlsx workbook (or not a readable CSV text): another
	// kind of file, an old .xls, a password-protected or damaged workbook.
	ErrFormat = errors.New("not a readable spreadsheet")
	// ErrTooLarge: the file, or what it unzips to, exceeds the limits in
	// ReadOptions.
	ErrTooLarge = errors.New("spreadsheet too large")
	// ErrTooManyRows: more data rows than ReadOptions.MaxRows.
	ErrTooManyRows = errors.New("too many rows")
	// ErrNoSheet: the workbook has no sheet of the name asked for, or no
	// sheet at all.
	ErrNoSheet = errors.New("no such sheet")
)

// Column is a logical column that a reader looks for, and the header texts
// that name it, e.g. Key "value", Headers {"数值", "填报值", "value"}. Header
// matching ignores white space, width, case, a leading or trailing "*" and
// traditional vs simplified characters, so "数值" and "数 值*" are the same
// header; list real synonyms only.
type Column struct {
	Key      string
	Headers  []string
	Required bool
}

// Cell is one cell of a data row, at the position a person sees in Excel.
type Cell struct {
	Sheet  string
	Row    int    // 1-based row number as Excel shows it
	Col    int    // 1-based column number (A = 1)
	Ref    string // A1 reference, e.g. "C5"
	Column string // the key of the logical column
	// Text is the value as stored: text as typed, a number as a plain
	// decimal of at most 15 significant digits, no number format applied.
	// Parse exact values from Text (or from PercentText).
	Text string
	// Formatted is the value as Excel displays it, number format applied
	// ("58.10%", "2021/12/31"). Equal to Text for text cells and in CSV.
	Formatted string
}

// Blank reports whether the cell holds nothing but white space.
func (c Cell) Blank() bool { return strings.TrimSpace(c.Text) == "" }

// Problem is a problem at this cell, for the caller's own checks.
func (c Cell) Problem(format string, args ...any) Problem {
	return Problem{Sheet: c.Sheet, Row: c.Row, Col: c.Col, Ref: c.Ref, Column: c.Column, Message: fmt.Sprintf(format, args...)}
}

// Row is a data row: its real row number and a cell for each logical column
// found in the header (blank cells included, so that "required" problems have
// a position too).
type Row struct {
	Sheet  string
	Number int
	Cells  map[string]Cell
}

// Text returns the stored text of the row's cell for key, "" if the column is
// absent.
func (r Row) Text(key string) string { return r.Cells[key].Text }

// Problem is a problem with the row as a whole.
func (r Row) Problem(format string, args ...any) Problem {
	return Problem{Sheet: r.Sheet, Row: r.Number, Message: fmt.Sprintf(format, args...)}
}

// Table is what a reader found: the header row, the header cell of each
// logical column present (Headers[key].Text is the header as written), and
// the non-blank rows below the header, in order.
type Table struct {
	Sheet     string
	HeaderRow int // 0 if no header row was found
	Headers   map[string]Cell
	Rows      []Row
}

// Has reports whether the header named the column key.
func (t *Table) Has(key string) bool {
	_, ok := t.Headers[key]
	return ok
}

// Problem is one thing wrong with an uploaded file, at a position a person can
// find: Row and Col are 1-based, 0 when the problem is not about one row or
// one column; Ref is the A1 reference of a cell ("C5"), empty otherwise;
// Column is the key of the logical column concerned, if any.
type Problem struct {
	Sheet   string `json:"sheet,omitempty"`
	Row     int    `json:"row,omitempty"`
	Col     int    `json:"col,omitempty"`
	Ref     string `json:"ref,omitempty"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// String is the problem as a person reads it: "填报!C5 (value): 不是数字".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Sheet)
	switch {
	case p.Ref != "":
		if p.Sheet != "" {
			b.WriteByte('!')
		}
		b.WriteString(p.Ref)
	case p.Row > 0:
		if p.Sheet != "" {
			b.WriteByte(' ')
		}
		b.WriteString("row ")
		b.WriteString(strconv.Itoa(p.Row))
	}
	if p.Column != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("(" + p.Column + ")")
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is a list of problems, an error. Readers return it sorted by sheet,
// row and column; callers that append their own call Sort.
type Problems []Problem

// maxErrorProblems is how many problems Error spells out.
const maxErrorProblems = 10

// Error lists the first problems and counts the rest.
func (ps Problems) Error() string {
	if len(ps) == 0 {
		return "no problems"
	}
	parts := make([]string, 0, min(len(ps), maxErrorProblems)+1)
	for i, p := range ps {
		if i == maxErrorProblems {
			parts = append(parts, fmt.Sprintf("and %d more", len(ps)-i))
			break
		}
		parts = append(parts, p.String())
	}
	return strings.Join(parts, "; ")
}

// Sort orders the problems by sheet, row and column (whole-row problems before
// the row's cells), keeping the order of problems at the same place.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Sheet, b.Sheet), cmp.Compare(a.Row, b.Row), cmp.Compare(a.Col, b.Col))
	})
}

// Err returns nil when there are no problems, else the problems as an error
// (avoiding a non-nil error interface holding an empty list).
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// ReadOptions tune the readers; the zero value is usable.
type ReadOptions struct {
	// Sheet is the sheet to read; default the workbook's first sheet. For
	// CSV it is only the name used in positions.
	Sheet string
	// HeaderSearchRows is how many rows from the top may hold the header
	// row; default 10.
	HeaderSearchRows int
	// MaxRows is the most data rows (non-blank rows below the header)
	// accepted; default 200,000.
	MaxRows int
	// MaxFileSize is the most bytes read from the reader; default 64 MiB.
	MaxFileSize int64
	// UnzipSizeLimit is the most bytes an .xlsx may unzip to in total;
	// default 256 MiB.
	UnzipSizeLimit int64
	// UnzipXMLSizeLimit: a worksheet or shared-strings part that unzips to
	// more than this is kept in a temporary file rather than in memory
	// (excelize's option); default 16 MiB (excelize's own), at most
	// UnzipSizeLimit. A sheet of 100,000 values unzips to 40 MiB: held in
	// memory, it doubled what its import grew the process by (+135 MiB
	// rather than +59), for a quarter faster parsing.
	UnzipXMLSizeLimit int64
	// TmpDir is where such temporary files go; default os.TempDir().
	TmpDir string
	// Comma is the CSV field separator; default ','.
	Comma rune
}

// Defaults of ReadOptions.
const (
	DefaultHeaderSearchRows  = 10
	DefaultMaxRows           = 200_000
	DefaultMaxFileSize       = 64 << 20
	DefaultUnzipSizeLimit    = 256 << 20
	DefaultUnzipXMLSizeLimit = 16 << 20
)

func (o ReadOptions) withDefaults() ReadOptions {
	if o.HeaderSearchRows <= 0 {
		o.HeaderSearchRows = DefaultHeaderSearchRows
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	if o.UnzipSizeLimit <= 0 {
		o.UnzipSizeLimit = DefaultUnzipSizeLimit
	}
	if o.UnzipXMLSizeLimit <= 0 {
		o.UnzipXMLSizeLimit = DefaultUnzipXMLSizeLimit
	}
	o.UnzipXMLSizeLimit = min(o.UnzipXMLSizeLimit, o.UnzipSizeLimit)
	if o.Comma == 0 {
		o.Comma = ','
	}
	return o
}

// FoldHeader is the form in which header texts are compared: folded by
// textsearch.Fold (NFKC, lower case, simplified characters), white space
// removed, and a required-marker "*" at either end dropped.
func FoldHeader(s string) string {
	s = textsearch.Fold(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return strings.Trim(s, "*")
}

// columnSet is the compiled lookup from folded header text to column.
type columnSet struct {
	cols   []Column
	byText map[string]int // folded header -> index in cols
}

func compileColumns(cols []Column) (*columnSet, error) {
	if len(cols) == 0 {
		return nil, errors.New("sheet: no columns given")
	}
	cs := &columnSet{cols: cols, byText: make(map[string]int)}
	keys := make(map[string]bool, len(cols))
	for i, c := range cols {
		if c.Key == "" {
			return nil, fmt.Errorf("sheet: column %d has no key", i+1)
		}
		if keys[c.Key] {
			return nil, fmt.Errorf("sheet: column key %q given twice", c.Key)
		}
		keys[c.Key] = true
		if len(c.Headers) == 0 {
			return nil, fmt.Errorf("sheet: column %q has no header texts", c.Key)
		}
		for _, h := range c.Headers {
			f := FoldHeader(h)
			if f == "" {
				return nil, fmt.Errorf("sheet: column %q has a blank header text", c.Key)
			}
			if j, ok := cs.byText[f]; ok && j != i {
				return nil, fmt.Errorf("sheet: header %q names both column %q and column %q", h, cols[j].Key, c.Key)
			}
			cs.byText[f] = i
		}
	}
	return cs, nil
}

// source yields the rows of a sheet in order; ok is false at the end. Rows
// may be skipped (absent rows are blank).
type source interface {
	next() (r sourceRow, ok bool, err error)
}

// sourceRow is one row as a source yields it: the real 1-based row number and
// the stored and displayed text of each cell (index 0 is column A).
type sourceRow struct {
	num            int
	raw, formatted []string
}

func newCell(sheetName string, row, col int, key, raw, formatted string) Cell {
	return Cell{Sheet: sheetName, Row: row, Col: col, Ref: CellRef(col, row), Column: key, Text: cellText(raw, formatted), Formatted: formatted}
}

func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// ColumnName is the letters of a 1-based column number: 1 → "A", 28 → "AB".
func ColumnName(col int) string {
	if col < 1 {
		return ""
	}
	var buf [8]byte
	i := len(buf)
	for col > 0 {
		col--
		i--
		buf[i] = byte('A' + col%26)
		col /= 26
	}
	return string(buf[i:])
}

// CellRef is the A1 reference of a 1-based column and row: (3, 5) → "C5".
func CellRef(col, row int) string {
	return ColumnName(col) + strconv.Itoa(row)
}
