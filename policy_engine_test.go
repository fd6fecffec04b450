package agentgate

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// testInput is the request most match tests look at.
var testInput = Input{
	Action:  "send_email",
	Urgency: UrgencyHigh,
	Params: jsonMap(`{
		"to": "alice@example.com", "amount": 250, "ok": true, "nothing": null,
		"tags": ["finance", "urgent"], "items": [{"sku": "SKU-1", "qty": 2}, {"sku": "SKU-2"}],
		"meta": {"a": 1, "b": [1, 2]}, "when": "2025-03-01T10:00:00Z", "path": "/etc/passwd",
		"a.b": "flat", "urgency": "low", "action": "delete", "glob": "a*bc[x]"}`),
	Context: jsonMap(`{"user": {"role": "agent", "team": "ops"}, "env": "production"}`),
}

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
	if got := s.Evaluate(testInput); !sameOutcome(got, DefaultOutcome()) {
		t.Errorf("nil set: %s", jsonString(got))
	}
	empty := compile(t)
	if got := empty.Evaluate(testInput); !sameOutcome(got, DefaultOutcome()) {
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

func TestValidatePolicyNormalizes(t *testing.T) {
	p := Policy{Name: "  Finance  ", Description: " money\n", Rules: []Rule{{Decision: " auto_deny ", Approvers: []string{" a@b.c "}, Channels: []string{" slack:#x"}}}}
	if err := ValidatePolicy(&p); err != nil {
		t.Fatal(err)
	}
	r := p.Rules[0]
	if p.Name != "Finance" || p.Description != "money" || r.Decision != AutoDeny || r.Match == nil || r.Approvers[0] != "a@b.c" || r.Channels[0] != "slack:#x" {
		t.Errorf("not normalized: %s", jsonString(p))
	}
	empty := Policy{Name: "x"}
	if err := ValidatePolicy(&empty); err != nil || empty.Rules == nil {
		t.Errorf("empty policy: %v, rules %v", err, empty.Rules)
	}

	in := Policy{ID: "p1", Name: " n ", Enabled: true, Rules: []Rule{{Decision: " auto_approve", Channels: []string{" email:a@b"}}}}
	s, err := CompilePolicies([]Policy{in})
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != " n " || in.Rules[0].Decision != " auto_approve" || in.Rules[0].Channels[0] != " email:a@b" || in.Rules[0].Match != nil {
		t.Errorf("CompilePolicies changed its input: %s", jsonString(in))
	}
	if got := s.Evaluate(Input{Action: "x"}); got.PolicyName != "n" || got.Channels[0] != "email:a@b" {
		t.Errorf("outcome not normalized: %s", jsonString(got))
	}
}

func TestCompilePoliciesErrors(t *testing.T) {
	bad := testPolicy(t, "bad", 0, `[{"match": {}, "decision": "auto_approve"}, {"match": {"x": {"$regex": "("}}, "decision": "auto_deny"}]`)
	_, err := CompilePolicies([]Policy{bad})
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Details["policy"] != "bad" || e.Details["rule"] != 1 || !strings.Contains(e.Message, `rules[1].match["x"]: $regex: missing closing )`) {
		t.Errorf("err = %#v", err)
	}
	bad.Enabled = false
	if _, err := CompilePolicies([]Policy{bad}); err != nil {
		t.Errorf("a disabled policy is not compiled, yet: %v", err)
	}
}

func TestValidatePolicyErrors(t *testing.T) {
	rule := func(match string) string {
		return `[{"match": {}, "decision": "auto_approve"}, {"match": ` + match + `, "decision": "auto_deny"}]`
	}
	nested := `{"action": "x"}`
	for range 16 { // one past the depth limit
		nested = `{"$not": ` + nested + `}`
	}
	var many []string
	for i := range 64 + 1 { // one past the matchers limit
		many = append(many, fmt.Sprintf(`"k%d": 1`, i))
	}
	tests := []struct {
		name    string
		rules   string
		edit    func(*Policy)
		want    string
		details map[string]any
	}{
		{"missing name", `[]`, func(p *Policy) { p.Name = "  " }, "name: a policy needs a name", map[string]any{"field": "name"}},
		{"long name", `[]`, func(p *Policy) { p.Name = strings.Repeat("n", 201) }, "name: the name is 201 characters; the limit is 200", nil},
		{"too many rules", `[]`, func(p *Policy) { p.Rules = make([]Rule, 101) }, "rules: a policy may have at most 100 rules, not 101", nil},
		{"missing decision", `[{"match": {}}]`, nil, "rules[0].decision: a decision is required: auto_approve, auto_deny or route_to_human", map[string]any{"rule": 0, "field": "decision"}},
		{"bad decision", `[{"decision": "allow"}]`, nil, `rules[0].decision: "allow" is not a decision; use auto_approve, auto_deny or route_to_human`, nil},
		{"too many approvals", `[{"decision": "route_to_human", "requiredApprovals": 21}]`, nil, "rules[0].requiredApprovals: must be between 0 and 20, not 21", nil},
		{"negative approvals", `[{"decision": "route_to_human", "requiredApprovals": -1}]`, nil, "rules[0].requiredApprovals: must be between 0 and 20, not -1", nil},
		{"approvals without a route", `[{"decision": "auto_approve", "requiredApprovals": 2}]`, nil, "rules[0].requiredApprovals: only route_to_human rules", nil},
		{"empty approver", `[{"decision": "route_to_human", "approvers": ["a", " "]}]`, nil, "rules[0].approvers[1]: an approver must not be empty", map[string]any{"rule": 0, "field": "approvers[1]"}},
		{"unknown channel", `[{"decision": "route_to_human", "channels": ["sms:123"]}]`, nil, `rules[0].channels[0]: "sms:123" is not a channel; write email, slack or discord (the approvers there), or email:<address>, slack:<channel>, discord:<channel id> or webhook:<id>`, map[string]any{"rule": 0, "field": "channels[0]"}},
		{"unknown bare channel", `[{"decision": "route_to_human", "channels": ["sms"]}]`, nil, `rules[0].channels[0]: "sms" is not a channel`, nil},
		{"empty channel target", `[{"decision": "route_to_human", "channels": ["slack:"]}]`, nil, `rules[0].channels[0]: "slack:" is not a channel: the target after "slack:" must be one word, such as slack:#ops`, nil},
		{"channel with a space", `[{"decision": "route_to_human", "channels": ["email:a b"]}]`, nil, `rules[0].channels[0]: "email:a b" is not a channel`, nil},
		{"bare webhook", `[{"decision": "route_to_human", "channels": ["email", "webhook"]}]`, nil, `rules[0].channels[1]: "webhook" needs a webhook id, as webhook:<id>`, nil},
		{"kinds are lower case", `[{"decision": "route_to_human", "channels": ["Slack"]}]`, nil, `rules[0].channels[0]: "Slack" is not a channel`, nil},
		{"empty key", rule(`{"": 1}`), nil, `rules[1].match[""]: a match key must not be empty`, map[string]any{"rule": 1, "key": ""}},
		{"empty segment", rule(`{"params..to": 1}`), nil, `rules[1].match["params..to"]: "params..to" has an empty path segment`, nil},
		{"field of action", rule(`{"action.name": 1}`), nil, `rules[1].match["action.name"]: action is a string and has no fields`, nil},
		{"bad JSON", ``, func(p *Policy) {
			p.Rules = []Rule{{Decision: AutoDeny, Match: map[string]json.RawMessage{"to": json.RawMessage(`{"$eq": `)}}}
		}, `rules[0].match["to"]: cannot read the matcher: unexpected end of JSON input`, nil},
		{"mixed keys", rule(`{"amount": {"$gt": 1, "lt": 2}}`), nil, `rules[1].match["amount"]: mixes $operators with plain keys ("lt")`, map[string]any{"rule": 1, "key": "amount"}},
		{"unknown operator", rule(`{"amount": {"$gt": 1, "$between": [1, 2]}}`), nil, `rules[1].match["amount"]: unknown operator "$between"; operators are $eq,`, nil},
		{"field operator at the top", rule(`{"$regex": "x"}`), nil, `rules[1].match["$regex"]: $regex cannot stand at the top of a match`, map[string]any{"rule": 1, "key": "$regex"}},
		{"field operator in a top $not", rule(`{"$not": {"$gt": 5}}`), nil, `rules[1].match["$not"]["$gt"]: $gt cannot stand at the top of a match`, nil},
		{"$in needs an array", rule(`{"action": {"$in": "x"}}`), nil, `rules[1].match["action"]: $in: needs an array of values, not a string`, nil},
		{"$nin needs an array", rule(`{"action": {"$nin": {"a": 1}}}`), nil, `rules[1].match["action"]: $nin: needs an array of values, not an object`, nil},
		{"$lt needs a number or string", rule(`{"amount": {"$lt": true}}`), nil, `rules[1].match["amount"]: $lt: needs a number or a string, not a boolean`, nil},
		{"$gte on urgency needs an urgency", rule(`{"urgency": {"$gte": "urgent"}}`), nil, `rules[1].match["urgency"]: $gte: urgencies compare by rank; use one of low, normal, high, critical, not "urgent"`, nil},
		{"$regex syntax", rule(`{"params.to": {"$regex": "(a|b"}}`), nil, `rules[1].match["params.to"]: $regex: missing closing ) in "(a|b"`, map[string]any{"rule": 1, "key": "params.to"}},
		{"$regex too long", rule(`{"to": {"$regex": "` + strings.Repeat("a", 1025) + `"}}`), nil, `rules[1].match["to"]: $regex: the pattern is 1025 characters; the limit is 1024`, nil},
		{"$regex too complex", rule(`{"to": {"$regex": "` + strings.Repeat("a{1000}", 11) + `"}}`), nil, `rules[1].match["to"]: $regex: the pattern is too complex: it compiles to 11002 instructions and the limit is 10000`, nil},
		{"$regex needs a string", rule(`{"to": {"$regex": 5}}`), nil, `rules[1].match["to"]: $regex: needs a pattern string, not a number`, nil},
		{"$glob syntax", rule(`{"to": {"$glob": "[a-"}}`), nil, `rules[1].match["to"]: $glob: "[a-" is not a valid pattern`, nil},
		{"$glob needs a string", rule(`{"to": {"$glob": null}}`), nil, `rules[1].match["to"]: $glob: needs a pattern string, not null`, nil},
		{"$exists needs a bool", rule(`{"to": {"$exists": "yes"}}`), nil, `rules[1].match["to"]: $exists: needs true or false, not a string`, nil},
		{"$any needs an array", rule(`{"$any": {"action": "x"}}`), nil, `rules[1].match["$any"]: $any needs a non-empty array of match objects, not an object`, nil},
		{"$all needs elements", rule(`{"$all": []}`), nil, `rules[1].match["$all"]: $all needs a non-empty array of match objects, not an array`, nil},
		{"$any needs objects", rule(`{"$any": [{"action": "x"}, "y"]}`), nil, `rules[1].match["$any"][1]: $any needs match objects such as {"action": "send_email"}, not a string`, nil},
		{"$not needs an object", rule(`{"to": {"$not": ["x"]}}`), nil, `rules[1].match["to"]["$not"]: $not needs match objects such as {"action": "send_email"}, not an array`, map[string]any{"rule": 1, "key": "to"}},
		{"nested position", rule(`{"$any": [{"action": "x"}, {"params.to": {"$regex": "a)"}}]}`), nil, `rules[1].match["$any"][1]["params.to"]: $regex: unexpected ) in "a)"`, map[string]any{"rule": 1, "key": "params.to"}},
		{"nested field position", rule(`{"to": {"$not": {"$any": [{"$glob": "["}]}}}`), nil, `rules[1].match["to"]["$not"]["$any"][0]: $glob: "[" is not a valid pattern`, nil},
		{"too deep", rule(nested), nil, "matches nest deeper than 16 levels", nil},
		{"too many matchers", rule(`{` + strings.Join(many, ",") + `}`), nil, "a rule may hold at most 64 matchers", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Policy{ID: "p", Name: "p", Enabled: true}
			if tt.rules != "" {
				p = testPolicy(t, "p", 0, tt.rules)
			}
			if tt.edit != nil {
				tt.edit(&p)
			}
			err := ValidatePolicy(&p)
			e, ok := errors.AsType[*Error](err)
			if !ok {
				t.Fatalf("ValidatePolicy = %v, want an *Error", err)
			}
			if e.Kind != KindInvalid || e.Code != "invalid_policy" || !strings.Contains(e.Message, tt.want) {
				t.Errorf("got %v %q %q\nwant message containing %q", e.Kind, e.Code, e.Message, tt.want)
			}
			for k, v := range tt.details {
				if e.Details[k] != v {
					t.Errorf("details[%q] = %v, want %v (all: %v)", k, e.Details[k], v, e.Details)
				}
			}
			if _, err := CompilePolicies([]Policy{p}); err == nil || err.Error() != e.Error() {
				t.Errorf("CompilePolicies = %v, want the same error", err)
			}
		})
	}
}

func TestValidatePolicyAccepts(t *testing.T) {
	// The original's rule language, and the limits themselves, stay valid.
	nested := `{"action": "x"}`
	for range 16 - 1 { // the depth limit
		nested = `{"$not": ` + nested + `}`
	}
	ok := []string{
		nested,
		`{"action": "send_email", "amount": {"$gt": 100, "$lte": 1000}, "to": {"$regex": "@corp\\.com$"}, "env": {"$in": ["prod"]}}`,
		`{"to": {"$regex": "` + strings.Repeat("a", 1024) + `"}}`,
		`{"to": {"$regex": "` + strings.Repeat("a{1000}", 9) + `"}}`,
		`{"meta": {"nested": {"$literal": false}}}`,
		`{"params": {}, "context.user": {"role": "admin"}, "items.0": {"$exists": true}}`,
		`{"$all": [{}], "$any": [{"$not": {}}, {}], "$not": {"action": "x"}}`,
	}
	for _, m := range ok {
		p := testPolicy(t, "p", 0, `[{"match": `+m+`, "decision": "route_to_human", "requiredApprovals": 20, "approvers": ["a@b.c"], "channels": ["email:a@b.c", "slack:#ops", "discord:123", "webhook:wh_1", "email", "slack", "discord"]}]`)
		if err := ValidatePolicy(&p); err != nil {
			t.Errorf("%.80s: %v", m, err)
		}
	}
}

// Rules are stored as JSON; text PostgreSQL refuses in jsonb is refused when the policy is
// checked, whichever surface it came from.
func TestValidatePolicyRefusesUnstorableText(t *testing.T) {
	for name, r := range map[string]Rule{
		"NUL escape in a match": {Decision: AutoDeny, Match: map[string]json.RawMessage{"params.to": json.RawMessage(`"a\u0000b"`)}},
		"lone surrogate":        {Decision: AutoDeny, Match: map[string]json.RawMessage{"params.to": json.RawMessage(`{"$in": ["\ud800"]}`)}},
		"NUL in an approver":    {Decision: RouteToHuman, Approvers: []string{"a\x00b"}},
		"NUL in a match key":    {Decision: AutoDeny, Match: map[string]json.RawMessage{"params.a\x00": json.RawMessage(`1`)}},
		"NUL in an OWASP tag":   {Decision: AutoDeny, OWASP: "LLM\x0006"},
	} {
		p := Policy{Name: "p", Rules: []Rule{r}}
		if err := ValidatePolicy(&p); ErrorCode(err) != "invalid_policy" {
			t.Errorf("%s: %v, want invalid_policy", name, err)
		}
	}
	ok := Policy{Name: "p", Rules: []Rule{{Decision: AutoDeny, Match: map[string]json.RawMessage{"params.to": json.RawMessage(`"caf\u00e9 \ud83d\ude00"`)}}}}
	if err := ValidatePolicy(&ok); err != nil {
		t.Errorf("escaped text that is fine was refused: %v", err)
	}
}
