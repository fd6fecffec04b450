package views

import (
	"fmt"

	ag "github.com/agentgate/agentgate"
)

// The dry run and the simulator explain holds in the dashboard's own words, numbering rules
// from 1 as every other page does.

// holdLine says why an approval went to a person, e.g. "Rule 1 (Auto-deny) could not read
// params.amount: got a string that is not a number, so rule 2's auto-approval waits for a
// person."
func holdLine(o ag.Outcome) string {
	h := o.Hold
	if h == nil || o.RuleIndex == nil {
		return ""
	}
	if h.Approval.RuleIndex < 0 { // a tool call no rule lets through (Gate.Authorize)
		return fmt.Sprintf("Rule %d (%s) could not read %s: %s, so the tool call waits for a person instead of running.",
			*o.RuleIndex+1, DecisionLabel(h.Decision), h.Key, h.Problem)
	}
	approval := fmt.Sprintf("rule %d", h.Approval.RuleIndex+1)
	if h.Approval.PolicyID != o.PolicyID {
		approval = fmt.Sprintf("%s, rule %d", h.Approval.PolicyName, h.Approval.RuleIndex+1)
	}
	return fmt.Sprintf("Rule %d (%s) could not read %s: %s, so %s's auto-approval waits for a person.",
		*o.RuleIndex+1, DecisionLabel(h.Decision), h.Key, h.Problem, approval)
}

// undecidedLine is one rule a dry run could not evaluate.
func undecidedLine(u ag.UndecidedRule) string {
	return fmt.Sprintf("Rule %d (%s) could not read %s: %s.", u.RuleIndex+1, DecisionLabel(u.Decision), u.Key, u.Problem)
}

// heldLine counts the replayed requests a hold would send to people.
func heldLine(n int) string {
	return fmt.Sprintf("%s would go to a person because a rule could not read them", Count(n, "request"))
}
