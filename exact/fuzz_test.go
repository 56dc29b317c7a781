package exact

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Fuzz targets beside FuzzParse (exact_test.go), which holds Parse to
// Pattern and the canonical form. Their committed seeds are in
// testdata/fuzz/<target>/; `go test` runs them as ordinary tests, .ci/fuzz
// runs each for a while.

// FuzzDecode: the decoders of a Decimal read what Parse reads. UnmarshalText
// and Scan accept exactly Parse's inputs; UnmarshalJSON, given a JSON value,
// accepts exactly a JSON string whose contents Parse accepts (never a
// number, null or anything else). Each reads the value and scale Parse
// reads, leaves its target alone on an error that wraps ErrSyntax, and what
// it read encodes (JSON, MarshalText, Value) to text that reads back
// the same.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`"58.10"`, `"-0.00"`, `"007.50"`, `58.10`, `null`, `"1e5"`, `" 1"`, `"\u0035\u0038.10"`,
		`"999999999999999.999999"`, `"1.1234567"`, ` "3" `, `"58.1`, `"58.1" "2"`, `["1"]`, "58.10", "-3", ".5", "1."} {
		f.Add([]byte(s))
	}
	sentinel := MustParse("-424242.4242")
	f.Fuzz(func(t *testing.T, data []byte) {
		same := func(a, b Decimal) bool { return a.String() == b.String() && a.Scale() == b.Scale() && a.Cmp(b) == 0 }
		check := func(name string, d Decimal, err error, want Decimal, wantOK bool) {
			t.Helper()
			switch {
			case (err == nil) != wantOK:
				t.Fatalf("%s(%q): got %s, %v; want accepted: %v", name, data, d, err, wantOK)
			case err != nil && (!errors.Is(err, ErrSyntax) || !same(d, sentinel)):
				t.Fatalf("%s(%q): got %s, %v; want the target unchanged and an error wrapping ErrSyntax", name, data, d, err)
			case err == nil && !same(d, want):
				t.Fatalf("%s(%q): got %s (scale %d), want %s (scale %d)", name, data, d, d.Scale(), want, want.Scale())
			}
		}
		want, perr := Parse(string(data))
		for name, decode := range map[string]func(*Decimal) error{
			"UnmarshalText": func(d *Decimal) error { return d.UnmarshalText(data) },
			"Scan(string)":  func(d *Decimal) error { return d.Scan(string(data)) },
			"Scan([]byte)":  func(d *Decimal) error { return d.Scan(data) },
		} {
			d := sentinel
			err := decode(&d)
			check(name, d, err, want, perr == nil)
		}

		d := sentinel
		err := d.UnmarshalJSON(data)
		var str *string
		switch {
		case !json.Valid(data):
			// encoding/json never passes such bytes: only no panic, and
			// an error is ErrSyntax.
			if err != nil && !errors.Is(err, ErrSyntax) {
				t.Fatalf("UnmarshalJSON(%q): %v, want ErrSyntax", data, err)
			}
		case json.Unmarshal(data, &str) != nil || str == nil:
			check("UnmarshalJSON", d, err, Decimal{}, false)
		default:
			jw, jerr := Parse(*str)
			check("UnmarshalJSON", d, err, jw, jerr == nil)
		}

		if perr != nil {
			return
		}
		if err := want.Check(); err != nil {
			t.Fatalf("Parse(%q) = %s, which Check refuses: %v", data, want, err)
		}
		j, err := json.Marshal(want)
		if err != nil || string(j) != `"`+want.String()+`"` {
			t.Fatalf("json.Marshal(Parse(%q)): got %s, %v", data, j, err)
		}
		var back Decimal
		if err := json.Unmarshal(j, &back); err != nil || !same(back, want) {
			t.Fatalf("json.Unmarshal(json.Marshal(Parse(%q))): got %s, %v, want %s", data, back, err, want)
		}
		text, err := want.MarshalText()
		if err != nil || string(text) != want.String() {
			t.Fatalf("MarshalText(Parse(%q)): got %q, %v", data, text, err)
		}
		v, err := want.Value()
		if err != nil || v != want.String() {
			t.Fatalf("Value(Parse(%q)): got %v, %v", data, v, err)
		}
		if !bytes.Equal(data, []byte(want.String())) && canonical(string(data)) == string(data) {
			t.Fatalf("Parse(%q).String() = %q: a canonical text changed", data, want)
		}
	})
}

// FuzzSortKey: for two decimals that parse, their SortKeys are 22 bytes,
// "n" or "p" and 21 digits, and compare as bytes exactly as the numbers
// compare; equal numbers of different scales have equal keys. Subtraction
// agrees with the comparison, exactly.
func FuzzSortKey(f *testing.F) {
	pairs := [][2]string{
		{"58.1", "58.10"}, {"-58.1", "58.1"}, {"0", "-0.00"}, {"0.000001", "-0.000001"},
		{"999999999999999.999999", "-999999999999999.999999"}, {"1", "0.999999"}, {"-1", "-0.999999"},
		{"119.47", "40000000"}, {"007.50", "7.5"}, {"1e5", "100000"},
	}
	for _, p := range pairs {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, as, bs string) {
		a, errA := Parse(as)
		b, errB := Parse(bs)
		if errA != nil || errB != nil {
			return
		}
		ka, kb := a.SortKey(), b.SortKey()
		for _, k := range []string{ka, kb} {
			if len(k) != 22 || (k[0] != 'n' && k[0] != 'p') || strings.Trim(k[1:], "0123456789") != "" {
				t.Fatalf("SortKey: got %q, want n or p and 21 digits", k)
			}
		}
		if got, want := strings.Compare(ka, kb), a.Cmp(b); got != want {
			t.Fatalf("keys of %s (%s) and %s (%s) compare %d, the numbers %d", a, ka, b, kb, got, want)
		}
		diff := a.Sub(b)
		if diff.Sign() != a.Cmp(b) || diff.Add(b).Cmp(a) != 0 || diff.Scale() != max(a.Scale(), b.Scale()) {
			t.Fatalf("%s - %s = %s (scale %d), which does not agree with Cmp %d", a, b, diff, diff.Scale(), a.Cmp(b))
		}
		if a.Neg().Neg().String() != a.String() || a.Neg().SortKey() != b.Neg().SortKey() && a.Cmp(b) == 0 {
			t.Fatalf("negation of %s and %s", a, b)
		}
	})
}
