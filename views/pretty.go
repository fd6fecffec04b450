package views

import (
	"encoding/json"
	"net/url"
	"unicode/utf8"
)

// PrettyLimit is the most indented text one JSON value takes on a page or in a ?pretty API
// answer. A value that needs more is cut there, with a note saying how much is left out.
const PrettyLimit = 256 << 10

// maxIndent is the deepest level that gets its own indentation; deeper levels are written
// at this one. Requests stored before intake refused deep nesting may be thousands of
// levels deep, and indenting each level would multiply their size by their depth.
const maxIndent = 32

// Pretty is a JSON value indented for reading.
type Pretty struct {
	Text string
	// More is how many bytes of the value Text leaves out; 0 when Text has all of it.
	More int
}

// Truncated is the note that follows a cut value: "truncated, 1,234 bytes more".
func (p Pretty) Truncated() string {
	if p.More == 0 {
		return ""
	}
	return "truncated, " + Comma(p.More) + " bytes more"
}

// PrettyJSON indents raw, a JSON document, two spaces a level, up to PrettyLimit bytes.
// Text that is not JSON comes out as it is, within the same limit.
func PrettyJSON(raw []byte) Pretty {
	if len(raw) == 0 {
		return Pretty{Text: "{}"}
	}
	buf := make([]byte, 0, min(2*len(raw), PrettyLimit))
	if !json.Valid(raw) {
		w := indenter{dst: buf, end: PrettyLimit}
		n := w.copy(raw)
		return Pretty{Text: string(w.dst), More: len(raw) - n}
	}
	out, more := IndentJSON(buf, raw, PrettyLimit)
	return Pretty{Text: string(out), More: more}
}

// IndentJSON appends src, JSON text, to dst indented two spaces a level, writing at most
// limit bytes, and returns how many bytes of src it left out (0 when none). Its time and
// memory are linear in what it writes, whatever src holds; on text that is not JSON it
// copies what it does not understand and never fails.
func IndentJSON(dst, src []byte, limit int) ([]byte, int) {
	w := indenter{dst: dst, end: len(dst) + limit}
	for i := 0; i < len(src); {
		c := src[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		case '{', '[':
			j := skipSpace(src, i+1)
			if j < len(src) && src[j] == c+2 { // '{'+2 is '}', '['+2 is ']': keep {} and [] whole
				if !w.put(c, src[j]) {
					return w.dst, len(src) - i
				}
				i = j + 1
				continue
			}
			w.depth++
			if !w.put(c) || !w.newline() {
				return w.dst, len(src) - i - 1
			}
		case '}', ']':
			w.depth--
			if !w.newline() || !w.put(c) {
				return w.dst, len(src) - i
			}
		case ',':
			if !w.put(',') || !w.newline() {
				return w.dst, len(src) - i - 1
			}
		case ':':
			if !w.put(':', ' ') {
				return w.dst, len(src) - i
			}
		default: // a string, number or literal, copied as it is
			j := tokenEnd(src, i)
			if n := w.copy(src[i:j]); n < j-i {
				return w.dst, len(src) - i - n
			}
			i = j
			continue
		}
		i++
	}
	return w.dst, 0
}

// indenter writes indented JSON into dst, never past end.
type indenter struct {
	dst   []byte
	end   int
	depth int
}

// put writes the bytes bs whole, or nothing and reports false.
func (w *indenter) put(bs ...byte) bool {
	if len(w.dst)+len(bs) > w.end {
		return false
	}
	w.dst = append(w.dst, bs...)
	return true
}

func (w *indenter) newline() bool {
	n := 2 * min(max(w.depth, 0), maxIndent)
	if len(w.dst)+1+n > w.end {
		return false
	}
	w.dst = append(w.dst, '\n')
	for range n {
		w.dst = append(w.dst, ' ')
	}
	return true
}

// copy writes as much of tok as fits, cut between characters, and returns how much.
func (w *indenter) copy(tok []byte) int {
	n := min(len(tok), w.end-len(w.dst))
	for n > 0 && n < len(tok) && !utf8.RuneStart(tok[n]) {
		n--
	}
	w.dst = append(w.dst, tok[:n]...)
	return n
}

func skipSpace(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	return i
}

// tokenEnd returns where the string, number or literal starting at src[i] ends.
func tokenEnd(src []byte, i int) int {
	if src[i] == '"' {
		for j := i + 1; j < len(src); j++ {
			switch src[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return len(src)
	}
	j := i + 1
	for j < len(src) && !isJSONDelim(src[j]) {
		j++
	}
	return j
}

func isJSONDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', ':', '{', '}', '[', ']', '"':
		return true
	}
	return false
}

// RawHref is the dashboard URL of a request's params or context (part) as stored, whole.
func RawHref(id, part string) string { return "/requests/" + url.PathEscape(id) + "/" + part + ".json" }
