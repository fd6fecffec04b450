package agentgate

import (
	"context"
	"encoding/json"
	"time"
)

// ChannelKind names a way of telling someone: each kind has one Sender.
type ChannelKind string

// Channel kinds.
const (
	ChannelWebhook ChannelKind = "webhook"
	ChannelEmail   ChannelKind = "email"
	ChannelSlack   ChannelKind = "slack"
	ChannelDiscord ChannelKind = "discord"
)

// Delivery is one notification to make: a row of the outbox, written in the same
// transaction as the change it tells of and kept until it is delivered or fails for good,
// so that a crash loses nothing.
type Delivery struct {
	ID        string      `json:"id"` // "dlv_" + ULID; stable across retries (webhook-id)
	Channel   ChannelKind `json:"channel"`
	Target    string      `json:"target"`              // webhook id, email address, Slack or Discord channel
	Event     string      `json:"event"`               // e.g. request.created, or test
	RequestID string      `json:"requestId,omitempty"` // the request it tells of, if any
	// Payload is the event as it was when it happened: {"event", "timestamp", "data"}, with
	// data the request exactly as the API returns it. Webhooks post it as it is.
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"createdAt"`
	Attempts  int             `json:"attempts"` // attempts made before the current one
}

// SendResult is what one delivery attempt learned from the peer.
type SendResult struct {
	StatusCode int           // the peer's HTTP status, for channels that speak HTTP
	Response   string        // a bounded excerpt of the answer, for the delivery log
	RetryAfter time.Duration // the peer asked to wait at least this long
	Permanent  bool          // the peer refused for good (a 4xx but 408 and 429): do not retry
}

// Sender delivers the notifications of one channel kind. An error with a non-permanent
// result is retried on the outbox's schedule.
type Sender interface {
	Send(ctx context.Context, d Delivery) (SendResult, error)
}
