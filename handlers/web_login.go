package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// loginFailed is the one message for every wrong key: it never says which part was wrong.
const loginFailed = "That API key is not valid. Check it and try again."

func (s *Server) loginView(c echo.Context, status int, next, msg string) error {
	p := views.LoginPage{Shell: s.shell(c, "", "Sign in"), Next: safeNext(next), Error: msg}
	return s.render(c, status, views.Login(p), nil)
}

// webLoginPage shows the sign-in form, or moves a signed-in visitor on.
func (s *Server) webLoginPage(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if _, k, err := s.gate.SessionKey(c.Request().Context(), s.web.readToken(c.Request())); err == nil {
		return c.Redirect(http.StatusSeeOther, orString(next, home(k)))
	}
	return s.loginView(c, http.StatusOK, next, "")
}

// webLogin checks the key, starts a session and sets its cookie.
func (s *Server) webLogin(c echo.Context) error {
	ip, next := c.RealIP(), c.FormValue("next")
	if wait := s.backoff.wait(ip); wait > 0 {
		secs := retrySeconds(wait)
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		return s.loginView(c, http.StatusTooManyRequests, next,
			fmt.Sprintf("Too many attempts. Wait %d seconds, then try again.", secs))
	}
	_, token, k, err := s.gate.Login(c.Request().Context(), strings.TrimSpace(c.FormValue("key")), ip, dashboardScopes...)
	switch ag.ErrorKind(err) {
	case ag.KindUnauthorized:
		s.backoff.fail(ip)
		return s.loginView(c, http.StatusUnauthorized, next, loginFailed)
	case ag.KindForbidden:
		return s.loginView(c, http.StatusForbidden, next, ag.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	if err := s.web.writeToken(c, token); err != nil {
		return fmt.Errorf("set session cookie: %w", err)
	}
	s.logger(c).Info("Signed in to the dashboard.", "key_id", k.ID, "key_name", k.Name)
	return c.Redirect(http.StatusSeeOther, orString(safeNext(next), home(k)))
}

// webLogout ends the session for good and clears its cookie.
func (s *Server) webLogout(c echo.Context) error {
	if err := s.gate.Logout(c.Request().Context(), s.web.readToken(c.Request())); err != nil {
		return err
	}
	if err := s.web.writeToken(c, ""); err != nil {
		return fmt.Errorf("clear session cookie: %w", err)
	}
	return redirectPage(c, "/login")
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
