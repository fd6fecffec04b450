package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/agentgate/agentgate/views"
)

// requestsPageSize is the dashboard's page of requests: a screenful, not the API's 50.
const requestsPageSize = 25

// webRequests is the request queue: tabs, filters, sort and pages, all in the query.
func (s *Server) webRequests(c echo.Context) error {
	q := c.QueryParams()
	f, err := requestFilter(q, requestsPageSize)
	if err != nil {
		return err
	}
	rows, total, pending, err := s.gate.Queue(c.Request().Context(), f)
	if err != nil {
		return err
	}
	p := views.RequestsPage{
		Shell: s.shell(c, views.SectionRequests, "Requests"), Query: q, Filter: f, Rows: rows, Pending: pending,
		Pager: views.Pager{Path: "/requests", Query: q, Total: total, Offset: f.Page.Offset, Limit: f.Page.Limit, Target: "#requests"},
	}
	p.Live = eventsPath
	return s.render(c, http.StatusOK, views.Requests(p), views.RequestsRegion(p, true))
}
