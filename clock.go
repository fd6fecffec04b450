package agentgate

import "time"

// Clock tells the time. Services take one so that expiry and waiting are tested without sleeps.
type Clock interface {
	Now() time.Time
}

// ParseTimeOrDate reads an RFC 3339 time or a YYYY-MM-DD date, in UTC. A date is its
// midnight, or with endOfDay the next midnight, so that a date as an upper bound includes
// that day.
func ParseTimeOrDate(s string, endOfDay bool) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, false
	}
	if endOfDay {
		t = t.AddDate(0, 0, 1)
	}
	return t, true
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC, to the microsecond: what the stores keep, so a
// request reads back exactly as it was returned when created.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
