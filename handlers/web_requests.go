package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// requestsPageSize is the dashboard's page of requests: a screenful, not the API's 50.
const requestsPageSize = 25

// statusAll is the queue's status parameter for every status: without one, the queue
// shows what waits for a person.
const statusAll = "all"

// queueFilter reads the queue's filters: those of the API, except that no status means
// pending and status=all means any.
func queueFilter(q url.Values, limit int) (ag.RequestFilter, error) {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	switch strings.TrimSpace(v.Get("status")) {
	case "":
		v.Set("status", string(ag.StatusPending))
	case statusAll:
		v.Del("status")
	}
	return requestFilter(v, limit)
}

// webRequests is the request queue: tabs, filters, sort and pages, all in the query.
func (s *Server) webRequests(c echo.Context) error {
	p, err := s.queueView(c, c.QueryParams())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.Requests(p), views.RequestsRegion(p, true))
}

// queueView is one page of the queue for query q, with the rows the key may decide marked.
func (s *Server) queueView(c echo.Context, q url.Values) (views.RequestsPage, error) {
	f, err := queueFilter(q, requestsPageSize)
	if err != nil {
		return views.RequestsPage{}, err
	}
	k := key(c)
	rows, total, pending, err := s.gate.Queue(c.Request().Context(), f)
	if err != nil {
		return views.RequestsPage{}, err
	}
	p := views.RequestsPage{
		Shell: s.shell(c, views.SectionRequests, "Requests"), Query: q, Filter: f, Rows: rows, Pending: pending,
		Pager: views.Pager{Path: "/requests", Query: q, Total: total, Offset: f.Page.Offset, Limit: f.Page.Limit, Target: "#requests"},
		Yours: map[string]bool{}, Approvers: map[string][]ag.Approver{},
	}
	for i := range rows {
		if rows[i].Status == ag.StatusPending && rows[i].ApprovalsNeeded() > 1 {
			p.Approvers[rows[i].ID] = s.gate.Approvers(&rows[i])
		}
	}
	if k.Has(ag.ScopeRequestDecide) {
		for i := range rows {
			if s.gate.CheckDecider(&rows[i], k.Actor()) == nil {
				p.Yours[rows[i].ID] = true
			}
		}
	}
	p.Live = eventsPath
	return p, nil
}

// webDecideBatch decides the chosen requests with one decision and reason, each through
// the same gate call as a single decision, and shows the queue with what became of each.
func (s *Server) webDecideBatch(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return ag.Invalid("the form could not be read")
	}
	d := ag.Decide{Decision: form.Get("decision"), Reason: strings.TrimSpace(form.Get("reason")), Actor: key(c).Actor(), Channel: ag.DecidedViaDashboard}
	results, err := s.gate.DecideEach(c.Request().Context(), form["id"], d)
	batch := &views.BatchView{Decision: d.Decision, Results: results}
	if err != nil {
		if !refusal(err) {
			return err
		}
		batch.Error = sentence(ag.ErrorMessage(err))
	}
	queue, _ := url.ParseQuery(form.Get("queue"))
	p, err := s.queueView(c, queue)
	if err != nil {
		return err
	}
	p.Batch = batch
	if !isHTMX(c) {
		return s.render(c, http.StatusOK, views.Requests(p), nil)
	}
	return s.render(c, http.StatusOK, nil, views.RequestsRegion(p, true))
}
