package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/agentgate/agentgate"
)

// AuditOptions filter and page the audit log. Zero values do not filter.
type AuditOptions struct {
	EventType string // such as agentgate.EventRequestApproved ("request.approved")
	Action    string // the request's action
	Actor     string // a key name, a user's email, "policy", "system"
	RequestID string
	From      time.Time
	To        time.Time
	Limit     int // the server's default is 50, its maximum 100
	Offset    int
}

func (o AuditOptions) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"eventType": o.EventType, "action": o.Action, "actor": o.Actor, "requestId": o.RequestID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	setTime(q, "from", o.From)
	setTime(q, "to", o.To)
	return pageQuery(q, o.Limit, o.Offset)
}

// AuditPage is one page of the audit log, newest event first.
type AuditPage struct {
	Entries    []agentgate.AuditEvent `json:"entries"`
	Pagination Pagination             `json:"pagination"`
}

// ListAudit returns one page of the audit log.
func (c *Client) ListAudit(ctx context.Context, o AuditOptions) (*AuditPage, error) {
	var p AuditPage
	if err := c.call(ctx, http.MethodGet, "/api/audit", o.query(), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// AuditActors lists every distinct actor in the audit log.
func (c *Client) AuditActors(ctx context.Context) ([]string, error) {
	var out struct {
		Actors []string `json:"actors"`
	}
	if err := c.call(ctx, http.MethodGet, "/api/audit/actors", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Actors, nil
}

// AuditActions lists every distinct request action in the audit log.
func (c *Client) AuditActions(ctx context.Context) ([]string, error) {
	var out struct {
		Actions []string `json:"actions"`
	}
	if err := c.call(ctx, http.MethodGet, "/api/audit/actions", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Actions, nil
}
