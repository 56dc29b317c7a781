package textsearch

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fuzz targets of the folding of search input and stored texts. Their
// committed seeds are in testdata/fuzz/<target>/; `go test` runs them as
// ordinary tests, .ci/fuzz runs each for a while.

// FuzzFold: Fold of any bytes is UTF-8. Of UTF-8 text it has no upper-case
// letters, and folding twice is folding once, so that a query typed in
// folded form (simplified, lower case) finds what its unfolded form finds
// (t2s maps 薴 to 苧 and 苧 to 苎: Fold converts until nothing changes).
// Parts fold one by one, joined by a space; and a text folds as its two
// halves do when NFKC does not join characters across the cut, so that a
// fragment folds alone as it does inside a longer text.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"盤錦市司法局", "盘锦市司法局", "遼東灣新區", "ＡＢＣ Code-01", "", "大窪區人民政府",
		"ﾊﾟﾝｼﾞﾝ", "İstanbul", "ẞ", "Ω", "①②", "㍿", "e\u0301", "\xff\xfe", "乾隆", "後來", "髮型",
		"薴麻", // t2s maps 薴 to 苧, and 苧 to 苎
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		folded := Fold(s)
		if !utf8.ValidString(folded) {
			t.Fatalf("Fold(%q) = %q, not UTF-8", s, folded)
		}
		if !utf8.ValidString(s) {
			// No such text reaches Fold (bodies and queries are checked
			// for UTF-8 first), and NFKC leaves what follows a broken
			// sequence as it is ("\xf2Ŀ" folds to "\ufffdŀ", which folds
			// to "\ufffdl·"): only the UTF-8 of the result is promised.
			return
		}
		if again := Fold(folded); again != folded {
			t.Fatalf("Fold(%q) = %q, but Fold of that is %q", s, folded, again)
		}
		if lower := strings.ToLower(folded); lower != folded {
			t.Fatalf("Fold(%q) = %q, which lower-cases to %q", s, folded, lower)
		}
		for i := range s {
			a, b := s[:i], s[i:]
			if got, want := Fold(a, b), Fold(a)+" "+Fold(b); got != want {
				t.Fatalf("Fold(%q, %q) = %q, want %q", a, b, got, want)
			}
			if norm.NFKC.String(s) != norm.NFKC.String(a)+norm.NFKC.String(b) {
				continue
			}
			if got, want := Fold(s), Fold(a)+Fold(b); got != want {
				t.Fatalf("Fold(%q) = %q, but its halves %q and %q fold to %q", s, got, a, b, want)
			}
		}
	})
}

// FuzzEscapeLike: the pattern EscapeLike makes, read as LIKE reads a
// pattern with ESCAPE '!', has no wildcard and matches exactly the text
// escaped.
func FuzzEscapeLike(f *testing.F) {
	for _, s := range []string{`50%_a!b`, "", "!", "!!", "%", "_", "盘锦%", `a\%b`, "!%!_", "'; --"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := EscapeLike(s)
		var lit strings.Builder
		for i := 0; i < len(p); i++ {
			switch c := p[i]; {
			case c == LikeEscape[0]:
				if i+1 == len(p) {
					t.Fatalf("EscapeLike(%q) = %q ends in a lone escape", s, p)
				}
				i++
				lit.WriteByte(p[i])
			case c == '%' || c == '_':
				t.Fatalf("EscapeLike(%q) = %q has the wildcard %q at %d", s, p, c, i)
			default:
				lit.WriteByte(c)
			}
		}
		if lit.String() != s {
			t.Fatalf("EscapeLike(%q) = %q, which matches %q", s, p, lit.String())
		}
	})
}
