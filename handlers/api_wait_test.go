package handlers_test

import (
	"net/http"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/internal/waittest"
)

func TestAPIWaitReturnsOnDecision(t *testing.T) {
	var waits *waittest.Store
	o := apiOptions{maxWait: waittest.WaitTimeout, wrap: func(s *db.Store) ag.Store {
		waits = waittest.NewStore(s)
		return waits
	}}
	eachAPIWith(t, o, func(t *testing.T, e *apiEnv) {
		waits.Watch(e.gate)
		agent, _ := e.newKey("agent", nil, ag.ScopeRequestCreate, ag.ScopeRequestRead)
		// A Go duration and whole seconds both work, however many (the last is clamped to
		// the maximum, a minute).
		for _, wait := range []string{"60s", "60", "10000000000"} {
			r := e.submit(agent, `{"action":"deploy"}`)
			got := make(chan *apiResponse, 1)
			go func() { got <- e.call(http.MethodGet, "/api/requests/"+r.ID+"?wait="+wait, agent, nil) }()
			select {
			case <-waits.Waiting(r.ID):
			case res := <-got:
				t.Fatalf("wait=%s returned before anyone decided: %d %s", wait, res.status, res.body)
			}
			// The waiter has read the request pending; only a wake-up can end it early.
			e.must(http.StatusOK, http.MethodPost, "/api/requests/"+r.ID+"/decide", e.admin, `{"decision":"denied","reason":"not today"}`, nil)
			res := waittest.Answer(t, got)
			var w ag.Request
			res.want(t, http.StatusOK)
			res.decode(t, &w)
			if w.ID != r.ID || w.Status != ag.StatusDenied || w.DecidedBy != apiAdminName || w.DecisionReason != "not today" {
				t.Errorf("wait=%s returned %+v", wait, w)
			}
		}

		// A short wait with nobody deciding returns the request still pending.
		p := e.submit(agent, `{"action":"deploy"}`)
		var w ag.Request
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+p.ID+"?wait=1ms", agent, nil, &w)
		if w.Status != ag.StatusPending {
			t.Errorf("wait=1ms returned %s", w.Status)
		}
		// A decided request is returned at once, however long the wait asked for.
		e.must(http.StatusOK, http.MethodPost, "/api/requests/"+p.ID+"/cancel", agent, nil, nil)
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+p.ID+"?wait=30s", agent, nil, &w)
		if w.Status != ag.StatusCancelled {
			t.Errorf("wait on a cancelled request returned %s", w.Status)
		}
	})
}

// TestAPIWaitIsClamped: a wait above the server's maximum is served, cut to the maximum.
func TestAPIWaitIsClamped(t *testing.T) {
	eachAPIWith(t, apiOptions{maxWait: time.Millisecond}, func(t *testing.T, e *apiEnv) {
		r := e.submit(e.admin, `{"action":"deploy"}`)
		for _, wait := range []string{"1h", "86400", "2562047h"} {
			var w ag.Request
			e.must(http.StatusOK, http.MethodGet, "/api/requests/"+r.ID+"?wait="+wait, e.admin, nil, &w)
			if w.Status != ag.StatusPending {
				t.Errorf("wait=%s returned %s", wait, w.Status)
			}
		}
	})
}
