package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/agentgate/agentgate"
	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/mail"
)

// config is the server's configuration, read from the environment.
type config struct {
	Port            int
	DatabaseURL     string
	AdminAPIKey     string
	SessionSecret   string
	BaseURL         string
	RequestTimeout  time.Duration
	DecisionLinkTTL time.Duration
	LogLevel        slog.Level
	LogFormat       string // text or json
	CORSOrigins     []string
	Discord         discordConfig // DISCORD_*: off when none is set
	// TrustedProxies are reverse proxies whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// MaxConnections caps the connections served at once; more wait in the kernel's queue.
	MaxConnections int
	// ReadTimeout bounds reading one whole request, headers and body (http.Server's).
	ReadTimeout time.Duration
	// Mail is how to send approval emails; nil when SMTP_HOST is unset (no email).
	Mail *mail.Config
	// ApproverEmails (APPROVER_EMAILS) get approval emails when a rule names no approvers.
	ApproverEmails []string
	// WebhookAllowPrivate lets webhooks reach loopback and private addresses (never cloud
	// metadata), for local receivers and tests.
	WebhookAllowPrivate bool
	// Slack is the SLACK_* settings; nil when Slack is not configured.
	Slack *chatslack.Config
	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken string
	// Retention is how long finished deliveries and spent decision links are kept
	// (RETENTION_DAYS); 0 keeps them.
	Retention time.Duration
	// Warnings are problems that do not stop the start, logged once the logger exists.
	Warnings []string
}

// env looks variables up; tests pass a map instead of the process environment.
type env func(string) (string, bool)

// get returns NAME, else the trimmed contents of the file named by NAME_FILE. An unreadable
// file is a warning, not a failure.
func (c *config) get(e env, name string) string {
	if v, ok := e(name); ok && v != "" {
		return v
	}
	path, ok := e(name + "_FILE")
	if !ok || path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s_FILE: %v", name, err))
		return ""
	}
	return strings.TrimSpace(string(b))
}

// loadConfig reads and checks the configuration; the error is one line naming the variable.
func loadConfig(e env) (*config, error) {
	c := &config{}
	var err error
	if c.Port, err = intVar(c.get(e, "PORT"), 3000, 0, 65535); err != nil { // 0: any free port
		return nil, fmt.Errorf("PORT: %w", err)
	}
	c.DatabaseURL = c.get(e, "DATABASE_URL")
	if c.DatabaseURL == "" {
		c.DatabaseURL = "./data/agentgate.db"
	}
	if _, _, err := db.ParseURL(c.DatabaseURL); err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	c.AdminAPIKey = c.get(e, "ADMIN_API_KEY")
	if c.AdminAPIKey != "" && len(c.AdminAPIKey) < agentgate.MinAdminKeyLen {
		return nil, fmt.Errorf("ADMIN_API_KEY: must be at least %d characters", agentgate.MinAdminKeyLen)
	}
	c.SessionSecret = c.get(e, "SESSION_SECRET")
	if c.SessionSecret != "" && len(c.SessionSecret) < 32 {
		return nil, fmt.Errorf("SESSION_SECRET: must be at least 32 characters")
	}
	if c.RequestTimeout, err = durationVar(c.get(e, "REQUEST_TIMEOUT"), time.Hour); err != nil {
		return nil, fmt.Errorf("REQUEST_TIMEOUT: %w", err)
	}
	if c.DecisionLinkTTL, err = durationVar(c.get(e, "DECISION_LINK_TTL"), 24*time.Hour); err != nil {
		return nil, fmt.Errorf("DECISION_LINK_TTL: %w", err)
	}
	c.BaseURL = strings.TrimRight(c.get(e, "BASE_URL"), "/")
	if c.BaseURL == "" {
		c.BaseURL = fmt.Sprintf("http://localhost:%d", c.Port)
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("BASE_URL: %q is not an http(s) URL such as https://gate.example.com", c.BaseURL)
	}
	if err := c.LogLevel.UnmarshalText([]byte(orDefault(c.get(e, "LOG_LEVEL"), "info"))); err != nil {
		return nil, fmt.Errorf("LOG_LEVEL: must be debug, info, warn or error")
	}
	switch c.LogFormat = orDefault(c.get(e, "LOG_FORMAT"), "auto"); c.LogFormat {
	case "text", "json":
	case "auto":
		c.LogFormat = "json"
		if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			c.LogFormat = "text"
		}
	default:
		return nil, fmt.Errorf("LOG_FORMAT: must be text, json or auto")
	}
	if c.WebhookAllowPrivate, err = boolVar(c.get(e, "WEBHOOK_ALLOW_PRIVATE")); err != nil {
		return nil, fmt.Errorf("WEBHOOK_ALLOW_PRIVATE: %w", err)
	}
	if c.WebhookAllowPrivate {
		c.Warnings = append(c.Warnings, "WEBHOOK_ALLOW_PRIVATE=true: webhooks may reach loopback and private addresses (never cloud metadata); use it for local receivers and tests only")
	}
	for _, o := range strings.Split(c.get(e, "CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	if err := c.loadDiscord(e); err != nil {
		return nil, err
	}
	if c.TrustedProxies, err = prefixesVar(c.get(e, "TRUSTED_PROXIES")); err != nil {
		return nil, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	if c.MaxConnections, err = intVar(c.get(e, "MAX_CONNECTIONS"), 4096, 1, 1_000_000); err != nil {
		return nil, fmt.Errorf("MAX_CONNECTIONS: %w", err)
	}
	if c.ReadTimeout, err = durationVar(c.get(e, "READ_TIMEOUT"), 30*time.Second); err != nil {
		return nil, fmt.Errorf("READ_TIMEOUT: %w", err)
	}
	if err := c.loadMail(e); err != nil {
		return nil, err
	}
	if c.Slack, err = loadSlackConfig(c, e); err != nil {
		return nil, err
	}
	c.MetricsToken = c.get(e, "METRICS_TOKEN")
	days, err := intVar(c.get(e, "RETENTION_DAYS"), 30, 0, 36500)
	if err != nil {
		return nil, fmt.Errorf("RETENTION_DAYS: %w", err)
	}
	c.Retention = time.Duration(days) * 24 * time.Hour
	return c, nil
}

// prefixesVar reads a comma-separated list of CIDRs ("10.0.0.0/8") and single addresses
// (taken as /32 or /128).
func prefixesVar(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("%q is not an IP address or CIDR such as 10.0.0.0/8", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func intVar(s string, def, lo, hi int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q is not a whole number from %d to %d", s, lo, hi)
	}
	return n, nil
}

// boolVar reads true or false (also 1 or 0); empty is false.
func boolVar(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}

// durationVar reads a Go duration ("90m", "24h") or whole seconds.
func durationVar(s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration such as 30m or 24h", s)
	}
	return d, nil
}

// newLogger builds the process logger.
func newLogger(c *config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
