package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
	"github.com/agentgate/agentgate/internal/testserver"
)

// TestMain runs a real server for the examples and points AGENTGATE_URL and
// AGENTGATE_API_KEY at it, so the examples read as an agent's code reads.
func TestMain(m *testing.M) {
	srv, err := testserver.New()
	if err != nil {
		log.Fatal(err)
	}
	agentKey, err := srv.NewKey("billing-agent", agentgate.ScopeRequestCreate, agentgate.ScopeRequestRead)
	if err != nil {
		log.Fatal(err)
	}
	approverKey, err := srv.NewKey("ops-lead", agentgate.ScopeRequestDecide)
	if err != nil {
		log.Fatal(err)
	}
	os.Setenv("AGENTGATE_URL", srv.URL)
	os.Setenv("AGENTGATE_API_KEY", agentKey)
	os.Setenv("APPROVER_API_KEY", approverKey)
	code := m.Run()
	srv.Close()
	os.Exit(code)
}

// approveWhenAsked plays the person at the dashboard: it approves the next request it is
// shown. In real life this happens in the dashboard, in Slack or through an email link.
func approveWhenAsked(id string) {
	approver := client.New(os.Getenv("AGENTGATE_URL"), os.Getenv("APPROVER_API_KEY"))
	if _, err := approver.Approve(context.Background(), id, "refund is within policy"); err != nil {
		log.Print(err)
	}
}

// An agent asks before it sends an email, waits for a person to decide, and acts on the
// decision.
func Example() {
	ctx := context.Background()
	c := client.New(os.Getenv("AGENTGATE_URL"), os.Getenv("AGENTGATE_API_KEY"))

	req, err := c.Request(ctx, client.RequestInput{
		Action:  "send_email",
		Params:  map[string]any{"to": "customer@example.com", "subject": "Your refund"},
		Context: map[string]any{"reason": "customer asked for a refund of order 1042"},
		Urgency: agentgate.UrgencyHigh,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("asked:", req.Action, "-", req.Status)

	go approveWhenAsked(req.ID)

	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	decided, err := c.WaitForDecision(ctx, req.ID)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Println("nobody decided in time; not sending")
	case err != nil:
		log.Fatal(err)
	case decided.Status == agentgate.StatusApproved:
		fmt.Printf("approved by %s (%s): sending the email\n", decided.DecidedBy, decided.DecisionReason)
	default:
		fmt.Printf("%s: not sending (%s)\n", decided.Status, decided.DecisionReason)
	}
	// Output:
	// asked: send_email - pending
	// approved by ops-lead (refund is within policy): sending the email
}

// Bound the wait with the context's deadline; on timeout the request is still pending and
// may be checked again later.
func ExampleClient_WaitForDecision() {
	ctx := context.Background()
	c := client.New(os.Getenv("AGENTGATE_URL"), os.Getenv("AGENTGATE_API_KEY"))
	req, err := c.Request(ctx, client.RequestInput{Action: "delete_file", Params: map[string]any{"path": "/srv/old.log"}})
	if err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	last, err := c.WaitForDecision(ctx, req.ID)
	if errors.Is(err, context.DeadlineExceeded) {
		fmt.Println("no decision yet; status is", last.Status)
	}
	// Output:
	// no decision yet; status is pending
}

// Server errors carry the status, a stable code and a message written for people.
func ExampleError() {
	ctx := context.Background()
	c := client.New(os.Getenv("AGENTGATE_URL"), os.Getenv("AGENTGATE_API_KEY"))

	_, err := c.Get(ctx, "req_does_not_exist")
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Code, client.IsNotFound(err))
	}
	// Output:
	// 404 not_found true
}

// A rate-limited call says how long to wait before trying again.
func ExampleIsRateLimited() {
	c := client.New(os.Getenv("AGENTGATE_URL"), os.Getenv("AGENTGATE_API_KEY"))
	_, err := c.Request(context.Background(), client.RequestInput{Action: "send_sms"})
	if wait, ok := client.IsRateLimited(err); ok {
		fmt.Println("over the key's rate limit; retry in", wait)
	}
}

// ListAll walks every page of a list.
func ExampleClient_ListAll() {
	c := client.New(os.Getenv("AGENTGATE_URL"), os.Getenv("AGENTGATE_API_KEY"))
	opts := client.ListOptions{Status: agentgate.StatusPending, Sort: agentgate.SortOldest}
	for r, err := range c.ListAll(context.Background(), opts) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.ID, r.Action, r.Urgency)
	}
}
