// Package valuesheet is the spreadsheet in which units report indicator
// values (数值填报表): the template the office hands out for a system, a period
// and a set of units, the same sheet filled in and uploaded, and the export of
// what was reported, in the same shape so that re-importing it changes
// nothing.
//
// One row is one value: a unit (by its code), an indicator (by its code, and
// its level where the system repeats a code on two levels) and the sheet's
// period. The row holds the value's whole state: a blank cell clears the
// field, so an exported row read back is the value as it is. Rows whose value
// cells are all blank are template rows nobody filled in, and are skipped.
//
// The package judges cells and plans the change (what to create, what to
// update, what is unchanged); it knows neither HTTP nor SQL. Every problem is
// reported at its cell, by sheet, row and column, and a plan is only usable
// when there are none: an import is all or nothing.
package valuesheet

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/period"
	"github.com/fazhi/fazhi/sheet"
	"github.com/fazhi/fazhi/textsearch"
)

// SheetName is the name of the one sheet written.
const SheetName = "数值填报"

// Keys of the sheet's logical columns.
const (
	ColUnitCode      = "unit_code"
	ColUnitName      = "unit_name"
	ColIndicatorCode = "indicator_code"
	ColLevel         = "level"
	ColIndicatorName = "indicator_name"
	ColMeasure       = "measure_unit"
	ColPeriod        = "period"
	ColValue         = "value"
	ColQualifier     = "qualifier"
	ColRawText       = "raw_text"
	ColAsOf          = "as_of"
	ColSelfScore     = "self_score"
	ColComment       = "comment"
	ColStatus        = "status"
)

// column describes one column: how it is written and the header texts read
// as it.
type column struct {
	key      string
	headers  []string // the first is written
	required bool
	text     bool // written as text: codes Excel must not turn into numbers
	width    float64
}

// columns in the order written. Unit and indicator names, measure unit and
// status are there for the person filling the sheet in; reading ignores them.
var columns = []column{
	{ColUnitCode, []string{"单位代码", "单位编码", "unit code"}, true, true, 14},
	{ColUnitName, []string{"单位名称", "unit name"}, false, false, 24},
	{ColIndicatorCode, []string{"指标编码", "指标代码", "indicator code"}, true, true, 10},
	{ColLevel, []string{"层级", "指标层级", "level"}, false, false, 6},
	{ColIndicatorName, []string{"指标名称", "indicator name"}, false, false, 32},
	{ColMeasure, []string{"计量单位", "unit of measure"}, false, false, 10},
	{ColPeriod, []string{"期间", "填报期间", "period"}, false, true, 10},
	// Values are written as text so that "58.10" stays "58.10": a number
	// cell would come back as 58.1, and the scale is part of what was
	// reported.
	{ColValue, []string{"数值", "填报值", "value"}, true, true, 14},
	{ColQualifier, []string{"限定词", "qualifier"}, false, false, 8},
	{ColRawText, []string{"原文表述", "原始表述", "raw text"}, false, false, 28},
	{ColAsOf, []string{"截至日期", "统计截至", "as of"}, false, true, 12},
	{ColSelfScore, []string{"自评分", "self score"}, false, true, 8},
	{ColComment, []string{"说明", "备注", "comment"}, false, false, 28},
	{ColStatus, []string{"状态", "status"}, false, false, 8},
}

// ReadColumns are the columns a reader looks for.
func ReadColumns() []sheet.Column {
	out := make([]sheet.Column, len(columns))
	for i, c := range columns {
		out[i] = sheet.Column{Key: c.key, Headers: c.headers, Required: c.required}
	}
	return out
}

// OutColumns are the columns written, in order.
func OutColumns() []sheet.OutColumn {
	out := make([]sheet.OutColumn, len(columns))
	for i, c := range columns {
		out[i] = sheet.OutColumn{Key: c.key, Header: c.headers[0], Text: c.text, Width: c.width}
	}
	return out
}

// Title is the title row above the header.
func Title(s *models.IndicatorSystem, p period.Period) string {
	return fmt.Sprintf("%s %s 数值填报表", s.Name, p)
}

// Layout is what one sheet covers: a system's indicators, one period, and the
// units whose rows it holds, in order.
type Layout struct {
	System     *models.IndicatorSystem
	Indicators []models.Indicator // the whole tree, parents first
	Period     period.Period
	Units      []models.Unit
}

// Reported reports whether the indicator has a row in sheets for period p:
// it is reported at p's frequency and takes a value (evidence-only
// indicators are reported with attachments, which a sheet cannot carry).
func Reported(ind *models.Indicator, p period.Period) bool {
	return string(ind.Frequency) == string(p.Freq) && ind.ValueType != "evidence_only"
}

// CheckPeriod says whether the system takes values for period p at all.
func CheckPeriod(s *models.IndicatorSystem, p period.Period) error {
	if p.Year < s.YearFrom || p.Year > s.YearTo {
		return fmt.Errorf("the system covers %d–%d, not %d", s.YearFrom, s.YearTo, p.Year)
	}
	return nil
}

// ReportingUnits are the units that must report some indicator of the
// layout's period, as ids, for a sheet whose units were not chosen.
func ReportingUnits(inds []models.Indicator, p period.Period) []string {
	var ids []string
	for i := range inds {
		if Reported(&inds[i], p) {
			ids = append(ids, inds[i].ReportingUnitIDs...)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Key identifies a value within a sheet (whose period is fixed).
type Key struct{ UnitID, IndicatorID string }

// KeyOf is the value's key.
func KeyOf(v *models.IndicatorValue) Key { return Key{v.UnitID, v.IndicatorID} }

// Rows are the sheet's rows, one string per column of OutColumns: for each
// unit in order, each indicator of the period in tree order that the unit
// must report (an indicator naming no reporting units is reported by all) or
// for which values holds a value. A row with a value in values is filled in
// (an export); the others have empty value cells (a template).
func (l *Layout) Rows(values map[Key]*models.IndicatorValue) [][]string {
	inds := l.ordered()
	var rows [][]string
	for ui := range l.Units {
		u := &l.Units[ui]
		for _, ind := range inds {
			v := values[Key{u.ID, ind.ID}]
			if v == nil && len(ind.ReportingUnitIDs) > 0 && !slices.Contains(ind.ReportingUnitIDs, u.ID) {
				continue
			}
			rows = append(rows, l.row(u, ind, v))
		}
	}
	return rows
}

// ordered is the layout's reported indicators in tree order (depth first,
// siblings by sort order and code), as people read the system.
func (l *Layout) ordered() []*models.Indicator {
	children := map[string][]*models.Indicator{}
	for i := range l.Indicators {
		ind := &l.Indicators[i]
		parent := ""
		if ind.ParentID != nil {
			parent = *ind.ParentID
		}
		children[parent] = append(children[parent], ind)
	}
	for _, cs := range children {
		slices.SortStableFunc(cs, func(a, b *models.Indicator) int {
			if a.SortOrder != b.SortOrder {
				return a.SortOrder - b.SortOrder
			}
			return strings.Compare(a.Code, b.Code)
		})
	}
	var out []*models.Indicator
	var walk func(parent string)
	walk = func(parent string) {
		for _, ind := range children[parent] {
			if Reported(ind, l.Period) {
				out = append(out, ind)
			}
			walk(ind.ID)
		}
	}
	walk("")
	return out
}

func (l *Layout) row(u *models.Unit, ind *models.Indicator, v *models.IndicatorValue) []string {
	r := make([]string, len(columns))
	set := func(key, text string) {
		r[slices.IndexFunc(columns, func(c column) bool { return c.key == key })] = text
	}
	set(ColUnitCode, u.Code)
	set(ColUnitName, u.Name)
	set(ColIndicatorCode, ind.Code)
	set(ColLevel, strconv.Itoa(ind.Level))
	set(ColIndicatorName, ind.Name)
	set(ColMeasure, deref(ind.MeasureUnit))
	set(ColPeriod, l.Period.String())
	if v == nil {
		return r
	}
	switch {
	case v.Value != nil:
		set(ColValue, v.Value.String())
	case v.YesNo != nil && *v.YesNo:
		set(ColValue, "是")
	case v.YesNo != nil:
		set(ColValue, "否")
	case v.Text != nil:
		set(ColValue, *v.Text)
	}
	set(ColQualifier, qualifierLabel[v.Qualifier])
	set(ColRawText, deref(v.RawText))
	if v.AsOf != nil {
		set(ColAsOf, v.AsOf.Format(time.DateOnly))
	}
	if v.SelfScore != nil {
		set(ColSelfScore, v.SelfScore.String())
	}
	set(ColComment, deref(v.Comment))
	set(ColStatus, statusLabel[v.Status])
	return r
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// qualifierLabel is how a qualifier is written: the word the report uses
// (exact is left blank, as people leave it).
var qualifierLabel = map[models.Qualifier]string{
	"exact": "", "more_than": "余", "at_least": "以上", "at_most": "以内",
	"less_than": "不足", "about": "约", "minimum": "最低", "maximum": "最高",
}

// qualifierWords are the words read as each qualifier (folded, see
// textsearch.Fold): the labels, their synonyms and the contract's own words.
var qualifierWords = func() map[string]models.Qualifier {
	m := map[string]models.Qualifier{}
	for q, label := range qualifierLabel {
		m[textsearch.Fold(string(q))] = q
		if label != "" {
			m[textsearch.Fold(label)] = q
		}
	}
	for word, q := range map[string]models.Qualifier{
		"准确": "exact", "精确": "exact", "多": "more_than", "以下": "at_most", "少于": "less_than",
		"约为": "about", "最短": "minimum", "最少": "minimum", "最长": "maximum", "最多": "maximum",
	} {
		m[textsearch.Fold(word)] = q
	}
	return m
}()

var statusLabel = map[models.ValueStatus]string{
	models.ValueDraft: "草稿", models.ValueSubmitted: "已提交", models.ValueReturned: "已退回",
	models.ValueApproved: "已审核", models.ValueLocked: "已锁定",
}

var yesWords = []string{"是", "yes", "y", "true", "1", "√", "✓", "有"}
var noWords = []string{"否", "no", "n", "false", "0", "×", "✗", "无"}
