package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

// demo is what seedDemo made, for the browser test to find.
type demo struct {
	transfer string // a critical pending transfer_funds whose rule requires a reason
	deploy   string // a high pending deploy_service
	policy   string // the policy with two rules
	decided  string // an approved transfer_funds, decided by a person with a reason
	sql      string // a pending run_sql with a long statement that deletes without WHERE
	hidden   string // a pending send_file whose name hides a right-to-left override
	config   string // a pending update_config with a before/after pair, needing 2 approvals
	notYours string // a pending pay_invoice whose rule names approvers other than ops-admin
}

// longSQL is a 5 KB statement a reporting agent might send, ending in a DELETE without WHERE.
var longSQL = func() string {
	var b strings.Builder
	b.WriteString("-- nightly rollup\nWITH recent AS (\n  SELECT account_id, SUM(amount) AS total\n  FROM payments\n  WHERE created_at > now() - interval '1 day'\n  GROUP BY account_id\n)\nINSERT INTO rollups (account_id, total)\nSELECT account_id, total FROM recent\n")
	for i := 0; b.Len() < 4900; i++ {
		fmt.Fprintf(&b, "UNION ALL SELECT %d AS account_id, (SELECT SUM(amount) FROM payments WHERE account_id = %d AND status = 'settled') AS total\n", 1000+i, 1000+i)
	}
	b.WriteString(";\nDELETE FROM payments_staging;\n")
	return b.String()
}()

// seedDemo fills the database with three days of realistic traffic: policies, keys for
// agents and people, requests of every urgency, decided, expired and waiting.
func seedDemo(t testing.TB, e *webEnv) demo {
	t.Helper()
	ctx := context.Background()
	rules := func(s string) []ag.Rule {
		var rs []ag.Rule
		if err := json.Unmarshal([]byte(s), &rs); err != nil {
			t.Fatal(err)
		}
		return rs
	}
	var d demo
	e.clock.rewind(80 * time.Hour)
	for _, p := range []ag.Policy{
		{Name: "Internal email goes out", Description: "Mail to our own domain needs nobody's approval.", Priority: 10, Enabled: true,
			Rules: rules(`[{"match": {"action": "send_email", "params.to": {"$glob": "*@example.com"}}, "decision": "auto_approve"}]`)},
		{Name: "Never touch production data", Description: "Deleting anything under /prod is refused outright.", Priority: 20, Enabled: true,
			Rules: rules(`[{"match": {"action": "delete_file", "params.path": {"$regex": "^/prod/"}}, "decision": "auto_deny"}]`)},
		{Name: "Money needs a reason", Description: "Payments go to a person, who must say why.", Priority: 30, Enabled: true,
			Rules: rules(`[{"match": {"action": "transfer_funds"}, "decision": "route_to_human", "requireReason": true},
				{"match": {"action": "refund_payment", "params.amount": {"$lte": 50}}, "decision": "auto_approve"},
				{"match": {"action": "update_config"}, "decision": "route_to_human", "requiredApprovals": 2},
				{"match": {"action": "pay_invoice"}, "decision": "route_to_human", "approvers": ["finance-approver", "cfo"]}]`)},
		{Name: "Weekend deploy freeze", Description: "Switch on for holidays.", Priority: 40, Enabled: false,
			Rules: rules(`[{"match": {"action": "deploy_service"}, "decision": "auto_deny"}]`)},
	} {
		created, err := e.gate.CreatePolicy(ctx, ag.Actor{Name: "ops-admin", Type: ag.ActorAPIKey}, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Rules) > 1 {
			d.policy = created.ID
		}
	}
	rate := 120
	type usage struct {
		secret string
		uses   int
		ago    time.Duration
	}
	var used []usage
	for _, k := range []struct {
		name   string
		scopes []ag.Scope
		rate   *int
		uses   int
		ago    time.Duration
	}{
		{"billing-agent", []ag.Scope{ag.ScopeRequestCreate, ag.ScopeRequestRead}, &rate, 1284, 3 * time.Minute},
		{"deploy-bot", []ag.Scope{ag.ScopeRequestCreate}, nil, 212, 52 * time.Minute},
		{"alice", []ag.Scope{ag.ScopeRequestRead, ag.ScopeRequestDecide}, nil, 37, 2 * time.Hour},
		{"auditor", []ag.Scope{ag.ScopeAuditRead}, nil, 0, 0},
	} {
		e.clock.rewind(80 * time.Hour)
		in := ag.KeyInput{Name: &k.name, Scopes: k.scopes, RateLimit: ag.NullInt{Set: true, Value: k.rate}}
		_, secret, err := e.gate.CreateKey(ctx, ag.Actor{Name: "ops-admin", Type: ag.ActorAPIKey}, in)
		if err != nil {
			t.Fatal(err)
		}
		used = append(used, usage{secret, k.uses, k.ago})
	}
	defer func() {
		for _, u := range used {
			e.clock.rewind(u.ago)
			for range u.uses {
				if _, err := e.gate.Authenticate(ctx, u.secret); err != nil {
					t.Fatal(err)
				}
			}
		}
		e.clock.rewind(0)
		e.gate.FlushUsage(ctx)
	}()

	type step struct {
		ago      time.Duration
		agent    string
		action   string
		urgency  ag.Urgency
		params   string
		decide   string // approved, denied, or "" to leave pending
		by       string
		reason   string
		decideIn time.Duration
	}
	steps := []step{
		{70 * time.Hour, "billing-agent", "transfer_funds", ag.UrgencyHigh, `{"amount": 1250, "currency": "EUR", "to": "Acme Supplies GmbH", "invoice": "INV-2291"}`, "approved", "alice", "Matches the signed PO", 20 * time.Minute},
		{66 * time.Hour, "support-agent", "send_email", ag.UrgencyNormal, `{"to": "team@example.com", "subject": "Weekly support digest"}`, "", "", "", 0},
		{52 * time.Hour, "deploy-bot", "deploy_service", ag.UrgencyNormal, `{"service": "search-api", "version": "v3.8.1", "env": "staging"}`, "approved", "ops-admin", "", 6 * time.Minute},
		{49 * time.Hour, "cleanup-agent", "delete_file", ag.UrgencyLow, `{"path": "/prod/db/backups/2023-12.tar.gz"}`, "", "", "", 0},
		{36 * time.Hour, "data-agent", "export_report", ag.UrgencyLow, `{"report": "churn-by-region", "format": "xlsx"}`, "", "", "", 0},
		{30 * time.Hour, "support-agent", "refund_payment", ag.UrgencyNormal, `{"amount": 35, "order": "ORD-88412"}`, "", "", "", 0},
		{27 * time.Hour, "sales-agent", "send_email", ag.UrgencyNormal, `{"to": "cfo@northwind.example", "subject": "Renewal quote 2027"}`, "denied", "alice", "Pricing not approved yet", 45 * time.Minute},
		{20 * time.Hour, "cleanup-agent", "delete_file", ag.UrgencyNormal, `{"path": "/srv/tmp/export-7781.csv"}`, "approved", "alice", "", 3 * time.Minute},
		{8 * time.Hour, "billing-agent", "refund_payment", ag.UrgencyHigh, `{"amount": 420, "order": "ORD-90210", "reason": "double charge"}`, "approved", "ops-admin", "Customer charged twice", 12 * time.Minute},
		{5 * time.Hour, "data-agent", "run_sql", ag.UrgencyLow, `{"database": "analytics", "query": "VACUUM ANALYZE events"}`, "", "", "", 0},
		{3*time.Hour + 12*time.Minute, "billing-agent", "transfer_funds", ag.UrgencyCritical, `{"amount": 48500, "currency": "USD", "to": "Northwind Traders", "iban": "GB33BUKB20201555555555", "invoice": "NW-2026-114"}`, "", "", "", 0},
		{95 * time.Minute, "crm-agent", "send_email", ag.UrgencyLow, `{"to": "newsletter@list.example", "subject": "March product update", "recipients": 18400}`, "", "", "", 0},
		{52 * time.Minute, "deploy-bot", "deploy_service", ag.UrgencyHigh, `{"service": "payments-api", "version": "v2.14.0", "env": "production", "changes": 17}`, "", "", "", 0},
		{40 * time.Minute, "cleanup-agent", "delete_file", ag.UrgencyHigh, `{"path": "/srv/data/customers-2023.csv", "size": "2.1 GB"}`, "", "", "", 0},
		{25 * time.Minute, "sales-agent", "send_email", ag.UrgencyNormal, `{"to": "partners@northwind.example", "subject": "Q3 invoice and statement"}`, "", "", "", 0},
		{9 * time.Minute, "iam-agent", "rotate_credentials", ag.UrgencyCritical, `{"system": "stripe", "reason": "key seen in a public gist"}`, "", "", "", 0},
		{4 * time.Minute, "support-agent", "send_email", ag.UrgencyNormal, `{"to": "dana@example.com", "subject": "Your ticket #4471"}`, "", "", "", 0},
		{3 * time.Minute, "data-agent", "run_sql", ag.UrgencyHigh, string(mustJSON(t, map[string]any{"database": "payments", "query": longSQL})), "", "", "", 0},
		{2 * time.Minute, "files-agent", "send_file", ag.UrgencyNormal, `{"to": "payroll@acme.com\u200b.attacker.io", "file": "invoice_2026_\u202efdp.exe"}`, "", "", "", 0},
		{90 * time.Second, "config-agent", "update_config", ag.UrgencyNormal, `{"service": "payments-api", "before": {"timeout_ms": 3000, "retries": 3, "region": "eu-west-1"}, "after": {"timeout_ms": 500, "retries": 0, "region": "eu-west-1", "debug": true}}`, "", "", "", 0},
		{time.Minute, "billing-agent", "pay_invoice", ag.UrgencyLow, `{"invoice": "INV-2291", "amount": 1250, "currency": "EUR"}`, "", "", "", 0},
	}
	for _, s := range steps {
		e.clock.rewind(s.ago)
		exp := e.clock.Now().Add(72 * time.Hour)
		if s.action == "rotate_credentials" {
			exp = e.clock.Now().Add(s.ago + 11*time.Minute) // about to lapse: 11 minutes left
		}
		if s.decide == "" && s.ago > 24*time.Hour {
			exp = e.clock.Now().Add(4 * time.Hour) // these expire unanswered
		}
		r, err := e.gate.Submit(ctx, ag.Actor{Name: s.agent, Type: ag.ActorAPIKey}, ag.NewRequest{Action: s.action,
			Urgency: string(s.urgency), Params: json.RawMessage(s.params), Context: json.RawMessage(`{"conversation": "c-` + s.agent + `", "model": "gpt-agent-2"}`),
			ExpiresAt: &exp})
		if err != nil {
			t.Fatal(err)
		}
		if s.decide != "" {
			e.clock.rewind(s.ago - s.decideIn)
			if _, err := e.gate.Decide(ctx, r.ID, ag.Decide{Decision: s.decide, Reason: s.reason, Actor: ag.Actor{Name: s.by, Type: ag.ActorAPIKey}}); err != nil {
				t.Fatal(err)
			}
		}
		switch {
		case s.action == "run_sql" && s.urgency == ag.UrgencyHigh:
			d.sql = r.ID
		case s.action == "send_file":
			d.hidden = r.ID
		case s.action == "update_config":
			d.config = r.ID
		case s.action == "pay_invoice":
			d.notYours = r.ID
		case s.action == "transfer_funds" && s.decide == ag.DecisionApproved:
			d.decided = r.ID
		case s.action == "transfer_funds" && s.decide == "":
			d.transfer = r.ID
		case s.action == "deploy_service" && s.decide == "":
			d.deploy = r.ID
		}
	}
	e.clock.rewind(0)
	if _, err := e.gate.ExpireOverdue(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
