package policy

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
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
	items  []literal
	strs   map[string]struct{} // every string item, when there are enough to hash
	others []literal           // the items that are not strings, when strs is set
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
		for _, l := range s.items {
			if l.kind != litStr {
				s.others = append(s.others, l)
			}
		}
	}
	return s, nil
}
