package sheet

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/fazhi/fazhi/filetype"
)

// oleMagic starts the old binary .xls workbooks (and encrypted .xlsx ones).
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// ReadFile reads a spreadsheet someone uploaded: an .xlsx workbook or a CSV
// file (UTF-8 or GB18030), told apart by its content, never by its name,
// which only names a CSV file's one sheet (as Excel does when it opens the
// file). Anything else is ErrFormat, saying what the file looks like.
func ReadFile(data []byte, name string, cols []Column, opts ReadOptions) (*Table, Problems, error) {
	if opts.MaxFileSize == 0 {
		opts.MaxFileSize = int64(len(data)) + 1
	}
	mt, sniffErr := filetype.Detect(data)
	switch {
	case mt == filetype.XLSX:
		return ReadXLSX(bytes.NewReader(data), int64(len(data)), cols, opts)
	case bytes.HasPrefix(data, oleMagic):
		return nil, nil, fmt.Errorf("%w: an old .xls workbook or an encrypted one; save it as .xlsx without a password", ErrFormat)
	case sniffErr == nil && mt != filetype.Text:
		return nil, nil, fmt.Errorf("%w: a file of type %s", ErrFormat, mt)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return nil, nil, fmt.Errorf("%w: %v", ErrFormat, sniffErr) // an archive, but no workbook
	}
	// UTF-8 text, or text the sniffer does not know, such as GB18030, which
	// the CSV reader decodes or refuses.
	opts.Sheet = CSVSheetName(name)
	return ReadCSV(bytes.NewReader(data), cols, opts)
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
