package policy

// Set is a compiled, immutable list of rules, safe for concurrent use.
type Set struct {
	match [][]matcher // every rule's matchers, packed, in evaluation order
	rules []setRule
	paths []fieldPath // by value slot
	// A rule that can only match when some path equals one of a few strings is listed in an
	// index under those strings; the general rules are tried for every input. Each rule is in
	// one list; lists hold ascending rule numbers.
	indexes []ruleIndex
	general []int32

	readsParams, readsContext bool // some rule looks into params, or into context
}

// ruleIndex lists rules by the string they need at one path.
type ruleIndex struct {
	slot    int32
	byValue map[string][]int32
	all     []int32 // every rule filed here, for an input whose value there is not text
}

// setRule is one rule of a set.
type setRule struct {
	match    []matcher
	approves bool
}

// CompiledRule is one rule's match, checked and compiled. It joins exactly one Set.
type CompiledRule struct {
	match    []matcher
	approves bool
}

// CompileRule checks and compiles r, the rule at position index of its list (errors name it).
// Errors are *Error.
func CompileRule(index int, r Rule) (*CompiledRule, error) {
	c := compiler{rule: index}
	ms, err := c.ruleMatch(r.Match)
	if err != nil {
		return nil, err
	}
	return &CompiledRule{match: ms, approves: r.Approves}, nil
}

// Compile compiles rules into a set, in order. Errors are *Error naming the first bad rule.
func Compile(rules []Rule) (*Set, error) {
	cs := make([]*CompiledRule, len(rules))
	for i, r := range rules {
		c, err := CompileRule(i, r)
		if err != nil {
			return nil, err
		}
		cs[i] = c
	}
	return NewSet(cs), nil
}

// NewSet makes a set of compiled rules, tried in the order given. Each rule belongs to the set
// afterwards and must not join another.
func NewSet(rules []*CompiledRule) *Set {
	s := &Set{rules: make([]setRule, len(rules))}
	for i, r := range rules {
		s.rules[i] = setRule{match: r.match, approves: r.approves}
	}
	s.paths = assignSlots(s.rules)
	for _, p := range s.paths {
		s.readsParams = s.readsParams || p.root == rootParams
		s.readsContext = s.readsContext || p.root == rootContext
	}
	packRules(s.rules)
	s.match = make([][]matcher, len(s.rules))
	for i := range s.rules {
		s.match[i] = s.rules[i].match
	}
	s.indexes, s.general = indexRules(s.rules)
	return s
}

// Len is the number of rules in s.
func (s *Set) Len() int { return len(s.rules) }

// Reads reports whether some rule of the set looks into params, and into context, so that
// a caller may skip decoding what no rule reads.
func (s *Set) Reads() (params, context bool) {
	if s == nil {
		return false, false
	}
	return s.readsParams, s.readsContext
}

// Result is what a set says about an input.
type Result struct {
	// Rule is the position of the first rule that matches, or -1.
	Rule int
	// HeldBy is set when Rule approves (or, from EvaluateAllowing, when no rule matches)
	// but an earlier rule that does not approve was undecided: the position of the first
	// such rule. Otherwise it is -1.
	HeldBy int
}

// none is the result when no rule matches.
var none = Result{Rule: -1, HeldBy: -1}

// Evaluate finds the first rule whose match is true for in. A rule whose match is undecided
// does not match; if it does not approve, it holds back every later rule that does, which
// HeldBy reports, so that an input the set cannot read is never approved on that account.
func (s *Set) Evaluate(in Input) Result {
	switch {
	case s == nil:
		return none
	case len(s.paths) <= fewSlots:
		return evaluate(s, &evalState[[fewSlots]value]{in: in, paths: s.paths}, false)
	}
	return evaluate(s, &evalState[[maxSlots]value]{in: in, paths: s.paths}, false)
}

// EvaluateAllowing is Evaluate for a caller that lets through an input no rule matches, as
// an MCP server runs a tool no rule names. That is an approval after every rule, so an
// undecided rule that does not approve holds it back too: when no rule matches, Rule is -1
// and HeldBy is the first such rule, or -1 when there is none.
func (s *Set) EvaluateAllowing(in Input) Result {
	switch {
	case s == nil:
		return none
	case len(s.paths) <= fewSlots:
		return evaluate(s, &evalState[[fewSlots]value]{in: in, paths: s.paths}, true)
	}
	return evaluate(s, &evalState[[maxSlots]value]{in: in, paths: s.paths}, true)
}

// evaluate is Evaluate; allowing says that no match lets the input through (EvaluateAllowing).
func evaluate[V slotValues](s *Set, st *evalState[V], allowing bool) Result {
	// The candidates are the general rules and, from each index, the rules listed under
	// the input's value; merging the lists keeps rule order. A rule left out is one whose
	// match needs a text the input does not have there: it is false, not undecided. Where
	// the value is missing or not text or a number, every rule of that index is a candidate.
	var lists [maxIndexes + 1][]int32 // none empty
	n := 0
	if len(s.general) > 0 {
		lists[0], n = s.general, 1
	}
	for k := range s.indexes {
		ix := &s.indexes[k]
		l := ix.all
		if v := st.value(ix.slot); v.isStr {
			l = ix.byValue[v.s]
		} else if text, ok := numberText(v.v); ok {
			l = ix.byValue[text]
		}
		if len(l) > 0 {
			lists[n] = l
			n++
		}
	}
	held := int32(-1)
	for n > 0 {
		best, i := 0, lists[0][0]
		for j := 1; j < n; j++ {
			if lists[j][0] < i {
				best, i = j, lists[j][0]
			}
		}
		if lists[best] = lists[best][1:]; len(lists[best]) == 0 { // drop it: order does not matter
			n--
			lists[best] = lists[n]
		}
		switch st.matchAll(s.match[i]) {
		case True:
			if held >= 0 && s.rules[i].approves {
				return Result{Rule: int(i), HeldBy: int(held)}
			}
			return Result{Rule: int(i), HeldBy: -1}
		case Undecided:
			if held < 0 && !s.rules[i].approves {
				held = i
			}
		}
	}
	if allowing && held >= 0 {
		return Result{Rule: -1, HeldBy: int(held)}
	}
	return none
}
