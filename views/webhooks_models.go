package views

import (
	"net/url"
	"time"

	ag "github.com/agentgate/agentgate"
)

// SectionWebhooks is the navigation section of the webhook pages.
const SectionWebhooks = "webhooks"

// WebhooksPath is where the webhook pages live.
const WebhooksPath = "/settings/webhooks"

// WebhooksPage lists the webhooks, with the create form and, once, a new webhook's secret.
type WebhooksPage struct {
	Shell
	Webhooks []ag.Webhook
	Pager    Pager
	Form     WebhookForm
	Secret   *WebhookSecret
	Notice   string
	// Focus is the webhook whose switch was just used: it keeps the focus after the swap.
	Focus string
}

// WebhookForm is the create or edit form of a webhook, as typed, so that a refused form
// comes back as the person left it.
type WebhookForm struct {
	ID          string // empty when creating
	URL         string
	Description string
	Events      []string
	Enabled     bool
	// Error says why the form was refused; Field names the field it is about ("url",
	// "events", "description"), or is empty when it is about the form as a whole.
	Error string
	Field string
}

// WebhookSecret is a webhook's signing secret, shown once: after the webhook is created,
// or after a rotation (then the previous secret keeps signing until PreviousUntil).
type WebhookSecret struct {
	URL           string
	Secret        string
	PreviousUntil *time.Time
}

// WebhookPage is one webhook: its health, its settings and its delivery log.
type WebhookPage struct {
	Shell
	Webhook *ag.Webhook
	Form    WebhookForm
	Log     DeliveryLog
	Secret  *WebhookSecret
	Notice  string
}

// DeliveryLog is one page of a webhook's deliveries, newest first.
type DeliveryLog struct {
	Webhook *ag.Webhook
	Now     time.Time
	Status  ag.DeliveryStatus // the tab: a status, or empty for all
	Query   url.Values
	Rows    []ag.Delivery
	Pager   Pager
	// LinkRequests links each delivery to its request: the key may read requests.
	LinkRequests bool
	// Test is the delivery a test just made, shown open at the top with its outcome.
	Test *ag.Delivery
	// OOB adds the webhook's health for htmx to swap beside the log: a test changes it.
	OOB bool
}

// DeliveryRow is one delivery of the log.
type DeliveryRow struct {
	Webhook  *ag.Webhook
	Delivery ag.Delivery
	Now      time.Time
	Open     bool // its attempts shown
	// Follow makes a delivery that is about to be attempted (just tested or replayed)
	// fetch itself again until the attempt is in.
	Follow       bool
	Notice       string
	LinkRequests bool
}

// DeliveryPage is one delivery on a page of its own: where a test or a replay leads
// without htmx, and a link to share.
type DeliveryPage struct {
	Shell
	Row DeliveryRow
}
