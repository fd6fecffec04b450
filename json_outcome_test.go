package agentgate

import (
	"encoding/json"
	"reflect"
	"testing"
)

// DecodeOutcome gives what json.Unmarshal gives, error or value, for any input; outcomes
// as the gate and PostgreSQL write them take the fast path.
func FuzzDecodeOutcome(f *testing.F) {
	rule := 2
	for _, o := range []Outcome{
		DefaultOutcome(),
		{Decision: AutoApprove, PolicyID: "pol_1", PolicyName: "mail <ops>", RuleIndex: &rule, OWASP: DefaultOWASP,
			Approvers: []string{"alice", "group:ops"}, Channels: []string{}, RequireReason: true, RequiredApprovals: 3},
	} {
		f.Add(o.AppendJSON(nil))
	}
	for _, s := range []string{
		`{"owasp": "LLM06:2025 Excessive Agency", "decision": "route_to_human", "ruleIndex": null}`,
		`{"decision":"x","decision":"y"}`, `{"Decision":"x"}`, `{"decision":null}`, `{"ruleIndex":1.0}`,
		`{"approvers":[],"channels":["email","slack:#ops"]}`, `{"ruleIndex":-0}`, `{"ruleIndex":0123}`, `{"requiredApprovals":99999999999999999999}`, `{"approvers":null}`,
		`{"approvers":["a\u0062"]}`, `{"channels":[1]}`, `{"requireReason":"true"}`, `{} x`, `[]`, `{"decision":"\xff"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := DecodeOutcome(b)
		var want Outcome
		wantErr := json.Unmarshal(b, &want)
		if (err == nil) != (wantErr == nil) || err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: DecodeOutcome %#v, %v; json.Unmarshal %#v, %v", b, got, err, want, wantErr)
		}
	})
}

func TestDecodeOutcomeTakesStoredOutcomesFast(t *testing.T) {
	rule := 0
	for _, b := range []string{
		string((&Outcome{Decision: AutoDeny, PolicyID: "p", PolicyName: "n", RuleIndex: &rule, OWASP: "o", Approvers: []string{"a"},
			Channels: []string{"email"}, RequireReason: true, RequiredApprovals: 2}).AppendJSON(nil)),
		`{"owasp": "LLM06:2025 Excessive Agency", "decision": "route_to_human", "ruleIndex": null}`, // PostgreSQL's jsonb
	} {
		if _, ok := decodePlainOutcome([]byte(b)); !ok {
			t.Errorf("slow path for %s", b)
		}
	}
}
