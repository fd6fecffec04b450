package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

const transferRulesForm = `[{"match": {"action": "transfer", "params.amount": {"$gt": 10000}}, "decision": "auto_deny"},
	{"match": {"action": "transfer"}, "decision": "auto_approve"}]`

// TestPolicyToolsShowHolds: the dashboard's dry run and simulator say when a rule could not
// read a request, why, and what that did, numbering rules from 1 as the page does.
func TestPolicyToolsShowHolds(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	live := ag.Policy{Name: "Any transfer", Priority: 5, Enabled: true, Rules: []ag.Rule{{Match: map[string]json.RawMessage{"action": json.RawMessage(`"transfer"`)}, Decision: ag.AutoApprove}}}
	if _, err := e.gate.CreatePolicy(context.Background(), ag.SystemActor, live); err != nil {
		t.Fatal(err)
	}
	e.submit("transfer", ag.UrgencyNormal, map[string]any{"amount": "lots"})
	e.submit("transfer", ag.UrgencyNormal, map[string]any{"amount": 5})
	e.clock.advance(time.Minute)
	b := e.login(e.admin)

	// The draft goes before the live policy: the amount nobody can read would now wait.
	_, p := b.post("/policies/simulate", url.Values{"name": {"Transfers"}, "priority": {"1"}, "rules": {transferRulesForm}, "range": {"24h"}}, true)
	if got := text(p.must(t, "sim-held", 1)); got != "1 request would go to a person because a rule could not read them" {
		t.Errorf("simulator held %q", got)
	}
	if got := text(p.must(t, "sim-changes", 1)); !strings.Contains(got, "transfer Auto-approve → Ask a person") {
		t.Errorf("simulator changes %q", got)
	}
	want := "Rule 1 (Auto-deny) could not read params.amount: got a string that is not a number, so rule 2's auto-approval waits for a person."
	if got := text(p.must(t, "sim-change-hold", 1)); got != want {
		t.Errorf("simulator change\n got %q\nwant %q", got, want)
	}

	res, _ := b.post("/policies", url.Values{"name": {"Transfers"}, "priority": {"1"}, "enabled": {"true"}, "rules": {transferRulesForm}}, false)
	wantStatus(t, res, http.StatusSeeOther)
	id := strings.TrimPrefix(res.Header.Get("Location"), "/policies/")

	_, p = b.post("/policies/"+id+"/dry-run", url.Values{"action": {"transfer"}, "params": {`{"amount": "50,000"}`}}, true)
	result := text(p.must(t, "dry-run-result", 1))
	if !strings.Contains(result, "Ask a person by rule 1") {
		t.Errorf("dry run %q", result)
	}
	want = "Held for a person. Rule 1 (Auto-deny) could not read params.amount: got a string that is not a number, so rule 2's auto-approval waits for a person."
	if got := text(p.must(t, "dry-run-hold", 1)); got != want {
		t.Errorf("dry-run hold\n got %q\nwant %q", got, want)
	}
	if got := text(p.must(t, "dry-run-undecided", 1)); !strings.Contains(got, "Rule 1 (Auto-deny) could not read params.amount: got a string that is not a number.") {
		t.Errorf("dry-run undecided %q", got)
	}

	_, p = b.post("/policies/"+id+"/dry-run", url.Values{"action": {"transfer"}, "params": {`{"amount": "500"}`}}, true)
	if got := text(p.must(t, "dry-run-result", 1)); !strings.Contains(got, "Auto-approve by rule 2") {
		t.Errorf("dry run of a small amount %q", got)
	}
	p.must(t, "dry-run-hold", 0)
	p.must(t, "dry-run-undecided", 0)
}
