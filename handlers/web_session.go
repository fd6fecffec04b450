package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

// Session cookie names: __Host- pins the cookie to this host over HTTPS; plain HTTP
// (localhost) cannot use the prefix, which requires Secure.
const (
	cookieSecure = "__Host-agentgate_session"
	cookiePlain  = "agentgate_session"
	cookieToken  = "sid"
	ctxSession   = "agentgate.session"
)

func (w *web) secureFor(r *http.Request) bool { return w.secure || r.TLS != nil }

func (w *web) cookieName(r *http.Request) string {
	if w.secureFor(r) {
		return cookieSecure
	}
	return cookiePlain
}

// readToken returns the session token in the request's signed cookie, or "".
func (w *web) readToken(r *http.Request) string {
	sess, err := w.cookies.New(r, w.cookieName(r))
	if err != nil {
		return ""
	}
	tok, _ := sess.Values[cookieToken].(string)
	return tok
}

// writeToken sets the session cookie; an empty token deletes it.
func (w *web) writeToken(c echo.Context, token string) error {
	r := c.Request()
	sess := sessions.NewSession(w.cookies, w.cookieName(r))
	sess.Options = &sessions.Options{Path: "/", MaxAge: int(ag.SessionLifetime.Seconds()), HttpOnly: true,
		Secure: w.secureFor(r), SameSite: http.SameSiteLaxMode}
	if token == "" {
		sess.Options.MaxAge = -1
	} else {
		sess.Values[cookieToken] = token
	}
	return w.cookies.Save(r, c.Response(), sess)
}

// session requires a live session and makes its key the request's key, so need() and the
// handlers treat it exactly like an API caller's key.
func (s *Server) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token := s.web.readToken(c.Request())
		sess, k, err := s.gate.SessionKey(c.Request().Context(), token)
		if ag.ErrorKind(err) == ag.KindUnauthorized {
			if token != "" {
				_ = s.web.writeToken(c, "")
			}
			return s.toLogin(c)
		}
		if err != nil {
			return err
		}
		c.Set(ctxKey, k)
		c.Set(ctxSession, sess)
		return next(c)
	}
}

// toLogin sends a visitor without a session to the sign-in page, and back afterwards.
func (s *Server) toLogin(c echo.Context) error {
	r := c.Request()
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" && r.URL.Path != eventsPath {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	if r.Header.Get(hxRequest) == "true" {
		c.Response().Header().Set(hxRedirect, target)
		return c.NoContent(http.StatusUnauthorized)
	}
	if r.URL.Path == eventsPath {
		return c.NoContent(http.StatusUnauthorized)
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// safeNext keeps only a local path, so the sign-in form cannot send anyone elsewhere: one
// leading slash, no backslash, whitespace or control character anywhere (browsers drop tabs
// and newlines and read a backslash as a slash, so "/\t/evil" and "/\\evil" would become
// "//evil", another host), and nothing a URL parser reads as a scheme or host.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/login") ||
		strings.ContainsFunc(next, unsafeInPath) {
		return ""
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}

// unsafeInPath reports whether r may not appear in a redirect target.
func unsafeInPath(r rune) bool {
	return r == '\\' || r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r)
}
