package policy

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Limits that keep a rule cheap to evaluate and safe to compile from untrusted JSON.
const (
	maxMatchers     = 64    // keys and $any/$all/$not operands across one rule's match
	maxMatchDepth   = 16    // nesting of match objects, so no input can exhaust the stack
	maxLiteralDepth = 64    // nesting of a literal array or object
	maxRegexLen     = 1024  // characters in a $regex pattern
	maxRegexInsts   = 10000 // instructions in a $regex's compiled program
	setThreshold    = 8     // $in strings at which a hash set beats a scan
)

// operatorList names the field operators in the order error messages list them.
const operatorList = "$eq, $ne, $in, $nin, $lt, $lte, $gt, $gte, $regex, $glob, $exists, $contains, $any, $all, $not"

// A matcher tests one key of a match object: a field's value against tests, or, for a
// top-level $any/$all/$not, the whole document (its path has no root).
type matcher struct {
	slot  int32 // where an evaluation keeps the path's value; set by NewSet
	cost  int32 // a guess at evaluation cost: cheap matchers run first, as order cannot change the result
	path  *fieldPath
	tests []test // ANDed
}

type opcode uint8

const (
	opEq opcode = iota
	opNe
	opIn
	opNin
	opLt
	opLte
	opGt
	opGte
	opRegex
	opGlob
	opExists
	opContains
	opAny
	opAll
	opNot
)

var opcodes = map[string]opcode{
	"$eq": opEq, "$ne": opNe, "$in": opIn, "$nin": opNin, "$lt": opLt, "$lte": opLte, "$gt": opGt,
	"$gte": opGte, "$contains": opContains, "$any": opAny, "$all": opAll, "$not": opNot,
}

// test is one compiled operator. What evaluation reads first is small and inline, the rest
// is behind x, so that a set's tests pack densely in memory.
type test struct {
	op     opcode
	kind   litKind // the kind of a literal operand
	b      bool    // a boolean operand
	exists bool    // $exists
	byRank bool    // compare urgencies by rank (low < normal < high < critical), not spelling
	f      float64 // a number operand, or an urgency's rank
	s      string  // a string operand, or a literal every $regex or $glob match begins with
	x      *operand
}

// operand is what a test needs beyond a scalar.
type operand struct {
	lit     literal        // the operand of $eq $ne $contains
	set     literalSet     // $in $nin
	re      *regexp.Regexp // $regex
	glob    string         // $glob's pattern
	suffix  string         // a literal every $glob match ends with
	clauses []clause       // $any $all $not
}

// literalTest returns a test of op against lit, with a scalar operand inlined.
func literalTest(op opcode, lit literal) test {
	return test{op: op, kind: lit.kind, b: lit.b, f: lit.f, s: lit.s, x: &operand{lit: lit}}
}

// clause is one operand of $any/$all/$not: a match object over the whole document or, inside
// a field, an object of operators over that field.
type clause struct {
	onField bool
	field   []test
	doc     []matcher
}

// compiler turns one rule's match into matchers, keeping what its error messages need.
type compiler struct {
	rule     int
	matchers int
}

// fail returns an error about key at a position such as `["$any"][1]["params.to"]`.
func (c *compiler) fail(at, key, format string, args ...any) error {
	e := c.failAt(at, format, args...)
	e.Key, e.HasKey = key, true
	return e
}

// failAt is fail for a position with no key, such as the top of a match object.
func (c *compiler) failAt(at, format string, args ...any) *Error {
	return &Error{Rule: c.rule, At: at, Reason: fmt.Sprintf(format, args...)}
}

// ruleMatch compiles a rule's match map.
func (c *compiler) ruleMatch(raw map[string]json.RawMessage) ([]matcher, error) {
	m := make(map[string]any, len(raw))
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		var v any
		if err := json.Unmarshal(raw[k], &v); err != nil {
			return nil, c.fail(fmt.Sprintf("[%q]", k), k, "cannot read the matcher: %v", err)
		}
		m[k] = v
	}
	return c.matchObject("", m, 1)
}

// matchObject compiles a map of key → matcher whose entries are ANDed.
func (c *compiler) matchObject(at string, m map[string]any, depth int) ([]matcher, error) {
	if depth > maxMatchDepth {
		return nil, c.failAt(at, "matches nest deeper than %d levels", maxMatchDepth)
	}
	out := make([]matcher, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		kat := fmt.Sprintf("%s[%q]", at, k)
		if c.matchers++; c.matchers > maxMatchers {
			return nil, c.fail(kat, k, "a rule may hold at most %d matchers", maxMatchers)
		}
		mt := matcher{path: &fieldPath{key: k}}
		if strings.HasPrefix(k, "$") {
			if k != "$any" && k != "$all" && k != "$not" {
				return nil, c.fail(kat, k, "%s cannot stand at the top of a match, where only $any, $all and $not can; put field operators under a field, e.g. {\"amount\": {\"%s\": ...}}", k, k)
			}
			t, err := c.boolOp(kat, k, k, m[k], fieldPath{}, depth)
			if err != nil {
				return nil, err
			}
			mt.tests = []test{t}
		} else {
			fp, err := parsePath(k)
			if err != nil {
				return nil, c.fail(kat, k, "%v", err)
			}
			mt.path = &fp
			if obj, ok := m[k].(map[string]any); ok && hasOperator(obj) {
				mt.tests, err = c.operators(kat, k, fp, obj, depth)
			} else {
				var lit literal
				lit, err = newLiteral(m[k], 0)
				mt.tests = []test{literalTest(opEq, lit)}
			}
			if err != nil {
				return nil, c.asFail(kat, k, err)
			}
		}
		mt.cost = matcherCost(&mt)
		out = append(out, mt)
	}
	slices.SortStableFunc(out, func(a, b matcher) int { return cmp.Compare(a.cost, b.cost) })
	return out, nil
}

// operators compiles an object of $operators, all ANDed, over the field at fp.
func (c *compiler) operators(at, key string, fp fieldPath, obj map[string]any, depth int) ([]test, error) {
	if depth > maxMatchDepth {
		return nil, c.fail(at, key, "matches nest deeper than %d levels", maxMatchDepth)
	}
	var plain []string
	for k := range obj {
		if !strings.HasPrefix(k, "$") {
			plain = append(plain, strconv.Quote(k))
		}
	}
	if len(plain) > 0 {
		slices.Sort(plain)
		return nil, c.fail(at, key, "mixes $operators with plain keys (%s); an object is either all operators or a literal to compare with", strings.Join(plain, ", "))
	}
	tests := make([]test, 0, len(obj))
	for _, op := range slices.Sorted(maps.Keys(obj)) {
		t, err := c.operator(at, key, fp, op, obj[op], depth)
		if err != nil {
			return nil, c.asFail(at, key, err)
		}
		tests = append(tests, t)
	}
	return tests, nil
}

// asFail turns a plain error into an *Error at `at`; an *Error passes through.
func (c *compiler) asFail(at, key string, err error) error {
	if _, ok := errors.AsType[*Error](err); ok {
		return err
	}
	return c.fail(at, key, "%v", err)
}
