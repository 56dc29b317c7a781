package period

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		in   string
		want Period
	}{
		{"2021", Period{2021, Year, 1}},
		{"1900", Period{1900, Year, 1}},
		{"2999", Period{2999, Year, 1}},
		{"2021-H1", Period{2021, Half, 1}},
		{"2021-H2", Period{2021, Half, 2}},
		{"2021-Q1", Period{2021, Quarter, 1}},
		{"2021-Q3", Period{2021, Quarter, 3}},
		{"2021-Q4", Period{2021, Quarter, 4}},
		{"2021-01", Period{2021, Month, 1}},
		{"2021-07", Period{2021, Month, 7}},
		{"2021-09", Period{2021, Month, 9}},
		{"2021-10", Period{2021, Month, 10}},
		{"2021-12", Period{2021, Month, 12}},
		{"1900-01", Period{1900, Month, 1}},
		{"2999-12", Period{2999, Month, 12}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): got error %v, want %v", tt.in, err, tt.want)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q): got %+v, want %+v", tt.in, got, tt.want)
		}
		if s := got.String(); s != tt.in {
			t.Errorf("Parse(%q).String(): got %q, want %q", tt.in, s, tt.in)
		}
		if !got.Valid() {
			t.Errorf("Parse(%q).Valid(): got false, want true", tt.in)
		}
	}
}

// invalid are strings that are not periods, with a word the error must contain.
var invalid = []struct {
	in, why string
}{
	{"", "four-digit year"},
	{"21", "four-digit year"},
	{"202", "four-digit year"},
	{"20211", "alone or followed"},
	{"1899", "outside 1900-2999"},
	{"3000", "outside 1900-2999"},
	{"0000", "outside"},
	{"+2021", "four-digit year"},
	{"-2021", "four-digit year"},
	{" 2021", "four-digit year"},
	{"2021 ", "alone or followed"},
	{"2021\n", "alone or followed"},
	{"2021-", "alone or followed"},
	{"2021-7", "two digits (2021-07)"},
	{"2021-0", "two digits"},
	{"2021-00", "01 to 12"},
	{"2021-13", "01 to 12"},
	{"2021-99", "01 to 12"},
	{"2021-007", "alone or followed"},
	{"2021-H0", "H1 or H2"},
	{"2021-H3", "H1 or H2"},
	{"2021-h1", "upper case"},
	{"2021-Q0", "Q1 to Q4"},
	{"2021-Q5", "Q1 to Q4"},
	{"2021-q3", "upper case"},
	{"2021-M7", "upper case"},
	{"2021-Y1", "upper case"},
	{"2021-Q3 ", "alone or followed"},
	{"2021-Q", "alone or followed"},
	{"2021-Q33", "alone or followed"},
	{"2021/07", "alone or followed"},
	{"2021.07", "alone or followed"},
	{"2021_Q3", "alone or followed"},
	{"2021-+7", "upper case"},
	{"2021-H+", "H1 or H2"},
	{"2021-07-01", "alone or followed"},
	{"2021年", "alone or followed"},
	{"２０２１", "four-digit year"},
	{"2021-Ｑ3", "alone or followed"},
	{"Q3-2021", "four-digit year"},
	{"FY2021", "four-digit year"},
}

func TestParseInvalid(t *testing.T) {
	for _, tt := range invalid {
		got, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q): got %+v, want an error", tt.in, got)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q): got error %v, want it to wrap ErrInvalid", tt.in, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.why) {
			t.Errorf("Parse(%q): got error %q, want it to say %q", tt.in, msg, tt.why)
		}
		if !strings.Contains(msg, "2021-H1, 2021-Q3, 2021-07") {
			t.Errorf("Parse(%q): got error %q, want it to list the accepted forms", tt.in, msg)
		}
		if got != (Period{}) {
			t.Errorf("Parse(%q): got %+v with the error, want the zero Period", tt.in, got)
		}
	}
}

// agreementInputs are many strings, periods and near misses, for the
// Parse-versus-Pattern test.
func agreementInputs() []string {
	var in []string
	for _, tt := range invalid {
		in = append(in, tt.in)
	}
	for _, y := range []string{"1000", "1899", "1900", "1901", "1999", "2000", "2021", "2999", "3000", "9999", "0021", "21", "202", "20210"} {
		in = append(in, y)
		for _, suf := range []string{"H", "Q", "M", "h", "q", ""} {
			for n := -1; n <= 13; n++ {
				in = append(in, fmt.Sprintf("%s-%s%d", y, suf, n), fmt.Sprintf("%s-%s%02d", y, suf, n), fmt.Sprintf("%s%s%d", y, suf, n))
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789-HQhq+ 129"
	for range 3000 {
		b := make([]byte, r.IntN(9))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		in = append(in, string(b))
	}
	return in
}

func TestParseAgreesWithPattern(t *testing.T) {
	re := regexp.MustCompile(Pattern)
	matched := 0
	for _, s := range agreementInputs() {
		_, err := Parse(s)
		got, want := err == nil, re.MatchString(s)
		if got != want {
			t.Errorf("%q: Parse accepts it: got %v, Pattern matches it: want %v (err %v)", s, got, want, err)
		}
		if want {
			matched++
		}
	}
	// Every period of every year is accepted by both.
	for y := MinYear - 1; y <= MaxYear+1; y++ {
		for _, f := range Frequencies {
			for n := 1; n <= f.PerYear(); n++ {
				s := Period{y, f, n}.String()
				_, err := Parse(s)
				if got, want := err == nil, re.MatchString(s); got != want {
					t.Errorf("%q: Parse accepts it: got %v, Pattern matches it: want %v", s, got, want)
				}
				matched++
			}
		}
	}
	if matched < 1000 {
		t.Errorf("only %d inputs matched: the agreement test is too weak", matched)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2021", "2021-H1", "2021-Q3", "2021-07", "2021-7", "1899", "2021-q3"} {
		f.Add(s)
	}
	re := regexp.MustCompile(Pattern)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if got, want := err == nil, re.MatchString(s); got != want {
			t.Fatalf("%q: Parse accepts it: got %v, Pattern matches it: want %v", s, got, want)
		}
		if err == nil && p.String() != s {
			t.Fatalf("Parse(%q).String(): got %q, want %q", s, p.String(), s)
		}
	})
}

func TestRoundTripEveryPeriod(t *testing.T) {
	n := 0
	for y := MinYear; y <= MaxYear; y++ {
		for _, f := range Frequencies {
			for _, p := range Periods(y, f) {
				got, err := Parse(p.String())
				if err != nil || got != p {
					t.Fatalf("Parse(%q): got %+v, %v, want %+v", p.String(), got, err, p)
				}
				n++
			}
		}
	}
	if want := (MaxYear - MinYear + 1) * 19; n != want {
		t.Errorf("round-tripped %d periods, want %d", n, want)
	}
}

func TestMustParse(t *testing.T) {
	if got, want := MustParse("2021-Q3"), (Period{2021, Quarter, 3}); got != want {
		t.Errorf("MustParse: got %+v, want %+v", got, want)
	}
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("MustParse(%q): got no panic, want one", "2021-Q5")
		}
	}()
	MustParse("2021-Q5")
}

func TestOf(t *testing.T) {
	tests := []struct {
		year int
		f    Frequency
		n    int
		want string // "" for an error
		why  string
	}{
		{2021, Year, 1, "2021", ""},
		{2021, Half, 2, "2021-H2", ""},
		{2021, Quarter, 3, "2021-Q3", ""},
		{2021, Month, 7, "2021-07", ""},
		{2021, Month, 12, "2021-12", ""},
		{2021, Year, 0, "", "numbered 1 to 1"},
		{2021, Year, 2, "", "numbered 1 to 1"},
		{2021, Half, 3, "", "numbered 1 to 2"},
		{2021, Quarter, 5, "", "numbered 1 to 4"},
		{2021, Quarter, 0, "", "numbered 1 to 4"},
		{2021, Month, 13, "", "numbered 1 to 12"},
		{2021, Month, -1, "", "numbered 1 to 12"},
		{1899, Year, 1, "", "outside 1900-2999"},
		{3000, Month, 1, "", "outside 1900-2999"},
		{2021, "week", 1, "", `unknown frequency "week"`},
		{2021, "", 1, "", "unknown frequency"},
		{2021, "Year", 1, "", "unknown frequency"},
	}
	for _, tt := range tests {
		got, err := Of(tt.year, tt.f, tt.n)
		if tt.want == "" {
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("Of(%d, %q, %d): got %+v, %v, want an ErrInvalid saying %q", tt.year, tt.f, tt.n, got, err, tt.why)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("Of(%d, %q, %d): got %v, %v, want %s", tt.year, tt.f, tt.n, got, err, tt.want)
		}
	}
}

func TestFrequency(t *testing.T) {
	tests := []struct {
		f       Frequency
		valid   bool
		perYear int
	}{
		{Year, true, 1},
		{Half, true, 2},
		{Quarter, true, 4},
		{Month, true, 12},
		{"", false, 0},
		{"week", false, 0},
		{"YEAR", false, 0},
	}
	for _, tt := range tests {
		if got, want := tt.f.Valid(), tt.valid; got != want {
			t.Errorf("Frequency(%q).Valid(): got %v, want %v", tt.f, got, want)
		}
		if got, want := tt.f.PerYear(), tt.perYear; got != want {
			t.Errorf("Frequency(%q).PerYear(): got %d, want %d", tt.f, got, want)
		}
	}
	if got, want := Frequencies, []Frequency{"year", "half", "quarter", "month"}; !slices.Equal(got, want) {
		t.Errorf("Frequencies: got %v, want %v", got, want)
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		p    Period
		want string
	}{
		{Period{2021, Year, 1}, "2021"},
		{Period{2021, Half, 1}, "2021-H1"},
		{Period{2021, Quarter, 4}, "2021-Q4"},
		{Period{2021, Month, 3}, "2021-03"},
		{Period{1899, Month, 12}, "1899-12"}, // Prev of 1900-01: prints, does not parse
		{Period{}, `%!Period(0,"",0)`},
		{Period{2021, Month, 13}, `%!Period(2021,"month",13)`},
		{Period{2021, "week", 1}, `%!Period(2021,"week",1)`},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v.String(): got %q, want %q", tt.p, got, tt.want)
		}
		if got := fmt.Sprint(tt.p); got != tt.want {
			t.Errorf("fmt.Sprint(%+v): got %q, want %q", tt.p, got, tt.want)
		}
	}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestStartEnd(t *testing.T) {
	tests := []struct {
		p          string
		start, end time.Time
	}{
		{"2021", date(2021, 1, 1), date(2022, 1, 1)},
		{"2021-H1", date(2021, 1, 1), date(2021, 7, 1)},
		{"2021-H2", date(2021, 7, 1), date(2022, 1, 1)},
		{"2021-Q1", date(2021, 1, 1), date(2021, 4, 1)},
		{"2021-Q2", date(2021, 4, 1), date(2021, 7, 1)},
		{"2021-Q3", date(2021, 7, 1), date(2021, 10, 1)},
		{"2021-Q4", date(2021, 10, 1), date(2022, 1, 1)},
		{"2021-01", date(2021, 1, 1), date(2021, 2, 1)},
		{"2021-02", date(2021, 2, 1), date(2021, 3, 1)},
		{"2020-02", date(2020, 2, 1), date(2020, 3, 1)},
		{"2021-07", date(2021, 7, 1), date(2021, 8, 1)},
		{"2021-12", date(2021, 12, 1), date(2022, 1, 1)},
		{"2999-12", date(2999, 12, 1), date(3000, 1, 1)},
		{"1900", date(1900, 1, 1), date(1901, 1, 1)},
	}
	for _, tt := range tests {
		p := MustParse(tt.p)
		if got := p.Start(); !got.Equal(tt.start) || got.Location() != time.UTC {
			t.Errorf("%s.Start(): got %v, want %v", tt.p, got, tt.start)
		}
		if got := p.End(); !got.Equal(tt.end) || got.Location() != time.UTC {
			t.Errorf("%s.End(): got %v, want %v", tt.p, got, tt.end)
		}
	}
}

func TestContains(t *testing.T) {
	tests := []struct {
		p, other string
		want     bool
	}{
		{"2021", "2021", true},
		{"2021", "2021-H1", true},
		{"2021", "2021-H2", true},
		{"2021", "2021-Q3", true},
		{"2021", "2021-01", true},
		{"2021", "2021-12", true},
		{"2021", "2020", false},
		{"2021", "2020-12", false},
		{"2021", "2022-01", false},
		{"2021", "2022-H1", false},
		{"2021-H1", "2021-H1", true},
		{"2021-H1", "2021-Q1", true},
		{"2021-H1", "2021-Q2", true},
		{"2021-H1", "2021-Q3", false},
		{"2021-H1", "2021-01", true},
		{"2021-H1", "2021-06", true},
		{"2021-H1", "2021-07", false},
		{"2021-H2", "2021-Q3", true},
		{"2021-H2", "2021-12", true},
		{"2021-H2", "2021-06", false},
		{"2021-H1", "2021", false},
		{"2021-H1", "2021-H2", false},
		{"2021-H1", "2020-H1", false},
		{"2021-Q3", "2021-Q3", true},
		{"2021-Q3", "2021-07", true},
		{"2021-Q3", "2021-08", true},
		{"2021-Q3", "2021-09", true},
		{"2021-Q3", "2021-10", false},
		{"2021-Q3", "2021-06", false},
		{"2021-Q3", "2021-H2", false},
		{"2021-Q3", "2021", false},
		{"2021-Q3", "2020-Q3", false},
		{"2021-07", "2021-07", true},
		{"2021-07", "2021-08", false},
		{"2021-07", "2021-Q3", false},
		{"2021-07", "2020-07", false},
	}
	for _, tt := range tests {
		if got := MustParse(tt.p).Contains(MustParse(tt.other)); got != tt.want {
			t.Errorf("%s.Contains(%s): got %v, want %v", tt.p, tt.other, got, tt.want)
		}
	}
	// Invalid periods contain nothing and are in nothing.
	if got := (Period{}).Contains(Period{}); got {
		t.Errorf("zero.Contains(zero): got %v, want false", got)
	}
	if got := MustParse("2021").Contains(Period{2021, Month, 13}); got {
		t.Errorf("2021.Contains(2021 month 13): got %v, want false", got)
	}
}

// Contains agrees with the calendar on every pair of periods of two years.
func TestContainsMatchesDates(t *testing.T) {
	var all []Period
	for _, y := range []int{2020, 2021} {
		for _, f := range Frequencies {
			all = append(all, Periods(y, f)...)
		}
	}
	for _, p := range all {
		for _, o := range all {
			want := !o.Start().Before(p.Start()) && !o.End().After(p.End())
			if got := p.Contains(o); got != want {
				t.Errorf("%s.Contains(%s): got %v, want %v", p, o, got, want)
			}
		}
	}
}

func TestPrevNext(t *testing.T) {
	tests := []struct {
		p, prev string
	}{
		{"2021", "2020"},
		{"2021-H1", "2020-H2"},
		{"2021-H2", "2021-H1"},
		{"2021-Q1", "2020-Q4"},
		{"2021-Q2", "2021-Q1"},
		{"2021-Q4", "2021-Q3"},
		{"2021-01", "2020-12"},
		{"2021-07", "2021-06"},
		{"2021-12", "2021-11"},
		{"2000-01", "1999-12"},
	}
	for _, tt := range tests {
		p, prev := MustParse(tt.p), MustParse(tt.prev)
		if got := p.Prev(); got != prev {
			t.Errorf("%s.Prev(): got %v, want %v", tt.p, got, prev)
		}
		if got := prev.Next(); got != p {
			t.Errorf("%s.Next(): got %v, want %v", tt.prev, got, p)
		}
		if got, want := p.Prev().End(), p.Start(); !got.Equal(want) {
			t.Errorf("%s.Prev().End(): got %v, want %v (its Start)", tt.p, got, want)
		}
	}
	// At the edges of the range the neighbour exists but is not Valid.
	edges := []struct {
		got  Period
		want string
	}{
		{MustParse("1900").Prev(), "1899"},
		{MustParse("1900-01").Prev(), "1899-12"},
		{MustParse("2999-Q4").Next(), "3000-Q1"},
	}
	for _, e := range edges {
		if e.got.String() != e.want || e.got.Valid() {
			t.Errorf("edge: got %v (valid %v), want %s (not valid)", e.got, e.got.Valid(), e.want)
		}
	}
}

func TestCompare(t *testing.T) {
	// In the order Compare must give.
	ordered := []string{
		"2020", "2020-H2", "2020-Q4", "2020-12",
		"2021", "2021-H1", "2021-Q1", "2021-01", "2021-02", "2021-03",
		"2021-Q2", "2021-04", "2021-05", "2021-06",
		"2021-H2", "2021-Q3", "2021-07",
		"2022",
	}
	for i, a := range ordered {
		for j, b := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := Compare(MustParse(a), MustParse(b)); got != want {
				t.Errorf("Compare(%s, %s): got %d, want %d", a, b, got, want)
			}
		}
	}
	// Sorting a shuffled list gives the order back.
	ps := make([]Period, len(ordered))
	for i, s := range ordered {
		ps[i] = MustParse(s)
	}
	r := rand.New(rand.NewPCG(3, 4))
	r.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
	slices.SortFunc(ps, Compare)
	got := make([]string, len(ps))
	for i, p := range ps {
		got[i] = p.String()
	}
	if !slices.Equal(got, ordered) {
		t.Errorf("sorted: got %v, want %v", got, ordered)
	}
}

func TestPeriods(t *testing.T) {
	tests := []struct {
		year int
		f    Frequency
		want []string
	}{
		{2021, Year, []string{"2021"}},
		{2021, Half, []string{"2021-H1", "2021-H2"}},
		{2021, Quarter, []string{"2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"}},
		{2021, Month, []string{"2021-01", "2021-02", "2021-03", "2021-04", "2021-05", "2021-06", "2021-07", "2021-08", "2021-09", "2021-10", "2021-11", "2021-12"}},
		{2021, "week", nil},
		{1899, Year, nil},
		{3000, Month, nil},
	}
	for _, tt := range tests {
		ps := Periods(tt.year, tt.f)
		var got []string
		for _, p := range ps {
			got = append(got, p.String())
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Periods(%d, %q): got %v, want %v", tt.year, tt.f, got, tt.want)
		}
		// They tile the year: each starts where the previous ended.
		for i := 1; i < len(ps); i++ {
			if got, want := ps[i].Start(), ps[i-1].End(); !got.Equal(want) {
				t.Errorf("Periods(%d, %q)[%d].Start(): got %v, want %v", tt.year, tt.f, i, got, want)
			}
		}
		if len(ps) > 0 {
			y := MustParse(fmt.Sprint(tt.year))
			if got, want := ps[len(ps)-1].End(), y.End(); !got.Equal(want) {
				t.Errorf("Periods(%d, %q): last ends %v, want %v", tt.year, tt.f, got, want)
			}
		}
	}
}

type report struct {
	Period  Period  `json:"period"`
	Compare *Period `json:"compare,omitempty"`
}

func TestJSON(t *testing.T) {
	q := MustParse("2020-Q3")
	tests := []struct {
		v    any
		want string
	}{
		{report{Period: MustParse("2021-Q3")}, `{"period":"2021-Q3"}`},
		{&report{Period: MustParse("2021-07"), Compare: &q}, `{"period":"2021-07","compare":"2020-Q3"}`},
		{[]Period{MustParse("2021"), MustParse("2021-H2")}, `["2021","2021-H2"]`},
		{map[string]Period{"p": MustParse("2021-12")}, `{"p":"2021-12"}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.v)
		if got := string(b); err != nil || got != tt.want {
			t.Errorf("json.Marshal(%+v): got %s, %v, want %s", tt.v, got, err, tt.want)
		}
	}
	if b, err := json.Marshal(report{}); err == nil {
		t.Errorf("json.Marshal of a zero Period: got %s, want an error", b)
	}

	var r report
	if err := json.Unmarshal([]byte(`{"period":"2021-H1","compare":"2020-H1"}`), &r); err != nil {
		t.Fatalf("json.Unmarshal: got %v, want no error", err)
	}
	if got, want := r.Period, MustParse("2021-H1"); got != want {
		t.Errorf("json.Unmarshal period: got %v, want %v", got, want)
	}
	if r.Compare == nil || *r.Compare != MustParse("2020-H1") {
		t.Errorf("json.Unmarshal compare: got %v, want 2020-H1", r.Compare)
	}
	for _, bad := range []string{`{"period":"2021-7"}`, `{"period":2021}`, `{"period":"2021-q3"}`, `{"period":""}`} {
		var r report
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("json.Unmarshal(%s): got %+v, want an error", bad, r)
		}
	}
}

func TestText(t *testing.T) {
	var p Period
	if err := p.UnmarshalText([]byte("2021-Q3")); err != nil || p != (Period{2021, Quarter, 3}) {
		t.Errorf("UnmarshalText(2021-Q3): got %+v, %v, want 2021-Q3", p, err)
	}
	if err := p.UnmarshalText([]byte("2021-Q5")); err == nil || p != (Period{2021, Quarter, 3}) {
		t.Errorf("UnmarshalText(2021-Q5): got %+v, %v, want an error and p unchanged", p, err)
	}
	b, err := p.MarshalText()
	if got, want := string(b), "2021-Q3"; err != nil || got != want {
		t.Errorf("MarshalText: got %q, %v, want %q", got, err, want)
	}
	if b, err := (Period{1899, Year, 1}).MarshalText(); err == nil {
		t.Errorf("MarshalText of 1899: got %q, want an error", b)
	}
}

func TestSQL(t *testing.T) {
	v, err := MustParse("2021-07").Value()
	if got, want := v, any("2021-07"); err != nil || got != want {
		t.Errorf("Value: got %#v, %v, want %#v", got, err, want)
	}
	if v, err := (Period{}).Value(); err == nil {
		t.Errorf("Value of the zero Period: got %#v, want an error", v)
	}
	tests := []struct {
		src  any
		want string // "" for an error
	}{
		{"2021-Q3", "2021-Q3"},
		{[]byte("2021-H2"), "2021-H2"},
		{"2021-7", ""},
		{nil, ""},
		{int64(2021), ""},
	}
	for _, tt := range tests {
		var p Period
		err := p.Scan(tt.src)
		if tt.want == "" {
			if err == nil || !errors.Is(err, ErrInvalid) {
				t.Errorf("Scan(%#v): got %v, %v, want an ErrInvalid", tt.src, p, err)
			}
			continue
		}
		if err != nil || p.String() != tt.want {
			t.Errorf("Scan(%#v): got %v, %v, want %s", tt.src, p, err, tt.want)
		}
	}
}
