package paging_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/fazhi/fazhi/paging"
)

// Fuzz targets of the paging parsers: a sort expression and a cursor that
// a client sends. Their committed seeds are in testdata/fuzz/<target>/;
// `go test` runs them as ordinary tests, .ci/fuzz runs each for a while.

// FuzzDecode: Decode of any text is either ErrInvalidCursor and no cursor,
// or a cursor with an id, of the sort and the filters asked for, read from
// one JSON object with nothing after it, that Encode writes as a text Decode
// reads back the same. ParseSort reads any text, and String writes it back.
func FuzzDecode(f *testing.F) {
	good := paging.Cursor{Sort: "-createdAt", Filter: "q1w2e3r4", Key: "2021-07-01T08:00:00.123456789Z", ID: "0190a4c2-5f3b-7c00-8000-000000000001"}
	f.Add(good.Encode(), "-createdAt", "q1w2e3r4")
	f.Add(good.Encode(), "createdAt", "q1w2e3r4") // another direction
	f.Add(good.Encode(), "-createdAt", "")        // other filters
	f.Add(paging.Cursor{Sort: "sequence", Key: "12", ID: "x"}.Encode(), "sequence", "")
	f.Add(paging.Cursor{Sort: "name", Key: "盘锦市<司法局>&", ID: "y"}.Encode(), "name", "")
	f.Add("nonsense", "name", "")
	f.Add("bm9wZQ", "name", "")                                         // "nope"
	f.Add("eyJzIjoibmFtZSIsImsiOiIiLCJpZCI6IngifXh5eg", "name", "")     // trailing "xyz"
	f.Add("eyJzIjoibmFtZSIsImsiOiIiLCJpZCI6IngiLCJ6IjoxfQ", "name", "") // unknown field
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, s, sortText, filter string) {
		sort := paging.ParseSort(sortText)
		if sort.String() != sortText {
			t.Fatalf("ParseSort(%q).String(): got %q", sortText, sort.String())
		}
		if sort.Desc != (len(sortText) > 0 && sortText[0] == '-') {
			t.Fatalf("ParseSort(%q): got Desc %v", sortText, sort.Desc)
		}
		c, err := paging.Decode(s, sort, filter)
		if err != nil {
			if c != nil || !errors.Is(err, paging.ErrInvalidCursor) {
				t.Fatalf("Decode(%q): got %+v, %v; want no cursor and ErrInvalidCursor", s, c, err)
			}
			return
		}
		switch {
		case c == nil:
			t.Fatalf("Decode(%q): got no cursor and no error", s)
		case c.ID == "":
			t.Fatalf("Decode(%q): got %+v, a cursor without an id", s, c)
		case c.Sort != sort.String() || c.Filter != filter:
			t.Fatalf("Decode(%q, %q, %q): got %+v, of another sort or filter", s, sortText, filter, c)
		}
		raw, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || !json.Valid(raw) {
			t.Fatalf("Decode(%q): got %+v from %q (%v), which is not one JSON value", s, c, raw, err)
		}
		again, err := paging.Decode(c.Encode(), sort, filter)
		if err != nil || *again != *c {
			t.Fatalf("Decode(%q) = %+v, but Decode(Encode of it) = %+v, %v", s, c, again, err)
		}
	})
}

// FuzzCursorRoundTrip: every cursor with an id that Encode writes, Decode
// reads back the same for its sort and filters (UTF-8 texts, as sorts and
// filter digests are), and refuses for others.
func FuzzCursorRoundTrip(f *testing.F) {
	f.Add("-createdAt", "q1w2e3r4", "2021-07-01T08:00:00.123456789Z", "0190a4c2-5f3b-7c00-8000-000000000001")
	f.Add("sequence", "", "12", "x")
	f.Add("name", "", "盘锦市<司法局>&\u2028", "y")
	f.Add("-", "f", "7|211100-001", "z")
	f.Add("code", "", "\xff\xfe", "id")
	f.Fuzz(func(t *testing.T, sortText, filter, key, id string) {
		if id == "" {
			return
		}
		sort := paging.ParseSort(sortText)
		c := paging.Cursor{Sort: sort.String(), Filter: filter, Key: key, ID: id}
		s := c.Encode()
		got, err := paging.Decode(s, sort, filter)
		if !utf8.ValidString(sortText) || !utf8.ValidString(filter) {
			// JSON holds UTF-8 text: such a sort or filter never comes back
			// as it was, and the cursor matches no list's (sorts are names,
			// filters base64 digests).
			if !errors.Is(err, paging.ErrInvalidCursor) {
				t.Fatalf("Decode(Encode(%+v)): got %+v, %v; want ErrInvalidCursor", c, got, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Decode(Encode(%+v)): %v", c, err)
		}
		// JSON holds UTF-8 text: a byte that is not UTF-8 comes back as U+FFFD.
		if want := (paging.Cursor{Sort: valid(c.Sort), Filter: valid(c.Filter), Key: valid(c.Key), ID: valid(c.ID)}); *got != want {
			t.Fatalf("Decode(Encode(%+v)) = %+v, want %+v", c, got, want)
		}
		other := paging.Sort{Field: sort.Field, Desc: !sort.Desc}
		if _, err := paging.Decode(s, other, filter); !errors.Is(err, paging.ErrInvalidCursor) {
			t.Fatalf("Decode(Encode(%+v)) for the sort %s: %v, want ErrInvalidCursor", c, other, err)
		}
		if _, err := paging.Decode(s, sort, filter+"x"); !errors.Is(err, paging.ErrInvalidCursor) {
			t.Fatalf("Decode(Encode(%+v)) for other filters: %v, want ErrInvalidCursor", c, err)
		}
	})
}

// valid is s with each byte that is not UTF-8 replaced by U+FFFD, as
// encoding/json writes it.
func valid(s string) string { return string([]rune(s)) }
