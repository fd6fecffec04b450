package agentgate

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it. The HTTP layer maps each kind
// to one status code; the domain never speaks HTTP.
type Kind int

// Error kinds, from the caller's point of view.
const (
	KindInternal      Kind = iota // our fault; the message is never shown
	KindInvalid                   // the input is malformed or out of range (400)
	KindUnauthorized              // no or bad credentials (401)
	KindForbidden                 // credentials lack a scope or right (403)
	KindNotFound                  // the named thing does not exist (404)
	KindConflict                  // the state changed under the caller (409)
	KindTooLarge                  // the body is over the limit (413)
	KindUnprocessable             // well-formed but refused by a rule (422)
	KindRateLimited               // too many calls (429)
	KindUnavailable               // a dependency is down (503)
	KindGone                      // the thing existed but is used up or expired (410)
	KindMediaType                 // the body is not in a media type the route reads (415)
)

// Error is a domain error with a stable machine-readable code and a message written for the
// person who has to fix the input.
type Error struct {
	Kind    Kind
	Code    string         // stable snake_case code, part of the API
	Message string         // human message, safe to show
	Details map[string]any // optional structured details
	Err     error          // wrapped cause, never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind and code with a formatted message.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithDetails returns e with the details set; it is meant for chaining on a new error.
func (e *Error) WithDetails(d map[string]any) *Error {
	e.Details = d
	return e
}

// ErrorKind returns the kind of the first *Error in err's chain, or KindInternal.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Error codes that code acts on, not only people; the others are written where they arise.
const (
	CodeInternal       = "internal_error"  // any error that is not an *Error
	CodeAlreadyDecided = "already_decided" // the request left pending before this change
	CodeRequestExpired = "request_expired" // the request is past its expiry
)

// ErrorCode returns the code of the first *Error in err's chain, or CodeInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the message of the first *Error in err's chain, or err's own text.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// ErrNotFound is returned by stores when a row does not exist; services turn it into an
// *Error that names the missing thing.
var ErrNotFound = errors.New("not found")

// ErrStale is returned by a store when a conditional update found the row changed since it
// was read (its version moved). The service reloads and decides again.
var ErrStale = errors.New("stale version")

// Invalid is shorthand for a KindInvalid error with code "invalid_request".
func Invalid(format string, args ...any) *Error {
	return Errorf(KindInvalid, "invalid_request", format, args...)
}

// NotFound returns a KindNotFound error naming what is missing.
func NotFound(what, id string) *Error {
	return Errorf(KindNotFound, "not_found", "%s %q not found", what, id)
}
