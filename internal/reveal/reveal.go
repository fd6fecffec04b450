// Package reveal makes invisible characters visible, so that a person deciding on a request
// sees what the text really says: a right-to-left override can make "exe.txt" read as
// "txt.exe", and a zero-width space can make two different names look the same.
//
// It is pure, allocates nothing for text that has nothing to reveal, and is shared by every
// place that shows an agent's text to a person (the approval email, the dashboard).
package reveal

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// String returns s with every hidden character replaced by a visible mark such as ⟨U+202E⟩,
// and whether it replaced any. Hidden are the bidirectional controls, zero-width characters,
// every other format character (Unicode category Cf, which includes the tag characters that
// can smuggle text), control characters other than newline and tab, line and paragraph
// separators, the blank "filler" letters that render as nothing, and bytes that are not
// UTF-8 (shown as ⟨0xFF⟩). Everything else, including all visible letters of every script,
// is kept as it is.
func String(s string) (shown string, hidden bool) {
	i := firstHidden(s)
	if i == len(s) {
		return s, false
	}
	b := make([]byte, 0, len(s)+16)
	b = append(b, s[:i]...)
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, "⟨0x"...)
			b = append(b, hexDigits[s[i]>>4], hexDigits[s[i]&0xf])
			b = append(b, "⟩"...)
		case IsHidden(r):
			b = appendMark(b, r)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b), true
}

const hexDigits = "0123456789ABCDEF"

// firstHidden returns the byte offset of the first hidden character or invalid byte in s,
// or len(s). Printable ASCII, the common case, is checked without decoding.
func firstHidden(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || IsHidden(r) {
			return i
		}
		i += size
	}
	return len(s)
}

// IsHidden reports whether r is a character String replaces with a mark.
func IsHidden(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f:
		return true
	case r < 0x80:
		return false
	}
	switch r {
	case 0x2028, 0x2029, // line and paragraph separators: a line break most text does not expect
		0x115F, 0x1160, 0x3164, 0xFFA0, // Hangul fillers: letters that draw nothing
		0x180E: // Mongolian vowel separator: once a format character, drawn as nothing
		return true
	}
	// Cf covers the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
	// the zero-width space, joiners and word joiner (U+200B–U+200D, U+2060), the byte order
	// mark (U+FEFF), soft hyphens and the tag characters (U+E0000–U+E007F).
	return unicode.In(r, unicode.Cc, unicode.Cf)
}

// appendMark appends ⟨U+XXXX⟩ for r, with at least four hex digits as Unicode writes them.
func appendMark(b []byte, r rune) []byte {
	b = append(b, "⟨U+"...)
	var buf [8]byte
	hex := strconv.AppendInt(buf[:0], int64(r), 16)
	for n := len(hex); n < 4; n++ {
		b = append(b, '0')
	}
	for i := 0; i < len(hex); i++ {
		c := hex[i]
		if c >= 'a' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return append(b, "⟩"...)
}
