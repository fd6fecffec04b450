package agentgate

import (
	"strings"
	"time"
	"unicode/utf8"
)

// RetrySchedule is how long the outbox waits after each failed attempt before the next:
// the first attempt is made at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h:
// eight attempts over 14 to 28 hours, after which the delivery fails for good (a replay
// starts the schedule again).
//
// Each wait is jittered over the upper half of its step (a step of 5 min waits 2.5 to 5
// min): enough to spread a burst of failures to one receiver, while the spacing holds, so
// a receiver that is down for an hour still gets attempts hours apart. (Full jitter, a
// wait anywhere from zero to the step, could spend the eight attempts in a few minutes.)
var RetrySchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// maxRetryAfter caps how long a peer's Retry-After may hold a delivery back.
const maxRetryAfter = 24 * time.Hour

// nextState decides where an attempt made at now leaves d: delivered, failed for good (the
// peer refused for good, or the schedule is spent), or pending until the next attempt,
// which is no sooner than the peer's Retry-After. jitter is in [0, 1).
func nextState(d Delivery, now time.Time, res SendResult, sendErr error, jitter float64) DeliveryState {
	switch {
	case sendErr == nil:
		return DeliveryState{Status: DeliveryDelivered}
	case res.Permanent:
		return DeliveryState{Status: DeliveryFailed}
	}
	step := d.Attempts - d.ScheduleFrom // attempts of this round before the one just made
	if step < 0 || step >= len(RetrySchedule) {
		return DeliveryState{Status: DeliveryFailed}
	}
	full := RetrySchedule[step]
	wait := full/2 + time.Duration(jitter*float64(full/2))
	wait = max(wait, min(res.RetryAfter, maxRetryAfter))
	return DeliveryState{Status: DeliveryPending, NextAttemptAt: now.Add(wait)}
}

// excerpt returns at most MaxResponseExcerpt bytes of s, cut at a character boundary, and
// valid UTF-8 without NUL, so that any database stores it.
func excerpt(s string) string {
	if !Storable(s) {
		s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	}
	if len(s) > MaxResponseExcerpt {
		cut := MaxResponseExcerpt
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}
