package policy

import (
	"cmp"
	"encoding/json"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
)

// value is one field looked up in an input. Strings are kept unboxed so that looking at
// action and urgency does not allocate.
type value struct {
	present bool
	isStr   bool
	s       string
	v       any // the raw value, unless it is a string with no boxed form at hand
}

// maxSlots is how many distinct paths one evaluation remembers; paths past it are looked up
// each time a matcher names them.
const maxSlots = 64

// evalState is one evaluation: the input, and the values of the paths looked up so far, so
// that a path that many rules name is resolved once.
type evalState struct {
	in    Input
	paths []fieldPath // by slot
	done  uint64      // bit i is set once vals[i] holds the value of paths[i]
	vals  [maxSlots]value
}

func (st *evalState) matchAll(ms []matcher) bool {
	for i := range ms {
		m := &ms[i]
		if m.slot >= maxSlots {
			if !st.matchSpilled(m) {
				return false
			}
			continue
		}
		v := st.value(m.slot)
		for j := range m.tests {
			if !st.eval(&m.tests[j], v) {
				return false
			}
		}
	}
	return true
}

// value returns the value at a slot below maxSlots, looking it up the first time.
func (st *evalState) value(slot int32) *value {
	v := &st.vals[slot]
	if st.done&(1<<slot) == 0 {
		*v = st.paths[slot].lookup(&st.in)
		st.done |= 1 << slot
	}
	return v
}

// matchSpilled evaluates a matcher whose path has no slot to remember its value in.
func (st *evalState) matchSpilled(m *matcher) bool {
	v := st.paths[m.slot].lookup(&st.in)
	for j := range m.tests {
		if !st.eval(&m.tests[j], &v) {
			return false
		}
	}
	return true
}

func (p *fieldPath) lookup(in *Input) value {
	switch p.root {
	case rootAction:
		return value{present: true, isStr: true, s: in.Action}
	case rootUrgency:
		return value{present: true, isStr: true, s: cmp.Or(in.Urgency, "normal")}
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

func (st *evalState) eval(t *test, v *value) bool {
	switch t.op {
	case opEq:
		return v.present && t.equal(v)
	case opNe:
		return !v.present || !t.equal(v)
	case opIn:
		return v.present && t.x.set.has(v)
	case opNin:
		return !v.present || !t.x.set.has(v)
	case opLt, opLte, opGt, opGte:
		c, ok := t.order(v)
		switch {
		case !ok:
			return false
		case t.op == opLt:
			return c < 0
		case t.op == opLte:
			return c <= 0
		case t.op == opGt:
			return c > 0
		}
		return c >= 0
	case opRegex:
		// Every match begins with the literal prefix; looking for it first skips the regexp
		// machinery for most strings that cannot match.
		return v.isStr && (t.s == "" || strings.Contains(v.s, t.s)) && t.x.re.MatchString(v.s)
	case opGlob:
		if !v.isStr || !strings.HasPrefix(v.s, t.s) || !strings.HasSuffix(v.s, t.x.suffix) {
			return false
		}
		ok, err := path.Match(t.x.glob, v.s)
		return ok && err == nil
	case opExists:
		return v.present == t.exists
	case opContains:
		return v.present && t.contains(v)
	case opAny:
		for i := range t.x.clauses {
			if st.clause(&t.x.clauses[i], v) {
				return true
			}
		}
		return false
	case opAll:
		for i := range t.x.clauses {
			if !st.clause(&t.x.clauses[i], v) {
				return false
			}
		}
		return true
	case opNot:
		return !st.clause(&t.x.clauses[0], v)
	}
	return false
}

func (st *evalState) clause(c *clause, v *value) bool {
	if !c.onField {
		return st.matchAll(c.doc)
	}
	for i := range c.field {
		if !st.eval(&c.field[i], v) {
			return false
		}
	}
	return true
}

// equal is JSON equality of v and the operand, from the inline scalar when there is one.
func (t *test) equal(v *value) bool {
	switch t.kind {
	case litStr:
		return v.isStr && v.s == t.s
	case litNum:
		f, ok := number(v.v)
		return ok && f == t.f
	case litBool:
		b, ok := v.v.(bool)
		return ok && b == t.b
	case litNull:
		return !v.isStr && v.v == nil
	}
	return t.x.lit.equal(v)
}

// order compares v with the operand: numbers with numbers, strings with strings, urgencies
// by rank. ok is false when the types differ.
func (t *test) order(v *value) (c int, ok bool) {
	switch {
	case t.byRank:
		if !v.isStr {
			return 0, false
		}
		rank, _ := UrgencyRank(v.s)
		return cmp.Compare(float64(rank), t.f), true
	case t.kind == litStr:
		if !v.isStr {
			return 0, false
		}
		return strings.Compare(v.s, t.s), true
	}
	f, ok := number(v.v)
	if !ok || math.IsNaN(f) {
		return 0, false
	}
	return cmp.Compare(f, t.f), true
}

func (t *test) contains(v *value) bool {
	if v.isStr {
		return t.kind == litStr && strings.Contains(v.s, t.s)
	}
	switch a := v.v.(type) {
	case []any:
		for _, e := range a {
			if t.x.lit.equalAny(e) {
				return true
			}
		}
	case []string:
		return t.kind == litStr && slices.Contains(a, t.s)
	}
	return false
}

func (s *literalSet) has(v *value) bool {
	if v.isStr && s.strs != nil {
		_, ok := s.strs[v.s]
		return ok
	}
	for i := range s.items {
		if s.items[i].equal(v) {
			return true
		}
	}
	return false
}

func (l *literal) equal(v *value) bool {
	if v.isStr {
		return l.kind == litStr && l.s == v.s
	}
	return l.equalAny(v.v)
}

// equalAny is JSON equality: numbers by value, arrays and objects deeply.
func (l *literal) equalAny(x any) bool {
	switch l.kind {
	case litNull:
		return x == nil
	case litBool:
		b, ok := x.(bool)
		return ok && b == l.b
	case litNum:
		f, ok := number(x)
		return ok && f == l.f
	case litStr:
		s, ok := x.(string)
		return ok && s == l.s
	case litArr:
		switch a := x.(type) {
		case []any:
			if len(a) != len(l.arr) {
				return false
			}
			for i := range a {
				if !l.arr[i].equalAny(a[i]) {
					return false
				}
			}
			return true
		case []string:
			if len(a) != len(l.arr) {
				return false
			}
			for i := range a {
				if e := &l.arr[i]; e.kind != litStr || e.s != a[i] {
					return false
				}
			}
			return true
		}
	case litObj:
		switch m := x.(type) {
		case map[string]any:
			if len(m) != len(l.obj) {
				return false
			}
			for k, e := range l.obj {
				if y, ok := m[k]; !ok || !e.equalAny(y) {
					return false
				}
			}
			return true
		case map[string]string:
			if len(m) != len(l.obj) {
				return false
			}
			for k, e := range l.obj {
				if y, ok := m[k]; !ok || e.kind != litStr || e.s != y {
					return false
				}
			}
			return true
		}
	}
	return false
}

// number reads the numeric types encoding/json and Go callers put in params.
func number(x any) (float64, bool) {
	switch n := x.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case int16:
		return float64(n), true
	case int8:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint64:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint8:
		return float64(n), true
	case float32:
		return float64(n), true
	}
	return 0, false
}
