package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/agentgate/agentgate"
)

// WebhookInput describes a new webhook.
type WebhookInput struct {
	URL         string
	Events      []string // event types (agentgate.WebhookEvents), or "*" for all
	Description string
	Disabled    bool   // create it switched off
	Secret      string // "": the server generates one
}

// WebhookUpdate changes the fields it sets and leaves the rest alone.
type WebhookUpdate struct {
	URL         *string
	Events      []string
	Description *string
	Enabled     *bool
}

// WebhookWithSecret is a webhook with its signing secret, which the server shows only when
// it creates the webhook or rotates the secret.
type WebhookWithSecret struct {
	agentgate.Webhook
	Secret string `json:"secret"`
}

// WebhookPage is one page of webhooks, newest first, each with its health.
type WebhookPage struct {
	Webhooks   []agentgate.Webhook `json:"webhooks"`
	Pagination Pagination          `json:"pagination"`
}

// DeliveryPage is one page of a webhook's delivery log, newest first, each delivery with
// its attempts.
type DeliveryPage struct {
	Deliveries []agentgate.Delivery `json:"deliveries"`
	Pagination Pagination           `json:"pagination"`
}

// WebhookTest is how a test event went: Success once it is delivered.
type WebhookTest struct {
	Success  bool               `json:"success"`
	Delivery agentgate.Delivery `json:"delivery"`
}

// ListWebhooks returns one page of webhooks. Needs webhook:manage.
func (c *Client) ListWebhooks(ctx context.Context, limit, offset int) (*WebhookPage, error) {
	var p WebhookPage
	if err := c.call(ctx, http.MethodGet, "/api/webhooks", pageQuery(url.Values{}, limit, offset), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// GetWebhook returns one webhook with its health.
func (c *Client) GetWebhook(ctx context.Context, id string) (*agentgate.Webhook, error) {
	var w agentgate.Webhook
	if err := c.call(ctx, http.MethodGet, "/api/webhooks/"+escape(id), nil, nil, &w); err != nil {
		return nil, err
	}
	return &w, nil
}

// CreateWebhook subscribes a URL to events and returns the webhook with its secret; store
// the secret now, it is not shown again.
func (c *Client) CreateWebhook(ctx context.Context, in WebhookInput) (*WebhookWithSecret, error) {
	body := map[string]any{"url": in.URL, "events": in.Events, "description": in.Description, "enabled": !in.Disabled}
	if in.Secret != "" {
		body["secret"] = in.Secret
	}
	var w WebhookWithSecret
	if err := c.call(ctx, http.MethodPost, "/api/webhooks", nil, body, &w); err != nil {
		return nil, err
	}
	return &w, nil
}

// UpdateWebhook changes a webhook's URL, events, description or whether it is enabled.
func (c *Client) UpdateWebhook(ctx context.Context, id string, in WebhookUpdate) (*agentgate.Webhook, error) {
	body := map[string]any{}
	if in.URL != nil {
		body["url"] = *in.URL
	}
	if in.Events != nil {
		body["events"] = in.Events
	}
	if in.Description != nil {
		body["description"] = *in.Description
	}
	if in.Enabled != nil {
		body["enabled"] = *in.Enabled
	}
	var w agentgate.Webhook
	if err := c.call(ctx, http.MethodPatch, "/api/webhooks/"+escape(id), nil, body, &w); err != nil {
		return nil, err
	}
	return &w, nil
}

// DeleteWebhook deletes a webhook; what it still had pending fails, and its log stays.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodDelete, "/api/webhooks/"+escape(id), nil, nil, nil)
}

// RotateWebhookSecret gives a webhook a new secret (secret, or a generated one when empty)
// and returns it. The old secret keeps signing beside it for 24 hours.
func (c *Client) RotateWebhookSecret(ctx context.Context, id, secret string) (*WebhookWithSecret, error) {
	var body any
	if secret != "" {
		body = map[string]string{"secret": secret}
	}
	var w WebhookWithSecret
	if err := c.call(ctx, http.MethodPost, "/api/webhooks/"+escape(id)+"/rotate-secret", nil, body, &w); err != nil {
		return nil, err
	}
	return &w, nil
}

// TestWebhook sends a webhook a "test" event and returns how its first attempt went (or
// the delivery still pending, if the attempt takes longer than a few seconds).
func (c *Client) TestWebhook(ctx context.Context, id string) (*WebhookTest, error) {
	var t WebhookTest
	if err := c.call(ctx, http.MethodPost, "/api/webhooks/"+escape(id)+"/test", nil, nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// ListWebhookDeliveries returns one page of a webhook's delivery log; status ("pending",
// "delivered", "failed" or "") narrows it.
func (c *Client) ListWebhookDeliveries(ctx context.Context, id string, status agentgate.DeliveryStatus, limit, offset int) (*DeliveryPage, error) {
	q := pageQuery(url.Values{}, limit, offset)
	if status != "" {
		q.Set("status", string(status))
	}
	var p DeliveryPage
	if err := c.call(ctx, http.MethodGet, "/api/webhooks/"+escape(id)+"/deliveries", q, nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// ReplayWebhookDelivery sends a delivered or failed delivery again, with the same
// webhook-id and payload, on a fresh retry schedule.
func (c *Client) ReplayWebhookDelivery(ctx context.Context, webhookID, deliveryID string) (*agentgate.Delivery, error) {
	var d agentgate.Delivery
	path := "/api/webhooks/" + escape(webhookID) + "/deliveries/" + escape(deliveryID) + "/replay"
	if err := c.call(ctx, http.MethodPost, path, nil, nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}
