package agentgate

import (
	"testing"
)

// transferRules is the fail-closed example: deny big transfers, approve the rest.
const transferRules = `[
	{"match": {"action": "transfer", "params.amount": {"$gt": 10000}}, "decision": "auto_deny"},
	{"match": {"action": "transfer"}, "decision": "auto_approve"}
]`

// TestEvaluateHolds: an approval behind a rule that cannot read the request goes to people,
// with the reason, and with the routing of the rule that held it.
func TestEvaluateHolds(t *testing.T) {
	s := compile(t, testPolicy(t, "pol_t", 0, transferRules))
	held := func(problem string) Outcome {
		return Outcome{Decision: RouteToHuman, PolicyID: "pol_t", PolicyName: "policy pol_t", RuleIndex: ptr(0), OWASP: DefaultOWASP,
			Hold: &Hold{
				Reason: `policy "policy pol_t" rules[0] (auto_deny) could not read params.amount: ` + problem + `; rules[1]'s auto_approve goes to a person instead`,
				Key:    "params.amount", Problem: problem, Decision: AutoDeny,
				Approval: RuleRef{PolicyID: "pol_t", PolicyName: "policy pol_t", RuleIndex: 1},
			}}
	}
	denied := Outcome{Decision: AutoDeny, PolicyID: "pol_t", PolicyName: "policy pol_t", RuleIndex: ptr(0), OWASP: DefaultOWASP}
	approved := Outcome{Decision: AutoApprove, PolicyID: "pol_t", PolicyName: "policy pol_t", RuleIndex: ptr(1), OWASP: DefaultOWASP}
	tests := []struct {
		params string
		want   Outcome
	}{
		{`{"amount": 50000}`, denied},
		{`{"amount": "50000"}`, denied},
		{`{"amount": 500}`, approved},
		{`{"amount": "500"}`, approved},
		{`{"amount": [50000]}`, held("got an array, not a number")},
		{`{"amount": {"v": 50000}}`, held("got an object, not a number")},
		{`{"amount": null}`, held("got null, not a number")},
		{`{}`, held("it is missing")},
		{`{"Amount": 50000}`, held("it is missing")},
		{`{"amount": "lots"}`, held("got a string that is not a number")},
	}
	for _, tt := range tests {
		got := s.Evaluate(Input{Action: "transfer", Params: jsonMap(tt.params)})
		if !sameOutcome(got, tt.want) {
			t.Errorf("%s:\n got %s\nwant %s", tt.params, jsonString(got), jsonString(tt.want))
		}
	}
}

// TestEvaluateHoldRoutes: a held approval is decided by the people the holding rule names,
// with its quorum, so a mistyped field cannot get a request past a stricter route.
func TestEvaluateHoldRoutes(t *testing.T) {
	s := compile(t,
		testPolicy(t, "a", 1, `[{"match": {"amount": {"$gte": 10000}}, "decision": "route_to_human", "approvers": ["cfo"], "channels": ["email:cfo@example.com"], "requiredApprovals": 2, "requireReason": true, "owasp": "LLM08"}]`),
		testPolicy(t, "b", 2, `[{"match": {"amount": {"$lt": 5}}, "decision": "auto_approve"}, {"match": {"action": "pay"}, "decision": "auto_approve"}]`))
	got := s.Evaluate(Input{Action: "pay", Params: jsonMap(`{"amount": "ten thousand"}`)})
	want := Outcome{Decision: RouteToHuman, PolicyID: "a", PolicyName: "policy a", RuleIndex: ptr(0), OWASP: "LLM08",
		Approvers: []string{"cfo"}, Channels: []string{"email:cfo@example.com"}, RequireReason: true, RequiredApprovals: 2,
		Hold: &Hold{
			Reason: `policy "policy a" rules[0] (route_to_human) could not read amount: got a string that is not a number; policy "policy b" rules[1]'s auto_approve goes to a person instead`,
			Key:    "amount", Problem: "got a string that is not a number", Decision: RouteToHuman,
			Approval: RuleRef{PolicyID: "b", PolicyName: "policy b", RuleIndex: 1},
		}}
	if !sameOutcome(got, want) {
		t.Errorf("got  %s\nwant %s", jsonString(got), jsonString(want))
	}
	got.Approvers[0], got.Hold.Key = "mallory", "x"
	if again := s.Evaluate(Input{Action: "pay", Params: jsonMap(`{"amount": "ten thousand"}`)}); !sameOutcome(again, want) {
		t.Errorf("changing one outcome changed the set: %s", jsonString(again))
	}
}

func TestPolicySetUndecided(t *testing.T) {
	s := compile(t, testPolicy(t, "p", 0, `[
		{"match": {"amount": {"$lt": 5}}, "decision": "auto_approve"},
		{"match": {"action": "other"}, "decision": "auto_deny"},
		{"match": {"params.env": "prod"}, "decision": "auto_deny"},
		{"match": {"action": "pay"}, "decision": "auto_approve"},
		{"match": {"params.user": "x"}, "decision": "auto_deny"}
	]`))
	got := s.Undecided(Input{Action: "pay", Params: jsonMap(`{"amount": "lots", "env": ["prod"]}`)})
	want := []UndecidedRule{
		{RuleRef: RuleRef{PolicyID: "p", PolicyName: "policy p", RuleIndex: 0}, Decision: AutoApprove, Key: "amount", Problem: "got a string that is not a number"},
		{RuleRef: RuleRef{PolicyID: "p", PolicyName: "policy p", RuleIndex: 2}, Decision: AutoDeny, Key: "params.env", Problem: "got an array, not a string"},
	}
	if jsonString(got) != jsonString(want) {
		t.Errorf("got  %s\nwant %s", jsonString(got), jsonString(want))
	}
	if got := s.Undecided(Input{Action: "none"}); len(got) != 3 { // no rule matched: every rule was tried
		t.Errorf("no match: %s", jsonString(got))
	}
	if got := (*PolicySet)(nil).Undecided(Input{}); got == nil || len(got) != 0 {
		t.Errorf("nil set: %v", got)
	}
}
