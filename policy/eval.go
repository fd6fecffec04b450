package policy

import (
	"path"
	"strings"
)

// Truth is what a match says about an input: it holds, it does not, or the input does not
// let it tell (a field is missing, or has a type its operator cannot compare).
type Truth uint8

// The three answers. Logic is Kleene's: AND is false if any part is false, else undecided if
// any part is undecided; OR is true if any part is true, else undecided if any part is; NOT
// of undecided is undecided.
const (
	False Truth = iota
	True
	Undecided
)

func (t Truth) String() string {
	switch t {
	case False:
		return "false"
	case True:
		return "true"
	}
	return "undecided"
}

func truth(b bool) Truth {
	if b {
		return True
	}
	return False
}

func and(a, b Truth) Truth {
	switch {
	case a == False || b == False:
		return False
	case a == Undecided || b == Undecided:
		return Undecided
	}
	return True
}

func not(t Truth) Truth {
	switch t {
	case True:
		return False
	case False:
		return True
	}
	return Undecided
}

// maxSlots is how many distinct paths one evaluation remembers; paths past it are looked up
// each time a matcher names them. Most sets read at most fewSlots paths, and an evaluation
// of those clears only that much room.
const (
	maxSlots = 64
	fewSlots = 16
)

// slotValues is the room an evaluation keeps looked-up values in.
type slotValues interface {
	~[fewSlots]value | ~[maxSlots]value
}

// evalState is one evaluation: the input, and the values of the paths looked up so far, so
// that a path that many rules name is resolved once.
type evalState[V slotValues] struct {
	in    Input
	paths []fieldPath // by slot
	done  uint64      // bit i is set once vals[i] holds the value of paths[i]
	vals  V
}

// matchAll is the AND of matchers. A false one ends it; an undecided one does not, as a
// later false one still makes the whole false.
func (st *evalState[V]) matchAll(ms []matcher) Truth {
	r := True
	for i := range ms {
		m := &ms[i]
		var v *value
		if int(m.slot) < len(st.vals) {
			v = st.value(m.slot)
		} else {
			spilled := st.paths[m.slot].lookup(&st.in)
			v = &spilled
		}
		for j := range m.tests {
			switch st.eval(&m.tests[j], v) {
			case False:
				return False
			case Undecided:
				r = Undecided
			}
		}
	}
	return r
}

// tests is the AND of tests of one value.
func (st *evalState[V]) tests(ts []test, v *value) Truth {
	r := True
	for j := range ts {
		switch st.eval(&ts[j], v) {
		case False:
			return False
		case Undecided:
			r = Undecided
		}
	}
	return r
}

// value returns the value at a slot below len(st.vals), looking it up the first time.
func (st *evalState[V]) value(slot int32) *value {
	v := &st.vals[slot]
	if st.done&(1<<slot) == 0 {
		*v = st.paths[slot].lookup(&st.in)
		st.done |= 1 << slot
	}
	return v
}

// eval runs one test. Every operator but $exists is undecided on a missing field.
func (st *evalState[V]) eval(t *test, v *value) Truth {
	switch t.op {
	case opEq:
		return t.equal(v)
	case opNe:
		return not(t.equal(v))
	case opIn:
		return t.x.set.has(v)
	case opNin:
		return not(t.x.set.has(v))
	case opLt, opLte, opGt, opGte:
		c, ok := t.order(v)
		switch {
		case !ok:
			return v.incomparable()
		case t.op == opLt:
			return truth(c < 0)
		case t.op == opLte:
			return truth(c <= 0)
		case t.op == opGt:
			return truth(c > 0)
		}
		return truth(c >= 0)
	case opRegex:
		if v.isStr {
			// Every match begins with the literal prefix; looking for it first skips the
			// regexp machinery for most strings that cannot match.
			return truth((t.s == "" || strings.Contains(v.s, t.s)) && t.x.re.MatchString(v.s))
		}
		if s, ok := numberText(v.v); ok {
			return truth(t.x.re.MatchString(s))
		}
		return v.incomparable()
	case opGlob:
		if v.isStr {
			// As with $regex, the pattern's literal ends rule out most strings cheaply.
			return truth(strings.HasPrefix(v.s, t.s) && strings.HasSuffix(v.s, t.x.suffix) && t.glob(v.s))
		}
		if s, ok := numberText(v.v); ok {
			return truth(t.glob(s))
		}
		return v.incomparable()
	case opExists:
		return truth(v.present == t.exists)
	case opContains:
		return t.contains(v)
	case opAny, opAll:
		stop := truth(t.op == opAny) // one true clause decides $any, one false one $all
		r := not(stop)
		for i := range t.x.clauses {
			switch st.clause(&t.x.clauses[i], v) {
			case stop:
				return stop
			case Undecided:
				r = Undecided
			}
		}
		return r
	case opNot:
		return not(st.clause(&t.x.clauses[0], v))
	}
	return False
}

func (st *evalState[V]) clause(c *clause, v *value) Truth {
	if !c.onField {
		return st.matchAll(c.doc)
	}
	return st.tests(c.field, v)
}

// glob matches s whole against the $glob pattern.
func (t *test) glob(s string) bool {
	ok, err := path.Match(t.x.glob, s)
	return ok && err == nil
}
