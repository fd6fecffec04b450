package agentgate

import (
	"math"
	"sync"
	"time"
)

// RateLimiter enforces a per-key requests-per-minute limit with a sliding window: the count of
// the previous minute, weighted by how much of it still overlaps the last 60 seconds, plus the
// count of the current minute. It is memory-only and per instance.
type RateLimiter struct {
	mu      sync.Mutex
	windows map[string]*window
}

type window struct {
	start      time.Time // start of the current fixed minute
	prev, curr int
}

// RateStatus is the answer for one call, with what the response headers need.
type RateStatus struct {
	Allowed   bool
	Limit     int
	Remaining int
	Reset     int // seconds until the current window resets
	// RetryAfter is the number of seconds to wait when refused.
	RetryAfter int
}

// NewRateLimiter returns an empty limiter.
func NewRateLimiter() *RateLimiter { return &RateLimiter{windows: map[string]*window{}} }

// Allow counts one call by key against limit per minute at now.
func (l *RateLimiter) Allow(key string, limit int, now time.Time) RateStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	minute := now.Truncate(time.Minute)
	w := l.windows[key]
	if w == nil {
		w = &window{start: minute}
		l.windows[key] = w
	}
	switch d := minute.Sub(w.start); {
	case d == time.Minute:
		w.prev, w.curr, w.start = w.curr, 0, minute
	case d > time.Minute:
		w.prev, w.curr, w.start = 0, 0, minute
	}
	elapsed := now.Sub(w.start)
	weight := 1 - elapsed.Seconds()/60
	used := int(math.Floor(float64(w.prev)*weight)) + w.curr
	reset := int(math.Ceil((time.Minute - elapsed).Seconds()))
	st := RateStatus{Limit: limit, Reset: reset}
	if used >= limit {
		st.RetryAfter = max(reset, 1)
		return st
	}
	w.curr++
	st.Allowed = true
	st.Remaining = max(limit-used-1, 0)
	return st
}

// Forget drops windows untouched for two minutes, so revoked and idle keys do not pile up.
func (l *RateLimiter) Forget(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, w := range l.windows {
		if now.Sub(w.start) > 2*time.Minute {
			delete(l.windows, k)
		}
	}
}
