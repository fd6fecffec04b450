package agentgate

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/agentgate/agentgate/policy"
)

// Limits on a policy's shape.
const (
	maxPolicyName        = 200
	maxRulesPerPolicy    = 100
	maxRequiredApprovals = 20
)

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
	set   *policy.Set
	rules []compiledRule // by the set's rule numbers: every enabled policy's rules, in order
	// actions are the actions the rules name, the ones metrics label requests with.
	actions map[string]bool
}

// compiledRule is a rule ready to evaluate, with the outcome it gives.
type compiledRule struct {
	match   *policy.CompiledRule
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
	s := &PolicySet{actions: map[string]bool{}}
	var matches []*policy.CompiledRule
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
		for _, r := range rules {
			matches = append(matches, r.match)
		}
		namedActions(p.Rules, s.actions)
		s.rules = append(s.rules, rules...)
	}
	s.set = policy.NewSet(matches)
	return s, nil
}

// Reads reports whether some rule of the set looks into params, and into context, so that
// a caller may skip decoding what no rule reads.
func (s *PolicySet) Reads() (params, context bool) {
	if s == nil {
		return false, false
	}
	return s.set.Reads()
}

// Evaluate returns the outcome of the first matching rule (policies by priority, rules in
// order), or DefaultOutcome() when none matches. A rule that cannot read the request does
// not match; if it would deny or route, a later rule's approval goes to people instead, as
// that rule would have sent it (see Outcome.Hold).
func (s *PolicySet) Evaluate(in Input) Outcome {
	if s == nil {
		return DefaultOutcome()
	}
	pin := in.forEngine()
	return s.outcome(pin, s.set.Evaluate(pin))
}

// EvaluateTool is Evaluate for a tool call an MCP server asks about, which runs when no
// rule matches: that is an approval too, so a rule that could not read the call and does
// not approve holds it back, and the call goes to people as that rule would have sent it.
func (s *PolicySet) EvaluateTool(in Input) Outcome {
	if s == nil {
		return DefaultOutcome()
	}
	pin := in.forEngine()
	return s.outcome(pin, s.set.EvaluateAllowing(pin))
}

// outcome is the outcome of the set's result res for in.
func (s *PolicySet) outcome(in policy.Input, res policy.Result) Outcome {
	switch {
	case res.HeldBy >= 0:
		return s.held(in, res)
	case res.Rule < 0:
		return DefaultOutcome()
	}
	return s.rules[res.Rule].result()
}

// forEngine is in as the rule language reads it.
func (in Input) forEngine() policy.Input {
	return policy.Input{Action: in.Action, Urgency: string(in.Urgency), Params: in.Params, Context: in.Context}
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
		if _, err := parseChannel(ch); err != nil {
			return compiledRule{}, invalidPolicy(i, fmt.Sprintf("channels[%d]", j), "%v", err)
		}
	}
	m, err := policy.CompileRule(i, policy.Rule{Match: r.Match, Approves: r.Decision == AutoApprove})
	if pe, ok := errors.AsType[*policy.Error](err); ok {
		d := map[string]any{"rule": i}
		if pe.HasKey {
			d["key"] = pe.Key
		}
		return compiledRule{}, Errorf(KindInvalid, "invalid_policy", "%s", pe.Error()).WithDetails(d)
	} else if err != nil {
		return compiledRule{}, err
	}
	return compiledRule{match: m, index: i, outcome: Outcome{
		Decision: r.Decision, PolicyID: p.ID, PolicyName: p.Name, OWASP: cmp.Or(r.OWASP, DefaultOWASP),
		Approvers: r.Approvers, Channels: r.Channels, RequireReason: r.RequireReason,
		RequiredApprovals: r.RequiredApprovals,
	}}, nil
}
