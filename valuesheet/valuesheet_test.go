package valuesheet_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/period"
	"github.com/fazhi/fazhi/sheet"
	"github.com/fazhi/fazhi/valuesheet"
)

func ptr[T any](v T) *T { return &v }

func dec(s string) *exact.Decimal { return ptr(exact.MustParse(s)) }

func date(s string) *time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &d
}

// The fixture: a system covering 2021–2022 whose tree, given children first
// and out of order, is (level, code, sort order, frequency, type):
//
//	a   1     1  1 year    number   (a yearly parent)
//	a1  2  1.1   1 quarter number   件, reported by u1 and u2, 20 points
//	a2  2  1.2   0 quarter percent  %, 10 points
//	a3  2  1.3   0 quarter evidence only
//	b   1    2   2 quarter yes_no   reported by u2 only, 5 points
//	b1  2    2   0 quarter text     (the code 2 again, on level 2)
//	c   1    3   2 quarter number   5 points
//	c1  2  3.1   0 month   number
//	c2  2  3.2   0 quarter number
//
// so that the quarterly sheet's tree order is 1.2, 1.1, 2, 2 (level 2), 3, 3.2.
var (
	sys = &models.IndicatorSystem{ID: "sys", Name: "法治政府建设指标", YearFrom: 2021, YearTo: 2022,
		TotalPoints: exact.MustParse("100"), Status: models.SystemPublished}
	u1 = models.Unit{ID: "u1", Code: "211100-001", Name: "市司法局", Path: "/u1/"}
	u2 = models.Unit{ID: "u2", Code: "211100-002", Name: "双台子区", Path: "/u2/"}
	u3 = models.Unit{ID: "u3", Code: "0012", Name: "红旗街道", Path: "/u3/"}
)

func indicator(id, parent, code string, level, sort int, freq models.Frequency, typ models.ValueType, points string, units ...string) models.Indicator {
	ind := models.Indicator{ID: id, SystemID: sys.ID, Code: code, Name: "指标" + code, Level: level, SortOrder: sort,
		Frequency: freq, ValueType: typ, Points: exact.MustParse(points), ReportingUnitIDs: units,
		Direction: "higher_better", Aggregation: "sum"}
	if parent != "" {
		ind.ParentID = ptr(parent)
	}
	return ind
}

func fixtureIndicators() []models.Indicator {
	a1 := indicator("a1", "a", "1.1", 2, 1, "quarter", "number", "20", "u1", "u2")
	a1.MeasureUnit = ptr("件")
	a2 := indicator("a2", "a", "1.2", 2, 0, "quarter", "percent", "10")
	a2.MeasureUnit = ptr("%")
	return []models.Indicator{
		indicator("c2", "c", "3.2", 2, 0, "quarter", "number", "5"),
		a1,
		indicator("c", "", "3", 1, 2, "quarter", "number", "5"),
		indicator("b1", "b", "2", 2, 0, "quarter", "text", "5"),
		a2,
		indicator("a3", "a", "1.3", 2, 0, "quarter", "evidence_only", "5"),
		indicator("c1", "c", "3.1", 2, 0, "month", "number", "5"),
		indicator("b", "", "2", 1, 2, "quarter", "yes_no", "5", "u2"),
		indicator("a", "", "1", 1, 1, "year", "number", "40"),
	}
}

// layout is the fixture's quarterly sheet for 2021-Q3 and the given units.
func layout(units ...models.Unit) *valuesheet.Layout {
	return &valuesheet.Layout{System: sys, Indicators: fixtureIndicators(), Period: period.MustParse("2021-Q3"), Units: units}
}

// colIndex is the index of a column key in the rows Layout.Rows writes.
func colIndex(t *testing.T, key string) int {
	t.Helper()
	i := slices.IndexFunc(valuesheet.OutColumns(), func(c sheet.OutColumn) bool { return c.Key == key })
	if i < 0 {
		t.Fatalf("no column %q written", key)
	}
	return i
}

// rowKeys renders each row as "unit code/indicator code@level".
func rowKeys(t *testing.T, rows [][]string) []string {
	t.Helper()
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r[colIndex(t, valuesheet.ColUnitCode)] + "/" + r[colIndex(t, valuesheet.ColIndicatorCode)] + "@" + r[colIndex(t, valuesheet.ColLevel)]
	}
	return out
}

func TestColumns(t *testing.T) {
	out := valuesheet.OutColumns()
	read := valuesheet.ReadColumns()
	wantKeys := []string{"unit_code", "unit_name", "indicator_code", "level", "indicator_name", "measure_unit", "period",
		"value", "qualifier", "raw_text", "as_of", "self_score", "comment", "status"}
	wantHeaders := []string{"单位代码", "单位名称", "指标编码", "层级", "指标名称", "计量单位", "期间",
		"数值", "限定词", "原文表述", "截至日期", "自评分", "说明", "状态"}
	// Codes, the period, values, dates and scores are text, so that Excel
	// keeps "0012" and "58.10" as typed.
	wantText := map[string]bool{"unit_code": true, "indicator_code": true, "period": true, "value": true, "as_of": true, "self_score": true}
	wantRequired := map[string]bool{"unit_code": true, "indicator_code": true, "value": true}
	if len(out) != len(wantKeys) || len(read) != len(wantKeys) {
		t.Fatalf("got %d columns written and %d read, want %d", len(out), len(read), len(wantKeys))
	}
	for i, key := range wantKeys {
		if got, want := out[i].Key, key; got != want {
			t.Errorf("column %d written: got key %q, want %q", i, got, want)
		}
		if got, want := out[i].Header, wantHeaders[i]; got != want {
			t.Errorf("column %s: got header %q, want %q", key, got, want)
		}
		if got, want := out[i].Text, wantText[key]; got != want {
			t.Errorf("column %s: got Text %v, want %v", key, got, want)
		}
		if out[i].Number {
			t.Errorf("column %s is written as numbers: %q would lose its scale", key, "58.10")
		}
		if got, want := read[i].Key, key; got != want {
			t.Errorf("column %d read: got key %q, want %q", i, got, want)
		}
		if got, want := read[i].Required, wantRequired[key]; got != want {
			t.Errorf("column %s: got Required %v, want %v", key, got, want)
		}
		// The header written is one the reader takes.
		if !slices.Contains(read[i].Headers, out[i].Header) {
			t.Errorf("column %s: header written %q is not among those read %q", key, out[i].Header, read[i].Headers)
		}
	}
}

func TestTitle(t *testing.T) {
	for _, tt := range []struct{ period, want string }{
		{"2021-Q3", "法治政府建设指标 2021-Q3 数值填报表"},
		{"2022", "法治政府建设指标 2022 数值填报表"},
		{"2021-07", "法治政府建设指标 2021-07 数值填报表"},
	} {
		if got := valuesheet.Title(sys, period.MustParse(tt.period)); got != tt.want {
			t.Errorf("Title(%s): got %q, want %q", tt.period, got, tt.want)
		}
	}
}

func TestReported(t *testing.T) {
	tests := []struct {
		freq   models.Frequency
		typ    models.ValueType
		period string
		want   bool
	}{
		{"quarter", "number", "2021-Q3", true},
		{"quarter", "percent", "2021-Q1", true},
		{"quarter", "yes_no", "2021-Q4", true},
		{"quarter", "text", "2021-Q2", true},
		{"quarter", "evidence_only", "2021-Q3", false},
		{"year", "number", "2021", true},
		{"year", "number", "2021-Q3", false},
		{"quarter", "number", "2021", false},
		{"month", "number", "2021-07", true},
		{"month", "number", "2021-H2", false},
		{"half", "text", "2021-H2", true},
		{"half", "evidence_only", "2021-H2", false},
	}
	for _, tt := range tests {
		ind := &models.Indicator{Code: "1", Frequency: tt.freq, ValueType: tt.typ}
		if got := valuesheet.Reported(ind, period.MustParse(tt.period)); got != tt.want {
			t.Errorf("Reported(%s %s, %s): got %v, want %v", tt.freq, tt.typ, tt.period, got, tt.want)
		}
	}
}

func TestCheckPeriod(t *testing.T) {
	tests := []struct {
		period string
		ok     bool
	}{
		{"2020", false}, {"2020-12", false}, {"2021", true}, {"2021-Q1", true}, {"2021-H2", true},
		{"2022-12", true}, {"2022-Q4", true}, {"2023", false}, {"2023-01", false}, {"1999-Q1", false},
	}
	for _, tt := range tests {
		err := valuesheet.CheckPeriod(sys, period.MustParse(tt.period))
		if got := err == nil; got != tt.ok {
			t.Errorf("CheckPeriod(2021–2022, %s): got error %v, want ok %v", tt.period, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "2021–2022") {
			t.Errorf("CheckPeriod(%s): got %q, want it to name the system's years 2021–2022", tt.period, err)
		}
	}
}

func TestReportingUnits(t *testing.T) {
	q3 := period.MustParse("2021-Q3")
	tests := []struct {
		name   string
		inds   []models.Indicator
		period period.Period
		want   []string
	}{
		{"the fixture's quarter: a1 and b", fixtureIndicators(), q3, []string{"u1", "u2"}},
		{"the fixture's year: a names none", fixtureIndicators(), period.MustParse("2021"), nil},
		{"none", nil, q3, nil},
		{
			name: "sorted and each once, of reported indicators only",
			inds: []models.Indicator{
				indicator("x", "", "1", 1, 0, "quarter", "number", "1", "u9", "u3", "u1"),
				indicator("y", "", "2", 1, 0, "quarter", "text", "1", "u3", "u5"),
				indicator("z", "", "3", 1, 0, "quarter", "evidence_only", "1", "u7"),
				indicator("w", "", "4", 1, 0, "year", "number", "1", "u8"),
				indicator("v", "", "5", 1, 0, "quarter", "yes_no", "1"),
			},
			period: q3,
			want:   []string{"u1", "u3", "u5", "u9"},
		},
	}
	for _, tt := range tests {
		if got := valuesheet.ReportingUnits(tt.inds, tt.period); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestKeyOf(t *testing.T) {
	v := &models.IndicatorValue{ID: "v", UnitID: "u1", IndicatorID: "a1", Period: "2021-Q3"}
	if got, want := valuesheet.KeyOf(v), (valuesheet.Key{UnitID: "u1", IndicatorID: "a1"}); got != want {
		t.Errorf("KeyOf: got %+v, want %+v", got, want)
	}
}

// A template has a row per unit, in the units' order, and per indicator of
// the period in tree order that the unit reports, with empty value cells.
func TestRowsTemplate(t *testing.T) {
	tests := []struct {
		name  string
		units []models.Unit
		want  []string
	}{
		{"u2 reports everything", []models.Unit{u2}, []string{
			"211100-002/1.2@2", "211100-002/1.1@2", "211100-002/2@1", "211100-002/2@2", "211100-002/3@1", "211100-002/3.2@2"}},
		{"u1 does not report b", []models.Unit{u1}, []string{
			"211100-001/1.2@2", "211100-001/1.1@2", "211100-001/2@2", "211100-001/3@1", "211100-001/3.2@2"}},
		{"u3 reports neither a1 nor b", []models.Unit{u3}, []string{"0012/1.2@2", "0012/2@2", "0012/3@1", "0012/3.2@2"}},
		{"units in the order given", []models.Unit{u3, u1}, []string{"0012/1.2@2", "0012/2@2", "0012/3@1", "0012/3.2@2",
			"211100-001/1.2@2", "211100-001/1.1@2", "211100-001/2@2", "211100-001/3@1", "211100-001/3.2@2"}},
		{"no units", nil, nil},
	}
	for _, tt := range tests {
		l := layout(tt.units...)
		rows := l.Rows(nil)
		if got := rowKeys(t, rows); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got rows %q, want %q", tt.name, got, tt.want)
		}
		for _, r := range rows {
			if got, want := len(r), len(valuesheet.OutColumns()); got != want {
				t.Fatalf("%s: got a row of %d cells, want %d", tt.name, got, want)
			}
			for _, key := range []string{"value", "qualifier", "raw_text", "as_of", "self_score", "comment", "status"} {
				if got := r[colIndex(t, key)]; got != "" {
					t.Errorf("%s: template row %q has %s %q, want it empty", tt.name, r, key, got)
				}
			}
			if got, want := r[colIndex(t, valuesheet.ColPeriod)], "2021-Q3"; got != want {
				t.Errorf("%s: got period %q, want %q", tt.name, got, want)
			}
		}
	}

	// The whole of one template row.
	rows := layout(u2).Rows(nil)
	want := []string{"211100-002", "双台子区", "1.1", "2", "指标1.1", "件", "2021-Q3", "", "", "", "", "", "", ""}
	if got := rows[1]; !slices.Equal(got, want) {
		t.Errorf("template row: got %q, want %q", got, want)
	}
	if got := rows[2][colIndex(t, valuesheet.ColMeasure)]; got != "" {
		t.Errorf("an indicator without a measure unit: got %q, want it empty", got)
	}

	// Other frequencies have sheets of their own.
	for _, tt := range []struct {
		period string
		want   []string
	}{
		{"2021", []string{"211100-002/1@1"}},
		{"2021-07", []string{"211100-002/3.1@2"}},
		{"2021-H1", nil},
	} {
		l := layout(u2)
		l.Period = period.MustParse(tt.period)
		if got := rowKeys(t, l.Rows(nil)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got rows %q, want %q", tt.period, got, tt.want)
		}
	}
}

// Siblings with the same sort order are ordered by code; a parent that is
// not reported still leads to its children.
func TestRowsTreeOrder(t *testing.T) {
	l := &valuesheet.Layout{System: sys, Period: period.MustParse("2021"), Units: []models.Unit{u1},
		Indicators: []models.Indicator{
			indicator("r2", "", "B", 1, 0, "year", "number", "1"),
			indicator("r2b", "r2", "B.2", 2, 0, "year", "number", "1"),
			indicator("r2a", "r2", "B.1", 2, 0, "year", "number", "1"),
			indicator("r1", "", "A", 1, 0, "half", "number", "1"),
			indicator("r1x", "r1", "A.1", 2, 0, "year", "number", "1"),
			indicator("r1xx", "r1x", "A.1.1", 3, 0, "year", "number", "1"),
			indicator("r0", "", "Z", 1, -1, "year", "number", "1"),
		}}
	want := []string{"211100-001/Z@1", "211100-001/A.1@2", "211100-001/A.1.1@3", "211100-001/B@1", "211100-001/B.1@2", "211100-001/B.2@2"}
	if got := rowKeys(t, l.Rows(nil)); !slices.Equal(got, want) {
		t.Errorf("got rows %q, want %q", got, want)
	}
}

// An export fills each row from its value; a unit that reported an indicator
// it is not named for still has its row.
func TestRowsExport(t *testing.T) {
	l := layout(u1, u2)
	values := map[valuesheet.Key]*models.IndicatorValue{
		{UnitID: "u2", IndicatorID: "a1"}: {UnitID: "u2", IndicatorID: "a1", Value: dec("1200.50"), Qualifier: "at_least",
			RawText: ptr("一千二百余件"), AsOf: date("2021-09-30"), SelfScore: dec("18.50"), Comment: ptr("含撤回"), Status: models.ValueSubmitted},
		{UnitID: "u1", IndicatorID: "b"}:  {UnitID: "u1", IndicatorID: "b", YesNo: ptr(true), Qualifier: "exact", Status: models.ValueDraft},
		{UnitID: "u2", IndicatorID: "b"}:  {UnitID: "u2", IndicatorID: "b", YesNo: ptr(false), Qualifier: "exact", Status: models.ValueApproved},
		{UnitID: "u2", IndicatorID: "b1"}: {UnitID: "u2", IndicatorID: "b1", Text: ptr(" 已完成\n第二期 "), Qualifier: "exact", Status: models.ValueReturned},
		{UnitID: "u1", IndicatorID: "a2"}: {UnitID: "u1", IndicatorID: "a2", Value: dec("58.10"), Qualifier: "about", Status: models.ValueLocked},
		// Not rows of this sheet: an evidence-only indicator, a yearly
		// one, a unit not in the layout.
		{UnitID: "u1", IndicatorID: "a3"}: {UnitID: "u1", IndicatorID: "a3", Qualifier: "exact", Status: models.ValueDraft},
		{UnitID: "u1", IndicatorID: "a"}:  {UnitID: "u1", IndicatorID: "a", Value: dec("1"), Qualifier: "exact", Status: models.ValueDraft},
		{UnitID: "u3", IndicatorID: "c"}:  {UnitID: "u3", IndicatorID: "c", Value: dec("1"), Qualifier: "exact", Status: models.ValueDraft},
	}
	rows := l.Rows(values)
	wantKeys := []string{
		"211100-001/1.2@2", "211100-001/1.1@2", "211100-001/2@1", "211100-001/2@2", "211100-001/3@1", "211100-001/3.2@2",
		"211100-002/1.2@2", "211100-002/1.1@2", "211100-002/2@1", "211100-002/2@2", "211100-002/3@1", "211100-002/3.2@2",
	}
	if got := rowKeys(t, rows); !slices.Equal(got, wantKeys) {
		t.Fatalf("got rows %q, want %q", got, wantKeys)
	}
	want := map[int][]string{
		0:  {"211100-001", "市司法局", "1.2", "2", "指标1.2", "%", "2021-Q3", "58.10", "约", "", "", "", "", "已锁定"},
		1:  {"211100-001", "市司法局", "1.1", "2", "指标1.1", "件", "2021-Q3", "", "", "", "", "", "", ""},
		2:  {"211100-001", "市司法局", "2", "1", "指标2", "", "2021-Q3", "是", "", "", "", "", "", "草稿"},
		7:  {"211100-002", "双台子区", "1.1", "2", "指标1.1", "件", "2021-Q3", "1200.50", "以上", "一千二百余件", "2021-09-30", "18.50", "含撤回", "已提交"},
		8:  {"211100-002", "双台子区", "2", "1", "指标2", "", "2021-Q3", "否", "", "", "", "", "", "已审核"},
		9:  {"211100-002", "双台子区", "2", "2", "指标2", "", "2021-Q3", " 已完成\n第二期 ", "", "", "", "", "", "已退回"},
		10: {"211100-002", "双台子区", "3", "1", "指标3", "", "2021-Q3", "", "", "", "", "", "", ""},
	}
	for i, w := range want {
		if got := rows[i]; !slices.Equal(got, w) {
			t.Errorf("row %d: got %q, want %q", i, got, w)
		}
	}
}

// Each field of a value is written as the person filling the sheet writes it.
func TestRowsValueCells(t *testing.T) {
	cells := []string{"value", "qualifier", "raw_text", "as_of", "self_score", "comment", "status"}
	tests := []struct {
		name string
		ind  string // a1 number, a2 percent, b yes/no, b1 text
		v    models.IndicatorValue
		want []string // the cells above, in order
	}{
		{"number keeps its scale", "a1", models.IndicatorValue{Value: dec("58.10"), Qualifier: "exact", Status: "draft"},
			[]string{"58.10", "", "", "", "", "", "草稿"}},
		{"negative number", "a1", models.IndicatorValue{Value: dec("-3.250000"), Qualifier: "exact", Status: "draft"},
			[]string{"-3.250000", "", "", "", "", "", "草稿"}},
		{"zero", "a1", models.IndicatorValue{Value: dec("0.00"), Qualifier: "exact", Status: "draft"},
			[]string{"0.00", "", "", "", "", "", "草稿"}},
		{"percent", "a2", models.IndicatorValue{Value: dec("100"), Qualifier: "exact", Status: "draft"},
			[]string{"100", "", "", "", "", "", "草稿"}},
		{"yes", "b", models.IndicatorValue{YesNo: ptr(true), Qualifier: "exact", Status: "draft"},
			[]string{"是", "", "", "", "", "", "草稿"}},
		{"no", "b", models.IndicatorValue{YesNo: ptr(false), Qualifier: "exact", Status: "draft"},
			[]string{"否", "", "", "", "", "", "草稿"}},
		{"text as it is", "b1", models.IndicatorValue{Text: ptr("=进行中 "), Qualifier: "exact", Status: "draft"},
			[]string{"=进行中 ", "", "", "", "", "", "草稿"}},
		{"no value", "a1", models.IndicatorValue{Qualifier: "exact", Comment: ptr("待补"), Status: "draft"},
			[]string{"", "", "", "", "", "待补", "草稿"}},
		{"every field", "a1", models.IndicatorValue{Value: dec("17"), Qualifier: "more_than", RawText: ptr("十七件余"),
			AsOf: ptr(time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC)), SelfScore: dec("0"), Comment: ptr("说明"), Status: "returned"},
			[]string{"17", "余", "十七件余", "2021-09-30", "0", "说明", "已退回"}},
		{"a date in another zone is that zone's day", "a1", models.IndicatorValue{Value: dec("1"), Qualifier: "exact",
			AsOf: ptr(time.Date(2022, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))), Status: "draft"},
			[]string{"1", "", "", "2022-01-01", "", "", "草稿"}},
	}
	// Every qualifier and every status has its label.
	for q, label := range map[models.Qualifier]string{"exact": "", "more_than": "余", "at_least": "以上", "at_most": "以内",
		"less_than": "不足", "about": "约", "minimum": "最低", "maximum": "最高"} {
		tests = append(tests, struct {
			name string
			ind  string
			v    models.IndicatorValue
			want []string
		}{"qualifier " + string(q), "a1", models.IndicatorValue{Value: dec("1"), Qualifier: q, Status: "draft"},
			[]string{"1", label, "", "", "", "", "草稿"}})
	}
	for status, label := range map[models.ValueStatus]string{"draft": "草稿", "submitted": "已提交", "returned": "已退回",
		"approved": "已审核", "locked": "已锁定"} {
		tests = append(tests, struct {
			name string
			ind  string
			v    models.IndicatorValue
			want []string
		}{"status " + string(status), "a1", models.IndicatorValue{Value: dec("1"), Qualifier: "exact", Status: status},
			[]string{"1", "", "", "", "", "", label}})
	}
	for _, tt := range tests {
		l := layout(u2)
		v := tt.v
		v.UnitID, v.IndicatorID = "u2", tt.ind
		rows := l.Rows(map[valuesheet.Key]*models.IndicatorValue{valuesheet.KeyOf(&v): &v})
		var filled [][]string
		for _, r := range rows {
			if r[colIndex(t, valuesheet.ColStatus)] != "" {
				filled = append(filled, r)
			}
		}
		if len(filled) != 1 {
			t.Errorf("%s: got %d filled rows, want 1", tt.name, len(filled))
			continue
		}
		got := make([]string, len(cells))
		for i, key := range cells {
			got[i] = filled[0][colIndex(t, key)]
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got cells %q, want %q", tt.name, got, tt.want)
		}
	}
}
