package checklistsheet_test

import (
	"bytes"
	"maps"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fazhi/fazhi/checklistsheet"
	"github.com/fazhi/fazhi/models"
)

// versions are two versions of a list: A renamed and given another lead
// unit, B removed, C unchanged, E moved before D, F added.
func versions() (from, to []models.ChecklistItem) {
	item := func(key string, seq int, name string) models.ChecklistItem {
		return models.ChecklistItem{ItemKey: key, Sequence: seq, Name: name, LegalBasis: "《行政处罚法》第三十三条",
			Attributes: map[string]string{"violatedProvision": "《条例》第" + key + "条", "leadUnit": "u-sfj", "level": "市"}}
	}
	from = []models.ChecklistItem{item("A", 1, "甲"), item("B", 2, "乙"), item("C", 3, "丙"), item("D", 4, "丁"), item("E", 5, "戊")}
	to = []models.ChecklistItem{item("A", 1, "甲（修订）"), item("C", 2, "丙"), item("E", 3, "戊"), item("D", 4, "丁"), item("F", 5, "己")}
	to[0].Attributes = maps.Clone(to[0].Attributes)
	to[0].Attributes["leadUnit"] = "u-hbj"
	return from, to
}

func TestWriteDiffXLSX(t *testing.T) {
	kind := testKind(t)
	fromItems, toItems := versions()
	diff := models.DiffChecklists(kind, fromItems, toItems)
	if len(diff.Added) != 1 || len(diff.Removed) != 1 || len(diff.Changed) != 1 || len(diff.Moved) != 1 {
		t.Fatalf("diff %+v", diff)
	}
	from, to := *list, *list
	from.VersionNo, from.DocumentNumber, from.EffectiveDate = 1, "盘司发〔2020〕9号", nil
	var buf bytes.Buffer
	if err := checklistsheet.WriteDiffXLSX(&buf, kind, &from, &to, &diff, unitName); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const s = "版本对比"
	rows, err := f.GetRows(s)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "盘锦市柔性执法事项清单 版本对比" || rows[1][0] != "第1版（文号：盘司发〔2020〕9号） → 第2版（文号：盘司发〔2021〕5号，生效日期：2021-07-01）" {
		t.Errorf("title rows %q %q", rows[0][0], rows[1][0])
	}
	// The counts, in their colours.
	for i, want := range [][2]string{{"新增", "1"}, {"删除", "1"}, {"修改", "1"}, {"移动", "1"}} {
		if got := rows[2+i][:2]; !reflect.DeepEqual(got, want[:]) {
			t.Errorf("count row %d: %v, want %v", 3+i, got, want)
		}
	}
	header := rows[6]
	col := map[string]string{} // header → column letters
	for i, h := range header {
		name, _ := excelize.ColumnNumberToName(i + 1)
		col[h] = name
	}
	if header[0] != "变更" || header[1] != "序号" || header[2] != "原序号" || header[len(header)-1] != "原值" || col["事项名称"] == "" || col["牵头单位"] == "" {
		t.Fatalf("header %v", header)
	}
	panes, _ := f.GetPanes(s)
	if !panes.Freeze || panes.YSplit != 7 {
		t.Errorf("panes %+v", panes)
	}
	// Rows by what happened.
	byChange := map[string]int{} // 变更 → row number
	for i, r := range rows[7:] {
		byChange[r[0]] = i + 8
	}
	if len(byChange) != 4 || byChange["新增"] == 0 || byChange["删除"] == 0 || byChange["修改"] == 0 || byChange["移动"] == 0 {
		t.Fatalf("rows %v", rows[7:])
	}
	styleOf := func(ref string) *excelize.Style {
		t.Helper()
		id, err := f.GetCellStyle(s, ref)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	fill := func(ref string) string {
		if c := styleOf(ref).Fill.Color; len(c) == 1 {
			return c[0]
		}
		return ""
	}
	cell := func(column string, row int) string { return col[column] + strconv.Itoa(row) }
	value := func(ref string) string { v, _ := f.GetCellValue(s, ref); return v }

	if r := byChange["新增"]; fill(cell("事项名称", r)) != checklistsheet.FillAdded || fill("A"+strconv.Itoa(r)) != checklistsheet.FillAdded || value(cell("事项名称", r)) != "己" {
		t.Errorf("added row %d: fill %q, name %q", r, fill(cell("事项名称", r)), value(cell("事项名称", r)))
	}
	r := byChange["删除"]
	if st := styleOf(cell("事项名称", r)); fill(cell("事项名称", r)) != checklistsheet.FillRemoved || st.Font == nil || !st.Font.Strike || value(cell("事项名称", r)) != "乙" || value(cell("原序号", r)) != "2" {
		t.Errorf("removed row %d: fill %q, font %+v", r, fill(cell("事项名称", r)), st.Font)
	}
	r = byChange["修改"]
	if fill(cell("事项名称", r)) != checklistsheet.FillChanged || fill(cell("牵头单位", r)) != checklistsheet.FillChanged {
		t.Errorf("changed cells of row %d not yellow", r)
	}
	if got := fill(cell("法律依据", r)); got != "" {
		t.Errorf("unchanged cell of a changed row filled %q", got)
	}
	if value(cell("事项名称", r)) != "甲（修订）" || value(cell("牵头单位", r)) != "盘锦市生态环境局" {
		t.Errorf("changed row %d shows %q %q", r, value(cell("事项名称", r)), value(cell("牵头单位", r)))
	}
	notes := map[string]string{}
	comments, _ := f.GetComments(s)
	for _, c := range comments {
		var text strings.Builder
		for _, p := range c.Paragraph {
			text.WriteString(p.Text)
		}
		notes[c.Cell] = text.String()
	}
	if want := map[string]string{cell("事项名称", r): "原值：甲", cell("牵头单位", r): "原值：盘锦市司法局"}; !reflect.DeepEqual(notes, want) {
		t.Errorf("notes %v, want %v", notes, want)
	}
	if got := value(cell("原值", r)); got != "名称：甲\n牵头单位：盘锦市司法局" {
		t.Errorf("原值 %q", got)
	}
	r = byChange["移动"]
	m := diff.Moved[0]
	if fill(cell("序号", r)) != checklistsheet.FillMoved || fill(cell("原序号", r)) != checklistsheet.FillMoved ||
		value(cell("序号", r)) != strconv.Itoa(m.ToSequence) || value(cell("原序号", r)) != strconv.Itoa(m.FromSequence) || value(cell("事项编码", r)) != m.ItemKey {
		t.Errorf("moved row %d", r)
	}
	if got := fill("A3"); got != checklistsheet.FillAdded {
		t.Errorf("count of added filled %q", got)
	}
}

func TestWriteDiffXLSXEmpty(t *testing.T) {
	kind := builtIn(t, "certificates")
	var buf bytes.Buffer
	if err := checklistsheet.WriteDiffXLSX(&buf, kind, list, list, &models.ChecklistDiff{}, nil); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("版本对比")
	if len(rows) != 7 || rows[2][1] != "0" {
		t.Errorf("rows %v", rows)
	}
}

// Notes stop at 5,000, the values before stay in 原值, and the counts say
// so.
func TestWriteDiffXLSXNotesBounded(t *testing.T) {
	kind := builtIn(t, "noPenalty")
	var from, to []models.ChecklistItem
	for it := range many(2600) {
		from = append(from, it)
		it.Name += "（修订）"
		it.Category += "领域"
		to = append(to, it)
	}
	diff := models.DiffChecklists(kind, from, to)
	var buf bytes.Buffer
	if err := checklistsheet.WriteDiffXLSX(&buf, kind, list, list, &diff, unitName); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	comments, _ := f.GetComments("版本对比")
	if len(comments) != 5000 {
		t.Errorf("%d notes, want 5000", len(comments))
	}
	rows, _ := f.GetRows("版本对比")
	if !strings.Contains(rows[4][3], "改动共5200处，前5000处另有批注") {
		t.Errorf("count of changes says %q", rows[4][3])
	}
	// Every value before, in the models' order of fields.
	if last := rows[len(rows)-1]; last[len(last)-1] != "名称："+from[2599].Name+"\n类别："+from[2599].Category {
		t.Errorf("last 原值 %q", last[len(last)-1])
	}
}
