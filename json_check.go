package agentgate

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on the JSON of a request's params and context. What passes them is stored and read
// back the same by SQLite, PostgreSQL (jsonb) and the policy engine (float64 numbers).
const (
	// MaxJSONDepth is how deeply objects and arrays may nest; the object itself is level 1.
	MaxJSONDepth = 32
	// MaxNumberLen bounds a number twice: as written, in characters, and written out in
	// full, in digits, as PostgreSQL's jsonb stores it and gives it back (1e300 comes back
	// as 301 digits, so a 1 MiB body of them would read back as 60 MB). Every number from
	// 1e-99 to 1e99 in magnitude passes both; send others as strings.
	MaxNumberLen = 100
)

// jsonFault is what checkJSON found wrong: a code and a message, and where, innermost
// element first (filled in as the scan unwinds, so the good path builds no path).
type jsonFault struct {
	code, what string
	path       []string
}

// errJSONSyntax is the fault of text that is not JSON. It carries no path and is never
// changed, so one value serves every call.
var errJSONSyntax = &jsonFault{code: "syntax"}

// in adds the path element elem (".key" or "[3]") to f, unless f is a syntax fault.
func (f *jsonFault) in(elem string) *jsonFault {
	if f != errJSONSyntax {
		f.path = append(f.path, elem)
	}
	return f
}

// checkObject checks that b, after space, is one JSON object that can be stored faithfully
// (see checkJSON) and reports whether it is already compact. field names it in errors.
func checkObject(field string, b []byte) (compact bool, err error) {
	c := jsonChecker{b: b, compact: true}
	c.space()
	f := errJSONSyntax
	if c.i < len(b) && b[c.i] == '{' {
		f = c.value(0)
	}
	if c.space(); f == nil && c.i != len(b) {
		f = errJSONSyntax
	}
	if f == nil {
		return c.compact, nil
	}
	if f == errJSONSyntax {
		return false, Errorf(KindInvalid, "invalid_"+field, "%s must be a JSON object", field)
	}
	var p strings.Builder
	p.WriteString(field)
	for i := len(f.path) - 1; i >= 0; i-- {
		p.WriteString(f.path[i])
	}
	return false, Errorf(KindInvalid, f.code, "%s: %s", p.String(), f.what).
		WithDetails(map[string]any{"path": p.String()})
}

// jsonChecker reads JSON text once, checking its syntax as encoding/json does, and what a
// faithful store needs besides: numbers a float64 holds (number_out_of_range), written in at
// most MaxNumberLen characters (number_too_long); each key once per object (duplicate_key);
// at most MaxJSONDepth levels (too_deep); text PostgreSQL accepts (invalid_text: UTF-8, no
// NUL, no unpaired surrogate). It decodes nothing and allocates only to report a fault.
type jsonChecker struct {
	b       []byte
	i       int
	compact bool // no space outside strings
}

func (c *jsonChecker) space() {
	for ; c.i < len(c.b); c.i++ {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.compact = false
		default:
			return
		}
	}
}

// value checks the value at c.i, which sits at the given depth (the value inside a
// container at depth d is at depth d).
func (c *jsonChecker) value(depth int) *jsonFault {
	c.space()
	if c.i >= len(c.b) {
		return errJSONSyntax
	}
	switch ch := c.b[c.i]; {
	case ch == '{' || ch == '[':
		if depth >= MaxJSONDepth {
			return &jsonFault{code: "too_deep", what: "objects and arrays may nest at most " +
				strconv.Itoa(MaxJSONDepth) + " levels deep; flatten the value or send it as a string"}
		}
		if ch == '{' {
			return c.object(depth + 1)
		}
		return c.array(depth + 1)
	case ch == '"':
		_, _, f := c.str()
		return f
	case ch == '-' || '0' <= ch && ch <= '9':
		return c.number()
	case ch == 't':
		return c.literal("true")
	case ch == 'f':
		return c.literal("false")
	case ch == 'n':
		return c.literal("null")
	}
	return errJSONSyntax
}

func (c *jsonChecker) literal(word string) *jsonFault {
	if len(c.b)-c.i < len(word) || string(c.b[c.i:c.i+len(word)]) != word {
		return errJSONSyntax
	}
	c.i += len(word)
	return nil
}

// next consumes space and then the byte that ends a member or element: the separator or
// close, reporting which (0 for anything else).
func (c *jsonChecker) next(close byte) byte {
	c.space()
	if c.i < len(c.b) && (c.b[c.i] == ',' || c.b[c.i] == close) {
		c.i++
		return c.b[c.i-1]
	}
	return 0
}

func (c *jsonChecker) object(depth int) *jsonFault {
	c.i++ // {
	if c.space(); c.i < len(c.b) && c.b[c.i] == '}' {
		c.i++
		return nil
	}
	var keys keySet
	for {
		if c.space(); c.i >= len(c.b) || c.b[c.i] != '"' {
			return errJSONSyntax
		}
		start := c.i
		raw, escaped, f := c.str()
		if f != nil {
			return f
		}
		quoted := c.b[start:c.i]
		if c.space(); c.i >= len(c.b) || c.b[c.i] != ':' {
			return errJSONSyntax
		}
		c.i++
		if escaped { // compare keys as the decoder will see them
			raw = unquoteKey(quoted)
		}
		if keys.add(raw) {
			return (&jsonFault{code: "duplicate_key", what: "this key appears more than once in its object; " +
				"the policy, the databases and the agent's consumers could each take a different value, so send it once"}).
				in(memberPath(quoted))
		}
		if f := c.value(depth); f != nil {
			return f.in(memberPath(quoted))
		}
		switch c.next('}') {
		case '}':
			return nil
		case 0:
			return errJSONSyntax
		}
	}
}

func (c *jsonChecker) array(depth int) *jsonFault {
	c.i++ // [
	if c.space(); c.i < len(c.b) && c.b[c.i] == ']' {
		c.i++
		return nil
	}
	for n := 0; ; n++ {
		if f := c.value(depth); f != nil {
			return f.in("[" + strconv.Itoa(n) + "]")
		}
		switch c.next(']') {
		case ']':
			return nil
		case 0:
			return errJSONSyntax
		}
	}
}

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

// keySet remembers the keys of one object. Most objects have a few keys, compared in place;
// larger ones move to a map, so that a huge object costs linear time.
type keySet struct {
	few  [8][]byte
	n    int
	many map[string]struct{}
}

// add records k and reports whether it was already there.
func (s *keySet) add(k []byte) bool {
	if s.many == nil {
		for _, seen := range s.few[:s.n] {
			if string(seen) == string(k) {
				return true
			}
		}
		if s.n < len(s.few) {
			s.few[s.n] = k
			s.n++
			return false
		}
		s.many = make(map[string]struct{}, 2*len(s.few))
		for _, seen := range s.few {
			s.many[string(seen)] = struct{}{}
		}
	}
	if _, ok := s.many[string(k)]; ok {
		return true
	}
	s.many[string(k)] = struct{}{}
	return false
}

// unquoteKey decodes a quoted key that holds escapes (already checked, so it decodes).
func unquoteKey(quoted []byte) []byte {
	var s string
	_ = json.Unmarshal(quoted, &s)
	return []byte(s)
}

// memberPath writes a key as a path element: .name for plain names, ["..."] for the rest.
func memberPath(quoted []byte) string {
	k := string(unquoteKey(quoted))
	plain := k != ""
	for i, r := range k {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return "." + k
	}
	q, _ := json.Marshal(k)
	return "[" + string(q) + "]"
}
