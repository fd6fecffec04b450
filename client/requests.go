package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/agentgate/agentgate"
)

// RequestInput is what an agent asks permission for.
type RequestInput struct {
	// Action names what the agent wants to do, such as "send_email". Required.
	Action string
	// Params are the action's arguments; anything that encodes as a JSON object (a map or a
	// struct). Policies match on them and approvers see them.
	Params any
	// Context is extra information for the approver, also a JSON object.
	Context any
	// Urgency is low, normal (the default), high or critical.
	Urgency agentgate.Urgency
	// ExpiresAt, if set, is when the request expires undecided; else the server's default.
	ExpiresAt time.Time
	// IdempotencyKey names this logical request, so that sending it again cannot create a
	// second one: the server answers a repeat within 24 hours with the request the first
	// created. Empty, Request makes a random key for the call and reuses it on its retries;
	// set one to survive a restart of the agent itself.
	IdempotencyKey string
}

// requestBody is the JSON the API takes to create a request (and to dry-run a policy).
type requestBody struct {
	Action    string     `json:"action"`
	Params    any        `json:"params,omitempty"`
	Context   any        `json:"context,omitempty"`
	Urgency   string     `json:"urgency,omitempty"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

func (in RequestInput) body() requestBody {
	b := requestBody{Action: in.Action, Params: in.Params, Context: in.Context, Urgency: string(in.Urgency)}
	if !in.ExpiresAt.IsZero() {
		t := in.ExpiresAt.UTC()
		b.ExpiresAt = &t
	}
	return b
}

// requestAttempts bounds the tries of one Request: enough to ride out a lost response or a
// brief restart, few enough that a caller is soon told the server is gone.
const requestAttempts = 4

// Request asks for approval of one action. The answer is already decided (approved or
// denied) when a policy decided; otherwise it is pending until a person decides, and
// WaitForDecision waits for that.
//
// When the server cannot be reached or answers with a server error, Request tries again
// (up to 4 attempts, with the client's backoff) under one Idempotency-Key, so a retry
// after a lost response returns the request the first attempt created instead of a
// second one. A rate limit is returned at once (see IsRateLimited).
func (c *Client) Request(ctx context.Context, in RequestInput) (*agentgate.Request, error) {
	key := in.IdempotencyKey
	if key == "" {
		key = newIdempotencyKey()
	}
	header := http.Header{"Idempotency-Key": {key}}
	body := in.body()
	var r agentgate.Request
	for attempt := 0; ; attempt++ {
		err := c.send(ctx, http.MethodPost, "/api/requests", nil, header, body, &r)
		if err == nil {
			return &r, nil
		}
		if attempt+1 == requestAttempts || ctx.Err() != nil || !retryable(err) || statusOf(err) == http.StatusTooManyRequests {
			return nil, err
		}
		if !sleep(ctx, c.retryDelay(attempt, err)) {
			return nil, err
		}
	}
}

// newIdempotencyKey returns 16 random bytes in hex, unique per logical request.
func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Get returns a request as it is now.
func (c *Client) Get(ctx context.Context, id string) (*agentgate.Request, error) {
	var r agentgate.Request
	if err := c.call(ctx, http.MethodGet, "/api/requests/"+escape(id), nil, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// ListOptions filter and page a request list. Zero values do not filter.
type ListOptions struct {
	Status  agentgate.Status
	Action  string
	Urgency agentgate.Urgency
	From    time.Time // created at or after
	To      time.Time // created before
	Query   string    // substring of the action
	Sort    string    // agentgate.SortNewest (default), SortOldest or SortUrgency
	Limit   int       // page size; the server's default is 50, its maximum 100
	Offset  int
}

func (o ListOptions) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"status": string(o.Status), "action": o.Action, "urgency": string(o.Urgency), "q": o.Query, "sort": o.Sort} {
		if v != "" {
			q.Set(k, v)
		}
	}
	setTime(q, "from", o.From)
	setTime(q, "to", o.To)
	return pageQuery(q, o.Limit, o.Offset)
}

// RequestPage is one page of a request list.
type RequestPage struct {
	Requests   []agentgate.Request `json:"requests"`
	Pagination Pagination          `json:"pagination"`
}

// List returns one page of requests.
func (c *Client) List(ctx context.Context, o ListOptions) (*RequestPage, error) {
	var p RequestPage
	if err := c.call(ctx, http.MethodGet, "/api/requests", o.query(), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// ListAll returns an iterator over every matching request, fetching pages of o.Limit
// (default 100) from o.Offset on as the loop goes. It stops at the first error, which it
// yields. Requests created while iterating shift newest-first pages; use
// Sort: agentgate.SortOldest for a stable walk.
func (c *Client) ListAll(ctx context.Context, o ListOptions) iter.Seq2[agentgate.Request, error] {
	return func(yield func(agentgate.Request, error) bool) {
		if o.Limit <= 0 {
			o.Limit = 100
		}
		for {
			p, err := c.List(ctx, o)
			if err != nil {
				yield(agentgate.Request{}, err)
				return
			}
			for _, r := range p.Requests {
				if !yield(r, nil) {
					return
				}
			}
			if !p.Pagination.HasMore || len(p.Requests) == 0 {
				return
			}
			o.Offset += len(p.Requests)
		}
	}
}

// Decide records decision (agentgate.DecisionApproved or agentgate.DecisionDenied) on a
// pending request, as the API key's identity. A request that needs several approvals stays
// pending until enough approve; any denial decides it.
func (c *Client) Decide(ctx context.Context, id, decision, reason string) (*agentgate.Request, error) {
	body := map[string]string{"decision": decision}
	if reason != "" {
		body["reason"] = reason
	}
	var r agentgate.Request
	if err := c.call(ctx, http.MethodPost, "/api/requests/"+escape(id)+"/decide", nil, body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Approve is Decide with agentgate.DecisionApproved.
func (c *Client) Approve(ctx context.Context, id, reason string) (*agentgate.Request, error) {
	return c.Decide(ctx, id, agentgate.DecisionApproved, reason)
}

// Deny is Decide with agentgate.DecisionDenied.
func (c *Client) Deny(ctx context.Context, id, reason string) (*agentgate.Request, error) {
	return c.Decide(ctx, id, agentgate.DecisionDenied, reason)
}

// Cancel withdraws a pending request the key created (an admin key may cancel any).
func (c *Client) Cancel(ctx context.Context, id, reason string) (*agentgate.Request, error) {
	body := map[string]string{}
	if reason != "" {
		body["reason"] = reason
	}
	var r agentgate.Request
	if err := c.call(ctx, http.MethodPost, "/api/requests/"+escape(id)+"/cancel", nil, body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// RequestAudit returns a request's audit trail, oldest event first.
func (c *Client) RequestAudit(ctx context.Context, id string) ([]agentgate.AuditEvent, error) {
	var out struct {
		Entries []agentgate.AuditEvent `json:"entries"`
	}
	if err := c.call(ctx, http.MethodGet, "/api/requests/"+escape(id)+"/audit", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Entries, nil
}
