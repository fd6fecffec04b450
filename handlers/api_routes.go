package handlers

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// apiRouteNotFound answers an API path that no route serves. When routes serve the path
// under other methods it is a 405 naming them, in the Allow header and the message;
// otherwise a 404.
func (s *Server) apiRouteNotFound(c echo.Context) error {
	r := c.Request()
	allowed := methodsFor(c.Echo().Routes(), r.URL.Path)
	if len(allowed) == 0 {
		return echo.ErrNotFound
	}
	list := strings.Join(allowed, ", ")
	c.Response().Header().Set("Allow", list)
	return &echo.HTTPError{Code: http.StatusMethodNotAllowed,
		Message: r.Method + " is not accepted here; this route takes " + list}
}

// methodsFor lists, sorted, the methods of the routes whose pattern matches path.
func methodsFor(routes []*echo.Route, path string) []string {
	var out []string
	for _, rt := range routes {
		if rt.Method == echo.RouteNotFound || slices.Contains(out, rt.Method) || !patternMatches(rt.Path, path) {
			continue
		}
		out = append(out, rt.Method)
	}
	slices.Sort(out)
	return out
}

// patternMatches reports whether an Echo route pattern ("/api/requests/:id") matches path
// segment for segment; a :param matches any one non-empty segment, a * the rest.
func patternMatches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	for i, p := range ps {
		if p == "*" {
			return true
		}
		if i >= len(xs) || p != xs[i] && !(strings.HasPrefix(p, ":") && xs[i] != "") {
			return false
		}
	}
	return len(ps) == len(xs)
}

// deletedBody is the answer of every DELETE route: the original AgentGate's shape, so its
// clients, which show the body, keep working.
type deletedBody struct {
	Success bool   `json:"success"`
	ID      string `json:"id"`
}

// deleted answers a DELETE route that removed (or revoked) the thing with that id.
func deleted(c echo.Context, id string) error {
	return c.JSON(http.StatusOK, deletedBody{Success: true, ID: id})
}
