package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// htmx request and response headers, named once.
const (
	hxRequest        = "HX-Request"                 // set on every htmx request
	hxBoosted        = "HX-Boosted"                 // the request comes from hx-boost: wants a page
	hxHistoryRestore = "HX-History-Restore-Request" // htmx rebuilds history: wants a page
	hxRedirect       = "HX-Redirect"                // response: load this URL as a page
	hxPushURL        = "HX-Push-Url"                // response: put this URL in the address bar
	hxTarget         = "HX-Target"                  // the id of the element the answer replaces
)

// isHTMX reports whether the request wants a fragment rather than a whole page.
func isHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get(hxRequest) == "true" && h.Get(hxBoosted) != "true" && h.Get(hxHistoryRestore) != "true"
}

// redirectPage sends the browser to url as a whole page: htmx is told with HX-Redirect
// (it would swap a followed redirect into the page), anything else gets a 303.
func redirectPage(c echo.Context, url string) error {
	if isHTMX(c) {
		c.Response().Header().Set(hxRedirect, url)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, url)
}
