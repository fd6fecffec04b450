package agentgate

import (
	"math"
	"sync"
	"time"
)

// RateLimiter enforces a per-key requests-per-minute limit with a sliding window: the count of
// the previous minute, weighted by how much of it still overlaps the last 60 seconds, plus the
// count of the current minute. It is memory-only and per instance; instances that share a
// database share their windows instead (see sharedLimiter).
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
	allow := allowance(limit, w.prev, now)
	if w.curr >= allow {
		return refused(limit, now)
	}
	w.curr++
	return allowed(limit, allow, w.curr, now)
}

// allowance is how many calls the current minute may count at now: the limit less the
// previous minute's count weighted by how much of that minute still overlaps the last 60
// seconds. A call is allowed while the current minute has counted fewer.
func allowance(limit, prev int, now time.Time) int {
	weight := 1 - now.Sub(now.Truncate(time.Minute)).Seconds()/60
	return limit - int(math.Floor(float64(prev)*weight))
}

// resetIn is the number of seconds until the current minute ends.
func resetIn(now time.Time) int {
	return int(math.Ceil((time.Minute - now.Sub(now.Truncate(time.Minute))).Seconds()))
}

// allowed is the answer for a call that made the current minute's count curr.
func allowed(limit, allow, curr int, now time.Time) RateStatus {
	return RateStatus{Allowed: true, Limit: limit, Remaining: max(allow-curr, 0), Reset: resetIn(now)}
}

// refused is the answer for a call over the limit.
func refused(limit int, now time.Time) RateStatus {
	reset := resetIn(now)
	return RateStatus{Limit: limit, Reset: reset, RetryAfter: max(reset, 1)}
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
