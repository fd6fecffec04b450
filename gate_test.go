package agentgate_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/internal/waittest"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var (
	agent    = ag.Actor{Name: "agent", Type: ag.ActorAPIKey}
	alice    = ag.Actor{Name: "alice", Type: ag.ActorAPIKey}
	bob      = ag.Actor{Name: "bob", Type: ag.ActorAPIKey}
	t0       = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	bg       = context.Background()
	approved = ag.DecisionApproved
)

// eachGate runs fn with a fresh gate over every test database (SQLite, and PostgreSQL when
// AGENTGATE_TEST_POSTGRES_URL is set).
func eachGate(t *testing.T, fn func(t *testing.T, g *ag.Gate, clock *testClock)) {
	for name, store := range dbtest.Stores(t) {
		t.Run(name, func(t *testing.T) {
			clock := &testClock{t: t0}
			g := ag.NewGate(store, ag.Options{Clock: clock})
			if err := g.ReloadPolicies(bg); err != nil {
				t.Fatal(err)
			}
			fn(t, g, clock)
		})
	}
}

func submit(t *testing.T, g *ag.Gate, in ag.NewRequest) *ag.Request {
	t.Helper()
	r, err := g.Submit(bg, agent, in)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return r
}

func TestConcurrentDecisionsExactlyOneWins(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		r := submit(t, g, ag.NewRequest{Action: "deploy"})
		var wins, conflicts atomic.Int32
		var wg sync.WaitGroup
		for i := range 64 {
			wg.Go(func() {
				actor := ag.Actor{Name: "approver-" + string(rune('A'+i%26)) + string(rune('a'+i/26)), Type: ag.ActorAPIKey}
				_, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: actor})
				switch {
				case err == nil:
					wins.Add(1)
				case ag.ErrorCode(err) == "already_decided":
					conflicts.Add(1)
				default:
					t.Errorf("decide: %v", err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 || conflicts.Load() != 63 {
			t.Fatalf("wins = %d, conflicts = %d; want 1 and 63", wins.Load(), conflicts.Load())
		}
		events, err := g.RequestAudit(bg, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		decisions := 0
		for _, e := range events {
			if e.EventType == ag.EventRequestApproved {
				decisions++
			}
		}
		if decisions != 1 {
			t.Fatalf("%d approval events in the audit trail, want 1", decisions)
		}
	})
}

func TestQuorum(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, clock *testClock) {
		createPolicy(t, g, `[{"match":{"action":"transfer"},"decision":"route_to_human","requiredApprovals":2}]`)
		r := submit(t, g, ag.NewRequest{Action: "transfer"})
		if r.RequiredApprovals != 2 {
			t.Fatalf("requiredApprovals = %d", r.RequiredApprovals)
		}
		r, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: alice})
		if err != nil || r.Status != ag.StatusPending || len(r.Votes) != 1 {
			t.Fatalf("first vote: %v %s %d", err, r.Status, len(r.Votes))
		}
		if _, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: alice}); ag.ErrorCode(err) != "already_voted" {
			t.Fatalf("second vote by the same identity: %v", err)
		}
		clock.Advance(time.Minute)
		r, err = g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: bob})
		if err != nil || r.Status != ag.StatusApproved || r.DecidedBy != "bob" || len(r.Votes) != 2 {
			t.Fatalf("quorum: %v %s %q %d", err, r.Status, r.DecidedBy, len(r.Votes))
		}
		got, _ := g.Get(bg, r.ID)
		if len(got.Votes) != 2 || got.Votes[0].Voter != "alice" {
			t.Fatalf("stored votes: %+v", got.Votes)
		}
		types := eventTypes(t, g, r.ID)
		want := []string{ag.EventRequestCreated, ag.EventRequestVoted, ag.EventRequestApproved}
		if !equal(types, want) {
			t.Fatalf("audit = %v, want %v", types, want)
		}

		// One deny decides deny.
		r2 := submit(t, g, ag.NewRequest{Action: "transfer"})
		if _, err := g.Decide(bg, r2.ID, ag.Decide{Decision: approved, Actor: alice}); err != nil {
			t.Fatal(err)
		}
		r2, err = g.Decide(bg, r2.ID, ag.Decide{Decision: ag.DecisionDenied, Actor: bob, Reason: "no"})
		if err != nil || r2.Status != ag.StatusDenied {
			t.Fatalf("deny: %v %s", err, r2.Status)
		}
	})
}

func TestExpiry(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, clock *testClock) {
		soon := t0.Add(10 * time.Minute)
		a := submit(t, g, ag.NewRequest{Action: "a", ExpiresAt: &soon})
		b := submit(t, g, ag.NewRequest{Action: "b"}) // default: one hour
		if !b.ExpiresAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("default expiry = %v", b.ExpiresAt)
		}
		if n, err := g.ExpireOverdue(bg); err != nil || n != 0 {
			t.Fatalf("nothing is overdue yet: %d %v", n, err)
		}
		clock.Advance(10 * time.Minute)
		if n, err := g.ExpireOverdue(bg); err != nil || n != 1 {
			t.Fatalf("expired %d (%v), want 1", n, err)
		}
		got, _ := g.Get(bg, a.ID)
		if got.Status != ag.StatusExpired || got.DecidedBy != "system" {
			t.Fatalf("a = %s by %q", got.Status, got.DecidedBy)
		}
		if _, err := g.Decide(bg, a.ID, ag.Decide{Decision: approved, Actor: alice}); ag.ErrorCode(err) != "already_decided" {
			t.Fatalf("deciding an expired request: %v", err)
		}
		// Past expiry but before the sweeper runs: the decision is refused and expires it.
		clock.Advance(time.Hour)
		_, err := g.Decide(bg, b.ID, ag.Decide{Decision: approved, Actor: alice})
		if ag.ErrorCode(err) != "request_expired" || ag.ErrorKind(err) != ag.KindConflict {
			t.Fatalf("late decision: %v", err)
		}
		got, _ = g.Get(bg, b.ID)
		if got.Status != ag.StatusExpired {
			t.Fatalf("b = %s", got.Status)
		}
		if types := eventTypes(t, g, b.ID); !equal(types, []string{ag.EventRequestCreated, ag.EventRequestExpired}) {
			t.Fatalf("audit = %v", types)
		}
	})
}

func TestWaitIsWokenByTheDecision(t *testing.T) {
	for name, db := range dbtest.Stores(t) {
		t.Run(name, func(t *testing.T) {
			store := waittest.NewStore(db)
			g := ag.NewGate(store, ag.Options{Clock: &testClock{t: t0}, MaxWait: waittest.WaitTimeout})
			store.Watch(g)
			t.Cleanup(g.StopWaiting)
			r := submit(t, g, ag.NewRequest{Action: "deploy"})
			type waited struct {
				r   *ag.Request
				err error
			}
			got := make(chan waited, 1)
			go func() {
				w, err := g.Wait(t.Context(), r.ID, time.Hour) // clamped to MaxWait; the decision ends it
				got <- waited{w, err}
			}()
			// Once the waiter holds the request pending, only a wake-up can end its wait early.
			store.AwaitWaiting(t, r.ID)
			if _, err := g.Decide(bg, r.ID, ag.Decide{Decision: approved, Actor: alice}); err != nil {
				t.Fatal(err)
			}
			if w := waittest.Answer(t, got); w.err != nil || w.r.Status != ag.StatusApproved {
				t.Fatalf("wait returned %+v, %v", w.r, w.err)
			}
			// A wait that runs out returns the request still pending.
			p := submit(t, g, ag.NewRequest{Action: "deploy"})
			w, err := g.Wait(bg, p.ID, time.Millisecond)
			if err != nil || w.Status != ag.StatusPending {
				t.Fatalf("timed-out wait: %v %v", w, err)
			}
			// Stopping ends waits at once.
			g.StopWaiting()
			w, err = g.Wait(bg, p.ID, time.Hour)
			if err != nil || w.Status != ag.StatusPending {
				t.Fatalf("stopped wait: %v %v", w, err)
			}
		})
	}
}

func TestPolicyOutcomes(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		createPolicy(t, g, `[{"match":{"action":"read_file"},"decision":"auto_approve"},
			{"match":{"action":"rm_rf"},"decision":"auto_deny","owasp":"LLM08:2025 Vector and Embedding Weaknesses"}]`)
		ok := submit(t, g, ag.NewRequest{Action: "read_file"})
		if ok.Status != ag.StatusApproved || ok.DecidedBy != "policy" || ok.PolicyDecision.OWASP != ag.DefaultOWASP {
			t.Fatalf("auto-approve: %+v", ok)
		}
		no := submit(t, g, ag.NewRequest{Action: "rm_rf"})
		if no.Status != ag.StatusDenied || no.PolicyDecision.OWASP != "LLM08:2025 Vector and Embedding Weaknesses" {
			t.Fatalf("auto-deny: %+v", no)
		}
		if types := eventTypes(t, g, ok.ID); !equal(types, []string{ag.EventRequestApproved}) {
			t.Fatalf("audit = %v", types)
		}
		human := submit(t, g, ag.NewRequest{Action: "other"})
		if human.Status != ag.StatusPending || human.PolicyDecision.Decision != ag.RouteToHuman || human.PolicyDecision.RuleIndex != nil {
			t.Fatalf("default: %+v", human.PolicyDecision)
		}
	})
}

func TestCancelOnlyByOwner(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		r := submit(t, g, ag.NewRequest{Action: "x"})
		if _, err := g.Cancel(bg, r.ID, alice, "", false); ag.ErrorCode(err) != "not_request_owner" {
			t.Fatalf("cancel by another key: %v", err)
		}
		got, err := g.Cancel(bg, r.ID, agent, "changed my mind", false)
		if err != nil || got.Status != ag.StatusCancelled {
			t.Fatalf("cancel: %v", err)
		}
	})
}

func TestKeys(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, _ *testClock) {
		name := "ci-bot"
		k, secret, err := g.CreateKey(bg, alice, ag.KeyInput{Name: &name, Scopes: []ag.Scope{ag.ScopeRequestCreate}})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := g.Authenticate(bg, secret); err != nil || got.ID != k.ID {
			t.Fatalf("authenticate: %v", err)
		}
		if _, err := g.Authenticate(bg, secret+"x"); ag.ErrorKind(err) != ag.KindUnauthorized {
			t.Fatalf("wrong key: %v", err)
		}
		if _, err := g.RevokeKey(bg, alice, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := g.Authenticate(bg, secret); ag.ErrorKind(err) != ag.KindUnauthorized {
			t.Fatalf("revoked key still works: %v", err)
		}
		if err := g.EnsureAdminKey(bg, "short"); err == nil {
			t.Fatal("a short ADMIN_API_KEY was accepted")
		}
		if err := g.EnsureAdminKey(bg, "agk_0123456789abcdef"); err != nil {
			t.Fatal(err)
		}
		if got, err := g.Authenticate(bg, "agk_0123456789abcdef"); err != nil || !got.Has(ag.ScopePolicyWrite) {
			t.Fatalf("admin key: %v", err)
		}
	})
}

func createPolicy(t *testing.T, g *ag.Gate, rules string) *ag.Policy {
	t.Helper()
	var rs []ag.Rule
	if err := json.Unmarshal([]byte(rules), &rs); err != nil {
		t.Fatal(err)
	}
	p, err := g.CreatePolicy(bg, alice, ag.Policy{Name: "p", Enabled: true, Rules: rs})
	if err != nil {
		t.Fatalf("create policy: %v", err)
	}
	return p
}

func eventTypes(t *testing.T, g *ag.Gate, id string) []string {
	t.Helper()
	es, err := g.RequestAudit(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.EventType)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
