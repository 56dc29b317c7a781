package checklistsheet

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
)

// Fills of the comparison workbook: Excel's own "good", "bad" and "neutral"
// colours, which readers know, and a light blue for moves.
const (
	FillAdded   = "C6EFCE"
	FillRemoved = "FFC7CE"
	FillChanged = "FFEB9C"
	FillMoved   = "DDEBF7"
)

// maxNotes bounds the notes of a comparison: excelize takes time linear in
// the notes already added to add one, so that 40,000 notes take 20 s, and
// nobody reads that many by hovering. Past it, the values before are in 原值
// only.
const maxNotes = 5000

// Keys of the comparison's own columns.
const (
	colChange      = "change"
	colOldSequence = "oldSequence"
	colOld         = "old"
)

// WriteDiffXLSX writes the comparison of two versions of a list (diff, from
// models.DiffChecklists of from's and to's items) as a workbook of one
// sheet, 版本对比, for a reviewer to read or print: the list's title and the
// versions compared on top, then the counts, one line per kind of change in
// its colour, which is the legend too, then one row per item that changed,
// in the export's columns plus 变更 (what happened), 原序号 (its sequence in
// from) and 原值 (the values before):
//
//   - added items (新增), the whole row green;
//   - removed items (删除), red and struck through, with from's values;
//   - changed items (修改), with to's values, each changed cell yellow with
//     its value before in a note (the first 5,000), and all of them in 原值,
//     which prints;
//   - moved items (移动), their sequences blue; an item both changed and
//     moved is one row (修改、移动).
//
// unitName names units as in WriteXLSX.
func WriteDiffXLSX(w io.Writer, kind *models.ChecklistKind, from, to *models.Checklist, diff *models.ChecklistDiff, unitName func(id string) string) error {
	cols := Columns(kind)
	x, err := sheet.NewXLSXWriter()
	if err != nil {
		return err
	}
	defer func() { _ = x.Close() }()
	st, err := newDiffStyles(x)
	if err != nil {
		return err
	}

	// 变更, 序号, 原序号, then the export's columns but 序号, then 原值.
	exported := outColumns(cols)
	out := []sheet.OutColumn{
		{Key: colChange, Header: "变更", Width: 12},
		exported[0],
		{Key: colOldSequence, Header: "原序号", Width: 8, Number: true},
	}
	out = append(out, exported[1:]...)
	out = append(out, sheet.OutColumn{Key: colOld, Header: "原值", Width: 40})
	at := map[string]int{}
	for i, c := range out {
		at[c.Key] = i
	}
	columnStyles := make([]int, len(out))
	for i := range columnStyles {
		columnStyles[i] = st.plain
	}

	moved := map[string]models.ItemMove{}
	for _, m := range diff.Moved {
		moved[m.ItemKey] = m
	}
	changed := map[string]bool{}
	for _, c := range diff.Changed {
		changed[c.ItemKey] = true
	}
	movedOnly := 0
	for _, m := range diff.Moved {
		if !changed[m.ItemKey] {
			movedOnly++
		}
	}
	count := func(label string, style, n int, meaning string) []sheet.OutCell {
		row := make([]sheet.OutCell, 4)
		row[0] = sheet.OutCell{Text: label, Style: style}
		row[1] = sheet.OutCell{Text: strconv.Itoa(n)}
		row[3] = sheet.OutCell{Text: meaning, Style: st.overflow}
		return row
	}
	changedCells := 0
	for _, c := range diff.Changed {
		for _, f := range c.Fields {
			if _, ok := at[fieldColumn(f.Field)]; ok {
				changedCells++
			}
		}
	}
	changedMeaning := "项：内容有改动的事项，改动的单元格标黄，原值见批注和“原值”列"
	if changedCells > maxNotes {
		changedMeaning = fmt.Sprintf("项：内容有改动的事项，改动的单元格标黄，原值见“原值”列（改动共%d处，前%d处另有批注）", changedCells, maxNotes)
	}
	fromName, toName := versionName(from), versionName(to)
	spec := sheet.SheetSpec{
		Name:         "版本对比",
		Columns:      out,
		ColumnStyles: columnStyles,
		Title:        strings.TrimSpace(to.Title) + " 版本对比",
		Subtitles:    []string{versionLine(from) + " → " + versionLine(to)},
		Above: [][]sheet.OutCell{
			count("新增", st.added, len(diff.Added), "项："+toName+"新增的事项"),
			count("删除", st.removed, len(diff.Removed), "项："+fromName+"有、"+toName+"删去的事项"),
			count("修改", st.changed, len(diff.Changed), changedMeaning),
			count("移动", st.moved, len(diff.Moved), fmt.Sprintf("项：在清单中的位置变了的事项，序号标蓝（其中%d项只移动、未修改）", movedOnly)),
		},
	}
	sw, err := x.AddSheet(spec)
	if err != nil {
		return err
	}

	texts := make([]string, len(cols))
	row := make([]sheet.OutCell, len(out))
	// fill puts an item's cells into row, all in style.
	fill := func(change string, it *models.ChecklistItem, sequence, oldSequence string, style int) {
		cellTexts(texts, cols, it, unitName)
		clear(row)
		row[0] = sheet.OutCell{Text: change, Style: style}
		row[1] = sheet.OutCell{Text: sequence, Style: style}
		row[2] = sheet.OutCell{Text: oldSequence, Style: style}
		for i := 1; i < len(cols); i++ {
			row[i+2] = sheet.OutCell{Text: texts[i], Style: style}
		}
		row[len(row)-1] = sheet.OutCell{Style: style}
	}
	seq := strconv.Itoa
	notes := 0

	for i := range diff.Added {
		it := &diff.Added[i]
		fill("新增", it, seq(it.Sequence), "", st.added)
		if err := sw.WriteCells(row); err != nil {
			return err
		}
	}
	for i := range diff.Removed {
		it := &diff.Removed[i]
		fill("删除", it, "", seq(it.Sequence), st.removed)
		if err := sw.WriteCells(row); err != nil {
			return err
		}
	}
	for i := range diff.Changed {
		c := &diff.Changed[i]
		m, isMoved := moved[c.ItemKey]
		label := "修改"
		if isMoved {
			label = "修改、移动"
		}
		fill(label, &c.To, seq(c.To.Sequence), seq(c.From.Sequence), 0)
		if isMoved {
			row[1].Style, row[2].Style = st.moved, st.moved
			row[1].Text, row[2].Text = seq(m.ToSequence), seq(m.FromSequence)
		}
		var old []string
		for _, f := range c.Fields {
			before := fieldText(kind, f, f.Old, unitName)
			old = append(old, f.Label+"："+before)
			if j, ok := at[fieldColumn(f.Field)]; ok {
				row[j].Style = st.changed
				if notes < maxNotes {
					row[j].Note = "原值：" + before
					notes++
				}
			}
		}
		row[len(row)-1] = sheet.OutCell{Text: strings.Join(old, "\n"), Style: st.changed}
		if err := sw.WriteCells(row); err != nil {
			return err
		}
	}
	// Moves of items that changed nothing else; the items are not at hand
	// but for their names.
	for _, m := range diff.Moved {
		if changed[m.ItemKey] {
			continue
		}
		clear(row)
		row[0] = sheet.OutCell{Text: "移动"}
		row[1] = sheet.OutCell{Text: seq(m.ToSequence), Style: st.moved}
		row[2] = sheet.OutCell{Text: seq(m.FromSequence), Style: st.moved}
		row[at[ColName]] = sheet.OutCell{Text: m.Name}
		row[at[ColItemKey]] = sheet.OutCell{Text: m.ItemKey}
		if err := sw.WriteCells(row); err != nil {
			return err
		}
	}
	_, err = x.WriteTo(w)
	return err
}

// diffStyles are the comparison's cell styles; all wrap long texts.
type diffStyles struct{ plain, overflow, added, removed, changed, moved int }

func newDiffStyles(x *sheet.XLSXWriter) (diffStyles, error) {
	var st diffStyles
	wrap := &excelize.Alignment{WrapText: true, Vertical: "top"}
	fill := func(color string) excelize.Fill {
		return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#" + color}}
	}
	for _, s := range []struct {
		id    *int
		style excelize.Style
	}{
		{&st.plain, excelize.Style{Alignment: wrap}},
		// A text that runs on over the empty cells to its right.
		{&st.overflow, excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&st.added, excelize.Style{Alignment: wrap, Fill: fill(FillAdded), Font: &excelize.Font{Color: "#006100"}}},
		{&st.removed, excelize.Style{Alignment: wrap, Fill: fill(FillRemoved), Font: &excelize.Font{Color: "#9C0006", Strike: true}}},
		{&st.changed, excelize.Style{Alignment: wrap, Fill: fill(FillChanged)}},
		{&st.moved, excelize.Style{Alignment: wrap, Fill: fill(FillMoved)}},
	} {
		id, err := x.NewStyle(&s.style)
		if err != nil {
			return st, err
		}
		*s.id = id
	}
	return st, nil
}

// fieldColumn is the column of a changed field ("attributes.level" →
// "level").
func fieldColumn(field string) string {
	if key, ok := strings.CutPrefix(field, "attributes."); ok {
		return key
	}
	return field
}

// fieldText is a changed field's value as the sheet writes it: a unit by
// its name, nothing as （空）.
func fieldText(kind *models.ChecklistKind, f models.FieldChange, v string, unitName func(string) string) string {
	if v == "" {
		return "（空）"
	}
	isUnit := f.Field == "implementingUnitId"
	if c, ok := kind.Column(fieldColumn(f.Field)); ok && strings.HasPrefix(f.Field, "attributes.") {
		isUnit = c.Type == models.ColumnUnit
	}
	if isUnit && unitName != nil {
		if name := unitName(v); name != "" {
			return name
		}
	}
	return v
}

// versionName is "第2版".
func versionName(c *models.Checklist) string {
	return fmt.Sprintf("第%d版", c.VersionNo)
}

// versionLine is a version as the comparison names it: "第2版（文号：…，生效日期：…）".
func versionLine(c *models.Checklist) string {
	var parts []string
	if n := strings.TrimSpace(c.DocumentNumber); n != "" {
		parts = append(parts, "文号："+n)
	}
	if c.EffectiveDate != nil && *c.EffectiveDate != "" {
		parts = append(parts, "生效日期："+*c.EffectiveDate)
	}
	if len(parts) == 0 {
		return versionName(c)
	}
	return versionName(c) + "（" + strings.Join(parts, "，") + "）"
}
