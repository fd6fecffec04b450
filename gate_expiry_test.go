package agentgate_test

import (
	"fmt"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db/dbtest"
)

// A sweep expires a page of overdue requests and then the next, each exactly once.
func TestExpireOverdueInPages(t *testing.T) {
	eachGate(t, func(t *testing.T, g *ag.Gate, clock *testClock) {
		const n = 450 // more than two pages
		soon := t0.Add(time.Minute)
		for i := range n {
			submit(t, g, ag.NewRequest{Action: fmt.Sprintf("a%d", i%7), ExpiresAt: &soon})
		}
		clock.Advance(time.Minute)
		if got, err := g.ExpireOverdue(bg); err != nil || got != n {
			t.Fatalf("expired %d (%v), want %d", got, err, n)
		}
		if _, total, err := g.Audit(bg, ag.AuditFilter{EventType: ag.EventRequestExpired, Page: ag.Page{Limit: 1}}); err != nil || total != n {
			t.Errorf("%d request.expired events (%v), want %d", total, err, n)
		}
		if got, err := g.ExpireOverdue(bg); err != nil || got != 0 {
			t.Errorf("a second sweep expired %d (%v)", got, err)
		}
	})
}

// Of two instances on one PostgreSQL database, one sweeps at a time: while another holds
// the sweep, a gate's sweep skips, and the next one after it is released does the work.
func TestExpirySweepIsOneInstanceAtATime(t *testing.T) {
	url := dbtest.PostgresURL(t)
	other, mine := openInstance(t, url), openInstance(t, url)
	clock := &testClock{t: t0}
	g := ag.NewGate(mine, ag.Options{Clock: clock})
	if err := g.ReloadPolicies(bg); err != nil {
		t.Fatal(err)
	}
	soon := t0.Add(time.Minute)
	submit(t, g, ag.NewRequest{Action: "deploy", ExpiresAt: &soon})
	clock.Advance(time.Minute)

	release, ok, err := other.TryExclusive(bg, "expiry sweep")
	if !ok || err != nil {
		t.Fatalf("the other instance's sweep: %v, %v", ok, err)
	}
	if n, err := g.ExpireOverdue(bg); err != nil || n != 0 {
		t.Errorf("while another instance sweeps: expired %d (%v), want 0", n, err)
	}
	release()
	if n, err := g.ExpireOverdue(bg); err != nil || n != 1 {
		t.Errorf("after: expired %d (%v), want 1", n, err)
	}
}
