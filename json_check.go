package agentgate

import (
	"encoding/json"
	"strconv"
	"strings"
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

// jsonFault is what jsonChecker found wrong: a code and a message, and where, innermost
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
