package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// scanAll collects what Scan hands over.
func scanAll(t testing.TB, data []byte, name string, cols []Column, opts ReadOptions) (*Table, []Row, Problems, error) {
	t.Helper()
	var rows []Row
	tab, probs, err := Scan(data, name, cols, opts, func(r Row) error {
		rows = append(rows, r)
		return nil
	})
	return tab, rows, probs, err
}

// Scan reads what ReadFile reads, row for row and problem for problem.
func TestScanLikeReadFile(t *testing.T) {
	var xlsx, csvData bytes.Buffer
	rows := roundTripRows(300)
	if err := WriteXLSX(&xlsx, []SheetData{{Name: "指标填报", Title: "盘锦市2021年法治政府建设主要指标填报表", Columns: chineseOut, Rows: rows}}); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&csvData, chineseOut, rows); err != nil {
		t.Fatal(err)
	}
	missing := workbook(t, "Sheet1", map[int][]any{1: {"标题"}, 2: {"单位代码", "说明"}, 3: {"1", "x"}})
	for name, tc := range map[string]struct {
		data []byte
		cols []Column
	}{
		"real-shaped":    {realShapedWorkbook(t), indicatorColumns},
		"exported xlsx":  {xlsx.Bytes(), outColumnsIn(chineseOut)},
		"exported csv":   {csvData.Bytes(), outColumnsIn(chineseOut)},
		"missing column": {missing, twoCols},
		"malformed csv":  {[]byte("单位代码,数值\n1,2\n3,\"4\n"), twoCols},
	} {
		t.Run(name, func(t *testing.T) {
			want, wantProbs, err := ReadFile(tc.data, "填报.csv", tc.cols, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tab, got, probs, err := scanAll(t, tc.data, "填报.csv", tc.cols, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if tab.Sheet != want.Sheet || tab.HeaderRow != want.HeaderRow || !reflect.DeepEqual(tab.Headers, want.Headers) || tab.Rows != nil {
				t.Errorf("table %q header row %d %v, want %q %d %v", tab.Sheet, tab.HeaderRow, tab.Headers, want.Sheet, want.HeaderRow, want.Headers)
			}
			if !reflect.DeepEqual(got, want.Rows) {
				t.Errorf("%d rows differ from ReadFile's %d", len(got), len(want.Rows))
			}
			if !equalProblems(probs, wantProbs) {
				t.Errorf("problems %v, want %v", probs, wantProbs)
			}
		})
	}
}

var listColumns = []Column{
	{Key: "seq", Headers: []string{"序号"}},
	{Key: "name", Headers: []string{"违法行为"}, Required: true},
	{Key: "basis", Headers: []string{"法律依据"}},
	{Key: "violated", Headers: []string{"违法依据"}, Required: true},
	{Key: "penalty", Headers: []string{"处罚依据"}},
	{Key: "remark", Headers: []string{"备注"}},
}

// twoRowList is a list as printed: a title, a header in two rows whose group
// cell 法律依据 (itself a column's header) spans 违法依据 and 处罚依据, the
// other headers merged down both rows.
func twoRowList(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s := "Sheet1"
	must(f.SetCellStr(s, "A1", "不予处罚事项清单"))
	must(f.MergeCell(s, "A1", "E1"))
	for ref, text := range map[string]string{"A2": "序号", "B2": "违法行为", "C2": "法律依据", "E2": "备注", "C3": "违法依据", "D3": "处罚依据"} {
		must(f.SetCellStr(s, ref, text))
	}
	for _, m := range [][2]string{{"A2", "A3"}, {"B2", "B3"}, {"C2", "D2"}, {"E2", "E3"}} {
		must(f.MergeCell(s, m[0], m[1]))
	}
	must(f.SetSheetRow(s, "A4", &[]any{1, "未取得许可经营", "《食品安全法》第三十五条", "《食品安全法》第一百二十二条", "首次"}))
	must(f.SetSheetRow(s, "A6", &[]any{2, "超范围经营", "条例第十条", "", ""}))
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestScanTwoRowHeader(t *testing.T) {
	tab, rows, probs, err := scanAll(t, twoRowList(t), "", listColumns, ReadOptions{})
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	if tab.HeaderRow != 3 {
		t.Errorf("header row %d, want 3", tab.HeaderRow)
	}
	refs := map[string]string{}
	for key, c := range tab.Headers {
		refs[key] = c.Ref
	}
	// The group's text names no column: its columns are the row below's.
	if want := map[string]string{"seq": "A2", "name": "B2", "violated": "C3", "penalty": "D3", "remark": "E2"}; !reflect.DeepEqual(refs, want) {
		t.Errorf("headers at %v, want %v", refs, want)
	}
	if len(rows) != 2 || rows[0].Number != 4 || rows[1].Number != 6 {
		t.Fatalf("rows %v", rows)
	}
	if c := rows[0].Cells["violated"]; c.Text != "《食品安全法》第三十五条" || c.Ref != "C4" {
		t.Errorf("C4: %+v", c)
	}
	if c := rows[0].Cells["penalty"]; c.Text != "《食品安全法》第一百二十二条" || c.Ref != "D4" {
		t.Errorf("D4: %+v", c)
	}
	if _, ok := rows[0].Cells["basis"]; ok {
		t.Error("the group's column is read")
	}

	// ReadFile, with its one header row, cannot read it: the reason for
	// Scan's second row.
	if _, p, err := ReadFile(twoRowList(t), "", listColumns, ReadOptions{}); err != nil || len(p) == 0 {
		t.Errorf("ReadFile read a two-row header: %v %v", err, p)
	}

	for name, tc := range map[string]struct {
		csv     string
		header  int
		refs    map[string]string
		numbers []int
	}{
		// The first row is complete on its own; the second adds 处罚依据.
		"complete above": {"违法行为,违法依据,\n,,处罚依据\na,b,c\n", 2,
			map[string]string{"name": "A1", "violated": "B1", "penalty": "C2"}, []int{3}},
		// A data row below a complete header is data, even with a header text in it.
		"data below": {"违法行为,违法依据,备注\n备注,x,y\n", 1,
			map[string]string{"name": "A1", "violated": "B1", "remark": "C1"}, []int{2}},
		// A title above a one-row header stays a title.
		"title above": {"清单,,\n违法行为,违法依据,备注\na,b,\n", 2,
			map[string]string{"name": "A2", "violated": "B2", "remark": "C2"}, []int{3}},
		// Two rows each missing a required column make the header together.
		"both needed": {"违法行为,法律依据,\n,违法依据,处罚依据\n\nx,y,z\n", 2,
			map[string]string{"name": "A1", "violated": "B2", "penalty": "C2"}, []int{4}},
	} {
		t.Run(name, func(t *testing.T) {
			tab, rows, probs, err := scanAll(t, []byte(tc.csv), "清单.csv", listColumns, ReadOptions{})
			if err != nil || len(probs) != 0 {
				t.Fatal(err, probs)
			}
			refs := map[string]string{}
			for key, c := range tab.Headers {
				refs[key] = c.Ref
			}
			var numbers []int
			for _, r := range rows {
				numbers = append(numbers, r.Number)
			}
			if tab.HeaderRow != tc.header || !reflect.DeepEqual(refs, tc.refs) || !equalInts(numbers, tc.numbers) {
				t.Errorf("header row %d at %v, rows %v; want %d %v %v", tab.HeaderRow, refs, numbers, tc.header, tc.refs, tc.numbers)
			}
		})
	}

	// A column named twice across the two rows is a problem at the second.
	_, _, probs, err = scanAll(t, []byte("违法行为,,\n,违法依据,违法依据\na,b,c\n"), "清单.csv", listColumns, ReadOptions{})
	if err != nil || len(probs) != 1 || probs[0].Ref != "C2" || !strings.Contains(probs[0].Message, "duplicate header") {
		t.Errorf("duplicate across rows: %v %v", err, probs)
	}
}

func TestScanStops(t *testing.T) {
	data := twoRowList(t)
	stop := errors.New("enough")
	calls := 0
	_, _, err := Scan(data, "", listColumns, ReadOptions{}, func(Row) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("error %v after %d calls, want the function's after 1", err, calls)
	}
	_, _, err = Scan([]byte("违法行为,违法依据\na,b\n"), "x.csv", listColumns, ReadOptions{}, func(Row) error { return stop })
	if err != stop {
		t.Errorf("CSV: error %v, want the function's", err)
	}
	// The function's panic is its own, not a damaged file.
	for name, data := range map[string][]byte{"xlsx": data, "csv": []byte("违法行为,违法依据\na,b\n")} {
		func() {
			defer func() {
				if p := recover(); p != "boom" {
					t.Errorf("%s: recovered %v, want the function's panic", name, p)
				}
			}()
			_, _, err := Scan(data, "x.csv", listColumns, ReadOptions{}, func(Row) error { panic("boom") })
			t.Errorf("%s: no panic: %v", name, err)
		}()
	}
	// Limits as ReadFile's.
	if _, _, err := Scan(data, "", listColumns, ReadOptions{MaxRows: 1}, func(Row) error { return nil }); !errors.Is(err, ErrTooManyRows) {
		t.Errorf("MaxRows: %v", err)
	}
	if _, _, err := Scan(data, "", listColumns, ReadOptions{MaxFileSize: 100}, func(Row) error { return nil }); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxFileSize: %v", err)
	}
	if _, _, err := Scan([]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), "a.pdf", listColumns, ReadOptions{}, func(Row) error { return nil }); !errors.Is(err, ErrFormat) {
		t.Errorf("PDF: %v", err)
	}
}

func TestXLSXWriter(t *testing.T) {
	x, err := NewXLSXWriter()
	if err != nil {
		t.Fatal(err)
	}
	yellow, err := x.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#FFEB9C"}}})
	if err != nil {
		t.Fatal(err)
	}
	wrap, err := x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true}})
	if err != nil {
		t.Fatal(err)
	}
	cols := []OutColumn{{Key: "code", Header: "编码", Text: true}, {Key: "name", Header: "名称", Width: 30}, {Key: "points", Header: "分值", Number: true}}
	sw, err := x.AddSheet(SheetSpec{Name: "清单", Columns: cols, ColumnStyles: []int{0, wrap, 0},
		Title: "盘锦市不予处罚事项清单", Subtitles: []string{"文号：盘司发〔2021〕5号"},
		Above: [][]OutCell{{{Text: "修改", Style: yellow}, {Text: "2"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.Write([]string{"0012", "第一项", "12.50"}); err != nil {
		t.Fatal(err)
	}
	if err := sw.WriteCells([]OutCell{{Text: "0013"}, {Text: "第二项", Style: yellow, Note: "原值：旧名称"}, {Text: "x"}}); err != nil {
		t.Fatal(err)
	}
	if err := sw.Write([]string{"a", "b", "c", "d"}); err == nil {
		t.Error("a row longer than the columns written")
	}
	if sw.Row() != 7 {
		t.Errorf("last row %d, want 7", sw.Row())
	}
	if _, err := x.AddSheet(SheetSpec{Name: "清单", Columns: cols}); err == nil {
		t.Error("a sheet name given twice")
	}
	sw2, err := x.AddSheet(SheetSpec{Name: "第二", Columns: cols})
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.Write([]string{"late"}); err == nil {
		t.Error("a row written to an ended sheet")
	}
	for i := range 1000 {
		if err := sw2.Write([]string{fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := x.WriteTo(&buf); err == nil {
		t.Error("a workbook written twice")
	}

	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"清单", "第二"}) {
		t.Errorf("sheets %v", got)
	}
	merged, _ := f.GetMergeCells("清单")
	var spans []string
	for _, m := range merged {
		spans = append(spans, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	if !reflect.DeepEqual(spans, []string{"A1:C1", "A2:C2"}) {
		t.Errorf("merged %v", spans)
	}
	panes, _ := f.GetPanes("清单")
	if !panes.Freeze || panes.YSplit != 4 {
		t.Errorf("panes %+v, want frozen below row 4", panes)
	}
	fillOf := func(ref string) []string {
		id, err := f.GetCellStyle("清单", ref)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return s.Fill.Color
	}
	if got := fillOf("A3"); !reflect.DeepEqual(got, []string{"FFEB9C"}) {
		t.Errorf("A3 fill %v", got)
	}
	if got := fillOf("B6"); !reflect.DeepEqual(got, []string{"FFEB9C"}) {
		t.Errorf("B6 fill %v", got)
	}
	if got := fillOf("B5"); len(got) != 0 {
		t.Errorf("B5 fill %v", got)
	}
	comments, _ := f.GetComments("清单")
	if len(comments) != 1 || comments[0].Cell != "B6" || comments[0].Paragraph[0].Text != "原值：旧名称" {
		t.Errorf("comments %+v", comments)
	}
	tab, probs, err := ReadFile(buf.Bytes(), "", []Column{{Key: "code", Headers: []string{"编码"}, Required: true}, {Key: "name", Headers: []string{"名称"}}, {Key: "points", Headers: []string{"分值"}}}, ReadOptions{})
	if err != nil || len(probs) != 0 || tab.HeaderRow != 4 || len(tab.Rows) != 2 {
		t.Fatal(err, probs, tab)
	}
	// "12.50" was written as a number: it reads back as 12.5.
	if r := tab.Rows[0]; r.Text("code") != "0012" || r.Text("name") != "第一项" || r.Text("points") != "12.5" {
		t.Errorf("row 5 reads %v", r.Cells)
	}
	rows, _ := f.GetRows("第二")
	if len(rows) != 1001 || rows[1000][0] != "999" {
		t.Errorf("second sheet has %d rows", len(rows))
	}

	empty, _ := NewXLSXWriter()
	if _, err := empty.WriteTo(&buf); err == nil {
		t.Error("a workbook without sheets written")
	}
}

func TestCSVWriter(t *testing.T) {
	rows := roundTripRows(200)
	var want, got bytes.Buffer
	if err := WriteCSV(&want, chineseOut, rows); err != nil {
		t.Fatal(err)
	}
	cw, err := NewCSVWriter(&got, chineseOut)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := cw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Error("CSVWriter writes otherwise than WriteCSV")
	}
	if err := cw.Write(make([]string, len(chineseOut)+1)); err == nil {
		t.Error("a row longer than the columns written")
	}
}

func TestDateText(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	long, _ := f.NewStyle(&excelize.Style{NumFmt: 31}) // yyyy"年"m"月"d"日"
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"日期"})
	_ = f.SetCellFloat("Sheet1", "A2", 44378, -1, 64)
	_ = f.SetCellStyle("Sheet1", "A2", "A2", date)
	_ = f.SetCellFloat("Sheet1", "A3", 44378, -1, 64)
	_ = f.SetCellStyle("Sheet1", "A3", "A3", long)
	_ = f.SetCellFloat("Sheet1", "A4", 44378, -1, 64)
	buf, _ := f.WriteToBuffer()
	tab, _, err := ReadFile(buf.Bytes(), "", []Column{{Key: "d", Headers: []string{"日期"}}}, ReadOptions{})
	if err != nil || len(tab.Rows) != 3 {
		t.Fatal(err, tab)
	}
	for i, want := range []string{"2021-07-01", "2021-07-01", ""} {
		got, ok := DateText(tab.Rows[i].Cells["d"])
		if got != want || ok != (want != "") {
			t.Errorf("date cell %d (%q shown %q): %q %v, want %q", i, tab.Rows[i].Cells["d"].Text, tab.Rows[i].Cells["d"].Formatted, got, ok, want)
		}
	}
	for text, want := range map[string]string{
		"2021-07-01": "2021-07-01", " 2021/7/1 ": "2021-07-01", "2021.7.1": "2021-07-01", "2021年7月1日": "2021-07-01",
		"2021-02-30": "", "2021-13-01": "", "七月一日": "", "": "", "44378": "",
	} {
		got, ok := DateText(Cell{Text: text, Formatted: text})
		if got != want || ok != (want != "") {
			t.Errorf("DateText(%q) = %q %v, want %q", text, got, ok, want)
		}
	}
}

// Damaged workbooks make errors or problems in Scan too, never a panic; and
// Scan refuses what ReadFile refuses.
func TestScanHostileInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	valid := realShapedWorkbook(t)
	parts := members(t, valid)
	names := []string{"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml"}
	for i := range 200 {
		var data []byte
		if i%2 == 0 {
			data = bytes.Clone(valid)
			for range 1 + rng.IntN(8) {
				data[rng.IntN(len(data))] ^= byte(1 + rng.UintN(255))
			}
		} else {
			name := names[rng.IntN(len(names))]
			x := bytes.Clone(parts[name])
			for range 1 + rng.IntN(20) {
				x[rng.IntN(len(x))] = "<>/\"'=& 0123456789abcdefrvsct"[rng.IntN(29)]
			}
			data = zipOf(t, maps(parts, name, x), nil)
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("input %d panicked: %v", i, p)
				}
			}()
			_, _, errRead := ReadFile(data, "x.xlsx", indicatorColumns, ReadOptions{})
			_, _, _, errScan := scanAll(t, data, "x.xlsx", indicatorColumns, ReadOptions{})
			if (errRead == nil) != (errScan == nil) {
				t.Errorf("input %d: ReadFile %v, Scan %v", i, errRead, errScan)
			}
		}()
	}
}
