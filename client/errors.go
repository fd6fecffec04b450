package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error is an error answer from the server: its HTTP status, the stable snake_case code, the
// human message and any details, as the API sends them. Use errors.As to read it.
type Error struct {
	Status  int
	Code    string
	Message string
	Details map[string]any
	// RetryAfter is how long the server asked the caller to wait (429 and 503), else zero.
	RetryAfter time.Duration
	// RequestID is the server's X-Request-ID for the call, for finding it in the server log.
	RequestID string
}

// Error returns the server's message followed by its code, such as
// "request req_01J... is already approved (already_decided)".
func (e *Error) Error() string {
	if e.Code == "" {
		return e.Message
	}
	return e.Message + " (" + e.Code + ")"
}

// errorBody is the API's error shape.
type errorBody struct {
	Error   string         `json:"error"`
	Code    string         `json:"code"`
	Details map[string]any `json:"details"`
}

// errorFromResponse reads a non-2xx response into an *Error. A body that is not the API's
// error shape (a proxy's HTML page, say) still gives a readable message.
func errorFromResponse(resp *http.Response) *Error {
	e := &Error{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-ID")}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
			e.RetryAfter = time.Duration(n) * time.Second
		} else if t, err := http.ParseTime(s); err == nil {
			e.RetryAfter = max(time.Until(t), 0)
		}
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body errorBody
	if json.Unmarshal(raw, &body) == nil && body.Error != "" {
		e.Message, e.Code, e.Details = body.Error, body.Code, body.Details
		return e
	}
	text := strings.TrimSpace(string(raw))
	if len(text) > 200 {
		text = text[:200] + "…"
	}
	e.Code = "http_" + strconv.Itoa(resp.StatusCode)
	e.Message = fmt.Sprintf("server answered %s", resp.Status)
	if text != "" {
		e.Message += ": " + text
	}
	return e
}

// statusOf returns the HTTP status of the *Error in err's chain, or 0.
func statusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// IsNotFound reports whether err is the server saying the thing asked for does not exist.
func IsNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// IsConflict reports whether err is the server refusing a change because the state moved on,
// such as deciding a request that is already decided.
func IsConflict(err error) bool { return statusOf(err) == http.StatusConflict }

// IsRateLimited reports whether err is the server refusing a call over the key's rate limit,
// and how long it asked the caller to wait before trying again.
func IsRateLimited(err error) (retryAfter time.Duration, ok bool) {
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusTooManyRequests {
		return e.RetryAfter, true
	}
	return 0, false
}
