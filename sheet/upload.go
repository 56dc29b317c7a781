package sheet

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/fazhi/fazhi/filetype"
)

// ReadFile reads a spreadsheet someone uploaded: an .xlsx workbook or a CSV
// file (UTF-8 or GB18030), told apart by its content, never by its name,
// which only names a CSV file's one sheet (as Excel does when it opens the
// file). Anything else is ErrFormat, saying what the file looks like.
func ReadFile(data []byte, name string, cols []Column, opts ReadOptions) (*Table, Problems, error) {
	return scanFile(data, name, cols, opts, scanner{})
}

// scanFile is the reading of ReadFile and Scan; s says whether the header
// may have two rows and what becomes of the data rows.
func scanFile(data []byte, name string, cols []Column, opts ReadOptions, s scanner) (*Table, Problems, error) {
	if opts.MaxFileSize == 0 {
		// The caller holds the file already: its size alone is no reason
		// to refuse it.
		opts.MaxFileSize = int64(len(data)) + 1
	}
	if err := s.init(cols, opts); err != nil {
		return nil, nil, err
	}
	if err := checkSize(int64(len(data)), s.opts.MaxFileSize); err != nil {
		return nil, nil, err
	}
	mt, sniffErr := filetype.Detect(data)
	switch {
	case mt == filetype.XLSX:
		return s.scanXLSX(data)
	case bytes.HasPrefix(data, oleSignature):
		return nil, nil, errOLE
	case sniffErr == nil && mt != filetype.Text:
		return nil, nil, fmt.Errorf("%w: a file of type %s", ErrFormat, mt)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return nil, nil, fmt.Errorf("%w: %v", ErrFormat, sniffErr) // an archive, but no workbook
	}
	// UTF-8 text, or text the sniffer does not know, such as GB18030, which
	// the CSV reader decodes or refuses.
	return s.scanCSV(data, CSVSheetName(name))
}

// CSVSheetName names a CSV file's only sheet, in positions: the file's name
// without its directory and extension, at most 31 characters, as Excel names
// the sheet when it opens the file.
func CSVSheetName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSuffix(name, ".csv")
	if r := []rune(name); len(r) > 31 {
		name = string(r[:30]) + "…"
	}
	return name
}
