package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// decidePath is where the decision links in approval emails point: /decide/<token>.
const decidePath = ag.DecisionLinkPath

// webLink shows a decision link's page. GET and HEAD change nothing, however often a mail
// scanner or a preview follows the link; only the page's form decides.
func (s *Server) webLink(c echo.Context) error {
	if wait := s.backoff.wait(c.RealIP()); wait > 0 {
		return s.linkWait(c, wait)
	}
	p, err := s.gate.OpenLink(c.Request().Context(), c.Param("token"))
	return s.renderLink(c, p, err, "")
}

// webLinkDecide decides by a decision link, as its recipient, and shows the outcome.
func (s *Server) webLinkDecide(c echo.Context) error {
	if wait := s.backoff.wait(c.RealIP()); wait > 0 {
		return s.linkWait(c, wait)
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	p, err := s.gate.DecideByLink(c.Request().Context(), c.Param("token"), reason)
	return s.renderLink(c, p, err, reason)
}

// linkStates maps the gate's answers about a link to the page's states.
var linkStates = map[string]string{
	"link_unknown": views.LinkUnknown, "link_used": views.LinkUsed, "link_expired": views.LinkExpired,
	"already_decided": views.LinkDecided, "request_expired": views.LinkExpired,
	"link_recipient_changed": views.LinkForbidden, "not_an_approver": views.LinkForbidden,
}

// renderLink shows the page for the gate's answer: the form (again, with the refusal, when
// a POST was refused for its input), the outcome, or why the link cannot decide, with the
// status that says so (404 unknown, 410 used or expired, 409 decided, 403 not allowed).
func (s *Server) renderLink(c echo.Context, p *ag.LinkPage, err error, reason string) error {
	v := views.DecideLinkPage{Shell: s.shell(c, "", "Decision"), State: views.LinkReady, Reason: reason,
		Action: decidePath + "/" + c.Param("token")}
	status := http.StatusOK
	if err != nil {
		if !refusal(err) && ag.ErrorKind(err) != ag.KindNotFound && ag.ErrorKind(err) != ag.KindGone {
			return err
		}
		v.Message, status = ag.ErrorMessage(err), statusOf(ag.ErrorKind(err))
		if st, ok := linkStates[ag.ErrorCode(err)]; ok {
			v.State = st
		}
		if v.State == views.LinkUnknown {
			s.backoff.fail(c.RealIP()) // a guessed token counts like a guessed key
		}
	} else if c.Request().Method == http.MethodPost {
		v.State = views.LinkDone
	}
	if p != nil {
		v.Request, v.Decision, v.Who = p.Request, p.Link.Decision, p.Actor.Name
		v.Title = views.Revealed(p.Request.Action)
	}
	h := c.Response().Header()
	h.Set("Referrer-Policy", "no-referrer") // the token is in the URL
	h.Set("X-Robots-Tag", "noindex, nofollow")
	return s.render(c, status, views.DecideLink(v), nil)
}

// linkWait answers an address that has sent too many unknown links.
func (s *Server) linkWait(c echo.Context, wait time.Duration) error {
	secs := retrySeconds(wait)
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	v := views.DecideLinkPage{Shell: s.shell(c, "", "Decision"), State: views.LinkWait,
		Message: "Too many invalid decision links came from your address. Wait " + strconv.Itoa(secs) + " s, then open the link from your email again."}
	return s.render(c, http.StatusTooManyRequests, views.DecideLink(v), nil)
}
