package period

import (
	"encoding/json"
	"errors"
	"testing"
)

// Fuzz targets beside FuzzParse (period_test.go), which holds Parse to
// Pattern and String. Their committed seeds are in testdata/fuzz/<target>/;
// `go test` runs them as ordinary tests, .ci/fuzz runs each for a while.

// FuzzUnmarshal: every decoder of a period (UnmarshalText, JSON, Scan of a
// string and of bytes) accepts exactly what Parse accepts and reads the same
// period, leaves its target alone on an error that wraps ErrInvalid, and
// what it reads encodes back to the text it came from.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{"2021", "2021-H1", "2021-Q3", "2021-07", "1900-01", "2999-12",
		"2021-7", "2021-q3", "1899", "3000", "２０２１", " 2021", "2021\n", "2021-Q3\x00", `"2021"`} {
		f.Add([]byte(s))
	}
	sentinel := Period{Year: 1, Freq: "sentinel", N: -1}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := string(data)
		want, wantErr := Parse(s)
		if wantErr != nil {
			if !errors.Is(wantErr, ErrInvalid) || want != (Period{}) {
				t.Fatalf("Parse(%q): got %+v, %v; want the zero Period and an error wrapping ErrInvalid", s, want, wantErr)
			}
		} else if !want.Valid() {
			t.Fatalf("Parse(%q): got %+v, which is not Valid", s, want)
		}
		decoders := map[string]func(*Period) error{
			"UnmarshalText": func(p *Period) error { return p.UnmarshalText(data) },
			"Scan(string)":  func(p *Period) error { return p.Scan(s) },
			"Scan([]byte)":  func(p *Period) error { return p.Scan(data) },
		}
		for name, decode := range decoders {
			p := sentinel
			err := decode(&p)
			switch {
			case (err == nil) != (wantErr == nil):
				t.Fatalf("%s(%q): got error %v, Parse's error is %v", name, s, err, wantErr)
			case err != nil && (!errors.Is(err, ErrInvalid) || p != sentinel):
				t.Fatalf("%s(%q): got %+v, %v; want the target unchanged and an error wrapping ErrInvalid", name, s, p, err)
			case err == nil && p != want:
				t.Fatalf("%s(%q): got %+v, Parse gives %+v", name, s, p, want)
			}
		}
		// JSON: a JSON string decodes as Parse reads its contents; every other
		// JSON value is an error.
		var p Period
		err := json.Unmarshal(data, &p)
		var str *string
		switch {
		case json.Unmarshal(data, &str) != nil:
			if err == nil {
				t.Fatalf("json.Unmarshal(%q): got %+v, want an error for a value that is not a JSON string", data, p)
			}
		case str == nil: // JSON null leaves a value alone, as encoding/json does
			if err != nil || p != (Period{}) {
				t.Fatalf("json.Unmarshal(%q): got %+v, %v; want null to change nothing", data, p, err)
			}
		default:
			q, perr := Parse(*str)
			if (err == nil) != (perr == nil) || (err == nil && p != q) {
				t.Fatalf("json.Unmarshal(%q): got %+v, %v; Parse(%q) gives %+v, %v", data, p, err, *str, q, perr)
			}
		}
		if wantErr != nil {
			return
		}
		// What was read encodes back to the same text, every way.
		text, err := want.MarshalText()
		if err != nil || string(text) != s {
			t.Fatalf("Parse(%q).MarshalText(): got %q, %v", s, text, err)
		}
		v, err := want.Value()
		if err != nil || v != s {
			t.Fatalf("Parse(%q).Value(): got %v, %v", s, v, err)
		}
		j, err := json.Marshal(want)
		if err != nil || string(j) != `"`+s+`"` {
			t.Fatalf("json.Marshal(Parse(%q)): got %s, %v", s, j, err)
		}
	})
}

// FuzzCompare: for two periods that parse, Compare is a total order
// consistent with equality and with Contains, Start and End bound the
// period, and Prev and Next undo each other.
func FuzzCompare(f *testing.F) {
	pairs := [][2]string{
		{"2021", "2021-H1"}, {"2021-H1", "2021-Q1"}, {"2021-Q1", "2021-01"}, {"2021-02", "2021-Q2"},
		{"2021-Q4", "2022"}, {"1900", "2999-12"}, {"2021-07", "2021-07"}, {"2021-H2", "2021-Q3"},
		{"2021-12", "2022-01"}, {"2021-Q3", "2021-7"},
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
		ab, ba := Compare(a, b), Compare(b, a)
		switch {
		case ab < -1 || ab > 1:
			t.Fatalf("Compare(%s, %s) = %d, want -1, 0 or +1", a, b, ab)
		case ab != -ba:
			t.Fatalf("Compare(%s, %s) = %d but Compare(%s, %s) = %d", a, b, ab, b, a, ba)
		case (ab == 0) != (a == b):
			t.Fatalf("Compare(%s, %s) = %d, but == says %v", a, b, ab, a == b)
		case (ab == 0) != (as == bs):
			t.Fatalf("Compare(%q, %q) = %d: equal periods have equal texts, and only they", as, bs, ab)
		}
		if a.Contains(b) && ab > 0 {
			t.Fatalf("%s contains %s but sorts after it", a, b)
		}
		if a.Contains(b) && b.Contains(a) && a != b {
			t.Fatalf("%s and %s contain each other", a, b)
		}
		for _, p := range []Period{a, b} {
			if !p.Start().Before(p.End()) || !p.Contains(p) {
				t.Fatalf("%s: Start %v, End %v, Contains itself %v", p, p.Start(), p.End(), p.Contains(p))
			}
			if p.Next().Prev() != p || p.Prev().Next() != p {
				t.Fatalf("%s: Next().Prev() = %s, Prev().Next() = %s", p, p.Next().Prev(), p.Prev().Next())
			}
			if !p.Prev().End().Equal(p.Start()) || !p.Next().Start().Equal(p.End()) {
				t.Fatalf("%s: Prev ends %v, Next starts %v; want them adjacent", p, p.Prev().End(), p.Next().Start())
			}
			if ps := Periods(p.Year, p.Freq); len(ps) < p.N || ps[p.N-1] != p {
				t.Fatalf("%s is not number %d of Periods(%d, %s) = %v", p, p.N, p.Year, p.Freq, ps)
			}
			if y := (Period{Year: p.Year, Freq: Year, N: 1}); !y.Contains(p) {
				t.Fatalf("the year %s does not contain %s", y, p)
			}
		}
	})
}
