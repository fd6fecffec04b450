package views

import (
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

func TestShortURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://hooks.example.com/", "hooks.example.com"},
		{"https://hooks.example.com/agentgate?team=ops", "hooks.example.com/agentgate?team=ops"},
		{"http://10.0.0.5:8080/hook", "http://10.0.0.5:8080/hook"}, // plain http stays visible
		{"https://h.example.com/a/very/long/path/that/goes/on/and/on/and/on/for/ever", "h.example.com/a/very/long/path/that/goes/on/and/on/and/on/f…"},
		{"not a url", "not a url"},
	} {
		if got := ShortURL(tc.in); got != tc.want {
			t.Errorf("ShortURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for noun, want := range map[string]string{"delivery": "deliveries", "key": "keys", "rule": "rules", "day": "days", "person": "people"} {
		if got := Plural(noun); got != want {
			t.Errorf("Plural(%q) = %q, want %q", noun, got, want)
		}
	}
}

// The health reads in words; the colour only repeats it.
func TestHealth(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	at := now.Add(-3 * time.Minute)
	for _, tc := range []struct {
		h                           *ag.WebhookHealth
		label, tone, last, failures string
	}{
		{nil, "No deliveries yet", "tone-quiet", "Nothing sent yet", "no attempts in 24 h"},
		{&ag.WebhookHealth{LastAttemptAt: &at, LastAttemptOK: true, LastStatusCode: 204, Attempts24h: 5},
			"Healthy", "tone-ok", "Last: HTTP 204, 3 min ago", "none of 5 attempts failed in 24 h"},
		{&ag.WebhookHealth{LastAttemptAt: &at, LastAttemptOK: true, LastStatusCode: 200, Attempts24h: 5, Failures24h: 2},
			"Recovered", "tone-wait", "Last: HTTP 200, 3 min ago", "2 of 5 attempts failed in 24 h"},
		{&ag.WebhookHealth{LastAttemptAt: &at, Attempts24h: 1, Failures24h: 1},
			"Failing", "tone-bad", "Last: no answer, 3 min ago", "1 of 1 attempt failed in 24 h"},
	} {
		if l, tone, last, f := healthLabel(tc.h), healthTone(tc.h), lastAttempt(now, tc.h), failures(tc.h); l != tc.label ||
			tone != tc.tone || last != tc.last || f != tc.failures {
			t.Errorf("%+v: %q %q %q %q, want %q %q %q %q", tc.h, l, tone, last, f, tc.label, tc.tone, tc.last, tc.failures)
		}
	}
}

// A row follows a delivery about to be attempted, and stops when it is settled, when the
// attempt is far off, or when nothing has happened to it for a while.
func TestFollowable(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	for _, tc := range []struct {
		name string
		d    ag.Delivery
		want bool
	}{
		{"due now", ag.Delivery{Status: ag.DeliveryPending, NextAttemptAt: at(0), UpdatedAt: now}, true},
		{"retry in 5 s", ag.Delivery{Status: ag.DeliveryPending, NextAttemptAt: at(5 * time.Second), UpdatedAt: now}, true},
		{"retry in 5 min", ag.Delivery{Status: ag.DeliveryPending, NextAttemptAt: at(5 * time.Minute), UpdatedAt: now}, false},
		{"due, untouched for 3 min", ag.Delivery{Status: ag.DeliveryPending, NextAttemptAt: at(0), UpdatedAt: now.Add(-3 * time.Minute)}, false},
		{"delivered", ag.Delivery{Status: ag.DeliveryDelivered, UpdatedAt: now}, false},
	} {
		if got := followable(now, tc.d); got != tc.want {
			t.Errorf("%s: followable %v, want %v", tc.name, got, tc.want)
		}
	}
}
