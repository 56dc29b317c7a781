package models

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/period"
)

// Fuzz targets of the models' parsers. Their committed seeds are in
// testdata/fuzz/<target>/; `go test` runs them as ordinary tests, .ci/fuzz
// runs each for a while.

// FuzzParseReportPeriod: a report period is accepted exactly when it is a
// period of the period package or an ISO week of a year in range that has
// that week; what is accepted is a run of whole days, midnight UTC to
// midnight UTC, that prints back as the same text: a period's own Start and
// End, or an ISO week's Monday to Sunday. A refusal is an error with zero
// days, never a panic.
func FuzzParseReportPeriod(f *testing.F) {
	for _, s := range []string{"2022", "2022-H2", "2022-Q1", "2022-02", "2022-W01", "2021-W01", "2020-W53",
		"2021-W53", "2022-W00", "2022-W5", "2022-Q5", "1900-W01", "2999-W52", "1899-W52", "3000-W01",
		"2022-w05", "2022-W05\n", "2022-W-1", "２０２２-W05"} {
		f.Add(s)
	}
	periodRE := regexp.MustCompile(period.Pattern)
	weekRE := regexp.MustCompile(`^[0-9]{4}-W[0-9]{2}$`)
	f.Fuzz(func(t *testing.T, s string) {
		first, last, err := ParseReportPeriod(s)
		if err != nil {
			if !first.IsZero() || !last.IsZero() {
				t.Fatalf("ParseReportPeriod(%q): got %v to %v with the error %v, want zero days", s, first, last, err)
			}
			if periodRE.MatchString(s) {
				t.Fatalf("ParseReportPeriod(%q): got %v, but it is a period (%s)", s, err, period.Pattern)
			}
			return
		}
		for _, d := range []time.Time{first, last} {
			if d.Location() != time.UTC || !d.Equal(d.Truncate(24*time.Hour)) {
				t.Fatalf("ParseReportPeriod(%q): %v is not midnight UTC", s, d)
			}
			if y := d.Year(); y < period.MinYear-1 || y > period.MaxYear+1 {
				t.Fatalf("ParseReportPeriod(%q): %v is far outside the years of periods", s, d)
			}
		}
		if last.Before(first) {
			t.Fatalf("ParseReportPeriod(%q): last day %v before first %v", s, last, first)
		}
		if weekRE.MatchString(s) {
			y, w := first.ISOWeek()
			if first.Weekday() != time.Monday || !last.Equal(first.AddDate(0, 0, 6)) {
				t.Fatalf("ParseReportPeriod(%q): %v (%s) to %v, want Monday to Sunday", s, first, first.Weekday(), last)
			}
			if got := fmt.Sprintf("%04d-W%02d", y, w); got != s {
				t.Fatalf("ParseReportPeriod(%q): the week from %v is %s", s, first, got)
			}
			if y < period.MinYear || y > period.MaxYear {
				t.Fatalf("ParseReportPeriod(%q): year %d is outside %d-%d", s, y, period.MinYear, period.MaxYear)
			}
			return
		}
		p, perr := period.Parse(s)
		if perr != nil {
			t.Fatalf("ParseReportPeriod(%q) accepts it from %v to %v, but it is neither a week nor a period: %v", s, first, last, perr)
		}
		if !first.Equal(p.Start()) || !last.AddDate(0, 0, 1).Equal(p.End()) || p.String() != s {
			t.Fatalf("ParseReportPeriod(%q): %v to %v, but the period %s is [%v, %v)", s, first, last, p, p.Start(), p.End())
		}
	})
}

// FuzzTraceFigures: the figures found in any text are, in order, pieces of
// it that the contract's ReportFigure allows (text such as 4000余万, value
// a plain decimal, both at most 60 characters), each valued as written or
// scaled by its 万 or 亿, and traced only to a source of the sentence that
// holds that value. A sentence copied from a record traces every figure to
// the record, through the numbers NumbersIn finds in it.
func FuzzTraceFigures(f *testing.F) {
	for _, c := range [][2]string{
		{"全市共办理行政复议案件320件，同比增长12.5%。", "行政复议案件数 320"},
		{"清理规范性文件4000余万条，节约资金119.47万元。", "119.47万元 4000余万条"},
		{"全年受理1.5亿元", "150000000"},
		{"编号1.2.3的任务", "1.2"},
		{"1234567890123456789万", "1234567890123456789"},
		{"999999999999999.999999亿", "99999999999999999999999999.9999"},
		{"0.0000001", "0.0000001"},
		{"٣٢٠件", "320"},
	} {
		f.Add(c[0], c[1])
	}
	textRE := regexp.MustCompile(`^[0-9]+(\.[0-9]+)?余?[万亿]?$`) // openapi.yaml, ReportFigure
	valueRE := regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	record := SourceOf(SourceProgress, "r")
	other := SourceOf(SourceTask, "t")
	f.Fuzz(func(t *testing.T, sentence, recordText string) {
		known := []KnownFigures{{Source: record, Values: NumbersIn(recordText)}, {Source: other, Values: []string{"320", "12.5"}}}
		for _, v := range known[0].Values {
			if !valueRE.MatchString(v) {
				t.Fatalf("NumbersIn(%q) holds %q, not a plain decimal", recordText, v)
			}
		}
		figures := TraceFigures(sentence, []ReportSource{record}, known)
		rest := sentence
		for _, fig := range figures {
			i := strings.Index(rest, fig.Text)
			if i < 0 {
				t.Fatalf("TraceFigures(%q): the figure %q is not in the text after the ones before it", sentence, fig.Text)
			}
			rest = rest[i+len(fig.Text):]
			if !textRE.MatchString(fig.Text) || !valueRE.MatchString(fig.Value) || utf8.RuneCountInString(fig.Text) > 60 || len(fig.Value) > 60 {
				t.Fatalf("TraceFigures(%q): the figure %+v does not fit the contract", sentence, fig)
			}
			written, err := exact.Parse(strings.TrimRight(fig.Text, "余万亿"))
			if err != nil {
				t.Fatalf("TraceFigures(%q): the figure %q is not a decimal: %v", sentence, fig.Text, err)
			}
			value, err := exact.Parse(fig.Value)
			scaled := written
			switch {
			case strings.HasSuffix(fig.Text, "万"):
				scaled = written.Mul(exact.FromInt(10000))
			case strings.HasSuffix(fig.Text, "亿"):
				scaled = written.Mul(exact.FromInt(100000000))
			}
			if fig.Value != written.String() && fig.Value != scaled.String() {
				t.Fatalf("TraceFigures(%q): the figure %q has the value %s, neither %s nor %s", sentence, fig.Text, fig.Value, written, scaled)
			}
			if fig.Source == nil {
				continue
			}
			if *fig.Source != record || err != nil {
				t.Fatalf("TraceFigures(%q): the figure %+v is traced to a source the sentence does not have (%v)", sentence, fig, err)
			}
			held := false
			for _, v := range known[0].Values {
				if d, err := exact.Parse(v); err == nil && d.Cmp(value) == 0 {
					held = true
				}
			}
			if !held {
				t.Fatalf("TraceFigures(%q): the figure %+v is traced to a record that does not hold %s (%v)", sentence, fig, fig.Value, known[0].Values)
			}
		}
		copied := TraceFigures(recordText, []ReportSource{record}, known)
		for _, fig := range copied {
			if fig.Source == nil || *fig.Source != record {
				t.Fatalf("TraceFigures(%q) of its own record: the figure %+v is not traced to it", recordText, fig)
			}
		}
	})
}
