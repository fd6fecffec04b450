package policy

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzEvaluate compiles arbitrary rules and evaluates arbitrary inputs. Nothing may panic;
// a compile error must be an *Error naming a real rule; the indexes must not change the
// answer; and negating the first rule's match must flip its answer.
func FuzzEvaluate(f *testing.F) {
	seeds := [][2]string{
		{`[{"match": {"action": "send_email", "to": {"$regex": "@example\\.com$"}}, "decision": "auto_approve"}]`,
			`{"action": "send_email", "params": {"to": "a@example.com"}}`},
		{`[{"match": {"amount": {"$gt": 1000}}, "decision": "route_to_human", "requiredApprovals": 2, "channels": ["slack:#ops"]}, {"match": {}, "decision": "auto_deny"}]`,
			`{"action": "pay", "urgency": "high", "params": {"amount": 5000}}`},
		{`[{"match": {"$any": [{"urgency": {"$gte": "high"}}, {"context.user.role": {"$in": ["intern", "bot"]}}], "$not": {"params.items.0.sku": {"$glob": "SKU-*"}}}, "decision": "auto_deny"}]`,
			`{"action": "order", "urgency": "low", "params": {"items": [{"sku": "X-1"}]}, "context": {"user": {"role": "bot"}}}`},
		{`[{"match": {"tags": {"$contains": "prod", "$nin": [["a"]]}, "path": {"$exists": false}, "to": {"$not": {"$regex": "(?i)corp"}}}, "decision": "auto_approve", "owasp": "LLM01:2025 Prompt Injection"}]`,
			`{"action": "deploy", "params": {"tags": ["prod", "eu"], "to": "x@CORP.com"}}`},
		{`[{"match": {"when": {"$gte": "2025-01-01T00:00:00Z"}, "meta": {"a": [1, {"b": null}]}, "n": {"$ne": 5.0}}, "decision": "auto_approve"}]`,
			`{"action": "x", "params": {"when": "2026-02-03T04:05:06Z", "meta": {"a": [1, {"b": null}]}, "n": 5}}`},
		{`[{"match": {"to": {"$any": [{"$glob": "[a-z]*"}, {"action": "x"}], "$all": [{"$lt": "zzz"}]}}, "decision": "auto_deny"}]`,
			`{"action": "x", "params": {"to": "bob"}}`},
		{`[{"match": {"$not": {"$not": {"a.b": {"$in": [1, "1", true, null, [], {}]}}}}, "decision": "auto_approve"}]`,
			`{"params": {"a.b": {}}}`},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, rulesJSON, inputJSON string) {
		var rules []Rule
		if err := json.Unmarshal([]byte(rulesJSON), &rules); err != nil {
			return
		}
		var in struct {
			Action  string         `json:"action"`
			Urgency string         `json:"urgency"`
			Params  map[string]any `json:"params"`
			Context map[string]any `json:"context"`
		}
		_ = json.Unmarshal([]byte(inputJSON), &in)
		input := Input{Action: in.Action, Urgency: in.Urgency, Params: in.Params, Context: in.Context}

		set, err := Compile(rules)
		if err != nil {
			e, ok := errors.AsType[*Error](err)
			if !ok || e.Rule < 0 || e.Rule >= len(rules) {
				t.Fatalf("error %#v does not name one of %d rules", err, len(rules))
			}
			return
		}
		if len(rules) > 0 {
			checkNegation(t, rules[0], input)
		}
		got := set.Evaluate(input)
		if want := evaluateLinear(set, input); got != want {
			t.Fatalf("Evaluate = %+v, trying every rule gives %+v", got, want)
		}
		if got.Rule < -1 || got.Rule >= len(rules) || got.HeldBy >= 0 && got.HeldBy >= got.Rule {
			t.Fatalf("%+v for %d rules", got, len(rules))
		}
	})
}

// checkNegation evaluates rule alone and wrapped in $not: the answers must be opposite, or
// both undecided, and an undecided one must say why.
func checkNegation(t *testing.T, r Rule, in Input) {
	inner, err := json.Marshal(r.Match)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Compile([]Rule{r})
	if err != nil {
		t.Fatal(err)
	}
	negated, err := Compile([]Rule{{Match: map[string]json.RawMessage{"$not": inner}}})
	if err != nil {
		return // one more level or matcher may cross a limit
	}
	a, b := plain.Trace(in)[0], negated.Trace(in)[0]
	if b.Truth != not(a.Truth) {
		t.Fatalf("match %s: plain %v, negated %v", inner, a.Truth, b.Truth)
	}
	if a.Truth == Undecided && (a.Reason.Problem == "" || a.Reason != b.Reason) {
		t.Fatalf("match %s: undecided because %q, negated because %q", inner, a.Reason, b.Reason)
	}
}
