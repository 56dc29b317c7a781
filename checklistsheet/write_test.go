package checklistsheet_test

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fazhi/fazhi/checklistsheet"
	"github.com/fazhi/fazhi/models"
)

// awkwardItems are items whose texts a spreadsheet likes to change: a
// formula, a code with leading zeros, line breaks of both kinds, white
// space around a text, a number's trailing zeros, a date, units of both
// kinds, an attribute blank and one absent.
func awkwardItems() []models.ChecklistItem {
	return stored([]models.ChecklistItem{
		{Sequence: 1, Name: "未取得食品经营许可从事食品经营", ImplementingUnitID: ptr("u-scjg"), LegalBasis: "《行政处罚法》第三十三条",
			Category: "市场监管", Remark: "", Attributes: map[string]string{
				"violatedProvision": "《食品安全法》第三十五条", "penaltyProvision": "《食品安全法》第一百二十二条",
				"conditions": "初次违法\n危害后果轻微\r\n及时改正", "level": "市、县", "reviewDate": "2021-06-30",
				"points": "12.50", "leadUnit": "u-sfj", "itemCode": "0012"}},
		{Sequence: 2, Name: "=HYPERLINK(\"x\")", LegalBasis: "-《条例》", Remark: " 前后有空格 ", Attributes: map[string]string{
			"violatedProvision": "@《条例》第十条", "points": "-3", "level": ""}},
		{Sequence: 3, Name: "超范围经营", ImplementingUnitID: ptr("u-hbj"), Attributes: map[string]string{
			"violatedProvision": "《条例》第十一条", "points": "0.000001", "itemCode": "211100-001"}},
		// Sequences need not follow one another.
		{Sequence: 10, Name: "未按规定公示", Attributes: map[string]string{"violatedProvision": "《条例》第十二条", "conditions": "甲\n\n乙"}},
	})
}

func TestExportReimportsUnchanged(t *testing.T) {
	kind := testKind(t)
	items := awkwardItems()
	noPenalty := builtIn(t, "noPenalty")
	lenient := stored([]models.ChecklistItem{
		{Sequence: 1, Name: "首次违法", Category: "生态环境", ImplementingUnitID: ptr("u-hbj"), Attributes: map[string]string{
			"violatedProvision": "《环境保护法》第四十二条", "penaltyProvision": "《环境保护法》第五十九条", "conditions": "初次违法\n及时改正"}},
	})
	for _, tc := range []struct {
		name  string
		kind  *models.ChecklistKind
		items []models.ChecklistItem
	}{
		{"all types", kind, items},
		{"noPenalty", noPenalty, lenient},
	} {
		for _, format := range []string{"xlsx", "csv"} {
			t.Run(tc.name+" "+format, func(t *testing.T) {
				var buf bytes.Buffer
				var err error
				if format == "xlsx" {
					err = checklistsheet.WriteXLSX(&buf, list, tc.kind, seq(tc.items), unitName)
				} else {
					err = checklistsheet.WriteCSV(&buf, tc.kind, seq(tc.items), unitName)
				}
				if err != nil {
					t.Fatal(err)
				}
				rows, probs, err := checklistsheet.Read(buf.Bytes(), "清单."+format, tc.kind, resolveUnit)
				if err != nil || len(probs) != 0 {
					t.Fatal(err, probs)
				}
				plan, probs := planImport(t, rows, tc.items, checklistsheet.PlanOptions{DeleteMissing: true})
				if len(probs) != 0 {
					t.Fatal(probs)
				}
				if !plan.Empty() || plan.Unchanged != len(tc.items) {
					for _, u := range plan.Update {
						t.Errorf("row %d changes %+v", u.Row, u.Changes(tc.kind))
					}
					t.Fatalf("plan: %d creates, %d updates, %d deletes, %d unchanged", len(plan.Create), len(plan.Update), len(plan.Delete), plan.Unchanged)
				}
			})
		}
	}
}

func TestWriteXLSXLayout(t *testing.T) {
	kind := testKind(t)
	var buf bytes.Buffer
	if err := checklistsheet.WriteXLSX(&buf, list, kind, seq(awkwardItems()), unitName); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := checklistsheet.SheetName(kind)
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"柔性执法事项清单"}) {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows(s)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "盘锦市柔性执法事项清单" || rows[1][0] != "文号：盘司发〔2021〕5号　第2版　生效日期：2021-07-01" {
		t.Errorf("rows above the header: %q %q", rows[0][0], rows[1][0])
	}
	wantHeader := []string{"序号", "类别", "事项名称", "法律依据", "违法依据", "处罚依据", "适用条件", "行使层级", "评估日期", "分值", "牵头单位", "项目编码", "实施单位", "备注", "事项编码"}
	if !reflect.DeepEqual(rows[2], wantHeader) {
		t.Errorf("header %v", rows[2])
	}
	if len(rows) != 3+4 {
		t.Errorf("%d rows", len(rows))
	}
	if rows[3][12] != "盘锦市市场监督管理局" || rows[3][10] != "盘锦市司法局" {
		t.Errorf("units written as %q, %q", rows[3][12], rows[3][10])
	}
	panes, _ := f.GetPanes(s)
	if !panes.Freeze || panes.YSplit != 3 {
		t.Errorf("panes %+v: the header is not frozen", panes)
	}
	if w, _ := f.GetColWidth(s, "C"); w != 36 {
		t.Errorf("name column %v wide", w)
	}
	if w, _ := f.GetColWidth(s, "O"); w != 38 {
		t.Errorf("item key column %v wide", w)
	}
	// Codes are text: Excel keeps 0012 as typed.
	style, _ := f.GetCellStyle(s, "L4")
	if st, _ := f.GetStyle(style); st == nil || st.NumFmt != 49 {
		t.Errorf("code cell L4 style %+v", st)
	}
	// Sequences and numbers are numbers.
	if v, _ := f.GetCellValue(s, "J4", excelize.Options{RawCellValue: true}); v != "12.5" {
		t.Errorf("J4 %q, want the number 12.5", v)
	}
}

func TestWriteCSV(t *testing.T) {
	kind := testKind(t)
	var buf bytes.Buffer
	if err := checklistsheet.WriteCSV(&buf, kind, seq(awkwardItems()), unitName); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF序号,类别,事项名称,")) {
		t.Errorf("CSV starts %q", data[:min(len(data), 40)])
	}
	lines := strings.Split(string(data), "\r\n")
	if !strings.HasPrefix(lines[1], "1,市场监管,未取得食品经营许可从事食品经营,") {
		t.Errorf("first item line %q", lines[1])
	}
	// A formula is escaped, as sheet.WriteCSV does.
	if !strings.Contains(string(data), `'=HYPERLINK(""x"")`) {
		t.Error("formula not escaped")
	}
}

func TestWriteStopsOnError(t *testing.T) {
	kind := testKind(t)
	broken := errors.New("cursor lost")
	items := func(yield func(models.ChecklistItem, error) bool) {
		if yield(awkwardItems()[0], nil) {
			yield(models.ChecklistItem{}, broken)
		}
	}
	var buf bytes.Buffer
	if err := checklistsheet.WriteXLSX(&buf, list, kind, items, unitName); !errors.Is(err, broken) {
		t.Errorf("WriteXLSX: %v", err)
	}
	if err := checklistsheet.WriteCSV(&buf, kind, items, unitName); !errors.Is(err, broken) {
		t.Errorf("WriteCSV: %v", err)
	}
}

// many yields n items of the kind without holding them.
func many(n int) iter.Seq2[models.ChecklistItem, error] {
	return func(yield func(models.ChecklistItem, error) bool) {
		for i := range n {
			it := models.ChecklistItem{
				ID: itemID(i), ItemKey: fmt.Sprintf("0190a000-0000-7000-8000-%012d", i), Sequence: i + 1,
				Name:               fmt.Sprintf("未按规定公示经营信息（第%d项）", i),
				ImplementingUnitID: ptr([]string{"u-scjg", "u-sfj", "u-hbj"}[i%3]),
				LegalBasis:         "《中华人民共和国行政处罚法》第三十三条第一款",
				Category:           []string{"市场监管", "生态环境", "交通运输", "文化旅游"}[i%4],
				Attributes: map[string]string{
					"violatedProvision": fmt.Sprintf("《盘锦市市场监督管理条例》第%d条", i%200+1),
					"penaltyProvision":  fmt.Sprintf("《盘锦市市场监督管理条例》第%d条", i%200+2),
					"conditions":        "初次违法且危害后果轻微并及时改正的，不予行政处罚。",
				},
			}
			if !yield(it, nil) {
				return
			}
		}
	}
}
