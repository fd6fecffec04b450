package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

// TestAPIConcurrentDecisions: 64 approvers decide one request at once over HTTP; exactly one
// wins, the rest are told it is already decided, and the audit holds one decision.
func TestAPIConcurrentDecisions(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		r := e.submit(e.admin, `{"action":"deploy","urgency":"critical"}`)
		secrets := make([]string, 64)
		for i := range secrets {
			secrets[i], _ = e.newKey(fmt.Sprintf("approver-%02d", i), nil, ag.ScopeRequestDecide)
		}
		start := make(chan struct{})
		results := make([]*apiResponse, len(secrets))
		var wg sync.WaitGroup
		for i, s := range secrets {
			decision := ag.DecisionApproved
			if i%2 == 1 {
				decision = ag.DecisionDenied
			}
			wg.Go(func() {
				<-start
				results[i] = e.call(http.MethodPost, "/api/requests/"+r.ID+"/decide", s, map[string]string{"decision": decision})
			})
		}
		close(start)
		wg.Wait()

		var winner *ag.Request
		conflicts := 0
		for i, res := range results {
			switch res.status {
			case http.StatusOK:
				if winner != nil {
					t.Fatalf("a second decider won: %s", res.body)
				}
				winner = new(ag.Request)
				res.decode(t, winner)
				if winner.DecidedBy != fmt.Sprintf("approver-%02d", i) {
					t.Errorf("decidedBy = %q, want the winner approver-%02d", winner.DecidedBy, i)
				}
			case http.StatusConflict:
				ae := res.wantError(t, http.StatusConflict, "already_decided")
				if ae.Details["status"] != "approved" && ae.Details["status"] != "denied" {
					t.Errorf("409 details %v", ae.Details)
				}
				conflicts++
			default:
				t.Errorf("decider %d: status %d: %s", i, res.status, res.body)
			}
		}
		if winner == nil || conflicts != 63 {
			t.Fatalf("winner %v, %d conflicts; want one winner and 63", winner != nil, conflicts)
		}
		es := e.events(r.ID)
		decisions := 0
		for _, ev := range es {
			if ev.EventType == ag.EventRequestApproved || ev.EventType == ag.EventRequestDenied {
				decisions++
				if ev.Actor != winner.DecidedBy || ev.EventType != map[ag.Status]string{ag.StatusApproved: ag.EventRequestApproved, ag.StatusDenied: ag.EventRequestDenied}[winner.Status] {
					t.Errorf("decision event %+v does not match the winner %s by %s", ev, winner.Status, winner.DecidedBy)
				}
			}
		}
		if decisions != 1 || len(es) != 2 {
			t.Fatalf("audit = %v, want created and one decision", eventTypes(es))
		}
		var got ag.Request
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+r.ID, e.admin, nil, &got)
		if got.Status != winner.Status || got.DecidedBy != winner.DecidedBy || len(got.Votes) != 1 {
			t.Errorf("stored %s by %s with %d votes; the winner got %s by %s", got.Status, got.DecidedBy, len(got.Votes), winner.Status, winner.DecidedBy)
		}
	})
}

func TestAPIQuorum(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		agent, _ := e.newKey("treasury-bot", nil, ag.ScopeRequestCreate)
		alice, _ := e.newKey("alice", nil, ag.ScopeRequestDecide, ag.ScopeRequestRead)
		bob, _ := e.newKey("bob", nil, ag.ScopeRequestDecide)
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin,
			`{"name":"four eyes","rules":[{"match":{"action":"transfer"},"decision":"route_to_human","requiredApprovals":2}]}`, nil)

		r := e.submit(agent, `{"action":"transfer","params":{"amount":5000}}`)
		if r.RequiredApprovals != 2 || r.PolicyDecision.RequiredApprovals != 2 || r.Status != ag.StatusPending {
			t.Fatalf("created = %+v", r)
		}
		decide := "/api/requests/" + r.ID + "/decide"
		var got ag.Request
		e.must(http.StatusOK, http.MethodPost, decide, alice, `{"decision":"approved","reason":"checked the invoice"}`, &got)
		if got.Status != ag.StatusPending || len(got.Votes) != 1 || got.Votes[0].Voter != "alice" || got.DecidedBy != "" {
			t.Fatalf("after one vote: %+v", got)
		}
		e.call(http.MethodPost, decide, alice, `{"decision":"approved"}`).wantError(t, http.StatusConflict, "already_voted")
		e.clock.advance(time.Minute)
		e.must(http.StatusOK, http.MethodPost, decide, bob, `{"decision":"approved"}`, &got)
		if got.Status != ag.StatusApproved || got.DecidedBy != "bob" || len(got.Votes) != 2 {
			t.Fatalf("after two votes: %+v", got)
		}
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+r.ID, alice, nil, &got)
		votes := []string{}
		for _, v := range got.Votes {
			votes = append(votes, v.Voter+":"+v.Decision+":"+v.Reason)
		}
		if want := []string{"alice:approved:checked the invoice", "bob:approved:"}; !reflect.DeepEqual(votes, want) {
			t.Errorf("votes = %v, want %v", votes, want)
		}
		es := e.events(r.ID)
		if ts := eventTypes(es); !reflect.DeepEqual(ts, []string{ag.EventRequestCreated, ag.EventRequestVoted, ag.EventRequestApproved}) {
			t.Fatalf("audit = %v", ts)
		}
		var vote map[string]any
		if json.Unmarshal(es[1].Details, &vote) != nil || es[1].Actor != "alice" || vote["approvals"] != float64(1) || vote["requiredApprovals"] != float64(2) {
			t.Errorf("vote event = %+v", es[1])
		}

		// One deny decides.
		r = e.submit(agent, `{"action":"transfer"}`)
		decide = "/api/requests/" + r.ID + "/decide"
		e.must(http.StatusOK, http.MethodPost, decide, alice, `{"decision":"approved"}`, nil)
		e.must(http.StatusOK, http.MethodPost, decide, bob, `{"decision":"denied","reason":"wrong account"}`, &got)
		if got.Status != ag.StatusDenied || got.DecidedBy != "bob" || got.DecisionReason != "wrong account" {
			t.Errorf("deny = %+v", got)
		}
	})
}

func TestAPIExpiry(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		agent, _ := e.newKey("agent", nil, ag.ScopeRequestCreate, ag.ScopeRequestRead)
		soon := e.submit(agent, `{"action":"a","expiresAt":"2026-03-02T09:40:15Z"}`)
		later := e.submit(agent, `{"action":"b"}`) // the default: an hour
		if !soon.ExpiresAt.Equal(apiT0.Add(10*time.Minute)) || !later.ExpiresAt.Equal(apiT0.Add(time.Hour)) {
			t.Fatalf("expiresAt = %v and %v", soon.ExpiresAt, later.ExpiresAt)
		}

		e.clock.advance(10 * time.Minute)
		if n, err := e.gate.ExpireOverdue(t.Context()); err != nil || n != 1 {
			t.Fatalf("expired %d (%v), want 1", n, err)
		}
		var got ag.Request
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+soon.ID, agent, nil, &got)
		if got.Status != ag.StatusExpired || got.DecidedBy != "system" || got.DecidedAt == nil || !got.DecidedAt.Equal(apiT0.Add(10*time.Minute)) {
			t.Fatalf("after the sweep: %+v", got)
		}
		es := e.events(soon.ID)
		if ts := eventTypes(es); !reflect.DeepEqual(ts, []string{ag.EventRequestCreated, ag.EventRequestExpired}) ||
			es[1].Actor != "system" || es[1].ActorType != ag.ActorSystem {
			t.Fatalf("audit = %+v", es)
		}
		ae := e.call(http.MethodPost, "/api/requests/"+soon.ID+"/decide", e.admin, `{"decision":"approved"}`).
			wantError(t, http.StatusConflict, "already_decided")
		if ae.Details["status"] != "expired" {
			t.Errorf("details %v", ae.Details)
		}

		// Overdue but not yet swept: the decision is refused as expired, and expires it.
		e.clock.advance(time.Hour)
		ae = e.call(http.MethodPost, "/api/requests/"+later.ID+"/decide", e.admin, `{"decision":"approved"}`).
			wantError(t, http.StatusConflict, "request_expired")
		if ae.Details["status"] != "expired" {
			t.Errorf("details %v", ae.Details)
		}
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+later.ID, agent, nil, &got)
		if got.Status != ag.StatusExpired {
			t.Errorf("after a late decision: %s", got.Status)
		}
		var l apiList
		e.must(http.StatusOK, http.MethodGet, "/api/audit?eventType=request.expired&actor=system", e.admin, nil, &l)
		if l.Pagination.Total != 2 {
			t.Errorf("%d expiry events by system, want 2", l.Pagination.Total)
		}
		e.must(http.StatusOK, http.MethodGet, "/api/requests?status=expired", agent, nil, &l)
		if l.Pagination.Total != 2 {
			t.Errorf("%d expired requests listed, want 2", l.Pagination.Total)
		}
	})
}
