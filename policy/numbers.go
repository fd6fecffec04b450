package policy

import (
	"encoding/json"
	"math"
	"strconv"
)

// number reads v as a number: a number, or text that spells one.
func (v *value) number() (float64, bool) {
	if v.isStr {
		return parseDecimal(v.s)
	}
	return number(v.v)
}

// number reads the numeric types encoding/json and Go callers put in params. NaN and the
// infinities are not numbers here: nothing can be compared with them.
func number(x any) (float64, bool) {
	var f float64
	switch n := x.(type) {
	case float64:
		f = n
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(n), 64); err != nil {
			return 0, false
		}
	case int:
		f = float64(n)
	case int64:
		f = float64(n)
	case int32:
		f = float64(n)
	case int16:
		f = float64(n)
	case int8:
		f = float64(n)
	case uint:
		f = float64(n)
	case uint64:
		f = float64(n)
	case uint32:
		f = float64(n)
	case uint16:
		f = float64(n)
	case uint8:
		f = float64(n)
	case float32:
		f = float64(n)
	default:
		return 0, false
	}
	return f, f-f == 0 // false for NaN and the infinities
}

// textOf reads x as text: a string, or a number's decimal text.
func textOf(x any) (string, bool) {
	if s, ok := x.(string); ok {
		return s, true
	}
	return numberText(x)
}

// numberText is a number's shortest decimal text, as encoding/json writes a float64: plain
// digits from 1e-6 up to 1e21, exponent form outside, e.g. 50000, 0.5, 1e+21, 1e-7.
func numberText(x any) (string, bool) {
	f, ok := number(x)
	if !ok {
		return "", false
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2], b = b[n-1], b[:n-1] // e-07 is written e-7
	}
	return string(b), true
}

// parseDecimal reads text that spells a finite decimal number: an optional sign, digits with
// an optional fraction, and an optional exponent, nothing else ("1,000", " 5", "0x10", "Inf"
// and "" are not numbers).
func parseDecimal(s string) (float64, bool) {
	i, digits := 0, 0
	skipDigits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits += skipDigits()
	if i < len(s) && s[i] == '.' {
		i++
		digits += skipDigits()
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if skipDigits() == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
