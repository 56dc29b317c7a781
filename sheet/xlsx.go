package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"
)

// oleSignature starts a Compound File: an Excel 97–2003 .xls, or an .xlsx
// encrypted with a password.
var oleSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// errOLE refuses a file that starts with oleSignature.
var errOLE = fmt.Errorf("%w: an Excel 97–2003 .xls or a password-protected workbook; save it as an unprotected .xlsx", ErrFormat)

// ReadXLSX reads one sheet of an .xlsx workbook: the header row is looked for
// among the first opts.HeaderSearchRows rows, and the non-blank rows below it
// become the table's rows. size is the length of the upload if known (≤ 0
// if not); a file longer than opts.MaxFileSize is refused either way.
//
// Problems are what a person can fix in the file (no header row, a required
// column missing, a duplicate header); the error is for a file refused as a
// whole: ErrFormat, ErrTooLarge, ErrTooManyRows, ErrNoSheet (wrapped), or a
// read error of r. Malformed input never panics.
func ReadXLSX(r io.Reader, size int64, cols []Column, opts ReadOptions) (*Table, Problems, error) {
	var s scanner
	data, err := s.read(r, size, cols, opts)
	if err != nil {
		return nil, nil, err
	}
	return s.scanXLSX(data)
}

// readLimited reads all of r, refusing more than limit bytes.
func readLimited(r io.Reader, size, limit int64) ([]byte, error) {
	if err := checkSize(size, limit); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if size > 0 {
		buf.Grow(int(size) + bytes.MinRead)
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("%w: the file has more than the limit of %d bytes", ErrTooLarge, limit)
	}
	return buf.Bytes(), nil
}

// checkSize refuses a file of size bytes when that is more than limit.
func checkSize(size, limit int64) error {
	if size > limit {
		return fmt.Errorf("%w: the file has %d bytes, more than the limit of %d", ErrTooLarge, size, limit)
	}
	return nil
}

// scanXLSX scans the sheet asked for of an .xlsx workbook.
func (s *scanner) scanXLSX(data []byte) (*Table, Problems, error) {
	sstSize, err := checkZip(data, s.opts)
	if err != nil {
		return nil, nil, err
	}
	f, name, src, err := openXLSX(data, sstSize, s.opts)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = f.Close() }()
	defer src.close()
	t, probs, err := s.scanSheet(recovering{src}, name)
	var ce callerError
	switch {
	case errors.As(err, &ce):
		return nil, nil, ce.err
	case err != nil && !errors.Is(err, ErrTooManyRows):
		return nil, nil, fmt.Errorf("%w: sheet %q: %v", ErrFormat, name, err)
	}
	return t, probs, err
}

// openXLSX opens the workbook and its sheet's rows. excelize is a large
// parser of untrusted XML: whatever it fails on is a damaged file, not a
// crash of the server.
func openXLSX(data []byte, sstSize uint64, opts ReadOptions) (f *excelize.File, name string, src *xlsxSource, err error) {
	defer func() {
		if p := recover(); p != nil {
			if f != nil {
				_ = f.Close()
			}
			f, name, src, err = nil, "", nil, fmt.Errorf("%w: damaged .xlsx file (%v)", ErrFormat, p)
		}
	}()
	f, err = excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    opts.UnzipSizeLimit,
		UnzipXMLSizeLimit: opts.UnzipXMLSizeLimit,
		TmpDir:            opts.TmpDir,
		// Dates in the built-in short date format display as on Chinese
		// Windows ("2021/12/31"), not in excelize's default "mm-dd-yy".
		ShortDatePattern: "yyyy/m/d",
		CultureInfo:      excelize.CultureNameZhCN,
	})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		if strings.Contains(err.Error(), "unzip size") {
			return nil, "", nil, fmt.Errorf("%w: %v", ErrTooLarge, err)
		}
		return nil, "", nil, fmt.Errorf("%w: not an .xlsx workbook (%v)", ErrFormat, err)
	}
	if name, err = pickSheet(f, opts.Sheet); err == nil {
		src, err = newXLSXSource(f, name, !readSequentially && sstSize <= uint64(opts.UnzipXMLSizeLimit))
		if err != nil {
			err = fmt.Errorf("%w: sheet %q: %v", ErrFormat, name, err)
		}
	}
	if err != nil {
		_ = f.Close()
		return nil, "", nil, err
	}
	return f, name, src, nil
}

// recovering turns a panic of excelize's while it reads a row into an
// error; Scan's fn runs outside it, so that a panic of the caller's stays
// the caller's.
type recovering struct{ src source }

func (r recovering) next() (row sourceRow, ok bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			row, ok, err = sourceRow{}, false, fmt.Errorf("damaged worksheet (%v)", p)
		}
	}()
	return r.src.next()
}

// checkZip looks at the archive before excelize does, to name what the file
// is when it is not a workbook, to refuse zip bombs by the sizes the archive
// declares (archive/zip fails a member that inflates beyond its declared
// size, so the declared sizes bound what is unzipped) and to refuse damaged
// archives.
func checkZip(data []byte, opts ReadOptions) (sstSize uint64, err error) {
	if bytes.HasPrefix(data, oleSignature) {
		return 0, errOLE
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0, fmt.Errorf("%w: not an .xlsx workbook (%v)", ErrFormat, err)
	}
	var total uint64
	workbook := false
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if zf.UncompressedSize64 > uint64(opts.UnzipSizeLimit) || total > uint64(opts.UnzipSizeLimit) {
			return 0, fmt.Errorf("%w: unzips to more than %d bytes", ErrTooLarge, opts.UnzipSizeLimit)
		}
		switch {
		case strings.EqualFold(zf.Name, "xl/workbook.xml"):
			workbook = true
		case strings.EqualFold(zf.Name, "xl/sharedStrings.xml"):
			sstSize = max(sstSize, zf.UncompressedSize64)
		}
	}
	if !workbook {
		return 0, fmt.Errorf("%w: a zip archive but not an .xlsx workbook (no xl/workbook.xml)", ErrFormat)
	}
	// excelize ignores a member's read error (a checksum mismatch, data
	// beyond the declared size) and goes on with what it got, which would
	// silently drop the rest of a sheet. Inflate every member once, within
	// the limits checked above, to refuse damaged archives.
	for _, zf := range zr.File {
		if err := checkMember(zf); errors.Is(err, ErrTooLarge) {
			return 0, fmt.Errorf("%w (%s)", err, zf.Name)
		} else if err != nil {
			return 0, fmt.Errorf("%w: damaged .xlsx file: %s: %v", ErrFormat, zf.Name, err)
		}
	}
	return sstSize, nil
}

func checkMember(zf *zip.File) error {
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	var w io.Writer = io.Discard
	if strings.HasSuffix(strings.ToLower(zf.Name), ".xml") {
		w = &textRuns{}
	}
	_, err = io.Copy(w, rc)
	return err
}

// MaxCellText is the most characters a cell holds in Excel.
const MaxCellText = 32767

// maxTextRun bounds the bytes of XML text between two tags: a cell's text
// of MaxCellText characters at 8 bytes each at most (Excel writes a control
// character as "_x000D_", 7 bytes; a character in UTF-8 is 4 at most).
const maxTextRun = MaxCellText * 8

// errTextTooLong refuses a workbook holding a text longer than a cell can.
var errTextTooLong = fmt.Errorf("%w: the file holds a text longer than Excel's limit of %d characters a cell", ErrTooLarge, MaxCellText)

// textRuns measures the runs of text between the tags of an XML part as it
// streams through, and fails on one longer than any cell holds: excelize
// reads a shared string whole into memory, so one made of hundreds of
// megabytes (it compresses to a few kilobytes) must be refused before it.
type textRuns struct{ run int }

func (t *textRuns) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0; {
		i := bytes.IndexByte(rest, '<')
		if i < 0 {
			t.run += len(rest)
			break
		}
		if t.run+i > maxTextRun {
			return 0, errTextTooLong
		}
		t.run, rest = 0, rest[i+1:]
	}
	if t.run > maxTextRun {
		return 0, errTextTooLong
	}
	return len(p), nil
}

// pickSheet returns the sheet asked for (exactly, or failing that with
// FoldHeader's leniency), or the first sheet.
func pickSheet(f *excelize.File, want string) (string, error) {
	list := f.GetSheetList()
	if len(list) == 0 {
		return "", fmt.Errorf("%w: the workbook has no sheets", ErrNoSheet)
	}
	if want == "" {
		return list[0], nil
	}
	for _, name := range list {
		if name == want {
			return name, nil
		}
	}
	for _, name := range list {
		if FoldHeader(name) == FoldHeader(want) {
			return name, nil
		}
	}
	return "", fmt.Errorf("%w: %q (the workbook has %s)", ErrNoSheet, want, strings.Join(quoteAll(list), ", "))
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// readSequentially turns the concurrent displayed pass off (for tests).
var readSequentially bool

// xlsxSource streams a worksheet twice in step, because an excelize row
// iterator gives each row once, either as stored or as displayed: one
// iterator reads the stored values, the other the displayed ones. Parsing is
// most of the cost of reading, so when it is safe the displayed pass runs in
// a goroutine of its own.
type xlsxSource struct {
	raw, shown *excelize.Rows
	row        int

	// Set when the displayed pass runs concurrently.
	rows chan shownRow
	done chan struct{}
	wg   sync.WaitGroup
}

type shownRow struct {
	cells []string
	ok    bool
	err   error
}

// newXLSXSource opens both passes over the sheet. concurrent says whether
// the second pass may run in a goroutine: excelize's readers of the shared
// strings and styles are safe for concurrent use once loaded, except its
// lazily built index of shared strings spilled to a temporary file.
func newXLSXSource(f *excelize.File, name string, concurrent bool) (*xlsxSource, error) {
	raw, err := f.Rows(name)
	if err != nil {
		return nil, err
	}
	shown, err := f.Rows(name)
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	s := &xlsxSource{raw: raw, shown: shown}
	if concurrent {
		s.rows = make(chan shownRow, 512)
		s.done = make(chan struct{})
		s.wg.Add(1)
		go s.readShown()
	}
	return s, nil
}

// readShown runs the displayed pass into s.rows until the end of the sheet,
// an error, or close.
func (s *xlsxSource) readShown() {
	defer s.wg.Done()
	defer close(s.rows)
	send := func(r shownRow) bool {
		select {
		case s.rows <- r:
			return true
		case <-s.done:
			return false
		}
	}
	defer func() {
		if p := recover(); p != nil {
			send(shownRow{err: fmt.Errorf("damaged worksheet (%v)", p)})
		}
	}()
	for {
		if !s.shown.Next() {
			send(shownRow{err: s.shown.Error()})
			return
		}
		cells, err := s.shown.Columns()
		if !send(shownRow{cells: cells, ok: true, err: err}) || err != nil {
			return
		}
	}
}

func (s *xlsxSource) nextShown() (bool, []string, error) {
	if s.rows == nil {
		if !s.shown.Next() {
			return false, nil, s.shown.Error()
		}
		cells, err := s.shown.Columns()
		return true, cells, err
	}
	r, ok := <-s.rows
	if !ok {
		return false, nil, errors.New("displayed pass ended early")
	}
	return r.ok, r.cells, r.err
}

func (s *xlsxSource) next() (sourceRow, bool, error) {
	for {
		okRaw := s.raw.Next()
		if !okRaw {
			return sourceRow{}, false, s.raw.Error()
		}
		s.row++
		raw, err := s.raw.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return sourceRow{}, false, err
		}
		okShown, shown, err := s.nextShown()
		if err != nil {
			return sourceRow{}, false, err
		}
		if !okShown {
			return sourceRow{}, false, errors.New("the two passes over the sheet disagree")
		}
		if len(raw) == 0 && len(shown) == 0 {
			continue // an absent or empty row
		}
		// Equal lengths, so that cells line up by index.
		for len(shown) < len(raw) {
			shown = append(shown, "")
		}
		for len(raw) < len(shown) {
			raw = append(raw, "")
		}
		return sourceRow{num: s.row, raw: raw, formatted: shown}, true, nil
	}
}

// close stops the displayed pass and waits for it, so that the file can be
// closed.
func (s *xlsxSource) close() {
	if s.done != nil {
		close(s.done)
		s.wg.Wait()
	}
	_ = s.raw.Close()
	_ = s.shown.Close()
}
