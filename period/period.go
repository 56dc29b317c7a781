// Package period is the one reporting-period type of the API (API-GUIDE,
// Shape): reported values, progress reports and targets are per year, half,
// quarter or month, written "2021", "2021-H1", "2021-Q3" and "2021-07". Every
// layer parses, prints, orders and compares periods through this package, so
// that the contract's pattern, the Go parser and the stored text agree.
package period

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"time"
)

// Pattern is the regular expression of a period string, for the OpenAPI
// spec. Parse accepts exactly the strings it matches (a test checks both on
// the same inputs); it holds in ECMA-262 and in Go's RE2 alike.
const Pattern = `^(19[0-9]{2}|2[0-9]{3})(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$`

// Years a period may fall in, inclusive.
const (
	MinYear = 1900
	MaxYear = 2999
)

// ErrInvalid is wrapped by every error of Parse, Of and UnmarshalText.
var ErrInvalid = errors.New("invalid reporting period")

// accepted is what error messages say a period may look like.
const accepted = "want YYYY, YYYY-H1..YYYY-H2, YYYY-Q1..YYYY-Q4 or YYYY-MM, e.g. 2021, 2021-H1, 2021-Q3, 2021-07, with a year from 1900 to 2999"

// Frequency is how long a period is: a year, a half, a quarter or a month.
type Frequency string

// The frequencies, longest first.
const (
	Year    Frequency = "year"
	Half    Frequency = "half"
	Quarter Frequency = "quarter"
	Month   Frequency = "month"
)

// Frequencies lists every frequency, longest first.
var Frequencies = []Frequency{Year, Half, Quarter, Month}

// Valid reports whether f is one of the four frequencies.
func (f Frequency) Valid() bool { return f.PerYear() != 0 }

// PerYear is the number of periods of frequency f in a year (1, 2, 4 or 12),
// or 0 for an invalid frequency.
func (f Frequency) PerYear() int {
	switch f {
	case Year:
		return 1
	case Half:
		return 2
	case Quarter:
		return 4
	case Month:
		return 12
	}
	return 0
}

// months is the length of a period of frequency f in months (0 if invalid).
func (f Frequency) months() int {
	if n := f.PerYear(); n != 0 {
		return 12 / n
	}
	return 0
}

// Period is one reporting period: the N-th period of frequency Freq in Year.
// N is 1 for a year, 1–2 for a half, 1–4 for a quarter and 1–12 for a month.
// The zero Period is not valid; Parse, Of and Periods only return valid ones.
// Periods are comparable with ==.
type Period struct {
	Year int
	Freq Frequency
	N    int
}

// Of returns the N-th period of frequency f in year, or an error if there is
// no such period.
func Of(year int, f Frequency, n int) (Period, error) {
	p := Period{Year: year, Freq: f, N: n}
	if err := p.check(); err != nil {
		return Period{}, err
	}
	return p, nil
}

// check explains why p is not valid.
func (p Period) check() error {
	if !p.Freq.Valid() {
		return fmt.Errorf("%w: unknown frequency %q (want year, half, quarter or month)", ErrInvalid, string(p.Freq))
	}
	if p.Year < MinYear || p.Year > MaxYear {
		return fmt.Errorf("%w: year %d is outside %d-%d", ErrInvalid, p.Year, MinYear, MaxYear)
	}
	if p.N < 1 || p.N > p.Freq.PerYear() {
		return fmt.Errorf("%w: a %s is numbered 1 to %d, not %d", ErrInvalid, p.Freq, p.Freq.PerYear(), p.N)
	}
	return nil
}

// Valid reports whether p is a period Parse could return.
func (p Period) Valid() bool { return p.check() == nil }

// Parse reads a period in one of the forms "2021", "2021-H1", "2021-Q3" and
// "2021-07", exactly: the year has four digits in 1900–2999, the month two
// digits, H and Q are upper case, and nothing else (no spaces, no sign) is
// allowed. It accepts exactly the strings that match Pattern.
func Parse(s string) (Period, error) {
	fail := func(why string) (Period, error) {
		return Period{}, fmt.Errorf("%w %q: %s; %s", ErrInvalid, s, why, accepted)
	}
	if len(s) < 4 || !digits(s[:4]) {
		return fail("it does not start with a four-digit year")
	}
	year := atoi(s[:4])
	if year < MinYear || year > MaxYear {
		return fail(fmt.Sprintf("year %d is outside %d-%d", year, MinYear, MaxYear))
	}
	rest := s[4:]
	if rest == "" {
		return Period{Year: year, Freq: Year, N: 1}, nil
	}
	if rest[0] == '-' && len(rest) == 2 && digits(rest[1:]) {
		return fail("a month has two digits (" + s[:4] + "-0" + rest[1:] + ")")
	}
	if rest[0] != '-' || len(rest) != 3 {
		return fail("the year must be alone or followed by -H1, -Q3 or -07")
	}
	switch c, d := rest[1], rest[2]; {
	case c == 'H':
		if d < '1' || d > '2' {
			return fail("a half is H1 or H2")
		}
		return Period{Year: year, Freq: Half, N: int(d - '0')}, nil
	case c == 'Q':
		if d < '1' || d > '4' {
			return fail("a quarter is Q1 to Q4")
		}
		return Period{Year: year, Freq: Quarter, N: int(d - '0')}, nil
	case digits(rest[1:]):
		m := atoi(rest[1:])
		if m < 1 || m > 12 {
			return fail("a month is 01 to 12")
		}
		return Period{Year: year, Freq: Month, N: m}, nil
	default:
		return fail("after the year comes H1-H2, Q1-Q4 (upper case) or a two-digit month 01-12")
	}
}

// MustParse is Parse for constants and tests: it panics on an invalid period.
func MustParse(s string) Period {
	p, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// String formats p as Parse reads it: "2021", "2021-H1", "2021-Q3", "2021-07".
// Parse(p.String()) == p for every valid p. A period whose frequency or
// number is invalid prints as "%!Period(year,freq,n)"; one whose only fault is
// its year (Prev of a 1900 period) prints normally but does not parse.
func (p Period) String() string {
	if p.N >= 1 && p.N <= p.Freq.PerYear() {
		switch p.Freq {
		case Year:
			return fmt.Sprintf("%04d", p.Year)
		case Half:
			return fmt.Sprintf("%04d-H%d", p.Year, p.N)
		case Quarter:
			return fmt.Sprintf("%04d-Q%d", p.Year, p.N)
		case Month:
			return fmt.Sprintf("%04d-%02d", p.Year, p.N)
		}
	}
	return fmt.Sprintf("%%!Period(%d,%q,%d)", p.Year, string(p.Freq), p.N)
}

// Start is the first instant of p: midnight UTC on its first day.
func (p Period) Start() time.Time {
	return time.Date(p.Year, time.Month(1+(p.N-1)*p.Freq.months()), 1, 0, 0, 0, 0, time.UTC)
}

// End is the first instant after p (exclusive): midnight UTC on the first day
// of the next period, so p covers [Start, End).
func (p Period) End() time.Time {
	return p.Start().AddDate(0, p.Freq.months(), 0)
}

// Contains reports whether other lies within p: a year contains its halves,
// quarters and months, a half its quarters and months, a quarter its months.
// Every period contains itself; a shorter period never contains a longer one.
func (p Period) Contains(other Period) bool {
	if !p.Valid() || !other.Valid() {
		return false
	}
	return !other.Start().Before(p.Start()) && !other.End().After(p.End())
}

// Prev is the period of the same frequency just before p: 2021-Q1 → 2020-Q4,
// 2021-07 → 2021-06, 2021 → 2020. Prev of a period in 1900 is in 1899, which
// is not Valid.
func (p Period) Prev() Period {
	if p.N > 1 {
		return Period{Year: p.Year, Freq: p.Freq, N: p.N - 1}
	}
	return Period{Year: p.Year - 1, Freq: p.Freq, N: p.Freq.PerYear()}
}

// Next is the period of the same frequency just after p: 2020-Q4 → 2021-Q1.
// Next of a period in 2999 is in 3000, which is not Valid.
func (p Period) Next() Period {
	if p.N < p.Freq.PerYear() {
		return Period{Year: p.Year, Freq: p.Freq, N: p.N + 1}
	}
	return Period{Year: p.Year + 1, Freq: p.Freq, N: 1}
}

// Compare orders periods by start and, for the same start, longer first:
// 2021 < 2021-H1 < 2021-Q1 < 2021-01 < 2021-02 < 2021-Q2 < 2021-04. It
// returns -1, 0 or +1, like cmp.Compare, and is 0 only for equal periods, so
// it suits slices.SortFunc.
func Compare(a, b Period) int {
	if c := a.Start().Compare(b.Start()); c != 0 {
		return c
	}
	// Longer first: more months sorts earlier.
	am, bm := a.Freq.months(), b.Freq.months()
	switch {
	case am > bm:
		return -1
	case am < bm:
		return 1
	}
	return 0
}

// Periods returns every period of frequency f in year, in order: the year
// itself, its two halves, four quarters or twelve months. It returns nil for
// an invalid frequency or a year outside 1900–2999.
func Periods(year int, f Frequency) []Period {
	if !f.Valid() || year < MinYear || year > MaxYear {
		return nil
	}
	out := make([]Period, f.PerYear())
	for i := range out {
		out[i] = Period{Year: year, Freq: f, N: i + 1}
	}
	return out
}

// MarshalText makes a Period a JSON string ("2021-Q3"). An invalid period
// is an error, never text that Parse would refuse.
func (p Period) MarshalText() ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	return []byte(p.String()), nil
}

// UnmarshalText parses text with Parse.
func (p *Period) UnmarshalText(text []byte) error {
	v, err := Parse(string(text))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Value stores a Period as its string (database/sql/driver.Valuer), so that
// a Period can be a GORM column.
func (p Period) Value() (driver.Value, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	return p.String(), nil
}

// Scan reads a Period from a string or []byte column (database/sql.Scanner).
// NULL is an error: use *Period for an optional column.
func (p *Period) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return p.UnmarshalText([]byte(v))
	case []byte:
		return p.UnmarshalText(v)
	case nil:
		return fmt.Errorf("%w: NULL (use *period.Period for an optional column)", ErrInvalid)
	default:
		return fmt.Errorf("%w: cannot scan %T", ErrInvalid, src)
	}
}
