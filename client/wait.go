package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"github.com/agentgate/agentgate"
)

// pollGrace is how much longer than the asked-for wait one long-poll may take before the
// client gives up on the connection as dead and tries again.
const pollGrace = 30 * time.Second

// WaitForDecision waits until the request is no longer pending and returns it: approved,
// denied, expired or cancelled. It long-polls the server (GET /api/requests/:id?wait=30s) in a
// loop, so it returns as soon as a person decides, and it rides out a restarting server, a
// dropped connection or a rate limit by retrying with exponential backoff and jitter.
//
// It waits as long as ctx allows: give ctx a deadline to bound the wait. When ctx ends first
// it returns the request as last seen (nil if it was never fetched) with an error that wraps
// ctx.Err(), so errors.Is(err, context.DeadlineExceeded) tells a timeout. Errors the server
// will keep giving (no such request, a bad key) end the wait at once.
func (c *Client) WaitForDecision(ctx context.Context, id string) (*agentgate.Request, error) {
	var last *agentgate.Request
	attempt := 0
	for {
		wait := c.pollWait
		if dl, ok := ctx.Deadline(); ok {
			// Ask for a little less than what is left, so the answer arrives in time.
			left := time.Until(dl)
			wait = min(wait, left-min(left/5, time.Second))
		}
		if wait <= 0 {
			<-ctx.Done() // the deadline is now; let the context say so
		}
		if ctx.Err() != nil {
			return last, stillPending(id, ctx)
		}
		r, err := c.poll(ctx, id, wait)
		switch {
		case err == nil:
			attempt = 0
			last = r
			if r.Status != agentgate.StatusPending {
				return r, nil
			}
			continue
		case ctx.Err() != nil:
			return last, stillPending(id, ctx)
		case !retryable(err):
			return last, err
		}
		delay := c.retryDelay(attempt, err)
		attempt++
		if !sleep(ctx, delay) {
			return last, stillPending(id, ctx)
		}
	}
}

// poll makes one long-poll, bounded so that a connection that died silently is noticed.
func (c *Client) poll(ctx context.Context, id string, wait time.Duration) (*agentgate.Request, error) {
	pctx, cancel := context.WithTimeout(ctx, wait+pollGrace)
	defer cancel()
	q := url.Values{"wait": {waitParam(wait)}}
	var r agentgate.Request
	if err := c.call(pctx, http.MethodGet, "/api/requests/"+escape(id), q, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// waitParam writes d as whole seconds, or milliseconds when under a second.
func waitParam(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%ds", int(d/time.Second))
	}
	return fmt.Sprintf("%dms", max(int(d/time.Millisecond), 1))
}

func stillPending(id string, ctx context.Context) error {
	return fmt.Errorf("no decision on request %s yet: %w", id, context.Cause(ctx))
}

// retryable reports whether err may go away by itself: the server could not be reached or
// is overloaded or restarting. Other API errors will not change by asking again.
func retryable(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return true // transport error: refused, reset, timed out
	}
	switch e.Status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		return true
	}
	return e.Status >= 500
}

// retryDelay is the wait before retry number attempt (0-based) after err: the backoff, or
// longer when the server asked for longer.
func (c *Client) retryDelay(attempt int, err error) time.Duration {
	delay := c.backoff.delay(attempt)
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.RetryAfter > delay {
		delay = apiErr.RetryAfter
	}
	return delay
}

// delay is the wait before retry number attempt (0-based): exponential, capped, with "equal
// jitter" (half fixed, half random) so it never collapses to zero.
func (b Backoff) delay(attempt int) time.Duration {
	d := b.Max
	if attempt < 30 {
		d = min(b.Min<<attempt, b.Max)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// sleep waits d or until ctx ends; it reports whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
