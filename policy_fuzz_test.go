package agentgate

import (
	"encoding/json"
	"testing"
)

// FuzzEvaluate compiles arbitrary rules and evaluates arbitrary inputs. Nothing may panic;
// ValidatePolicy and CompilePolicies must agree; the indexes must not change the outcome; an
// outcome must name a real rule with that rule's decision; and negating the first rule's
// match must flip whether it matches.
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
			Urgency Urgency        `json:"urgency"`
			Params  map[string]any `json:"params"`
			Context map[string]any `json:"context"`
		}
		_ = json.Unmarshal([]byte(inputJSON), &in)
		input := Input{Action: in.Action, Urgency: in.Urgency, Params: in.Params, Context: in.Context}

		p := Policy{ID: "fuzz", Name: "fuzz", Enabled: true, Rules: rules}
		set, cerr := CompilePolicies([]Policy{p})
		verr := ValidatePolicy(&p)
		if (cerr == nil) != (verr == nil) || (cerr != nil && cerr.Error() != verr.Error()) {
			t.Fatalf("CompilePolicies: %v\nValidatePolicy: %v", cerr, verr)
		}
		if cerr != nil {
			if ErrorCode(cerr) != "invalid_policy" || ErrorKind(cerr) != KindInvalid {
				t.Fatalf("error %#v is not invalid_policy", cerr)
			}
			return
		}
		if len(p.Rules) > 0 {
			checkNegation(t, p.Rules[0], input)
		}
		out := set.Evaluate(input)
		if want := evaluateLinear(set, input); !sameOutcome(out, want) {
			t.Fatalf("Evaluate = %s, trying every rule gives %s", jsonString(out), jsonString(want))
		}
		if out.RuleIndex == nil {
			if out.Decision != RouteToHuman || out.OWASP != DefaultOWASP || out.PolicyID != "" {
				t.Fatalf("no match but outcome %+v", out)
			}
			return
		}
		i := *out.RuleIndex
		if i < 0 || i >= len(p.Rules) || out.Decision != p.Rules[i].Decision || out.PolicyID != "fuzz" {
			t.Fatalf("outcome %+v for %d rules", out, len(p.Rules))
		}
	})
}

// checkNegation evaluates rule alone and wrapped in $not; exactly one must match.
func checkNegation(t *testing.T, r Rule, in Input) {
	inner, err := json.Marshal(r.Match)
	if err != nil {
		t.Fatal(err)
	}
	neg := r
	neg.Match = map[string]json.RawMessage{"$not": inner}
	plain, err := CompilePolicies([]Policy{{Name: "p", Enabled: true, Rules: []Rule{r}}})
	if err != nil {
		t.Fatal(err)
	}
	negated, err := CompilePolicies([]Policy{{Name: "p", Enabled: true, Rules: []Rule{neg}}})
	if err != nil {
		return // one more level or matcher may cross a limit
	}
	a, b := plain.Evaluate(in).RuleIndex != nil, negated.Evaluate(in).RuleIndex != nil
	if a == b {
		t.Fatalf("match %s: plain %v, negated %v", inner, a, b)
	}
}
