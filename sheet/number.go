package sheet

import (
	"strconv"
	"strings"
)

// cellText is Cell.Text from the stored value and the displayed value of a
// cell. Text cells are shown as stored (raw == formatted) and keep their text
// exactly; a stored number differs from its display, either by a number format
// or by excelize's own 15-digit cleaning of General numbers, and is given as
// a plain decimal of at most 15 significant digits.
func cellText(raw, formatted string) string {
	if raw == formatted {
		return raw
	}
	if c, ok := canonicalNumber(raw); ok {
		return c
	}
	return raw
}

// maxSignificant is Excel's precision: it keeps 15 significant digits and
// writes binary artefacts beyond them ("0.58099999999999996" for 0.581).
const maxSignificant = 15

// maxPlainExponent bounds the plain decimals canonicalNumber writes out.
const maxPlainExponent = 40

// isDecimalSyntax reports whether s is [sign] digits [. digits] [e [sign]
// digits], with at least one digit in the mantissa: the form Excel stores
// numbers in, and nothing strconv.ParseFloat accepts beyond it (no "Inf",
// hex or underscores).
func isDecimalSyntax(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// canonicalNumber writes a stored number as a plain decimal ("1E-3" →
// "0.001", "0.58099999999999996" → "0.581", "58.10" → "58.1"), rounded to 15
// significant digits. Any decimal of at most 15 significant digits survives
// the trip through float64 unchanged, so this only removes what Excel could
// never have meant. ok is false for anything else.
func canonicalNumber(s string) (string, bool) {
	if !isDecimalSyntax(s) {
		return "", false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "", false
	}
	if v == 0 {
		if mant, _, _ := strings.Cut(strings.ToLower(s), "e"); strings.ContainsAny(mant, "123456789") {
			// Not zero, but too small for a float64 (1E-400): ParseFloat
			// rounds it to zero, where it refuses 1E400. Excel stores no
			// such number.
			return "", false
		}
		return "0", true
	}
	// d.ddddddddddddddde±XX
	e := strconv.FormatFloat(v, 'e', maxSignificant-1, 64)
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	mant, expText, _ := strings.Cut(e, "e")
	exp, err := strconv.Atoi(expText)
	if err != nil || exp > maxPlainExponent || exp < -maxPlainExponent {
		return "", false
	}
	digits := strings.TrimRight(strings.Replace(mant, ".", "", 1), "0")
	// value = 0.digits × 10^(exp+1)
	point := exp + 1
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case point <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -point))
		b.WriteString(digits)
	case point >= len(digits):
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", point-len(digits)))
	default:
		b.WriteString(digits[:point])
		b.WriteByte('.')
		b.WriteString(digits[point:])
	}
	return b.String(), true
}

// shiftPoint multiplies a plain decimal by 10^n (n ≥ 0) by moving its point.
func shiftPoint(s string, n int) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	for range n {
		if frac == "" {
			intPart += "0"
		} else {
			intPart += frac[:1]
			frac = frac[1:]
		}
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out
}

// sameDecimal reports whether two plain decimals (optional sign, digits,
// optional fraction) have the same value, "58.10" and "58.1" say.
func sameDecimal(a, b string) bool {
	norm := func(s string) (string, bool) {
		if !isDecimalSyntax(s) || strings.ContainsAny(s, "eE") {
			return "", false
		}
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimLeft(s, "+-")
		intPart, frac, _ := strings.Cut(s, ".")
		intPart = strings.TrimLeft(intPart, "0")
		frac = strings.TrimRight(frac, "0")
		if intPart == "" && frac == "" {
			return "0", true
		}
		if neg {
			intPart = "-" + intPart
		}
		return intPart + "." + frac, true
	}
	na, okA := norm(a)
	nb, okB := norm(b)
	return okA && okB && na == nb
}

// PercentText reads a percentage from a cell: the number of percent, as text
// to parse exactly, and true if the cell is a percentage at all, typed as the
// text "58.10%" (or "58.10 ％") or a number stored as 0.581 with a percent
// format and displayed "58.10%". Both give "58.10", the number exactly as
// displayed without the sign. When the display rounds the stored number (0.58125
// shown "58.13%"), the stored value is returned instead, exactly ("58.125"):
// the display never loses precision silently. A cell that is not a percentage
// gives "", false; a plain 58.1 is for the caller to interpret by the column's
// measure unit.
func PercentText(c Cell) (string, bool) {
	if t, ok := cutPercent(c.Text); ok {
		return t, true // typed as text: exactly as typed
	}
	shown, ok := cutPercent(c.Formatted)
	if !ok {
		return "", false
	}
	stored, ok := canonicalNumber(strings.TrimSpace(c.Text))
	if !ok {
		return shown, true
	}
	exact := shiftPoint(stored, 2)
	if sameDecimal(strings.ReplaceAll(shown, ",", ""), exact) {
		return strings.ReplaceAll(shown, ",", ""), true
	}
	return exact, true
}

// cutPercent removes a trailing percent sign (half- or full-width) and the
// white space around the number.
func cutPercent(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, sign := range []string{"%", "％"} {
		if t, ok := strings.CutSuffix(s, sign); ok {
			return strings.TrimSpace(t), true
		}
	}
	return "", false
}
