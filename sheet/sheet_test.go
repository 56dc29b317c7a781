package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// workbook writes rows (by A1 reference of their first cell) with excelize's
// ordinary API.
func workbook(t testing.TB, sheet string, rows map[int][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			t.Fatal(err)
		}
	}
	for n, vals := range rows {
		if err := f.SetSheetRow(sheet, CellRef(1, n), &vals); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readBytes(t testing.TB, data []byte, cols []Column, opts ReadOptions) (*Table, Problems, error) {
	t.Helper()
	return ReadXLSX(bytes.NewReader(data), int64(len(data)), cols, opts)
}

var twoCols = []Column{
	{Key: "code", Headers: []string{"單位代碼"}, Required: true},
	{Key: "value", Headers: []string{"數值", "填報值"}, Required: true},
	{Key: "note", Headers: []string{"說明"}},
}

func TestHeaderMatching(t *testing.T) {
	data := workbook(t, "Sheet1", map[int][]any{
		1: {"標題"},
		2: {" 单位代码 ", "额外", "ＶＡＬＵＥ"},
		3: {"x", "y", "z"},
	})
	cols := []Column{
		{Key: "code", Headers: []string{"單位代碼"}, Required: true},
		{Key: "value", Headers: []string{"value"}, Required: true},
	}
	tab, probs, err := readBytes(t, data, cols, ReadOptions{})
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	if tab.HeaderRow != 2 || tab.Headers["code"].Ref != "A2" || tab.Headers["value"].Ref != "C2" {
		t.Fatalf("header %d %+v", tab.HeaderRow, tab.Headers)
	}
	if len(tab.Rows) != 1 || tab.Rows[0].Text("code") != "x" || tab.Rows[0].Text("value") != "z" || len(tab.Rows[0].Cells) != 2 {
		t.Fatalf("rows %+v", tab.Rows)
	}
	for _, h := range []string{"數 值*", "*数值", "數值\n", "ＡＢＣ"} {
		if FoldHeader(h) != FoldHeader(strings.Trim(h, "*\n ")) {
			t.Errorf("FoldHeader(%q) = %q", h, FoldHeader(h))
		}
	}
	if FoldHeader("數 值*") != "数值" {
		t.Errorf("FoldHeader = %q", FoldHeader("數 值*"))
	}
}

func TestHeaderProblems(t *testing.T) {
	t.Run("missing required", func(t *testing.T) {
		data := workbook(t, "填報", map[int][]any{1: {"title"}, 3: {"單位代碼", "說明"}, 4: {"1", "2"}})
		tab, probs, err := readBytes(t, data, twoCols, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := Problems{{Sheet: "填報", Row: 3, Column: "value", Message: `required column "數值" is missing from the header row`}}
		if !equalProblems(probs, want) || tab.HeaderRow != 0 || len(tab.Rows) != 0 {
			t.Fatalf("got %v %+v", probs, tab)
		}
	})
	t.Run("no header", func(t *testing.T) {
		data := workbook(t, "Sheet1", map[int][]any{1: {"a", "b"}, 2: {"c"}})
		_, probs, err := readBytes(t, data, twoCols, ReadOptions{})
		if err != nil || len(probs) != 2 {
			t.Fatal(err, probs)
		}
		if probs[0].Column != "code" || probs[1].Column != "value" || probs[0].Row != 0 ||
			!strings.Contains(probs[0].Message, "first 10 rows") {
			t.Fatalf("problems %v", probs)
		}
	})
	t.Run("header too low", func(t *testing.T) {
		data := workbook(t, "Sheet1", map[int][]any{12: {"單位代碼", "數值"}, 13: {"1", "2"}})
		_, probs, _ := readBytes(t, data, twoCols, ReadOptions{})
		if len(probs) != 2 {
			t.Fatalf("problems %v", probs)
		}
		tab, probs, _ := readBytes(t, data, twoCols, ReadOptions{HeaderSearchRows: 12})
		if len(probs) != 0 || tab.HeaderRow != 12 || len(tab.Rows) != 1 {
			t.Fatalf("%v %+v", probs, tab)
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		data := workbook(t, "Sheet1", map[int][]any{1: {"單位代碼", "數值", "填報值"}, 2: {"1", "2", "3"}})
		tab, probs, err := readBytes(t, data, twoCols, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := Problems{{Sheet: "Sheet1", Row: 1, Col: 3, Ref: "C1", Column: "value", Message: `duplicate header "填報值": column "value" is already at B1`}}
		if !equalProblems(probs, want) {
			t.Fatalf("problems %v", probs)
		}
		if tab.Rows[0].Cells["value"].Ref != "B2" {
			t.Fatalf("value read from %s", tab.Rows[0].Cells["value"].Ref)
		}
	})
	t.Run("bad columns", func(t *testing.T) {
		for _, cols := range [][]Column{
			nil,
			{{Key: "", Headers: []string{"a"}}},
			{{Key: "a", Headers: []string{"x"}}, {Key: "a", Headers: []string{"y"}}},
			{{Key: "a", Headers: []string{"數值"}}, {Key: "b", Headers: []string{"数值"}}},
			{{Key: "a"}},
		} {
			if _, _, err := ReadCSV(strings.NewReader("a\n"), cols, ReadOptions{}); err == nil {
				t.Errorf("columns %+v accepted", cols)
			}
		}
	})
}

func TestSheetChoice(t *testing.T) {
	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"單位代碼", "數值"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"first", "1"})
	if _, err := f.NewSheet("縣區"); err != nil {
		t.Fatal(err)
	}
	_ = f.SetSheetRow("縣區", "A1", &[]any{"單位代碼", "數值"})
	_ = f.SetSheetRow("縣區", "A2", &[]any{"second", "2"})
	buf, _ := f.WriteToBuffer()
	data := buf.Bytes()

	tab, _, err := readBytes(t, data, twoCols, ReadOptions{})
	if err != nil || tab.Rows[0].Text("code") != "first" {
		t.Fatal(err, tab)
	}
	tab, _, err = readBytes(t, data, twoCols, ReadOptions{Sheet: "县区"}) // simplified finds traditional
	if err != nil || tab.Sheet != "縣區" || tab.Rows[0].Text("code") != "second" || tab.Rows[0].Cells["code"].Sheet != "縣區" {
		t.Fatal(err, tab)
	}
	if _, _, err := readBytes(t, data, twoCols, ReadOptions{Sheet: "無"}); !errors.Is(err, ErrNoSheet) {
		t.Fatalf("err %v", err)
	}
}

func TestCellTexts(t *testing.T) {
	tests := []struct{ raw, formatted, text string }{
		{"0.58099999999999996", "0.581", "0.581"},
		{"0.581", "58.10%", "0.581"},
		{"58.125", "58.13", "58.125"},
		{"1E-3", "0.001", "0.001"},
		{"1E-3", "1E-3", "1E-3"}, // text typed as "1E-3"
		{"0012", "0012", "0012"},
		{"44561", "2021/12/31", "44561"},
		{"-0.10000000000000001", "-0.1", "-0.1"},
		{"12a", "12a", "12a"},
		{"Infinity", "x", "Infinity"},
	}
	for _, tt := range tests {
		if got := cellText(tt.raw, tt.formatted); got != tt.text {
			t.Errorf("cellText(%q, %q) = %q, want %q", tt.raw, tt.formatted, got, tt.text)
		}
	}
	for in, want := range map[string]string{
		"100": "100", "1E+20": "100000000000000000000", "-1.5e-7": "-0.00000015", "0": "0", "-0.0": "0",
		"123456789012345678": "123456789012346000",
	} {
		if got, ok := canonicalNumber(in); !ok || got != want {
			t.Errorf("canonicalNumber(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-", ".", "1e", "0x10", "1_000", "NaN", " 1", "1e400"} {
		if got, ok := canonicalNumber(in); ok {
			t.Errorf("canonicalNumber(%q) = %q, want not a number", in, got)
		}
	}
}

func TestPercentText(t *testing.T) {
	tests := []struct {
		text, formatted, want string
		ok                    bool
	}{
		{"58.10%", "58.10%", "58.10", true},
		{" 58.1 ％", " 58.1 ％", "58.1", true},
		{"0.581", "58.10%", "58.10", true},
		{"0.58125", "58.13%", "58.125", true},
		{"1", "100%", "100", true},
		{"-0.05", "-5.0%", "-5.0", true},
		{"12.3456", "1,234.56%", "1234.56", true},
		{"58.1", "58.1", "", false},
		{"abc", "abc", "", false},
	}
	for _, tt := range tests {
		got, ok := PercentText(Cell{Text: tt.text, Formatted: tt.formatted})
		if got != tt.want || ok != tt.ok {
			t.Errorf("PercentText(%q, %q) = %q %v, want %q %v", tt.text, tt.formatted, got, ok, tt.want, tt.ok)
		}
	}
}

func TestProblems(t *testing.T) {
	ps := Problems{
		{Sheet: "B", Row: 2, Col: 1, Ref: "A2", Message: "m1"},
		{Sheet: "A", Row: 3, Col: 2, Ref: "B3", Column: "value", Message: "m2"},
		{Sheet: "A", Row: 3, Message: "m3"},
		{Sheet: "A", Message: "m4"},
	}
	ps.Sort()
	if got := ps.Error(); got != "A: m4; A row 3: m3; A!B3 (value): m2; B!A2: m1" {
		t.Errorf("Error() = %q", got)
	}
	if Problems(nil).Err() != nil || ps.Err() == nil {
		t.Error("Err")
	}
	var many Problems
	for i := range 25 {
		many = append(many, Problem{Row: i + 1, Message: "x"})
	}
	if !strings.HasSuffix(many.Error(), "and 15 more") {
		t.Errorf("Error() = %q", many.Error())
	}
	if s := (Problem{Ref: "C5", Message: "bad"}).String(); s != "C5: bad" {
		t.Errorf("String() = %q", s)
	}
}

func TestColumnName(t *testing.T) {
	for col, want := range map[int]string{1: "A", 26: "Z", 27: "AA", 52: "AZ", 53: "BA", 702: "ZZ", 703: "AAA", 16384: "XFD"} {
		if got := ColumnName(col); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", col, got, want)
		}
		if excel, _ := excelize.ColumnNumberToName(col); excel != want {
			t.Errorf("excelize disagrees on %d: %q", col, excel)
		}
	}
}

// --- round trips ---

var chineseOut = []OutColumn{
	{Key: "indicator_code", Header: "指標編碼", Text: true},
	{Key: "indicator_name", Header: "指標名稱", Width: 40},
	{Key: "unit_code", Header: "單位代碼", Text: true},
	{Key: "unit_name", Header: "單位名稱"},
	{Key: "measure", Header: "計量單位"},
	{Key: "value", Header: "數值"},
	{Key: "note", Header: "說明"},
}

func outColumnsIn(out []OutColumn) []Column {
	cols := make([]Column, len(out))
	for i, c := range out {
		cols[i] = Column{Key: c.Key, Headers: []string{c.Header}, Required: i == 0}
	}
	return cols
}

var awkward = []string{
	"211100-001", "0012", "2021-12", "1E3", "58.10", "58.10%", "TRUE", "=SUM(A1:A2)", "+86 427", "-3", "@home",
	"'quoted", "''=x", "a\nb", "<&>\"'", " leading", "trailing ", "盤錦市 司法局", "𠀀 emoji 😀", "1/2", "12a",
}

func roundTripRows(n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{
			fmt.Sprintf("%d.%d", i/100+1, i%100+1),
			fmt.Sprintf("指標名稱%d：政務服務事項即辦率", i),
			fmt.Sprintf("211100-%03d", i%1000),
			"盤錦市營商環境建設局",
			"%",
			awkward[i%len(awkward)],
			"",
		}
		if i%7 == 0 {
			rows[i][6] = awkward[(i/7)%len(awkward)]
		}
	}
	return rows
}

func TestRoundTripXLSX(t *testing.T) {
	rows := roundTripRows(1000)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, []SheetData{{Name: "指標填報", Title: "盤錦市2021年法治政府建設主要指標填報表", Columns: chineseOut, Rows: rows}}); err != nil {
		t.Fatal(err)
	}
	tab, probs, err := readBytes(t, buf.Bytes(), outColumnsIn(chineseOut), ReadOptions{})
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	if tab.HeaderRow != 2 || len(tab.Rows) != len(rows) {
		t.Fatalf("header %d, %d rows", tab.HeaderRow, len(tab.Rows))
	}
	for i, r := range tab.Rows {
		if r.Number != i+3 {
			t.Fatalf("row %d numbered %d", i, r.Number)
		}
		for j, c := range chineseOut {
			cell := r.Cells[c.Key]
			if cell.Text != rows[i][j] || cell.Formatted != rows[i][j] {
				t.Errorf("%s: %q / %q, want %q", cell.Ref, cell.Text, cell.Formatted, rows[i][j])
			}
		}
	}

	// The workbook as a person opens it: title merged, header frozen, codes
	// formatted as text.
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	merged, _ := f.GetMergeCells("指標填報")
	if len(merged) != 1 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "G1" {
		t.Errorf("merged %v", merged)
	}
	panes, _ := f.GetPanes("指標填報")
	if !panes.Freeze || panes.YSplit != 2 || panes.TopLeftCell != "A3" {
		t.Errorf("panes %+v", panes)
	}
	style, _ := f.GetCellStyle("指標填報", "C3")
	if st, _ := f.GetStyle(style); st == nil || st.NumFmt != 49 {
		t.Errorf("C3 style %+v", st)
	}
	hs, _ := f.GetCellStyle("指標填報", "A2")
	if st, _ := f.GetStyle(hs); st == nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style %+v", st)
	}
	typ, _ := f.GetCellType("指標填報", "A3")
	if typ != excelize.CellTypeInlineString {
		t.Errorf("A3 type %v", typ)
	}
}

func TestRoundTripNumbers(t *testing.T) {
	out := []OutColumn{{Key: "k", Header: "鍵", Text: true}, {Key: "v", Header: "數值", Number: true}}
	in := []string{"58.10", "-3", "0.581", "1200", "123456789012345678", "0.000001", "12a", "1E3", "+5", "58.1%"}
	want := []string{"58.1", "-3", "0.581", "1200", "123456789012345678", "0.000001", "12a", "1E3", "+5", "58.1%"}
	var rows [][]string
	for i, v := range in {
		rows = append(rows, []string{fmt.Sprint(i), v})
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, []SheetData{{Columns: out, Rows: rows}}); err != nil {
		t.Fatal(err)
	}
	tab, probs, err := readBytes(t, buf.Bytes(), outColumnsIn(out), ReadOptions{})
	if err != nil || len(probs) != 0 || tab.Sheet != "Sheet1" || tab.HeaderRow != 1 {
		t.Fatal(err, probs, tab)
	}
	f, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	defer f.Close()
	for i, r := range tab.Rows {
		if got := r.Text("v"); got != want[i] {
			t.Errorf("%q came back %q, want %q", in[i], got, want[i])
		}
		typ, _ := f.GetCellType("Sheet1", r.Cells["v"].Ref)
		isNum := typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber
		if wantNum := i <= 3 || i == 5; isNum != wantNum {
			t.Errorf("%q written as number: %v", in[i], isNum)
		}
	}
}

func TestWriteXLSXErrors(t *testing.T) {
	cols := []OutColumn{{Key: "a", Header: "A"}}
	for name, sheets := range map[string][]SheetData{
		"none":       nil,
		"no columns": {{Name: "x"}},
		"bad name":   {{Name: "a/b", Columns: cols}},
		"long name":  {{Name: strings.Repeat("長", 32), Columns: cols}},
		"twice":      {{Name: "x", Columns: cols}, {Name: "X", Columns: cols}},
		"long row":   {{Columns: cols, Rows: [][]string{{"1", "2"}}}},
		"long text":  {{Columns: cols, Rows: [][]string{{strings.Repeat("字", maxCellChars+1)}}}},
		"bad utf8":   {{Columns: cols, Rows: [][]string{{"\xff"}}}},
	} {
		if err := WriteXLSX(io.Discard, sheets); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// Several sheets, one streamed.
	var buf bytes.Buffer
	more := func(yield func([]string) bool) {
		for i := range 3 {
			if !yield([]string{fmt.Sprint("more", i)}) {
				return
			}
		}
	}
	if err := WriteXLSX(&buf, []SheetData{{Name: "一", Columns: cols, Rows: [][]string{{"x"}}}, {Name: "二", Columns: cols, More: more}}); err != nil {
		t.Fatal(err)
	}
	tab, _, err := readBytes(t, buf.Bytes(), []Column{{Key: "a", Headers: []string{"A"}}}, ReadOptions{Sheet: "二"})
	if err != nil || len(tab.Rows) != 3 || tab.Rows[2].Text("a") != "more2" {
		t.Fatal(err, tab)
	}
}

// --- CSV ---

func TestReadCSV(t *testing.T) {
	text := "盤錦市指標填報表,,\n" +
		"單位代碼,數值,說明\n" +
		"\n" +
		"211100-001,58.10%,\"多行\n說明, 帶逗號\"\n" +
		"211100-002,12a,\"他說\"\"好\"\"\"\n" +
		",,\n" +
		"211100-003,'=1+1,x\n"
	want := []struct {
		row   int
		code  string
		value string
		note  string
	}{
		{4, "211100-001", "58.10%", "多行\n說明, 帶逗號"},
		{5, "211100-002", "12a", `他說"好"`},
		{7, "211100-003", "=1+1", "x"},
	}
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for name, input := range map[string]string{
		"utf8":    text,
		"bom":     "\uFEFF" + text,
		"gb18030": gb,
		"crlf":    strings.ReplaceAll(text, "\n", "\r\n"),
	} {
		t.Run(name, func(t *testing.T) {
			if name == "gb18030" && strings.Contains(input, "盤錦") {
				t.Fatal("not encoded")
			}
			tab, probs, err := ReadCSV(strings.NewReader(input), twoCols, ReadOptions{Sheet: "upload.csv"})
			if err != nil || len(probs) != 0 {
				t.Fatal(err, probs)
			}
			if tab.HeaderRow != 2 || len(tab.Rows) != len(want) {
				t.Fatalf("header %d rows %+v", tab.HeaderRow, tab.Rows)
			}
			for i, w := range want {
				r := tab.Rows[i]
				note := w.note // encoding/csv reads "\r\n" in quotes as "\n"
				if r.Number != w.row || r.Text("code") != w.code || r.Text("value") != w.value || r.Text("note") != note {
					t.Errorf("row %d: %+v", i, r)
				}
				if c := r.Cells["value"]; c.Ref != fmt.Sprintf("B%d", w.row) || c.Sheet != "upload.csv" || c.Formatted != c.Text {
					t.Errorf("value cell %+v", c)
				}
			}
			if p, ok := PercentText(tab.Rows[0].Cells["value"]); !ok || p != "58.10" {
				t.Errorf("PercentText %q %v", p, ok)
			}
		})
	}
	if _, _, err := ReadCSV(bytes.NewReader([]byte{0xFF, 0xFE, 'a', 0}), twoCols, ReadOptions{}); !errors.Is(err, ErrFormat) {
		t.Errorf("UTF-16: %v", err)
	}
	if _, _, err := ReadCSV(strings.NewReader("單位代碼;數值\n1;2\n"), twoCols, ReadOptions{Comma: ';'}); err != nil {
		t.Errorf("semicolons: %v", err)
	}
}

func TestRoundTripCSV(t *testing.T) {
	rows := roundTripRows(1000)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, chineseOut, rows); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), utf8BOM) || !bytes.Contains(buf.Bytes(), []byte("\r\n")) {
		t.Fatal("no BOM or CRLF")
	}
	if bytes.Contains(buf.Bytes(), []byte(",=SUM")) || !bytes.Contains(buf.Bytes(), []byte(",'=SUM")) {
		t.Error("formula not escaped")
	}
	tab, probs, err := ReadCSV(&buf, outColumnsIn(chineseOut), ReadOptions{})
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	if len(tab.Rows) != len(rows) {
		t.Fatalf("%d rows", len(tab.Rows))
	}
	for i, r := range tab.Rows {
		for j, c := range chineseOut {
			if got := r.Text(c.Key); got != rows[i][j] {
				t.Errorf("row %d %s: %q, want %q", r.Number, c.Key, got, rows[i][j])
			}
		}
	}
}

// --- limits and hostile input ---

func TestLimits(t *testing.T) {
	rows := map[int][]any{1: {"單位代碼", "數值"}}
	for i := 2; i <= 12; i++ {
		rows[i] = []any{"c", i}
	}
	data := workbook(t, "Sheet1", rows)
	if _, _, err := readBytes(t, data, twoCols, ReadOptions{MaxRows: 10}); !errors.Is(err, ErrTooManyRows) {
		t.Errorf("MaxRows: %v", err)
	}
	if tab, _, err := readBytes(t, data, twoCols, ReadOptions{MaxRows: 11}); err != nil || len(tab.Rows) != 11 {
		t.Errorf("MaxRows 11: %v", err)
	}
	if _, _, err := readBytes(t, data, twoCols, ReadOptions{MaxFileSize: 100}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxFileSize: %v", err)
	}
	// A lying size is caught by reading.
	if _, _, err := ReadXLSX(bytes.NewReader(data), 10, twoCols, ReadOptions{MaxFileSize: 100}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxFileSize, small size given: %v", err)
	}
	if _, _, err := readBytes(t, data, twoCols, ReadOptions{UnzipSizeLimit: 2000}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("UnzipSizeLimit: %v", err)
	}
	csvText := "單位代碼,數值\n" + strings.Repeat("a,1\n", 11)
	if _, _, err := ReadCSV(strings.NewReader(csvText), twoCols, ReadOptions{MaxRows: 10}); !errors.Is(err, ErrTooManyRows) {
		t.Errorf("CSV MaxRows: %v", err)
	}
	if _, _, err := ReadCSV(strings.NewReader(csvText), twoCols, ReadOptions{MaxFileSize: 10}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("CSV MaxFileSize: %v", err)
	}
}

// zipOf writes a zip with the given members; a member whose declared size
// is not -1 gets that uncompressed size in its header, whatever its data.
func zipOf(t testing.TB, members map[string][]byte, declared map[string]uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range members {
		size, lie := declared[name]
		if !lie {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = w.Write(data)
			continue
		}
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.BestCompression)
		_, _ = fw.Write(data)
		_ = fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CompressedSize64: uint64(comp.Len()), UncompressedSize64: size})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(comp.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// members returns the parts of an .xlsx.
func members(t testing.TB, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		out[f.Name], _ = io.ReadAll(rc)
		_ = rc.Close()
	}
	return out
}

func TestZipBombs(t *testing.T) {
	parts := members(t, workbook(t, "Sheet1", map[int][]any{1: {"單位代碼", "數值"}, 2: {"a", 1}}))

	// Honest headers: refused by the declared size before anything is
	// inflated (the data need not even be there).
	honest := maps(parts, "xl/worksheets/sheet2.xml", []byte("<worksheet/>"))
	data := zipOf(t, honest, map[string]uint64{"xl/worksheets/sheet2.xml": 300 << 20})
	if _, _, err := readBytes(t, data, twoCols, ReadOptions{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("declared bomb: %v", err)
	}
	// A real one against a lower limit.
	bomb := bytes.Repeat([]byte("<!---->"), 600_000)
	data = zipOf(t, maps(parts, "xl/worksheets/sheet1.xml", append(bytes.Clone(parts["xl/worksheets/sheet1.xml"]), bomb...)), nil)
	if _, _, err := readBytes(t, data, twoCols, ReadOptions{UnzipSizeLimit: 1 << 20}); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "unzips to more than 1048576 bytes") {
		t.Errorf("bomb: %v", err)
	}
	if tab, _, err := readBytes(t, data, twoCols, ReadOptions{}); err != nil || len(tab.Rows) != 1 {
		t.Errorf("same file within the default limit: %v", err)
	}
	// Lying headers: the member claims 1 KiB and inflates to 4 MiB;
	// archive/zip stops at the declared size, and the file is damaged.
	sheet := append(bytes.Clone(parts["xl/worksheets/sheet1.xml"]), bomb...)
	data = zipOf(t, maps(parts, "xl/worksheets/sheet1.xml", sheet), map[string]uint64{"xl/worksheets/sheet1.xml": 1024})
	if _, _, err := readBytes(t, data, twoCols, ReadOptions{}); !errors.Is(err, ErrFormat) {
		t.Errorf("lying bomb: %v", err)
	}
	// A truncated member (checksum mismatch) is refused too, where excelize
	// alone would read the rows it got.
	data = zipOf(t, maps(parts, "xl/worksheets/sheet1.xml", parts["xl/worksheets/sheet1.xml"][:300]),
		map[string]uint64{"xl/worksheets/sheet1.xml": uint64(len(parts["xl/worksheets/sheet1.xml"]))})
	if _, _, err := readBytes(t, data, twoCols, ReadOptions{}); !errors.Is(err, ErrFormat) {
		t.Errorf("truncated member: %v", err)
	}
}

// TestLongSharedString: a shared string longer than a cell holds (one of
// 200 MiB compresses to a few hundred kilobytes) is refused before excelize
// reads it whole into memory; one as long as a cell holds is read.
func TestLongSharedString(t *testing.T) {
	parts := members(t, workbook(t, "Sheet1", map[int][]any{1: {"單位代碼", "數值"}, 2: {"a", 1}}))
	sst := string(parts["xl/sharedStrings.xml"])
	if !strings.Contains(sst, "</sst>") {
		t.Fatalf("no shared strings: %s", sst)
	}
	with := func(text string) []byte {
		return zipOf(t, maps(parts, "xl/sharedStrings.xml", []byte(strings.Replace(sst, "</sst>", "<si><t>"+text+"</t></si></sst>", 1))), nil)
	}
	if _, _, err := readBytes(t, with(strings.Repeat("长", MaxCellText)), twoCols, ReadOptions{}); err != nil {
		t.Errorf("a text as long as a cell holds: %v", err)
	}
	_, _, err := readBytes(t, with(strings.Repeat("a", 20<<20)), twoCols, ReadOptions{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "32767") || !strings.Contains(err.Error(), "sharedStrings") {
		t.Errorf("a 20 MiB shared string: %v", err)
	}
}

func maps(m map[string][]byte, k string, v []byte) map[string][]byte {
	out := make(map[string][]byte, len(m)+1)
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}

func TestNotXLSX(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty":        nil,
		"text":         []byte("單位代碼,數值\n1,2\n"),
		"xls":          append(bytes.Clone(oleSignature), make([]byte, 512)...),
		"zip, no book": zipOf(t, map[string][]byte{"a.txt": []byte("hello")}, nil),
		"pdf":          []byte("%PDF-1.4\n..."),
	} {
		_, _, err := readBytes(t, data, twoCols, ReadOptions{})
		if !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestHostileInput feeds random bytes and damaged workbooks to the readers:
// errors or problems, never a panic.
func TestHostileInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	valid := realShapedWorkbook(t)
	parts := members(t, valid)
	names := []string{"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
	for i := range 300 {
		var data []byte
		switch i % 3 {
		case 0: // random bytes, sometimes behind a zip signature
			data = make([]byte, rng.IntN(4096))
			for j := range data {
				data[j] = byte(rng.UintN(256))
			}
			if i%2 == 0 && len(data) > 4 {
				copy(data, "PK\x03\x04")
			}
		case 1: // the valid file with bytes flipped
			data = bytes.Clone(valid)
			for range 1 + rng.IntN(8) {
				data[rng.IntN(len(data))] ^= byte(1 + rng.UintN(255))
			}
		case 2: // a valid zip with one part's XML damaged
			name := names[rng.IntN(len(names))]
			x := bytes.Clone(parts[name])
			switch rng.IntN(4) {
			case 0:
				x = x[:rng.IntN(len(x))]
			case 1:
				for range 1 + rng.IntN(20) {
					x[rng.IntN(len(x))] = "<>/\"'=& 0123456789abcdefrvsct"[rng.IntN(29)]
				}
			case 2:
				x = bytes.ReplaceAll(x, []byte(`r="`), []byte(`r="Z`))
			case 3:
				x = bytes.ReplaceAll(x, []byte(`<v>`), []byte(`<v>99999999`))
			}
			data = zipOf(t, maps(parts, name, x), nil)
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("input %d panicked: %v", i, p)
				}
			}()
			_, _, err := readBytes(t, data, indicatorColumns, ReadOptions{})
			if i%3 == 0 && !errors.Is(err, ErrFormat) {
				t.Errorf("random bytes %d: %v, want ErrFormat", i, err)
			}
			_, _, _ = ReadCSV(bytes.NewReader(data), indicatorColumns, ReadOptions{})
		}()
	}
}

func FuzzReadXLSX(f *testing.F) {
	f.Add(realShapedWorkbook(f))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, _ = readBytes(t, data, indicatorColumns, ReadOptions{MaxFileSize: 1 << 20, UnzipSizeLimit: 8 << 20, UnzipXMLSizeLimit: 4 << 20})
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("單位代碼,數值\n1,2\n"))
	f.Add([]byte("\"a\n\n\"b,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, _, err := ReadCSV(bytes.NewReader(data), twoCols, ReadOptions{})
		if err != nil {
			return
		}
		last := 0
		for _, r := range tab.Rows {
			if r.Number <= last {
				t.Fatalf("row numbers not increasing: %d after %d", r.Number, last)
			}
			last = r.Number
		}
	})
}

// TestReadCSVUnclosedQuote: a quote never closed is reported where it
// opens, not read to the end of the file as one cell with the rows after it
// gone.
func TestReadCSVUnclosedQuote(t *testing.T) {
	text := "单位代码,数值,说明\n" +
		"211100-001,1,\"未闭合的说明\n" +
		"211100-002,2,x\n" +
		"211100-003,3,y\n"
	_, probs, err := ReadCSV(strings.NewReader(text), twoCols, ReadOptions{Sheet: "upload.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 1 || probs[0].Row != 2 || !strings.Contains(probs[0].Message, "line 2, column 14") {
		t.Fatalf("problems %+v, want the quote of row 2 reported", probs)
	}
	// A quoted last field that is closed is no problem, with or without a
	// line end after it.
	for _, tail := range []string{"\"闭合\"\n", "\"闭合\"", "\"闭合\"\r\n"} {
		if _, probs, err := ReadCSV(strings.NewReader("单位代码,数值,说明\n211100-001,1,"+tail), twoCols, ReadOptions{}); err != nil || len(probs) != 0 {
			t.Errorf("%q: %v %+v", tail, err, probs)
		}
	}
}
