package handlers_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/internal/waittest"
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

// watchReads runs fn on every database with a stack whose store is a readWatcher.
func watchReads(t *testing.T, fn func(t *testing.T, e *apiEnv, watch *readWatcher)) {
	var watch *readWatcher
	o := apiOptions{wrap: func(s *db.Store) ag.Store {
		watch = &readWatcher{Store: s}
		return watch
	}}
	eachAPIWith(t, o, func(t *testing.T, e *apiEnv) { fn(t, e, watch) })
}

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
			for e.gate.Waiting() != 1 { // it is about to hold the wait
				runtime.Gosched()
			}
			if m := string(e.must(http.StatusOK, http.MethodGet, "/metrics", "", nil, nil).body); !strings.Contains(m, "\nagentgate_waiting_requests 1\n") {
				t.Errorf("/metrics does not count the waiting agent")
			}
			e.must(http.StatusOK, http.MethodPost, "/api/requests/"+r.ID+"/decide", e.admin, `{"decision":"denied","reason":"not today"}`, nil)
			res := waittest.Answer(t, got)
			if n := e.gate.Waiting(); n != 0 {
				t.Errorf("after the wait, %d still counted waiting", n)
			}
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

// A wake-up that changed nothing, such as another instance's notice that the request was
// created arriving after the wait began, does not end the wait: it reads the request, sees
// it pending and waits on for the decision.
func TestAPIWaitOutlastsNoticesOfNoChange(t *testing.T) {
	watchReads(t, func(t *testing.T, e *apiEnv, watch *readWatcher) {
		r := e.submit(e.admin, `{"action":"deploy"}`)
		waiting := watch.waiting(r.ID)
		got := make(chan *apiResponse, 1)
		go func() { got <- e.call(http.MethodGet, "/api/requests/"+r.ID+"?wait=30s", e.admin, nil) }()
		<-waiting
		for e.gate.Waiting() != 1 {
			runtime.Gosched()
		}
		reread := watch.waiting(r.ID)
		e.gate.Broker().Publish(r.ID)
		<-reread // the wait has looked again and found the request pending
		e.must(http.StatusOK, http.MethodPost, "/api/requests/"+r.ID+"/decide", e.admin, `{"decision":"approved"}`, nil)
		var w ag.Request
		res := <-got
		res.want(t, http.StatusOK)
		if res.decode(t, &w); w.Status != ag.StatusApproved {
			t.Errorf("the wait returned %s, want it to outlast the notice and return the decision", w.Status)
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
