package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// webRequest is one request: its data, timeline, audit trail and, if allowed, the decision.
func (s *Server) webRequest(c echo.Context) error {
	p, err := s.requestView(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.Request(p), views.RequestRegion(p))
}

func (s *Server) requestView(c echo.Context) (views.RequestPage, error) {
	r, trail, err := s.gate.RequestDetail(c.Request().Context(), c.Param("id"))
	if err != nil {
		return views.RequestPage{}, err
	}
	p := views.RequestPage{Shell: s.shell(c, views.SectionRequests, r.Action), Request: r, Trail: trail}
	p.Live = eventsPath
	return p, nil
}

// webDecide records the signed-in key's decision and shows the request as it now is. A
// decision the gate refuses, or one that lost to a decision made elsewhere, is explained
// on the same page rather than as an error page.
func (s *Server) webDecide(c echo.Context) error {
	d := ag.Decide{Decision: c.FormValue("decision"), Reason: strings.TrimSpace(c.FormValue("reason")), Actor: key(c).Actor(), Channel: ag.DecidedViaDashboard}
	decided, err := s.gate.Decide(c.Request().Context(), c.Param("id"), d)
	if err != nil && !refusal(err) {
		return err
	}
	if err == nil && !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/requests/"+decided.ID)
	}
	p, verr := s.requestView(c)
	if verr != nil {
		return verr
	}
	p.Focus = true
	status := http.StatusOK
	switch {
	case err == nil:
		p.Notice = decidedNotice(decided)
	case p.Request.Status != ag.StatusPending || ag.ErrorCode(err) == ag.CodeRequestExpired:
		p.Error = fmt.Sprintf("This request was settled elsewhere while you were deciding: it is %s.", p.Request.Status)
		if p.Request.DecidedBy != "" && p.Request.Status != ag.StatusExpired {
			p.Error = fmt.Sprintf("This request was settled elsewhere while you were deciding: %s by %s.", p.Request.Status, p.Request.DecidedBy)
		}
		status = http.StatusConflict
	default:
		var de *ag.Error
		errors.As(err, &de)
		p.Error = "Not recorded: " + de.Message + "."
		status = statusOf(de.Kind)
	}
	if isHTMX(c) {
		status = http.StatusOK // htmx swaps only successful responses; the page explains
	}
	return s.render(c, status, views.Request(p), views.RequestRegion(p))
}

// refusal reports whether err is the gate saying no (a rule, a conflict, bad input) rather
// than failing.
func refusal(err error) bool {
	switch ag.ErrorKind(err) {
	case ag.KindInvalid, ag.KindForbidden, ag.KindConflict, ag.KindUnprocessable:
		return true
	}
	return false
}

func decidedNotice(r *ag.Request) string {
	switch r.Status {
	case ag.StatusApproved:
		return "Approved. The agent can go ahead."
	case ag.StatusDenied:
		return "Denied. The agent has been told no."
	}
	return fmt.Sprintf("Your approval is recorded: %d of %d needed.", r.Approvals(), r.ApprovalsNeeded())
}
