package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/agentgate/agentgate/chat/discord"
	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/mail"
)

// config is the server's configuration, read from the environment by the table of
// variables (envVars, config_table.go).
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
	// Discord is the DISCORD_* settings; nil when Discord is not configured.
	Discord *discord.Config
	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken string
	// Retention is how long finished deliveries are kept, and the most that expired
	// decision links are (RETENTION_DAYS); 0 keeps deliveries.
	Retention time.Duration
	// Warnings are problems that do not stop the start, logged once the logger exists.
	Warnings []string

	// The SMTP_*, SLACK_* and DISCORD_* settings as read, before finish decides whether
	// email, Slack and Discord are on.
	smtp    mail.Config
	slack   chatslack.Config
	discord discord.Config
}

// env looks variables up; tests pass a map instead of the process environment.
type env func(string) (string, bool)

// get returns NAME, else the trimmed contents of the file named by NAME_FILE, else "". A
// NAME_FILE that cannot be read is an error: falling back to the default (such as SQLite
// for an unreadable DATABASE_URL_FILE) would run a server other than the one configured.
func get(e env, name string) (string, error) {
	if v, ok := e(name); ok && v != "" {
		return v, nil
	}
	path, ok := e(name + "_FILE")
	if !ok || path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// loadConfig reads and checks the configuration; the error is one line naming the variable.
func loadConfig(e env) (*config, error) {
	c := &config{}
	for _, s := range envVars {
		v, err := get(e, s.name)
		if err != nil {
			return nil, err
		}
		if err := s.load(c, orDefault(v, s.def)); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// finish makes the checks and defaults that involve several settings, and notes what is
// allowed but probably wrong.
func (c *config) finish() error {
	if c.BaseURL == "" {
		c.BaseURL = fmt.Sprintf("http://localhost:%d", c.Port)
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("BASE_URL: %q is not an http(s) URL such as https://gate.example.com", c.BaseURL)
	}
	if c.WebhookAllowPrivate {
		c.Warnings = append(c.Warnings, "WEBHOOK_ALLOW_PRIVATE=true: webhooks may reach loopback and private addresses (never cloud metadata); use it for local receivers and tests only")
	}
	if err := c.finishDiscord(); err != nil {
		return err
	}
	if err := c.finishMail(); err != nil {
		return err
	}
	return c.finishSlack()
}

// newLogger builds the process logger.
func newLogger(c *config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
