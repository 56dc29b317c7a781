package valuesheet_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
	"github.com/fazhi/fazhi/valuesheet"
)

// The tables below are what the readers produce for a sheet named 填報 with
// the header in row 2 and the columns in the order written (A unit code … N
// status): a cell for every column, blank ones included.
const sheetName = "填報"

// cols are the column keys in order, A first.
var cols = func() []string {
	var out []string
	for _, c := range valuesheet.OutColumns() {
		out = append(out, c.Key)
	}
	return out
}()

// ref is the A1 reference of column key in row n.
func ref(key string, n int) string { return sheet.CellRef(slices.Index(cols, key)+1, n) }

// cells are a row's cell texts by key; formatted texts that differ from the
// stored ones go under "key!" ("as_of!": "2021/9/30").
type cells map[string]string

// with is cs with the formatted texts of more added.
func (cs cells) with(more cells) cells {
	for k, v := range more {
		if strings.HasSuffix(k, "!") {
			cs[k] = v
		}
	}
	return cs
}

// row builds data row n from its cells, as a reader does.
func row(n int, cs cells) sheet.Row {
	r := sheet.Row{Sheet: sheetName, Number: n, Cells: map[string]sheet.Cell{}}
	for i, key := range cols {
		text := cs[key]
		formatted, ok := cs[key+"!"]
		if !ok {
			formatted = text
		}
		r.Cells[key] = sheet.Cell{Sheet: sheetName, Row: n, Col: i + 1, Ref: sheet.CellRef(i+1, n), Column: key, Text: text, Formatted: formatted}
	}
	return r
}

// table builds a table of rows numbered from 3.
func table(rows ...cells) *sheet.Table {
	tab := &sheet.Table{Sheet: sheetName, HeaderRow: 2, Headers: map[string]sheet.Cell{}}
	for i, key := range cols {
		tab.Headers[key] = sheet.Cell{Sheet: sheetName, Row: 2, Col: i + 1, Ref: sheet.CellRef(i+1, 2), Column: key, Text: key, Formatted: key}
	}
	for i, cs := range rows {
		tab.Rows = append(tab.Rows, row(3+i, cs))
	}
	return tab
}

// unitsByCode are the fixture's units as Read takes them.
func unitsByCode() map[string]*models.Unit {
	return map[string]*models.Unit{u1.Code: ptr(u1), u2.Code: ptr(u2), u3.Code: ptr(u3)}
}

// mayNotU3: the uploader may report for every unit but u3.
func mayNotU3(u *models.Unit) error {
	if u.ID == "u3" {
		return errors.New("you may not report for this unit")
	}
	return nil
}

// show renders a value's fields as a row states them, scale included.
func show(v *models.IndicatorValue) string {
	s := func(p *string) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%q", *p)
	}
	d := func(p *exact.Decimal) string {
		if p == nil {
			return "-"
		}
		return p.String()
	}
	yn, asOf := "-", "-"
	if v.YesNo != nil {
		yn = fmt.Sprint(*v.YesNo)
	}
	if v.AsOf != nil {
		asOf = v.AsOf.Format("2006-01-02 15:04:05 MST")
	}
	return fmt.Sprintf("%s/%s %s value=%s yesNo=%s text=%s q=%s raw=%s asOf=%s score=%s comment=%s",
		v.UnitID, v.IndicatorID, v.Period, d(v.Value), yn, s(v.Text), v.Qualifier, s(v.RawText), asOf, d(v.SelfScore), s(v.Comment))
}

// base is a row of u1 for indicator code, with the cells given on top.
func base(code string, extra cells) cells {
	cs := cells{valuesheet.ColUnitCode: u1.Code, valuesheet.ColIndicatorCode: code, valuesheet.ColPeriod: "2021-Q3"}
	for k, v := range extra {
		cs[k] = v
	}
	return cs
}

func TestUnitCodes(t *testing.T) {
	tests := []struct {
		name string
		tab  *sheet.Table
		want []string
	}{
		{"none", table(), nil},
		{"trimmed, sorted, once each, blanks left out", table(
			cells{"unit_code": "211100-002"}, cells{"unit_code": " 211100-001 "}, cells{"unit_code": ""},
			cells{"unit_code": "  "}, cells{"unit_code": "211100-002"}, cells{"unit_code": "0012", "value": "1"},
		), []string{"0012", "211100-001", "211100-002"}},
		{"without the column", &sheet.Table{Rows: []sheet.Row{{Number: 3, Cells: map[string]sheet.Cell{}}}}, nil},
	}
	for _, tt := range tests {
		if got := valuesheet.UnitCodes(tt.tab.Rows); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Rows that Read accepts, and the value each states.
func TestReadAccepts(t *testing.T) {
	const tail = " q=exact raw=- asOf=- score=- comment=-"
	long := func(n int) string { return strings.Repeat("法", n) }
	tests := []struct {
		name string
		row  cells
		want string
	}{
		// Numbers keep their scale.
		{"number", base("1.1", cells{"value": "1200.50"}), "u1/a1 2021-Q3 value=1200.50 yesNo=- text=-" + tail},
		{"number with spaces", base("1.1", cells{"value": " 17 "}), "u1/a1 2021-Q3 value=17 yesNo=- text=-" + tail},
		{"negative number", base("3", cells{"value": "-3.250000"}), "u1/c 2021-Q3 value=-3.250000 yesNo=- text=-" + tail},
		{"number cell", base("3", cells{"value": "1200", "value!": "1,200"}), "u1/c 2021-Q3 value=1200 yesNo=- text=-" + tail},
		// Percentages: typed as text with the sign, as a percent cell, or
		// as the plain number of percent.
		{"percent text", base("1.2", cells{"value": "58.10%"}), "u1/a2 2021-Q3 value=58.10 yesNo=- text=-" + tail},
		{"percent text, full-width sign", base("1.2", cells{"value": " 58.10 ％"}), "u1/a2 2021-Q3 value=58.10 yesNo=- text=-" + tail},
		{"percent cell", base("1.2", cells{"value": "0.581", "value!": "58.10%"}), "u1/a2 2021-Q3 value=58.10 yesNo=- text=-" + tail},
		{"percent cell rounded by its format", base("1.2", cells{"value": "0.58125", "value!": "58.13%"}),
			"u1/a2 2021-Q3 value=58.125 yesNo=- text=-" + tail},
		{"percent cell of a whole percentage", base("1.2", cells{"value": "1", "value!": "100%"}), "u1/a2 2021-Q3 value=100 yesNo=- text=-" + tail},
		{"percent as a plain number", base("1.2", cells{"value": "58.1"}), "u1/a2 2021-Q3 value=58.1 yesNo=- text=-" + tail},
		{"percent zero", base("1.2", cells{"value": "0%"}), "u1/a2 2021-Q3 value=0 yesNo=- text=-" + tail},
		// Text as typed, white space and all, up to 4000 characters.
		{"text", base("2", cells{"level": "2", "value": " 已完成\n第二期 "}), `u1/b1 2021-Q3 value=- yesNo=- text=" 已完成\n第二期 "` + tail},
		{"text that looks like a number", base("2", cells{"level": "2", "value": "0012"}), `u1/b1 2021-Q3 value=- yesNo=- text="0012"` + tail},
		// An empty text cell in a row that says something is an empty text.
		{"empty text", base("2", cells{"level": "2", "comment": "無"}), `u1/b1 2021-Q3 value=- yesNo=- text="" q=exact raw=- asOf=- score=- comment="無"`},
		{"text of 4000 characters", base("2", cells{"level": "2", "value": long(4000)}),
			fmt.Sprintf("u1/b1 2021-Q3 value=- yesNo=- text=%q", long(4000)) + tail},
		// Every field at once.
		{"every field", base("1.1", cells{"level": "2", "value": "17", "qualifier": "以上", "raw_text": " 十七件以上 ",
			"as_of": "2021-09-30", "self_score": "18.50", "comment": "含撤回\n案件", "status": "草稿",
			"unit_name": "anything", "indicator_name": "anything", "measure_unit": "anything"}),
			`u1/a1 2021-Q3 value=17 yesNo=- text=- q=at_least raw=" 十七件以上 " asOf=2021-09-30 00:00:00 UTC score=18.50 comment="含撤回\n案件"`},
		{"raw text of 1000 characters", base("1.1", cells{"value": "1", "raw_text": long(1000)}),
			fmt.Sprintf("u1/a1 2021-Q3 value=1 yesNo=- text=- q=exact raw=%q asOf=- score=- comment=-", long(1000))},
		{"comment of 2000 characters", base("1.1", cells{"value": "1", "comment": long(2000)}),
			fmt.Sprintf("u1/a1 2021-Q3 value=1 yesNo=- text=- q=exact raw=- asOf=- score=- comment=%q", long(2000))},
		// Self scores between 0 and the points.
		{"self score 0", base("1.1", cells{"value": "1", "self_score": "0"}), "u1/a1 2021-Q3 value=1 yesNo=- text=- q=exact raw=- asOf=- score=0 comment=-"},
		{"self score of all the points", base("1.1", cells{"value": "1", "self_score": " 20.000 "}),
			"u1/a1 2021-Q3 value=1 yesNo=- text=- q=exact raw=- asOf=- score=20.000 comment=-"},
		// Codes, level and period.
		{"codes with spaces", cells{"unit_code": " 211100-002 ", "indicator_code": " 1.1 ", "value": "1"},
			"u2/a1 2021-Q3 value=1 yesNo=- text=-" + tail},
		{"the level picks code 2 on level 1", base("2", cells{"level": "1", "value": "是"}), "u1/b 2021-Q3 value=- yesNo=true text=-" + tail},
		{"the level picks code 2 on level 2", base("2", cells{"level": " 2 ", "value": "是"}), `u1/b1 2021-Q3 value=- yesNo=- text="是"` + tail},
		{"a level that fits a code on one level", base("1.1", cells{"level": "2", "value": "1"}), "u1/a1 2021-Q3 value=1 yesNo=- text=-" + tail},
		{"no period", base("1.1", cells{"period": "", "value": "1"}), "u1/a1 2021-Q3 value=1 yesNo=- text=-" + tail},
		{"period with spaces", base("1.1", cells{"period": " 2021-Q3 ", "value": "1"}), "u1/a1 2021-Q3 value=1 yesNo=- text=-" + tail},
		// A unit need not be named by the indicator to report it.
		{"a unit not named", base("2", cells{"level": "1", "value": "否"}), "u1/b 2021-Q3 value=- yesNo=false text=-" + tail},
	}
	// Yes and no, in every word taken.
	for word, yes := range map[string]bool{"是": true, "否": false, "yes": true, "YES": true, "Y": true, "n": false, "No": false,
		"true": true, "TRUE": true, "False": false, "1": true, "0": false, "√": true, "✓": true, "×": false, "✗": false,
		"有": true, "無": false, "无": false, " 是 ": true, "ＹＥＳ": true} {
		tests = append(tests, struct {
			name string
			row  cells
			want string
		}{"yes/no " + word, base("2", cells{"level": "1", "value": word}), fmt.Sprintf("u1/b 2021-Q3 value=- yesNo=%v text=-", yes) + tail})
	}
	// Qualifiers: the labels written, traditional or simplified, their
	// synonyms and the contract's words.
	for word, q := range map[string]models.Qualifier{
		"余": "more_than", "餘": "more_than", "多": "more_than", "more_than": "more_than", "MORE_THAN": "more_than",
		"以上": "at_least", "at_least": "at_least",
		"以內": "at_most", "以内": "at_most", "以下": "at_most",
		"不足": "less_than", "少于": "less_than", "少於": "less_than",
		"約": "about", "约": "about", "約為": "about", "约为": "about", "about": "about",
		"最低": "minimum", "最短": "minimum", "最少": "minimum",
		"最高": "maximum", "最長": "maximum", "最长": "maximum", "最多": "maximum",
		"準確": "exact", "准确": "exact", "精確": "exact", "exact": "exact", " 以上 ": "at_least", "": "exact",
	} {
		tests = append(tests, struct {
			name string
			row  cells
			want string
		}{"qualifier " + word, base("1.1", cells{"value": "1", "qualifier": word}),
			fmt.Sprintf("u1/a1 2021-Q3 value=1 yesNo=- text=- q=%s raw=- asOf=- score=- comment=-", q)})
	}
	// Dates typed as text in the ways people write them, and date cells,
	// whose stored text is Excel's serial number: read as displayed.
	for _, d := range []cells{
		{"as_of": "2021-09-30"}, {"as_of": " 2021-09-30 "}, {"as_of": "2021/9/30"}, {"as_of": "2021/09/30"}, {"as_of": "2021.9.30"},
		{"as_of": "2021年9月30日"}, {"as_of": "2021-9-30"},
		{"as_of": "44469", "as_of!": "2021/9/30"}, {"as_of": "44469", "as_of!": "2021-09-30"}, {"as_of": "44469", "as_of!": "2021年9月30日"},
	} {
		tests = append(tests, struct {
			name string
			row  cells
			want string
		}{fmt.Sprintf("date %q shown %q", d["as_of"], d["as_of!"]), base("1.1", cells{"value": "1", "as_of": d["as_of"]}.with(d)),
			"u1/a1 2021-Q3 value=1 yesNo=- text=- q=exact raw=- asOf=2021-09-30 00:00:00 UTC score=- comment=-"})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := table(tt.row)
			entries, skipped, probs := layout().Read(tab, unitsByCode(), mayNotU3)
			if len(probs) != 0 || skipped != 0 || len(entries) != 1 {
				t.Fatalf("got %d entries, %d skipped, problems %v; want the row read", len(entries), skipped, probs)
			}
			if got := show(&entries[0].Value); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if got, want := entries[0].Row.Number, 3; got != want {
				t.Errorf("got the entry of row %d, want %d", got, want)
			}
			v := entries[0].Value
			if v.ID != "" || v.Status != "" || v.Version != 0 || v.SystemID != "" {
				t.Errorf("an entry states no id, state, version or system: got %q %q %d %q", v.ID, v.Status, v.Version, v.SystemID)
			}
		})
	}
}

// want is a problem expected at a cell (or a whole row, when ref is empty),
// its message containing fragment.
type want struct {
	row      int
	ref      string
	column   string
	fragment string
}

func checkProblems(t *testing.T, got sheet.Problems, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d problems %v, want %d %+v", len(got), got, len(wants), wants)
	}
	for i, w := range wants {
		p := got[i]
		if p.Sheet != sheetName || p.Row != w.row || p.Ref != w.ref || p.Column != w.column || !strings.Contains(p.Message, w.fragment) {
			t.Errorf("problem %d: got %s (row %d, ref %q, column %q, sheet %q), want row %d ref %q column %q saying %q",
				i, p, p.Row, p.Ref, p.Column, p.Sheet, w.row, w.ref, w.column, w.fragment)
		}
		if w.ref != "" && p.Col != slices.Index(cols, w.column)+1 {
			t.Errorf("problem %d: got column number %d, want that of %s", i, p.Col, w.column)
		}
	}
}

// Rows that Read refuses, each problem at its cell.
func TestReadRefuses(t *testing.T) {
	at := func(key, fragment string) want { return want{3, ref(key, 3), key, fragment} }
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name  string
		row   cells
		wants []want
	}{
		// Units.
		{"no unit code", base("1.1", cells{"unit_code": " ", "value": "1"}), []want{at("unit_code", "a unit code is required")}},
		{"unknown unit code", base("1.1", cells{"unit_code": "no-such-unit", "value": "1"}), []want{at("unit_code", "no unit has the code no-such-unit")}},
		{"a unit the uploader may not report for", base("1.1", cells{"unit_code": "0012", "value": "1"}),
			[]want{at("unit_code", "unit 0012 红旗街道: you may not report for this unit")}},
		// Indicators.
		{"no indicator code", base("", cells{"value": "1"}), []want{at("indicator_code", "an indicator code is required")}},
		{"unknown indicator", base("9", cells{"value": "1"}), []want{at("indicator_code", "the system has no indicator 9")}},
		{"unknown indicator with a level", base("9", cells{"level": "1", "value": "1"}), []want{at("indicator_code", "the system has no indicator 9")}},
		{"a code on two levels", base("2", cells{"value": "是"}), []want{at("indicator_code", "indicator 2 on more than one level: give the level")}},
		{"a level that is not a number", base("2", cells{"level": "一", "value": "是"}), []want{at("level", `the level is a whole number, not "一"`)}},
		{"a level that is not whole", base("1.1", cells{"level": "2.5", "value": "1"}), []want{at("level", "the level is a whole number")}},
		{"a code not on the level", base("1.1", cells{"level": "3", "value": "1"}), []want{at("level", "indicator 1.1 is not on level 3")}},
		{"evidence only", base("1.3", cells{"value": "1"}), []want{at("indicator_code", "indicator 1.3 is reported with evidence only")}},
		{"a yearly indicator", base("1", cells{"value": "1"}), []want{at("indicator_code", "indicator 1 is reported by year, not by quarter")}},
		{"a monthly indicator", base("3.1", cells{"value": "1"}), []want{at("indicator_code", "indicator 3.1 is reported by month, not by quarter")}},
		// Period.
		{"another quarter", base("1.1", cells{"period": "2021-Q2", "value": "1"}), []want{at("period", "this sheet is for 2021-Q3, the row says 2021-Q2")}},
		{"the year", base("1.1", cells{"period": "2021", "value": "1"}), []want{at("period", "the row says 2021")}},
		// Numbers.
		{"letters in a number", base("1.1", cells{"value": "12a"}), []want{at("value", `not a number: "12a"`)}},
		{"thousands separator", base("1.1", cells{"value": "1,200"}), []want{at("value", "not a number")}},
		{"a percentage for a number", base("1.1", cells{"value": "58.10%"}), []want{at("value", "not a number")}},
		{"seven decimals", base("1.1", cells{"value": "1.1234567"}), []want{at("value", "not a number")}},
		{"a plus sign", base("1.1", cells{"value": "+5"}), []want{at("value", "not a number")}},
		{"sixteen digits", base("1.1", cells{"value": "1234567890123456"}), []want{at("value", "not a number")}},
		{"letters in a percentage", base("1.2", cells{"value": "abc%"}), []want{at("value", `not a number: "abc%"`)}},
		{"a percentage above 100", base("1.2", cells{"value": "120%"}), []want{at("value", "a percentage lies between 0 and 100, not 120")}},
		{"a percent cell above 100", base("1.2", cells{"value": "1.5", "value!": "150.00%"}), []want{at("value", "between 0 and 100, not 150")}},
		{"a negative percentage", base("1.2", cells{"value": "-5"}), []want{at("value", "between 0 and 100")}},
		// Yes/no and text.
		{"neither yes nor no", base("2", cells{"level": "1", "value": "也許"}), []want{at("value", `indicator 2 takes 是 or 否, not "也許"`)}},
		{"a number for yes/no", base("2", cells{"level": "1", "value": "2"}), []want{at("value", "takes 是 or 否")}},
		{"text too long", base("2", cells{"level": "2", "value": long(4001)}), []want{at("value", "4001 characters, at most 4000 fit")}},
		{"raw text too long", base("1.1", cells{"value": "1", "raw_text": long(1001)}), []want{at("raw_text", "1001 characters, at most 1000 fit")}},
		{"comment too long", base("1.1", cells{"value": "1", "comment": long(2001)}), []want{at("comment", "2001 characters, at most 2000 fit")}},
		{"characters, not bytes, counted", base("1.1", cells{"value": "1", "comment": strings.Repeat("說", 2001)}),
			[]want{at("comment", "2001 characters")}},
		// Qualifier, date, self score.
		{"unknown qualifier", base("1.1", cells{"value": "1", "qualifier": "大概"}), []want{at("qualifier", `unknown qualifier "大概"`)}},
		{"not a date", base("1.1", cells{"value": "1", "as_of": "明天"}), []want{at("as_of", `not a date: "明天"`)}},
		{"no such day", base("1.1", cells{"value": "1", "as_of": "2021-02-30"}), []want{at("as_of", "not a date")}},
		{"a date cell shown without its year", base("1.1", cells{"value": "1", "as_of": "44469", "as_of!": "9月30日"}),
			[]want{at("as_of", `not a date: "9月30日"`)}},
		{"a bare serial number", base("1.1", cells{"value": "1", "as_of": "44469"}), []want{at("as_of", "not a date")}},
		{"self score not a number", base("1.1", cells{"value": "1", "self_score": "滿分"}), []want{at("self_score", `not a number: "滿分"`)}},
		{"self score above the points", base("1.1", cells{"value": "1", "self_score": "20.5"}),
			[]want{at("self_score", "a score lies between 0 and the indicator's 20 points")}},
		{"negative self score", base("1.1", cells{"value": "1", "self_score": "-1"}), []want{at("self_score", "between 0 and")}},
		// The model's checks, at the column of the field: a row with
		// something filled in but not the value.
		{"a number missing", base("1.1", cells{"comment": "待補"}), []want{at("value", "indicator 1.1 takes a number: value is required")}},
		{"a percentage missing", base("1.2", cells{"self_score": "1"}), []want{at("value", "value is required")}},
		{"yes/no missing", base("2", cells{"level": "1", "qualifier": "約"}), []want{at("value", "indicator 2 takes yesNo only")}},
		// Several problems in a row, in column order.
		{"several", cells{"unit_code": "no-such-unit", "indicator_code": "1.1", "period": "2021-Q1", "value": "x", "as_of": "x"}, []want{
			at("unit_code", "no unit has the code"), at("period", "the row says 2021-Q1"), at("value", "not a number"), at("as_of", "not a date")}},
		{"unit and indicator both unknown", cells{"unit_code": "?", "indicator_code": "?", "value": "1"}, []want{
			at("unit_code", "no unit has the code ?"), at("indicator_code", "the system has no indicator ?")}},
		{"the model's check and the cells'", base("1.1", cells{"value": "1", "self_score": "99", "qualifier": "大概"}), []want{
			at("qualifier", "unknown qualifier")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, skipped, probs := layout().Read(table(tt.row), unitsByCode(), mayNotU3)
			if len(entries) != 0 || skipped != 0 {
				t.Errorf("got %d entries and %d skipped, want the row refused", len(entries), skipped)
			}
			checkProblems(t, probs, tt.wants)
		})
	}
}

// Template rows nobody filled in are skipped and counted; the others are
// read in order, each problem at its row; a unit and indicator given twice is
// a problem of the second row.
func TestReadRows(t *testing.T) {
	tab := table(
		base("1.2", nil), // 3: a template row
		base("1.1", cells{"value": "1", "status": "草稿"}),                                 // 4
		base("1.1", cells{"value": " ", "comment": "\t", "status": "草稿"}),                // 5: blank value cells, a status
		base("1.1", cells{"value": "2"}),                                                 // 6: 1.1 again
		base("2", cells{"level": "1", "value": "是"}),                                     // 7
		base("2", cells{"level": "2", "value": "是"}),                                     // 8: code 2 again, but another indicator
		cells{"unit_code": u2.Code, "indicator_code": "1.1", "value": "1"},               // 9: another unit
		base("1.2", cells{"value": "x"}),                                                 // 10: bad
		base("1.1", cells{"value": "x"}),                                                 // 11: 1.1 a third time, and bad
		cells{"unit_code": u2.Code, "indicator_code": "1.1", "level": "2", "value": "3"}, // 12: as row 9
		cells{"unit_code": "", "indicator_code": "", "comment": "附註"},                    // 13: no codes
	)
	entries, skipped, probs := layout().Read(tab, unitsByCode(), mayNotU3)
	if got, want := skipped, 2; got != want {
		t.Errorf("got %d skipped, want %d", got, want)
	}
	var got []string
	for _, e := range entries {
		got = append(got, fmt.Sprintf("%d:%s/%s", e.Row.Number, e.Value.UnitID, e.Value.IndicatorID))
	}
	if wantEntries := []string{"4:u1/a1", "7:u1/b", "8:u1/b1", "9:u2/a1"}; !slices.Equal(got, wantEntries) {
		t.Errorf("got entries %q, want %q", got, wantEntries)
	}
	checkProblems(t, probs, []want{
		{6, "", "", "row 4 already reports indicator 1.1 for unit 211100-001"},
		{10, ref("value", 10), "value", "not a number"},
		{11, "", "", "row 4 already reports indicator 1.1 for unit 211100-001"},
		{11, ref("value", 11), "value", "not a number"},
		{12, "", "", "row 9 already reports indicator 1.1 for unit 211100-002"},
		{13, ref("unit_code", 13), "unit_code", "a unit code is required"},
		{13, ref("indicator_code", 13), "indicator_code", "an indicator code is required"},
	})
}

// A table with only the required columns reads; the absent ones are blank.
func TestReadRequiredColumnsOnly(t *testing.T) {
	tab := &sheet.Table{Sheet: "csv", HeaderRow: 1, Headers: map[string]sheet.Cell{}}
	keys := []string{valuesheet.ColUnitCode, valuesheet.ColIndicatorCode, valuesheet.ColValue}
	for n, texts := range [][]string{{u1.Code, "1.1", "5"}, {u1.Code, "2", "是"}, {u2.Code, "1.2", ""}} {
		r := sheet.Row{Sheet: "csv", Number: n + 2, Cells: map[string]sheet.Cell{}}
		for i, key := range keys {
			r.Cells[key] = sheet.Cell{Sheet: "csv", Row: n + 2, Col: i + 1, Ref: sheet.CellRef(i+1, n+2), Column: key, Text: texts[i], Formatted: texts[i]}
		}
		tab.Rows = append(tab.Rows, r)
	}
	entries, skipped, probs := layout().Read(tab, unitsByCode(), mayNotU3)
	if len(entries) != 1 || skipped != 1 {
		t.Fatalf("got %d entries and %d skipped, want 1 and 1", len(entries), skipped)
	}
	if got, want := show(&entries[0].Value), "u1/a1 2021-Q3 value=5 yesNo=- text=- q=exact raw=- asOf=- score=- comment=-"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if len(probs) != 1 || probs[0].Ref != "B3" || !strings.Contains(probs[0].Message, "more than one level") {
		t.Errorf("got problems %v, want one at B3 about code 2 on two levels", probs)
	}
}

// existing builds a stored value of u1 in the given state.
func existing(id, ind string, status models.ValueStatus, set func(v *models.IndicatorValue)) *models.IndicatorValue {
	v := &models.IndicatorValue{ID: id, IndicatorID: ind, SystemID: sys.ID, UnitID: "u1", Period: "2021-Q3", Year: 2021,
		Qualifier: "exact", Status: status, Flags: []string{"flag"}, Version: 3, ReturnReason: ptr("請補充")}
	set(v)
	return v
}

func TestDiff(t *testing.T) {
	type result struct {
		creates   []string // show of each created value
		updates   []string // "before id: show of after"
		unchanged int
		problems  []want
	}
	num := func(s string) func(v *models.IndicatorValue) {
		return func(v *models.IndicatorValue) { v.Value = dec(s) }
	}
	tests := []struct {
		name     string
		rows     []cells
		existing []*models.IndicatorValue
		want     result
	}{
		{"nothing", nil, nil, result{}},
		{"a new value is created", []cells{base("1.1", cells{"value": "58.10", "comment": "新"})}, nil, result{
			creates: []string{`u1/a1 2021-Q3 value=58.10 yesNo=- text=- q=exact raw=- asOf=- score=- comment="新"`}}},
		{"the same number at another scale is unchanged", []cells{base("1.1", cells{"value": "58.10"})},
			[]*models.IndicatorValue{existing("v1", "a1", "draft", num("58.1"))}, result{unchanged: 1}},
		{"the same, scale the other way", []cells{base("1.1", cells{"value": "58.1", "self_score": "18.50"})},
			[]*models.IndicatorValue{existing("v1", "a1", "draft", func(v *models.IndicatorValue) {
				v.Value, v.SelfScore = dec("58.100"), dec("18.5")
			})}, result{unchanged: 1}},
		{"every field the same", []cells{base("1.1", cells{"value": "17", "qualifier": "以上", "raw_text": "十七件以上",
			"as_of": "2021/9/30", "self_score": "18", "comment": "說明"})},
			[]*models.IndicatorValue{existing("v1", "a1", "returned", func(v *models.IndicatorValue) {
				v.Value, v.Qualifier, v.RawText, v.AsOf = dec("17"), "at_least", ptr("十七件以上"), date("2021-09-30")
				v.SelfScore, v.Comment = dec("18.0"), ptr("說明")
			})}, result{unchanged: 1}},
		{"the same day, read in another zone", []cells{base("1.1", cells{"value": "1", "as_of": "2021-09-30"})},
			[]*models.IndicatorValue{existing("v1", "a1", "draft", func(v *models.IndicatorValue) {
				v.Value, v.AsOf = dec("1"), ptr(time.Date(2021, 9, 30, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)))
			})}, result{unchanged: 1}},
		{"unchanged in any state", []cells{
			base("1.1", cells{"value": "1"}), base("1.2", cells{"value": "2%"}), base("3", cells{"value": "3"}),
		}, []*models.IndicatorValue{
			existing("v1", "a1", "submitted", num("1")), existing("v2", "a2", "approved", num("2.0")), existing("v3", "c", "locked", num("3")),
		}, result{unchanged: 3}},
		{"a draft changes", []cells{base("1.1", cells{"value": "59"})},
			[]*models.IndicatorValue{existing("v1", "a1", "draft", num("58.1"))}, result{
				updates: []string{"v1: u1/a1 2021-Q3 value=59 yesNo=- text=- q=exact raw=- asOf=- score=- comment=-"}}},
		{"a returned value changes", []cells{base("2", cells{"level": "1", "value": "否"})},
			[]*models.IndicatorValue{existing("v1", "b", "returned", func(v *models.IndicatorValue) { v.YesNo = ptr(true) })}, result{
				updates: []string{"v1: u1/b 2021-Q3 value=- yesNo=false text=- q=exact raw=- asOf=- score=- comment=-"}}},
		{"a blank cell clears its field", []cells{base("1.1", cells{"value": "1"})},
			[]*models.IndicatorValue{existing("v1", "a1", "draft", func(v *models.IndicatorValue) {
				v.Value, v.Comment, v.AsOf, v.SelfScore, v.Qualifier, v.RawText = dec("1"), ptr("舊"), date("2021-09-30"), dec("1"), "about", ptr("約1")
			})}, result{
				updates: []string{"v1: u1/a1 2021-Q3 value=1 yesNo=- text=- q=exact raw=- asOf=- score=- comment=-"}}},
		{"only the qualifier differs", []cells{base("1.1", cells{"value": "1", "qualifier": "約"})},
			[]*models.IndicatorValue{existing("v1", "a1", "draft", num("1"))}, result{
				updates: []string{"v1: u1/a1 2021-Q3 value=1 yesNo=- text=- q=about raw=- asOf=- score=- comment=-"}}},
		{"only the date differs", []cells{base("1.1", cells{"value": "1", "as_of": "2021-09-29"})},
			[]*models.IndicatorValue{existing("v1", "a1", "draft", func(v *models.IndicatorValue) { v.Value, v.AsOf = dec("1"), date("2021-09-30") })},
			result{updates: []string{"v1: u1/a1 2021-Q3 value=1 yesNo=- text=- q=exact raw=- asOf=2021-09-29 00:00:00 UTC score=- comment=-"}}},
		{"text differing in white space", []cells{base("2", cells{"level": "2", "value": "已完成 "})},
			[]*models.IndicatorValue{existing("v1", "b1", "draft", func(v *models.IndicatorValue) { v.Text = ptr("已完成") })},
			result{updates: []string{`v1: u1/b1 2021-Q3 value=- yesNo=- text="已完成 " q=exact raw=- asOf=- score=- comment=-`}}},
		{"a submitted value does not change", []cells{base("1.1", cells{"value": "2"})},
			[]*models.IndicatorValue{existing("v1", "a1", "submitted", num("1"))},
			result{problems: []want{{3, ref("value", 3), "value", "the value is 已提交 and may no longer change (here: submitted)"}}}},
		{"an approved value does not change", []cells{base("1.1", cells{"value": "1", "comment": "補充"})},
			[]*models.IndicatorValue{existing("v1", "a1", "approved", num("1"))},
			result{problems: []want{{3, ref("value", 3), "value", "已审核 and may no longer change (here: approved)"}}}},
		{"a locked value does not change", []cells{base("1.1", cells{"value": "1", "as_of": "2021-09-30"})},
			[]*models.IndicatorValue{existing("v1", "a1", "locked", num("1"))},
			result{problems: []want{{3, ref("value", 3), "value", "已锁定 and may no longer change (here: locked)"}}}},
		{"all of it at once", []cells{
			base("1.1", cells{"value": "9"}),                                 // 3: update v1
			base("1.2", cells{"value": "50%"}),                               // 4: problem: v2 submitted
			base("2", cells{"level": "1", "value": "是"}),                     // 5: create
			base("2", cells{"level": "2", "value": "進行中"}),                   // 6: unchanged
			base("3", cells{"value": "4"}),                                   // 7: problem: v4 approved
			cells{"unit_code": u2.Code, "indicator_code": "3", "value": "4"}, // 8: create for u2: v4 is u1's
		}, []*models.IndicatorValue{
			existing("v1", "a1", "draft", num("8")), existing("v2", "a2", "submitted", num("40")),
			existing("v3", "b1", "draft", func(v *models.IndicatorValue) { v.Text = ptr("進行中") }),
			existing("v4", "c", "approved", num("3")),
		}, result{
			creates: []string{"u1/b 2021-Q3 value=- yesNo=true text=- q=exact raw=- asOf=- score=- comment=-",
				"u2/c 2021-Q3 value=4 yesNo=- text=- q=exact raw=- asOf=- score=- comment=-"},
			updates:   []string{"v1: u1/a1 2021-Q3 value=9 yesNo=- text=- q=exact raw=- asOf=- score=- comment=-"},
			unchanged: 1,
			problems:  []want{{4, ref("value", 4), "value", "已提交"}, {7, ref("value", 7), "value", "已审核"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, _, probs := layout().Read(table(tt.rows...), unitsByCode(), mayNotU3)
			if len(probs) != 0 {
				t.Fatalf("Read: %v", probs)
			}
			byKey := map[valuesheet.Key]*models.IndicatorValue{}
			befores := map[string]models.IndicatorValue{}
			for _, v := range tt.existing {
				byKey[valuesheet.KeyOf(v)] = v
				befores[v.ID] = *v
			}
			plan, probs := valuesheet.Diff(entries, byKey)
			var got result
			for _, v := range plan.Create {
				got.creates = append(got.creates, show(v))
			}
			for _, c := range plan.Update {
				got.updates = append(got.updates, c.Before.ID+": "+show(c.After))
			}
			got.unchanged = plan.Unchanged
			if !slices.Equal(got.creates, tt.want.creates) {
				t.Errorf("creates:\ngot  %q\nwant %q", got.creates, tt.want.creates)
			}
			if !slices.Equal(got.updates, tt.want.updates) {
				t.Errorf("updates:\ngot  %q\nwant %q", got.updates, tt.want.updates)
			}
			if got.unchanged != tt.want.unchanged {
				t.Errorf("got %d unchanged, want %d", got.unchanged, tt.want.unchanged)
			}
			checkProblems(t, probs, tt.want.problems)
			// An update is the value as it was, but for the fields a
			// row states: same id, state, version, flags; the value
			// read is left as it was.
			for _, c := range plan.Update {
				before := befores[c.Before.ID]
				if c.Before != byKey[valuesheet.KeyOf(c.Before)] {
					t.Errorf("update of %s: Before is not the value read", c.Before.ID)
				}
				if show(c.Before) != show(&before) {
					t.Errorf("update of %s changed the value read: got %s, want %s", c.Before.ID, show(c.Before), show(&before))
				}
				a := c.After
				if a.ID != before.ID || a.Status != before.Status || a.Version != before.Version || a.SystemID != before.SystemID ||
					a.Year != before.Year || !slices.Equal(a.Flags, before.Flags) || a.ReturnReason != before.ReturnReason {
					t.Errorf("update of %s: got after %+v, want the state of %+v", c.Before.ID, a, before)
				}
			}
			for _, v := range plan.Create {
				if v.ID != "" || v.Status != "" || v.Version != 0 {
					t.Errorf("a create carries id %q, state %q, version %d; want none (the store gives them)", v.ID, v.Status, v.Version)
				}
			}
		})
	}
}

// An export read back states every value as it is: importing it changes
// nothing, whether it went through .xlsx or .csv; a template imports nothing.
func TestRoundTrip(t *testing.T) {
	l := layout(u1, u2, u3)
	var values []*models.IndicatorValue
	add := func(unit, ind string, status models.ValueStatus, set func(v *models.IndicatorValue)) {
		v := &models.IndicatorValue{ID: fmt.Sprintf("v%d", len(values)+1), UnitID: unit, IndicatorID: ind, SystemID: sys.ID,
			Period: "2021-Q3", Year: 2021, Qualifier: "exact", Status: status, Version: 2, Flags: []string{}}
		set(v)
		values = append(values, v)
	}
	add("u1", "a1", "draft", func(v *models.IndicatorValue) {
		v.Value, v.Qualifier, v.RawText, v.AsOf = dec("1200.50"), "more_than", ptr("一千二百余件"), date("2021-09-30")
		v.SelfScore, v.Comment = dec("18.50"), ptr("=SUM(A1) 不是公式")
	})
	add("u1", "a2", "submitted", func(v *models.IndicatorValue) { v.Value, v.Qualifier = dec("58.10"), "about" })
	add("u1", "b", "approved", func(v *models.IndicatorValue) { v.YesNo = ptr(true) })
	add("u1", "b1", "returned", func(v *models.IndicatorValue) { v.Text = ptr(" 已完成\n第二期 ") })
	add("u1", "c", "locked", func(v *models.IndicatorValue) { v.Value, v.Qualifier = dec("-3.250000"), "at_most" })
	add("u1", "c2", "draft", func(v *models.IndicatorValue) { v.Value, v.Qualifier = dec("0"), "less_than" })
	add("u2", "a1", "draft", func(v *models.IndicatorValue) { v.Value, v.Qualifier = dec("007"), "minimum" })
	add("u2", "a2", "draft", func(v *models.IndicatorValue) { v.Value, v.Qualifier = dec("100.000000"), "maximum" })
	add("u2", "b", "draft", func(v *models.IndicatorValue) { v.YesNo, v.Qualifier = ptr(false), "at_least" })
	add("u2", "b1", "draft", func(v *models.IndicatorValue) { v.Text, v.Comment = ptr("0012"), ptr("-負號開頭") })
	add("u2", "c", "draft", func(v *models.IndicatorValue) {
		v.Value, v.RawText, v.Comment = dec("999999999999999.999999"), ptr("@提及"), ptr("'引號")
	})
	add("u3", "b1", "draft", func(v *models.IndicatorValue) { v.Text = ptr("+ 增加") })
	// u3 reports b though not named for it.
	add("u3", "b", "draft", func(v *models.IndicatorValue) { v.YesNo = ptr(true) })

	byKey := map[valuesheet.Key]*models.IndicatorValue{}
	for _, v := range values {
		byKey[valuesheet.KeyOf(v)] = v
	}
	rows := l.Rows(byKey)
	template := l.Rows(nil)
	wantRows := 6 + 6 + 5 // u1 and u2 everything, u3 all but a1 (b by its value)
	if len(rows) != wantRows {
		t.Fatalf("got %d export rows, want %d", len(rows), wantRows)
	}

	read := map[string]func(t *testing.T, rows [][]string) *sheet.Table{
		"xlsx": func(t *testing.T, rows [][]string) *sheet.Table {
			var buf bytes.Buffer
			if err := sheet.WriteXLSX(&buf, []sheet.SheetData{{Name: valuesheet.SheetName, Title: valuesheet.Title(l.System, l.Period),
				Columns: valuesheet.OutColumns(), Rows: rows}}); err != nil {
				t.Fatalf("WriteXLSX: %v", err)
			}
			tab, probs, err := sheet.ReadXLSX(bytes.NewReader(buf.Bytes()), int64(buf.Len()), valuesheet.ReadColumns(), sheet.ReadOptions{})
			if err != nil || len(probs) != 0 {
				t.Fatalf("ReadXLSX: %v %v", err, probs)
			}
			if tab.Sheet != valuesheet.SheetName || tab.HeaderRow != 2 {
				t.Errorf("got sheet %q with the header in row %d, want %q and 2", tab.Sheet, tab.HeaderRow, valuesheet.SheetName)
			}
			return tab
		},
		"csv": func(t *testing.T, rows [][]string) *sheet.Table {
			var buf bytes.Buffer
			if err := sheet.WriteCSV(&buf, valuesheet.OutColumns(), rows); err != nil {
				t.Fatalf("WriteCSV: %v", err)
			}
			tab, probs, err := sheet.ReadCSV(bytes.NewReader(buf.Bytes()), valuesheet.ReadColumns(), sheet.ReadOptions{Sheet: "export"})
			if err != nil || len(probs) != 0 {
				t.Fatalf("ReadCSV: %v %v", err, probs)
			}
			if tab.HeaderRow != 1 {
				t.Errorf("got the header in row %d, want 1", tab.HeaderRow)
			}
			return tab
		},
	}
	for _, format := range []string{"xlsx", "csv"} {
		t.Run(format, func(t *testing.T) {
			tab := read[format](t, rows)
			if got, want := len(tab.Rows), wantRows; got != want {
				t.Fatalf("got %d rows read, want %d", got, want)
			}
			units := map[string]*models.Unit{}
			for _, code := range valuesheet.UnitCodes(tab.Rows) {
				for _, u := range []models.Unit{u1, u2, u3} {
					if u.Code == code {
						units[code] = ptr(u)
					}
				}
			}
			if got, want := len(units), 3; got != want {
				t.Errorf("got %d unit codes back, want %d: %q", got, want, valuesheet.UnitCodes(tab.Rows))
			}
			entries, skipped, probs := l.Read(tab, units, func(*models.Unit) error { return nil })
			if len(probs) != 0 {
				t.Fatalf("Read: %v", probs)
			}
			if got, want := len(entries), len(values); got != want {
				t.Errorf("got %d entries, want %d", got, want)
			}
			if got, want := skipped, wantRows-len(values); got != want {
				t.Errorf("got %d skipped, want %d", got, want)
			}
			for _, e := range entries {
				v := byKey[valuesheet.KeyOf(&e.Value)]
				if v == nil {
					t.Errorf("row %d states %s, which is not a value exported", e.Row.Number, show(&e.Value))
					continue
				}
				if got, want := show(&e.Value), show(v); got != want {
					t.Errorf("row %d:\ngot  %s\nwant %s", e.Row.Number, got, want)
				}
			}
			plan, probs := valuesheet.Diff(entries, byKey)
			if len(plan.Create) != 0 || len(plan.Update) != 0 || plan.Unchanged != len(values) || len(probs) != 0 {
				t.Errorf("got %d creates, %d updates, %d unchanged, problems %v; want %d unchanged only",
					len(plan.Create), len(plan.Update), plan.Unchanged, probs, len(values))
			}

			// The template: every row is skipped.
			tab = read[format](t, template)
			entries, skipped, probs = l.Read(tab, units, func(*models.Unit) error { return nil })
			if len(entries) != 0 || skipped != len(template) || len(probs) != 0 {
				t.Errorf("template: got %d entries, %d skipped of %d rows, problems %v", len(entries), skipped, len(template), probs)
			}
		})
	}
}

// TestDiffTextForms: what a sheet cannot tell apart is no change: an empty
// text and no text, and line breaks as CSV rewrites them.
func TestDiffTextForms(t *testing.T) {
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		name          string
		stored, sheet *string
	}{
		{"empty comment, empty cell", s(""), nil},
		{"CRLF read back as LF", s("第一行\r\n第二行"), s("第一行\n第二行")},
		{"CR read back as LF", s("第一行\r第二行"), s("第一行\n第二行")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := &models.IndicatorValue{ID: "v", IndicatorID: "i", UnitID: "u", Status: models.ValueApproved,
				Qualifier: "exact", Comment: tc.stored}
			e := valuesheet.Entry{Value: models.IndicatorValue{IndicatorID: "i", UnitID: "u", Qualifier: "exact", Comment: tc.sheet}}
			plan, probs := valuesheet.Diff([]valuesheet.Entry{e}, map[valuesheet.Key]*models.IndicatorValue{{UnitID: "u", IndicatorID: "i"}: before})
			if len(probs) != 0 || plan.Unchanged != 1 {
				t.Errorf("got %+v, %v; want unchanged", plan, probs)
			}
		})
	}
	// A real change is still one.
	before := &models.IndicatorValue{ID: "v", IndicatorID: "i", UnitID: "u", Status: models.ValueDraft, Qualifier: "exact", Comment: s("甲")}
	e := valuesheet.Entry{Value: models.IndicatorValue{IndicatorID: "i", UnitID: "u", Qualifier: "exact", Comment: s("乙")}}
	if plan, _ := valuesheet.Diff([]valuesheet.Entry{e}, map[valuesheet.Key]*models.IndicatorValue{{UnitID: "u", IndicatorID: "i"}: before}); len(plan.Update) != 1 {
		t.Errorf("a changed comment: %+v, want an update", plan)
	}
}

// A Judge reads a sheet batch by batch as Read does at once: a row repeating
// one of an earlier batch is found, and units are looked up once, codes no
// unit has included.
func TestJudgeBatches(t *testing.T) {
	tab := table(
		cells{"unit_code": u1.Code, "indicator_code": "1.1", "value": "1"},  // 3
		cells{"unit_code": "nobody", "indicator_code": "1.1", "value": "1"}, // 4
		cells{"unit_code": u2.Code, "indicator_code": "1.1", "value": "2"},  // 5
		cells{"unit_code": u1.Code, "indicator_code": "1.1", "value": "3"},  // 6: as row 3
		cells{"unit_code": "nobody", "indicator_code": "1.1", "value": "1"}, // 7
	)
	j := layout().NewJudge(mayNotU3)
	var (
		lookedUp []string
		entries  int
		probs    sheet.Problems
	)
	for batch := range slices.Chunk(tab.Rows, 2) {
		codes := j.Unknown(batch)
		lookedUp = append(lookedUp, codes...)
		var found []models.Unit
		for _, code := range codes {
			if u, ok := unitsByCode()[code]; ok {
				found = append(found, *u)
			}
		}
		j.Know(codes, found)
		es, _, ps := j.Read(batch)
		entries += len(es)
		probs = append(probs, ps...)
	}
	if want := []string{u1.Code, "nobody", u2.Code}; !slices.Equal(lookedUp, want) {
		t.Errorf("looked up %q, want %q", lookedUp, want)
	}
	if entries != 2 {
		t.Errorf("%d entries, want 2", entries)
	}
	checkProblems(t, probs, []want{
		{4, ref("unit_code", 4), "unit_code", "no unit has the code nobody"},
		{6, "", "", "row 3 already reports indicator 1.1 for unit 211100-001"},
		{7, ref("unit_code", 7), "unit_code", "no unit has the code nobody"},
	})
}
