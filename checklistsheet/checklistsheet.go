// Package checklistsheet is the spreadsheet of a checklist (清单): the
// workbook in which a unit keeps its list's items, one row an item, the
// export of a list version in the same shape, so that a re-import changes
// nothing, and the workbook comparing two versions of a list.
//
// Lists are kept in Excel in real life, and printed the way the city
// publishes them: a title and a document number (文号) above the header, the
// header sometimes in two rows (a group such as 法律依据 over 违法依据 and
// 处罚依据), headers named the kind's way (证明名称, 违法行为, 实施机关) and
// typed in either script. A sheet's columns are the fields every item has
// (序号, the name, 实施单位, 法律依据, 类别, 备注), the kind's own columns by
// their labels (or their keys), and 事项编码, the item's key, which is the
// same in every version of the list: it is how a row finds its item again.
//
// The package reads and judges rows (Read), plans what an import changes
// (PlanImport) and writes workbooks and CSV files (WriteXLSX, WriteCSV,
// WriteDiffXLSX); it knows neither HTTP nor SQL. ReadSpooled, Match and
// Plans do what Read and PlanImport do holding a batch of rows at a time,
// for lists of 100,000 items. Rows are judged by the
// models' own rules (ChecklistItem.Validate), so a sheet's problems read as
// the API's. An import is all or nothing: every problem is reported at its
// cell, and a plan is only applied when there are none.
package checklistsheet

import (
	"strings"
	"unicode/utf8"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
)

// Keys of the common columns: the API's names of the item's fields.
const (
	ColItemKey    = "itemKey"
	ColSequence   = "sequence"
	ColName       = "name"
	ColUnit       = "implementingUnitId"
	ColLegalBasis = "legalBasis"
	ColCategory   = "category"
	ColRemark     = "remark"
)

// Column is a column of a kind's sheet: a field every item has, or one of
// the kind's columns.
type Column struct {
	// Key is a common field's (ColName …) or the kind column's key.
	Key string
	// Header is the header written.
	Header string
	// Headers are the header texts read as this column, Header first.
	Headers []string
	// Required columns must be in the header: a sheet without one is
	// refused once, rather than each of its rows.
	Required bool
	// Kind is the kind's column, nil for a common field.
	Kind *models.KindColumn

	width float64
	text  bool // written as text: codes Excel must not turn into numbers
	wrap  bool // written wrapped: texts of several lines
}

// labels are the headers a kind's lists print for the common fields, where
// they are not the generic ones.
type labels struct{ name, unit, legalBasis, category string }

// kindLabels are the built-in kinds' own headers for the common fields (see
// models.BuiltInKinds for which header of a real list is which field).
var kindLabels = map[string]labels{
	"certificates":             {name: "证明名称", legalBasis: "设定依据"},
	"noPenalty":                {name: "违法行为", unit: "实施机关", category: "监管领域"},
	"lighterPenalty":           {name: "违法行为", unit: "实施机关", category: "监管领域"},
	"mitigatedPenalty":         {name: "违法行为", unit: "实施机关", category: "监管领域"},
	"noCoercion":               {name: "违法行为", unit: "实施机关", category: "监管领域"},
	"enforcementMatters":       {name: "项目名称", legalBasis: "执法依据"},
	"enforcementDuties":        {name: "职权名称"},
	"work721":                  {name: "事项", unit: "责任部门"},
	"enterpriseInspectionPlan": {name: "检查事项", unit: "执法机关", legalBasis: "检查依据"},
	"projectApproval":          {name: "审批事项", unit: "审批部门", legalBasis: "设定依据"},
	"projectPublicServices":    {name: "服务事项"},
	"projectIntermediaries":    {name: "中介服务事项"},
	"projectDeferredMaterials": {name: "容缺受理事项"},
	"projectNotifyPromise":     {name: "审批事项"},
	"selfInspection":           {name: "检查项目"},
	"supervision":              {name: "检查项目"},
}

// Generic headers of the common fields, read in any kind's sheet; the
// first is written when the kind has no label of its own.
var (
	itemKeyHeaders    = []string{"事项编码", "itemKey"}
	sequenceHeaders   = []string{"序号", "顺序号", "sequence"}
	nameHeaders       = []string{"事项名称", "名称", "name"}
	unitHeaders       = []string{"实施单位", "实施机关", "责任单位", "责任部门", "执法机关", "implementingUnit", "implementingUnitId"}
	legalBasisHeaders = []string{"法律依据", "设定依据", "执法依据", "检查依据", "legalBasis"}
	categoryHeaders   = []string{"类别", "分类", "监管领域", "category"}
	remarkHeaders     = []string{"备注", "remark"}
)

// Columns are the columns of a kind's sheet in the order written: 序号, 类别,
// the name, 法律依据, the kind's columns, 实施单位, 备注 and 事项编码 last, where
// it is out of the way. The name and the kind's required columns are
// required in the header.
//
// The kind's columns are read by label and by key. A common field is also
// read under its generic headers and those of the built-in kinds ("实施单位"
// and "实施机关" alike), except where a header is one of the kind's own
// columns, which wins.
func Columns(kind *models.ChecklistKind) []Column {
	taken := map[string]bool{}
	for _, c := range kind.Columns {
		taken[sheet.FoldHeader(c.Label)] = true
	}
	var own []Column
	for i := range kind.Columns {
		kc := &kind.Columns[i]
		headers := []string{kc.Label}
		if f := sheet.FoldHeader(kc.Key); !taken[f] {
			taken[f] = true
			headers = append(headers, kc.Key)
		}
		own = append(own, Column{Key: kc.Key, Header: kc.Label, Headers: headers, Required: kc.Required, Kind: kc,
			width: kindWidth(kc), text: isCode(kc), wrap: kc.Type == models.ColumnLongText || kc.Type == models.ColumnLegalRef})
	}
	lb := kindLabels[kind.Key]
	common := func(key, label string, generic []string, width float64) Column {
		var headers []string
		for _, h := range append([]string{label}, generic...) {
			if f := sheet.FoldHeader(h); h != "" && !taken[f] {
				taken[f] = true
				headers = append(headers, h)
			}
		}
		if len(headers) == 0 {
			// The kind took every header of the field: name it by both.
			headers = []string{generic[0] + "（" + key + "）"}
		}
		return Column{Key: key, Header: headers[0], Headers: headers, width: width}
	}
	seq := common(ColSequence, "", sequenceHeaders, 7)
	category := common(ColCategory, lb.category, categoryHeaders, 14)
	name := common(ColName, lb.name, nameHeaders, 36)
	name.Required, name.wrap = true, true
	basis := common(ColLegalBasis, lb.legalBasis, legalBasisHeaders, 40)
	basis.wrap = true
	unit := common(ColUnit, lb.unit, unitHeaders, 24)
	remark := common(ColRemark, "", remarkHeaders, 24)
	remark.wrap = true
	key := common(ColItemKey, "", itemKeyHeaders, 38)
	key.text = true

	cols := []Column{seq, category, name, basis}
	cols = append(cols, own...)
	return append(cols, unit, remark, key)
}

// kindWidth is a kind column's width in Excel's character units.
func kindWidth(c *models.KindColumn) float64 {
	switch c.Type {
	case models.ColumnLongText:
		return 40
	case models.ColumnLegalRef:
		return 32
	case models.ColumnUnit:
		return 24
	case models.ColumnNumber, models.ColumnDate:
		return max(12, headerWidth(c.Label))
	case models.ColumnEnum:
		w := headerWidth(c.Label)
		for _, v := range c.Values {
			w = max(w, headerWidth(v))
		}
		return min(w, 30)
	}
	return max(20, headerWidth(c.Label))
}

// headerWidth fits a text: CJK characters are two units wide.
func headerWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x2E80 {
			w += 2
		} else {
			w++
		}
	}
	return w + 4
}

// isCode tells a text column holding codes (项目编码, 职权编码), which is
// written as text so that Excel keeps "0012" as typed.
func isCode(c *models.KindColumn) bool {
	return c.Type == models.ColumnText && (strings.Contains(c.Label, "编码") || strings.Contains(c.Label, "代码") || strings.Contains(c.Label, "编号"))
}

// SheetName is the name of the sheet a list of the kind is written to: the
// kind's name, as much of it as Excel allows.
func SheetName(kind *models.ChecklistKind) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]'`, r) {
			return -1
		}
		return r
	}, strings.TrimSpace(kind.Name))
	if utf8.RuneCountInString(name) > 31 {
		name = string([]rune(name)[:31])
	}
	if name == "" {
		return "清单"
	}
	return name
}
