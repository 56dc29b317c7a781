package sheet

// Streaming: reading a sheet row by row without collecting a Table, with a
// header of one or two rows, and writing workbooks and CSV files row by row
// from an iterator, with rows above the header and cells styled one by one.
// The simple forms, for tables held whole, are built on these: ReadFile,
// ReadXLSX and ReadCSV collect the rows of a scan with a one-row header,
// WriteXLSX and WriteCSV write through XLSXWriter and CSVWriter.

import (
	"archive/zip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Scan reads a spreadsheet as ReadFile does (an .xlsx workbook or a CSV file,
// told apart by content), but hands each data row to fn as soon as it is
// read instead of collecting the rows in a Table: what a row holds is
// garbage once fn returns, so memory does not grow with the rows (the file's
// bytes and the workbook's shared strings are held throughout). The Table
// returned has the header and no Rows. An error from fn stops the reading
// and is returned as it is.
//
// Scan also reads the two-row headers that printed lists have: group cells
// merged across the columns they head ("法律依据" over "违法依据" and "处罚依据")
// above those columns' own headers, and the other headers merged down both
// rows. The row right below a header row is taken as the header's second row
// when most of its cells are header texts; a text in the second row names
// the column it stands in, even when the group cell above it names a column
// too. Table.HeaderRow is then the second row, and each header cell keeps
// its own position.
func Scan(data []byte, name string, cols []Column, opts ReadOptions, fn func(Row) error) (*Table, Problems, error) {
	if fn == nil {
		return nil, nil, errors.New("sheet: Scan needs a function to call")
	}
	return scanFile(data, name, cols, opts, scanner{twoRows: true, fn: fn})
}

// scanner is one reading of a sheet, shared by Scan and the readers that
// return a whole Table.
type scanner struct {
	cs   *columnSet
	opts ReadOptions // with defaults
	// twoRows lets the header have a second row, as Scan reads it. The
	// Table readers keep to one header row, as they always have: a row of
	// headers below theirs is data to them.
	twoRows bool
	// fn is handed each data row; nil collects the rows in Table.Rows.
	fn func(Row) error
}

// init compiles the columns and fills in the options' defaults.
func (s *scanner) init(cols []Column, opts ReadOptions) error {
	cs, err := compileColumns(cols)
	if err != nil {
		return err
	}
	s.cs, s.opts = cs, opts.withDefaults()
	return nil
}

// read is init, then all of r within the size limit, for the readers of an
// io.Reader; size is the length of r if known (≤ 0 if not).
func (s *scanner) read(r io.Reader, size int64, cols []Column, opts ReadOptions) ([]byte, error) {
	if err := s.init(cols, opts); err != nil {
		return nil, err
	}
	return readLimited(r, size, s.opts.MaxFileSize)
}

// callerError carries an error of Scan's fn through the reading, so that it
// is returned as it is rather than as a damaged file.
type callerError struct{ err error }

func (e callerError) Error() string { return e.err.Error() }

func unwrapCaller(err error) error {
	var ce callerError
	if errors.As(err, &ce) {
		return ce.err
	}
	return err
}

// headerCandidate is a row, or two rows, that may be the header: the keys
// its texts name and where.
type headerCandidate struct {
	rows    []sourceRow
	found   []bool // by index in the column set
	matched int
}

// matchRows maps the header texts of rows (a header row, or a header's two
// rows) to columns: a text of the second row names the column it stands
// in, taking it from a group text above it. With problems for headers given
// twice when asked.
func matchRows(sheetName string, cs *columnSet, rows []sourceRow, withProblems bool) (keyCols []int, headers map[string]Cell, probs Problems) {
	keyCols = make([]int, len(cs.cols)) // index in cs.cols → 1-based column, 0 if absent
	headers = map[string]Cell{}
	width := 0
	for _, r := range rows {
		width = max(width, len(r.raw))
	}
	at := make([]int, width) // 0-based column → index in cs.cols + 1, 0 if none
	cellAt := make([]Cell, width)
	for _, r := range rows {
		for j, text := range r.raw {
			i, ok := cs.byText[FoldHeader(text)]
			if !ok {
				continue
			}
			c := newCell(sheetName, r.num, j+1, cs.cols[i].Key, r.raw[j], r.formatted[j])
			if at[j] != 0 && at[j]-1 != i {
				// A group text above names another column: this one wins.
				keyCols[at[j]-1] = 0
			}
			if keyCols[i] != 0 && keyCols[i] != j+1 {
				if withProblems {
					first := cellAt[keyCols[i]-1]
					probs = append(probs, c.Problem("duplicate header %q: column %q is already at %s", strings.TrimSpace(text), cs.cols[i].Key, first.Ref))
				}
				continue
			}
			at[j], cellAt[j], keyCols[i] = i+1, c, j+1
		}
	}
	for i, col := range keyCols {
		if col != 0 {
			headers[cs.cols[i].Key] = cellAt[col-1]
		}
	}
	return keyCols, headers, probs
}

// headerSearch looks for the header among the first rows of a sheet, and
// then makes the data rows below it.
type headerSearch struct {
	cs      *columnSet
	sheet   string
	twoRows bool // whether the header may have a second row

	rows    []sourceRow // the header's rows, once found
	keyCols []int       // index in cs.cols → 1-based column, 0 if absent
	headers map[string]Cell
	probs   Problems // headers given twice

	top    *sourceRow      // the last row that named some columns, not all
	best   headerCandidate // the closest to a header so far
	maybe2 bool            // the header is one row so far: the next may be its second
}

func (h *headerSearch) found() bool { return h.rows != nil }

// look takes r as the header, or as the second row of a header whose first
// row is the one above, when it names every required column.
func (h *headerSearch) look(r sourceRow) {
	if h.twoRows && h.top != nil && h.top.num == r.num-1 && subHeader(h.cs, r) {
		if c := h.candidate(*h.top, r); c.complete(h.cs) {
			h.set(*h.top, r)
			return
		} else if c.matched > h.best.matched {
			h.best = c
		}
	}
	c := h.candidate(r)
	switch {
	case c.matched == 0:
		h.top = nil
	case c.complete(h.cs):
		h.set(r)
		h.maybe2 = h.twoRows
	default:
		if c.matched > h.best.matched {
			h.best = c
		}
		h.top = &r
	}
}

// second reports whether r, the row right below a one-row header, is the
// header's second row: it names more columns with the first than the
// first does alone.
func (h *headerSearch) second(r sourceRow) bool {
	if !h.maybe2 {
		return false
	}
	h.maybe2 = false
	first := h.rows[0]
	if r.num != first.num+1 || !subHeader(h.cs, r) {
		return false
	}
	if c := h.candidate(first, r); !c.complete(h.cs) || c.matched <= h.candidate(first).matched {
		return false
	}
	h.set(first, r)
	return true
}

func (h *headerSearch) set(rows ...sourceRow) {
	h.rows = rows
	h.keyCols, h.headers, h.probs = matchRows(h.sheet, h.cs, rows, true)
}

func (h *headerSearch) candidate(rows ...sourceRow) headerCandidate {
	keyCols, _, _ := matchRows(h.sheet, h.cs, rows, false)
	c := headerCandidate{rows: rows, found: make([]bool, len(h.cs.cols))}
	for i, col := range keyCols {
		if col != 0 {
			c.found[i] = true
			c.matched++
		}
	}
	return c
}

// dataRow is r as a data row: a cell for each column the header names.
func (h *headerSearch) dataRow(r sourceRow) Row {
	row := Row{Sheet: h.sheet, Number: r.num, Cells: make(map[string]Cell, len(h.headers))}
	for i, col := range h.keyCols {
		if col == 0 {
			continue
		}
		var raw, shown string
		if col <= len(r.raw) {
			raw, shown = r.raw[col-1], r.formatted[col-1]
		}
		key := h.cs.cols[i].Key
		row.Cells[key] = newCell(h.sheet, r.num, col, key, raw, shown)
	}
	return row
}

// missing is what is wrong with a sheet whose header was not found: the
// required columns that the closest row did not name, at that row.
func (h *headerSearch) missing(searchRows int) Problems {
	bestRow := 0
	if h.best.matched > 0 {
		bestRow = h.best.rows[0].num
	}
	var probs Problems
	for i, c := range h.cs.cols {
		if !c.Required || (h.best.found != nil && h.best.found[i]) {
			continue
		}
		msg := fmt.Sprintf("required column %q not found in a header row within the first %d rows", c.Headers[0], searchRows)
		if bestRow > 0 {
			msg = fmt.Sprintf("required column %q is missing from the header row", c.Headers[0])
		}
		probs = append(probs, Problem{Sheet: h.sheet, Row: bestRow, Column: c.Key, Message: msg})
	}
	return probs
}

func (c headerCandidate) complete(cs *columnSet) bool {
	for i, col := range cs.cols {
		if col.Required && !c.found[i] {
			return false
		}
	}
	return c.matched > 0
}

// subHeader reports whether r can be a header's second row: most of its
// texts are headers.
func subHeader(cs *columnSet, r sourceRow) bool {
	matched, filled := 0, 0
	for _, text := range r.raw {
		if strings.TrimSpace(text) == "" {
			continue
		}
		filled++
		if _, ok := cs.byText[FoldHeader(text)]; ok {
			matched++
		}
	}
	return matched > 0 && 2*matched >= filled
}

// scanSheet finds the header among the first rows of src and hands the
// data rows below it to s.fn.
func (s *scanner) scanSheet(src source, sheetName string) (*Table, Problems, error) {
	t := &Table{Sheet: sheetName, Headers: map[string]Cell{}}
	emit := s.fn
	if emit == nil {
		emit = func(r Row) error {
			t.Rows = append(t.Rows, r)
			return nil
		}
	}
	h := &headerSearch{cs: s.cs, sheet: sheetName, twoRows: s.twoRows}
	rows := 0
	for {
		r, ok, err := src.next()
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			break
		}
		if !h.found() {
			if r.num > s.opts.HeaderSearchRows {
				break
			}
			h.look(r)
			continue
		}
		if h.second(r) || blankRow(r.raw) {
			continue
		}
		if rows >= s.opts.MaxRows {
			return nil, nil, fmt.Errorf("%w: more than %d data rows (row %d)", ErrTooManyRows, s.opts.MaxRows, r.num)
		}
		rows++
		if err := emit(h.dataRow(r)); err != nil {
			return nil, nil, callerError{err}
		}
	}
	probs := h.probs
	if h.found() {
		t.HeaderRow, t.Headers = h.rows[len(h.rows)-1].num, h.headers
	} else {
		probs = h.missing(s.opts.HeaderSearchRows)
	}
	probs.Sort()
	return t, probs, nil
}

// XLSXWriter writes a workbook sheet by sheet and row by row through
// excelize's StreamWriter, for exports that are not held whole: rows go to
// temporary files beyond a few megabytes, not to memory, and may come from
// an iterator over the database. Beside what WriteXLSX writes it puts rows
// of its caller's above the header (a document number, counts) and styles
// cells one by one (a comparison's highlights), with notes.
//
// Sheets are written one at a time, in order: AddSheet ends the previous
// one. WriteTo ends the last and writes the workbook; Close removes the
// temporary files, and is needed only when WriteTo was not called.
type XLSXWriter struct {
	f        *excelize.File
	st       styles
	subtitle int // the style of subtitles, 0 until one is written
	names    map[string]bool
	cur      *SheetWriter
	done     bool
}

// SheetSpec describes a sheet of an XLSXWriter.
type SheetSpec struct {
	// Name of the sheet: at most 31 characters, none of : \ / ? * [ ].
	Name    string
	Columns []OutColumn
	// ColumnStyles, if not nil, gives each column a style of the writer's
	// (0: none), for the column's cells and those a person adds, e.g.
	// wrapped text. A Text column's style replaces the text format: give it
	// NumFmt 49 too.
	ColumnStyles []int
	// Title, if not empty, is the first row, merged across the columns,
	// bold and large.
	Title string
	// Subtitles are rows below the title, merged across the columns,
	// centred (a document number, the versions compared).
	Subtitles []string
	// Above are rows below those, cell by cell, before the header row.
	Above [][]OutCell
}

// OutCell is a cell written with a style and a note of its own.
type OutCell struct {
	Text string
	// Style is a style of the writer's (XLSXWriter.NewStyle); 0 keeps the
	// column's.
	Style int
	// Note, if not empty, is shown when the pointer rests on the cell (an
	// Excel comment), e.g. the value before a change. Notes are held in
	// memory, and excelize takes time linear in the notes already added to
	// add one: keep them to a few thousand.
	Note string
}

// NewXLSXWriter starts a workbook.
func NewXLSXWriter() (*XLSXWriter, error) {
	f := excelize.NewFile()
	st, err := newStyles(f)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return &XLSXWriter{f: f, st: st, names: map[string]bool{}}, nil
}

// subtitleStyle is the style of subtitles, registered with the first, so
// that a workbook without them (WriteXLSX's) has no style it does not use.
func (x *XLSXWriter) subtitleStyle() (int, error) {
	if x.subtitle == 0 {
		id, err := x.f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
		if err != nil {
			return 0, err
		}
		x.subtitle = id
	}
	return x.subtitle, nil
}

// NewStyle registers a cell style for SheetSpec.ColumnStyles and
// OutCell.Style.
func (x *XLSXWriter) NewStyle(s *excelize.Style) (int, error) {
	return x.f.NewStyle(s)
}

// SheetWriter writes the data rows of one sheet, below its header.
type SheetWriter struct {
	x      *XLSXWriter
	name   string
	sw     *excelize.StreamWriter
	cols   []OutColumn
	styles []int // per column: the style of its cells, 0 for none
	row    int   // the last row written
	values []any
	ended  bool
}

// AddSheet ends the sheet being written, if any, and starts the next: its
// column widths and styles, the rows above the header, and the header row
// in bold with a fill, frozen so that it stays in view.
func (x *XLSXWriter) AddSheet(spec SheetSpec) (*SheetWriter, error) {
	if x.done {
		return nil, errors.New("sheet: the workbook is written already")
	}
	if err := x.endSheet(); err != nil {
		return nil, err
	}
	n := len(spec.Columns)
	if n == 0 {
		return nil, fmt.Errorf("sheet: sheet %q has no columns", spec.Name)
	}
	if spec.ColumnStyles != nil && len(spec.ColumnStyles) != n {
		return nil, fmt.Errorf("sheet: sheet %q has %d column styles for %d columns", spec.Name, len(spec.ColumnStyles), n)
	}
	name := spec.Name
	if name == "" {
		name = "Sheet" + strconv.Itoa(len(x.names)+1)
	}
	if x.names[strings.ToLower(name)] {
		return nil, fmt.Errorf("sheet: sheet name %q given twice", name)
	}
	var err error
	if len(x.names) == 0 {
		err = x.f.SetSheetName(x.f.GetSheetName(0), name)
	} else {
		_, err = x.f.NewSheet(name)
	}
	if err != nil {
		return nil, fmt.Errorf("sheet: sheet name %q: %w", name, err)
	}
	x.names[strings.ToLower(name)] = true
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("sheet: sheet %q: %w", name, err)
	}
	s := &SheetWriter{x: x, name: name, sw: sw, cols: spec.Columns, styles: make([]int, n), values: make([]any, n)}
	if err := s.begin(spec); err != nil {
		return nil, fmt.Errorf("sheet: sheet %q: %w", name, err)
	}
	x.cur = s
	return s, nil
}

// begin writes what comes before the data rows.
func (s *SheetWriter) begin(spec SheetSpec) error {
	// Column settings and panes come before the first row.
	if err := s.setColumns(spec.ColumnStyles); err != nil {
		return err
	}
	headerRow := len(spec.Subtitles) + len(spec.Above) + 1
	if spec.Title != "" {
		headerRow++
	}
	if err := s.freeze(headerRow); err != nil {
		return err
	}
	if err := s.writeAbove(spec); err != nil {
		return err
	}
	return s.writeHeader()
}

// setColumns sets the columns' widths and styles: styles[i] if not 0, else
// text for a Text column.
func (s *SheetWriter) setColumns(styles []int) error {
	for i, c := range s.cols {
		width := c.Width
		if width <= 0 {
			width = defaultWidth(c.Header)
		}
		if err := s.sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
		switch {
		case styles != nil && styles[i] != 0:
			s.styles[i] = styles[i]
		case c.Text:
			s.styles[i] = s.x.st.text
		}
		if s.styles[i] != 0 {
			if err := s.sw.SetColStyle(i+1, i+1, s.styles[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// freeze keeps the rows down to headerRow in view.
func (s *SheetWriter) freeze(headerRow int) error {
	first := CellRef(1, headerRow+1)
	return s.sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: headerRow, TopLeftCell: first, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: first, ActiveCell: first, Pane: "bottomLeft"}},
	})
}

// writeAbove writes the rows above the header: the title, the subtitles and
// the caller's rows.
func (s *SheetWriter) writeAbove(spec SheetSpec) error {
	if spec.Title != "" {
		if err := s.writeMerged(spec.Title, s.x.st.title, 28); err != nil {
			return fmt.Errorf("title: %w", err)
		}
	}
	for i, text := range spec.Subtitles {
		style, err := s.x.subtitleStyle()
		if err != nil {
			return err
		}
		if err := s.writeMerged(text, style, 20); err != nil {
			return fmt.Errorf("subtitle %d: %w", i+1, err)
		}
	}
	for _, cells := range spec.Above {
		if err := s.writeCells(cells); err != nil {
			return err
		}
	}
	return nil
}

// writeMerged writes a row of one text merged across the columns.
func (s *SheetWriter) writeMerged(text string, style int, height float64) error {
	if err := checkCellText(text); err != nil {
		return err
	}
	s.row++
	from, to := CellRef(1, s.row), CellRef(len(s.cols), s.row)
	if err := s.sw.SetRow(from, []any{excelize.Cell{StyleID: style, Value: text}}, excelize.RowOpts{Height: height}); err != nil {
		return err
	}
	if len(s.cols) == 1 {
		return nil
	}
	return s.sw.MergeCell(from, to)
}

// writeHeader writes the header row, bold with a fill.
func (s *SheetWriter) writeHeader() error {
	values := make([]any, len(s.cols))
	for i, c := range s.cols {
		if err := checkCellText(c.Header); err != nil {
			return fmt.Errorf("header of column %q: %w", c.Key, err)
		}
		values[i] = excelize.Cell{StyleID: s.x.st.header, Value: c.Header}
	}
	s.row++
	return s.sw.SetRow(CellRef(1, s.row), values)
}

// Name is the sheet's name.
func (s *SheetWriter) Name() string { return s.name }

// Row is the number of the last row written, as Excel shows it.
func (s *SheetWriter) Row() int { return s.row }

// Write writes the next row, one text per column ("" leaves the cell
// empty; a row may be shorter than the columns), as WriteXLSX does: Text
// columns as text, plain decimals of Number columns as numbers.
func (s *SheetWriter) Write(row []string) error {
	return s.named(s.write(row))
}

// WriteCells writes the next row with cells styled and annotated one by
// one.
func (s *SheetWriter) WriteCells(row []OutCell) error {
	return s.named(s.writeCells(row))
}

// named puts the sheet's name in an error of a row's.
func (s *SheetWriter) named(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sheet: sheet %q: %w", s.name, err)
}

func (s *SheetWriter) write(row []string) error {
	if err := s.writable(len(row)); err != nil {
		return err
	}
	clear(s.values)
	for i, text := range row {
		v, err := s.value(i, text, 0)
		if err != nil {
			return err
		}
		s.values[i] = v
	}
	return s.sw.SetRow(CellRef(1, s.row), s.values)
}

func (s *SheetWriter) writeCells(row []OutCell) error {
	if err := s.writable(len(row)); err != nil {
		return err
	}
	clear(s.values)
	for i, c := range row {
		v, err := s.value(i, c.Text, c.Style)
		if err != nil {
			return err
		}
		s.values[i] = v
		if err := s.note(i, c.Note); err != nil {
			return err
		}
	}
	return s.sw.SetRow(CellRef(1, s.row), s.values)
}

// note puts text, if any, as the note of the cell in column i of the row.
func (s *SheetWriter) note(i int, text string) error {
	if text == "" {
		return nil
	}
	ref := CellRef(i+1, s.row)
	if err := checkCellText(text); err != nil {
		return fmt.Errorf("note of cell %s: %w", ref, err)
	}
	return s.x.f.AddComment(s.name, excelize.Comment{Cell: ref, Paragraph: []excelize.RichTextRun{{Text: text}}})
}

func (s *SheetWriter) writable(cells int) error {
	if s.ended {
		return errors.New("ended: rows go to the sheet added last")
	}
	s.row++
	if cells > len(s.cols) {
		return fmt.Errorf("row %d has %d cells for %d columns", s.row, cells, len(s.cols))
	}
	return nil
}

// value is what excelize writes for text in column i, with style (0: the
// column's). An empty cell of the column's style is not written at all:
// the column's style shows in the cells that are not there.
func (s *SheetWriter) value(i int, text string, style int) (any, error) {
	if text == "" && style == 0 {
		return nil, nil
	}
	if err := checkCellText(text); err != nil {
		return nil, fmt.Errorf("cell %s: %w", CellRef(i+1, s.row), err)
	}
	if style == 0 {
		style = s.styles[i]
	}
	c := s.cols[i]
	var v any = text
	switch {
	case text == "":
		v = nil
	case c.Number && !c.Text:
		if f, ok := writableNumber(text); ok {
			v = f
		}
	}
	if style == 0 {
		return v, nil
	}
	return excelize.Cell{StyleID: style, Value: v}, nil
}

func (x *XLSXWriter) endSheet() error {
	if x.cur == nil || x.cur.ended {
		return nil
	}
	x.cur.ended = true
	if err := x.cur.sw.Flush(); err != nil {
		return fmt.Errorf("sheet: sheet %q: %w", x.cur.name, err)
	}
	return nil
}

// WriteTo ends the last sheet and writes the workbook to w, its first sheet
// active. The writer is closed afterwards.
func (x *XLSXWriter) WriteTo(w io.Writer) (int64, error) {
	if x.done {
		return 0, errors.New("sheet: the workbook is written already")
	}
	defer func() { _ = x.Close() }()
	if len(x.names) == 0 {
		return 0, errors.New("sheet: no sheets to write")
	}
	if err := x.endSheet(); err != nil {
		return 0, err
	}
	// The first sheet is the new file's, active already. SetActiveSheet
	// would parse every streamed sheet back into memory (excelize reads a
	// worksheet to mark its tab) and write it out again from there.
	//
	// excelize's WriteTo assembles the whole file in a buffer before it
	// writes any of it (84 MiB for a million rows of twelve columns): its zip
	// writer, pointed at w instead, streams the file as it is compressed,
	// and the buffer stays empty. (The buffer is also where excelize marks
	// the entries of a file over 4 GiB as zip64 for Excel: exports are far
	// below that, and Go's zip writer writes zip64 records itself.)
	cw := &countingWriter{w: w}
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(cw) })
	if _, err := x.f.WriteTo(io.Discard); err != nil {
		return cw.n, fmt.Errorf("sheet: writing workbook: %w", err)
	}
	return cw.n, nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Close releases the temporary files of a workbook not written.
func (x *XLSXWriter) Close() error {
	if x.done {
		return nil
	}
	x.done = true
	return x.f.Close()
}

// CSVWriter writes a CSV file row by row, as WriteCSV writes a whole one:
// UTF-8 with a byte order mark, CRLF line ends, texts Excel would run as
// formulas escaped.
type CSVWriter struct {
	cw   *csv.Writer
	rec  []string
	rows int
}

// NewCSVWriter writes the byte order mark and the header line.
func NewCSVWriter(w io.Writer, cols []OutColumn) (*CSVWriter, error) {
	if len(cols) == 0 {
		return nil, errors.New("sheet: no columns to write")
	}
	if _, err := w.Write(utf8BOM); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	c := &CSVWriter{cw: cw, rec: make([]string, len(cols))}
	for i, col := range cols {
		c.rec[i] = escapeFormula(col.Header)
	}
	if err := cw.Write(c.rec); err != nil {
		return nil, err
	}
	return c, nil
}

// Write writes the next row, one text per column (a row may be shorter
// than the columns).
func (c *CSVWriter) Write(row []string) error {
	c.rows++
	if len(row) > len(c.rec) {
		return fmt.Errorf("sheet: row %d has %d cells for %d columns", c.rows, len(row), len(c.rec))
	}
	clear(c.rec)
	for i, f := range row {
		c.rec[i] = escapeFormula(f)
	}
	return c.cw.Write(c.rec)
}

// Flush writes what is buffered and reports any error of the writes.
func (c *CSVWriter) Flush() error {
	c.cw.Flush()
	return c.cw.Error()
}
