package handlers_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
)

// readWatcher is the real store that reports each GetRequest once it has read, so a test can
// tell that a long-poll has subscribed, read the request and is now waiting.
type readWatcher struct {
	*db.Store
	onRead atomic.Pointer[func(id string)]
}

func (s *readWatcher) GetRequest(ctx context.Context, id string) (*ag.Request, error) {
	r, err := s.Store.GetRequest(ctx, id)
	if f := s.onRead.Load(); f != nil {
		(*f)(id)
	}
	return r, err
}

// waiting returns a channel closed at the next read of request id.
func (s *readWatcher) waiting(id string) <-chan struct{} {
	ch := make(chan struct{})
	var once sync.Once
	f := func(got string) {
		if got == id {
			once.Do(func() { close(ch) })
		}
	}
	s.onRead.Store(&f)
	return ch
}

func TestAPIWaitReturnsOnDecision(t *testing.T) {
	var watch *readWatcher
	o := apiOptions{wrap: func(s *db.Store) ag.Store {
		watch = &readWatcher{Store: s}
		return watch
	}}
	eachAPIWith(t, o, func(t *testing.T, e *apiEnv) {
		agent, _ := e.newKey("agent", nil, ag.ScopeRequestCreate, ag.ScopeRequestRead)
		// A Go duration and whole seconds both work, however many.
		for _, wait := range []string{"30s", "30", "10000000000"} {
			r := e.submit(agent, `{"action":"deploy"}`)
			waiting := watch.waiting(r.ID)
			got := make(chan *apiResponse, 1)
			go func() { got <- e.call(http.MethodGet, "/api/requests/"+r.ID+"?wait="+wait, agent, nil) }()
			select {
			case <-waiting:
			case res := <-got:
				t.Fatalf("wait=%s returned before anyone decided: %d %s", wait, res.status, res.body)
			}
			// The waiter has read the request pending; only the decision can end it early.
			e.must(http.StatusOK, http.MethodPost, "/api/requests/"+r.ID+"/decide", e.admin, `{"decision":"denied","reason":"not today"}`, nil)
			res := <-got
			var w ag.Request
			res.want(t, http.StatusOK)
			res.decode(t, &w)
			if w.ID != r.ID || w.Status != ag.StatusDenied || w.DecidedBy != apiAdminName || w.DecisionReason != "not today" {
				t.Errorf("wait=%s returned %+v", wait, w)
			}
		}
		watch.onRead.Store(nil)

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
