package sheet

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const fixturePath = "testdata/real-shaped.xlsx"

// indicatorColumns is how the indicator import will describe its columns.
var indicatorColumns = []Column{
	{Key: "indicator_code", Headers: []string{"指標編碼", "指標代碼", "indicator code"}, Required: true},
	{Key: "indicator_name", Headers: []string{"指標名稱", "indicator name"}},
	{Key: "unit_code", Headers: []string{"單位代碼", "單位編碼", "unit code"}, Required: true},
	{Key: "unit_name", Headers: []string{"單位名稱", "unit name"}},
	{Key: "measure", Headers: []string{"計量單位", "unit of measure"}},
	{Key: "value", Headers: []string{"數值", "填報值", "value"}, Required: true},
	{Key: "note", Headers: []string{"說明", "備註", "note"}},
}

// realShapedWorkbook builds the kind of workbook a unit mails back: a merged
// title row, headers in traditional characters, a blank row, values typed
// every which way.
func realShapedWorkbook(t testing.TB) []byte {
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
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	must(err)
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // @
	must(err)

	must(f.SetCellStr(s, "A1", "盤錦市2021年法治政府建設主要指標填報表"))
	must(f.MergeCell(s, "A1", "G1"))
	for i, h := range []string{"指標編碼", "指標名稱", "單位代碼", "單位名稱", "計量單位", "數值", "說明"} {
		must(f.SetCellStr(s, CellRef(i+1, 2), h))
	}
	// Row 3: a code typed as a number, a plain number.
	must(f.SetCellInt(s, "A3", 17))
	must(f.SetCellStr(s, "B3", "政務服務事項即辦率"))
	must(f.SetCellStr(s, "C3", "211100-001"))
	must(f.SetCellStyle(s, "C3", "C3", text))
	must(f.SetCellStr(s, "D3", "盤錦市營商環境建設局"))
	must(f.SetCellStr(s, "E3", "%"))
	must(f.SetCellInt(s, "F3", 50))
	must(f.SetCellStr(s, "G3", "以上"))
	// Row 4 is blank.
	// Row 5: "58.10%" typed as text.
	must(f.SetCellStr(s, "A5", "18"))
	must(f.SetCellStr(s, "B5", "遼事通APP實名註冊率"))
	must(f.SetCellStr(s, "C5", "211100-001"))
	must(f.SetCellStr(s, "D5", "盤錦市營商環境建設局"))
	must(f.SetCellStr(s, "E5", "%"))
	must(f.SetCellStr(s, "F5", "58.10%"))
	// Row 6: the same value as a number with a percent format.
	must(f.SetCellStr(s, "A6", "18"))
	must(f.SetCellStr(s, "B6", "遼事通APP實名註冊率"))
	must(f.SetCellStr(s, "C6", "211100-002"))
	must(f.SetCellStr(s, "D6", "盤錦市大洼區"))
	must(f.SetCellStr(s, "E6", "%"))
	must(f.SetCellFloat(s, "F6", 0.581, -1, 64))
	must(f.SetCellStyle(s, "F6", "F6", pct))
	// Row 7: a bad number.
	must(f.SetCellStr(s, "A7", "20"))
	must(f.SetCellStr(s, "B7", "行政復議案件數"))
	must(f.SetCellStr(s, "C7", "211100-001"))
	must(f.SetCellStr(s, "D7", "盤錦市司法局"))
	must(f.SetCellStr(s, "E7", "件"))
	must(f.SetCellStr(s, "F7", "12a"))
	must(f.SetCellStr(s, "G7", "市本級"))
	// Row 8: a number as Excel writes it, with its binary artefact.
	must(f.SetCellStr(s, "A8", "21"))
	must(f.SetCellStr(s, "B8", "調解成功率"))
	must(f.SetCellStr(s, "C8", "211100-003"))
	must(f.SetCellStr(s, "D8", "盤錦市雙台子區"))
	must(f.SetCellStr(s, "E8", "%"))
	must(f.SetCellDefault(s, "F8", "0.58099999999999996"))
	// A note outside the table's columns, on a row of its own, is kept.
	must(f.SetCellStr(s, "I10", "填表人：張三"))

	buf, err := f.WriteToBuffer()
	must(err)
	return buf.Bytes()
}

type wantCell struct {
	ref, key, text, formatted string
	row, col                  int
}

func checkRealShaped(t *testing.T, data []byte, opts ReadOptions) {
	t.Helper()
	tab, probs, err := ReadXLSX(bytes.NewReader(data), int64(len(data)), indicatorColumns, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	if tab.Sheet != "指標填報" || tab.HeaderRow != 2 {
		t.Fatalf("sheet %q header row %d", tab.Sheet, tab.HeaderRow)
	}
	if h := tab.Headers["value"]; h.Ref != "F2" || h.Text != "數值" {
		t.Errorf("value header %+v", h)
	}
	var numbers []int
	for _, r := range tab.Rows {
		numbers = append(numbers, r.Number)
	}
	if want := []int{3, 5, 6, 7, 8, 10}; !equalInts(numbers, want) {
		t.Fatalf("row numbers %v, want %v (blank row 4 and 9 skipped)", numbers, want)
	}
	byRow := map[int]Row{}
	for _, r := range tab.Rows {
		byRow[r.Number] = r
	}
	for _, w := range []wantCell{
		{"A3", "indicator_code", "17", "17", 3, 1},
		{"C3", "unit_code", "211100-001", "211100-001", 3, 3},
		{"F3", "value", "50", "50", 3, 6},
		{"G3", "note", "以上", "以上", 3, 7},
		{"F5", "value", "58.10%", "58.10%", 5, 6},
		{"G5", "note", "", "", 5, 7},
		{"F6", "value", "0.581", "58.10%", 6, 6},
		{"C6", "unit_code", "211100-002", "211100-002", 6, 3},
		{"F7", "value", "12a", "12a", 7, 6},
		{"F8", "value", "0.581", "0.581", 8, 6},
		{"A10", "indicator_code", "", "", 10, 1},
	} {
		c, ok := byRow[w.row].Cells[w.key]
		if !ok {
			t.Errorf("%s: no cell %q", w.ref, w.key)
			continue
		}
		if c.Ref != w.ref || c.Row != w.row || c.Col != w.col || c.Sheet != "指標填報" || c.Column != w.key {
			t.Errorf("%s: position %s row %d col %d sheet %q column %q", w.ref, c.Ref, c.Row, c.Col, c.Sheet, c.Column)
		}
		if c.Text != w.text || c.Formatted != w.formatted {
			t.Errorf("%s: text %q formatted %q, want %q %q", w.ref, c.Text, c.Formatted, w.text, w.formatted)
		}
	}
	for ref, want := range map[string]string{"F5": "58.10", "F6": "58.10"} {
		row := map[string]int{"F5": 5, "F6": 6}[ref]
		if got, ok := PercentText(byRow[row].Cells["value"]); !ok || got != want {
			t.Errorf("PercentText(%s) = %q %v, want %q", ref, got, ok, want)
		}
	}
	if _, ok := PercentText(byRow[3].Cells["value"]); ok {
		t.Error("PercentText of a plain 50 is a percentage")
	}

	// A caller's dry run: each bad cell by position.
	if got := validate(tab); !equalProblems(got, Problems{
		{Sheet: "指標填報", Row: 7, Col: 6, Ref: "F7", Column: "value", Message: `"12a" is not a number`},
		{Sheet: "指標填報", Row: 10, Col: 1, Ref: "A10", Column: "indicator_code", Message: "required"},
		{Sheet: "指標填報", Row: 10, Col: 3, Ref: "C10", Column: "unit_code", Message: "required"},
		{Sheet: "指標填報", Row: 10, Col: 6, Ref: "F10", Column: "value", Message: "required"},
	}) {
		t.Errorf("dry run problems:\n%v", got)
	}
}

var decimalRE = regexp.MustCompile(`^-?\d+(\.\d+)?$`)

// validate is what an import's dry run does with a table, in miniature.
func validate(tab *Table) Problems {
	var probs Problems
	for _, r := range tab.Rows {
		for _, key := range []string{"indicator_code", "unit_code", "value"} {
			c := r.Cells[key]
			if c.Blank() {
				probs = append(probs, c.Problem("required"))
				continue
			}
			if key != "value" {
				continue
			}
			v := c.Text
			if p, ok := PercentText(c); ok {
				v = p
			}
			if !decimalRE.MatchString(v) {
				probs = append(probs, c.Problem("%q is not a number", c.Text))
			}
		}
	}
	probs.Sort()
	return probs
}

func TestRealShapedFixture(t *testing.T) {
	data := realShapedWorkbook(t)
	if *update {
		if err := os.MkdirAll(filepath.Dir(fixturePath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fixturePath, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("built", func(t *testing.T) { checkRealShaped(t, data, ReadOptions{}) })
	t.Run("golden", func(t *testing.T) {
		golden, err := os.ReadFile(fixturePath)
		if err != nil {
			t.Fatalf("%v (run go test ./sheet -run TestRealShapedFixture -update)", err)
		}
		checkRealShaped(t, golden, ReadOptions{})
	})
	// Parts spilled to temporary files (and so the two passes in turn).
	t.Run("temp files", func(t *testing.T) { checkRealShaped(t, data, ReadOptions{UnzipXMLSizeLimit: 1}) })
	t.Run("sequential", func(t *testing.T) {
		readSequentially = true
		defer func() { readSequentially = false }()
		checkRealShaped(t, data, ReadOptions{})
	})
}

// TestRealShapedFixedExport fixes the fixture's bad cells, checks that the
// dry run is then clean, exports the table and reads the export back
// unchanged.
func TestRealShapedFixedExport(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(realShapedWorkbook(t)))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr("指標填報", "F7", "12"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr("指標填報", "I10", ""); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	tab, probs, err := ReadXLSX(buf, int64(buf.Len()), indicatorColumns, ReadOptions{})
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	if p := validate(tab); len(p) != 0 {
		t.Fatalf("fixed file still has problems: %v", p)
	}

	// Export what was read (values as the caller would store them) and
	// read the export back.
	out := SheetData{Name: "指標填報", Title: "盤錦市2021年法治政府建設主要指標填報表"}
	for _, c := range indicatorColumns {
		out.Columns = append(out.Columns, OutColumn{Key: c.Key, Header: c.Headers[0], Text: c.Key != "value"})
	}
	var rows [][]string
	for _, r := range tab.Rows {
		var row []string
		for _, c := range indicatorColumns {
			v := r.Cells[c.Key].Text
			if p, ok := PercentText(r.Cells[c.Key]); ok && c.Key == "value" {
				v = p
			}
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	out.Rows = rows
	var exported bytes.Buffer
	if err := WriteXLSX(&exported, []SheetData{out}); err != nil {
		t.Fatal(err)
	}
	again, probs, err := ReadXLSX(&exported, int64(exported.Len()), indicatorColumns, ReadOptions{})
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	if len(again.Rows) != len(rows) {
		t.Fatalf("%d rows back, want %d", len(again.Rows), len(rows))
	}
	for i, r := range again.Rows {
		for j, c := range indicatorColumns {
			if got := r.Cells[c.Key].Text; got != rows[i][j] {
				t.Errorf("row %d %s: %q, want %q", r.Number, c.Key, got, rows[i][j])
			}
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalProblems(a, b Problems) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
