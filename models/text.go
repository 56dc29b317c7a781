package models

import "fmt"

// BadCharacter finds the first character that no text of the product may
// hold, and says what it is: control characters (but the tab, line feed and
// carriage return that multi-line texts have), bidirectional embeddings,
// overrides, isolates and marks, which make a text read other than it is
// stored, and zero-width characters and the byte order mark, which make two
// texts that look the same differ. Such a character in a name, a figure's
// words or a comment would mislead whoever reads it, a reviewer or the
// province, and nobody types one on purpose.
func BadCharacter(s string) (r rune, what string, found bool) {
	for _, r := range s {
		if what := badCharacter(r); what != "" {
			return r, what, true
		}
	}
	return 0, "", false
}

func badCharacter(r rune) string {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return ""
	case r < 0x20 || r == 0x7F || (r >= 0x80 && r <= 0x9F):
		return "a control character"
	case r == 0x200E || r == 0x200F || r == 0x061C || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069):
		return "a bidirectional control"
	case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF || r == 0x180E:
		return "a zero-width character"
	}
	return ""
}

// TextProblem is the message for a text holding a bad character, or empty
// when it holds none.
func TextProblem(s string) string {
	r, what, found := BadCharacter(s)
	if !found {
		return ""
	}
	return fmt.Sprintf("the text holds %s (U+%04X), which no text may hold", what, r)
}

// CheckText refuses a text that holds a bad character (BadCharacter), as a
// 422 naming the field at pointer.
func CheckText(pointer, s string) error {
	if msg := TextProblem(s); msg != "" {
		return &ValidationError{Code: "text_invalid", Detail: "a text holds a character no text may hold",
			Fields: []FieldError{{Pointer: pointer, Message: msg}}}
	}
	return nil
}
