package handlers

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/agentgate/agentgate"
)

// statusOf maps a domain error kind to its HTTP status. It is the only such mapping.
func statusOf(k agentgate.Kind) int {
	switch k {
	case agentgate.KindInvalid:
		return http.StatusBadRequest
	case agentgate.KindUnauthorized:
		return http.StatusUnauthorized
	case agentgate.KindForbidden:
		return http.StatusForbidden
	case agentgate.KindNotFound:
		return http.StatusNotFound
	case agentgate.KindConflict:
		return http.StatusConflict
	case agentgate.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case agentgate.KindUnprocessable:
		return http.StatusUnprocessableEntity
	case agentgate.KindRateLimited:
		return http.StatusTooManyRequests
	case agentgate.KindUnavailable:
		return http.StatusServiceUnavailable
	case agentgate.KindGone:
		return http.StatusGone
	case agentgate.KindMediaType:
		return http.StatusUnsupportedMediaType
	}
	return http.StatusInternalServerError
}

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error   string         `json:"error"`
	Code    string         `json:"code"`
	Details map[string]any `json:"details,omitempty"`
}

// toAPIError turns any error into a status and a body safe to show: domain errors keep their
// message, Echo's routing errors get a code, anything else is an internal error whose text
// is logged, never sent.
func toAPIError(err error) (int, errorBody) {
	var de *agentgate.Error
	if errors.As(err, &de) && de.Kind != agentgate.KindInternal {
		return statusOf(de.Kind), errorBody{Error: de.Message, Code: de.Code, Details: de.Details}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return he.Code, errorBody{Error: "no such route; see the API reference in the README", Code: "route_not_found"}
		case http.StatusMethodNotAllowed:
			msg, ok := he.Message.(string)
			if !ok {
				msg = "this route does not accept that method"
			}
			return he.Code, errorBody{Error: msg, Code: "method_not_allowed"}
		case http.StatusRequestEntityTooLarge:
			return he.Code, errorBody{Error: "request body is larger than 1 MiB", Code: "body_too_large"}
		}
		if he.Code < 500 {
			return he.Code, errorBody{Error: http.StatusText(he.Code), Code: "http_error"}
		}
	}
	return http.StatusInternalServerError, errorBody{Error: "internal error; the server log has the details under this request's id", Code: agentgate.CodeInternal}
}

// statusClientClosed is the status (nginx's) recorded when the client went away before
// its answer was ready: not the server's failure, so neither a 5xx nor an ERROR line.
const statusClientClosed = 499

// unavailableRetryAfter is the Retry-After, in seconds, of every 503: long enough for a
// database restart or failover to make progress, short enough that agents resume soon.
const unavailableRetryAfter = "5"

// errorHandler is Echo's one error handler: JSON for the API, an HTML page for the dashboard.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return // a write failed part-way, so the client has gone; there is no one to tell
	}
	status, body := toAPIError(err)
	ctx := c.Request().Context()
	switch {
	case ctx.Err() != nil: // the client closed the connection; whatever failed, failed for that
		status, body = statusClientClosed, errorBody{Error: "the client closed the connection before the answer was ready", Code: "client_closed_request"}
		s.logger(c).Debug("Client went away before the answer.", "err", err)
	case agentgate.ErrorKind(err) == agentgate.KindUnavailable:
		// The store logs an outage once when it starts and once when it ends; a line per
		// refused request would bury both.
		s.logger(c).Debug("Request refused: a dependency is down.", "err", err, "status", status)
	case status >= 500:
		s.logger(c).Error("Request failed.", "err", err, "status", status)
	case s.log.Enabled(ctx, slog.LevelDebug):
		s.logger(c).Debug("Request refused.", "err", err, "status", status)
	}
	if status == http.StatusUnauthorized && isAPI(c) {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, bearerChallenge(body.Code))
	}
	if status == http.StatusServiceUnavailable && c.Response().Header().Get("Retry-After") == "" {
		c.Response().Header().Set("Retry-After", unavailableRetryAfter)
	}
	if !isAPI(c) {
		if err := s.renderErrorPage(c, status, body.Error); err == nil {
			return
		}
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, body)
}

// bearerChallenge is the WWW-Authenticate of an API 401 (RFC 6750): a request that sent no
// key is only told the scheme, one whose key was refused is also told error="invalid_token".
func bearerChallenge(code string) string {
	if code == codeMissingAPIKey || code == codeMissingMetricsToken {
		return `Bearer realm="agentgate"`
	}
	return `Bearer realm="agentgate", error="invalid_token"`
}
