package agentgate_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

// routeRule is a policy with one routing rule for action, with the rule's extra fields.
func routeRule(t *testing.T, g *ag.Gate, action, extra string) {
	t.Helper()
	var rules []ag.Rule
	raw := fmt.Sprintf(`[{"match": {"action": %q}, "decision": "route_to_human"%s}]`, action, extra)
	if err := json.Unmarshal([]byte(raw), &rules); err != nil {
		t.Fatal(err)
	}
	if _, err := g.CreatePolicy(bg, alice, ag.Policy{Name: "route " + action, Priority: 50, Enabled: true, Rules: rules}); err != nil {
		t.Fatal(err)
	}
}

func TestCheckDeciderSaysWhyNot(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, clock *testClock) {
		routeRule(t, g, "pay", `, "approvers": ["cfo", "finance-approver"]`)
		routeRule(t, g, "deploy", `, "requiredApprovals": 2`)
		pay := submit(t, g, ag.NewRequest{Action: "pay"})
		deploy := submit(t, g, ag.NewRequest{Action: "deploy"})
		if _, err := g.Decide(bg, deploy.ID, ag.Decide{Decision: approved, Actor: alice}); err != nil {
			t.Fatal(err)
		}
		deploy, _ = g.Get(bg, deploy.ID)
		done := submit(t, g, ag.NewRequest{Action: "send"})
		if _, err := g.Decide(bg, done.ID, ag.Decide{Decision: approved, Actor: bob}); err != nil {
			t.Fatal(err)
		}
		done, _ = g.Get(bg, done.ID)
		cfo := ag.Actor{ID: "key_cfo", Name: "cfo", Type: ag.ActorAPIKey}
		for _, tc := range []struct {
			name string
			r    *ag.Request
			a    ag.Actor
			code string // "" when the actor may decide
			says string
		}{
			{"an approver the rule names", pay, cfo, "", ""},
			{"someone the rule does not name", pay, alice, "not_an_approver", "only cfo and finance-approver may decide this request"},
			{"a second voter of a quorum", deploy, bob, "", ""},
			{"the first voter again", deploy, alice, "already_voted", "you already voted approved"},
			{"a decided request", done, alice, ag.CodeAlreadyDecided, "already approved"},
		} {
			err := g.CheckDecider(tc.r, tc.a)
			if codeOf(err) != tc.code || (tc.says != "" && !strings.Contains(ag.ErrorMessage(err), tc.says)) {
				t.Errorf("%s: CheckDecider = %v (%s), want %q saying %q", tc.name, err, codeOf(err), tc.code, tc.says)
			}
		}
		clock.Advance(2 * time.Hour) // past the default expiry
		if err := g.CheckDecider(pay, cfo); ag.ErrorCode(err) != ag.CodeRequestExpired {
			t.Errorf("an expired request: %v", err)
		}
	})
}

// TestDecideEachDecidesOneByOne: every request of a batch is decided through Decide, a
// request decided meanwhile is reported as it stands and does not stop the rest.
func TestDecideEachDecidesOneByOne(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		a := submit(t, g, ag.NewRequest{Action: "send"})
		lost := submit(t, g, ag.NewRequest{Action: "send"})
		c := submit(t, g, ag.NewRequest{Action: "send"})
		if _, err := g.Decide(bg, lost.ID, ag.Decide{Decision: ag.DecisionDenied, Actor: bob}); err != nil {
			t.Fatal(err)
		}
		res, err := g.DecideEach(bg, []string{a.ID, lost.ID, c.ID, "req_missing"}, ag.Decide{Decision: approved, Reason: "batch", Actor: alice})
		if err != nil || len(res) != 4 {
			t.Fatalf("DecideEach = %d results, %v", len(res), err)
		}
		for i, want := range []string{"", ag.CodeAlreadyDecided, "", "not_found"} {
			if got := codeOf(res[i].Err); got != want {
				t.Errorf("result %d (%s): code %q, want %q", i, res[i].ID, got, want)
			}
		}
		if res[1].Request == nil || res[1].Request.Status != ag.StatusDenied || res[1].Request.DecidedBy != "bob" {
			t.Errorf("the lost race is not reported as it stands: %+v", res[1].Request)
		}
		for _, id := range []string{a.ID, c.ID} {
			if r, _ := g.Get(bg, id); r.Status != ag.StatusApproved || r.DecisionReason != "batch" || r.DecidedBy != "alice" {
				t.Errorf("%s after the batch: %s by %s (%q)", id, r.Status, r.DecidedBy, r.DecisionReason)
			}
			if trail, _ := g.RequestAudit(bg, id); len(trail) != 2 || trail[1].EventType != ag.EventRequestApproved {
				t.Errorf("%s: audit trail %+v, want created and approved", id, trail)
			}
		}
		if _, err := g.DecideEach(bg, nil, ag.Decide{Decision: approved, Actor: alice}); ag.ErrorKind(err) != ag.KindInvalid {
			t.Errorf("an empty batch: %v", err)
		}
		if _, err := g.DecideEach(bg, make([]string, ag.MaxBatch+1), ag.Decide{Decision: approved, Actor: alice}); ag.ErrorKind(err) != ag.KindInvalid {
			t.Errorf("a batch over the limit: %v", err)
		}
	})
}

// TestNextPendingSkipsWhatTheActorCannotDecide: the next request is the first pending one,
// in the queue's order, that the actor may decide.
func TestNextPendingSkipsWhatTheActorCannotDecide(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, clock *testClock) {
		routeRule(t, g, "pay", `, "approvers": ["cfo"]`)
		routeRule(t, g, "deploy", `, "requiredApprovals": 2`)
		current := submit(t, g, ag.NewRequest{Action: "send", Urgency: "critical"})
		clock.Advance(time.Second)
		submit(t, g, ag.NewRequest{Action: "pay", Urgency: "critical"}) // not alice's to decide
		clock.Advance(time.Second)
		voted := submit(t, g, ag.NewRequest{Action: "deploy", Urgency: "high"})
		if _, err := g.Decide(bg, voted.ID, ag.Decide{Decision: approved, Actor: alice}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
		next := submit(t, g, ag.NewRequest{Action: "send", Urgency: "low"})
		got, err := g.NextPending(bg, ag.RequestFilter{Sort: ag.SortUrgency}, alice, current.ID)
		if err != nil || got == nil || got.ID != next.ID {
			t.Fatalf("NextPending = %v, %v; want %s", got, err, next.ID)
		}
		if got, _ := g.NextPending(bg, ag.RequestFilter{Sort: ag.SortUrgency, Action: "pay"}, alice, ""); got != nil {
			t.Errorf("NextPending found %s where alice may decide nothing", got.ID)
		}
	})
}

func TestPrecedentCountsTheAgentsEarlierRequests(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, clock *testClock) {
		other := ag.Actor{ID: "key_other", Name: "other-agent", Type: ag.ActorAPIKey}
		mine := ag.Actor{ID: "key_mine", Name: "billing-agent", Type: ag.ActorAPIKey}
		var lastApproved string
		for i, d := range []string{approved, ag.DecisionDenied, approved, ""} {
			r, err := g.Submit(bg, mine, ag.NewRequest{Action: "pay", Params: json.RawMessage(fmt.Sprintf(`{"amount": %d}`, 100*(i+1)))})
			if err != nil {
				t.Fatal(err)
			}
			if d != "" {
				if _, err := g.Decide(bg, r.ID, ag.Decide{Decision: d, Actor: alice}); err != nil {
					t.Fatal(err)
				}
			}
			if d == approved {
				lastApproved = r.ID
			}
			clock.Advance(time.Minute)
		}
		if _, err := g.Submit(bg, other, ag.NewRequest{Action: "pay"}); err != nil { // another agent's
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		now, err := g.Submit(bg, mine, ag.NewRequest{Action: "pay", Params: json.RawMessage(`{"amount": 900}`)})
		if err != nil {
			t.Fatal(err)
		}
		p, err := g.Precedent(bg, now)
		if err != nil {
			t.Fatal(err)
		}
		if p.Similar != 4 || p.Approved != 2 || p.Denied != 1 || p.More || p.LastApproved == nil || p.LastApproved.ID != lastApproved {
			t.Errorf("precedent %+v, want 4 similar, 2 approved, 1 denied, last approved %s", p, lastApproved)
		}
	})
}

func TestRuleLikeMatchesIdentifiersOnly(t *testing.T) {
	r := &ag.Request{Action: "send_email", Params: json.RawMessage(`{"to": "ceo@example.com", "amount": 120.5,
		"env": "staging", "urgent": true, "subject": "Quarterly numbers for the board", "tags": ["a"],
		"file": "x\u202eexe", "a.b": "dotted", "invoice": "INV-2291", "version": "v2.14.0"}`)}
	got := ag.RuleLike(r)
	want := map[string]string{
		"action":        `"send_email"`,
		"params.to":     `{"$glob":"*@example.com"}`,
		"params.amount": `{"$lte": 120.5}`,
		"params.env":    `"staging"`,
		"params.urgent": `true`,
	}
	if got.Decision != ag.AutoApprove || len(got.Match) != len(want) {
		t.Errorf("RuleLike = %+v", got)
	}
	for k, v := range want {
		if string(got.Match[k]) != v {
			t.Errorf("match[%s] = %s, want %s", k, got.Match[k], v)
		}
	}
	if err := ag.ValidatePolicy(&ag.Policy{Name: "taught", Rules: []ag.Rule{got}}); err != nil {
		t.Errorf("the drafted rule is not valid: %v", err)
	}
}

// TestTeachDraftsBeforeTheRoutingPolicy: the draft sits just before the policy that routed
// the request, so earlier denials still win, and the replay counts the other requests it
// would have approved.
func TestTeachDraftsBeforeTheRoutingPolicy(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, clock *testClock) {
		routeRule(t, g, "deploy", "")
		for range 3 {
			submit(t, g, ag.NewRequest{Action: "deploy", Params: json.RawMessage(`{"env": "staging"}`)})
		}
		submit(t, g, ag.NewRequest{Action: "deploy", Params: json.RawMessage(`{"env": "production"}`)})
		clock.Advance(time.Minute)
		r := submit(t, g, ag.NewRequest{Action: "deploy", Params: json.RawMessage(`{"env": "staging"}`)})
		if _, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: alice}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		tc, err := g.Teach(bg, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tc.Draft.Priority != 49 || !tc.Draft.Enabled || len(tc.Draft.Rules) != 1 {
			t.Errorf("draft %+v: want priority 49, just before the routing policy", tc.Draft)
		}
		if tc.Others != 3 || tc.Sim.Changed != 4 {
			t.Errorf("the replay changed %d, %d besides the request: want 4 and 3", tc.Sim.Changed, tc.Others)
		}
		if ps, _ := g.Policies(bg); len(ps) != 1 {
			t.Errorf("teaching saved a policy: %d policies", len(ps))
		}
	})
}

// TestTeachReplaysTheDraftWhereItWillRun: a policy of the draft's priority that denies
// runs before the saved draft (policies of one priority run in ID order, and a new one's
// ID comes last), so the replay must run it first too, and show no approval it denies.
func TestTeachReplaysTheDraftWhereItWillRun(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, clock *testClock) {
		routeRule(t, g, "deploy", "")
		for range 3 {
			submit(t, g, ag.NewRequest{Action: "deploy", Params: json.RawMessage(`{"env": "staging"}`)})
		}
		r := submit(t, g, ag.NewRequest{Action: "deploy", Params: json.RawMessage(`{"env": "staging"}`)})
		if _, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: alice}); err != nil {
			t.Fatal(err)
		}
		var deny []ag.Rule
		if err := json.Unmarshal([]byte(`[{"match": {"action": "deploy"}, "decision": "auto_deny"}]`), &deny); err != nil {
			t.Fatal(err)
		}
		if _, err := g.CreatePolicy(bg, alice, ag.Policy{Name: "freeze", Priority: 49, Enabled: true, Rules: deny}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		tc, err := g.Teach(bg, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tc.Draft.Priority != 49 || tc.Sim.After[ag.AutoApprove] != 0 || tc.Sim.After[ag.AutoDeny] != 4 {
			t.Errorf("draft at %d, replay after %v: want priority 49 and the 4 deploys denied by the freeze that runs first",
				tc.Draft.Priority, tc.Sim.After)
		}
	})
}

// codeOf is err's code, or "" for no error.
func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return ag.ErrorCode(err)
}

// TestQueueCountsPendingUnderItsFilters: the queue's headline number is the pending
// requests that the page's other filters match, whatever status the page shows.
func TestQueueCountsPendingUnderItsFilters(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		for _, action := range []string{"pay", "pay", "pay", "deploy"} {
			submit(t, g, ag.NewRequest{Action: action})
		}
		first := submit(t, g, ag.NewRequest{Action: "pay"})
		if _, err := g.Decide(bg, first.ID, ag.Decide{Decision: ag.DecisionDenied, Actor: alice}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			f                    ag.RequestFilter
			rows, total, pending int
		}{
			{ag.RequestFilter{Status: ag.StatusDenied, Action: "pay"}, 1, 1, 3},
			{ag.RequestFilter{Status: ag.StatusDenied, Action: "deploy"}, 0, 0, 1},
			{ag.RequestFilter{Action: "pay"}, 4, 4, 3},
			{ag.RequestFilter{Status: ag.StatusPending}, 4, 4, 4},
		} {
			rows, total, pending, err := g.Queue(bg, tc.f)
			if err != nil || len(rows) != tc.rows || total != tc.total || pending != tc.pending {
				t.Errorf("%+v: %d rows, %d of %d pending, %v; want %d rows, %d of %d pending", tc.f, len(rows), pending, total, err, tc.rows, tc.pending, tc.total)
			}
		}
	})
}
