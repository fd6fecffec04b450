package handlers

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

// Context keys.
const (
	ctxKey       = "agentgate.key"
	ctxRequestID = "agentgate.request_id"
	ctxLogger    = "agentgate.logger"
)

// requestContext gives every request an id (echoed in X-Request-ID and on every log line)
// and a metrics observation. The logger carrying the id is built only when something logs.
func (s *Server) requestContext(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		r := c.Request()
		id := r.Header.Get(echo.HeaderXRequestID)
		if !validRequestID(id) {
			id = newRequestID()
		}
		c.Response().Header()[echo.HeaderXRequestID] = []string{id}
		c.Set(ctxRequestID, id)
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		elapsed := time.Since(start)
		s.metrics.observe(c.Path(), r.Method, status, elapsed)
		level := servedLevel(status)
		// Checked first because the arguments cost allocations and a header parse on every
		// request even when the level is off, as it is for served requests in production.
		if s.log.Enabled(r.Context(), level) {
			s.logger(c).Log(r.Context(), level, "Request served.", "method", r.Method, "path", r.URL.Path,
				"status", status, "duration_ms", float64(elapsed.Microseconds())/1000, "remote", c.RealIP())
		}
		return nil
	}
}

// servedLevel is the level of a request's log line: served requests are debug noise,
// refusals are worth a look, failures are errors. A 503 is debug too: the outage behind
// it is logged once when it starts and once when it ends, not once per request.
func servedLevel(status int) slog.Level {
	switch {
	case status == http.StatusServiceUnavailable:
		return slog.LevelDebug
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// newRequestID returns 16 random hex digits. A request id correlates log lines; it guards
// nothing, so it comes from the runtime's fast generator rather than a system call.
func newRequestID() string {
	var b [16]byte
	const hexDigits = "0123456789abcdef"
	n := rand.Uint64()
	for i := range b {
		b[i] = hexDigits[n>>(60-4*i)&0xf]
	}
	return string(b[:])
}

// logger returns the request's logger, which carries its id.
func (s *Server) logger(c echo.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger).(*slog.Logger); ok {
		return l
	}
	l := s.log
	if id, ok := c.Get(ctxRequestID).(string); ok {
		l = l.With("request_id", id)
	}
	c.Set(ctxLogger, l)
	return l
}

// recoverPanic turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return next(c)
	}
}

// bodyLimit refuses bodies over MaxBodyBytes: at once when Content-Length says so, and
// while reading otherwise.
func (s *Server) bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength > MaxBodyBytes {
			return tooLarge()
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, MaxBodyBytes)
		return next(c)
	}
}

func tooLarge() error {
	return ag.Errorf(ag.KindTooLarge, "body_too_large", "request body is larger than 1 MiB; send less")
}

// codeMissingAPIKey is the error code of a call that sent no API key at all.
const codeMissingAPIKey = "missing_api_key"

// authenticateKey requires a valid API key in Authorization: Bearer. An address that
// has failed too often is refused before its key is even looked at, so that guesses made
// while it waits are not tried (and a right one is not confirmed).
func (s *Server) authenticateKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method == http.MethodOptions {
			return next(c)
		}
		addr := c.RealIP()
		if wait := s.backoff.wait(addr); wait > 0 {
			return tooManyFailures(c, wait)
		}
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return ag.Errorf(ag.KindUnauthorized, codeMissingAPIKey, "send your API key as \"Authorization: Bearer agk_...\"")
		}
		k, err := s.gate.Authenticate(c.Request().Context(), strings.TrimSpace(secret))
		if err != nil {
			if ag.ErrorKind(err) == ag.KindUnauthorized {
				s.backoff.fail(addr)
			}
			return err
		}
		c.Set(ctxKey, k)
		return next(c)
	}
}

// rateLimit applies the key's requests-per-minute limit and reports it in headers.
func (s *Server) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		k := key(c)
		if k == nil {
			return next(c)
		}
		st, err := s.gate.CheckRate(c.Request().Context(), k)
		if err != nil {
			return err
		}
		if st.Limit > 0 {
			h := c.Response().Header()
			h.Set("X-RateLimit-Limit", strconv.Itoa(st.Limit))
			h.Set("X-RateLimit-Remaining", strconv.Itoa(st.Remaining))
			h.Set("X-RateLimit-Reset", strconv.Itoa(st.Reset))
		}
		if !st.Allowed {
			c.Response().Header().Set("Retry-After", strconv.Itoa(st.RetryAfter))
			return ag.Errorf(ag.KindRateLimited, "rate_limited", "rate limit of %d requests per minute exceeded; retry in %d s", st.Limit, st.RetryAfter).
				WithDetails(map[string]any{"retryAfter": st.RetryAfter})
		}
		return next(c)
	}
}

// key returns the authenticated key, or nil.
func key(c echo.Context) *ag.APIKey {
	k, _ := c.Get(ctxKey).(*ag.APIKey)
	return k
}

// need refuses callers whose key has none of the scopes (admin has all).
func need(scopes ...ag.Scope) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			k := key(c)
			if k == nil {
				return ag.Errorf(ag.KindUnauthorized, codeMissingAPIKey, "sign in or send an API key")
			}
			if !k.HasAny(scopes...) {
				return ag.Errorf(ag.KindForbidden, "missing_scope", "this API key lacks the %s scope this route needs", scopes[0]).
					WithDetails(map[string]any{"required": scopes})
			}
			return next(c)
		}
	}
}

// cors allows browsers on CORS_ORIGINS to call the JSON API.
func (s *Server) cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		origin := c.Request().Header.Get(echo.HeaderOrigin)
		if origin == "" || !slices.Contains(s.cfg.CORSOrigins, origin) {
			return next(c)
		}
		h := c.Response().Header()
		h.Set(echo.HeaderAccessControlAllowOrigin, origin)
		h.Add(echo.HeaderVary, echo.HeaderOrigin)
		h.Set(echo.HeaderAccessControlExposeHeaders, "X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, Idempotent-Replayed")
		if c.Request().Method == http.MethodOptions {
			h.Set(echo.HeaderAccessControlAllowMethods, "GET, POST, PUT, PATCH, DELETE")
			h.Set(echo.HeaderAccessControlAllowHeaders, "Authorization, Content-Type, X-Request-ID, Idempotency-Key")
			h.Set(echo.HeaderAccessControlMaxAge, "600")
			return c.NoContent(http.StatusNoContent)
		}
		return next(c)
	}
}
