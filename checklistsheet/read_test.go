package checklistsheet_test

import (
	"bytes"
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fazhi/fazhi/checklistsheet"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
)

const listSheet = "柔性执法清单"

// realShaped builds the workbook a unit mails back: a merged title and
// document number, a two-row header in traditional characters whose group
// 法律依據 spans 違法依據 and 處罰依據, a date typed as a date, a blank row, and
// then fix sets further cells (by A1 reference) before it is saved.
func realShaped(t testing.TB, fix map[string]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s := listSheet
	must(f.SetSheetName("Sheet1", s))
	must(f.SetCellStr(s, "A1", "盤錦市柔性執法事項清單"))
	must(f.MergeCell(s, "A1", "L1"))
	must(f.SetCellStr(s, "A2", "文號：盤司發〔2021〕5號"))
	must(f.MergeCell(s, "A2", "L2"))
	top := []string{"序號", "事項名稱", "法律依據", "", "適用條件", "行使層級", "評估日期", "分值", "實施機關", "牽頭單位", "備註", "項目編碼"}
	for i, h := range top {
		if h == "" {
			continue
		}
		ref := sheet.CellRef(i+1, 3)
		must(f.SetCellStr(s, ref, h))
		if h == "法律依據" {
			must(f.MergeCell(s, "C3", "D3"))
		} else {
			must(f.MergeCell(s, ref, sheet.CellRef(i+1, 4)))
		}
	}
	must(f.SetCellStr(s, "C4", "違法依據"))
	must(f.SetCellStr(s, "D4", "處罰依據"))
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	must(err)

	rows := map[int][]any{
		5: {1, "未取得食品经营许可从事食品经营", "《食品安全法》第三十五条", "《食品安全法》第一百二十二条", "初次违法且危害后果轻微并及时改正", "市", nil, 5, "盘锦市市场监督管理局", "211100-002", "", "0012"},
		// Row 6 is blank.
		7:  {2, "超范围经营", "《条例》第十条", "", "首次违法", "市,县", "2021/7/1", "3.50", "盘锦市市场监督管理局", "", "已评估", ""},
		8:  {3, "未按规定公示信息", "《条例》第十一条", "", "", "市", "2021-02-30", "", "", "", "", ""},
		9:  {4, "未按规定建立台账", "《条例》第十二条", "", "", "区", "", "", "", "", "", ""},
		10: {5, "未按规定报送材料", "《条例》第十三条", "", "", "", "", "", "不存在局", "", "", ""},
		11: {6, "未按规定张贴标识", "", "", "", "县", "", "十", "", "", "", ""},
		12: {7, "未按规定备案", "《条例》第十四条", "", "", "省", "2021-08-01", "", "盘锦市生态环境局", "", "", ""},
	}
	for n, vals := range rows {
		must(f.SetSheetRow(s, sheet.CellRef(1, n), &vals))
	}
	must(f.SetCellFloat(s, "G5", 44377, -1, 64)) // 2021-06-30, as a date cell
	must(f.SetCellStyle(s, "G5", "G5", date))
	must(f.SetCellStr(s, "L5", "0012"))
	must(f.SetCellStyle(s, "L5", "L5", text))
	for ref, v := range fix {
		must(f.SetCellValue(s, ref, v))
	}
	buf, err := f.WriteToBuffer()
	must(err)
	return buf.Bytes()
}

// fixed are the cells that put realShaped's problems right.
var fixed = map[string]any{"G8": "2021-08-01", "F9": "县", "I10": "盘锦市司法局", "C11": "《条例》第十五条", "H11": 10}

func TestReadReportsEveryBadCell(t *testing.T) {
	kind := testKind(t)
	rows, probs, err := checklistsheet.Read(realShaped(t, nil), "清单.xlsx", kind, resolveUnit)
	if err != nil {
		t.Fatal(err)
	}
	at := func(row, col int, key, msg string) sheet.Problem {
		return sheet.Problem{Sheet: listSheet, Row: row, Col: col, Ref: sheet.CellRef(col, row), Column: key, Message: msg}
	}
	want := sheet.Problems{
		at(8, 7, "reviewDate", "评估日期（reviewDate）must be a date such as 2021-06-01"),
		at(9, 6, "level", "行使层级（level）must be one of 省、市、县、市、县"),
		at(10, 9, checklistsheet.ColUnit, "names no unit"),
		at(11, 3, "violatedProvision", "违法依据（violatedProvision）is required"),
		at(11, 8, "points", "分值（points）must be a number such as 12 or 3.5"),
	}
	if !reflect.DeepEqual(probs, want) {
		t.Errorf("problems:\n%v\nwant:\n%v", strings.ReplaceAll(probs.Error(), "; ", "\n"), strings.ReplaceAll(want.Error(), "; ", "\n"))
	}
	// The messages are the models' own: the API says the same.
	it := models.ChecklistItem{Sequence: 1, Name: "x", Attributes: map[string]string{"violatedProvision": "x", "points": "十"}}
	var ve *models.ValidationError
	if err := it.Validate(kind, nil, ""); !errors.As(err, &ve) || ve.Fields[0].Message != want[4].Message {
		t.Errorf("the model says %v", err)
	}
	var numbers []int
	for _, r := range rows {
		numbers = append(numbers, r.Number)
	}
	if !reflect.DeepEqual(numbers, []int{5, 7, 12}) {
		t.Errorf("rows without problems %v, want 5, 7 and 12 (6 is blank)", numbers)
	}
}

func TestReadFixedFile(t *testing.T) {
	kind := testKind(t)
	rows, probs, err := checklistsheet.Read(realShaped(t, fixed), "清单.xlsx", kind, resolveUnit)
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	if len(rows) != 7 {
		t.Fatalf("%d rows, want 7", len(rows))
	}
	want5 := models.ChecklistItem{Sequence: 1, Name: "未取得食品经营许可从事食品经营", ImplementingUnitID: ptr("u-scjg"),
		Attributes: map[string]string{
			"violatedProvision": "《食品安全法》第三十五条", "penaltyProvision": "《食品安全法》第一百二十二条",
			"conditions": "初次违法且危害后果轻微并及时改正", "level": "市", "reviewDate": "2021-06-30",
			"points": "5", "leadUnit": "u-sfj", "itemCode": "0012",
		}}
	if got := rows[0].Item; !reflect.DeepEqual(got, want5) {
		t.Errorf("row 5:\n%+v\nwant\n%+v", got, want5)
	}
	// Separators of several levels, a date typed as text, a number's
	// scale as typed, a remark.
	r7 := rows[1].Item
	if r7.Attributes["level"] != "市、县" || r7.Attributes["reviewDate"] != "2021-07-01" || r7.Attributes["points"] != "3.50" || r7.Remark != "已评估" {
		t.Errorf("row 7: %+v", r7)
	}
	if r11 := rows[5].Item; r11.Attributes["points"] != "10" || r11.Attributes["violatedProvision"] != "《条例》第十五条" {
		t.Errorf("row 11: %+v", r11)
	}
	// The group header 法律依据 is no column: the items' legal basis is
	// not in this sheet, and an import keeps it.
	if rows[0].Item.LegalBasis != "" {
		t.Errorf("legal basis %q read from a group header", rows[0].Item.LegalBasis)
	}
	plan, probs := planImport(t, rows, nil, checklistsheet.PlanOptions{})
	if len(probs) != 0 || len(plan.Create) != 7 || plan.Empty() {
		t.Fatalf("plan of a new list: %+v %v", plan, probs)
	}
}

func TestReadRefuses(t *testing.T) {
	kind := testKind(t)
	for name, tc := range map[string]struct {
		csv  string
		want []string // problems as strings
	}{
		"no items": {"序号,事项名称,违法依据\n\n1,,\n2, ,\n", []string{"清单 row 1: the sheet has no items below its header"}},
		"required column missing": {"序号,事项名称,适用条件\n1,a,b\n",
			[]string{`清单 row 1 (violatedProvision): required column "违法依据" is missing from the header row`}},
		"keys and sequences": {"序号,事项名称,违法依据,事项编码\n1,a,x,k1\n,b,x,k2\n2.5,c,x,\n3,d,x,k1\n0,e,x,\n4,f,x,k 5\n", []string{
			`清单!A3 (sequence): a sequence (序号) is required: it orders the list`,
			`清单!A4 (sequence): the sequence (序号) is a whole number, not "2.5"`,
			`清单!D5 (itemKey): item key k1 is also row 2's: a row that copies another needs its 事项编码 cleared`,
			`清单!A6 (sequence): the sequence starts at 1`,
			`清单!D7 (itemKey): an item key (事项编码) is the one an export wrote, up to 64 letters, digits, dots, dashes and underscores; leave it blank for a new item`,
		}},
		// A legal reference and a long text may hold line breaks (C4, E4): a
		// basis often cites several articles, one a line.
		"texts": {"序号,事项名称,违法依据,类别,适用条件\n1,\"a\u202eb\",x,,\n2,,x,,\n3,c,\"x\ny\",,\"x\ny\"\n4,d,x," + strings.Repeat("类", 101) + ",\n", []string{
			`清单!B2 (name): the text holds a bidirectional control (U+202E), which no text may hold`,
			`清单!B3 (name): an item needs a name`,
			`清单!D5 (category): has 101 characters, more than 100`,
		}},
	} {
		t.Run(name, func(t *testing.T) {
			_, probs, err := checklistsheet.Read([]byte(tc.csv), "清单.csv", kind, resolveUnit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range probs {
				got = append(got, p.String())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	if _, _, err := checklistsheet.Read([]byte("%PDF-1.4\n"), "a.pdf", kind, resolveUnit); !errors.Is(err, sheet.ErrFormat) {
		t.Errorf("a PDF: %v", err)
	}
}

// A kind's own headers name its fields; generic ones and keys are read too.
func TestColumns(t *testing.T) {
	headers := func(kind *models.ChecklistKind) []string {
		var out []string
		for _, c := range checklistsheet.Columns(kind) {
			out = append(out, c.Header)
		}
		return out
	}
	if got, want := headers(builtIn(t, "noPenalty")), []string{"序号", "监管领域", "违法行为", "法律依据", "违法依据", "处罚依据", "适用条件", "实施机关", "备注", "事项编码"}; !reflect.DeepEqual(got, want) {
		t.Errorf("noPenalty headers %v, want %v", got, want)
	}
	if got := headers(builtIn(t, "certificates")); got[2] != "证明名称" || got[3] != "设定依据" {
		t.Errorf("certificates headers %v", got)
	}
	// Every built-in kind's columns compile into a sheet (no header names
	// two columns).
	for _, k := range models.BuiltInKinds() {
		if _, probs, err := checklistsheet.Read([]byte("x\n"), "x.csv", &k, nil); err != nil || len(probs) == 0 {
			t.Errorf("%s: %v %v", k.Key, err, probs)
		}
	}
	// A custom kind whose column takes a common field's header: the
	// column wins, the field keeps its other headers.
	k := &models.ChecklistKind{Key: "custom", Name: "自定义清单", Columns: []models.KindColumn{
		{Key: "note", Label: "备注", Type: models.ColumnText},
		{Key: "remarks", Label: "remark", Type: models.ColumnText},
	}}
	cols := checklistsheet.Columns(k)
	byKey := map[string]checklistsheet.Column{}
	for _, c := range cols {
		byKey[c.Key] = c
	}
	if h := byKey[checklistsheet.ColRemark]; h.Header != "备注（remark）" {
		t.Errorf("remark headers %v", h.Headers)
	}
	if h := byKey["note"].Headers; !reflect.DeepEqual(h, []string{"备注", "note"}) {
		t.Errorf("note headers %v", h)
	}
	// 备注 and NOTE name the same column: the second is a duplicate.
	_, probs, err := checklistsheet.Read([]byte("序号,名称,备注,NOTE\n1,a,b,\n"), "x.csv", k, nil)
	if err != nil || len(probs) != 1 || probs[0].Ref != "D1" || !strings.Contains(probs[0].Message, "duplicate header") {
		t.Errorf("%v %v", probs, err)
	}
	rows, probs, err := checklistsheet.Read([]byte("序号,名称,note,备注（remark）\n1,a,b,c\n"), "x.csv", k, nil)
	if err != nil || len(probs) != 0 || !maps.Equal(rows[0].Item.Attributes, map[string]string{"note": "b"}) || rows[0].Item.Remark != "c" {
		t.Errorf("%+v %v %v", rows, probs, err)
	}
}

func TestReadEnumsAndUnitsLeniently(t *testing.T) {
	kind := testKind(t)
	csv := "序号,名称,违法依据,行使层级,实施单位,牵头单位\n" +
		"1,a,x,市 / 县,211100-001,盘锦市司法局\n" +
		"2,b,x,縣,盘锦市司法局,\n"
	rows, probs, err := checklistsheet.Read([]byte(csv), "x.csv", kind, resolveUnit)
	if err != nil || len(probs) != 0 {
		t.Fatal(err, probs)
	}
	if a := rows[0].Item; a.Attributes["level"] != "市、县" || *a.ImplementingUnitID != "u-scjg" || a.Attributes["leadUnit"] != "u-sfj" {
		t.Errorf("row 2: %+v", a)
	}
	if b := rows[1].Item; b.Attributes["level"] != "县" || *b.ImplementingUnitID != "u-sfj" {
		t.Errorf("row 3: %+v", b)
	}
	if _, ok := rows[1].Item.Attributes["leadUnit"]; ok {
		t.Error("a blank cell is an attribute")
	}
}

func TestRealShapedWorkbookOpens(t *testing.T) {
	// The fixture is a workbook Excel opens: excelize reads it back.
	f, err := excelize.OpenReader(bytes.NewReader(realShaped(t, fixed)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue(listSheet, "G5"); v == "44377" {
		t.Error("G5 is not a date cell")
	}
}
