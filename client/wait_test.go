package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
	"github.com/agentgate/agentgate/internal/testserver"
	"github.com/agentgate/agentgate/internal/waittest"
)

// fast retries keep restart tests quick; the schedule itself is not under test.
var fast = client.WithRetry(client.Backoff{Min: 10 * time.Millisecond, Max: 100 * time.Millisecond})

// longPolls ask the server to hold each poll a minute, so that an answer within
// waittest.WakeWithin of a decision can only come from a wake-up.
var longPolls = client.WithPollWait(waittest.WaitTimeout)

type waited struct {
	r   *agentgate.Request
	err error
}

// waitInBackground starts WaitForDecision and returns where its answer will arrive.
func waitInBackground(ctx context.Context, c *client.Client, id string) <-chan waited {
	ch := make(chan waited, 1)
	go func() {
		r, err := c.WaitForDecision(ctx, id)
		ch <- waited{r, err}
	}()
	return ch
}

func TestWaitForDecisionWokenByDecision(t *testing.T) {
	srv := testserver.Start(t)
	agent := client.New(srv.URL, srv.Key(t, "agent", agentgate.ScopeRequestCreate, agentgate.ScopeRequestRead), longPolls)
	approver := client.New(srv.URL, srv.Key(t, "ops-lead", agentgate.ScopeRequestDecide))
	r, err := agent.Request(t.Context(), client.RequestInput{Action: "deploy"})
	if err != nil {
		t.Fatal(err)
	}

	done := waitInBackground(t.Context(), agent, r.ID)
	if id := srv.NextLongPoll(t); id != r.ID {
		t.Fatalf("long-poll for %s, want %s", id, r.ID)
	}
	if _, err := approver.Deny(t.Context(), r.ID, "not on a Friday"); err != nil {
		t.Fatal(err)
	}
	got := waittest.Answer(t, done)
	if got.err != nil || got.r.Status != agentgate.StatusDenied || got.r.DecidedBy != "ops-lead" || got.r.DecisionReason != "not on a Friday" {
		t.Fatalf("WaitForDecision = %+v, %v", got.r, got.err)
	}
}

func TestWaitForDecisionSurvivesRestart(t *testing.T) {
	srv := testserver.Start(t)
	agent := client.New(srv.URL, srv.AdminKey, fast, longPolls)
	r, err := agent.Request(t.Context(), client.RequestInput{Action: "deploy"})
	if err != nil {
		t.Fatal(err)
	}

	done := waitInBackground(t.Context(), agent, r.ID)
	srv.NextLongPoll(t)
	// The server goes away mid-wait: the long-poll's connection drops, the port refuses
	// connections until the new process listens on it.
	srv.Restart(t)
	if id := srv.NextLongPoll(t); id != r.ID {
		t.Fatalf("long-poll after restart for %s, want %s", id, r.ID)
	}
	if _, err := client.New(srv.URL, srv.AdminKey).Approve(t.Context(), r.ID, ""); err != nil {
		t.Fatal(err)
	}
	got := waittest.Answer(t, done)
	if got.err != nil || got.r.Status != agentgate.StatusApproved {
		t.Fatalf("WaitForDecision after restart = %+v, %v", got.r, got.err)
	}
}

func TestWaitForDecisionDeadline(t *testing.T) {
	_, c := newClient(t)
	r, err := c.Request(t.Context(), client.RequestInput{Action: "deploy"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	got, err := c.WaitForDecision(ctx, r.ID)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if got == nil || got.ID != r.ID || got.Status != agentgate.StatusPending {
		t.Errorf("request as last seen = %+v", got)
	}
}

func TestWaitForDecisionReturnsAtOnce(t *testing.T) {
	_, c := newClient(t)
	if _, err := c.WaitForDecision(t.Context(), "req_missing"); !client.IsNotFound(err) {
		t.Errorf("missing request: err = %v, want not found", err)
	}
	r, err := c.Request(t.Context(), client.RequestInput{Action: "deploy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Cancel(t.Context(), r.ID, ""); err != nil {
		t.Fatal(err)
	}
	got, err := c.WaitForDecision(t.Context(), r.ID)
	if err != nil || got.Status != agentgate.StatusCancelled {
		t.Errorf("decided request = %+v, %v", got, err)
	}
}

// TestWaitForDecisionRetriesOverload checks a 503 and a 429 are waited out, not returned.
func TestWaitForDecisionRetriesOverload(t *testing.T) {
	var calls atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error":"slow down","code":"rate_limited"}`))
		default:
			_, _ = w.Write([]byte(`{"id":"req_1","status":"approved"}`))
		}
	})
	got, err := client.New(startHandler(t, h), "agk_x", fast).WaitForDecision(t.Context(), "req_1")
	if err != nil || got.Status != agentgate.StatusApproved || calls.Load() != 3 {
		t.Fatalf("got %+v, %v after %d calls", got, err, calls.Load())
	}
}

func startHandler(t *testing.T, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}
