// Package client is the Go client for AgentGate's JSON API: what an agent uses to ask before
// it acts, and what the agentgate CLI and MCP server are built on. It depends only on the
// standard library and the agentgate domain types, never on the server's database or web
// framework.
//
// The usual flow is: ask, wait for a person (or a policy) to decide, then act on the
// decision.
//
//	c := client.New("http://localhost:3000", os.Getenv("AGENTGATE_API_KEY"))
//	req, err := c.Request(ctx, client.RequestInput{
//		Action: "send_email",
//		Params: map[string]any{"to": "customer@example.com", "subject": "Your refund"},
//	})
//	if err != nil {
//		return err
//	}
//	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
//	defer cancel()
//	decided, err := c.WaitForDecision(ctx, req.ID)
//	switch {
//	case errors.Is(err, context.DeadlineExceeded):
//		// nobody decided in time
//	case err != nil:
//		return err
//	case decided.Status == agentgate.StatusApproved:
//		// send the email
//	}
//
// Every call takes a context. Errors the server sends are *Error values carrying its status,
// stable code and message; IsNotFound, IsConflict and IsRateLimited answer the common
// questions. WaitForDecision long-polls and survives server restarts and dropped
// connections, retrying with exponential backoff and jitter. Request sends an
// Idempotency-Key and retries under it, so a lost answer never creates a second request.
package client
