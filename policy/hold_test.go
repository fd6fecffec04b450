package policy

import (
	"encoding/json"
	"fmt"
	"testing"
)

// compileDecisions compiles rules written as "approve {match}" or "deny {match}" (anything
// but approve does not approve).
func compileDecisions(t testing.TB, rules ...[2]string) *Set {
	t.Helper()
	rs := make([]Rule, len(rules))
	for i, r := range rules {
		rs[i].Approves = r[0] == "approve"
		if err := json.Unmarshal([]byte(r[1]), &rs[i].Match); err != nil {
			t.Fatalf("match %s: %v", r[1], err)
		}
	}
	s, err := Compile(rs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHold is the transfer example: a rule that cannot read the amount holds back the
// approval after it, whatever form the amount comes in.
func TestHold(t *testing.T) {
	s := compileDecisions(t,
		[2]string{"deny", `{"action": "transfer", "params.amount": {"$gt": 10000}}`},
		[2]string{"approve", `{"action": "transfer"}`})
	tests := []struct {
		action, params string
		want           Result
	}{
		{"transfer", `{"amount": 50000}`, Result{Rule: 0, HeldBy: -1}},
		{"transfer", `{"amount": "50000"}`, Result{Rule: 0, HeldBy: -1}},
		{"transfer", `{"amount": "5e4"}`, Result{Rule: 0, HeldBy: -1}},
		{"transfer", `{"amount": 500}`, Result{Rule: 1, HeldBy: -1}},
		{"transfer", `{"amount": "500"}`, Result{Rule: 1, HeldBy: -1}},
		{"transfer", `{"amount": [50000]}`, Result{Rule: 1, HeldBy: 0}},
		{"transfer", `{"amount": {"v": 50000}}`, Result{Rule: 1, HeldBy: 0}},
		{"transfer", `{"amount": null}`, Result{Rule: 1, HeldBy: 0}},
		{"transfer", `{}`, Result{Rule: 1, HeldBy: 0}},
		{"transfer", `{"Amount": 50000}`, Result{Rule: 1, HeldBy: 0}},
		{"transfer", `{"amount": "50,000"}`, Result{Rule: 1, HeldBy: 0}},
		{"delete_file", `{}`, none}, // the action is definitely not transfer: nothing is held
	}
	for _, tt := range tests {
		in := Input{Action: tt.action, Params: jsonMap(tt.params)}
		if got := s.Evaluate(in); got != tt.want {
			t.Errorf("%s %s: %+v, want %+v", tt.action, tt.params, got, tt.want)
		}
	}
}

func TestHoldOrder(t *testing.T) {
	lots := Input{Action: "pay", Params: jsonMap(`{"amount": "lots"}`)}
	tests := []struct {
		name  string
		rules [][2]string
		want  Result
	}{
		{"an undecided approval does not match, nor hold", [][2]string{
			{"approve", `{"amount": {"$lt": 100}}`}, {"approve", `{}`}}, Result{Rule: 1, HeldBy: -1}},
		{"a later deny still denies", [][2]string{
			{"deny", `{"amount": {"$gt": 100}}`}, {"deny", `{"action": "pay"}`}}, Result{Rule: 1, HeldBy: -1}},
		{"a later route still routes", [][2]string{
			{"route", `{"amount": {"$gt": 100}}`}, {"route", `{}`}}, Result{Rule: 1, HeldBy: -1}},
		{"the first undecided rule that does not approve holds", [][2]string{
			{"approve", `{"amount": {"$lt": 5}}`}, {"route", `{"amount": {"$gt": 100}}`}, {"deny", `{"amount": 7}`},
			{"deny", `{"action": "other"}`}, {"approve", `{"action": "pay"}`}}, Result{Rule: 4, HeldBy: 1}},
		{"nothing matches: nothing is held", [][2]string{{"deny", `{"amount": {"$gt": 100}}`}}, none},
		{"a false rule does not hold", [][2]string{
			{"deny", `{"amount": {"$exists": false}}`}, {"approve", `{}`}}, Result{Rule: 1, HeldBy: -1}},
	}
	for _, tt := range tests {
		if got := compileDecisions(t, tt.rules...).Evaluate(lots); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// TestEvaluateAllowing: where no match lets the input through, that is held back like an
// approval; where a rule matches, the answer is Evaluate's.
func TestEvaluateAllowing(t *testing.T) {
	lots := Input{Action: "pay", Params: jsonMap(`{"amount": "lots"}`)}
	tests := []struct {
		name  string
		rules [][2]string
		want  Result
	}{
		{"nothing matches: the undecided deny holds", [][2]string{
			{"approve", `{"amount": {"$lt": 5}}`}, {"deny", `{"action": "other"}`}, {"deny", `{"amount": {"$gt": 100}}`}}, Result{Rule: -1, HeldBy: 2}},
		{"nothing matches and nothing is undecided", [][2]string{{"deny", `{"action": "other"}`}}, none},
		{"an undecided approval holds nothing", [][2]string{{"approve", `{"amount": {"$lt": 5}}`}}, none},
		{"a match is Evaluate's", [][2]string{
			{"route", `{"amount": {"$gt": 100}}`}, {"approve", `{"action": "pay"}`}}, Result{Rule: 1, HeldBy: 0}},
	}
	for _, tt := range tests {
		if got := compileDecisions(t, tt.rules...).EvaluateAllowing(lots); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if got := (*Set)(nil).EvaluateAllowing(lots); got != none {
		t.Errorf("nil set: %+v", got)
	}
}

// TestHoldThroughIndexes: the index skips a rule only when the input's value there is text
// (or a number) the rule does not want. A rule filed under a path whose value is missing or
// of another type is tried, so that it can hold.
func TestHoldThroughIndexes(t *testing.T) {
	var rules [][2]string
	for i := range 3 { // enough rules on params.env for it to be indexed
		rules = append(rules, [2]string{"deny", fmt.Sprintf(`{"params.env": {"$in": ["prod", "prod-%d"]}}`, i)})
	}
	rules = append(rules, [2]string{"approve", `{"action": "deploy"}`})
	s := compileDecisions(t, rules...)
	if len(s.indexes) == 0 || s.paths[s.indexes[0].slot].key != "params.env" {
		t.Fatalf("params.env is not indexed: %+v", s.indexes)
	}
	for params, want := range map[string]Result{
		`{"env": "prod"}`:    {Rule: 0, HeldBy: -1},
		`{"env": "prod-2"}`:  {Rule: 2, HeldBy: -1},
		`{"env": "staging"}`: {Rule: 3, HeldBy: -1},
		`{"env": 5}`:         {Rule: 3, HeldBy: -1}, // "5" is not a wanted text
		`{}`:                 {Rule: 3, HeldBy: 0},
		`{"env": ["prod"]}`:  {Rule: 3, HeldBy: 0},
		`{"env": null}`:      {Rule: 3, HeldBy: 0},
		`{"env": true}`:      {Rule: 3, HeldBy: 0},
		`{"Env": "prod"}`:    {Rule: 3, HeldBy: 0},
	} {
		in := Input{Action: "deploy", Params: jsonMap(params)}
		if got := s.Evaluate(in); got != want {
			t.Errorf("%s: %+v, want %+v", params, got, want)
		}
		if got := evaluateLinear(s, in); got != want {
			t.Errorf("%s without indexes: %+v, want %+v", params, got, want)
		}
	}
}
