package client_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
)

func rule(match, decision string) agentgate.Rule {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(match), &m); err != nil {
		panic(err)
	}
	return agentgate.Rule{Match: m, Decision: decision}
}

func TestPolicies(t *testing.T) {
	_, c := newClient(t)
	ctx := t.Context()

	p, err := c.CreatePolicy(ctx, client.PolicyInput{
		Name: "notifications", Description: "harmless", Priority: 10,
		Rules: []agentgate.Rule{rule(`{"action": "send_notification"}`, agentgate.AutoApprove)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID == "" || !p.Enabled || p.Priority != 10 || len(p.Rules) != 1 {
		t.Fatalf("created policy = %+v", p)
	}
	if got, err := c.GetPolicy(ctx, p.ID); err != nil || got.Name != "notifications" || got.Description != "harmless" {
		t.Errorf("GetPolicy = %+v, %v", got, err)
	}
	if ps, err := c.ListPolicies(ctx); err != nil || len(ps) != 1 || ps[0].ID != p.ID {
		t.Errorf("ListPolicies = %+v, %v", ps, err)
	}

	r, err := c.Request(ctx, client.RequestInput{Action: "send_notification"})
	if err != nil || r.Status != agentgate.StatusApproved || r.PolicyDecision.PolicyID != p.ID {
		t.Fatalf("request under the policy = %+v, %v", r, err)
	}
	dry, err := c.DryRunPolicy(ctx, p.ID, client.RequestInput{Action: "send_notification"})
	if err != nil || !dry.Matched || dry.Outcome.Decision != agentgate.AutoApprove {
		t.Errorf("DryRunPolicy = %+v, %v", dry, err)
	}
	sim, err := c.SimulatePolicy(ctx, client.PolicyInput{
		Name: "deny notifications", Rules: []agentgate.Rule{rule(`{"action": "send_notification"}`, agentgate.AutoDeny)},
	}, time.Time{}, time.Time{})
	if err != nil || sim.Evaluated != 1 || sim.Changed != 1 || sim.After[agentgate.AutoDeny] != 1 {
		t.Errorf("SimulatePolicy = %+v, %v", sim, err)
	}

	p, err = c.UpdatePolicy(ctx, p.ID, client.PolicyInput{Name: "notifications (off)", Disabled: true, Rules: p.Rules})
	if err != nil || p.Enabled || p.Name != "notifications (off)" {
		t.Fatalf("UpdatePolicy = %+v, %v", p, err)
	}
	if r, err := c.Request(ctx, client.RequestInput{Action: "send_notification"}); err != nil || r.Status != agentgate.StatusPending {
		t.Errorf("request under the disabled policy = %+v, %v", r, err)
	}
	if err := c.DeletePolicy(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetPolicy(ctx, p.ID); !client.IsNotFound(err) {
		t.Errorf("GetPolicy after delete: err = %v", err)
	}
	_, err = c.CreatePolicy(ctx, client.PolicyInput{Name: "bad", Rules: []agentgate.Rule{rule(`{"action": "x"}`, "maybe")}})
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 400 {
		t.Errorf("invalid policy: err = %v", err)
	}
}

func TestAudit(t *testing.T) {
	_, c := newClient(t)
	ctx := t.Context()
	r, err := c.Request(ctx, client.RequestInput{Action: "send_email"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Approve(ctx, r.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Request(ctx, client.RequestInput{Action: "deploy"}); err != nil {
		t.Fatal(err)
	}

	p, err := c.ListAudit(ctx, client.AuditOptions{Action: "send_email"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Pagination.Total != 2 || p.Entries[0].EventType != agentgate.EventRequestApproved || p.Entries[0].RequestID != r.ID {
		t.Errorf("audit for send_email = %+v", p)
	}
	p, err = c.ListAudit(ctx, client.AuditOptions{EventType: agentgate.EventRequestCreated, Actor: "admin", Limit: 1, From: r.CreatedAt.Add(-time.Minute)})
	if err != nil || len(p.Entries) != 1 || !p.Pagination.HasMore {
		t.Errorf("first created event = %+v, %v", p, err)
	}
	if actors, err := c.AuditActors(ctx); err != nil || !slices.Contains(actors, "admin") {
		t.Errorf("AuditActors = %v, %v", actors, err)
	}
	if actions, err := c.AuditActions(ctx); err != nil || !slices.Equal(actions, []string{"deploy", "send_email"}) {
		t.Errorf("AuditActions = %v, %v", actions, err)
	}
}

func TestKeys(t *testing.T) {
	srv, c := newClient(t)
	ctx := t.Context()

	k, err := c.CreateKey(ctx, client.KeyInput{Name: "ci", Scopes: []agentgate.Scope{agentgate.ScopeRequestRead}, RateLimit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if k.Key == "" || k.Name != "ci" || k.RateLimit == nil || *k.RateLimit != 1 {
		t.Fatalf("created key = %+v", k)
	}
	ci := client.New(srv.URL, k.Key)
	if _, err := ci.List(ctx, client.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = ci.List(ctx, client.ListOptions{})
	if wait, ok := client.IsRateLimited(err); !ok || wait <= 0 {
		t.Errorf("second call over a 1/min limit: err = %v, retry after %v", err, wait)
	}

	name, unlimited := "ci-pipeline", 0
	u, err := c.UpdateKey(ctx, k.ID, client.KeyUpdate{Name: &name, RateLimit: &unlimited})
	if err != nil || u.Name != "ci-pipeline" || u.RateLimit != nil {
		t.Fatalf("UpdateKey = %+v, %v", u, err)
	}
	if got, err := c.GetKey(ctx, k.ID); err != nil || got.Name != "ci-pipeline" || got.Prefix != k.Prefix {
		t.Errorf("GetKey = %+v, %v", got, err)
	}
	page, err := c.ListKeys(ctx, 10, 0)
	if err != nil || page.Pagination.Total != 2 {
		t.Errorf("ListKeys = %+v, %v", page, err)
	}
	if _, err := ci.ListKeys(ctx, 10, 0); statusOf(err) != 403 {
		t.Errorf("ListKeys without admin: err = %v, want 403", err)
	}
	if r, err := c.RevokeKey(ctx, k.ID); err != nil || r.RevokedAt == nil {
		t.Fatalf("RevokeKey = %+v, %v", r, err)
	}
	if _, err := ci.List(ctx, client.ListOptions{}); statusOf(err) != 401 {
		t.Errorf("revoked key: err = %v, want 401", err)
	}
}
