package agentgate

import "time"

// Clock tells the time. Services take one so that expiry and waiting are tested without sleeps.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC, to the microsecond: what the stores keep, so a
// request reads back exactly as it was returned when created.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
