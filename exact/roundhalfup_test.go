package exact

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestRoundHalfUp(t *testing.T) {
	tests := []struct {
		in    string
		scale int
		want  string
	}{
		// Ties go away from zero, where Round goes to even.
		{"58.125", 2, "58.13"},
		{"58.135", 2, "58.14"},
		{"-58.125", 2, "-58.13"},
		{"-58.135", 2, "-58.14"},
		{"0.625", 2, "0.63"}, // 5 × 0.125 points
		{"6.665", 2, "6.67"},
		{"2.5", 0, "3"},
		{"3.5", 0, "4"},
		{"-2.5", 0, "-3"},
		{"0.5", 0, "1"},
		{"-0.5", 0, "-1"},
		{"0.000005", 5, "0.00001"},
		{"-0.000005", 5, "-0.00001"},
		// Below and above half.
		{"58.1249", 2, "58.12"},
		{"58.1251", 2, "58.13"},
		{"6.666670", 2, "6.67"}, // 10 × 0.666667
		{"0.4", 0, "0"},
		{"-0.4", 0, "0"}, // no negative zero
		{"-0.6", 0, "-1"},
		{"-0.004", 2, "0.00"},
		// Padding, and values already at the scale.
		{"58.1", 2, "58.10"},
		{"58.10", 2, "58.10"},
		{"7", 3, "7.000"},
		{"0", 6, "0.000000"},
		{"-0.00", 2, "0.00"},
		{"7.20", 1, "7.2"},
		// Carries through every digit.
		{"9.995", 2, "10.00"},
		{"-9.995", 2, "-10.00"},
		{"999999999999999.999999", 5, "1000000000000000.00000"},
		{"999999999999999.5", 0, "1000000000000000"},
	}
	for _, tt := range tests {
		d := MustParse(tt.in)
		got := d.RoundHalfUp(tt.scale)
		if got.String() != tt.want {
			t.Errorf("%s.RoundHalfUp(%d): got %s, want %s", tt.in, tt.scale, got, tt.want)
		}
		if got.Scale() != tt.scale {
			t.Errorf("%s.RoundHalfUp(%d).Scale(): got %d, want %d", tt.in, tt.scale, got.Scale(), tt.scale)
		}
		if s := d.String(); s != canonical(tt.in) {
			t.Errorf("%s.RoundHalfUp(%d) changed its receiver to %s", tt.in, tt.scale, s)
		}
	}

	// A product with 12 fraction digits rounds back into range.
	p := MustParse("0.333333").Mul(MustParse("0.666667"))
	if got, want := p.RoundHalfUp(6).String(), "0.222222"; got != want {
		t.Errorf("%s.RoundHalfUp(6): got %s, want %s", p, got, want)
	}
	if got, want := MustParse("0.5").Mul(MustParse("0.25")).RoundHalfUp(2).String(), "0.13"; got != want {
		t.Errorf("0.125.RoundHalfUp(2): got %s, want %s", got, want)
	}

	// It agrees with math/big.Rat, and with Round wherever there is no tie.
	r := rand.New(rand.NewPCG(9, 10))
	for range 2000 {
		d := MustParse(randomDecimal(r))
		scale := r.IntN(MaxScale + 1)
		got := d.RoundHalfUp(scale)
		if want := ratRoundHalfUp(d.String(), scale); got.String() != want {
			t.Fatalf("%s.RoundHalfUp(%d): got %s, want %s", d, scale, got, want)
		}
		tie := d.Scale() > scale && strings.TrimRight(d.String()[len(d.String())-(d.Scale()-scale):], "0") == "5"
		if even := d.Round(scale); !tie && got.Cmp(even) != 0 {
			t.Fatalf("%s.RoundHalfUp(%d) is %s, Round gives %s, and it is no tie", d, scale, got, even)
		}
	}

	for _, scale := range []int{-1, 7} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("RoundHalfUp(%d): got no panic, want one", scale)
				}
			}()
			MustParse("1").RoundHalfUp(scale)
		}()
	}
}

// ratRoundHalfUp rounds the decimal s half away from zero to scale places
// with math/big.Rat, formatted with exactly scale fraction digits.
func ratRoundHalfUp(s string, scale int) string {
	x, _ := new(big.Rat).SetString(s)
	neg := x.Sign() < 0
	x.Abs(x)
	x.Mul(x, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	x.Add(x, big.NewRat(1, 2))
	q := new(big.Int).Quo(x.Num(), x.Denom()) // floor(|x| × 10^scale + ½)
	if neg {
		q.Neg(q)
	}
	return ratRoundHalfEven(new(big.Rat).SetFrac(q, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)), scale)
}
