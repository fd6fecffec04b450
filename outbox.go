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

// DeliveryStatus is where a delivery stands: pending until it is delivered or fails for good.
type DeliveryStatus string

// Delivery statuses.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed"
)

// DeliveryStatuses lists every delivery status, in the order a filter names them.
var DeliveryStatuses = []DeliveryStatus{DeliveryPending, DeliveryDelivered, DeliveryFailed}

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
	// data the request exactly as the API returns it. Webhooks post it as it is. The
	// delivery log leaves it out.
	Payload   json.RawMessage `json:"payload,omitempty"`
	CreatedAt time.Time       `json:"createdAt"`
	Attempts  int             `json:"attempts"` // attempts made before the current one

	// What the delivery log shows.
	Status         DeliveryStatus    `json:"status,omitempty"`
	NextAttemptAt  *time.Time        `json:"nextAttemptAt,omitempty"` // while pending
	UpdatedAt      time.Time         `json:"updatedAt"`
	LastError      string            `json:"lastError,omitempty"`
	LastStatusCode int               `json:"lastStatusCode,omitempty"`
	History        []DeliveryAttempt `json:"history,omitempty"` // every attempt, oldest first

	// ScheduleFrom is the number of attempts made before the delivery was last replayed:
	// the retry schedule starts again from there.
	ScheduleFrom int `json:"-"`
}

// DeliveryAttempt is one try at a delivery, as the delivery log keeps it.
type DeliveryAttempt struct {
	DeliveryID string      `json:"-"`
	Channel    ChannelKind `json:"-"`
	Target     string      `json:"-"`
	Number     int         `json:"number"` // 1 for the first attempt
	At         time.Time   `json:"at"`
	// LatencyMillis is how long the attempt took, in milliseconds.
	LatencyMillis float64 `json:"latencyMs"`
	OK            bool    `json:"ok"`
	StatusCode    int     `json:"statusCode,omitempty"`
	Error         string  `json:"error,omitempty"`
	Response      string  `json:"response,omitempty"` // at most MaxResponseExcerpt bytes of the answer
}

// MaxResponseExcerpt bounds the part of a peer's answer (and of an error) the log keeps.
const MaxResponseExcerpt = 1024

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

// Notice is one change to tell of: its data (the request as the API then returned it) is
// stored once, with one delivery per recipient and event type, so that five webhooks do not
// store a large request five times.
type Notice struct {
	ID         string // "ntc_" + ULID
	RequestID  string // empty for a test
	Data       json.RawMessage
	CreatedAt  time.Time  // the time of the change, the payload's timestamp
	Deliveries []Delivery // ID, Channel, Target and Event set
}

// EventPayload is the body every channel is given for an event: {"event", "timestamp",
// "data"}. It is built from stored fields, so every attempt sends the same bytes.
func EventPayload(event string, at time.Time, data json.RawMessage) json.RawMessage {
	b := make([]byte, 0, len(data)+len(event)+64)
	b = appendJSONString(append(b, `{"event":`...), event)
	b = appendJSONTime(append(b, `,"timestamp":`...), at)
	b = append(append(b, `,"data":`...), data...)
	return append(b, '}')
}

// DeliveryFilter narrows a delivery log. Zero values do not filter.
type DeliveryFilter struct {
	Channel ChannelKind
	Target  string
	Status  DeliveryStatus
	Page
}

// DeliveryState is where an attempt leaves a delivery.
type DeliveryState struct {
	Status        DeliveryStatus
	NextAttemptAt time.Time // when pending: the next attempt is due then
}

// OutboxStore is what the Dispatcher needs of the database. A claim is a lease: the
// claimed deliveries are not claimed again, by this or any instance, until the lease runs
// out or the claim is released, and no lock is held meanwhile.
type OutboxStore interface {
	// ClaimDeliveries leases up to limit pending deliveries due at now (whose lease, if
	// any, ran out) to owner until leaseUntil, oldest due first, with their payloads.
	ClaimDeliveries(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]Delivery, error)
	// RecordAttempt stores the attempt and, if owner still holds the delivery's lease,
	// moves the delivery to next and ends the lease. If the lease was lost, the attempt is
	// kept, the delivery is left alone, and the error wraps ErrStale.
	RecordAttempt(ctx context.Context, owner string, a DeliveryAttempt, next DeliveryState) error
	// ReleaseDeliveries ends owner's leases on the deliveries, unattempted.
	ReleaseDeliveries(ctx context.Context, owner string, ids []string) error
	// ReleaseAllLeases ends every lease and returns how many it ended: for a store only
	// one process uses, at its start.
	ReleaseAllLeases(ctx context.Context) (int, error)
}
