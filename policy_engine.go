package agentgate

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on a policy's shape.
const (
	maxPolicyName        = 200
	maxRulesPerPolicy    = 100
	maxRequiredApprovals = 20
)

// channelKinds are the notification channel prefixes a rule may name.
var channelKinds = []string{"email:", "slack:", "discord:", "webhook:"}

// ValidatePolicy normalizes p in place (trims Name/Description; Rules non-nil; Decision
// required) and checks every rule compiles. Errors are *Error{Kind: KindInvalid, Code:
// "invalid_policy"} with a message that names the rule and key, e.g.
// `rules[2].match["params.to"]: $regex: missing closing ) in "(a"`, and Details
// {"rule": 2, "key": "params.to"} where they apply.
func ValidatePolicy(p *Policy) error {
	normalizePolicy(p)
	_, err := compilePolicy(p)
	return err
}

// PolicySet is a compiled, immutable set of enabled policies, safe for concurrent use.
type PolicySet struct {
	match []([]matcher) // every enabled policy's rules, in evaluation order
	rules []compiledRule
	paths []fieldPath // by value slot
	// A rule that can only match when some path equals one of a few strings is listed in an
	// index under those strings; the general rules are tried for every input. Each rule is in
	// one list; lists hold ascending rule numbers.
	indexes []ruleIndex
	general []int32
}

// ruleIndex lists rules by the string they need at one path.
type ruleIndex struct {
	slot    int32
	byValue map[string][]int32
}

// compiledRule is a rule ready to evaluate, with the outcome it gives.
type compiledRule struct {
	match   []matcher
	index   int
	outcome Outcome // RuleIndex is set per result
}

// CompilePolicies compiles the enabled policies, ordered by ascending Priority (ties by ID, for
// stability). Disabled policies are skipped. It returns the same errors as ValidatePolicy,
// with the policy's ID added to Details, and never changes ps.
func CompilePolicies(ps []Policy) (*PolicySet, error) {
	var enabled []Policy
	for _, p := range ps {
		if p.Enabled {
			enabled = append(enabled, clonePolicy(p))
		}
	}
	slices.SortStableFunc(enabled, func(a, b Policy) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), strings.Compare(a.ID, b.ID))
	})
	s := &PolicySet{}
	for i := range enabled {
		p := &enabled[i]
		normalizePolicy(p)
		rules, err := compilePolicy(p)
		if err != nil {
			if e, ok := errors.AsType[*Error](err); ok {
				if e.Details == nil {
					e.Details = map[string]any{}
				}
				e.Details["policy"] = p.ID
			}
			return nil, err
		}
		s.rules = append(s.rules, rules...)
	}
	s.paths = assignSlots(s.rules)
	packRules(s.rules)
	for i := range s.rules {
		s.match = append(s.match, s.rules[i].match)
	}
	s.indexes, s.general = indexRules(s.rules)
	return s, nil
}

// Evaluate returns the outcome of the first matching rule (policies by priority, rules in
// order), or DefaultOutcome() when none matches.
func (s *PolicySet) Evaluate(in Input) Outcome {
	if s == nil {
		return DefaultOutcome()
	}
	st := evalState{in: in, paths: s.paths}
	// The candidates are the general rules and, from each index, the rules listed under
	// the input's value; merging the lists keeps rule order.
	var lists [maxIndexes + 1][]int32
	lists[0] = s.general
	n := 1
	for k := range s.indexes {
		ix := &s.indexes[k]
		if v := st.value(ix.slot); v.isStr {
			if l := ix.byValue[v.s]; len(l) > 0 {
				lists[n] = l
				n++
			}
		}
	}
	for {
		best := -1
		for j := range n {
			if len(lists[j]) > 0 && (best < 0 || lists[j][0] < lists[best][0]) {
				best = j
			}
		}
		if best < 0 {
			return DefaultOutcome()
		}
		i := lists[best][0]
		lists[best] = lists[best][1:]
		if st.matchAll(s.match[i]) {
			return s.rules[i].result()
		}
	}
}

// result is the rule's outcome with slices the caller may keep and change.
func (r *compiledRule) result() Outcome {
	out := r.outcome
	i := r.index
	out.RuleIndex = &i
	out.Approvers = slices.Clone(out.Approvers)
	out.Channels = slices.Clone(out.Channels)
	return out
}

func clonePolicy(p Policy) Policy {
	p.Rules = slices.Clone(p.Rules)
	for i := range p.Rules {
		p.Rules[i].Approvers = slices.Clone(p.Rules[i].Approvers)
		p.Rules[i].Channels = slices.Clone(p.Rules[i].Channels)
	}
	return p
}

func normalizePolicy(p *Policy) {
	p.Name = strings.TrimSpace(p.Name)
	p.Description = strings.TrimSpace(p.Description)
	if p.Rules == nil {
		p.Rules = []Rule{}
	}
	for i := range p.Rules {
		r := &p.Rules[i]
		r.Decision = strings.TrimSpace(r.Decision)
		r.OWASP = strings.TrimSpace(r.OWASP)
		for j := range r.Approvers {
			r.Approvers[j] = strings.TrimSpace(r.Approvers[j])
		}
		for j := range r.Channels {
			r.Channels[j] = strings.TrimSpace(r.Channels[j])
		}
		if r.Match == nil {
			r.Match = map[string]json.RawMessage{}
		}
	}
}

// invalidPolicy returns an invalid_policy error about a field of the policy or of one rule
// (rule < 0 for the policy itself).
func invalidPolicy(rule int, field, format string, args ...any) error {
	at, d := field, map[string]any{"field": field}
	if rule >= 0 {
		at, d["rule"] = fmt.Sprintf("rules[%d].%s", rule, field), rule
	}
	return Errorf(KindInvalid, "invalid_policy", "%s: %s", at, fmt.Sprintf(format, args...)).WithDetails(d)
}

// compilePolicy checks a normalized policy and compiles its rules.
func compilePolicy(p *Policy) ([]compiledRule, error) {
	if p.Name == "" {
		return nil, invalidPolicy(-1, "name", "a policy needs a name, such as \"Deny production deletes\"")
	}
	if n := utf8.RuneCountInString(p.Name); n > maxPolicyName {
		return nil, invalidPolicy(-1, "name", "the name is %d characters; the limit is %d", n, maxPolicyName)
	}
	if len(p.Rules) > maxRulesPerPolicy {
		return nil, invalidPolicy(-1, "rules", "a policy may have at most %d rules, not %d", maxRulesPerPolicy, len(p.Rules))
	}
	out := make([]compiledRule, 0, len(p.Rules))
	for i := range p.Rules {
		r, err := compileRule(p, i)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func compileRule(p *Policy, i int) (compiledRule, error) {
	r := &p.Rules[i]
	switch r.Decision {
	case AutoApprove, AutoDeny, RouteToHuman:
	case "":
		return compiledRule{}, invalidPolicy(i, "decision", "a decision is required: auto_approve, auto_deny or route_to_human")
	default:
		return compiledRule{}, invalidPolicy(i, "decision", "%q is not a decision; use auto_approve, auto_deny or route_to_human", r.Decision)
	}
	if n := r.RequiredApprovals; n < 0 || n > maxRequiredApprovals {
		return compiledRule{}, invalidPolicy(i, "requiredApprovals", "must be between 0 and %d, not %d", maxRequiredApprovals, n)
	}
	if r.RequiredApprovals > 1 && r.Decision != RouteToHuman {
		return compiledRule{}, invalidPolicy(i, "requiredApprovals", "only route_to_human rules ask people to approve; drop it or change the decision")
	}
	for j, a := range r.Approvers {
		if a == "" {
			return compiledRule{}, invalidPolicy(i, fmt.Sprintf("approvers[%d]", j), "an approver must not be empty")
		}
	}
	for j, ch := range r.Channels {
		if !validChannel(ch) {
			return compiledRule{}, invalidPolicy(i, fmt.Sprintf("channels[%d]", j), "%q is not a channel; write email:<address>, slack:<channel>, discord:<channel id> or webhook:<id>", ch)
		}
	}
	c := compiler{rule: i}
	ms, err := c.ruleMatch(r.Match)
	if err != nil {
		return compiledRule{}, err
	}
	return compiledRule{match: ms, index: i, outcome: Outcome{
		Decision: r.Decision, PolicyID: p.ID, PolicyName: p.Name, OWASP: cmp.Or(r.OWASP, DefaultOWASP),
		Approvers: r.Approvers, Channels: r.Channels, RequireReason: r.RequireReason,
		RequiredApprovals: r.RequiredApprovals,
	}}, nil
}

// maxIndexes bounds the indexes one evaluation consults.
const maxIndexes = 8

// indexKey is a path a rule's match requires to equal one of some strings.
type indexKey struct {
	slot   int32
	values []string
}

// indexRules files each rule under one path it requires to be one of some strings: action
// when it can, else the path most rules can be filed under. Rules with no such path, or whose
// path did not make the maxIndexes most used, are general.
func indexRules(rules []compiledRule) ([]ruleIndex, []int32) {
	keys := make([][]indexKey, len(rules))
	uses := map[int32]int{}
	for i := range rules {
		keys[i] = ruleKeys(rules[i].match)
		for _, k := range keys[i] {
			uses[k.slot]++
		}
	}
	chosen := make([]*indexKey, len(rules))
	filed := map[int32]int{}
	for i, ks := range keys {
		for j := range ks {
			if c := chosen[i]; c == nil || c.slot != slotAction && (ks[j].slot == slotAction || uses[ks[j].slot] > uses[c.slot]) {
				chosen[i] = &ks[j]
			}
		}
		if chosen[i] != nil {
			filed[chosen[i].slot]++
		}
	}
	slots := slices.SortedFunc(maps.Keys(filed), func(a, b int32) int {
		return cmp.Or(cmp.Compare(filed[b], filed[a]), cmp.Compare(a, b))
	})
	slots = slots[:min(len(slots), maxIndexes)]
	indexes := make([]ruleIndex, len(slots))
	for k, slot := range slots {
		indexes[k] = ruleIndex{slot: slot, byValue: map[string][]int32{}}
	}
	var general []int32
	for i, c := range chosen {
		k := -1
		if c != nil {
			k = slices.Index(slots, c.slot)
		}
		if k < 0 {
			general = append(general, int32(i))
			continue
		}
		for _, v := range c.values {
			if l := indexes[k].byValue[v]; len(l) == 0 || l[len(l)-1] != int32(i) {
				indexes[k].byValue[v] = append(l, int32(i))
			}
		}
	}
	return indexes, general
}

// ruleKeys lists the paths a match requires to be one of some strings: top-level literals,
// $eq and $in of strings.
func ruleKeys(ms []matcher) []indexKey {
	var keys []indexKey
	for _, m := range ms {
		if m.path.root == rootNone || m.slot >= maxSlots {
			continue
		}
		for _, t := range m.tests {
			if t.op == opEq && t.kind == litStr {
				keys = append(keys, indexKey{slot: m.slot, values: []string{t.s}})
				break
			}
			if t.op == opIn {
				if vs, ok := stringItems(t.x.set.items, m.path.root); ok {
					keys = append(keys, indexKey{slot: m.slot, values: vs})
					break
				}
			}
		}
	}
	return keys
}

// stringItems returns the strings of an $in list, if only they can match: when every item
// is a string, or the path is action or urgency, which are always strings.
func stringItems(items []literal, r root) ([]string, bool) {
	var vs []string
	for _, l := range items {
		if l.kind == litStr {
			vs = append(vs, l.s)
		} else if r != rootAction && r != rootUrgency {
			return nil, false
		}
	}
	return vs, true
}

func validChannel(ch string) bool {
	for _, k := range channelKinds {
		if rest, ok := strings.CutPrefix(ch, k); ok {
			return rest != "" && strings.IndexFunc(rest, unicode.IsSpace) < 0
		}
	}
	return false
}

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
		return value{present: true, isStr: true, s: string(cmp.Or(in.Urgency, UrgencyNormal))}
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
		return cmp.Compare(float64(Urgency(v.s).Rank()), t.f), true
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
	if f, ok := x.(float64); ok {
		return f, true
	}
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
