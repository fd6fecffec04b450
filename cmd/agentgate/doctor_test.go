package main

import (
	"database/sql"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/agentgate/agentgate/chat/discord/discordtest"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/internal/fakeslack"
	"github.com/agentgate/agentgate/internal/smtptest"
)

// doctorPeers are an SMTP server, a fake Slack, a fake Discord and a server answering
// /health as AgentGate does, with the settings that point at them.
func doctorPeers(t *testing.T) map[string]string {
	inbox := smtptest.New()
	smtpPort := smtptest.Start(t, inbox, 0)
	t.Cleanup(func() {
		if n := inbox.Count(); n != 0 {
			t.Errorf("the doctor sent %d emails", n)
		}
	})
	slack := fakeslack.Start(t)
	dc := discordtest.New(t, "discord-bot-token")
	health := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, `{"status":"ok","timestamp":"2026-03-01T12:00:00Z"}`)
	}))
	t.Cleanup(health.Close)
	return map[string]string{"BASE_URL": health.URL, "LOG_LEVEL": "error",
		"SMTP_HOST": "127.0.0.1", "SMTP_PORT": strconv.Itoa(smtpPort), "SMTP_TLS": "none", "SMTP_FROM": "gate@example.com",
		"SLACK_BOT_TOKEN": fakeslack.Token, "SLACK_SIGNING_SECRET": fakeslack.SigningSecret,
		"SLACK_DEFAULT_CHANNEL": "#approvals", "SLACK_API_URL": slack.URL,
		"DISCORD_BOT_TOKEN": "discord-bot-token", "DISCORD_APPLICATION_ID": "1100000000000000000", "DISCORD_API_URL": dc.URL}
}

// loopbackWarning is the configuration's warning that email links point at this machine, which
// the tests' BASE_URL does.
const loopbackWarning = `warn configuration: BASE_URL is http://127\.0\.0\.1:\d+, a loopback address: .*`

// wantLines fails the test unless out is exactly these lines, each a regular expression.
func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	got := strings.Split(strings.TrimRight(out, "\n"), "\n")
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = regexp.MustCompile("^" + want[i] + "$").MatchString(got[i])
	}
	if !ok {
		t.Fatalf("doctor said:\n%s\nwant lines matching:\n%s", out, strings.Join(want, "\n"))
	}
}

// TestDoctor: on SQLite and PostgreSQL, a database not yet made or migrated is a warning,
// and once migrated every line is ok: the database answers, its migrations are current,
// the Slack and Discord tokens are the bots', and BASE_URL answers as AgentGate.
func TestDoctor(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			env := doctorPeers(t)
			first := `warn database: SQLite .*gate\.db does not exist yet; serve creates it on its first start`
			if dialect == "postgres" {
				env["DATABASE_URL"] = dbtest.PostgresURL(t)
				first = `ok   database: PostgreSQL 127\.0\.0\.1:5432/\w+ answers` + "\n" +
					`warn migrations: at version 0 of \d+; serve applies the rest when it starts \(or run agentgate migrate\)`
			} else {
				env["DATABASE_URL"] = filepath.Join(t.TempDir(), "gate.db")
			}
			c := newCLI(t, env)
			rest := []string{
				`ok   email: 127\.0\.0\.1 answers \(none, without logging in\)`,
				`ok   slack: the token is the bot agentgate in the workspace Fake Workspace`,
				`ok   discord: the token is the bot ` + discordtest.BotName,
				`ok   base_url: http://127\.0\.0\.1:\d+ answers`,
			}
			wantLines(t, c.ok("doctor"), append(append([]string{loopbackWarning}, strings.Split(first, "\n")...), rest...)...)
			c.ok("migrate")
			wantLines(t, c.ok("doctor"), append([]string{loopbackWarning, `ok   database: \S+ .+ answers`,
				`ok   migrations: at version \d+, current`}, rest...)...)
		})
	}
}

// TestDoctorFindsWhatIsBroken: refused tokens and a database migrated by a newer binary
// fail, an unreachable BASE_URL and configuration warnings warn, and the exit is 1.
func TestDoctorFindsWhatIsBroken(t *testing.T) {
	env := doctorPeers(t)
	env["DATABASE_URL"] = filepath.Join(t.TempDir(), "gate.db")
	c := newCLI(t, env)
	c.ok("migrate")
	newer, err := sql.Open("sqlite3", env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newer.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99, true)`); err != nil {
		t.Fatal(err)
	}
	newer.Close()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closed.Close()
	env["BASE_URL"] = "http://" + closed.Addr().String()
	env["SLACK_BOT_TOKEN"], env["DISCORD_BOT_TOKEN"] = "xoxb-revoked", "revoked"
	env["SMTP_PORT"] = strings.TrimPrefix(closed.Addr().String(), "127.0.0.1:")
	delete(env, "SLACK_DEFAULT_CHANNEL")
	res := c.run("doctor")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1; stdout:\n%s", res.code, res.stdout)
	}
	wantLines(t, res.stdout, loopbackWarning,
		`warn configuration: SLACK_DEFAULT_CHANNEL is not set: .*`,
		`ok   database: SQLite .*gate\.db answers`,
		`FAIL migrations: the database is at version 99, newer than this binary's \d+: run the newer agentgate`,
		`FAIL email: .*connection refused`,
		`FAIL slack: auth\.test: invalid_auth`,
		`FAIL discord: checking the bot token: 401 .*`,
		`warn base_url: GET http://127\.0\.0\.1:\d+/health: .*connection refused \(is the server running, and is BASE_URL its public URL\?\)`,
	)
}

// TestDoctorStopsOnABadConfiguration: a configuration serve would refuse is the one line.
func TestDoctorStopsOnABadConfiguration(t *testing.T) {
	res := newCLI(t, map[string]string{"PORT": "eighty"}).run("doctor")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1", res.code)
	}
	wantLines(t, res.stdout, `FAIL configuration: PORT: "eighty" is not a whole number from 0 to 65535`)
}
