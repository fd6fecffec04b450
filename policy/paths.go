package policy

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// root says where a path starts.
type root uint8

const (
	rootNone    root = iota // a top-level $any/$all/$not, which looks at the whole document
	rootAction              // Input.Action
	rootUrgency             // Input.Urgency
	rootParams              // Input.Params
	rootContext             // Input.Context
)

// segment is one step of a path: an object key, and the array index it spells (or -1).
type segment struct {
	key string
	idx int
}

// fieldPath is a match key split once at compile time.
type fieldPath struct {
	key  string
	root root
	segs []segment
	// flat is set for a bare dotted key such as "a.b": when params has no nested a.b, the key
	// is tried as one params key, as the original read every bare key.
	flat []segment
}

// parsePath reads "action", "urgency", "params[.x...]", "context[.x...]" or a bare key, which
// is a path into params.
func parsePath(key string) (fieldPath, error) {
	if key == "" {
		return fieldPath{}, errors.New("a match key must not be empty; write a dot path such as params.to")
	}
	parts := strings.Split(key, ".")
	for _, p := range parts {
		if p == "" {
			return fieldPath{}, fmt.Errorf("%q has an empty path segment; write dot paths such as params.to or context.user.role", key)
		}
	}
	fp := fieldPath{key: key}
	switch parts[0] {
	case "action", "urgency":
		if len(parts) > 1 {
			return fieldPath{}, fmt.Errorf("%s is a string and has no fields; to reach a parameter of that name write params.%s", parts[0], key)
		}
		fp.root = rootAction
		if parts[0] == "urgency" {
			fp.root = rootUrgency
		}
		return fp, nil
	case "params":
		fp.root, parts = rootParams, parts[1:]
	case "context":
		fp.root, parts = rootContext, parts[1:]
	default:
		fp.root = rootParams
		if len(parts) > 1 {
			fp.flat = []segment{{key: key, idx: -1}}
		}
	}
	for _, p := range parts {
		idx := -1
		if len(p) <= 9 && strings.Trim(p, "0123456789") == "" {
			idx, _ = strconv.Atoi(p)
		}
		fp.segs = append(fp.segs, segment{key: p, idx: idx})
	}
	return fp, nil
}

// value is one field looked up in an input. Strings are kept unboxed so that looking at
// action and urgency does not allocate.
type value struct {
	present bool
	isStr   bool
	fixed   bool // action or urgency: always a string, so another type is simply unequal
	s       string
	v       any // the raw value, unless it is a string with no boxed form at hand
}

// incomparable is the answer of a test whose operand v's type cannot be compared with: a
// missing or mistyped field is undecided, except that action and urgency, which are always
// strings, simply do not match.
func (v *value) incomparable() Truth {
	if v.fixed {
		return False
	}
	return Undecided
}

// lookup finds the path's value in in.
func (p *fieldPath) lookup(in *Input) value {
	switch p.root {
	case rootAction:
		return value{present: true, isStr: true, fixed: true, s: in.Action}
	case rootUrgency:
		return value{present: true, isStr: true, fixed: true, s: cmp.Or(in.Urgency, "normal")}
	case rootParams:
		v := walk(in.Params, p.segs)
		if !v.present && p.flat != nil {
			v = walk(in.Params, p.flat)
		}
		return v
	case rootContext:
		return walk(in.Context, p.segs)
	}
	return value{}
}

// walk follows segs from m; a missing m is an empty object.
func walk(m map[string]any, segs []segment) value {
	var cur any = m
	for i, sg := range segs {
		switch c := cur.(type) {
		case map[string]any:
			x, ok := c[sg.key]
			if !ok {
				return value{}
			}
			cur = x
		case []any:
			if sg.idx < 0 || sg.idx >= len(c) {
				return value{}
			}
			cur = c[sg.idx]
		case map[string]string:
			if s, ok := c[sg.key]; ok && i == len(segs)-1 {
				return value{present: true, isStr: true, s: s}
			}
			return value{}
		case []string:
			if sg.idx >= 0 && sg.idx < len(c) && i == len(segs)-1 {
				return value{present: true, isStr: true, s: c[sg.idx]}
			}
			return value{}
		default:
			return value{}
		}
	}
	if s, ok := cur.(string); ok {
		return value{present: true, isStr: true, s: s, v: cur}
	}
	return value{present: true, v: cur}
}
