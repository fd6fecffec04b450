package policy

import "strings"

// Reason says why a rule could not be evaluated: the match key whose value it could not read,
// and what was wrong with that value.
type Reason struct {
	Key     string // e.g. "params.amount"
	Problem string // e.g. "got a string that is not a number"
}

func (r Reason) String() string { return "could not read " + r.Key + ": " + r.Problem }

// Verdict is one rule's answer for an input.
type Verdict struct {
	Truth  Truth
	Reason Reason // why, when Truth is Undecided
}

// Explain says why rule i is undecided for in. ok is false when it is not undecided.
func (s *Set) Explain(in Input, i int) (r Reason, ok bool) {
	if s == nil || i < 0 || i >= len(s.match) {
		return Reason{}, false
	}
	st := evalState[[maxSlots]value]{in: in, paths: s.paths}
	if st.matchAll(s.match[i]) != Undecided {
		return Reason{}, false
	}
	return st.whyMatchers(s.match[i])
}

// Trace answers every rule of s for in, in order, with the reason for each undecided one:
// what a person needs to see why the set decided as it did. It is not for the hot path.
func (s *Set) Trace(in Input) []Verdict {
	if s == nil {
		return nil
	}
	out := make([]Verdict, len(s.match))
	st := evalState[[maxSlots]value]{in: in, paths: s.paths}
	for i := range s.match {
		out[i].Truth = st.matchAll(s.match[i])
		if out[i].Truth == Undecided {
			out[i].Reason, _ = st.whyMatchers(s.match[i])
		}
	}
	return out
}

// whyMatchers finds the first undecided test of an undecided AND and explains it.
func (st *evalState[V]) whyMatchers(ms []matcher) (Reason, bool) {
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
			if st.eval(&m.tests[j], v) == Undecided {
				return st.whyTest(&m.tests[j], v, m.path.key)
			}
		}
	}
	return Reason{}, false
}

// whyTest explains an undecided test of v, the value at key, descending into $any, $all and
// $not to the test that could not read its value.
func (st *evalState[V]) whyTest(t *test, v *value, key string) (Reason, bool) {
	switch t.op {
	case opAny, opAll, opNot:
		for i := range t.x.clauses {
			c := &t.x.clauses[i]
			switch {
			case st.clause(c, v) != Undecided:
			case !c.onField:
				return st.whyMatchers(c.doc)
			default:
				for j := range c.field {
					if st.eval(&c.field[j], v) == Undecided {
						return st.whyTest(&c.field[j], v, key)
					}
				}
			}
		}
		return Reason{}, false
	}
	return Reason{Key: key, Problem: problem(t, v)}, true
}

// problem says what about v an undecided test could not compare.
func problem(t *test, v *value) string {
	if !v.present {
		return "it is missing"
	}
	switch t.op {
	case opLt, opLte, opGt, opGte:
		if t.kind == litStr {
			return "got " + kindOf(v) + ", not a string"
		}
		return notA(v, "a number")
	case opRegex, opGlob:
		return "got " + kindOf(v) + ", not a string"
	case opIn, opNin:
		for i := range t.x.set.items {
			if l := &t.x.set.items[i]; l.equal(v) == Undecided {
				return l.mismatch(v)
			}
		}
	case opContains:
		return t.x.lit.itemMismatch(v)
	}
	return t.x.lit.mismatch(v)
}

// mismatch says why v cannot be compared with the literal.
func (l *literal) mismatch(v *value) string {
	switch k := kindOf(v); {
	case l.kind == litArr && k == "an array":
		return "an item of the array cannot be compared with the literal's"
	case l.kind == litObj && k == "an object":
		return "a key of the object is missing or its value cannot be compared with the literal's"
	}
	return notA(v, kindName[l.kind])
}

// itemMismatch says why $contains could not tell whether v holds the literal.
func (l *literal) itemMismatch(v *value) string {
	var items []any
	switch a := v.v.(type) {
	case []any:
		items = a
	case []string:
		for _, s := range a {
			items = append(items, s)
		}
	case map[string]any, map[string]string:
		return "got an object, not a string or an array"
	default:
		return l.mismatch(v)
	}
	for _, e := range items {
		item := value{present: true, v: e}
		if s, ok := e.(string); ok {
			item.isStr, item.s = true, s
		}
		switch l.equalAny(e) {
		case Undecided:
			return "an item is " + kindOf(&item) + ", not " + kindName[l.kind]
		case False:
			if s, ok := textOf(e); ok && l.kind == litStr && strings.Contains(s, l.s) {
				return "an item holds the text without being it (one text sent as a list?)"
			}
		}
	}
	return "an item cannot be compared with the literal"
}

// notA says v is not of the wanted kind, singling out text that is not a number.
func notA(v *value, want string) string {
	if v.isStr && want == "a number" {
		return "got a string that is not a number"
	}
	return "got " + kindOf(v) + ", not " + want
}

var kindName = [...]string{litNull: "null", litBool: "a boolean", litNum: "a number", litStr: "a string", litArr: "an array", litObj: "an object"}

// kindOf names v's JSON type.
func kindOf(v *value) string {
	if v.isStr {
		return "a string"
	}
	switch v.v.(type) {
	case []string:
		return "an array"
	case map[string]string:
		return "an object"
	}
	if _, ok := number(v.v); ok {
		return "a number"
	}
	if f, ok := v.v.(float64); ok && f != f {
		return "NaN"
	}
	return jsonType(v.v)
}
