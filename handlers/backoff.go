package handlers

import (
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

// Backoff after failed authentication: a few free attempts per address, then a wait that
// doubles with every failure, up to a minute; a quiet quarter hour forgets the failures.
const (
	freeAttempts = 3
	maxBackoff   = time.Minute
	forgetAfter  = 15 * time.Minute
	maxTracked   = 10000
)

// authBackoff slows repeated failed authentication from one client address, whichever
// door it comes through: a wrong key at the dashboard's sign-in and a wrong Bearer key at
// the API share one count, so an address locked out of one is locked out of the other.
// Memory only, per instance.
//
// A success does not forget the failures: otherwise anyone holding one valid key, however
// small its scopes, could sign in between guesses and guess forever.
//
// Every authenticated API call asks wait, so an address without failures costs one read
// of a sync.Map, which takes no lock and does not contend.
type authBackoff struct {
	now     func() time.Time
	m       sync.Map // client key (see backoffKey) → *failures
	tracked atomic.Int64
	sweep   sync.Mutex // one sweep at a time
}

type failures struct {
	mu   sync.Mutex
	n    int
	last time.Time
}

func newAuthBackoff(now func() time.Time) *authBackoff { return &authBackoff{now: now} }

// wait returns how long addr must wait before its next attempt; zero means go ahead.
func (b *authBackoff) wait(addr string) time.Duration {
	v, ok := b.m.Load(backoffKey(addr))
	if !ok {
		return 0
	}
	f, now := v.(*failures), b.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n < freeAttempts || now.Sub(f.last) > forgetAfter {
		return 0
	}
	d := min(time.Second<<min(f.n-freeAttempts, 6), maxBackoff)
	return max(f.last.Add(d).Sub(now), 0)
}

// fail records a failed attempt from addr.
func (b *authBackoff) fail(addr string) {
	k, now := backoffKey(addr), b.now()
	v, ok := b.m.Load(k)
	if !ok {
		b.makeRoom(now)
		var loaded bool
		if v, loaded = b.m.LoadOrStore(k, &failures{}); !loaded {
			b.tracked.Add(1)
		}
	}
	f := v.(*failures)
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.Sub(f.last) > forgetAfter {
		f.n = 0
	}
	f.n++
	f.last = now
}

// makeRoom bounds the memory an attacker with many addresses can take: when the table is
// full it drops the forgotten entries, and if that is not enough, everything.
func (b *authBackoff) makeRoom(now time.Time) {
	if b.tracked.Load() < maxTracked {
		return
	}
	b.sweep.Lock()
	defer b.sweep.Unlock()
	if b.tracked.Load() < maxTracked {
		return
	}
	b.m.Range(func(k, v any) bool {
		f := v.(*failures)
		f.mu.Lock()
		stale := now.Sub(f.last) > forgetAfter
		f.mu.Unlock()
		if stale && b.m.CompareAndDelete(k, v) {
			b.tracked.Add(-1)
		}
		return true
	})
	if b.tracked.Load() >= maxTracked {
		b.m.Clear()
		b.tracked.Store(0)
	}
}

// retrySeconds is d rounded up to whole seconds, for Retry-After.
func retrySeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// tooManyFailures refuses an API call from an address that is waiting out its backoff.
func tooManyFailures(c echo.Context, wait time.Duration) error {
	secs := retrySeconds(wait)
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return ag.Errorf(ag.KindRateLimited, "too_many_failures",
		"too many failed authentications from your address; wait %d s, then try again with a valid key", secs).
		WithDetails(map[string]any{"retryAfter": secs})
}
