package agentgate

import "unicode/utf8"

// The intake checker's strings: syntax as encoding/json reads it, and text that
// PostgreSQL stores and encoding/json decodes as it was sent.

// str reads the string at c.i and returns the text between its quotes and whether that
// holds escapes.
func (c *jsonChecker) str() (raw []byte, escaped bool, f *jsonFault) {
	c.i++ // "
	start := c.i
	for c.i < len(c.b) {
		switch ch := c.b[c.i]; {
		case ch == '"':
			c.i++
			return c.b[start : c.i-1], escaped, nil
		case ch == '\\':
			escaped = true
			if f := c.escape(); f != nil {
				return nil, false, f
			}
		case ch < 0x20:
			return nil, false, errJSONSyntax
		case ch < utf8.RuneSelf:
			c.i++
		default:
			r, size := utf8.DecodeRune(c.b[c.i:])
			if r == utf8.RuneError && size == 1 {
				return nil, false, badText("is not valid UTF-8")
			}
			c.i += size
		}
	}
	return nil, false, errJSONSyntax
}

// escape reads the escape at c.i (a backslash). NUL and unpaired UTF-16 surrogates are
// refused: PostgreSQL cannot store them, and encoding/json would turn a lone surrogate
// into U+FFFD, so what the policy read would not be what was stored.
func (c *jsonChecker) escape() *jsonFault {
	if c.i+1 >= len(c.b) {
		return errJSONSyntax
	}
	switch c.b[c.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		c.i += 2
		return nil
	case 'u':
	default:
		return errJSONSyntax
	}
	r, ok := c.hex4()
	switch {
	case !ok:
		return errJSONSyntax
	case r == 0:
		return badText("holds a NUL character (\\u0000)")
	case r >= 0xDC00 && r <= 0xDFFF:
		return badText("holds an unpaired UTF-16 surrogate")
	case r >= 0xD800 && r < 0xDC00:
		if c.i+1 >= len(c.b) || c.b[c.i] != '\\' || c.b[c.i+1] != 'u' {
			return badText("holds an unpaired UTF-16 surrogate")
		}
		low, ok := c.hex4()
		if !ok {
			return errJSONSyntax
		}
		if low < 0xDC00 || low > 0xDFFF {
			return badText("holds an unpaired UTF-16 surrogate")
		}
	}
	return nil
}

// hex4 reads the \uXXXX at c.i.
func (c *jsonChecker) hex4() (rune, bool) {
	if c.i+6 > len(c.b) {
		return 0, false
	}
	var r rune
	for _, h := range c.b[c.i+2 : c.i+6] {
		switch {
		case '0' <= h && h <= '9':
			h -= '0'
		case 'a' <= h && h <= 'f':
			h -= 'a' - 10
		case 'A' <= h && h <= 'F':
			h -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(h)
	}
	c.i += 6
	return r, true
}

func badText(what string) *jsonFault {
	return &jsonFault{code: "invalid_text", what: "this text " + what + "; send UTF-8 text without NUL characters"}
}
