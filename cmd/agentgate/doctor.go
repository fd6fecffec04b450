package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/agentgate/agentgate/chat/discord"
	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/mail"
)

// checkTimeout bounds each of the doctor's checks that leaves the machine.
const checkTimeout = 10 * time.Second

// The verdicts of the doctor's lines: FAIL makes it exit 1.
const (
	verdictOK   = "ok"
	verdictWarn = "warn"
	verdictFail = "FAIL"
)

// newDoctorCmd is `agentgate doctor`: it reads the configuration as serve does and checks
// what serve depends on, one line each, exiting 1 when something is broken.
func newDoctorCmd(getenv env, io stdio) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check the configuration, database, migrations, email, Slack, Discord and BASE_URL (exit 1 if something is broken)",
		Long: `Check what the server depends on, with the environment serve would read, and print one line
each: ok, warn (works, but look), or FAIL and why. Nothing is sent: email logs in and quits,
Slack and Discord are asked whose token they hold, and BASE_URL/health is fetched. Exits 1
when a line says FAIL.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d := &doctor{out: io.out}
			d.run(cmd.Context(), getenv)
			if d.failed {
				return exitError{code: 1}
			}
			return nil
		},
	}
}

// doctor prints the checks' lines and remembers whether one failed.
type doctor struct {
	out    io.Writer
	failed bool
}

func (d *doctor) say(verdict, what, format string, args ...any) {
	d.failed = d.failed || verdict == verdictFail
	fmt.Fprintf(d.out, "%-4s %s: %s\n", verdict, what, fmt.Sprintf(format, args...))
}

// run makes every check; without a valid configuration there is nothing else to check.
func (d *doctor) run(ctx context.Context, getenv env) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		d.say(verdictFail, "configuration", "%v", err)
		return
	}
	if len(cfg.Warnings) == 0 {
		d.say(verdictOK, "configuration", "valid")
	}
	for _, w := range cfg.Warnings {
		d.say(verdictWarn, "configuration", "%s", w)
	}
	d.checkDatabase(ctx, cfg)
	d.checkEmail(ctx, cfg)
	d.checkSlack(ctx, cfg)
	d.checkDiscord(ctx, cfg)
	d.checkBaseURL(ctx, cfg)
}

// checkDatabase opens the database serve would, without creating it, and compares its
// migrations with this binary's.
func (d *doctor) checkDatabase(ctx context.Context, cfg *config) {
	dialect, source, _ := db.ParseURL(cfg.DatabaseURL) // loadConfig checked it
	where := databaseName(dialect, source)
	if dialect == db.DialectSQLite {
		if _, err := os.Stat(source); errors.Is(err, os.ErrNotExist) {
			d.say(verdictWarn, "database", "%s does not exist yet; serve creates it on its first start", where)
			return
		}
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	store, err := db.Open(ctx, cfg.DatabaseURL, slog.New(slog.DiscardHandler))
	if err == nil {
		defer store.Close()
		err = store.Ping(ctx)
	}
	if err != nil {
		d.say(verdictFail, "database", "%s: %v", where, err)
		return
	}
	d.say(verdictOK, "database", "%s answers", where)
	applied, latest, pending, err := store.MigrationVersions(ctx)
	switch {
	case err != nil:
		d.say(verdictFail, "migrations", "%v", err)
	case applied > latest:
		d.say(verdictFail, "migrations", "the database is at version %d, newer than this binary's %d: run the newer agentgate", applied, latest)
	case pending:
		d.say(verdictWarn, "migrations", "at version %d of %d; serve applies the rest when it starts (or run agentgate migrate)", max(applied, 0), latest)
	default:
		d.say(verdictOK, "migrations", "at version %d, current", applied)
	}
}

// databaseName names a database without its credentials.
func databaseName(dialect, source string) string {
	if dialect != db.DialectPostgres {
		return "SQLite " + source
	}
	u, err := url.Parse(source)
	if err != nil {
		return "PostgreSQL"
	}
	return "PostgreSQL " + u.Host + u.Path
}

// checkEmail connects to the SMTP server, logs in when SMTP_USER is set, and quits.
func (d *doctor) checkEmail(ctx context.Context, cfg *config) {
	if cfg.Mail == nil {
		d.say(verdictOK, "email", "not configured (SMTP_HOST is unset)")
		return
	}
	sender, err := mail.NewSender(*cfg.Mail, nil, mail.Options{BaseURL: cfg.BaseURL, Timeout: checkTimeout})
	if err == nil {
		err = sender.Check(ctx)
	}
	if err != nil {
		d.say(verdictFail, "email", "%v", err)
		return
	}
	how := "without logging in"
	if cfg.Mail.Username != "" {
		how = "logged in as " + cfg.Mail.Username
	}
	d.say(verdictOK, "email", "%s answers (%s, %s)", cfg.Mail.Host, cfg.Mail.TLS, how)
}

func (d *doctor) checkSlack(ctx context.Context, cfg *config) {
	if cfg.Slack == nil {
		d.say(verdictOK, "slack", "not configured (SLACK_BOT_TOKEN is unset)")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	who, err := chatslack.CheckToken(ctx, *cfg.Slack, chatslack.Options{})
	if err != nil {
		d.say(verdictFail, "slack", "%s", strings.TrimPrefix(err.Error(), "slack: "))
		return
	}
	d.say(verdictOK, "slack", "the token is %s", who)
}

func (d *doctor) checkDiscord(ctx context.Context, cfg *config) {
	if cfg.Discord == nil {
		d.say(verdictOK, "discord", "not configured (DISCORD_BOT_TOKEN is unset)")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	name, err := discord.CheckToken(ctx, *cfg.Discord, nil)
	if err != nil {
		d.say(verdictFail, "discord", "%s", strings.TrimPrefix(err.Error(), "discord: "))
		return
	}
	d.say(verdictOK, "discord", "the token is the bot %s", name)
}

// checkBaseURL fetches BASE_URL/health. What fails is a warning, not a failure: the
// server may not be running yet, and a machine cannot always reach its own public address
// (a proxy or NAT that does not loop back) though everyone else can.
func (d *doctor) checkBaseURL(ctx context.Context, cfg *config) {
	target := cfg.BaseURL + "/health"
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		d.say(verdictWarn, "base_url", "%v", err)
		return
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		d.say(verdictWarn, "base_url", "GET %s: %v (is the server running, and is BASE_URL its public URL?)", target, err)
		return
	}
	defer res.Body.Close()
	var health struct{ Status string }
	if res.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(res.Body, 1<<16)).Decode(&health) != nil || health.Status != "ok" {
		d.say(verdictWarn, "base_url", "GET %s answered %s, not AgentGate's health (is BASE_URL this server's public URL?)", target, res.Status)
		return
	}
	d.say(verdictOK, "base_url", "%s answers", cfg.BaseURL)
}
