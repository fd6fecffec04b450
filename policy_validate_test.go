package agentgate

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

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
