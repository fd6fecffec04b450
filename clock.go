package agentgate

import "time"

// Clock tells the time. Services take one so that expiry and waiting are tested without sleeps.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
