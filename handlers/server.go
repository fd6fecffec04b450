// Package handlers is AgentGate's HTTP surface: the JSON API for agents and the dashboard
// for people, over one agentgate.Gate. Handlers parse, make one call into the gate, and
// respond; the rules live in the gate.
package handlers

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentgate/agentgate"
)

// MaxBodyBytes is the largest request body accepted.
const MaxBodyBytes = 1 << 20

// Config is what the HTTP layer needs beyond the gate.
type Config struct {
	Logger   *slog.Logger
	Registry *prometheus.Registry // metrics are registered here and served at /metrics
	// BaseURL is the public URL of the server, for links.
	BaseURL string
	// CORSOrigins lists origins allowed to call the JSON API from a browser.
	CORSOrigins []string
	// SessionSecret signs dashboard session cookies (Gate.SessionSecret); empty means a
	// random key, so sessions end with the process.
	SessionSecret []byte
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client; empty
	// means the connection's peer is the client (see clientAddr).
	TrustedProxies []netip.Prefix
	// SlackInteractions answers Slack's button clicks at /integrations/slack/interactions;
	// nil when Slack is not configured.
	SlackInteractions SlackInteractions
	// ChannelTesters send a sample message through each configured channel, for
	// POST /api/channels/:type/test and the Channels settings page.
	ChannelTesters map[agentgate.ChannelKind]ChannelTester
	// Stopping, closed when the server begins to shut down, ends the dashboard's live
	// streams, which would otherwise hold the shutdown open.
	Stopping <-chan struct{}
	// MetricsToken, when set, is the bearer token /metrics asks for (METRICS_TOKEN).
	MetricsToken string
	// DiscordInteractions answers Discord's button clicks at
	// /integrations/discord/interactions; nil when Discord is not configured for it.
	DiscordInteractions DiscordInteractions
}

// Server holds the HTTP layer's dependencies.
type Server struct {
	gate    *agentgate.Gate
	log     *slog.Logger
	cfg     Config
	metrics *metrics
	web     *web         // the dashboard's cookies and assets
	backoff *authBackoff // failed sign-ins and API authentications, per address
}

// New returns the HTTP handler with every route.
func New(gate *agentgate.Gate, cfg Config) *echo.Echo {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s := &Server{gate: gate, log: cfg.Logger, cfg: cfg, metrics: newMetrics(cfg.Registry), web: newWeb(cfg),
		backoff: newAuthBackoff(gate.Now)}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.JSONSerializer = boundedJSON{}
	e.IPExtractor = clientAddr(cfg.TrustedProxies)
	s.routes(e)
	return e
}

// isAPI reports whether the request is for the JSON API (or a probe, or a chat
// platform's callback) rather than a page.
func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, "/api/") || p == "/api" || p == "/health" || p == "/ready" || p == "/metrics" ||
		strings.HasPrefix(p, "/integrations/")
}

// now is the gate's clock, so handlers and domain agree on time.
func (s *Server) now() time.Time { return s.gate.Now() }

func (s *Server) health(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "timestamp": s.now()})
}

func (s *Server) ready(c echo.Context) error {
	if err := s.gate.Ready(c.Request().Context()); err != nil {
		if agentgate.ErrorKind(err) != agentgate.KindUnavailable { // an outage is logged by the store, once
			s.logger(c).Warn("Database is not ready.", "err", err)
		}
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "checks": map[string]string{"database": "error"}})
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "checks": map[string]string{"database": "ok"}})
}
