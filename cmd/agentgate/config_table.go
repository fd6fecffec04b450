package main

import (
	"errors"
	"fmt"
	netmail "net/mail"
	"os"
	"strings"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/mail"
)

// envVar is one environment variable of the server: the one place that names it, gives
// its default and meaning, and reads it into the configuration. loadConfig, serve --help
// and a test of .env.example and the README's table all come from envVars, so a variable
// cannot be added in one of them only.
type envVar struct {
	group string // the heading it is listed under
	name  string
	def   string // the value an unset variable reads as; "" for none (or one it works out)
	about string // what it means, in one line
	load  func(c *config, v string) error
}

// envVars are every variable the server reads, each also as NAME_FILE, in the order
// they are listed.
var envVars = []envVar{
	{"Server", "PORT", "3000", "port to listen on; 0 takes any free port", func(c *config, v string) (err error) {
		c.Port, err = intVar(v, 0, 65535)
		return err
	}},
	{"Server", "DATABASE_URL", db.DefaultURL, "a SQLite file, or a postgres:// URL for PostgreSQL", func(c *config, v string) error {
		c.DatabaseURL = v
		_, _, err := db.ParseURL(v)
		return err
	}},
	{"Server", "ADMIN_API_KEY", "", "an admin API key (16+ characters) made sure of at start; without one a new server prints a key", func(c *config, v string) error {
		if c.AdminAPIKey = v; v != "" && len(v) < agentgate.MinAdminKeyLen {
			return fmt.Errorf("must be at least %d characters", agentgate.MinAdminKeyLen)
		}
		return nil
	}},
	{"Server", "BASE_URL", "", "public URL of the server, for links; unset: http://localhost:$PORT", func(c *config, v string) error {
		c.BaseURL = strings.TrimRight(v, "/")
		return nil // checked once PORT is known (finish)
	}},
	{"Server", "SESSION_SECRET", "", "signs dashboard session cookies (32+ characters); unset: generated and stored", func(c *config, v string) error {
		if c.SessionSecret = v; v != "" && len(v) < 32 {
			return errors.New("must be at least 32 characters")
		}
		return nil
	}},
	{"Server", "REQUEST_TIMEOUT", "1h", "expiry of requests sent without expiresAt", func(c *config, v string) (err error) {
		c.RequestTimeout, err = durationVar(v)
		return err
	}},
	{"Server", "CORS_ORIGINS", "", "comma-separated origins allowed to call the API from a browser", func(c *config, v string) error {
		c.CORSOrigins = listVar(v)
		return nil
	}},
	{"Server", "TRUSTED_PROXIES", "", "comma-separated CIDRs or addresses of reverse proxies whose X-Forwarded-For is believed", func(c *config, v string) (err error) {
		c.TrustedProxies, err = prefixesVar(v)
		return err
	}},
	{"Server", "MAX_CONNECTIONS", "4096", "connections served at once, long-polls included; more wait (keep it under ulimit -n)", func(c *config, v string) (err error) {
		c.MaxConnections, err = intVar(v, 1, 1_000_000)
		return err
	}},
	{"Server", "READ_TIMEOUT", "30s", "time to receive a whole request, body included; long-polls are not cut", func(c *config, v string) (err error) {
		c.ReadTimeout, err = durationVar(v)
		return err
	}},
	{"Server", "LOG_LEVEL", "info", "debug, info, warn or error", func(c *config, v string) error {
		if c.LogLevel.UnmarshalText([]byte(v)) != nil {
			return errors.New("must be debug, info, warn or error")
		}
		return nil
	}},
	{"Server", "LOG_FORMAT", "auto", "text, json, or auto: text on a terminal, JSON otherwise", func(c *config, v string) error {
		switch c.LogFormat = v; v {
		case "text", "json":
		case "auto":
			c.LogFormat = "json"
			if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				c.LogFormat = "text"
			}
		default:
			return errors.New("must be text, json or auto")
		}
		return nil
	}},
	{"Operations", "METRICS_TOKEN", "", "bearer token /metrics asks for; unset: /metrics is open", func(c *config, v string) error {
		c.MetricsToken = v
		return nil
	}},
	{"Operations", "RETENTION_DAYS", "30", "days to keep finished deliveries (and at most expired decision links); 0 keeps them", func(c *config, v string) error {
		days, err := intVar(v, 0, 36500)
		c.Retention = time.Duration(days) * 24 * time.Hour
		return err
	}},
	{"Email", "SMTP_HOST", "", "SMTP server for approval emails, a host name without a port; unset: no email", func(c *config, v string) error {
		c.smtp.Host = v
		return nil
	}},
	{"Email", "SMTP_TLS", string(mail.TLSStartTLS), "starttls, tls (TLS from the first byte) or none", func(c *config, v string) error {
		c.smtp.TLS = mail.TLSMode(v)
		return nil // checked with the rest of the email settings (finishMail)
	}},
	{"Email", "SMTP_PORT", "", "SMTP port; unset: the mode's usual one, 587 (starttls), 465 (tls) or 25 (none)", func(c *config, v string) (err error) {
		c.smtp.Port, err = intVar(v, 1, 65535)
		return err
	}},
	{"Email", "SMTP_USER", "", "login name; unset: send without logging in", func(c *config, v string) error {
		c.smtp.Username = v
		return nil
	}},
	{"Email", "SMTP_PASS", "", "login password", func(c *config, v string) error {
		c.smtp.Password = v
		return nil
	}},
	{"Email", "SMTP_FROM", "", "sender of approval emails, such as AgentGate <agentgate@example.com>", func(c *config, v string) error {
		c.smtp.From = v
		return nil
	}},
	{"Email", "SMTP_FOLLOW_UPS", "true", "false stops the short email sent when a request is decided, expires or is cancelled", func(c *config, v string) error {
		on, err := boolVar(v)
		c.smtp.NoFollowUps = !on
		return err
	}},
	{"Email", "APPROVER_EMAILS", "", "comma-separated addresses emailed when a rule names no approvers", func(c *config, v string) error {
		for _, a := range listVar(v) {
			if p, err := netmail.ParseAddress(a); err != nil || p.Address != a || !strings.Contains(a, "@") {
				return fmt.Errorf("%q is not an email address such as ana@example.com (separate several with commas)", a)
			}
			c.ApproverEmails = append(c.ApproverEmails, a)
		}
		return nil
	}},
	{"Email", "DECISION_LINK_TTL", "24h", "how long an emailed decision link works", func(c *config, v string) (err error) {
		c.DecisionLinkTTL, err = durationVar(v)
		return err
	}},
	{"Slack", "SLACK_BOT_TOKEN", "", "the app's bot token (xoxb-...); unset: no Slack", func(c *config, v string) error {
		c.slack.BotToken = v
		return nil
	}},
	{"Slack", "SLACK_SIGNING_SECRET", "", "verifies clicks posted to BASE_URL/integrations/slack/interactions", func(c *config, v string) error {
		c.slack.SigningSecret = v
		return nil
	}},
	{"Slack", "SLACK_DEFAULT_CHANNEL", "", "where a rule's bare slack channel posts, such as #approvals", func(c *config, v string) error {
		c.slack.DefaultChannel = v
		return nil
	}},
	{"Slack", "SLACK_APP_TOKEN", "", "an app-level token (xapp-...): clicks arrive over Socket Mode, no public URL needed", func(c *config, v string) error {
		c.slack.AppToken = v
		return nil
	}},
	{"Slack", "SLACK_API_URL", "", "Slack's Web API base URL, for a proxy or a test; unset: https://slack.com/api/", func(c *config, v string) error {
		c.slack.APIURL = v
		return nil
	}},
	{"Discord", "DISCORD_BOT_TOKEN", "", "the bot's token; unset: no Discord", func(c *config, v string) error {
		c.discord.BotToken = v
		return nil
	}},
	{"Discord", "DISCORD_APPLICATION_ID", "", "the application's id", func(c *config, v string) error {
		c.discord.ApplicationID = v
		return nil
	}},
	{"Discord", "DISCORD_PUBLIC_KEY", "", "the application's public key, to verify clicks posted to the interactions endpoint; unset: the Gateway", func(c *config, v string) error {
		c.discord.PublicKey = v
		return nil
	}},
	{"Discord", "DISCORD_DEFAULT_CHANNEL", "", "channel id a rule's bare discord channel posts to", func(c *config, v string) error {
		c.discord.DefaultChannel = v
		return nil
	}},
	{"Discord", "DISCORD_API_URL", "", "Discord's API base URL, for a proxy or a test; unset: https://discord.com/api/v10", func(c *config, v string) error {
		c.discord.APIURL = v
		return nil
	}},
	{"Webhooks", "WEBHOOK_ALLOW_PRIVATE", "false", "true lets webhooks reach loopback and private addresses (never cloud metadata): local use and tests", func(c *config, v string) (err error) {
		c.WebhookAllowPrivate, err = boolVar(v)
		return err
	}},
}

// envHelp lists the settings under their groups, each with its default and meaning: the
// environment part of serve --help.
func envHelp() string {
	var b strings.Builder
	b.WriteString("Environment (each NAME may instead be given as NAME_FILE, a file holding the value; the plain\nvariable wins):\n")
	group := ""
	for _, s := range envVars {
		if s.group != group {
			group = s.group
			fmt.Fprintf(&b, "\n  %s\n", group)
		}
		fmt.Fprintf(&b, "    %-36s %s\n", s.name+"="+s.def, s.about)
	}
	return b.String()
}
