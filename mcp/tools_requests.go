package mcp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
)

type requestArgs struct {
	Action      string         `json:"action"`
	Params      map[string]any `json:"params"`
	Context     map[string]any `json:"context"`
	Urgency     string         `json:"urgency"`
	WaitSeconds *float64       `json:"waitSeconds"`
}

type idArgs struct {
	ID string `json:"id"`
}

type listArgs struct {
	Status string   `json:"status"`
	Limit  *float64 `json:"limit"`
}

type decideArgs struct {
	ID        string `json:"id"`
	Decision  string `json:"decision"`
	Reason    string `json:"reason"`
	DecidedBy string `json:"decidedBy"`
}

func (t *tools) addRequestTools(s *sdk.Server) {
	addTool(s, t, &sdk.Tool{
		Name: "agentgate_request",
		Description: "Ask a person (or a policy) for permission before you take an action that is risky, " +
			"irreversible, costs money or acts on someone's behalf. Returns the request with its status: " +
			"\"approved\" (go ahead), \"denied\" (do not; see decisionReason) or \"pending\" (a person must decide). " +
			"Set waitSeconds to wait for that decision in the same call; otherwise check later with agentgate_get.",
		InputSchema:  requestSchema,
		OutputSchema: requestOutput,
		Annotations:  writes("Request approval", false, false), // each call asks anew
	}, t.request)
	addTool(s, t, &sdk.Tool{
		Name: "agentgate_get",
		Description: "Get one approval request by id: its status (pending, approved, denied, expired, cancelled), " +
			"who decided and why. Use it to check on a pending request before acting.",
		InputSchema:  idSchema,
		OutputSchema: requestOutput,
		Annotations:  readOnly("Get request"),
	}, t.get)
	addTool(s, t, &sdk.Tool{
		Name: "agentgate_list",
		Description: "List approval requests, newest first, optionally only those with one status. " +
			"Use it to see what is waiting for a decision or what was decided recently.",
		InputSchema:  listSchema,
		OutputSchema: requestListOutput,
		Annotations:  readOnly("List requests"),
	}, t.list)
	addTool(s, t, &sdk.Tool{
		Name: "agentgate_decide",
		Description: "Approve or deny a pending approval request. Use it only when the user has told you to decide, " +
			"or you are the designated approver; never to approve your own request. The decision is recorded " +
			"under this server's API key.",
		InputSchema:  decideSchema,
		OutputSchema: requestOutput,
		// Destructive: a decision cannot be taken back. Idempotent: deciding again changes
		// nothing (it is refused as already decided).
		Annotations: writes("Decide request", true, true),
	}, t.decide)
}

func (t *tools) request(ctx context.Context, req *sdk.CallToolRequest, in requestArgs) (*sdk.CallToolResult, *agentgate.Request, error) {
	r, err := t.c.Request(ctx, client.RequestInput{Action: in.Action, Params: in.Params, Context: in.Context, Urgency: agentgate.Urgency(in.Urgency)})
	if err != nil {
		return nil, nil, t.failure(err)
	}
	wait := time.Duration(0)
	if in.WaitSeconds != nil {
		wait = time.Duration(*in.WaitSeconds * float64(time.Second))
	}
	if r.Status != agentgate.StatusPending || wait <= 0 {
		return result(r)
	}
	stop := t.reportProgress(ctx, req, r.ID, wait)
	wctx, cancel := context.WithTimeout(ctx, wait)
	decided, err := t.c.WaitForDecision(wctx, r.ID)
	cancel()
	stop()
	switch {
	case err == nil:
		return result(decided)
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		if decided != nil {
			r = decided
		}
		return result(r, fmt.Sprintf("No decision within %s: request %s is still pending. Do not act yet; "+
			"check again later with agentgate_get.", wait, r.ID))
	}
	return nil, nil, t.failure(err)
}

// reportProgress sends MCP progress notifications while a request waits, if the caller
// asked for them with a progress token: one at once, then every interval. The returned
// func stops the reports and returns once none is being sent.
func (t *tools) reportProgress(ctx context.Context, req *sdk.CallToolRequest, id string, wait time.Duration) func() {
	token := req.Params.GetProgressToken()
	if token == nil || req.Session == nil {
		return func() {}
	}
	start := time.Now()
	notify := func() {
		elapsed := time.Since(start)
		err := req.Session.NotifyProgress(ctx, &sdk.ProgressNotificationParams{
			ProgressToken: token,
			Progress:      elapsed.Seconds(),
			Total:         wait.Seconds(),
			Message:       fmt.Sprintf("Request %s is pending; waiting for a person to decide (%s of %s).", id, elapsed.Round(time.Second), wait),
		})
		if err != nil {
			t.log.Debug("Could not send progress.", "request_id", id, "err", err)
		}
	}
	notify()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(t.progress)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				notify()
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

func (t *tools) get(ctx context.Context, _ *sdk.CallToolRequest, in idArgs) (*sdk.CallToolResult, *agentgate.Request, error) {
	r, err := t.c.Get(ctx, in.ID)
	if err != nil {
		return nil, nil, t.failure(err)
	}
	return result(r)
}

func (t *tools) list(ctx context.Context, _ *sdk.CallToolRequest, in listArgs) (*sdk.CallToolResult, *client.RequestPage, error) {
	limit, err := whole("limit", in.Limit, 10, 1, 100)
	if err != nil {
		return nil, nil, err
	}
	p, err := t.c.List(ctx, client.ListOptions{Status: agentgate.Status(in.Status), Limit: limit})
	if err != nil {
		return nil, nil, t.failure(err)
	}
	return result(p)
}

func (t *tools) decide(ctx context.Context, _ *sdk.CallToolRequest, in decideArgs) (*sdk.CallToolResult, *agentgate.Request, error) {
	r, err := t.c.Decide(ctx, in.ID, in.Decision, in.Reason)
	if err != nil {
		return nil, nil, t.failure(err)
	}
	return result(r)
}
