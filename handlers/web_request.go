package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// webRequest is one request: its data, timeline, audit trail and, if allowed, the decision.
func (s *Server) webRequest(c echo.Context) error {
	p, err := s.requestView(c, c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.Request(p), views.RequestRegion(p))
}

// requestView is request id's page as the signed-in key sees it.
func (s *Server) requestView(c echo.Context, id string) (views.RequestPage, error) {
	k := key(c)
	d, err := s.gate.RequestDesk(c.Request().Context(), id, k.Actor())
	if err != nil {
		return views.RequestPage{}, err
	}
	p := views.RequestPage{Shell: s.shell(c, views.SectionRequests, d.Request.Action), Request: d.Request,
		Trail: d.Trail, Precedent: d.Precedent, Approvers: d.Approvers}
	p.Live = eventsPath
	switch {
	case d.Request.Status != ag.StatusPending || ag.ErrorCode(d.Refusal) == ag.CodeRequestExpired:
	case !k.Has(ag.ScopeRequestDecide):
		p.Refusal = "You can read this request but not decide it: your key lacks the request:decide scope."
	case d.Refusal != nil:
		p.Refusal = sentence(ag.ErrorMessage(d.Refusal))
	default:
		p.May = true
	}
	// A person's approval can be taught: "always approve requests like this".
	if d.Request.Status == ag.StatusApproved && d.Request.DecidedBy != ag.PolicyActor.Name && k.Has(ag.ScopePolicyWrite) {
		p.Teach = d.Request.ID
	}
	return p, nil
}

// webDecide records the signed-in key's decision and moves on to the next request waiting
// for it, in the order of the queue the person came from (the form's queue field, which
// app.js fills), saying what was decided. A decision the gate refuses, or one that lost to
// a decision made elsewhere, is explained on the same page rather than as an error page,
// with the dialog open again and the reason as typed when trying again can help.
func (s *Server) webDecide(c echo.Context) error {
	ctx := c.Request().Context()
	d := ag.Decide{Decision: c.FormValue("decision"), Reason: strings.TrimSpace(c.FormValue("reason")), Actor: key(c).Actor(), Channel: ag.DecidedViaDashboard}
	decided, err := s.gate.Decide(ctx, c.Param("id"), d)
	if err != nil && !refusal(err) {
		return err
	}
	if err == nil {
		return s.decidedMoveOn(c, decided)
	}
	p, verr := s.requestView(c, c.Param("id"))
	if verr != nil {
		return verr
	}
	p.Focus = true
	status := http.StatusOK
	switch {
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
		if p.May { // worth another try, with the reason as typed
			p.Reopen, p.Reason, p.Focus = d.Decision, d.Reason, false
		}
	}
	if isHTMX(c) {
		status = http.StatusOK // htmx swaps only successful responses; the page explains
	}
	return s.render(c, status, views.Request(p), views.RequestRegion(p))
}

// decidedMoveOn shows the next request the key may decide, with a note about the one just
// decided, or that one when nothing else waits.
func (s *Server) decidedMoveOn(c echo.Context, decided *ag.Request) error {
	queue, _ := url.ParseQuery(c.FormValue("queue"))
	f, ferr := queueFilter(queue, 1)
	if ferr != nil {
		f = ag.RequestFilter{Sort: ag.SortUrgency}
	}
	next, err := s.gate.NextPending(c.Request().Context(), f, key(c).Actor(), decided.ID)
	if err != nil {
		return err
	}
	teach := ""
	if key(c).Has(ag.ScopePolicyWrite) && c.FormValue("decision") == ag.DecisionApproved {
		teach = decided.ID
	}
	if !isHTMX(c) {
		if next != nil {
			return c.Redirect(http.StatusSeeOther, "/requests/"+next.ID)
		}
		return c.Redirect(http.StatusSeeOther, "/requests/"+decided.ID)
	}
	if next == nil {
		p, err := s.requestView(c, decided.ID)
		if err != nil {
			return err
		}
		p.Focus, p.Teach = true, teach
		p.Notice = decidedNotice(decided) + " Nothing else is waiting for you."
		return s.render(c, http.StatusOK, nil, views.RequestRegion(p))
	}
	p, err := s.requestView(c, next.ID)
	if err != nil {
		return err
	}
	p.Focus, p.Decided, p.Teach = true, decided, teach
	c.Response().Header().Set(hxPushURL, "/requests/"+next.ID)
	return s.render(c, http.StatusOK, nil, views.RequestRegion(p))
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

// sentence turns a domain message into a sentence for a page: a capital and a full stop.
func sentence(msg string) string {
	if msg == "" {
		return ""
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}
