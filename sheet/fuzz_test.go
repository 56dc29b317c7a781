package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"math/big"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Fuzz targets of the readers of uploaded spreadsheets, beside FuzzReadXLSX
// and FuzzReadCSV (sheet_test.go). Their committed seeds are in
// testdata/fuzz/<target>/; `go test` runs them as ordinary tests, .ci/fuzz
// runs each for a while.

// fuzzColumns are the columns the fuzz targets look for: two required, one
// not, with traditional, simplified and English headers.
var fuzzColumns = []Column{
	{Key: "code", Headers: []string{"單位代碼", "unit code"}, Required: true},
	{Key: "value", Headers: []string{"數值", "填報值", "value"}, Required: true},
	{Key: "note", Headers: []string{"說明", "note"}},
}

// fuzzOptions are small limits, so that the fuzzer reaches them.
var fuzzOptions = ReadOptions{HeaderSearchRows: 4, MaxRows: 5, MaxFileSize: 1 << 20, UnzipSizeLimit: 8 << 20, UnzipXMLSizeLimit: 4 << 20}

// sheetSeeds are files as units upload them, and near misses.
func sheetSeeds(f *testing.F) [][]byte {
	seeds := [][]byte{
		[]byte("盤錦市指標填報表,,\n單位代碼,數值,說明\n\n211100-001,58.10%,\"多行\n說明\"\n211100-002,12a,\"他說\"\"好\"\"\"\n,,\n211100-003,'=1+1,x\n"),
		[]byte("\uFEFF單位代碼,數值\r\n1,2\r\n"),
		[]byte("单位代码,填报值,说明\n211100-001,1\n211100-002,2,\"未闭合\n211100-003,3\n"),
		[]byte("unit code,value\n1,2\n3,4\n5,6\n7,8\n9,10\n11,12\n"),
		[]byte("\"a\n\n\"b,\n"),
		[]byte("\xff\xfea\x00"),
		[]byte("\xb5\xa5\xce\xbb\xb4\xfa\xc2\xeb,\xca\xfd\xd6\xb5\n1,2\n"), // GB18030
		[]byte("PK\x03\x04"),
		[]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"),
		{},
	}
	if b, err := os.ReadFile("testdata/real-shaped.xlsx"); err == nil {
		seeds = append(seeds, b)
	} else {
		f.Fatal(err)
	}
	return append(seeds, realShapedWorkbook(f))
}

// FuzzReadFile: ReadFile and Scan, given any bytes under any name, return
// an error that says why the file is refused (ErrFormat, ErrTooLarge,
// ErrTooManyRows or ErrNoSheet: the uploader's doing, never another error
// or a panic) and nothing else; or a table, with problems when the header
// was not found, and never more rows than MaxRows. Each row and cell is
// where it says it is: below the header, in order, in the header's column.
func FuzzReadFile(f *testing.F) {
	for _, data := range sheetSeeds(f) {
		for _, name := range []string{"填报.csv", "upload.xlsx"} {
			f.Add(data, name)
		}
	}
	f.Add([]byte("單位代碼,數值\n1,2\n"), `C:\Users\填报\2021年第三季度各单位法治政府建设主要指标填报表（盘锦市司法局）.csv`)
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		sheetName := CSVSheetName(name)
		if strings.ContainsAny(sheetName, `/\`) || utf8.RuneCountInString(sheetName) > 31 {
			t.Fatalf("CSVSheetName(%q) = %q: a path, or longer than 31 characters", name, sheetName)
		}

		tab, probs, err := ReadFile(data, name, fuzzColumns, fuzzOptions)
		var rows []Row
		if tab != nil {
			rows = tab.Rows
		}
		checkRead(t, "ReadFile", data, name, tab, rows, probs, err)

		rows = nil
		stab, sprobs, serr := Scan(data, name, fuzzColumns, fuzzOptions, func(r Row) error {
			rows = append(rows, r)
			if len(rows) > fuzzOptions.MaxRows {
				t.Fatalf("Scan: row %d handed over, more than MaxRows %d", r.Number, fuzzOptions.MaxRows)
			}
			return nil
		})
		checkRead(t, "Scan", data, name, stab, rows, sprobs, serr)
		if stab != nil && len(stab.Rows) != 0 {
			t.Fatalf("Scan: the table holds %d rows, want none", len(stab.Rows))
		}
		// Refusals of the file as a whole come before any row is read:
		// both readers make them alike.
		for _, e := range []error{ErrTooLarge, ErrNoSheet} {
			if errors.Is(err, e) != errors.Is(serr, e) {
				t.Fatalf("ReadFile: %v; Scan: %v", err, serr)
			}
		}
	})
}

// FuzzReadWorkbook: FuzzReadFile's promises for workbooks whose worksheet
// and shared strings are any XML (or anything else), in an archive that is
// otherwise sound: a fuzzer that changes the bytes of a compressed archive
// rarely gets past its checksums to excelize's parser and ours.
func FuzzReadWorkbook(f *testing.F) {
	parts := fuzzWorkbookParts(f)
	sheetXML, sst := parts["xl/worksheets/sheet1.xml"], parts["xl/sharedStrings.xml"]
	f.Add(sheetXML, sst)
	f.Add(sheetXML, []byte{})
	f.Add(bytes.ReplaceAll(sheetXML, []byte(`r="A`), []byte(`r="ZZZZ`)), sst)
	f.Add(bytes.ReplaceAll(sheetXML, []byte(`<v>`), []byte(`<v>99999999`)), sst)
	f.Add(bytes.ReplaceAll(sheetXML, []byte(`t="s"`), []byte(`t="n"`)), sst)
	f.Add(bytes.ReplaceAll(sheetXML, []byte(`s="`), []byte(`s="9`)), sst)
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>單位代碼</t></is></c><c r="B1" t="inlineStr"><is><t>數值</t></is></c></row><row><c t="str"><f>A1</f><v>211100-001</v></c><c t="e"><v>#N/A</v></c></row></sheetData></worksheet>`), sst)
	farRow := regexp.MustCompile(`r="[A-Za-z]*[0-9]{5}`)
	f.Fuzz(func(t *testing.T, sheetXML, sst []byte) {
		if farRow.Match(sheetXML) {
			// Reading walks the rows above a far row one by one, up to
			// Excel's last (1,048,576; one past it is ErrFormat): bounded,
			// but seconds an input under the fuzzer's instrumentation,
			// which would leave it no time for anything else.
			return
		}
		data := fuzzZip(t, parts, map[string][]byte{"xl/worksheets/sheet1.xml": sheetXML, "xl/sharedStrings.xml": sst})
		tab, probs, err := ReadFile(data, "upload.xlsx", fuzzColumns, fuzzOptions)
		var rows []Row
		if tab != nil {
			rows = tab.Rows
		}
		checkRead(t, "ReadFile", data, "upload.xlsx", tab, rows, probs, err)
		rows = nil
		stab, sprobs, serr := Scan(data, "upload.xlsx", fuzzColumns, fuzzOptions, func(r Row) error {
			rows = append(rows, r)
			if len(rows) > fuzzOptions.MaxRows {
				t.Fatalf("Scan: row %d handed over, more than MaxRows %d", r.Number, fuzzOptions.MaxRows)
			}
			return nil
		})
		checkRead(t, "Scan", data, "upload.xlsx", stab, rows, sprobs, serr)
	})
}

// fuzzWorkbookParts are the parts of a small workbook as units fill it in:
// a title, the header, a code formatted as text, numbers, a percentage, a
// date, a blank row, and as many rows as fuzzOptions allow. The styles are
// 1 text, 2 percent and 3 date, for seeds to use.
func fuzzWorkbookParts(t testing.TB) map[string][]byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const s = "指標填報"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", s))
	var styles []int
	for _, format := range []int{49, 10, 14} { // @, 0.00%, yyyy/m/d
		id, err := f.NewStyle(&excelize.Style{NumFmt: format})
		must(err)
		styles = append(styles, id)
	}
	rows := [][]any{
		{"盤錦市2021年法治政府建設主要指標填報表"},
		{"單位代碼", "數值", "說明"},
		{"211100-001", 50, "以上"},
		nil,
		{"211100-002", "58.10%", ""},
		{"211100-003", 0.581},
		{"211100-004", "12a", "市本級"},
		{"211100-005", 44378},
	}
	for i, r := range rows {
		if r != nil {
			must(f.SetSheetRow(s, CellRef(1, i+1), &r))
		}
	}
	must(f.SetCellStyle(s, "A3", "A3", styles[0]))
	must(f.SetCellStyle(s, "B6", "B6", styles[1]))
	must(f.SetCellStyle(s, "B8", "B8", styles[2]))
	buf, err := f.WriteToBuffer()
	must(err)
	out := members(t, buf.Bytes())
	if out["xl/worksheets/sheet1.xml"] == nil || out["xl/sharedStrings.xml"] == nil {
		t.Fatalf("the workbook has parts %v", partNames(out))
	}
	return out
}

// fuzzZip is an .xlsx of parts, with the parts in replace instead of
// theirs, in the order of their names.
func fuzzZip(t *testing.T, parts, replace map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range partNames(parts) {
		data := parts[name]
		if r, ok := replace[name]; ok {
			data = r
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func partNames(parts map[string][]byte) []string {
	names := make([]string, 0, len(parts))
	for name := range parts {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// checkRead holds what a reader returned to the promises of FuzzReadFile.
func checkRead(t *testing.T, reader string, data []byte, name string, tab *Table, rows []Row, probs Problems, err error) {
	t.Helper()
	if err != nil {
		// Scan hands rows over as it reads them, before it meets an error.
		if tab != nil || probs != nil || len(rows) != 0 && reader != "Scan" {
			t.Fatalf("%s: %v, with a table %+v, problems %v and %d rows", reader, err, tab, probs, len(rows))
		}
		if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrTooManyRows) && !errors.Is(err, ErrNoSheet) {
			t.Fatalf("%s: %v, which is not one of the errors of a refused file", reader, err)
		}
		return
	}
	if tab == nil {
		t.Fatalf("%s: no table and no error", reader)
	}
	if len(rows) > fuzzOptions.MaxRows {
		t.Fatalf("%s: %d rows, more than MaxRows %d", reader, len(rows), fuzzOptions.MaxRows)
	}
	if tab.HeaderRow == 0 {
		if len(rows) != 0 || len(tab.Headers) != 0 || len(probs) == 0 {
			t.Fatalf("%s: no header row, but %d rows, headers %v, problems %v", reader, len(rows), tab.Headers, probs)
		}
	} else {
		if tab.HeaderRow > fuzzOptions.HeaderSearchRows+1 {
			t.Fatalf("%s: header row %d, below the first %d rows searched and a second header row", reader, tab.HeaderRow, fuzzOptions.HeaderSearchRows)
		}
		cols := map[int]string{}
		for _, c := range fuzzColumns {
			h, ok := tab.Headers[c.Key]
			if !ok {
				if c.Required {
					t.Fatalf("%s: header row %d without the required column %q", reader, tab.HeaderRow, c.Key)
				}
				continue
			}
			if h.Column != c.Key || h.Sheet != tab.Sheet || h.Row < 1 || h.Row > tab.HeaderRow || h.Ref != CellRef(h.Col, h.Row) {
				t.Fatalf("%s: header cell of %q is %+v (sheet %q, header row %d)", reader, c.Key, h, tab.Sheet, tab.HeaderRow)
			}
			if other, dup := cols[h.Col]; dup {
				t.Fatalf("%s: column %s heads both %q and %q", reader, ColumnName(h.Col), other, c.Key)
			}
			cols[h.Col] = c.Key
			if !namesColumn(c, h.Text) {
				t.Fatalf("%s: header cell %s %q does not name %q", reader, h.Ref, h.Text, c.Key)
			}
		}
	}
	last := tab.HeaderRow
	for _, r := range rows {
		if r.Number <= last || r.Sheet != tab.Sheet || len(r.Cells) != len(tab.Headers) {
			t.Fatalf("%s: row %d (sheet %q, %d cells) after row %d (sheet %q, %d columns)", reader, r.Number, r.Sheet, len(r.Cells), last, tab.Sheet, len(tab.Headers))
		}
		last = r.Number
		for key, c := range r.Cells {
			h, ok := tab.Headers[key]
			if !ok || c.Column != key || c.Row != r.Number || c.Col != h.Col || c.Ref != CellRef(c.Col, c.Row) || c.Sheet != tab.Sheet {
				t.Fatalf("%s: cell %+v of row %d, under the header %+v", reader, c, r.Number, h)
			}
		}
	}
	for i, p := range probs {
		if p.Message == "" || p.Sheet != tab.Sheet || (p.Ref != "" && p.Ref != CellRef(p.Col, p.Row)) {
			t.Fatalf("%s: problem %+v (sheet %q)", reader, p, tab.Sheet)
		}
		if i > 0 && (probs[i-1].Row > p.Row || probs[i-1].Row == p.Row && probs[i-1].Col > p.Col) {
			t.Fatalf("%s: problems out of order: %v", reader, probs)
		}
	}
	// A CSV file's one sheet is named after the file; a workbook (a zip
	// archive) names its own.
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) && tab.Sheet != CSVSheetName(name) {
		t.Fatalf("%s: the sheet of a CSV file named %q is %q, want %q", reader, name, tab.Sheet, CSVSheetName(name))
	}
}

func namesColumn(c Column, text string) bool {
	for _, h := range c.Headers {
		if FoldHeader(h) == FoldHeader(text) {
			return true
		}
	}
	return false
}

// FuzzCellText: the readings of a cell's texts. Text is the stored text
// when it is shown as stored, else a stored number in canonical form: a
// plain decimal without superfluous zeros, of at most 15 significant
// digits, the number itself to that precision, that is its own canonical
// form. PercentText of a number shown as a percentage is exactly 100 times
// the stored number. DateText is a real date in YYYY-MM-DD, which reads
// as itself.
func FuzzCellText(f *testing.F) {
	for _, c := range [][2]string{
		{"0.58099999999999996", "0.581"}, {"0.581", "58.10%"}, {"58.125", "58.13"}, {"1E-3", "0.001"},
		{"1E-3", "1E-3"}, {"0012", "0012"}, {"44561", "2021/12/31"}, {"-0.10000000000000001", "-0.1"},
		{"12a", "12a"}, {"Infinity", "x"}, {"0.58125", "58.13%"}, {"-0.05", "-5.0%"}, {"12.3456", "1,234.56%"},
		{" 58.1 ％", " 58.1 ％"}, {"1E+20", "1E+20%"}, {"123456789012345678", "1.23E+17"}, {"1e400", "x"},
		{"2021-07-01", "2021-07-01"}, {" 2021/7/1 ", " 2021/7/1 "}, {"2021年7月1日", "x"}, {"44378", "2021-7-1"},
		{"2021-02-30", "2021-02-30"}, {"1-Jul-21", "1-Jul-21"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, raw, formatted string) {
		text := cellText(raw, formatted)
		stored, isNumber := canonicalNumber(raw)
		switch {
		case raw == formatted:
			if text != raw {
				t.Fatalf("cellText(%q, %q) = %q, want the text as stored", raw, formatted, text)
			}
		case isNumber:
			if text != stored {
				t.Fatalf("cellText(%q, %q) = %q, want the number %q", raw, formatted, text, stored)
			}
		default:
			if text != raw {
				t.Fatalf("cellText(%q, %q) = %q, want the text as stored", raw, formatted, text)
			}
		}
		if isNumber {
			checkNumber(t, raw, stored)
		}

		c := Cell{Text: text, Formatted: formatted}
		pct, ok := PercentText(c)
		if _, typed := cutPercent(c.Text); !typed {
			_, shown := cutPercent(formatted)
			if ok != shown {
				t.Fatalf("PercentText(%q, %q) = %q, %v; shown as a percentage: %v", text, formatted, pct, ok, shown)
			}
			if n, isNum := canonicalNumber(strings.TrimSpace(text)); ok && isNum {
				want, _ := new(big.Rat).SetString(n)
				got, valid := new(big.Rat).SetString(pct)
				if !valid || got.Cmp(want.Mul(want, big.NewRat(100, 1))) != 0 {
					t.Fatalf("PercentText(%q, %q) = %q, want 100 times %s", text, formatted, pct, n)
				}
			}
		}

		if d, ok := DateText(c); ok {
			day, err := time.Parse(time.DateOnly, d)
			if err != nil || day.Format(time.DateOnly) != d {
				t.Fatalf("DateText(%q, %q) = %q, not a date YYYY-MM-DD", text, formatted, d)
			}
			if again, ok := DateText(Cell{Text: d, Formatted: d}); !ok || again != d {
				t.Fatalf("DateText(%q, %q) = %q, which reads as %q, %v", text, formatted, d, again, ok)
			}
		}
	})
}

// plainDecimal is a number as canonicalNumber writes it.
var plainDecimal = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$`)

// checkNumber holds canonicalNumber(raw) = stored to FuzzCellText's promises.
func checkNumber(t *testing.T, raw, stored string) {
	t.Helper()
	if !plainDecimal.MatchString(stored) || stored == "-0" {
		t.Fatalf("canonicalNumber(%q) = %q, not a plain decimal", raw, stored)
	}
	if n := len(strings.Trim(strings.NewReplacer("-", "", ".", "").Replace(stored), "0")); n > maxSignificant {
		t.Fatalf("canonicalNumber(%q) = %q, with %d significant digits", raw, stored, n)
	}
	if again, ok := canonicalNumber(stored); !ok || again != stored {
		t.Fatalf("canonicalNumber(%q) = %q, but canonicalNumber of that is %q, %v", raw, stored, again, ok)
	}
	if mant, _, _ := strings.Cut(strings.ToLower(raw), "e"); !strings.ContainsAny(mant, "123456789") {
		if stored != "0" {
			t.Fatalf("canonicalNumber(%q) = %q, want 0", raw, stored)
		}
		return
	}
	want, _, err := big.ParseFloat(raw, 10, 200, big.ToNearestEven)
	got, _, err2 := big.ParseFloat(stored, 10, 200, big.ToNearestEven)
	if err != nil || err2 != nil {
		// big.Float refuses only exponents beyond int64, which no
		// number has that canonicalNumber accepts.
		t.Fatalf("canonicalNumber(%q) = %q: %v, %v", raw, stored, err, err2)
	}
	// Equal to 15 significant digits: the difference is below a
	// unit of the 15th digit of the larger (and the float64 the
	// number went through).
	diff := new(big.Float).Sub(want, got)
	bound := new(big.Float).Mul(new(big.Float).Abs(want), big.NewFloat(1e-14))
	if diff.Abs(diff).Cmp(bound) > 0 {
		t.Fatalf("canonicalNumber(%q) = %q, which is another number", raw, stored)
	}
}

// fuzzOut are the columns FuzzCSVRoundTrip writes: a code as text, a value
// and a note.
var fuzzOut = []OutColumn{
	{Key: "code", Header: "單位代碼", Text: true},
	{Key: "value", Header: "數值"},
	{Key: "note", Header: "說明"},
}

// FuzzCSVRoundTrip: what WriteCSV writes, ReadCSV and ReadFile read back to
// the same strings in the same rows, for any UTF-8 texts without a carriage
// return (which CSV with CRLF line ends cannot keep), formulas escaped on
// the way out and unescaped on the way in.
func FuzzCSVRoundTrip(f *testing.F) {
	for _, r := range [][3]string{
		{"211100-001", "58.10", "多行\n說明, 帶逗號"}, {"0012", "=SUM(A1:A2)", `他說"好"`}, {"'quoted", "''=x", "@home"},
		{"-3", "+86 427", " leading"}, {"trailing ", "\t=1", "𠀀 emoji 😀"}, {"", "", "x"}, {"\"", "'", "="},
		{"a\nb", "<&>\"'", ""}, {"單位代碼", "數值", "說明"},
	} {
		f.Add(r[0], r[1], r[2])
	}
	f.Fuzz(func(t *testing.T, code, value, note string) {
		row := []string{code, value, note}
		for _, text := range row {
			if !utf8.ValidString(text) || strings.ContainsRune(text, '\r') {
				return
			}
		}
		rows := [][]string{row, {"211100-999", "1", "last"}}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, fuzzOut, rows); err != nil {
			t.Fatalf("WriteCSV(%q): %v", row, err)
		}
		want := rows
		if blankRow(row) {
			want = rows[1:]
		}
		cols := []Column{{Key: "code", Headers: []string{"單位代碼"}, Required: true}, {Key: "value", Headers: []string{"數值"}}, {Key: "note", Headers: []string{"說明"}}}
		csvTab, csvProbs, csvErr := ReadCSV(bytes.NewReader(buf.Bytes()), cols, ReadOptions{})
		fileTab, fileProbs, fileErr := ReadFile(buf.Bytes(), "export.csv", cols, ReadOptions{})
		for reader, got := range map[string]struct {
			tab   *Table
			probs Problems
			err   error
		}{"ReadCSV": {csvTab, csvProbs, csvErr}, "ReadFile": {fileTab, fileProbs, fileErr}} {
			if got.err != nil || len(got.probs) != 0 {
				t.Fatalf("%s(WriteCSV(%q)): %v, %v\n%q", reader, row, got.err, got.probs, buf.Bytes())
			}
			if got.tab.HeaderRow != 1 || len(got.tab.Rows) != len(want) {
				t.Fatalf("%s(WriteCSV(%q)): header row %d, %d rows, want 1 and %d\n%q", reader, row, got.tab.HeaderRow, len(got.tab.Rows), len(want), buf.Bytes())
			}
			for i, r := range got.tab.Rows {
				for j, c := range fuzzOut {
					if r.Text(c.Key) != want[i][j] {
						t.Fatalf("%s(WriteCSV(%q)): row %d %s reads %q, want %q\n%q", reader, row, r.Number, c.Key, r.Text(c.Key), want[i][j], buf.Bytes())
					}
				}
			}
		}
	})
}
