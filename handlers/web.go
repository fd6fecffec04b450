package handlers

import (
	"bytes"
	"crypto/sha512"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/static"
	"github.com/agentgate/agentgate/views"
)

// web is what the dashboard needs beyond the Server: assets, session cookies and the
// cross-origin check.
type web struct {
	files    *static.Files
	assets   views.Assets
	cookies  *sessions.CookieStore
	secure   bool // BASE_URL is https: cookies are Secure and __Host- prefixed
	cop      *http.CrossOriginProtection
	stopping <-chan struct{}
}

// newWeb prepares the dashboard. Without a configured secret, cookies are signed with a
// random key and do not survive a restart (tests; serve always passes one).
func newWeb(cfg Config) *web {
	secret := cfg.SessionSecret
	if len(secret) == 0 {
		secret = []byte(ag.GenerateKey())
	}
	// The cookie holds only a session token; signing stops tampering, nothing needs hiding.
	sum := sha512.Sum512(append([]byte("agentgate session cookie\x00"), secret...))
	cookies := sessions.NewCookieStore(sum[:])
	cookies.MaxAge(int(ag.SessionLifetime.Seconds()))
	files := static.New()
	w := &web{
		files: files,
		assets: views.Assets{CSS: files.URL(static.CSS), Pages: files.URL(static.Pages), HTMX: files.URL(static.HTMX),
			App: files.URL(static.JS), Icon: files.URL(static.Icon), Desk: files.URL(static.Desk), DeskJS: files.URL(static.DeskJS)},
		cookies:  cookies,
		secure:   strings.HasPrefix(cfg.BaseURL, "https://"),
		cop:      http.NewCrossOriginProtection(),
		stopping: cfg.Stopping,
	}
	if cfg.BaseURL != "" {
		_ = w.cop.AddTrustedOrigin(strings.TrimRight(cfg.BaseURL, "/"))
	}
	return w
}

// contentSecurityPolicy allows only our own files: no inline script or style, no eval,
// no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// setPageHeaders sets the security headers of every dashboard response.
func setPageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// pageHeaders sets the security headers before the handler runs.
func (s *Server) pageHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		setPageHeaders(c.Response().Header())
		return next(c)
	}
}

// crossOrigin refuses state-changing requests that a browser sent from another origin.
func (s *Server) crossOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.web.cop.Check(c.Request()); err != nil {
			return ag.Errorf(ag.KindForbidden, "cross_origin", "this form was sent from another site; open the dashboard and try again")
		}
		return next(c)
	}
}

// staticFile serves the embedded assets.
func (s *Server) staticFile(c echo.Context) error {
	s.web.files.ServeHTTP(c.Response(), c.Request())
	return nil
}

var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes fragment for an htmx request and page otherwise; either may be nil to
// always write the other. It renders fully before writing, so a failure is a clean error
// page rather than half a page.
func (s *Server) render(c echo.Context, status int, page, fragment templ.Component) error {
	comp := page
	if fragment != nil && (page == nil || isHTMX(c)) {
		comp = fragment
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer renderBuffers.Put(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return fmt.Errorf("render page: %w", err)
	}
	h := c.Response().Header()
	h.Add(echo.HeaderVary, hxRequest)
	h.Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// shell is the frame of a page for the signed-in key.
func (s *Server) shell(c echo.Context, section, title string) views.Shell {
	sh := views.Shell{Title: title, Section: section, Assets: s.web.assets, Now: s.now()}
	if k := key(c); k != nil {
		sh.Identity = k.Name
		for _, sc := range k.Scopes {
			sh.Scopes = append(sh.Scopes, string(sc))
		}
		sh.Can = views.Can{
			ReadRequests: k.Has(ag.ScopeRequestRead), Decide: k.Has(ag.ScopeRequestDecide),
			ReadAudit: k.Has(ag.ScopeAuditRead), ReadPolicies: k.Has(ag.ScopePolicyRead),
			WritePolicies: k.Has(ag.ScopePolicyWrite), Admin: k.Has(ag.ScopeAdmin),
			ManageWebhooks: k.Has(ag.ScopeWebhookManage),
		}
	}
	return sh
}

// renderErrorPage is the dashboard's error page, or for htmx a short message app.js
// shows as a toast.
func (s *Server) renderErrorPage(c echo.Context, status int, msg string) error {
	setPageHeaders(c.Response().Header())
	if isHTMX(c) {
		return s.render(c, status, nil, views.ErrorToast(status, msg))
	}
	p := views.ErrorPage{Shell: s.shell(c, "", http.StatusText(status)), Status: status, Message: msg}
	return s.render(c, status, views.ErrorView(p), nil)
}

// dashboardScopes are the scopes that open at least one dashboard page.
var dashboardScopes = []ag.Scope{ag.ScopeRequestRead, ag.ScopeAuditRead, ag.ScopePolicyRead, ag.ScopeWebhookManage}

// home is the first page the key may see.
func home(k *ag.APIKey) string {
	switch {
	case k.Has(ag.ScopeRequestRead):
		return "/"
	case k.Has(ag.ScopeAuditRead):
		return "/audit"
	case k.Has(ag.ScopePolicyRead):
		return "/policies"
	case k.Has(ag.ScopeWebhookManage):
		return views.WebhooksPath
	}
	return "/login"
}
