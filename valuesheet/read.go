package valuesheet

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
	"github.com/fazhi/fazhi/textsearch"
)

// Longest texts a value keeps, in characters: the contract's bounds.
const (
	maxText    = 4000
	maxRawText = 1000
	maxComment = 2000
)

// Entry is one filled-in row: the value as the row states it (indicator,
// unit, period and every field the sheet carries; no id, state or version).
type Entry struct {
	Row   sheet.Row
	Value models.IndicatorValue
}

// UnitCodes are the distinct unit codes the rows name, for the caller to
// look up before reading them.
func UnitCodes(rows []sheet.Row) []string {
	var codes []string
	for _, r := range rows {
		if c := strings.TrimSpace(r.Text(ColUnitCode)); c != "" {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

// Read judges the table's rows against the layout in one go: Judge.Read
// over all of them.
func (l *Layout) Read(tab *sheet.Table, units map[string]*models.Unit, may func(*models.Unit) error) ([]Entry, int, sheet.Problems) {
	j := l.NewJudge(may)
	for code, u := range units {
		j.know(code, u)
	}
	return j.Read(tab.Rows)
}

// Judge judges the rows of a sheet as they stream by, batch by batch. What
// it keeps between batches does not hold rows: the units looked up, and for
// each value a row stated, a few bytes to find a row that states it again.
type Judge struct {
	layout *Layout
	may    func(*models.Unit) error
	byCode map[string][]*models.Indicator
	inds   map[*models.Indicator]int32 // position in the layout
	units  map[string]*models.Unit     // by code; nil: no unit has the code
	unitNo map[*models.Unit]int32
	seen   map[[2]int32]int32 // (unit, indicator) → the row that stated it
}

// NewJudge starts judging rows against the layout; may says whether the
// uploader may report for a unit, its error being the message shown.
func (l *Layout) NewJudge(may func(*models.Unit) error) *Judge {
	j := &Judge{layout: l, may: may, byCode: map[string][]*models.Indicator{}, inds: map[*models.Indicator]int32{},
		units: map[string]*models.Unit{}, unitNo: map[*models.Unit]int32{}, seen: map[[2]int32]int32{}}
	for i := range l.Indicators {
		ind := &l.Indicators[i]
		j.byCode[ind.Code] = append(j.byCode[ind.Code], ind)
		j.inds[ind] = int32(i)
	}
	return j
}

// Unknown are the unit codes the rows name that the judge has not been told
// about yet (Know).
func (j *Judge) Unknown(rows []sheet.Row) []string {
	return slices.DeleteFunc(UnitCodes(rows), func(code string) bool {
		_, known := j.units[code]
		return known
	})
}

// Know tells the judge the units that have these codes; codes none of them
// has belong to no unit.
func (j *Judge) Know(codes []string, units []models.Unit) {
	for _, code := range codes {
		j.know(code, nil)
	}
	for i := range units {
		j.know(units[i].Code, &units[i])
	}
}

func (j *Judge) know(code string, u *models.Unit) {
	j.units[code] = u
	if u != nil {
		if _, ok := j.unitNo[u]; !ok {
			j.unitNo[u] = int32(len(j.unitNo))
		}
	}
}

// Read judges the next rows: it returns the filled-in ones, how many were
// left blank, and every problem found, in row order.
func (j *Judge) Read(rows []sheet.Row) ([]Entry, int, sheet.Problems) {
	var (
		entries []Entry
		skipped int
		probs   sheet.Problems
	)
	l := j.layout
	for _, r := range rows {
		if blankValue(r) {
			skipped++
			continue
		}
		rd := rowReader{row: r}
		unit := rd.unit(j.units, j.may)
		ind := rd.indicator(j.byCode, l)
		if c := r.Cells[ColPeriod]; !c.Blank() && strings.TrimSpace(c.Text) != l.Period.String() {
			rd.fail(c, "this sheet is for %s, the row says %s", l.Period, strings.TrimSpace(c.Text))
		}
		v := models.IndicatorValue{Period: l.Period.String(), Qualifier: "exact"}
		if unit != nil {
			v.UnitID = unit.ID
		}
		if ind != nil {
			v.IndicatorID = ind.ID
			rd.fields(&v, ind)
		}
		if unit != nil && ind != nil {
			k := [2]int32{j.unitNo[unit], j.inds[ind]}
			if first, dup := j.seen[k]; dup {
				rd.probs = append(rd.probs, r.Problem("row %d already reports indicator %s for unit %s", first, ind.Code, unit.Code))
			} else {
				j.seen[k] = int32(r.Number)
			}
		}
		if len(rd.probs) > 0 {
			probs = append(probs, rd.probs...)
			continue
		}
		entries = append(entries, Entry{Row: r, Value: v})
	}
	probs.Sort()
	return entries, skipped, probs
}

// valueColumns are the columns that hold what a unit reports; a row with
// all of them blank is a template row nobody filled in.
var valueColumns = []string{ColValue, ColQualifier, ColRawText, ColAsOf, ColSelfScore, ColComment}

func blankValue(r sheet.Row) bool {
	for _, key := range valueColumns {
		if c, ok := r.Cells[key]; ok && !c.Blank() {
			return false
		}
	}
	return true
}

// rowReader collects the problems of one row.
type rowReader struct {
	row   sheet.Row
	probs sheet.Problems
}

func (rd *rowReader) fail(c sheet.Cell, format string, args ...any) {
	rd.probs = append(rd.probs, c.Problem(format, args...))
}

func (rd *rowReader) unit(units map[string]*models.Unit, may func(*models.Unit) error) *models.Unit {
	c := rd.row.Cells[ColUnitCode]
	code := strings.TrimSpace(c.Text)
	if code == "" {
		rd.fail(c, "a unit code is required")
		return nil
	}
	u := units[code]
	if u == nil {
		rd.fail(c, "no unit has the code %s", code)
		return nil
	}
	if err := may(u); err != nil {
		rd.fail(c, "unit %s %s: %v", code, u.Name, err)
		return nil
	}
	return u
}

func (rd *rowReader) indicator(byCode map[string][]*models.Indicator, l *Layout) *models.Indicator {
	c := rd.row.Cells[ColIndicatorCode]
	code := strings.TrimSpace(c.Text)
	if code == "" {
		rd.fail(c, "an indicator code is required")
		return nil
	}
	candidates := byCode[code]
	if lc := rd.row.Cells[ColLevel]; !lc.Blank() {
		level, err := strconv.Atoi(strings.TrimSpace(lc.Text))
		if err != nil {
			rd.fail(lc, "the level is a whole number, not %q", lc.Text)
			return nil
		}
		candidates = slices.DeleteFunc(slices.Clone(candidates), func(ind *models.Indicator) bool { return ind.Level != level })
		if len(candidates) == 0 && len(byCode[code]) > 0 {
			rd.fail(lc, "indicator %s is not on level %d", code, level)
			return nil
		}
	}
	switch {
	case len(candidates) == 0:
		rd.fail(c, "the system has no indicator %s", code)
		return nil
	case len(candidates) > 1:
		rd.fail(c, "the system has an indicator %s on more than one level: give the level", code)
		return nil
	}
	ind := candidates[0]
	switch {
	case ind.ValueType == "evidence_only":
		rd.fail(c, "indicator %s is reported with evidence only, not in a sheet", code)
	case string(ind.Frequency) != string(l.Period.Freq):
		rd.fail(c, "indicator %s is reported by %s, not by %s", code, ind.Frequency, l.Period.Freq)
	default:
		return ind
	}
	return nil
}

// fields reads the value cells into v, as the indicator's type asks.
func (rd *rowReader) fields(v *models.IndicatorValue, ind *models.Indicator) {
	r := rd.row
	found := len(rd.probs) // problems of the row's other cells
	if c := r.Cells[ColValue]; c.Blank() && ind.ValueType == "text" {
		// An empty text is a text: the row is filled in (blankValue), so
		// its other cells say something, and an export of a value with
		// an empty text reads back as it was.
		v.Text = ptr("")
	} else if !c.Blank() {
		switch ind.ValueType {
		case "number":
			v.Value = rd.decimal(c, strings.TrimSpace(c.Text))
		case "percent":
			text, ok := sheet.PercentText(c)
			if !ok {
				text = strings.TrimSpace(c.Text) // a plain number is the percentage itself
			}
			v.Value = rd.decimal(c, text)
		case "yes_no":
			word := textsearch.Fold(strings.TrimSpace(c.Text))
			switch {
			case slices.ContainsFunc(yesWords, func(w string) bool { return textsearch.Fold(w) == word }):
				v.YesNo = ptr(true)
			case slices.ContainsFunc(noWords, func(w string) bool { return textsearch.Fold(w) == word }):
				v.YesNo = ptr(false)
			default:
				rd.fail(c, "indicator %s takes 是 or 否, not %q", ind.Code, c.Text)
			}
		case "text":
			v.Text = rd.text(c, maxText)
		}
	}
	if c := r.Cells[ColQualifier]; !c.Blank() {
		q, ok := qualifierWords[textsearch.Fold(strings.TrimSpace(c.Text))]
		if !ok {
			rd.fail(c, "unknown qualifier %q: write 余, 以上, 以内, 不足, 约, 最低, 最高 or leave it blank", c.Text)
		}
		v.Qualifier = q
	}
	if c := r.Cells[ColRawText]; !c.Blank() {
		v.RawText = rd.text(c, maxRawText)
	}
	if c := r.Cells[ColComment]; !c.Blank() {
		v.Comment = rd.text(c, maxComment)
	}
	if c := r.Cells[ColSelfScore]; !c.Blank() {
		v.SelfScore = rd.decimal(c, strings.TrimSpace(c.Text))
	}
	if c := r.Cells[ColAsOf]; !c.Blank() {
		if day, ok := sheet.DateText(c); ok {
			d, _ := time.Parse(time.DateOnly, day) // DateText's form, always valid
			v.AsOf = &d
		} else {
			rd.fail(c, "not a date: %q (write 2021-12-31)", c.Formatted)
		}
	}
	if len(rd.probs) > found {
		return // the model's check would repeat what is already said
	}
	var invalid *models.ValidationError
	if err := v.CheckAgainst(ind); errors.As(err, &invalid) {
		for _, f := range invalid.Fields {
			rd.fail(r.Cells[fieldColumn(f.Pointer)], "%s", f.Message)
		}
	}
}

// fieldColumn is the column that holds the value's field at pointer.
func fieldColumn(pointer string) string {
	switch pointer {
	case "/qualifier":
		return ColQualifier
	case "/selfScore":
		return ColSelfScore
	}
	return ColValue // /value, /yesNo, /text
}

func (rd *rowReader) decimal(c sheet.Cell, text string) *exact.Decimal {
	d, err := exact.Parse(text)
	if err != nil {
		rd.fail(c, "not a number: %q (write digits with at most 6 after the point, e.g. 58.10)", c.Text)
		return nil
	}
	return &d
}

// text is the cell's text as typed, white space included: trimming it would
// make an exported value that has spaces read back as a change.
func (rd *rowReader) text(c sheet.Cell, limit int) *string {
	s := c.Text
	if n := utf8.RuneCountInString(s); n > limit {
		rd.fail(c, "%d characters, at most %d fit", n, limit)
		return nil
	}
	if msg := models.TextProblem(s); msg != "" {
		rd.fail(c, "%s", msg)
		return nil
	}
	return &s
}

func ptr[T any](v T) *T { return &v }

// Plan is what importing the entries does.
type Plan struct {
	Create    []*models.IndicatorValue
	Update    []models.ValueChange
	Unchanged int
}

// Diff plans the import of entries over the existing values of the sheet's
// units and period: a value that does not exist yet is created (a draft); one
// the row states differently is updated, if the unit may still change it
// (draft or returned), else the row is a problem; one the row states as it is
// stays as it is, in any state.
func Diff(entries []Entry, existing map[Key]*models.IndicatorValue) (Plan, sheet.Problems) {
	var (
		plan  Plan
		probs sheet.Problems
	)
	for i := range entries {
		e := &entries[i]
		before := existing[KeyOf(&e.Value)]
		switch {
		case before == nil:
			v := e.Value
			plan.Create = append(plan.Create, &v)
		case sameState(before, &e.Value):
			plan.Unchanged++
		default:
			if err := before.Editable(); err != nil {
				probs = append(probs, e.Row.Cells[ColValue].Problem("the value is %s and may no longer change (here: %s)", statusLabel[before.Status], before.Status))
				continue
			}
			after := *before
			after.Value, after.YesNo, after.Text = e.Value.Value, e.Value.YesNo, e.Value.Text
			after.Qualifier, after.RawText, after.AsOf = e.Value.Qualifier, e.Value.RawText, e.Value.AsOf
			after.SelfScore, after.Comment = e.Value.SelfScore, e.Value.Comment
			plan.Update = append(plan.Update, models.ValueChange{Before: before, After: &after})
		}
	}
	probs.Sort()
	return plan, probs
}

// sameState reports whether b states what a holds, field by field; numbers
// compare by value ("58.1" states "58.10").
func sameState(a, b *models.IndicatorValue) bool {
	return sameDecimal(a.Value, b.Value) && sameDecimal(a.SelfScore, b.SelfScore) &&
		samePtr(a.YesNo, b.YesNo) && sameText(a.Text, b.Text) && sameText(a.RawText, b.RawText) &&
		sameText(a.Comment, b.Comment) && a.Qualifier == b.Qualifier && sameDate(a.AsOf, b.AsOf)
}

// sameText compares texts as a sheet carries them: an empty text is an empty
// cell, and line breaks are whatever the format writes (CSV turns "\r\n"
// into "\n").
func sameText(a, b *string) bool {
	return lineBreaks.Replace(deref(a)) == lineBreaks.Replace(deref(b))
}

var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

func sameDecimal(a, b *exact.Decimal) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Cmp(*b) == 0
}

func samePtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func sameDate(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Format(time.DateOnly) == b.Format(time.DateOnly)
}
