package agentgate

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhook is a subscription of another system to request events. Deliveries to it are
// signed with its secret, which the API shows once; during a rotation the previous secret
// signs too, until PreviousExpiresAt.
type Webhook struct {
	ID                string     `json:"id"`
	URL               string     `json:"url"`
	Description       string     `json:"description"`
	Events            []string   `json:"events"` // event types, or "*" for all
	Enabled           bool       `json:"enabled"`
	Secret            string     `json:"-"` // "whsec_" + base64; the HMAC key is the decoded part
	PreviousSecret    string     `json:"-"`
	PreviousExpiresAt *time.Time `json:"-"`
	CreatedAt         time.Time  `json:"createdAt"`
	UpdatedAt         time.Time  `json:"updatedAt"`
	// Health is how deliveries to it have gone, where a list or lookup reports it.
	Health *WebhookHealth `json:"health,omitempty"`
}

// Secrets returns the secrets that sign a delivery at now: the current one, and the previous
// one while its rotation grace lasts.
func (w *Webhook) Secrets(now time.Time) []string {
	if w.PreviousSecret != "" && w.PreviousExpiresAt != nil && now.Before(*w.PreviousExpiresAt) {
		return []string{w.Secret, w.PreviousSecret}
	}
	return []string{w.Secret}
}

// WebhookHealth sums up a webhook's recent deliveries, so that a list can show which
// receivers are failing.
type WebhookHealth struct {
	LastAttemptAt  *time.Time `json:"lastAttemptAt"`
	LastAttemptOK  bool       `json:"lastAttemptOk"`
	LastStatusCode int        `json:"lastStatusCode,omitempty"`
	Attempts24h    int        `json:"attempts24h"` // attempts in the last 24 hours
	Failures24h    int        `json:"failures24h"` // of which failed
}

// Webhook event types. request.decided accompanies request.approved and request.denied, for
// receivers that want every decision under one name.
const (
	EventRequestDecided = "request.decided"
	EventWebhookTest    = "test"
	WebhookAllEvents    = "*"
)

// WebhookEvents lists the event types a webhook may subscribe to, besides "*".
var WebhookEvents = []string{EventRequestCreated, EventRequestDecided, EventRequestApproved,
	EventRequestDenied, EventRequestExpired, EventRequestCancelled}

// Audit event types of webhook administration.
const (
	EventWebhookCreated          = "webhook.created"
	EventWebhookUpdated          = "webhook.updated"
	EventWebhookDeleted          = "webhook.deleted"
	EventWebhookSecretRotated    = "webhook.secret_rotated"
	EventWebhookDeliveryReplayed = "webhook.delivery_replayed"
)

// WebhookSecretPrefix starts every generated webhook secret, as Standard Webhooks does.
const WebhookSecretPrefix = "whsec_"

// SecretGrace is how long the previous secret still signs after a rotation, so that
// receivers can move to the new one without dropping deliveries.
const SecretGrace = 24 * time.Hour

// Limits on webhook fields.
const (
	maxWebhookURL         = 2048
	maxWebhookDescription = 500
)

// NewWebhookSecret returns a new secret: "whsec_" + base64 of 32 random bytes.
func NewWebhookSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return WebhookSecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// ValidWebhookSecret checks a secret a caller chose: "whsec_" + base64 of 24 to 64 bytes,
// or, as the original AgentGate accepted, 16 to 256 printable ASCII characters (not
// starting or ending with a space) used as they are. The webhook package signs with either.
func ValidWebhookSecret(s string) error {
	if rest, ok := strings.CutPrefix(s, WebhookSecretPrefix); ok {
		key, err := base64.StdEncoding.DecodeString(rest)
		if err == nil && len(key) >= 24 && len(key) <= 64 {
			return nil
		}
	} else if len(s) >= 16 && len(s) <= 256 && s[0] != ' ' && s[len(s)-1] != ' ' &&
		strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r > '~' }) < 0 {
		return nil
	}
	return Errorf(KindInvalid, "invalid_webhook_secret", "secret must be %s followed by base64 of 24 to 64 bytes, or 16 to 256 printable ASCII characters not starting or ending with a space", WebhookSecretPrefix).
		WithDetails(map[string]any{"field": "secret"})
}

// WebhookInput is what a caller gives to create or change a webhook; nil fields are not
// given (on create: the defaults).
type WebhookInput struct {
	URL         *string  `json:"url"`
	Events      []string `json:"events"`
	Description *string  `json:"description"`
	Enabled     *bool    `json:"enabled"`
	Secret      *string  `json:"secret"` // create and rotate only; generated when not given
}

// checkWebhookURL checks a URL's form: http or https, a host, no credentials. Whether its
// address may be reached is the URL check's business (Options.CheckWebhookURL).
func checkWebhookURL(raw string) error {
	bad := func(format string, args ...any) error {
		return Errorf(KindInvalid, "invalid_webhook_url", format, args...).WithDetails(map[string]any{"field": "url"})
	}
	if raw == "" {
		return bad("url is required: the http(s) address that receives the events")
	}
	if len(raw) > maxWebhookURL || !Storable(raw) {
		return bad("url must be UTF-8 text of at most %d bytes", maxWebhookURL)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return bad("url %q does not parse: %v", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("url must start with https:// or http://, not %q", raw)
	case u.Host == "" || u.Hostname() == "":
		return bad("url %q has no host", raw)
	case u.User != nil:
		return bad("url must not carry a user name or password; use the signing secret to authenticate deliveries")
	}
	return nil
}

// checkWebhookEvents checks and normalises a subscription's event types: known types or
// "*", each once, in the order given.
func checkWebhookEvents(events []string) ([]string, error) {
	if len(events) == 0 {
		return nil, Errorf(KindInvalid, "invalid_events", "events must name at least one event type: %s, or \"*\" for all",
			strings.Join(WebhookEvents, ", ")).WithDetails(map[string]any{"field": "events"})
	}
	out := make([]string, 0, len(events))
	for _, e := range events {
		e = strings.TrimSpace(e)
		if e != WebhookAllEvents && !slices.Contains(WebhookEvents, e) {
			return nil, Errorf(KindInvalid, "invalid_events", "%q is not an event type; use %s, or \"*\" for all",
				e, strings.Join(WebhookEvents, ", ")).WithDetails(map[string]any{"field": "events"})
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// WebhookStore is the persistence of webhooks and of their delivery log. db/webhooks.go and
// db/outbox.go implement it.
type WebhookStore interface {
	// ListWebhooks returns one page of webhooks, newest first, with their health counted
	// from since, and the total.
	ListWebhooks(ctx context.Context, p Page, since time.Time) ([]Webhook, int, error)
	// AllWebhooks returns every webhook, without health: the gate's subscription snapshot.
	AllWebhooks(ctx context.Context) ([]Webhook, error)
	// GetWebhook returns the webhook with its health counted from since (none for a zero
	// since), or ErrNotFound.
	GetWebhook(ctx context.Context, id string, since time.Time) (*Webhook, error)
	CreateWebhook(ctx context.Context, w *Webhook, event AuditEvent) error
	// UpdateWebhook writes every field but ID and CreatedAt; ErrNotFound if missing.
	UpdateWebhook(ctx context.Context, w *Webhook, event AuditEvent) error
	// DeleteWebhook deletes the webhook and fails its pending deliveries; ErrNotFound if
	// missing.
	DeleteWebhook(ctx context.Context, id string, at time.Time, event AuditEvent) error

	// EnqueueNotices writes notices and their deliveries, due at once.
	EnqueueNotices(ctx context.Context, notices []Notice) error
	// ListDeliveries returns one page of deliveries, newest first, each with its attempts,
	// and the total.
	ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, int, error)
	// GetDelivery returns a delivery with its attempts, or ErrNotFound.
	GetDelivery(ctx context.Context, id string) (*Delivery, error)
	// ReplayDelivery makes a delivered or failed delivery pending again, due at now, with
	// its retry schedule started afresh; ErrStale if it is pending.
	ReplayDelivery(ctx context.Context, id string, now time.Time, event AuditEvent) error
}
