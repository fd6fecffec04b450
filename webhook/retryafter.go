package webhook

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter bounds what a receiver can ask for, so a hostile or broken answer cannot
// park a delivery for years (or overflow a Duration).
const maxRetryAfter = 24 * time.Hour

// ParseRetryAfter reads a Retry-After header value: seconds, or an HTTP date taken relative
// to now (a date already past is zero). It reports false for an empty or unreadable value,
// and caps the wait at a day.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true // only overflow fails on digits
		}
		d = time.Duration(secs) * time.Second
	} else {
		t, err := http.ParseTime(v)
		if err != nil {
			return 0, false
		}
		d = max(t.Sub(now), 0)
	}
	return min(d, maxRetryAfter), true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
