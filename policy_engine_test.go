package agentgate

import (
	"encoding/json"
	"fmt"
	"testing"
)

func jsonMap(s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic(err)
	}
	return m
}

// testPolicy builds an enabled policy from a JSON array of rules.
func testPolicy(t testing.TB, id string, priority int, rules string) Policy {
	t.Helper()
	p := Policy{ID: id, Name: "policy " + id, Priority: priority, Enabled: true}
	if err := json.Unmarshal([]byte(rules), &p.Rules); err != nil {
		t.Fatalf("rules %s: %v", rules, err)
	}
	return p
}

func compile(t testing.TB, ps ...Policy) *PolicySet {
	t.Helper()
	s, err := CompilePolicies(ps)
	if err != nil {
		t.Fatalf("CompilePolicies: %v", err)
	}
	return s
}

func TestEvaluateOrder(t *testing.T) {
	low := testPolicy(t, "b-low", 10, `[
		{"match": {"action": "deploy"}, "decision": "auto_deny"},
		{"match": {"amount": {"$gt": 100}}, "decision": "route_to_human", "approvers": ["ops@example.com"],
		 "channels": ["slack:#ops", "email:ops@example.com"], "requireReason": true, "requiredApprovals": 2}
	]`)
	high := testPolicy(t, "a-high", 1, `[
		{"match": {"action": "read_file"}, "decision": "auto_approve", "owasp": "LLM02:2025 Sensitive Information Disclosure"},
		{"match": {"action": {"$in": ["deploy", "pay"]}, "context.env": "staging"}, "decision": "auto_approve"}
	]`)
	tie := testPolicy(t, "a-tie", 10, `[{"match": {"action": "delete"}, "decision": "auto_deny"}]`)
	tieLater := testPolicy(t, "c-tie", 10, `[{"match": {"action": "delete"}, "decision": "auto_approve"}]`)
	disabled := testPolicy(t, "0-off", 0, `[{"match": {}, "decision": "auto_approve"}]`)
	disabled.Enabled = false
	s := compile(t, tieLater, low, disabled, high, tie)

	tests := []struct {
		name string
		in   Input
		want Outcome
	}{
		{"higher priority first", Input{Action: "deploy", Context: map[string]any{"env": "staging"}},
			Outcome{Decision: AutoApprove, PolicyID: "a-high", PolicyName: "policy a-high", RuleIndex: ptr(1), OWASP: DefaultOWASP}},
		{"falls through to the next policy", Input{Action: "deploy", Context: map[string]any{"env": "production"}},
			Outcome{Decision: AutoDeny, PolicyID: "b-low", PolicyName: "policy b-low", RuleIndex: ptr(0), OWASP: DefaultOWASP}},
		{"rule OWASP overrides the default", Input{Action: "read_file"},
			Outcome{Decision: AutoApprove, PolicyID: "a-high", PolicyName: "policy a-high", RuleIndex: ptr(0), OWASP: "LLM02:2025 Sensitive Information Disclosure"}},
		{"route carries the rule's people", Input{Action: "pay", Params: map[string]any{"amount": 500.0}},
			Outcome{Decision: RouteToHuman, PolicyID: "b-low", PolicyName: "policy b-low", RuleIndex: ptr(1), OWASP: DefaultOWASP,
				Approvers: []string{"ops@example.com"}, Channels: []string{"slack:#ops", "email:ops@example.com"}, RequireReason: true, RequiredApprovals: 2}},
		{"priority ties break by ID", Input{Action: "delete"},
			Outcome{Decision: AutoDeny, PolicyID: "a-tie", PolicyName: "policy a-tie", RuleIndex: ptr(0), OWASP: DefaultOWASP}},
		{"nothing matches: a person decides", Input{Action: "pay", Params: map[string]any{"amount": 5.0}}, DefaultOutcome()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Evaluate(tt.in); !sameOutcome(got, tt.want) {
				t.Errorf("Evaluate = %s, want %s", jsonString(got), jsonString(tt.want))
			}
		})
	}

	got := s.Evaluate(Input{Action: "pay", Params: map[string]any{"amount": 500.0}})
	got.Approvers[0] = "mallory"
	*got.RuleIndex = 7
	again := s.Evaluate(Input{Action: "pay", Params: map[string]any{"amount": 500.0}})
	if again.Approvers[0] != "ops@example.com" || *again.RuleIndex != 1 {
		t.Errorf("changing one outcome changed the set: %s", jsonString(again))
	}
}

// TestEvaluateInterleaves checks that rules pinned to an action and general rules are tried
// in policy and rule order.
func TestEvaluateInterleaves(t *testing.T) {
	s := compile(t,
		testPolicy(t, "1", 1, `[{"match": {"action": "a", "n": 1}, "decision": "auto_deny"}, {"match": {"n": 2}, "decision": "auto_deny"}]`),
		testPolicy(t, "2", 2, `[{"match": {"action": {"$in": ["a", "b", 7]}, "n": 3}, "decision": "auto_deny"}, {"match": {"n": {"$lte": 4}}, "decision": "auto_approve"}]`),
		testPolicy(t, "3", 3, `[{"match": {"action": {"$in": [7]}}, "decision": "auto_deny"}, {"match": {"action": "a"}, "decision": "auto_deny"}]`),
	)
	tests := []struct {
		action string
		n      float64
		policy string
		rule   int
	}{
		{"a", 1, "1", 0}, {"b", 1, "2", 1}, {"a", 2, "1", 1}, {"a", 3, "2", 0}, {"b", 3, "2", 0},
		{"c", 3, "2", 1}, {"a", 4, "2", 1}, {"a", 5, "3", 1}, {"b", 5, "", -1},
	}
	for _, tt := range tests {
		got := s.Evaluate(Input{Action: tt.action, Params: map[string]any{"n": tt.n}})
		if got.PolicyID != tt.policy || (tt.rule >= 0) != (got.RuleIndex != nil) || (got.RuleIndex != nil && *got.RuleIndex != tt.rule) {
			t.Errorf("action %s n %v: got %s, want policy %q rule %d", tt.action, tt.n, jsonString(got), tt.policy, tt.rule)
		}
	}
}

func TestEvaluateNilAndEmpty(t *testing.T) {
	var s *PolicySet
	if got := s.Evaluate(Input{Action: "send_email"}); !sameOutcome(got, DefaultOutcome()) {
		t.Errorf("nil set: %s", jsonString(got))
	}
	empty := compile(t)
	if got := empty.Evaluate(Input{Action: "send_email"}); !sameOutcome(got, DefaultOutcome()) {
		t.Errorf("empty set: %s", jsonString(got))
	}
}

func TestPolicySetReads(t *testing.T) {
	tests := []struct {
		match                string
		wantParams, wantCtxt bool
	}{
		{`{"action": "x", "urgency": "high"}`, false, false},
		{`{"to": "a"}`, true, false},
		{`{"params.to": {"$regex": "a"}}`, true, false},
		{`{"context.user": "a"}`, false, true},
		{`{"$any": [{"action": "x"}, {"$not": {"context.user.role": "admin"}}]}`, false, true},
		{`{"action": {"$in": ["a", "b"]}, "$all": [{"params.n": {"$gt": 1}}]}`, true, false},
	}
	for _, tt := range tests {
		var match map[string]json.RawMessage
		if err := json.Unmarshal([]byte(tt.match), &match); err != nil {
			t.Fatal(err)
		}
		set, err := CompilePolicies([]Policy{{ID: "p", Name: "p", Enabled: true, Rules: []Rule{{Match: match, Decision: AutoApprove}}}})
		if err != nil {
			t.Fatalf("%s: %v", tt.match, err)
		}
		if p, c := set.Reads(); p != tt.wantParams || c != tt.wantCtxt {
			t.Errorf("%s: Reads() = %t, %t; want %t, %t", tt.match, p, c, tt.wantParams, tt.wantCtxt)
		}
	}
	if p, c := (*PolicySet)(nil).Reads(); p || c {
		t.Error("a nil set reads nothing")
	}
}

func ptr(i int) *int { return &i }

func sameOutcome(a, b Outcome) bool {
	return jsonString(a) == jsonString(b)
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
