// Package exact is the one exact-decimal type of the API (API-GUIDE, Shape):
// reported values, targets, amounts and points are decimals such as "58.10"
// that must never pass through a float. A Decimal keeps the scale it was
// written with ("58.10" stays "58.10", not "58.1"), travels in JSON as a
// string matching Pattern (never a JSON number, which JavaScript would turn
// into a float), is stored in the database as that same text, and has a
// fixed-width SortKey whose byte order is numeric order, for the column that
// SQL compares and sorts on.
//
// It wraps github.com/cockroachdb/apd/v3 by value, because apd.Decimal on its
// own is unfit for the wire: its MarshalText has a pointer receiver, so a
// struct holding one by value marshals to {"Form":0,...,"Coeff":{}} and loses
// the number; its String switches to exponent notation ("1E-7"); and its
// parser accepts "1e5", "NaN" and "Infinity".
//
// Values reach a Decimal only through Parse (and the decoders built on it),
// FromInt and arithmetic. Parse accepts exactly the strings Pattern matches,
// that is at most 15 integer and 6 fraction digits. Arithmetic is exact and
// may leave that range (a product of two 6-digit fractions has 12); Check
// says whether a value still fits, and every encoder (MarshalText, which
// JSON uses too, Value, SortKey) refuses one that does not, so what is
// written can always be read back.
//
// Canonical form: String gives back exactly what Parse accepted, except that
// redundant leading zeros of the integer part are dropped ("007.50" is
// "7.50") and zero has no sign ("-0" is "0", "-0.00" is "0.00"). Pattern,
// which the API guide fixes, admits both spellings, so Parse accepts them and
// normalises rather than refusing input the contract allows.
//
// Rounding, where there is any (Quo, Round, Mean), is half to even
// (banker's rounding: 0.125 → 0.12, 0.135 → 0.14), to an explicit scale;
// RoundHalfUp rounds half away from zero (四舍五入: 0.125 → 0.13), for
// rules that say so, such as scores.
//
// Decimals are compared with Cmp, never with ==: == compares representations
// ("58.1" and "58.10" are equal numbers with different scales).
package exact

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
)

// Pattern is the regular expression of a decimal string, for the OpenAPI
// spec (API-GUIDE). Parse accepts exactly the strings it matches (a test
// checks both on the same inputs).
const Pattern = `^-?[0-9]{1,15}(\.[0-9]{1,6})?$`

// The range of a Decimal on the wire and in the database.
const (
	MaxIntDigits = 15 // digits before the point
	MaxScale     = 6  // digits after the point
)

var (
	// ErrSyntax is wrapped by the errors of Parse and of the decoders.
	ErrSyntax = errors.New("invalid decimal")
	// ErrRange is wrapped when a value computed by arithmetic has more than
	// 15 integer or 6 fraction digits and cannot be encoded, or a scale
	// outside 0..6 is asked for.
	ErrRange = errors.New("decimal out of range")
	// ErrDivisionByZero is returned by Quo and by Mean of an empty slice.
	ErrDivisionByZero = errors.New("decimal division by zero")
)

// accepted is what error messages say a decimal may look like.
const accepted = `want an optional "-", 1 to 15 digits and optionally "." and 1 to 6 digits, ` +
	`e.g. "58.10", "-3" or "0.5" (no "+", exponent, spaces or thousands separators)`

// Decimal is an exact decimal number with a scale (the number of digits
// after the point). The zero value is 0 with scale 0. A Decimal is a plain
// value: copy it, keep it in struct fields, slices and maps; its methods
// never modify their receiver or arguments (except the decoders: Scan,
// UnmarshalJSON, UnmarshalText).
type Decimal struct {
	d apd.Decimal
}

// exactCtx does the arithmetic of Add, Sub and Mul: precision 0 means that
// apd never rounds, and trapping Inexact and Rounded makes sure of it.
var exactCtx = apd.Context{
	Precision:   0,
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Traps:       apd.DefaultTraps | apd.Inexact | apd.Rounded,
	Rounding:    apd.RoundHalfEven,
}

// syntax explains why s is not a decimal, or returns "".
func syntax(s string) string {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	switch n := i - start; {
	case n == 0:
		return "it does not start with a digit or a minus sign and a digit"
	case n > MaxIntDigits:
		return fmt.Sprintf("it has %d digits before the point, at most %d are allowed", n, MaxIntDigits)
	}
	if i == len(s) {
		return ""
	}
	if s[i] != '.' {
		return fmt.Sprintf("unexpected %q after the integer digits", firstRune(s[i:]))
	}
	i++
	start = i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	switch n := i - start; {
	case n == 0:
		return `a "." must be followed by a digit`
	case n > MaxScale:
		return fmt.Sprintf("it has %d digits after the point, at most %d are allowed", n, MaxScale)
	}
	if i != len(s) {
		return fmt.Sprintf("unexpected %q after the fraction digits", firstRune(s[i:]))
	}
	return ""
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// Parse reads a decimal written as Pattern says: an optional minus sign, 1
// to 15 digits, and optionally a point and 1 to 6 digits. It keeps the scale
// ("58.10" has scale 2). See the package comment for the canonical form.
func Parse(s string) (Decimal, error) {
	if why := syntax(s); why != "" {
		return Decimal{}, fmt.Errorf("%w %q: %s; %s", ErrSyntax, s, why, accepted)
	}
	var d Decimal
	if _, _, err := d.d.SetString(s); err != nil {
		// Unreachable: syntax admits only what apd reads.
		return Decimal{}, fmt.Errorf("%w %q: %v", ErrSyntax, s, err)
	}
	return d.norm(), nil
}

// MustParse is Parse for constants and tests: it panics on an invalid decimal.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// FromInt returns n with scale 0. Beyond 15 digits it is out of the wire
// range (see Check).
func FromInt(n int64) Decimal {
	var d Decimal
	d.d.SetInt64(n)
	return d.norm()
}

// norm gives zero a positive sign and a positive exponent back to the
// integer coefficient, so that String and Scale never see either.
func (d Decimal) norm() Decimal {
	if d.d.Exponent > 0 {
		var r Decimal
		c := d.d.Coeff.MathBigInt()
		c.Mul(c, pow10(int(d.d.Exponent)))
		r.d.Coeff.SetMathBigInt(c)
		r.d.Negative = d.d.Negative
		d = r
	}
	if d.d.Coeff.Sign() == 0 {
		d.d.Negative = false
	}
	return d
}

// must turns an apd error, which exactCtx makes impossible for finite
// operands, into a panic instead of a silently wrong value.
func must(_ apd.Condition, err error) {
	if err != nil {
		panic(fmt.Sprintf("exact: inexact or impossible arithmetic: %v", err))
	}
}

// String is the plain decimal notation, never exponent notation, keeping
// the scale: "58.10", "-3", "0.000001". It is Parse's input in canonical form.
func (d Decimal) String() string {
	d = d.norm()
	return d.d.Text('f')
}

// Scale is the number of digits after the point: 2 for "58.10", 0 for "3".
func (d Decimal) Scale() int {
	if d.d.Exponent >= 0 {
		return 0
	}
	return int(-d.d.Exponent)
}

// IsZero reports whether d is zero, whatever its scale.
func (d Decimal) IsZero() bool { return d.d.IsZero() }

// Sign returns -1, 0 or +1 as d is negative, zero or positive.
func (d Decimal) Sign() int { return d.d.Sign() }

// Cmp compares the numbers, ignoring scale: -1 if d < other, 0 if equal
// ("58.1" and "58.10" are equal), +1 if d > other.
func (d Decimal) Cmp(other Decimal) int { return d.d.Cmp(&other.d) }

// Neg returns -d, with the same scale.
func (d Decimal) Neg() Decimal {
	var r Decimal
	r.d.Neg(&d.d)
	return r.norm()
}

// Abs returns |d|, with the same scale.
func (d Decimal) Abs() Decimal {
	var r Decimal
	r.d.Abs(&d.d)
	return r.norm()
}

// Add returns d + other exactly; the scale is the larger of the two.
func (d Decimal) Add(other Decimal) Decimal {
	var r Decimal
	must(exactCtx.Add(&r.d, &d.d, &other.d))
	return r.norm()
}

// Sub returns d - other exactly; the scale is the larger of the two.
func (d Decimal) Sub(other Decimal) Decimal {
	var r Decimal
	must(exactCtx.Sub(&r.d, &d.d, &other.d))
	return r.norm()
}

// Mul returns d × other exactly; the scale is the sum of the two scales, so
// the result may need Round before it fits the wire range again.
func (d Decimal) Mul(other Decimal) Decimal {
	var r Decimal
	must(exactCtx.Mul(&r.d, &d.d, &other.d))
	return r.norm()
}

// Quo returns d ÷ other rounded half to even to exactly scale digits after
// the point (0 ≤ scale ≤ 6): MustParse("2").Quo(MustParse("3"), 2) is "0.67".
// The quotient is computed exactly before the one rounding, so there is no
// double rounding. Dividing by zero is ErrDivisionByZero; a scale outside
// 0..6 is ErrRange.
func (d Decimal) Quo(other Decimal, scale int) (Decimal, error) {
	if err := checkScale(scale); err != nil {
		return Decimal{}, err
	}
	if other.IsZero() {
		return Decimal{}, fmt.Errorf("%w: %s / %s", ErrDivisionByZero, d, other)
	}
	// d/other × 10^scale = (cx × 10^ex) / (cy × 10^ey) × 10^scale
	//                     = cx / cy × 10^k, with k = ex - ey + scale.
	num, den := d.coeff(), other.coeff()
	if den.Sign() < 0 {
		num.Neg(num)
		den.Neg(den)
	}
	if k := int(d.d.Exponent) - int(other.d.Exponent) + scale; k >= 0 {
		num.Mul(num, pow10(k))
	} else {
		den.Mul(den, pow10(-k))
	}
	return fromScaled(divRound(num, den), scale), nil
}

// Round returns d rounded half to even to exactly scale digits after the
// point (0 ≤ scale ≤ 6), padding with zeros when d has fewer:
// "58.125".Round(2) is "58.12", "58.135".Round(2) is "58.14", "58.1".Round(2)
// is "58.10". It panics if scale is outside 0..6, like a bad index.
func (d Decimal) Round(scale int) Decimal {
	if err := checkScale(scale); err != nil {
		panic(err)
	}
	num := d.coeff()
	if k := int(d.d.Exponent) + scale; k >= 0 {
		num.Mul(num, pow10(k))
	} else {
		num = divRound(num, pow10(-k))
	}
	return fromScaled(num, scale)
}

// RoundHalfUp returns d rounded half away from zero (四舍五入) to exactly
// scale digits after the point (0 ≤ scale ≤ 6), padding with zeros when d
// has fewer: "58.125".RoundHalfUp(2) is "58.13", "-58.125".RoundHalfUp(2) is
// "-58.13", "58.1".RoundHalfUp(2) is "58.10". It is for rules that say
// 四舍五入, such as scores, where half to even would surprise the people who
// check the figures by hand. It panics if scale is outside 0..6, like Round.
func (d Decimal) RoundHalfUp(scale int) Decimal {
	if err := checkScale(scale); err != nil {
		panic(err)
	}
	if d.Scale() == scale {
		return d.norm() // nothing to round: spare the big.Int arithmetic
	}
	num := d.coeff()
	if k := int(d.d.Exponent) + scale; k >= 0 {
		num.Mul(num, pow10(k))
	} else {
		den := pow10(-k)
		// q is truncated toward zero; a remainder of at least half a unit
		// moves it one away from zero.
		q, r := new(big.Int).QuoRem(num, den, new(big.Int))
		if r.Abs(r).Lsh(r, 1).Cmp(den) >= 0 {
			if num.Sign() < 0 {
				q.Sub(q, one)
			} else {
				q.Add(q, one)
			}
		}
		num = q
	}
	return fromScaled(num, scale)
}

// Sum returns the exact sum of ds (0 for none); its scale is the largest
// scale among them.
func Sum(ds []Decimal) Decimal {
	var s Decimal
	for _, d := range ds {
		s = s.Add(d)
	}
	return s
}

// Mean returns the arithmetic mean of ds rounded half to even to scale
// digits (0 ≤ scale ≤ 6). The mean of no values is ErrDivisionByZero.
func Mean(ds []Decimal, scale int) (Decimal, error) {
	if err := checkScale(scale); err != nil {
		return Decimal{}, err
	}
	if len(ds) == 0 {
		return Decimal{}, fmt.Errorf("%w: mean of no values", ErrDivisionByZero)
	}
	return Sum(ds).Quo(FromInt(int64(len(ds))), scale)
}

func checkScale(scale int) error {
	if scale < 0 || scale > MaxScale {
		return fmt.Errorf("%w: scale %d is outside 0..%d", ErrRange, scale, MaxScale)
	}
	return nil
}

// coeff is d's signed coefficient: d = coeff × 10^Exponent.
func (d Decimal) coeff() *big.Int {
	c := d.d.Coeff.MathBigInt()
	if d.d.Negative {
		c.Neg(c)
	}
	return c
}

// fromScaled returns n × 10^-scale.
func fromScaled(n *big.Int, scale int) Decimal {
	var r Decimal
	r.d.Negative = n.Sign() < 0
	r.d.Coeff.SetMathBigInt(new(big.Int).Abs(n))
	r.d.Exponent = int32(-scale)
	return r.norm()
}

var one = big.NewInt(1)

// divRound returns num ÷ den rounded half to even; den > 0.
func divRound(num, den *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int)) // q toward zero, r has num's sign
	if r.Sign() == 0 {
		return q
	}
	twice := new(big.Int).Abs(r)
	twice.Lsh(twice, 1)
	c := twice.Cmp(den)
	if c > 0 || (c == 0 && new(big.Int).Abs(q).Bit(0) == 1) {
		if num.Sign() < 0 {
			q.Sub(q, one)
		} else {
			q.Add(q, one)
		}
	}
	return q
}

// pow10s caches 10^0 .. 10^40, which covers every power the wire range needs.
var pow10s = func() []*big.Int {
	p := make([]*big.Int, 41)
	p[0] = big.NewInt(1)
	for i := 1; i < len(p); i++ {
		p[i] = new(big.Int).Mul(p[i-1], big.NewInt(10))
	}
	return p
}()

// pow10 returns 10^n (n ≥ 0); the result must not be modified.
func pow10(n int) *big.Int {
	if n < len(pow10s) {
		return pow10s[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// Check returns nil if d fits the wire range (at most 15 integer and 6
// fraction digits, what Pattern allows) and an ErrRange otherwise. Values
// from Parse and the decoders always fit; results of arithmetic may not
// (Mul adds scales, sums grow).
func (d Decimal) Check() error {
	d = d.norm()
	scale := d.Scale()
	if scale > MaxScale {
		return fmt.Errorf("%w: %s has %d digits after the point, at most %d fit (Round it first)", ErrRange, d, scale, MaxScale)
	}
	// |coefficient| < 10^NumDigits, so the value has at most NumDigits −
	// scale digits before the point: exact, and without big arithmetic on
	// this path, which every JSON encoding of a decimal takes.
	if d.d.NumDigits()-int64(scale) > MaxIntDigits {
		return fmt.Errorf("%w: %s has more than %d digits before the point", ErrRange, d, MaxIntDigits)
	}
	return nil
}

// SortKey is a fixed-width (22-byte) ASCII string whose byte order is the
// numeric order of the decimals, across signs and scales, for a database
// column that SQL compares and sorts on (ORDER BY key, WHERE key >= ?),
// beside the text column that keeps the value and its scale. Equal numbers
// have equal keys ("58.1" and "58.10"). With m = |d| × 10^6, an integer below
// 10^21, the key is "p" and m in 21 digits for d ≥ 0, and "n" and 10^21 − m
// in 21 digits for d < 0 ("n" < "p", and a larger |d| gives a smaller
// complement). SortKey panics if d is outside the wire range (see Check).
func (d Decimal) SortKey() string {
	if err := d.Check(); err != nil {
		panic(err)
	}
	m := d.coeff()
	m.Mul(m, pow10(MaxScale-d.Scale()))
	prefix := "p"
	if m.Sign() < 0 {
		prefix = "n"
		m.Add(m, pow10(MaxIntDigits+MaxScale)) // 10^21 − |d|×10^6
	}
	digits := m.String()
	return prefix + strings.Repeat("0", MaxIntDigits+MaxScale-len(digits)) + digits
}

// UnmarshalJSON accepts only a JSON string in Pattern. A JSON number is an
// error, even 58.1: a client that sent a number has already been through a
// float. JSON null is an error too: use *Decimal for an optional field.
func (d *Decimal) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '"' {
		return fmt.Errorf("%w: a decimal is a JSON string such as \"58.10\", not %s; %s", ErrSyntax, data, accepted)
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	return d.UnmarshalText([]byte(s))
}

// MarshalText is String; a value outside the wire range is an error (see
// Check). encoding/json writes it as a JSON string, "58.10": a decimal has
// no MarshalJSON, whose output encoding/json would scan again, byte by byte,
// for every decimal of every row of a list.
func (d Decimal) MarshalText() ([]byte, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses text with Parse; on error d is unchanged.
func (d *Decimal) UnmarshalText(text []byte) error {
	v, err := Parse(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value stores d as its String (database/sql/driver.Valuer), so that a text
// column keeps the value and its scale exactly. A value outside the wire
// range is an error (see Check).
func (d Decimal) Value() (driver.Value, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	return d.String(), nil
}

// Scan reads d from a string or []byte column (database/sql.Scanner) with
// Parse. NULL is an error: use *Decimal for an optional column.
func (d *Decimal) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return d.UnmarshalText([]byte(v))
	case []byte:
		return d.UnmarshalText(v)
	case nil:
		return fmt.Errorf("%w: NULL (use *exact.Decimal for an optional column)", ErrSyntax)
	default:
		return fmt.Errorf("%w: cannot scan %T, want the decimal's text", ErrSyntax, src)
	}
}
