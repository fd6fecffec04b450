package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/agentgate/agentgate"
)

// KeyInput describes a new API key.
type KeyInput struct {
	Name   string // shown as the actor in the audit log
	Scopes []agentgate.Scope
	// RateLimit is the requests per minute allowed; 0 means unlimited.
	RateLimit int
}

// KeyUpdate changes the fields it sets and leaves the rest alone.
type KeyUpdate struct {
	Name   *string
	Scopes []agentgate.Scope
	// RateLimit, when set, is the new requests-per-minute limit; 0 removes the limit.
	RateLimit *int
}

// CreatedKey is a new key with its secret, which the server shows this once.
type CreatedKey struct {
	agentgate.APIKey
	Key string `json:"key"`
}

// KeyPage is one page of API keys, newest first.
type KeyPage struct {
	Keys       []agentgate.APIKey `json:"keys"`
	Pagination Pagination         `json:"pagination"`
}

// ListKeys returns one page of API keys (never their secrets). Needs an admin key.
func (c *Client) ListKeys(ctx context.Context, limit, offset int) (*KeyPage, error) {
	var p KeyPage
	if err := c.call(ctx, http.MethodGet, "/api/api-keys", pageQuery(url.Values{}, limit, offset), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// GetKey returns one API key.
func (c *Client) GetKey(ctx context.Context, id string) (*agentgate.APIKey, error) {
	var k agentgate.APIKey
	if err := c.call(ctx, http.MethodGet, "/api/api-keys/"+escape(id), nil, nil, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// CreateKey makes a new API key and returns it with its secret; store the secret now.
func (c *Client) CreateKey(ctx context.Context, in KeyInput) (*CreatedKey, error) {
	body := map[string]any{"name": in.Name, "scopes": in.Scopes, "rateLimit": nil}
	if in.RateLimit > 0 {
		body["rateLimit"] = in.RateLimit
	}
	var k CreatedKey
	if err := c.call(ctx, http.MethodPost, "/api/api-keys", nil, body, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// UpdateKey changes a key's name, scopes or rate limit.
func (c *Client) UpdateKey(ctx context.Context, id string, in KeyUpdate) (*agentgate.APIKey, error) {
	body := map[string]any{}
	if in.Name != nil {
		body["name"] = *in.Name
	}
	if in.Scopes != nil {
		body["scopes"] = in.Scopes
	}
	if in.RateLimit != nil {
		body["rateLimit"] = nil
		if *in.RateLimit > 0 {
			body["rateLimit"] = *in.RateLimit
		}
	}
	var k agentgate.APIKey
	if err := c.call(ctx, http.MethodPatch, "/api/api-keys/"+escape(id), nil, body, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// RevokeKey revokes a key and returns it as now stored; it stops working at once. Revoking a
// revoked key is not an error.
func (c *Client) RevokeKey(ctx context.Context, id string) (*agentgate.APIKey, error) {
	// DELETE answers {"success": true, "id"} as the original server did, so the revoked key
	// is read back.
	if err := c.call(ctx, http.MethodDelete, "/api/api-keys/"+escape(id), nil, nil, nil); err != nil {
		return nil, err
	}
	return c.GetKey(ctx, id)
}
