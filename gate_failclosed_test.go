package agentgate_test

import (
	"encoding/json"
	"reflect"
	"testing"

	ag "github.com/agentgate/agentgate"
)

// transferBypasses are amounts that main approved before the engine failed closed, with
// the problem the stored outcome names.
var transferBypasses = []struct{ params, problem string }{
	{`{"amount": [50000]}`, "got an array, not a number"},
	{`{"amount": {"v": 50000}}`, "got an object, not a number"},
	{`{"amount": null}`, "got null, not a number"},
	{`{}`, "it is missing"},
	{`{"Amount": 50000}`, "it is missing"},
	{`{"amount": "fifty thousand"}`, "got a string that is not a number"},
}

// TestSubmitFailsClosed is the transfer example end to end: through Submit, into the store
// and back, on every database.
func TestSubmitFailsClosed(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		p := createPolicy(t, g, `[
			{"match": {"action": "transfer", "params.amount": {"$gt": 10000}}, "decision": "auto_deny"},
			{"match": {"action": "transfer"}, "decision": "auto_approve"}]`)
		for params, want := range map[string]ag.Status{
			`{"amount": 50000}`: ag.StatusDenied, `{"amount": "50000"}`: ag.StatusDenied,
			`{"amount": 500}`: ag.StatusApproved, `{"amount": "500"}`: ag.StatusApproved,
		} {
			if r := submit(t, g, ag.NewRequest{Action: "transfer", Params: json.RawMessage(params)}); r.Status != want || r.PolicyDecision.Hold != nil {
				t.Errorf("%s: %s %+v, want %s", params, r.Status, r.PolicyDecision, want)
			}
		}
		for _, b := range transferBypasses {
			r := submit(t, g, ag.NewRequest{Action: "transfer", Params: json.RawMessage(b.params)})
			o := r.PolicyDecision
			if r.Status != ag.StatusPending || o.Decision != ag.RouteToHuman || o.PolicyID != p.ID || o.RuleIndex == nil || *o.RuleIndex != 0 {
				t.Fatalf("%s: %s %+v, want pending by rule 0", b.params, r.Status, o)
			}
			want := &ag.Hold{
				Reason: `policy "p" rules[0] (auto_deny) could not read params.amount: ` + b.problem + `; rules[1]'s auto_approve goes to a person instead`,
				Key:    "params.amount", Problem: b.problem, Decision: ag.AutoDeny,
				Approval: ag.RuleRef{PolicyID: p.ID, PolicyName: "p", RuleIndex: 1},
			}
			if !reflect.DeepEqual(o.Hold, want) {
				t.Errorf("%s: hold %+v\nwant %+v", b.params, o.Hold, want)
			}
			stored, err := g.Get(bg, r.ID)
			if err != nil || !reflect.DeepEqual(stored.PolicyDecision, o) {
				t.Errorf("%s: stored %+v, %v\nwant %+v", b.params, stored.PolicyDecision, err, o)
			}
		}
		if r := submit(t, g, ag.NewRequest{Action: "delete_file"}); r.Status != ag.StatusPending || r.PolicyDecision.Hold != nil || r.PolicyDecision.RuleIndex != nil {
			t.Errorf("another action is held by the transfer rule: %+v", r.PolicyDecision)
		}
	})
}

// TestSubmitHoldKeepsRoute: a held approval goes to the people, quorum and reason rule of
// the route that could not read the request, not to anyone who may decide.
func TestSubmitHoldKeepsRoute(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		createPolicy(t, g, `[
			{"match": {"action": "transfer", "params.amount": {"$gt": 10000}}, "decision": "route_to_human", "approvers": ["alice", "bob"], "requiredApprovals": 2},
			{"match": {"action": "transfer"}, "decision": "auto_approve"}]`)
		r := submit(t, g, ag.NewRequest{Action: "transfer", Params: json.RawMessage(`{"amount": [50000]}`)})
		if r.Status != ag.StatusPending || r.RequiredApprovals != 2 || r.PolicyDecision.Hold == nil {
			t.Fatalf("held transfer: %s, %d approvals, %+v", r.Status, r.RequiredApprovals, r.PolicyDecision)
		}
		if _, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: agent}); ag.ErrorCode(err) != "not_an_approver" {
			t.Errorf("an actor the route does not name approved: %v", err)
		}
		if r, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: alice}); err != nil || r.Status != ag.StatusPending {
			t.Errorf("first of two approvals: %v %s", err, r.Status)
		}
	})
}

// TestAuthorizeFailsClosed: an MCP tool call runs when no rule matches, so a rule that
// could not read the call holds that back too: the call goes to a person, as that rule
// would have sent it, never straight to running.
func TestAuthorizeFailsClosed(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		p := createPolicy(t, g, `[{"match": {"action": "shell", "params.cmd": {"$regex": "rm -rf"}}, "decision": "auto_deny", "approvers": ["alice"]}]`)
		for _, tc := range []struct{ tool, params, want string }{
			{"shell", `{"cmd": "rm -rf /"}`, ag.AuthorizeDeny},
			{"shell", `{"cmd": "ls"}`, ag.AuthorizeAllow},
			{"other", `{"cmd": ["rm", "-rf", "/"]}`, ag.AuthorizeAllow},
			{"shell", `{"cmd": ["rm", "-rf", "/"]}`, ag.AuthorizeRequiresApproval},
			{"shell", `{}`, ag.AuthorizeRequiresApproval},
		} {
			a, err := g.Authorize(bg, agent, tc.tool, json.RawMessage(tc.params), nil)
			if err != nil || a.Decision != tc.want {
				t.Fatalf("%s %s: %+v, %v; want %s", tc.tool, tc.params, a, err, tc.want)
			}
			if tc.want != ag.AuthorizeRequiresApproval {
				continue
			}
			r, err := g.Get(bg, a.RequestID)
			if err != nil {
				t.Fatal(err)
			}
			o := r.PolicyDecision
			if r.Status != ag.StatusPending || o.Decision != ag.RouteToHuman || o.PolicyID != p.ID || !reflect.DeepEqual(o.Approvers, []string{"alice"}) ||
				o.Hold == nil || o.Hold.Decision != ag.AutoDeny || o.Hold.Key != "params.cmd" || o.Hold.Approval.RuleIndex != -1 || a.Reason != o.Hold.Reason {
				t.Errorf("%s: %s %+v, reason %q", tc.params, r.Status, o, a.Reason)
			}
		}
	})
}
