package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
)

// demoPolicy is one policy `agentgate demo` needs, found by name on later runs.
type demoPolicy struct {
	name     string
	priority int
	match    string // the rule's match, JSON
	decision string
}

// demoPolicies approve, route and deny the three demo requests. Their low priorities put
// them before policies created with the default (100).
var demoPolicies = []demoPolicy{
	{"demo: email to example.com is auto-approved", 10,
		`{"action": "send_email", "params.to": {"$glob": "*@example.com"}}`, agentgate.AutoApprove},
	{"demo: urgent money transfers go to a person", 20,
		`{"action": "transfer_funds", "urgency": {"$in": ["high", "critical"]}}`, agentgate.RouteToHuman},
	{"demo: deleting a database is denied", 30,
		`{"action": "delete_database"}`, agentgate.AutoDeny},
}

// demoScenarios are the original AgentGate demo's three requests, one per decision.
var demoScenarios = []struct {
	what string
	in   client.RequestInput
}{
	{"send_email to customer@example.com", client.RequestInput{Action: "send_email", Urgency: agentgate.UrgencyNormal,
		Params:  map[string]any{"to": "customer@example.com", "subject": "Order Confirmation", "body": "Your order #12345 has been shipped!"},
		Context: map[string]any{"agent": "order-notification-bot", "orderId": "12345"}}},
	{"transfer_funds of 50,000 USD", client.RequestInput{Action: "transfer_funds", Urgency: agentgate.UrgencyHigh,
		Params:  map[string]any{"amount": 50000, "currency": "USD", "to": "external-account-999"},
		Context: map[string]any{"agent": "finance-bot", "reason": "Vendor payment"}}},
	{"delete_database production", client.RequestInput{Action: "delete_database", Urgency: agentgate.UrgencyCritical,
		Params: map[string]any{"database": "production"}}},
}

// newDemoCmd is `agentgate demo`: a first run against a live server that shows a policy
// approving, a person deciding and a policy denying.
func newDemoCmd(getenv env, io stdio) *cobra.Command {
	a := &api{getenv: getenv, io: io}
	return &cobra.Command{
		Use:   "demo",
		Short: "Show AgentGate at work on a running server: one request approved, one for a person, one denied",
		Long: "Create three demo policies (or reuse them, found by name), send the original AgentGate demo's\n" +
			"requests, print what happened to each and the dashboard link of the one a person must decide,\n" +
			"then wait for that decision (Ctrl-C stops waiting). The key needs request and policy scopes.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			ctx := cmd.Context()
			fmt.Fprintf(io.out, "AgentGate demo against %s\n\nPolicies:\n", a.c.BaseURL())
			if err := a.ensureDemoPolicies(ctx); err != nil {
				return a.explain(err)
			}
			var routed *agentgate.Request
			for i, sc := range demoScenarios {
				r, err := a.c.Request(ctx, sc.in)
				if err != nil {
					return a.explain(err)
				}
				fmt.Fprintf(io.out, "\n%d. %s (%s urgency)\n   %s\n", i+1, sc.what, r.Urgency, a.outcome(r))
				if r.Status == agentgate.StatusPending && routed == nil {
					routed = r
				}
			}
			if routed == nil {
				_, err := fmt.Fprintln(io.out, "\nNothing waits for a person: other policies decided every request.")
				return err
			}
			return a.waitForDemoDecision(ctx, routed)
		},
	}
}

// ensureDemoPolicies creates the demo policies that do not exist yet and reuses the rest.
func (a *api) ensureDemoPolicies(ctx context.Context) error {
	existing, err := a.c.ListPolicies(ctx)
	if err != nil {
		return err
	}
	names := map[string]bool{}
	for _, p := range existing {
		names[p.Name] = true
	}
	for _, p := range demoPolicies {
		verb := "reused "
		if !names[p.name] {
			var match map[string]json.RawMessage
			if err := json.Unmarshal([]byte(p.match), &match); err != nil {
				return fmt.Errorf("demo policy %q: %w", p.name, err)
			}
			in := client.PolicyInput{Name: p.name, Priority: p.priority,
				Description: "Created by agentgate demo; delete it when you are done.",
				Rules:       []agentgate.Rule{{Match: match, Decision: p.decision}}}
			if _, err := a.c.CreatePolicy(ctx, in); err != nil {
				return err
			}
			verb = "created"
		}
		fmt.Fprintf(a.io.out, "  %s  %s\n", verb, p.name)
	}
	return nil
}

// outcome says in one line what happened to a demo request.
func (a *api) outcome(r *agentgate.Request) string {
	by := "no policy matched"
	if r.PolicyDecision.PolicyName != "" {
		by = fmt.Sprintf("policy %q", r.PolicyDecision.PolicyName)
	}
	switch r.Status {
	case agentgate.StatusApproved:
		return fmt.Sprintf("approved at once by %s: the agent goes ahead.", by)
	case agentgate.StatusDenied:
		return fmt.Sprintf("denied at once by %s (%s): the agent must not.", by, r.PolicyDecision.OWASP)
	case agentgate.StatusPending:
		return fmt.Sprintf("pending (%s): a person decides at %s", by, a.dashboardURL(r.ID))
	}
	return string(r.Status)
}

func (a *api) dashboardURL(id string) string {
	return strings.TrimRight(a.c.BaseURL(), "/") + "/requests/" + id
}

// waitForDemoDecision waits until someone decides r and prints the decision; Ctrl-C ends
// the wait and leaves r pending.
func (a *api) waitForDemoDecision(ctx context.Context, r *agentgate.Request) error {
	fmt.Fprintf(a.io.out, "\nWaiting for a person to decide %s: open the link above, sign in with a key that\n"+
		"may decide (request:decide) and approve or deny it. Ctrl-C stops waiting.\n", r.Action)
	decided, err := a.c.WaitForDecision(ctx, r.ID)
	if err != nil {
		if ctx.Err() != nil {
			_, err := fmt.Fprintf(a.io.out, "\nStopped waiting; %s stays pending at %s\n", r.ID, a.dashboardURL(r.ID))
			return err
		}
		return a.explain(err)
	}
	by := ""
	if decided.Status == agentgate.StatusApproved || decided.Status == agentgate.StatusDenied {
		by = " by " + decided.DecidedBy
	}
	_, err = fmt.Fprintf(a.io.out, "\n%s was %s%s%s.\n", decided.Action, decided.Status, by, because(decided.DecisionReason))
	return err
}
