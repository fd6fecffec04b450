package client_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
	"github.com/agentgate/agentgate/internal/testserver"
)

// newClient starts a server and returns it with an admin client.
func newClient(t *testing.T) (*testserver.Server, *client.Client) {
	t.Helper()
	srv := testserver.Start(t)
	return srv, client.New(srv.URL, srv.AdminKey)
}

func TestRequestGetDecide(t *testing.T) {
	_, c := newClient(t)
	ctx := t.Context()

	r, err := c.Request(ctx, client.RequestInput{
		Action: "send_email",
		Params: map[string]any{"to": "ana@example.com", "subject": "Invoice"},
		Context: struct {
			Reason string `json:"reason"`
		}{"customer asked"},
		Urgency: agentgate.UrgencyHigh,
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != agentgate.StatusPending || r.Action != "send_email" || r.Urgency != agentgate.UrgencyHigh || r.CreatedBy != "admin" {
		t.Fatalf("created request = %+v", r)
	}
	if string(r.Params) != `{"subject":"Invoice","to":"ana@example.com"}` || string(r.Context) != `{"reason":"customer asked"}` {
		t.Errorf("params, context = %s, %s", r.Params, r.Context)
	}

	got, err := c.Get(ctx, r.ID)
	if err != nil || got.ID != r.ID || got.Status != agentgate.StatusPending {
		t.Fatalf("Get = %+v, %v", got, err)
	}

	decided, err := c.Approve(ctx, r.ID, "looks right")
	if err != nil {
		t.Fatal(err)
	}
	if decided.Status != agentgate.StatusApproved || decided.DecidedBy != "admin" || decided.DecisionReason != "looks right" {
		t.Errorf("approved request = %+v", decided)
	}

	_, err = c.Deny(ctx, r.ID, "too late")
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || !client.IsConflict(err) {
		t.Fatalf("second decision: err = %v, want a 409 *client.Error", err)
	}
	if apiErr.Code != "already_decided" || apiErr.Status != http.StatusConflict || apiErr.Details["status"] != "approved" || apiErr.RequestID == "" {
		t.Errorf("error = %+v", apiErr)
	}
	if want := "request " + r.ID + " is already approved (already_decided)"; err.Error() != want {
		t.Errorf("err.Error() = %q, want %q", err.Error(), want)
	}

	events, err := c.RequestAudit(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range events {
		types = append(types, e.EventType)
	}
	if !slices.Equal(types, []string{agentgate.EventRequestCreated, agentgate.EventRequestApproved}) {
		t.Errorf("audit trail = %v", types)
	}
}

func TestRequestErrors(t *testing.T) {
	srv, c := newClient(t)
	ctx := t.Context()

	if _, err := c.Get(ctx, "req_missing"); !client.IsNotFound(err) {
		t.Errorf("Get missing: err = %v, want not found", err)
	}
	_, err := c.Request(ctx, client.RequestInput{Action: "x", Urgency: "soon"})
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Code != "invalid_urgency" {
		t.Errorf("bad urgency: err = %#v", err)
	}
	// On a pending request, so that the decision itself is what is refused.
	pending, err := c.Request(ctx, client.RequestInput{Action: "x"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Decide(ctx, pending.ID, "maybe", "")
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Code != "invalid_decision" {
		t.Errorf("bad decision: err = %#v", err)
	}

	bad := client.New(srv.URL, "agk_not-a-key")
	_, err = bad.List(ctx, client.ListOptions{})
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || apiErr.Code != "invalid_api_key" {
		t.Errorf("bad key: err = %v", err)
	}
	if _, err := client.New("localhost:3000", "k").Get(ctx, "x"); err == nil {
		t.Error("a base URL without a scheme was accepted")
	}
}

func TestCancel(t *testing.T) {
	srv, admin := newClient(t)
	ctx := t.Context()
	agent := client.New(srv.URL, srv.Key(t, "agent", agentgate.ScopeRequestCreate, agentgate.ScopeRequestRead))
	other := client.New(srv.URL, srv.Key(t, "other-agent", agentgate.ScopeRequestCreate))

	r, err := agent.Request(ctx, client.RequestInput{Action: "delete_file"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Cancel(ctx, r.ID, ""); statusOf(err) != http.StatusForbidden {
		t.Errorf("cancel by another key: err = %v, want 403", err)
	}
	if _, err := agent.Decide(ctx, r.ID, agentgate.DecisionApproved, ""); statusOf(err) != http.StatusForbidden {
		t.Errorf("decide without request:decide: err = %v, want 403", err)
	}
	got, err := agent.Cancel(ctx, r.ID, "not needed any more")
	if err != nil || got.Status != agentgate.StatusCancelled || got.DecisionReason != "not needed any more" {
		t.Fatalf("Cancel = %+v, %v", got, err)
	}
	if _, err := admin.Cancel(ctx, r.ID, ""); !client.IsConflict(err) {
		t.Errorf("cancel twice: err = %v, want conflict", err)
	}
}

func TestListAndListAll(t *testing.T) {
	_, c := newClient(t)
	ctx := t.Context()
	var ids []string
	for i := range 5 {
		action := "deploy"
		if i == 4 {
			action = "send_email"
		}
		r, err := c.Request(ctx, client.RequestInput{Action: action})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	if _, err := c.Deny(ctx, ids[0], ""); err != nil {
		t.Fatal(err)
	}

	p, err := c.List(ctx, client.ListOptions{Action: "deploy", Status: agentgate.StatusPending, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Requests) != 2 || p.Pagination != (client.Pagination{Total: 3, Limit: 2, Offset: 0, HasMore: true}) {
		t.Fatalf("page = %d requests, %+v", len(p.Requests), p.Pagination)
	}
	if p.Requests[0].ID != ids[3] {
		t.Errorf("first of newest-first page = %s, want %s", p.Requests[0].ID, ids[3])
	}

	var walked []string
	for r, err := range c.ListAll(ctx, client.ListOptions{Sort: agentgate.SortOldest, Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		walked = append(walked, r.ID)
	}
	if !slices.Equal(walked, ids) {
		t.Errorf("ListAll = %v, want %v", walked, ids)
	}

	n := 0
	for range c.ListAll(ctx, client.ListOptions{Limit: 1}) {
		if n++; n == 2 {
			break // stopping early must not fetch or yield more
		}
	}
	if n != 2 {
		t.Errorf("ListAll with a break after two yielded %d", n)
	}
	var errs []error
	for _, err := range c.ListAll(ctx, client.ListOptions{Status: "bogus"}) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || statusOf(errs[0]) != 400 {
		t.Errorf("ListAll with a bad filter yielded %v, want one 400 error", errs)
	}
}

func statusOf(err error) int {
	var e *client.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// TestErrorFromNonAPIResponse checks a proxy's HTML error still reads as an *Error.
func TestErrorFromNonAPIResponse(t *testing.T) {
	proxy := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>bad gateway</html>"))
	})
	srv := startHandler(t, proxy)
	_, err := client.New(srv, "agk_x").Get(context.Background(), "req_1")
	var e *client.Error
	if !errors.As(err, &e) || e.Status != 502 || e.Code != "http_502" || e.RetryAfter.Seconds() != 7 {
		t.Fatalf("err = %#v", err)
	}
}
