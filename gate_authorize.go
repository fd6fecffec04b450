package agentgate

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Answers to an MCP server that asks whether it may call a tool.
const (
	AuthorizeAllow            = "allow"
	AuthorizeDeny             = "deny"
	AuthorizeRequiresApproval = "requires_approval"
)

// Authorization is the answer to an MCP server that asks, before calling a tool, whether it
// may: the original AgentGate MCP server's guardrail. A call no rule names is a bare allow;
// a call a rule names was stored as a request, which the answer names with its status, the
// reason and the OWASP risk the rule mitigates.
type Authorization struct {
	Decision  string `json:"decision"` // AuthorizeAllow, AuthorizeDeny or AuthorizeRequiresApproval
	Status    Status `json:"status,omitempty"`
	RequestID string `json:"requestId,omitempty"`
	Reason    string `json:"reason,omitempty"`
	OWASPRisk string `json:"owaspRisk,omitempty"`
}

// Authorize evaluates the live policies for a tool call, with the tool's name as the action,
// params as the request's params and reqCtx as its context. An MCP server asks before every
// tool call, so only the tools a rule names are gated: a call no rule names is allowed and
// nothing is stored. A call a rule names is stored by the same path as Submit, created by
// actor: approved (allow), denied (deny), or pending and announced like any other request
// (requires_approval).
func (g *Gate) Authorize(ctx context.Context, actor Actor, toolName string, params, reqCtx json.RawMessage) (*Authorization, error) {
	if strings.TrimSpace(toolName) == "" {
		return nil, errToolName("missing_field")
	}
	began := time.Now()
	now := g.clock.Now()
	in, err := NewRequest{Action: toolName, Params: params, Context: reqCtx}.Validate(now)
	if ErrorCode(err) == "invalid_action" {
		return nil, errToolName("invalid_action")
	}
	if err != nil {
		return nil, err
	}
	// The same evaluation as Submit's, so both gates answer alike for the same input, but
	// for a call no rule matches: it runs, unless a rule that could not read it holds it.
	set := g.policies.Load()
	out := set.EvaluateTool(policyInput(set, in.Action, Urgency(in.Urgency), in.Params, in.Context))
	if !gatesTool(out) {
		return &Authorization{Decision: AuthorizeAllow}, nil
	}
	r, err := g.create(ctx, actor, in, out, now, nil)
	if err != nil {
		return nil, err
	}
	g.observer.RequestCreated(set.ActionLabel(r.Action), out.Decision, time.Since(began))
	a := &Authorization{Status: r.Status, RequestID: r.ID, Reason: r.DecisionReason, OWASPRisk: out.OWASP}
	switch r.Status {
	case StatusApproved:
		a.Decision = AuthorizeAllow
	case StatusDenied:
		a.Decision = AuthorizeDeny
	default:
		a.Decision, a.Reason = AuthorizeRequiresApproval, routeReason(out)
	}
	return a, nil
}

// gatesTool reports whether the outcome gates the tool call rather than leaving it alone.
// Only the plain default (no rule matched, nothing else to say) leaves it alone: comparing
// the whole outcome, not just RuleIndex, keeps this fail-closed when the engine reports
// more, such as a rule it could not decide, which must send the call to a person.
func gatesTool(o Outcome) bool {
	return o.RuleIndex != nil || !reflect.DeepEqual(o, DefaultOutcome())
}

// routeReason says why a tool call went to people: a rule that could not be evaluated held
// it, or a rule routes it.
func routeReason(o Outcome) string {
	if o.Hold != nil && o.Hold.Reason != "" {
		return o.Hold.Reason
	}
	if o.RuleIndex == nil {
		return "a person must approve this tool call"
	}
	return "policy " + strconv.Quote(o.PolicyName) + ", rule " + strconv.Itoa(*o.RuleIndex) + " routes this tool call to a person"
}

// errToolName is an error about the toolName field, which is the request's action: the
// caller sent toolName, so the message names it rather than action.
func errToolName(code string) error {
	return Errorf(KindInvalid, code, "toolName is required: the name of the tool about to be called, 1 to %d characters with no surrounding spaces", MaxActionLen).
		WithDetails(map[string]any{"field": "toolName"})
}
