package agentgate

import (
	"encoding/json"
	"time"
)

// Rule decisions.
const (
	AutoApprove  = "auto_approve"
	AutoDeny     = "auto_deny"
	RouteToHuman = "route_to_human"
)

// DefaultOWASP is the OWASP LLM Top-10 (2025) risk that gating an agent's actions mitigates.
const DefaultOWASP = "LLM06:2025 Excessive Agency"

// Policy is an ordered list of rules. Policies are tried by ascending priority; the first
// matching rule of any policy decides.
type Policy struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Priority    int       `json:"priority"`
	Enabled     bool      `json:"enabled"`
	Rules       []Rule    `json:"rules"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Rule matches requests and says what to do with them.
type Rule struct {
	// Match maps dot paths into {action, urgency, params, context} to matchers: a literal
	// (strict equality) or an object of operators. A bare key also looks in params.
	Match             map[string]json.RawMessage `json:"match"`
	Decision          string                     `json:"decision"`
	Approvers         []string                   `json:"approvers,omitempty"`
	Channels          []string                   `json:"channels,omitempty"`
	RequireReason     bool                       `json:"requireReason,omitempty"`
	RequiredApprovals int                        `json:"requiredApprovals,omitempty"`
	OWASP             string                     `json:"owasp,omitempty"`
}

// Input is what rules match against.
type Input struct {
	Action  string         `json:"action"`
	Urgency Urgency        `json:"urgency"`
	Params  map[string]any `json:"params"`
	Context map[string]any `json:"context"`
}

// Outcome is the policy engine's answer for one input, stored with the request.
type Outcome struct {
	Decision          string   `json:"decision"`
	PolicyID          string   `json:"policyId,omitempty"`
	PolicyName        string   `json:"policyName,omitempty"`
	RuleIndex         *int     `json:"ruleIndex"` // nil when no rule matched
	OWASP             string   `json:"owasp"`
	Approvers         []string `json:"approvers,omitempty"`
	Channels          []string `json:"channels,omitempty"`
	RequireReason     bool     `json:"requireReason,omitempty"`
	RequiredApprovals int      `json:"requiredApprovals,omitempty"`
	// Hold is set when a rule approved but an earlier rule that denies or routes could not
	// read the request: the request goes to people, as that earlier rule (named above, with
	// its approvers and channels) would have sent it.
	Hold *Hold `json:"hold,omitempty"`
}

// Hold explains an approval that went to people because an earlier rule could not be
// evaluated: a field it reads was missing or of a type it cannot compare.
type Hold struct {
	Reason   string  `json:"reason"`   // one sentence for people
	Key      string  `json:"key"`      // the match key the earlier rule could not read
	Problem  string  `json:"problem"`  // what was wrong with that field
	Decision string  `json:"decision"` // what the earlier rule decides when it matches
	Approval RuleRef `json:"approval"` // the rule that would have approved
}

// RuleRef names one rule of one policy.
type RuleRef struct {
	PolicyID   string `json:"policyId"`
	PolicyName string `json:"policyName"`
	RuleIndex  int    `json:"ruleIndex"`
}

// DefaultOutcome is the answer when no rule matches: a person decides.
func DefaultOutcome() Outcome {
	return Outcome{Decision: RouteToHuman, OWASP: DefaultOWASP}
}
