// Package textsearch folds text for matching: case, full-width forms and the
// difference between traditional and simplified Chinese are ignored, so that
// "盘锦" finds "盘锦" and "ＡＢＣ" finds "abc". The same Fold runs on the stored
// search column and on the query, on every database.
package textsearch

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/unicode/norm"
)

var (
	loadOnce  sync.Once
	converter *opencc.OpenCC
	loadErr   error
	simple    sync.Map // rune -> rune, the simplified form of each character seen
)

// Fold returns the parts joined by a space, normalised (NFKC), lower-cased and
// converted character by character to simplified Chinese. Conversion is per
// character, not per phrase, so that a fragment folds the same way alone as it
// does inside a longer text.
func Fold(parts ...string) string {
	// The folded text is about as long as the parts: sized once, it holds
	// no spare capacity (the search text of 100,000 imported items stays in
	// memory until they are written).
	n := len(parts)
	for _, p := range parts {
		n += len(p)
	}
	var b strings.Builder
	b.Grow(n)
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(' ')
		}
		for _, r := range norm.NFKC.String(p) {
			b.WriteRune(simplify(unicode.ToLower(r)))
		}
	}
	return b.String()
}

func simplify(r rune) rune {
	if r < 0x2E80 { // below the CJK blocks: nothing to convert
		return r
	}
	if s, ok := simple.Load(r); ok {
		return s.(rune)
	}
	loadOnce.Do(func() { converter, loadErr = opencc.New("t2s") })
	s := r
	// t2s maps a few characters to one it maps again (U+85B4 → U+82E7 →
	// U+82CE): convert until nothing changes, so that a folded text folds
	// to itself.
	for range 4 {
		next := s
		if loadErr == nil {
			if out, err := converter.Convert(string(s)); err == nil && utf8.RuneCountInString(out) == 1 {
				next, _ = utf8.DecodeRuneInString(out)
			}
		}
		if next == s {
			break
		}
		s = next
	}
	simple.Store(r, s)
	return s
}

// LikeEscape is the escape character of patterns made by EscapeLike. It is not
// the backslash, which MySQL string literals would take as an escape themselves.
const LikeEscape = "!"

// EscapeLike escapes the LIKE wildcards in s, for a pattern used with
// ESCAPE '!' (LikeEscape).
func EscapeLike(s string) string {
	return strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`).Replace(s)
}
