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

// errorHandler is Echo's one error handler: JSON for the API, an HTML page for the dashboard.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, body := toAPIError(err)
	if status >= 500 {
		s.logger(c).Error("Request failed.", "err", err, "status", status)
	} else if s.log.Enabled(c.Request().Context(), slog.LevelDebug) {
		s.logger(c).Debug("Request refused.", "err", err, "status", status)
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
