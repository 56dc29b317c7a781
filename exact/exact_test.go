package exact

import (
	"database/sql"
	"database/sql/driver"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Interfaces a Decimal must satisfy to be a JSON string and a GORM column.
var (
	_ encoding.TextMarshaler = Decimal{} // what encoding/json writes, as a string
	_ json.Unmarshaler       = (*Decimal)(nil)
	_ driver.Valuer          = Decimal{}
	_ sql.Scanner            = (*Decimal)(nil)
	_ fmt.Stringer           = Decimal{}
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		in    string
		want  string // String()
		scale int
		sign  int
	}{
		{"58.10", "58.10", 2, 1},
		{"58.1", "58.1", 1, 1},
		{"58", "58", 0, 1},
		{"0", "0", 0, 0},
		{"0.0", "0.0", 1, 0},
		{"0.00", "0.00", 2, 0},
		{"0.000000", "0.000000", 6, 0},
		{"1.000000", "1.000000", 6, 1},
		{"0.000001", "0.000001", 6, 1},
		{"-0.000001", "-0.000001", 6, -1},
		{"-3", "-3", 0, -1},
		{"-58.10", "-58.10", 2, -1},
		{"119.47", "119.47", 2, 1},
		{"40000000", "40000000", 0, 1},
		{"100", "100", 0, 1},
		{"999999999999999", "999999999999999", 0, 1},
		{"999999999999999.999999", "999999999999999.999999", 6, 1},
		{"-999999999999999.999999", "-999999999999999.999999", 6, -1},
		{"123456789012345.123456", "123456789012345.123456", 6, 1},
		// The documented normalisations: leading zeros, negative zero.
		{"007", "7", 0, 1},
		{"00.50", "0.50", 2, 1},
		{"-007.50", "-7.50", 2, -1},
		{"000000000000000", "0", 0, 0},
		{"000000000000001.000000", "1.000000", 6, 1},
		{"-0", "0", 0, 0},
		{"-0.00", "0.00", 2, 0},
		{"-000.000000", "0.000000", 6, 0},
		{"-00.01", "-0.01", 2, -1},
	}
	for _, tt := range tests {
		d, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): got error %v, want %s", tt.in, err, tt.want)
			continue
		}
		if got := d.String(); got != tt.want {
			t.Errorf("Parse(%q).String(): got %q, want %q", tt.in, got, tt.want)
		}
		if got := d.Scale(); got != tt.scale {
			t.Errorf("Parse(%q).Scale(): got %d, want %d", tt.in, got, tt.scale)
		}
		if got := d.Sign(); got != tt.sign {
			t.Errorf("Parse(%q).Sign(): got %d, want %d", tt.in, got, tt.sign)
		}
		if got, want := d.IsZero(), tt.sign == 0; got != want {
			t.Errorf("Parse(%q).IsZero(): got %v, want %v", tt.in, got, want)
		}
		if err := d.Check(); err != nil {
			t.Errorf("Parse(%q).Check(): got %v, want nil", tt.in, err)
		}
	}
}

// invalid are strings that are not decimals, with words the error must contain.
var invalid = []struct {
	in, why string
}{
	{"", "does not start with a digit"},
	{"-", "does not start with a digit"},
	{"--1", "does not start with a digit"},
	{"+1", "does not start with a digit"},
	{".5", "does not start with a digit"},
	{"-.5", "does not start with a digit"},
	{" 1", "does not start with a digit"},
	{"1 ", `unexpected ' ' after the integer`},
	{"1\n", `unexpected '\n'`},
	{"1.", `"." must be followed by a digit`},
	{"-1.", `"." must be followed by a digit`},
	{"1.5 ", `unexpected ' ' after the fraction`},
	{"1e5", `unexpected 'e'`},
	{"1E5", `unexpected 'E'`},
	{"1.5e-3", `unexpected 'e'`},
	{"1,000", `unexpected ','`},
	{"1_000", `unexpected '_'`},
	{"1,5", `unexpected ','`},
	{"1.2.3", `unexpected '.' after the fraction`},
	{"1..2", `"." must be followed by a digit`},
	{"NaN", "does not start with a digit"},
	{"nan", "does not start with a digit"},
	{"Infinity", "does not start with a digit"},
	{"-Infinity", "does not start with a digit"},
	{"Inf", "does not start with a digit"},
	{"sNaN", "does not start with a digit"},
	{"0x10", `unexpected 'x'`},
	{"1%", `unexpected '%'`},
	{"58.10%", `unexpected '%' after the fraction`},
	{"１２", "does not start with a digit"},
	{"12万", `unexpected '万'`},
	{"1234567890123456", "16 digits before the point, at most 15"},
	{"-1234567890123456", "16 digits before the point"},
	{"1234567890123456.5", "16 digits before the point"},
	{"0000000000000000", "16 digits before the point"},
	{"1.1234567", "7 digits after the point, at most 6"},
	{"0.0000000", "7 digits after the point"},
	{"-0.0000001", "7 digits after the point"},
	{`"58.10"`, "does not start with a digit"},
}

func TestParseInvalid(t *testing.T) {
	for _, tt := range invalid {
		got, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q): got %s, want an error", tt.in, got)
			continue
		}
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q): got error %v, want it to wrap ErrSyntax", tt.in, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.why) {
			t.Errorf("Parse(%q): got error %q, want it to say %q", tt.in, msg, tt.why)
		}
		if !strings.Contains(msg, `e.g. "58.10"`) {
			t.Errorf("Parse(%q): got error %q, want it to say what is accepted", tt.in, msg)
		}
	}
}

// canonical is the documented canonical form of a string Pattern matches,
// computed without the package: no redundant leading zeros, no "-" on zero.
func canonical(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	if strings.Trim(intPart+frac, "0") == "" {
		neg = false
	}
	out := intPart
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// agreementInputs are many decimals and near misses.
func agreementInputs() []string {
	var in []string
	for _, tt := range invalid {
		in = append(in, tt.in)
	}
	for _, sign := range []string{"", "-", "+", " "} {
		for i := 0; i <= 17; i++ {
			for f := -1; f <= 8; f++ {
				s := sign + strings.Repeat("9", i)
				if f >= 0 {
					s += "." + strings.Repeat("0", f)
				}
				in = append(in, s, strings.Replace(s, "9", "0", 1))
			}
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	const alphabet = "0123456789012345678901234567890123456789..--+eE ,x"
	for range 5000 {
		b := make([]byte, r.IntN(25))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		in = append(in, string(b))
	}
	for range 2000 {
		in = append(in, randomDecimal(r))
	}
	return in
}

// randomDecimal is a random string in Pattern, of every sign, length and scale.
func randomDecimal(r *rand.Rand) string {
	var b strings.Builder
	if r.IntN(2) == 0 {
		b.WriteByte('-')
	}
	n := 1 + r.IntN(MaxIntDigits)
	if r.IntN(3) == 0 {
		n = 1 + r.IntN(3) // many small numbers, so ties and zeros occur
	}
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	if f := r.IntN(MaxScale + 1); f > 0 {
		b.WriteByte('.')
		for range f {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	return b.String()
}

func TestParseAgreesWithPattern(t *testing.T) {
	re := regexp.MustCompile(Pattern)
	matched := 0
	for _, s := range agreementInputs() {
		d, err := Parse(s)
		got, want := err == nil, re.MatchString(s)
		if got != want {
			t.Errorf("%q: Parse accepts it: got %v, Pattern matches it: want %v (err %v)", s, got, want, err)
			continue
		}
		if !want {
			continue
		}
		matched++
		if got, want := d.String(), canonical(s); got != want {
			t.Errorf("Parse(%q).String(): got %q, want %q", s, got, want)
		}
		if got := d.String(); !re.MatchString(got) {
			t.Errorf("Parse(%q).String(): got %q, which Pattern does not match", s, got)
		}
	}
	if matched < 2000 {
		t.Errorf("only %d inputs matched: the agreement test is too weak", matched)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"58.10", "-0.00", "007", "1e5", "999999999999999.999999", ".5", "1."} {
		f.Add(s)
	}
	re := regexp.MustCompile(Pattern)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if got, want := err == nil, re.MatchString(s); got != want {
			t.Fatalf("%q: Parse accepts it: got %v, Pattern matches it: want %v", s, got, want)
		}
		if err != nil {
			return
		}
		if got, want := d.String(), canonical(s); got != want {
			t.Fatalf("Parse(%q).String(): got %q, want %q", s, got, want)
		}
		if d2, err := Parse(d.String()); err != nil || d2.Cmp(d) != 0 || d2.Scale() != d.Scale() {
			t.Fatalf("Parse(Parse(%q).String()): got %v, %v, want %v", s, d2, err, d)
		}
	})
}

func TestMustParse(t *testing.T) {
	if got, want := MustParse("58.10").String(), "58.10"; got != want {
		t.Errorf("MustParse: got %q, want %q", got, want)
	}
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("MustParse(%q): got no panic, want one", "1e5")
		}
	}()
	MustParse("1e5")
}

func TestZeroValue(t *testing.T) {
	var z Decimal
	if got, want := z.String(), "0"; got != want {
		t.Errorf("zero Decimal String: got %q, want %q", got, want)
	}
	if got, want := z.Scale(), 0; got != want {
		t.Errorf("zero Decimal Scale: got %d, want %d", got, want)
	}
	if !z.IsZero() || z.Sign() != 0 || z.Cmp(MustParse("0.00")) != 0 {
		t.Errorf("zero Decimal: got IsZero %v, Sign %d, want true, 0 and equal to 0.00", z.IsZero(), z.Sign())
	}
	if b, err := json.Marshal(z); err != nil || string(b) != `"0"` {
		t.Errorf("json.Marshal(zero Decimal): got %s, %v, want %q", b, err, `"0"`)
	}
}

func TestFromInt(t *testing.T) {
	tests := []struct {
		n       int64
		want    string
		inRange bool
	}{
		{0, "0", true},
		{1, "1", true},
		{-1, "-1", true},
		{689, "689", true},
		{40000000, "40000000", true},
		{999999999999999, "999999999999999", true},
		{1000000000000000, "1000000000000000", false},
		{-9223372036854775808, "-9223372036854775808", false},
		{9223372036854775807, "9223372036854775807", false},
	}
	for _, tt := range tests {
		d := FromInt(tt.n)
		if got := d.String(); got != tt.want {
			t.Errorf("FromInt(%d): got %q, want %q", tt.n, got, tt.want)
		}
		if got := d.Scale(); got != 0 {
			t.Errorf("FromInt(%d).Scale(): got %d, want 0", tt.n, got)
		}
		if got, want := d.Check() == nil, tt.inRange; got != want {
			t.Errorf("FromInt(%d).Check() == nil: got %v, want %v", tt.n, got, want)
		}
	}
}

func TestCmp(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"58.1", "58.10", 0},
		{"58.10", "58.1", 0},
		{"0", "-0.00", 0},
		{"0.000", "0", 0},
		{"1", "1.000000", 0},
		{"58.1", "58.11", -1},
		{"58.11", "58.1", 1},
		{"-1", "0", -1},
		{"-1", "-2", 1},
		{"-1.5", "-1.49", -1},
		{"0.000001", "0", 1},
		{"-0.000001", "0", -1},
		{"999999999999999.999999", "999999999999999.999998", 1},
		{"-999999999999999.999999", "999999999999999.999999", -1},
		{"10", "9.999999", 1},
		{"007", "7", 0},
	}
	for _, tt := range tests {
		if got := MustParse(tt.a).Cmp(MustParse(tt.b)); got != tt.want {
			t.Errorf("Cmp(%s, %s): got %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNegAbs(t *testing.T) {
	tests := []struct {
		in, neg, abs string
	}{
		{"58.10", "-58.10", "58.10"},
		{"-58.10", "58.10", "58.10"},
		{"0.00", "0.00", "0.00"},
		{"0", "0", "0"},
		{"-0.000001", "0.000001", "0.000001"},
	}
	for _, tt := range tests {
		d := MustParse(tt.in)
		if got := d.Neg().String(); got != tt.neg {
			t.Errorf("%s.Neg(): got %q, want %q", tt.in, got, tt.neg)
		}
		if got := d.Abs().String(); got != tt.abs {
			t.Errorf("%s.Abs(): got %q, want %q", tt.in, got, tt.abs)
		}
		if got := d.String(); got != canonical(tt.in) {
			t.Errorf("%s after Neg and Abs: got %q, want it unchanged", tt.in, got)
		}
	}
}

func TestAddSubMul(t *testing.T) {
	tests := []struct {
		a, b          string
		add, sub, mul string
	}{
		{"58.10", "1", "59.10", "57.10", "58.10"},
		{"58.1", "0.00", "58.10", "58.10", "0.000"},
		{"0.1", "0.2", "0.3", "-0.1", "0.02"},
		{"1", "1", "2", "0", "1"},
		{"1.00", "1.00", "2.00", "0.00", "1.0000"},
		{"-1", "0", "-1", "-1", "0"},
		{"-1.5", "0.00", "-1.50", "-1.50", "0.000"}, // -1.5 × 0.00 is 0.000, not -0.000
		{"-2", "-3", "-5", "1", "6"},
		{"0.000001", "0.000001", "0.000002", "0.000000", "0.000000000001"},
		{"119.47", "10000", "10119.47", "-9880.53", "1194700.00"},
		{"999999999999999.999999", "0.000001", "1000000000000000.000000", "999999999999999.999998", "999999999.999999999999"},
		{"999999999999999.999999", "999999999999999.999999", "1999999999999999.999998", "0.000000", "999999999999999999998000000000.000000000001"},
		{"-999999999999999.999999", "999999999999999.999999", "0.000000", "-1999999999999999.999998", "-999999999999999999998000000000.000000000001"},
		{"123456789012345.123456", "-0.5", "123456789012344.623456", "123456789012345.623456", "-61728394506172.5617280"},
	}
	for _, tt := range tests {
		a, b := MustParse(tt.a), MustParse(tt.b)
		if got := a.Add(b).String(); got != tt.add {
			t.Errorf("%s + %s: got %s, want %s", tt.a, tt.b, got, tt.add)
		}
		if got := b.Add(a).String(); got != tt.add {
			t.Errorf("%s + %s: got %s, want %s", tt.b, tt.a, got, tt.add)
		}
		if got := a.Sub(b).String(); got != tt.sub {
			t.Errorf("%s - %s: got %s, want %s", tt.a, tt.b, got, tt.sub)
		}
		if got := a.Mul(b).String(); got != tt.mul {
			t.Errorf("%s × %s: got %s, want %s", tt.a, tt.b, got, tt.mul)
		}
		if got := b.Mul(a).String(); got != tt.mul {
			t.Errorf("%s × %s: got %s, want %s", tt.b, tt.a, got, tt.mul)
		}
		// The operands are untouched.
		if a.String() != canonical(tt.a) || b.String() != canonical(tt.b) {
			t.Errorf("%s, %s: operands changed to %s, %s", tt.a, tt.b, a, b)
		}
	}
}

// Arithmetic agrees with math/big.Rat on random values of the whole range.
func TestArithmeticMatchesRat(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	rat := func(d Decimal) *big.Rat {
		q, ok := new(big.Rat).SetString(d.String())
		if !ok {
			t.Fatalf("big.Rat cannot read %q", d)
		}
		return q
	}
	for range 2000 {
		a, b := MustParse(randomDecimal(r)), MustParse(randomDecimal(r))
		checks := []struct {
			op   string
			got  Decimal
			want *big.Rat
		}{
			{"+", a.Add(b), new(big.Rat).Add(rat(a), rat(b))},
			{"-", a.Sub(b), new(big.Rat).Sub(rat(a), rat(b))},
			{"×", a.Mul(b), new(big.Rat).Mul(rat(a), rat(b))},
		}
		for _, c := range checks {
			if rat(c.got).Cmp(c.want) != 0 {
				t.Fatalf("%s %s %s: got %s, want %s", a, c.op, b, c.got, c.want.FloatString(12))
			}
		}
		if got, want := a.Add(b).Scale(), max(a.Scale(), b.Scale()); got != want {
			t.Fatalf("(%s + %s).Scale(): got %d, want %d", a, b, got, want)
		}
		if got, want := a.Mul(b).Scale(), a.Scale()+b.Scale(); got != want {
			t.Fatalf("(%s × %s).Scale(): got %d, want %d", a, b, got, want)
		}
		if got, want := a.Cmp(b), rat(a).Cmp(rat(b)); got != want {
			t.Fatalf("Cmp(%s, %s): got %d, want %d", a, b, got, want)
		}
		if b.IsZero() {
			continue
		}
		scale := r.IntN(MaxScale + 1)
		q, err := a.Quo(b, scale)
		if err != nil {
			t.Fatalf("%s / %s: got error %v", a, b, err)
		}
		if want := ratRoundHalfEven(new(big.Rat).Quo(rat(a), rat(b)), scale); q.String() != want {
			t.Fatalf("%s / %s to %d places: got %s, want %s", a, b, scale, q, want)
		}
	}
}

// ratRoundHalfEven rounds x half to even to scale places and formats it with
// exactly scale fraction digits: the reference for Quo and Round.
func ratRoundHalfEven(x *big.Rat, scale int) string {
	scaled := new(big.Rat).Mul(x, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	num, den := scaled.Num(), scaled.Denom()            // den > 0
	q, m := new(big.Int).DivMod(num, den, new(big.Int)) // floor division, 0 ≤ m < den
	switch c := new(big.Int).Lsh(m, 1).Cmp(den); {
	case c > 0, c == 0 && q.Bit(0) == 1:
		q.Add(q, big.NewInt(1))
	}
	neg := q.Sign() < 0
	digits := new(big.Int).Abs(q).String()
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	out := digits
	if scale > 0 {
		out = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		out = "-" + out
	}
	return out
}

func TestQuo(t *testing.T) {
	tests := []struct {
		a, b  string
		scale int
		want  string
	}{
		{"2", "3", 2, "0.67"},
		{"1", "3", 6, "0.333333"},
		{"-1", "3", 2, "-0.33"},
		{"-2", "3", 2, "-0.67"},
		{"2", "-3", 2, "-0.67"},
		{"-2", "-3", 2, "0.67"},
		{"10", "4", 0, "2"},   // 2.5 → 2 (even)
		{"14", "4", 0, "4"},   // 3.5 → 4 (even)
		{"-10", "4", 0, "-2"}, // -2.5 → -2
		{"-14", "4", 0, "-4"}, // -3.5 → -4
		{"0.125", "1", 2, "0.12"},
		{"0.135", "1", 2, "0.14"},
		{"0.1250001", "1", 2, ""}, // not a decimal: see below
		{"1", "8", 2, "0.12"},
		{"3", "8", 2, "0.38"},
		{"5", "8", 2, "0.62"},
		{"58.10", "1", 2, "58.10"},
		{"58.1", "1", 4, "58.1000"},
		{"58.1", "1", 0, "58"},
		{"152", "536", 4, "0.2836"}, // 告知承诺 share of 证明事项
		{"15200", "536", 2, "28.36"},
		{"1194700", "10000", 2, "119.47"},
		{"0", "7", 3, "0.000"},
		{"0.00", "-7", 1, "0.0"}, // no negative zero
		{"-0.000001", "2", 6, "0.000000"},
		{"-0.000003", "2", 6, "-0.000002"},
		{"1", "0.000001", 0, "1000000"},
		{"999999999999999.999999", "0.000001", 0, "999999999999999999999"},
		{"0.000001", "999999999999999.999999", 6, "0.000000"},
	}
	for _, tt := range tests {
		if tt.want == "" {
			continue
		}
		got, err := MustParse(tt.a).Quo(MustParse(tt.b), tt.scale)
		if err != nil || got.String() != tt.want {
			t.Errorf("%s / %s to %d places: got %s, %v, want %s", tt.a, tt.b, tt.scale, got, err, tt.want)
		}
		if err == nil && got.Scale() != tt.scale {
			t.Errorf("(%s / %s).Scale(): got %d, want %d", tt.a, tt.b, got.Scale(), tt.scale)
		}
	}

	errs := []struct {
		a, b  string
		scale int
		want  error
	}{
		{"1", "0", 2, ErrDivisionByZero},
		{"0", "0.00", 2, ErrDivisionByZero},
		{"1", "-0", 0, ErrDivisionByZero},
		{"1", "3", -1, ErrRange},
		{"1", "3", 7, ErrRange},
	}
	for _, tt := range errs {
		got, err := MustParse(tt.a).Quo(MustParse(tt.b), tt.scale)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s / %s to %d places: got %s, %v, want %v", tt.a, tt.b, tt.scale, got, err, tt.want)
		}
	}
}

func TestRound(t *testing.T) {
	tests := []struct {
		in    string
		scale int
		want  string
	}{
		{"58.1", 2, "58.10"},
		{"58.10", 2, "58.10"},
		{"58.125", 2, "58.12"},
		{"58.135", 2, "58.14"},
		{"58.1251", 2, "58.13"},
		{"-58.125", 2, "-58.12"},
		{"-58.135", 2, "-58.14"},
		{"2.5", 0, "2"},
		{"3.5", 0, "4"},
		{"-2.5", 0, "-2"},
		{"0.5", 0, "0"},
		{"-0.5", 0, "0"}, // no negative zero
		{"-0.4", 0, "0"},
		{"-0.6", 0, "-1"},
		{"9.999999", 2, "10.00"},
		{"999999999999999.999999", 5, "1000000000000000.00000"},
		{"0", 6, "0.000000"},
		{"7", 3, "7.000"},
		{"0.000001", 5, "0.00000"},
		{"0.000005", 5, "0.00000"},
		{"0.000015", 5, "0.00002"},
	}
	for _, tt := range tests {
		d := MustParse(tt.in)
		if got := d.Round(tt.scale).String(); got != tt.want {
			t.Errorf("%s.Round(%d): got %s, want %s", tt.in, tt.scale, got, tt.want)
		}
		if got := d.String(); got != canonical(tt.in) {
			t.Errorf("%s.Round(%d) changed its receiver to %s", tt.in, tt.scale, got)
		}
	}
	// A product with 12 fraction digits rounds back into range.
	p := MustParse("0.333333").Mul(MustParse("0.666667"))
	if got, want := p.String(), "0.222222111111"; got != want {
		t.Errorf("0.333333 × 0.666667: got %s, want %s", got, want)
	}
	if got, want := p.Round(6).String(), "0.222222"; got != want {
		t.Errorf("0.222222111111.Round(6): got %s, want %s", got, want)
	}
	for _, scale := range []int{-1, 7} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("Round(%d): got no panic, want one", scale)
				}
			}()
			MustParse("1").Round(scale)
		}()
	}
}

func TestSumMean(t *testing.T) {
	tests := []struct {
		in    []string
		sum   string
		scale int
		mean  string // "" for an error
	}{
		{nil, "0", 2, ""},
		{[]string{"58.10"}, "58.10", 2, "58.10"},
		{[]string{"58.10"}, "58.10", 0, "58"},
		{[]string{"1", "2"}, "3", 1, "1.5"},
		{[]string{"1", "2"}, "3", 0, "2"}, // 1.5 → 2
		{[]string{"1", "4"}, "5", 0, "2"}, // 2.5 → 2
		{[]string{"50", "70", "80"}, "200", 2, "66.67"},
		{[]string{"0.1", "0.2", "0.3"}, "0.6", 6, "0.200000"},
		{[]string{"1.5", "-1.50"}, "0.00", 2, "0.00"},
		{[]string{"99", "99.5", "100"}, "298.5", 2, "99.50"},
		{[]string{"999999999999999.999999", "999999999999999.999999"}, "1999999999999999.999998", 6, "999999999999999.999999"},
		{[]string{"-1", "-2"}, "-3", 0, "-2"}, // -1.5 → -2
	}
	for _, tt := range tests {
		ds := make([]Decimal, len(tt.in))
		for i, s := range tt.in {
			ds[i] = MustParse(s)
		}
		if got := Sum(ds).String(); got != tt.sum {
			t.Errorf("Sum(%v): got %s, want %s", tt.in, got, tt.sum)
		}
		got, err := Mean(ds, tt.scale)
		if tt.mean == "" {
			if !errors.Is(err, ErrDivisionByZero) {
				t.Errorf("Mean(%v, %d): got %s, %v, want ErrDivisionByZero", tt.in, tt.scale, got, err)
			}
			continue
		}
		if err != nil || got.String() != tt.mean {
			t.Errorf("Mean(%v, %d): got %s, %v, want %s", tt.in, tt.scale, got, err, tt.mean)
		}
	}
	if got, err := Mean([]Decimal{MustParse("1")}, 7); !errors.Is(err, ErrRange) {
		t.Errorf("Mean(_, 7): got %s, %v, want ErrRange", got, err)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		d    Decimal
		why  string // "" if in range
	}{
		{"largest", MustParse("999999999999999.999999"), ""},
		{"smallest", MustParse("-999999999999999.999999"), ""},
		{"zero", Decimal{}, ""},
		{"16 integer digits", MustParse("999999999999999").Add(MustParse("1")), "more than 15 digits before the point"},
		{"negative 16 digits", MustParse("-999999999999999.5").Sub(MustParse("0.5")), "more than 15 digits"},
		{"12 fraction digits", MustParse("0.000001").Mul(MustParse("0.000001")), "12 digits after the point"},
		{"7 fraction digits of zero", MustParse("0.0").Mul(MustParse("0.000000")), "7 digits after the point"},
		{"rounded back", MustParse("0.000001").Mul(MustParse("0.000001")).Round(6), ""},
	}
	for _, tt := range tests {
		err := tt.d.Check()
		if tt.why == "" {
			if err != nil {
				t.Errorf("%s: %s.Check(): got %v, want nil", tt.name, tt.d, err)
			}
			continue
		}
		if !errors.Is(err, ErrRange) || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("%s: %s.Check(): got %v, want an ErrRange saying %q", tt.name, tt.d, err, tt.why)
		}
		// Every encoder refuses it.
		if b, err := json.Marshal(tt.d); err == nil {
			t.Errorf("%s: json.Marshal: got %s, want an error", tt.name, b)
		}
		if b, err := tt.d.MarshalText(); err == nil {
			t.Errorf("%s: MarshalText: got %s, want an error", tt.name, b)
		}
		if v, err := tt.d.Value(); err == nil {
			t.Errorf("%s: Value: got %v, want an error", tt.name, v)
		}
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: SortKey: got no panic, want one", tt.name)
				}
			}()
			tt.d.SortKey()
		}()
	}
}

func TestSortKey(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"0", "p000000000000000000000"},
		{"-0.00", "p000000000000000000000"},
		{"0.000001", "p000000000000000000001"},
		{"1", "p000000000000001000000"},
		{"58.1", "p000000000000058100000"},
		{"58.10", "p000000000000058100000"},
		{"58.100000", "p000000000000058100000"},
		{"999999999999999.999999", "p999999999999999999999"},
		{"-0.000001", "n999999999999999999999"},
		{"-1", "n999999999999999000000"},
		{"-58.1", "n999999999999941900000"},
		{"-999999999999999.999999", "n000000000000000000001"},
	}
	for _, tt := range tests {
		got := MustParse(tt.in).SortKey()
		if got != tt.want {
			t.Errorf("SortKey(%s): got %q, want %q", tt.in, got, tt.want)
		}
		if len(got) != 22 {
			t.Errorf("SortKey(%s): got %d bytes, want 22", tt.in, len(got))
		}
	}
}

// Sorting by SortKey (bytes, as SQL does) and by Cmp give the same order.
func TestSortKeyOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	ds := make([]Decimal, 0, 2000)
	for _, s := range []string{"0", "-0", "0.00", "58.1", "58.10", "-58.1", "-58.10", "999999999999999.999999", "-999999999999999.999999", "0.000001", "-0.000001"} {
		ds = append(ds, MustParse(s))
	}
	for len(ds) < 2000 {
		ds = append(ds, MustParse(randomDecimal(r)))
	}
	byKey := slices.Clone(ds)
	slices.SortStableFunc(byKey, func(a, b Decimal) int { return strings.Compare(a.SortKey(), b.SortKey()) })
	byCmp := slices.Clone(ds)
	slices.SortStableFunc(byCmp, Decimal.Cmp)
	for i := range ds {
		if byKey[i].Cmp(byCmp[i]) != 0 {
			t.Fatalf("position %d: by SortKey got %s, by Cmp want %s", i, byKey[i], byCmp[i])
		}
	}
	// And pairwise: the keys compare exactly as the numbers do.
	for i := range 20000 {
		a, b := ds[r.IntN(len(ds))], ds[(i*7919)%len(ds)]
		if got, want := strings.Compare(a.SortKey(), b.SortKey()), a.Cmp(b); got != want {
			t.Fatalf("keys of %s and %s compare %d, numbers want %d", a, b, got, want)
		}
	}
}

type reported struct {
	Value  Decimal  `json:"value"`
	Target *Decimal `json:"target,omitempty"`
}

func TestJSONMarshal(t *testing.T) {
	v := MustParse("58.10")
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"struct by value", reported{Value: v}, `{"value":"58.10"}`},
		{"struct by pointer", &reported{Value: v}, `{"value":"58.10"}`},
		{"pointer field", reported{Value: MustParse("-0.5"), Target: &v}, `{"value":"-0.5","target":"58.10"}`},
		{"bare value", v, `"58.10"`},
		{"bare pointer", &v, `"58.10"`},
		{"slice", []Decimal{MustParse("1"), MustParse("0.000001")}, `["1","0.000001"]`},
		{"map value", map[string]Decimal{"x": MustParse("119.47")}, `{"x":"119.47"}`},
		{"large", MustParse("-999999999999999.999999"), `"-999999999999999.999999"`},
		{"negative zero", MustParse("-0.00"), `"0.00"`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.in)
		if got := string(b); err != nil || got != tt.want {
			t.Errorf("%s: json.Marshal: got %s, %v, want %s", tt.name, got, err, tt.want)
		}
	}
}

func TestJSONUnmarshal(t *testing.T) {
	tests := []struct {
		in     string
		value  string // "" for an error
		target string // "" for nil
		why    string
	}{
		{`{"value":"58.10"}`, "58.10", "", ""},
		{`{"value":"58.10","target":"60"}`, "58.10", "60", ""},
		{`{"value":"-0.5","target":null}`, "-0.5", "", ""},
		{`{"value":"\u0035\u0038.10"}`, "58.10", "", ""},
		{`{"value":58.10}`, "", "", `a decimal is a JSON string such as "58.10", not 58.10`},
		{`{"value":58}`, "", "", "not 58"},
		{`{"value":null}`, "", "", "not null"},
		{`{"value":true}`, "", "", "not true"},
		{`{"value":["1"]}`, "", "", "not ["},
		{`{"value":"1e5"}`, "", "", `unexpected 'e'`},
		{`{"value":" 1"}`, "", "", "does not start with a digit"},
		{`{"value":"1.1234567"}`, "", "", "7 digits after the point"},
		{`{"value":""}`, "", "", "does not start with a digit"},
		{`{"value":"1","target":58.1}`, "", "", "not 58.1"},
	}
	for _, tt := range tests {
		var r reported
		err := json.Unmarshal([]byte(tt.in), &r)
		if tt.value == "" {
			if err == nil || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("json.Unmarshal(%s): got %+v, %v, want an error saying %q", tt.in, r, err, tt.why)
			}
			continue
		}
		if err != nil || r.Value.String() != tt.value {
			t.Errorf("json.Unmarshal(%s).Value: got %s, %v, want %s", tt.in, r.Value, err, tt.value)
		}
		gotTarget := ""
		if r.Target != nil {
			gotTarget = r.Target.String()
		}
		if gotTarget != tt.target {
			t.Errorf("json.Unmarshal(%s).Target: got %q, want %q", tt.in, gotTarget, tt.target)
		}
	}
	// Called directly, the method sees the same rules.
	var d Decimal
	for _, bad := range []string{`58.1`, `null`, ``, `"58.1`} {
		if err := d.UnmarshalJSON([]byte(bad)); !errors.Is(err, ErrSyntax) {
			t.Errorf("UnmarshalJSON(%s): got %v, want ErrSyntax", bad, err)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 500 {
		s := randomDecimal(r)
		in := reported{Value: MustParse(s)}
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("json.Marshal(%s): %v", s, err)
		}
		var out reported
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("json.Unmarshal(%s): %v", b, err)
		}
		if got, want := out.Value.String(), canonical(s); got != want {
			t.Fatalf("round trip of %s: got %s, want %s", s, got, want)
		}
	}
}

func TestText(t *testing.T) {
	var d Decimal
	if err := d.UnmarshalText([]byte("58.10")); err != nil || d.String() != "58.10" {
		t.Errorf("UnmarshalText(58.10): got %s, %v, want 58.10", d, err)
	}
	if err := d.UnmarshalText([]byte(`"1"`)); !errors.Is(err, ErrSyntax) || d.String() != "58.10" {
		t.Errorf(`UnmarshalText("1") with quotes: got %s, %v, want ErrSyntax and d unchanged`, d, err)
	}
	b, err := d.MarshalText()
	if got, want := string(b), "58.10"; err != nil || got != want {
		t.Errorf("MarshalText: got %q, %v, want %q", got, err, want)
	}
	// As a map key, encoding/json uses the text form.
	b, err = json.Marshal(map[Decimal]int{MustParse("1.50"): 1})
	if got, want := string(b), `{"1.50":1}`; err != nil || got != want {
		t.Errorf("json.Marshal(map key): got %s, %v, want %s", got, err, want)
	}
}

func TestSQL(t *testing.T) {
	v, err := MustParse("58.10").Value()
	if got, want := v, driver.Value("58.10"); err != nil || got != want {
		t.Errorf("Value: got %#v, %v, want %#v", got, err, want)
	}
	tests := []struct {
		src  any
		want string // "" for an error
	}{
		{"58.10", "58.10"},
		{[]byte("-0.000001"), "-0.000001"},
		{"-0.00", "0.00"},
		{"1e5", ""},
		{"", ""},
		{nil, ""},
		{int64(5), ""},
		{58.1, ""},
	}
	for _, tt := range tests {
		var d Decimal
		err := d.Scan(tt.src)
		if tt.want == "" {
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("Scan(%#v): got %s, %v, want ErrSyntax", tt.src, d, err)
			}
			continue
		}
		if err != nil || d.String() != tt.want {
			t.Errorf("Scan(%#v): got %s, %v, want %s", tt.src, d, err, tt.want)
		}
	}
	// sql.Null works with it, the way GORM wraps optional scanners.
	var n sql.Null[Decimal]
	if err := n.Scan("119.47"); err != nil || !n.Valid || n.V.String() != "119.47" {
		t.Errorf("sql.Null[Decimal].Scan: got %+v, %v, want 119.47", n, err)
	}
	if err := n.Scan(nil); err != nil || n.Valid {
		t.Errorf("sql.Null[Decimal].Scan(nil): got %+v, %v, want not Valid", n, err)
	}
}

// A Decimal is a value: copies, including of coefficients too large for
// apd's inline storage, never change when another copy is used.
func TestValueSemantics(t *testing.T) {
	big1 := MustParse("999999999999999.999999").Mul(MustParse("999999999999999.999999")) // > 128 bits
	want := big1.String()
	cp := big1
	m := map[string]Decimal{"k": big1}
	_ = cp.Add(MustParse("1")).Mul(cp).Sub(cp)
	_, _ = cp.Quo(MustParse("3"), 6)
	_ = cp.Round(0)
	_ = cp.Neg().Abs()
	_ = Sum([]Decimal{cp, big1, m["k"]})
	for name, d := range map[string]Decimal{"original": big1, "copy": cp, "map value": m["k"]} {
		if got := d.String(); got != want {
			t.Errorf("%s after arithmetic: got %s, want %s", name, got, want)
		}
	}
	var s reported
	s.Value = MustParse("1.0")
	s2 := s
	if err := s2.Value.UnmarshalText([]byte("2.00")); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Value.String(), "1.0"; got != want {
		t.Errorf("struct copy after decoding into the other: got %s, want %s", got, want)
	}
}
