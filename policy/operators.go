package policy

import (
	"fmt"
	"path"
	"strings"
)

// operator compiles one field operator. Plain errors it returns are prefixed with the operator.
func (c *compiler) operator(at, key string, fp fieldPath, op string, arg any, depth int) (test, error) {
	bad := func(format string, args ...any) (test, error) {
		return test{}, fmt.Errorf("%s: %s", op, fmt.Sprintf(format, args...))
	}
	switch op {
	case "$eq", "$ne", "$contains":
		lit, err := newLiteral(arg, 0)
		if err != nil {
			return bad("%v", err)
		}
		return literalTest(opcodes[op], lit), nil
	case "$in", "$nin":
		arr, ok := arg.([]any)
		if !ok {
			return bad("needs an array of values, not %s", jsonType(arg))
		}
		set, err := newLiteralSet(arr)
		if err != nil {
			return bad("%v", err)
		}
		return test{op: opcodes[op], x: &operand{set: set}}, nil
	case "$lt", "$lte", "$gt", "$gte":
		t := test{op: opcodes[op]}
		switch a := arg.(type) {
		case float64:
			t.kind, t.f = litNum, a
		case string:
			t.kind, t.s = litStr, a
			if fp.root == rootUrgency {
				rank, ok := UrgencyRank(a)
				if !ok {
					return bad("urgencies compare by rank; use one of low, normal, high, critical, not %q", a)
				}
				t.byRank, t.kind, t.f = true, litNum, float64(rank)
			}
		default:
			return bad("needs a number or a string, not %s", jsonType(arg))
		}
		return t, nil
	case "$regex":
		s, ok := arg.(string)
		if !ok {
			return bad("needs a pattern string, not %s", jsonType(arg))
		}
		re, err := compileRegex(s)
		if err != nil {
			return bad("%v", err)
		}
		prefix, _ := re.LiteralPrefix()
		return test{op: opRegex, s: prefix, x: &operand{re: re}}, nil
	case "$glob":
		s, ok := arg.(string)
		if !ok {
			return bad("needs a pattern string, not %s", jsonType(arg))
		}
		if _, err := path.Match(s, ""); err != nil {
			return bad("%q is not a valid pattern (check [ ] and \\ escapes)", s)
		}
		const meta = "*?[]\\"
		prefix := s[:strings.IndexAny(s+"*", meta)]
		suffix := s[strings.LastIndexAny(s, meta)+1:]
		return test{op: opGlob, s: prefix, x: &operand{glob: s, suffix: suffix}}, nil
	case "$exists":
		b, ok := arg.(bool)
		if !ok {
			return bad("needs true or false, not %s", jsonType(arg))
		}
		return test{op: opExists, exists: b}, nil
	case "$any", "$all", "$not":
		return c.boolOp(fmt.Sprintf("%s[%q]", at, op), key, op, arg, fp, depth)
	}
	return test{}, fmt.Errorf("unknown operator %q; operators are %s", op, operatorList)
}

// boolOp compiles $any/$all (arrays of clauses) or $not (one clause). at already names op.
func (c *compiler) boolOp(at, key, op string, arg any, fp fieldPath, depth int) (test, error) {
	t := test{op: opcodes[op], x: &operand{}}
	elems := []any{arg}
	if op != "$not" {
		arr, ok := arg.([]any)
		if !ok || len(arr) == 0 {
			return test{}, c.fail(at, key, "%s needs a non-empty array of match objects, not %s", op, jsonType(arg))
		}
		elems = arr
	}
	for i, e := range elems {
		eat := at
		if op != "$not" {
			eat = fmt.Sprintf("%s[%d]", at, i)
		}
		obj, ok := e.(map[string]any)
		if !ok {
			return test{}, c.fail(eat, key, "%s needs match objects such as {\"action\": \"send_email\"}, not %s", op, jsonType(e))
		}
		if c.matchers++; c.matchers > maxMatchers {
			return test{}, c.fail(eat, key, "a rule may hold at most %d matchers", maxMatchers)
		}
		var cl clause
		var err error
		if fp.root != rootNone && len(obj) > 0 && allOperators(obj) {
			cl.onField = true
			cl.field, err = c.operators(eat, key, fp, obj, depth+1)
		} else {
			cl.doc, err = c.matchObject(eat, obj, depth+1)
		}
		if err != nil {
			return test{}, err
		}
		t.x.clauses = append(t.x.clauses, cl)
	}
	return t, nil
}
