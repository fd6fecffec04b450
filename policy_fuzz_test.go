package agentgate

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"unicode"
)

// FuzzFailClosed builds a policy and an input from the fuzzer's bytes. Whenever the input is
// denied, no type-variant of it may be auto-approved: a number sent as text, any scalar
// wrapped in an array or an object, or replaced by null, and a field left out or with its
// key's case changed.
//
// The operands are scalars (numbers, text, booleans): a rule that names null, an array or an
// object as its operand asks for exactly that shape, so a variant may rightly match it. For
// the same reason a field some rule tests with $exists keeps its presence, and a scalar in a
// field a key reads into (params.items.0 reads into items) is not wrapped in an array.
func FuzzFailClosed(f *testing.F) {
	for _, seed := range failClosedSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &fuzzGen{data: data, exists: map[string]bool{}}
		rules, in := g.policy(), g.input()
		p := Policy{ID: "fuzz", Name: "fuzz", Enabled: true}
		if err := json.Unmarshal([]byte(rules), &p.Rules); err != nil {
			t.Fatalf("generated rules %s: %v", rules, err)
		}
		set, err := CompilePolicies([]Policy{p})
		if err != nil {
			t.Fatalf("generated rules %s: %v", rules, err)
		}
		base := set.Evaluate(in)
		if base.Hold != nil && base.Decision != RouteToHuman {
			t.Fatalf("a hold that does not route: %s", jsonString(base))
		}
		if base.Decision != AutoDeny {
			return
		}
		for _, v := range g.variants(in) {
			if got := set.Evaluate(v.in); got.Decision == AutoApprove {
				t.Fatalf("rules %s\ndeny %s\nbut approve %s (%s): %s", rules, jsonString(in), jsonString(v.in), v.what, jsonString(got))
			}
		}
	})
}

// fuzzGen turns bytes into choices; past the end every choice is the first.
type fuzzGen struct {
	data   []byte
	i      int
	exists map[string]bool // input fields some rule tests with $exists
}

// readInto are the input fields a key reads into, as an array.
var readInto = map[string]bool{"items": true}

func (g *fuzzGen) pick(n int) int {
	if g.i >= len(g.data) {
		return 0
	}
	g.i++
	return int(g.data[g.i-1]) % n
}

// fuzzKeys are the match keys rules read, with the input field each reads.
var fuzzKeys = []struct{ key, field string }{
	{"action", ""}, {"params.amount", "amount"}, {"amount", "amount"}, {"params.env", "env"},
	{"context.role", "role"}, {"params.items.0", "items"}, {"params.tags", "tags"},
}

var (
	fuzzScalars  = []any{10000.0, 50000, 5, -1, 0.5, "transfer", "prod", "staging", "lots", "50000", "5", "rm -rf", true, false}
	fuzzOrdered  = []any{10000.0, 5, -1, 0.5, "prod", "50000", "m"}
	fuzzPatterns = map[string][]string{"$regex": {"^5", "prod", "^rm", "0$"}, "$glob": {"p*", "5*", "*0", "rm*"}}
	fuzzOps      = []string{"", "$eq", "$ne", "$in", "$nin", "$gt", "$gte", "$lt", "$lte", "$regex", "$glob", "$contains", "$exists", "$not", "$any"}
)

// policy returns one to four rules as JSON.
func (g *fuzzGen) policy() string {
	rules := make([]string, 1+g.pick(4))
	for i := range rules {
		decision := []string{AutoApprove, AutoDeny, RouteToHuman}[g.pick(3)]
		rules[i] = fmt.Sprintf(`{"match": %s, "decision": %q}`, g.match(1+g.pick(3), 0), decision)
	}
	return "[" + strings.Join(rules, ", ") + "]"
}

func (g *fuzzGen) match(n, depth int) string {
	var parts []string
	for range n {
		if depth == 0 && g.pick(5) == 4 { // a top-level $any over two matches
			parts = append(parts, fmt.Sprintf(`"$any": [%s, %s]`, g.match(1, 1), g.match(1, 1)))
			continue
		}
		k := fuzzKeys[g.pick(len(fuzzKeys))]
		parts = append(parts, fmt.Sprintf("%q: %s", k.key, g.matcher(k.field, depth)))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// matcher returns a literal or an object of one operator for the field.
func (g *fuzzGen) matcher(field string, depth int) string {
	op := fuzzOps[g.pick(len(fuzzOps))]
	if depth > 1 && (op == "$not" || op == "$any") {
		op = "$eq"
	}
	var arg any
	switch op {
	case "":
		return jsonString(g.scalar(fuzzScalars))
	case "$in", "$nin":
		arg = []any{g.scalar(fuzzScalars), g.scalar(fuzzScalars)}[:1+g.pick(2)]
	case "$gt", "$gte", "$lt", "$lte":
		arg = g.scalar(fuzzOrdered)
	case "$regex", "$glob":
		arg = fuzzPatterns[op][g.pick(4)]
	case "$exists":
		g.exists[field] = true
		arg = g.pick(2) == 0
	case "$not":
		return fmt.Sprintf(`{"$not": %s}`, g.operatorOnly(field, depth+1))
	case "$any":
		return fmt.Sprintf(`{"$any": [%s, %s]}`, g.operatorOnly(field, depth+1), g.operatorOnly(field, depth+1))
	default:
		arg = g.scalar(fuzzScalars)
	}
	return fmt.Sprintf(`{%q: %s}`, op, jsonString(arg))
}

// operatorOnly is a matcher that is an object of operators, as $not and $any take on a field.
func (g *fuzzGen) operatorOnly(field string, depth int) string {
	if m := g.matcher(field, depth); strings.HasPrefix(m, `{"$`) {
		return m
	}
	return `{"$gt": 10000}`
}

func (g *fuzzGen) scalar(pool []any) any { return pool[g.pick(len(pool))] }

// input returns a transfer or another action with some of the fields rules read.
func (g *fuzzGen) input() Input {
	in := Input{Action: []string{"transfer", "other"}[g.pick(2)], Params: map[string]any{}, Context: map[string]any{}}
	value := func() any {
		return g.scalar([]any{50000.0, 500.0, 10000.0, "50000", "500", "lots", "prod", "rm -rf /", true})
	}
	for _, f := range []string{"amount", "env", "role", "items", "tags"} {
		switch g.pick(3) {
		case 0: // absent
		case 1:
			fuzzSet(&in, f, value())
		default:
			fuzzSet(&in, f, []any{value(), value()}[:1+g.pick(2)])
		}
	}
	return in
}

// fuzzSet puts v at field: role lives in context, the rest in params.
func fuzzSet(in *Input, field string, v any) {
	if field == "role" {
		in.Context[field] = v
	} else {
		in.Params[field] = v
	}
}

type fuzzVariant struct {
	what string
	in   Input
}

// variants returns every type-variant of in: each scalar of each field (or of its array)
// changed in form, and each field left out or renamed, unless some rule asks whether it
// exists.
func (g *fuzzGen) variants(in Input) []fuzzVariant {
	var out []fuzzVariant
	for _, field := range []string{"amount", "env", "role", "items", "tags"} {
		m := in.Params
		if field == "role" {
			m = in.Context
		}
		v, ok := m[field]
		if !ok {
			continue
		}
		add := func(what string, change func(Input, map[string]any)) {
			c := Input{Action: in.Action, Params: maps.Clone(in.Params), Context: maps.Clone(in.Context)}
			cm := c.Params
			if field == "role" {
				cm = c.Context
			}
			change(c, cm)
			out = append(out, fuzzVariant{what: field + " " + what, in: c})
		}
		if !g.exists[field] {
			add("left out", func(_ Input, cm map[string]any) { delete(cm, field) })
			add("with its key's case changed", func(_ Input, cm map[string]any) {
				delete(cm, field)
				cm[string(unicode.ToUpper(rune(field[0])))+field[1:]] = v
			})
		}
		for form, change := range scalarForms {
			if arr, isArr := v.([]any); isArr {
				for i, e := range arr {
					if w, ok := change(e); ok {
						add(fmt.Sprintf("item %d %s", i, form), func(_ Input, cm map[string]any) {
							a := append([]any(nil), arr...)
							a[i] = w
							cm[field] = a
						})
					}
				}
			} else if w, ok := change(v); ok && (form != "in an array" || !readInto[field]) {
				add(form, func(_ Input, cm map[string]any) { cm[field] = w })
			}
		}
	}
	return out
}

// scalarForms are the ways an agent may send a scalar in another form.
var scalarForms = map[string]func(any) (any, bool){
	"as text": func(v any) (any, bool) {
		if f, ok := v.(float64); ok {
			b, _ := json.Marshal(f)
			return string(b), true
		}
		return nil, false
	},
	"in an array":  func(v any) (any, bool) { return []any{v}, true },
	"in an object": func(v any) (any, bool) { return map[string]any{"v": v}, true },
	"as null":      func(v any) (any, bool) { return nil, v != nil },
}

// TestFailClosedSeed checks the first seed is the transfer example.
func TestFailClosedSeed(t *testing.T) {
	g := &fuzzGen{data: failClosedSeeds[0], exists: map[string]bool{}}
	want := `[{"match": {"action": "transfer", "params.amount": {"$gt": 10000}}, "decision": "auto_deny"}, {"match": {"action": "transfer"}, "decision": "auto_approve"}]`
	if got := g.policy(); got != want {
		t.Errorf("policy %s", got)
	}
	if in := g.input(); in.Action != "transfer" || jsonString(in.Params) != `{"amount":50000}` || len(in.Context) != 0 {
		t.Errorf("input %s", jsonString(in))
	}
}

// failClosedSeeds start the fuzzer on the transfer example and a few shapes around it.
var failClosedSeeds = [][]byte{
	// Two rules: deny {"action": "transfer", "params.amount": {"$gt": 10000}}, approve
	// {"action": "transfer"}; a transfer of 50000.
	{1, 1, 1, 0, 0, 0, 5, 0, 1, 5, 0, 0, 0, 0, 0, 0, 5, 0, 1, 0},
	{3, 2, 2, 1, 4, 9, 1, 2, 5, 11, 3, 0, 2, 1, 1, 0, 0, 1, 0, 1, 1, 1, 3, 2, 2, 0, 1},
	{2, 1, 0, 4, 6, 13, 0, 1, 0, 7, 1, 0, 1, 1, 1, 14, 2, 0, 0, 1, 3, 1, 6, 1, 1, 2},
}
