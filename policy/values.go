package policy

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"
)

// compileRegex compiles an RE2 pattern, refusing ones too long or too big to run cheaply.
func compileRegex(s string) (*regexp.Regexp, error) {
	if n := utf8.RuneCountInString(s); n > maxRegexLen {
		return nil, fmt.Errorf("the pattern is %d characters; the limit is %d", n, maxRegexLen)
	}
	re, err := syntax.Parse(s, syntax.Perl)
	if err != nil {
		if se, ok := errors.AsType[*syntax.Error](err); ok {
			expr := se.Expr
			if utf8.RuneCountInString(expr) > 40 {
				expr = string([]rune(expr)[:40]) + "..."
			}
			return nil, fmt.Errorf("%s in %q", se.Code, expr)
		}
		return nil, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	if n := len(prog.Inst); n > maxRegexInsts {
		return nil, fmt.Errorf("the pattern is too complex: it compiles to %d instructions and the limit is %d; large counted repetitions such as {500} are the usual cause", n, maxRegexInsts)
	}
	return regexp.Compile(s)
}

// matcherCost ranks a matcher so that cheap, selective tests run first.
func matcherCost(m *matcher) int32 {
	cost := int32(0)
	if m.path.root == rootParams || m.path.root == rootContext {
		cost = 1 + int32(len(m.path.segs))
	}
	for _, t := range m.tests {
		switch t.op {
		case opRegex:
			cost += 20
		case opGlob, opContains:
			cost += 5
		case opAny, opAll, opNot:
			cost += 30
		default:
			cost++
		}
	}
	return cost
}

func hasOperator(obj map[string]any) bool {
	for k := range obj {
		if strings.HasPrefix(k, "$") {
			return true
		}
	}
	return false
}

func allOperators(obj map[string]any) bool {
	for k := range obj {
		if !strings.HasPrefix(k, "$") {
			return false
		}
	}
	return true
}

// jsonType names the JSON type of a decoded value for error messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

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

type litKind uint8

const (
	litNull litKind = iota
	litBool
	litNum
	litStr
	litArr
	litObj
)

// literal is a decoded JSON value prepared for comparison.
type literal struct {
	kind litKind
	b    bool
	f    float64
	s    string
	arr  []literal
	obj  map[string]*literal
}

// newLiteral converts a value decoded by encoding/json.
func newLiteral(v any, depth int) (literal, error) {
	if depth > maxLiteralDepth {
		return literal{}, fmt.Errorf("the value nests deeper than %d levels", maxLiteralDepth)
	}
	switch v := v.(type) {
	case nil:
		return literal{kind: litNull}, nil
	case bool:
		return literal{kind: litBool, b: v}, nil
	case float64:
		return literal{kind: litNum, f: v}, nil
	case string:
		return literal{kind: litStr, s: v}, nil
	case []any:
		l := literal{kind: litArr, arr: make([]literal, len(v))}
		for i, e := range v {
			var err error
			if l.arr[i], err = newLiteral(e, depth+1); err != nil {
				return literal{}, err
			}
		}
		return l, nil
	case map[string]any:
		l := literal{kind: litObj, obj: make(map[string]*literal, len(v))}
		for k, e := range v {
			el, err := newLiteral(e, depth+1)
			if err != nil {
				return literal{}, err
			}
			l.obj[k] = &el
		}
		return l, nil
	}
	return literal{}, fmt.Errorf("unsupported value of type %T", v)
}

// literalSet is the operand of $in and $nin.
type literalSet struct {
	items []literal
	strs  map[string]struct{} // every string item, when there are enough to hash
}

func newLiteralSet(vs []any) (literalSet, error) {
	s := literalSet{items: make([]literal, 0, len(vs))}
	for _, v := range vs {
		l, err := newLiteral(v, 1)
		if err != nil {
			return literalSet{}, err
		}
		s.items = append(s.items, l)
	}
	var strs []string
	for _, l := range s.items {
		if l.kind == litStr {
			strs = append(strs, l.s)
		}
	}
	if len(strs) >= setThreshold {
		s.strs = make(map[string]struct{}, len(strs))
		for _, x := range strs {
			s.strs[x] = struct{}{}
		}
	}
	return s, nil
}
