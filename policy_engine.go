package agentgate

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
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

	readsParams, readsContext bool // some rule looks into params, or into context
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
	for _, p := range s.paths {
		s.readsParams = s.readsParams || p.root == rootParams
		s.readsContext = s.readsContext || p.root == rootContext
	}
	packRules(s.rules)
	for i := range s.rules {
		s.match = append(s.match, s.rules[i].match)
	}
	s.indexes, s.general = indexRules(s.rules)
	return s, nil
}

// Reads reports whether some rule of the set looks into params, and into context, so that
// a caller may skip decoding what no rule reads.
func (s *PolicySet) Reads() (params, context bool) {
	if s == nil {
		return false, false
	}
	return s.readsParams, s.readsContext
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
	for _, f := range [...]struct{ name, text string }{{"name", p.Name}, {"description", p.Description}} {
		if !Storable(f.text) {
			return nil, invalidPolicy(-1, f.name, "%s must be UTF-8 text without NUL characters", f.name)
		}
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
	// The rules are stored as JSON (valid by now); what a database would refuse in it is
	// refused here, whichever surface the policy came from.
	if b, err := json.Marshal(p.Rules); err != nil {
		return nil, invalidPolicy(-1, "rules", "the rules cannot be written as JSON: %v", err)
	} else if what := UnstorableJSON(b); what != "" {
		return nil, invalidPolicy(-1, "rules", "the rules hold %s; text may not contain those", what)
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
