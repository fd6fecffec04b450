package agentgate

import (
	"encoding/json"
	"unicode/utf8"
)

// plainParser reads the plain JSON the gate and its agents usually write, without
// reflection: strings without escapes, whole numbers, keys spelled exactly, each once. A
// reader built on it returns false at anything else, and its caller falls back to
// encoding/json, so the two always agree on what they accept and what it means.
type plainParser struct {
	b []byte
	i int
}

func (p *plainParser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

// skip consumes c, after space, if it is next.
func (p *plainParser) skip(c byte) bool {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// end reports whether only space is left.
func (p *plainParser) end() bool {
	p.space()
	return p.i == len(p.b)
}

// plainString reads a UTF-8 string with no escapes and no control characters.
func (p *plainParser) plainString() (string, bool) {
	b, ok := p.plainBytes()
	return string(b), ok
}

// plainBytes is plainString's text, not copied: it aliases the input.
func (p *plainParser) plainBytes() ([]byte, bool) {
	if !p.skip('"') {
		return nil, false
	}
	start := p.i
	for ; p.i < len(p.b); p.i++ {
		switch c := p.b[p.i]; {
		case c == '"':
			if !utf8.Valid(p.b[start:p.i]) { // encoding/json would replace the bad bytes
				return nil, false
			}
			p.i++
			return p.b[start : p.i-1], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// rawValue reads one JSON value and returns its text, not copied: it aliases the input.
// The value must pass jsonChecker, which reads it once; one that does not (not JSON, or
// JSON the intake refuses) returns false, and the caller's slower path words the error.
func (p *plainParser) rawValue() (json.RawMessage, bool) {
	p.space()
	c := jsonChecker{b: p.b, i: p.i}
	if c.value(0) != nil {
		return nil, false
	}
	raw := p.b[p.i:c.i]
	p.i = c.i
	return json.RawMessage(raw), true
}

// object reads an object with known keys: member reads the value of each key and says
// which field (0 to 63) it set and whether it could. An unknown key (member says false), a
// key given twice, or anything that is not an object with nothing after it returns false.
func (p *plainParser) object(member func(key []byte) (field int, ok bool)) bool {
	if !p.skip('{') {
		return false
	}
	if p.skip('}') {
		return p.end()
	}
	var seen uint64
	for {
		key, ok := p.plainBytes()
		if !ok || !p.skip(':') {
			return false
		}
		field, ok := member(key)
		if !ok || seen&(1<<field) != 0 {
			return false
		}
		seen |= 1 << field
		if p.skip('}') {
			return p.end()
		}
		if !p.skip(',') {
			return false
		}
	}
}

// ParseNewRequest reads the gate check's body without reflection, for the plain bodies
// agents send: the fields action, urgency (strings without escapes), params and context,
// each at most once and spelled exactly. Anything else, expiresAt and every mistake
// included, returns false, and the caller decodes the body with encoding/json (strictly:
// no unknown fields, nothing after the object), which words any error. What it accepts
// decodes exactly as that would. Params and context alias b.
func ParseNewRequest(b []byte) (in NewRequest, ok bool) {
	p := plainParser{b: b}
	ok = p.object(func(key []byte) (int, bool) {
		switch string(key) {
		case "action":
			a, ok := p.plainString()
			in.Action = a
			return 0, ok
		case "urgency":
			u, ok := p.plainString()
			in.Urgency = u
			return 1, ok
		case "params":
			raw, ok := p.rawValue()
			in.Params = raw
			return 2, ok
		case "context":
			raw, ok := p.rawValue()
			in.Context = raw
			return 3, ok
		}
		return 0, false
	})
	return in, ok
}
