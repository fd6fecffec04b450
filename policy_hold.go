package agentgate

import (
	"strconv"

	"github.com/agentgate/agentgate/policy"
)

// held is the outcome of an approval held back by an earlier rule that could not read the
// request: the earlier rule's outcome (its people, channels and tag), routed to people, with
// a Hold that says why. With no approving rule (res.Rule < 0, from EvaluateTool), what is
// held back is a tool call no rule lets through, and Hold.Approval.RuleIndex is -1.
func (s *PolicySet) held(in policy.Input, res policy.Result) Outcome {
	by := &s.rules[res.HeldBy]
	approval := RuleRef{RuleIndex: -1}
	if res.Rule >= 0 {
		approval = s.rules[res.Rule].ref()
	}
	why, _ := s.set.Explain(in, res.HeldBy)
	out := by.result()
	out.Decision = RouteToHuman
	out.Hold = &Hold{
		Key: why.Key, Problem: why.Problem, Decision: by.outcome.Decision, Approval: approval,
	}
	out.Hold.Reason = holdReason(by.ref(), out.Hold)
	return out
}

// holdReason is a hold in one sentence, naming rules as the policy's JSON does (from 0),
// e.g. `policy "Transfers" rules[0] (auto_deny) could not read params.amount: got a string
// that is not a number; rules[1]'s auto_approve goes to a person instead`.
func holdReason(by RuleRef, h *Hold) string {
	why := ruleName(by) + " (" + h.Decision + ") could not read " + h.Key + ": " + h.Problem
	if h.Approval.RuleIndex < 0 {
		return why + "; the tool call goes to a person instead of running"
	}
	approval := "rules[" + strconv.Itoa(h.Approval.RuleIndex) + "]"
	if h.Approval.PolicyID != by.PolicyID {
		approval = ruleName(h.Approval)
	}
	return why + "; " + approval + "'s " + AutoApprove + " goes to a person instead"
}

// ruleName names a rule: policy "Transfers" rules[0].
func ruleName(r RuleRef) string {
	return "policy " + strconv.Quote(r.PolicyName) + " rules[" + strconv.Itoa(r.RuleIndex) + "]"
}

// ref names the rule.
func (r *compiledRule) ref() RuleRef {
	return RuleRef{PolicyID: r.outcome.PolicyID, PolicyName: r.outcome.PolicyName, RuleIndex: r.index}
}

// UndecidedRule is a rule that could not read a request, and why.
type UndecidedRule struct {
	RuleRef
	Decision string `json:"decision"` // what it decides when it matches
	Key      string `json:"key"`      // the match key it could not read
	Problem  string `json:"problem"`  // what was wrong with that field
}

// Undecided lists, in evaluation order, the rules of s that could not read in among those
// tried before the answer: every rule before the one that matched (for a held approval, the
// approving one), or every rule when none matched.
func (s *PolicySet) Undecided(in Input) []UndecidedRule {
	if s == nil {
		return []UndecidedRule{}
	}
	out := []UndecidedRule{}
	for i, v := range s.set.Trace(in.forEngine()) {
		switch v.Truth {
		case policy.True: // the rule that matched: Evaluate's answer
			return out
		case policy.Undecided:
			r := &s.rules[i]
			out = append(out, UndecidedRule{RuleRef: r.ref(), Decision: r.outcome.Decision, Key: v.Reason.Key, Problem: v.Reason.Problem})
		}
	}
	return out
}
