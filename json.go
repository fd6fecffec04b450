package agentgate

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Storable reports whether a database stores s faithfully: UTF-8 without a NUL character
// (PostgreSQL refuses both).
func Storable(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// checkText refuses text that is not storable. The JSON API refuses such bodies before they
// get here; this covers every other surface.
func checkText(field, s string) error {
	if !Storable(s) {
		return Errorf(KindInvalid, "invalid_text", "%s must be UTF-8 text without NUL characters", field)
	}
	return nil
}

// UnstorableJSON says what in the UTF-8 JSON text b a database would refuse, or returns ""
// when nothing: the escapes of NUL and of unpaired UTF-16 surrogates, which PostgreSQL
// refuses in text and jsonb. Callers check UTF-8 first (json.Marshal's output always is).
func UnstorableJSON(b []byte) string {
	escape := func(i int) (rune, bool) { // the \uXXXX starting at b[i], if there is one
		if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16)
		return rune(n), err == nil
	}
	// Backslashes occur only inside strings, so no tracking of strings is needed: each one
	// starts an escape, and \\ is skipped whole.
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		r, ok := escape(i)
		if !ok {
			i++
			continue
		}
		i += 5
		switch {
		case r == 0:
			return "a NUL character (\\u0000)"
		case utf16.IsSurrogate(r) && r < 0xDC00:
			if low, ok := escape(i + 1); ok && low >= 0xDC00 && low <= 0xDFFF {
				i += 6
				continue
			}
			return "an unpaired UTF-16 surrogate"
		case utf16.IsSurrogate(r):
			return "an unpaired UTF-16 surrogate"
		}
	}
	return ""
}

// rawSignificant holds the bytes rawText looks at; it passes over all others, in strings
// or out of them.
var rawSignificant = func() (t [256]bool) {
	for _, c := range []byte("<>&\xE2\\\" \t\n\r") {
		t[c] = true
	}
	return t
}()

// rawText reports whether the JSON text b is compact (no space outside strings) and plain
// (none of what encoding/json escapes when it copies a json.RawMessage: <, >, & and U+2028,
// U+2029). Strings are tracked, so space and other text inside them are neither.
func rawText(b []byte) (compact, plain bool) {
	compact, plain = true, true
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !rawSignificant[c] { // most bytes: skipped with one look-up
			continue
		}
		switch {
		case c == '<' || c == '>' || c == '&':
			plain = false
		case c == 0xE2 && i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9):
			plain = false
		case inString:
			if c == '\\' {
				i++ // an escape is ASCII: skip the escaped byte
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			compact = false
		}
	}
	return compact, plain
}
