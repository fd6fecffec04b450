package agentgate

import (
	"fmt"
	"testing"
)

// benchRules are two sets of 5 rules with mixed operators for policy i.
//
// typical is how teams write policies: each policy governs a family of actions, most rules
// name their actions, and the input fails a general rule at its first test.
//
// small is the last three typical policies, the size of most installations.
//
// dense is a stress case: no rule names a literal action, and the input passes the first
// test of most rules, so every rule runs two to four tests (including $regex and $any).
var benchRules = map[string]string{
	"typical": `[
		{"match": {"action": "deploy_%[1]d", "context.env": "production"}, "decision": "auto_deny"},
		{"match": {"action": {"$in": ["transfer_%[1]d", "refund_%[1]d"]}, "params.amount": {"$gt": %[2]d}}, "decision": "route_to_human", "approvers": ["finance@example.com"]},
		{"match": {"action": {"$glob": "db_%[1]d_*"}, "params.query": {"$regex": "(?i)\\bdrop\\s+table\\b"}}, "decision": "auto_deny"},
		{"match": {"context.user.role": {"$in": ["intern", "contractor"]}, "params.items.0.sku": {"$glob": "SKU-*"}}, "decision": "route_to_human"},
		{"match": {"$any": [{"action": "rotate_key_%[1]d"}, {"params.tags": {"$contains": "legal"}}], "urgency": "critical"}, "decision": "route_to_human"}
	]`,
	"dense": `[
		{"match": {"action": {"$glob": "deploy_%[1]d*"}, "context.env": "production"}, "decision": "auto_deny"},
		{"match": {"action": {"$regex": "^send_(email|sms)$"}, "params.amount": {"$gt": %[2]d}}, "decision": "route_to_human", "approvers": ["finance@example.com"]},
		{"match": {"urgency": {"$in": ["high", "critical"]}, "params.to": {"$regex": "@evil%[1]d\\.com$"}}, "decision": "auto_deny"},
		{"match": {"context.user.role": "admin", "params.items.0.sku": {"$glob": "SKU-*"}}, "decision": "auto_approve"},
		{"match": {"$any": [{"action": "rotate_key_%[1]d"}, {"params.tags": {"$contains": "legal"}}], "amount": {"$lte": 5000}}, "decision": "auto_approve"}
	]`,
}

// benchPolicies returns 100 policies of 5 rules; only the last rule of the last policy
// matches benchInput.
func benchPolicies(b *testing.B, kind string) []Policy {
	ps := make([]Policy, 0, 100)
	for i := range 100 {
		ps = append(ps, testPolicy(b, fmt.Sprint("p", i), i, fmt.Sprintf(benchRules[kind], i, 10000+1000*i)))
	}
	ps[99].Rules[4] = testPolicy(b, "last", 0, `[{"match": {
		"action": {"$in": ["send_email", "send_sms"]}, "params.to": {"$regex": "@example\\.com$"},
		"context.user.role": {"$nin": ["admin", "owner"]}, "amount": {"$lt": 1000}, "params.items.0.qty": {"$gte": 1}
	}, "decision": "route_to_human", "channels": ["slack:#ops"]}]`).Rules[0]
	return ps
}

var benchInput = Input{
	Action:  "send_email",
	Urgency: UrgencyHigh,
	Params:  jsonMap(`{"to": "alice@example.com", "amount": 250, "items": [{"sku": "X-1", "qty": 2}], "tags": ["finance"]}`),
	Context: jsonMap(`{"user": {"role": "agent", "team": "ops"}, "env": "staging"}`),
}

func BenchmarkEvaluate(b *testing.B) {
	noMatch := benchInput
	noMatch.Params = jsonMap(`{"to": "bob@other.org", "amount": 250, "items": [{"sku": "X-1", "qty": 2}], "tags": ["finance"]}`)
	for _, kind := range []string{"typical", "small", "dense"} {
		var ps []Policy
		if kind == "small" {
			ps = benchPolicies(b, "typical")[97:]
		} else {
			ps = benchPolicies(b, kind)
		}
		s := compile(b, ps...)
		if got := s.Evaluate(benchInput); got.PolicyID != "p99" || *got.RuleIndex != 4 {
			b.Fatalf("%s: the last rule did not match: %+v", kind, got)
		}
		if got := s.Evaluate(noMatch); got.RuleIndex != nil {
			b.Fatalf("%s: a rule matched: %+v", kind, got)
		}
		for _, c := range []struct {
			name string
			in   Input
		}{{"last", benchInput}, {"none", noMatch}} {
			b.Run(kind+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					s.Evaluate(c.in)
				}
			})
		}
	}
}
