package reveal

import (
	"unicode"
	"unicode/utf8"
)

// MixedScript reports whether a word of s mixes Latin letters with Cyrillic or Greek ones,
// as "pаypal.com" does with a Cyrillic а: each letter looks right, the word is another.
// A word is a run of letters, marks and digits. The text is not changed; callers warn.
func MixedScript(s string) bool {
	var latin, other bool
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
				latin = true
			case '0' <= c && c <= '9':
			default:
				latin, other = false, false
				continue
			}
			if latin && other {
				return true
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case unicode.In(r, unicode.Cyrillic, unicode.Greek):
			other = true
		case unicode.Is(unicode.Latin, r):
			latin = true
		case unicode.In(r, unicode.L, unicode.M, unicode.Nd):
		default:
			latin, other = false, false
			continue
		}
		if latin && other {
			return true
		}
	}
	return false
}
