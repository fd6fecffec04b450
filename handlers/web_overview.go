package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// webOverview is the landing page: the queue at a glance. A key that cannot read requests
// starts on the first page it can see.
func (s *Server) webOverview(c echo.Context) error {
	if k := key(c); !k.Has(ag.ScopeRequestRead) {
		if h := home(k); h != "/login" { // never "/" here: that needs request:read
			return c.Redirect(http.StatusSeeOther, h)
		}
		return ag.Errorf(ag.KindForbidden, "missing_scope", "this API key lacks the request:read scope the overview needs")
	}
	o, err := s.gate.Overview(c.Request().Context())
	if err != nil {
		return err
	}
	p := views.OverviewPage{Shell: s.shell(c, views.SectionOverview, "Overview"), Overview: o}
	p.Live = eventsPath
	return s.render(c, http.StatusOK, views.Overview(p), views.OverviewRegion(p))
}
