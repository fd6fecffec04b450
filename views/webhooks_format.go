package views

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	ag "github.com/agentgate/agentgate"
)

// ShortURL is a webhook URL as a list names it: host and path, without the scheme unless
// it is plain http (worth noticing), cut to a readable length.
func ShortURL(raw string) string {
	host, rest := urlParts(raw)
	return Short(host+rest, 60)
}

// urlParts splits a webhook URL into what identifies the receiver (the host, with
// "http://" kept as a warning that deliveries travel unencrypted) and the rest.
func urlParts(raw string) (host, rest string) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw, ""
	}
	host = u.Host
	if u.Scheme == "http" {
		host = "http://" + host
	}
	rest = u.EscapedPath()
	if u.RawQuery != "" {
		rest += "?" + u.RawQuery
	}
	if rest == "/" {
		rest = ""
	}
	return host, rest
}

// EventHelp says when each webhook event is sent, for the form.
var EventHelp = map[string]string{
	ag.EventRequestCreated:   "a request waits for people",
	ag.EventRequestDecided:   "approved or denied, by people or a policy",
	ag.EventRequestApproved:  "approved",
	ag.EventRequestDenied:    "denied",
	ag.EventRequestExpired:   "expired without a decision",
	ag.EventRequestCancelled: "withdrawn by its agent",
}

// eventsSummary names a subscription's events briefly: "All events", or the types
// without their "request." prefix.
func eventsSummary(events []string) []string {
	if slices.Contains(events, ag.WebhookAllEvents) {
		return []string{"All events"}
	}
	out := make([]string, 0, len(events))
	for _, e := range events {
		out = append(out, strings.TrimPrefix(e, "request."))
	}
	return out
}

func allEvents(events []string) bool { return slices.Contains(events, ag.WebhookAllEvents) }

func hasString(list []string, s string) bool { return slices.Contains(list, s) }

// healthLabel says in a word or two how deliveries to a webhook have gone; the colour
// (healthTone) only repeats it.
func healthLabel(h *ag.WebhookHealth) string {
	switch {
	case h == nil || h.LastAttemptAt == nil:
		return "No deliveries yet"
	case !h.LastAttemptOK:
		return "Failing"
	case h.Failures24h > 0:
		return "Recovered"
	}
	return "Healthy"
}

func healthTone(h *ag.WebhookHealth) string {
	switch healthLabel(h) {
	case "Failing":
		return "tone-bad"
	case "Recovered":
		return "tone-wait"
	case "Healthy":
		return "tone-ok"
	}
	return "tone-quiet"
}

// lastAttempt says how the last attempt went and when: "HTTP 200, 3 min ago".
func lastAttempt(now time.Time, h *ag.WebhookHealth) string {
	if h == nil || h.LastAttemptAt == nil {
		return "Nothing sent yet"
	}
	return "Last: " + lastAttemptResult(h) + ", " + Ago(now, *h.LastAttemptAt)
}

// lastAttemptResult is the last attempt's answer: "HTTP 200", or "no answer".
func lastAttemptResult(h *ag.WebhookHealth) string {
	if h.LastStatusCode == 0 {
		return "no answer"
	}
	return "HTTP " + Itoa(h.LastStatusCode)
}

// failures says how many attempts failed in the last day.
func failures(h *ag.WebhookHealth) string {
	if h == nil || h.Attempts24h == 0 {
		return "no attempts in 24 h"
	}
	if h.Failures24h == 0 {
		return "none of " + Count(h.Attempts24h, "attempt") + " failed in 24 h"
	}
	return fmt.Sprintf("%s of %s failed in 24 h", Comma(h.Failures24h), Count(h.Attempts24h, "attempt"))
}

func deliveryTone(s ag.DeliveryStatus) string {
	switch s {
	case ag.DeliveryDelivered:
		return "tone-ok"
	case ag.DeliveryFailed:
		return "tone-bad"
	}
	return "tone-wait"
}

// deliveryLine sums up a delivery's attempts on one line: "2 attempts · last HTTP 503 ·
// next in 5 min".
func deliveryLine(now time.Time, d ag.Delivery) string {
	if len(d.History) == 0 {
		return "not attempted yet"
	}
	parts := []string{Count(len(d.History), "attempt"), "last " + attemptResult(d.History[len(d.History)-1])}
	if d.Status == ag.DeliveryPending && d.NextAttemptAt != nil {
		parts = append(parts, nextAttempt(now, *d.NextAttemptAt))
	}
	return strings.Join(parts, " · ")
}

// nextAttempt says when a pending delivery is tried again: "next in 5 min".
func nextAttempt(now, at time.Time) string {
	if at.Sub(now) < time.Second {
		return "retrying now"
	}
	return "next " + Until(now, at)
}

// dueIn says when something due at at comes: "in 5 min", or "now".
func dueIn(now, at time.Time) string {
	if at.Sub(now) < time.Second {
		return "now"
	}
	return Until(now, at)
}

// attemptResult is an attempt's outcome in a few words: "HTTP 200 OK", or "no answer".
func attemptResult(a ag.DeliveryAttempt) string {
	if a.StatusCode != 0 {
		return strings.TrimSpace("HTTP " + Itoa(a.StatusCode) + " " + http.StatusText(a.StatusCode))
	}
	return "no answer"
}

// Latency writes how long an attempt took: "14 ms", "1.2 s".
func Latency(ms float64) string {
	if ms < 1000 {
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.1f s", ms/1000)
}

// testOutcome says how a test went, and its tone.
func testOutcome(d *ag.Delivery) (string, string) {
	if len(d.History) == 0 {
		return "Test queued: no attempt has been made yet. Its row below updates when it is.", "wait"
	}
	last := d.History[len(d.History)-1]
	took := " in " + Latency(last.LatencyMillis)
	switch d.Status {
	case ag.DeliveryDelivered:
		return "Test delivered: the receiver answered " + attemptResult(last) + took + ".", "ok"
	case ag.DeliveryFailed:
		return "Test failed: " + orDash(d.LastError) + took + ". The receiver refused it for good; see its answer below.", "bad"
	}
	return "Test not delivered yet: " + orDash(d.LastError) + took + ". It is retried on the usual schedule.", "bad"
}

// followable reports whether a delivery's row should fetch itself again: its next attempt
// is close, and it changed lately. A delivery no dispatcher takes (none runs anywhere)
// stays due; its row stops asking after a while rather than asking every second.
func followable(now time.Time, d ag.Delivery) bool {
	return d.Status == ag.DeliveryPending && (d.NextAttemptAt == nil || d.NextAttemptAt.Sub(now) <= followAhead) &&
		now.Sub(d.UpdatedAt) < followFor
}

// How far ahead a row waits for its next attempt, and for how long after its last change.
const (
	followAhead = 30 * time.Second
	followFor   = 2 * time.Minute
)

// canReplay reports whether a delivery may be sent again: it is settled, and its webhook
// is on.
func canReplay(r DeliveryRow) bool {
	return r.Webhook.Enabled && r.Delivery.Status != ag.DeliveryPending
}

func deliveryHref(webhookID, id string) string {
	return WebhooksPath + "/" + webhookID + "/deliveries/" + id
}

var deliveryTabs = []struct {
	Status ag.DeliveryStatus
	Label  string
}{{"", "All"}, {ag.DeliveryPending, "Pending"}, {ag.DeliveryDelivered, "Delivered"}, {ag.DeliveryFailed, "Failed"}}
