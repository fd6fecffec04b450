package agentgate

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// RateWindows counts rate-limited keys' calls per minute where every instance sharing a
// database counts them, so that a key's limit holds across instances rather than once per
// instance. Minutes are identified by their start.
type RateWindows interface {
	// CountCall counts one call by keyID in minute unless the minute has already counted
	// allowance calls, and returns the minute's count after the call; counted is false
	// (and n meaningless) when the call was not counted.
	CountCall(ctx context.Context, keyID string, minute time.Time, allowance int) (n int, counted bool, err error)
	// CallsIn returns how many calls by keyID minute counted.
	CallsIn(ctx context.Context, keyID string, minute time.Time) (int, error)
	// DeleteRateWindowsBefore deletes the counts of minutes that started before t.
	DeleteRateWindowsBefore(ctx context.Context, t time.Time) (int, error)
}

// sharedLimiter applies RateLimiter's sliding window to counts in RateWindows. The
// current minute is counted by one conditional statement per call; the previous minute's
// count, which no longer changes, is read once per key and minute and kept.
type sharedLimiter struct {
	windows RateWindows
	mu      sync.Mutex
	prev    map[string]prevMinute // key id → its previous minute's count
	deleted time.Time             // when old windows were last deleted; Run's goroutine only
}

type prevMinute struct {
	minute time.Time // the current minute when read: the count is of the one before
	n      int
}

// newSharedLimiter returns a limiter over w, or nil when w is nil.
func newSharedLimiter(w RateWindows) *sharedLimiter {
	if w == nil {
		return nil
	}
	return &sharedLimiter{windows: w, prev: map[string]prevMinute{}}
}

// allow counts one call by keyID against limit per minute at now.
func (l *sharedLimiter) allow(ctx context.Context, keyID string, limit int, now time.Time) (RateStatus, error) {
	minute := now.Truncate(time.Minute)
	prev, err := l.previous(ctx, keyID, minute)
	if err != nil {
		return RateStatus{}, err
	}
	allow := allowance(limit, prev, now)
	if allow <= 0 {
		return refused(limit, now), nil
	}
	n, counted, err := l.windows.CountCall(ctx, keyID, minute, allow)
	if err != nil {
		return RateStatus{}, fmt.Errorf("count call: %w", err)
	}
	if !counted {
		return refused(limit, now), nil
	}
	return allowed(limit, allow, n, now), nil
}

// previous returns the count of the minute before minute, reading it on the first call of
// each minute.
func (l *sharedLimiter) previous(ctx context.Context, keyID string, minute time.Time) (int, error) {
	l.mu.Lock()
	p, ok := l.prev[keyID]
	l.mu.Unlock()
	if ok && p.minute.Equal(minute) {
		return p.n, nil
	}
	n, err := l.windows.CallsIn(ctx, keyID, minute.Add(-time.Minute))
	if err != nil {
		return 0, fmt.Errorf("read the previous minute's calls: %w", err)
	}
	l.mu.Lock()
	l.prev[keyID] = prevMinute{minute: minute, n: n}
	l.mu.Unlock()
	return n, nil
}

// dropKept drops the kept counts of minutes before now's, so that revoked and idle keys
// do not pile up.
func (l *sharedLimiter) dropKept(now time.Time) {
	minute := now.Truncate(time.Minute)
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, p := range l.prev {
		if p.minute.Before(minute) {
			delete(l.prev, k)
		}
	}
}

// forgetRates drops rate windows that no call needs any more: in memory at every tick,
// and in the shared windows hourly (those of minutes before the previous one).
func (g *Gate) forgetRates(ctx context.Context, now time.Time) {
	g.limiter.Forget(now)
	l := g.shared
	if l == nil {
		return
	}
	l.dropKept(now)
	if now.Sub(l.deleted) < sessionSweepInterval {
		return
	}
	l.deleted = now
	minute := now.Truncate(time.Minute)
	if _, err := l.windows.DeleteRateWindowsBefore(ctx, minute.Add(-time.Minute)); err != nil &&
		ctx.Err() == nil && ErrorKind(err) != KindUnavailable {
		g.log.Error("Could not delete old rate windows.", "err", err)
	}
}
