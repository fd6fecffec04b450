package webhook_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/agentgate/agentgate/webhook"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{" 30 ", 30 * time.Second, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"Sun, 01 Mar 2026 12:05:00 GMT", 5 * time.Minute, true},
		{"Sunday, 01-Mar-26 12:05:00 GMT", 5 * time.Minute, true}, // RFC 850, which HTTP allows
		{"Sun Mar  1 12:05:00 2026", 5 * time.Minute, true},       // asctime, likewise
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},    // already past: no wait
		{"86401", 24 * time.Hour, true},                           // capped at a day
		{"99999999999999999999999", 24 * time.Hour, true},         // beyond int64: capped
		{"9223372036854775", 24 * time.Hour, true},                // an int64, but not in nanoseconds
		{now.AddDate(1, 0, 0).Format(http.TimeFormat), 24 * time.Hour, true},
		{"", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"2026-03-01T12:05:00Z", 0, false}, // not an HTTP date
	}
	for _, tt := range tests {
		got, ok := webhook.ParseRetryAfter(tt.value, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.ok)
		}
	}
}
