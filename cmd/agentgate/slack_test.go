package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/internal/fakeslack"
)

func TestSlackConfig(t *testing.T) {
	load := func(env map[string]string) (*config, error) {
		return loadConfig(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	}
	c, err := load(map[string]string{})
	if err != nil || c.Slack != nil {
		t.Fatalf("no SLACK_ settings = %+v, %v; want Slack off", c.Slack, err)
	}
	c, err = load(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_DEFAULT_CHANNEL": "#approvals",
		"SLACK_API_URL": "http://127.0.0.1:9/api/"})
	if err != nil || *c.Slack != (chatslack.Config{BotToken: "xoxb-1", SigningSecret: "s", DefaultChannel: "#approvals", APIURL: "http://127.0.0.1:9/api/"}) {
		t.Fatalf("Slack = %+v, %v", c.Slack, err)
	}
	c, err = load(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
	if err != nil || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "SLACK_DEFAULT_CHANNEL") {
		t.Fatalf("Socket Mode without a default channel = %v, warnings %q", err, c.Warnings)
	}
	for env, names := range map[string]map[string]string{
		"SLACK_BOT_TOKEN":      {"SLACK_SIGNING_SECRET": "s"},
		"SLACK_SIGNING_SECRET": {"SLACK_BOT_TOKEN": "xoxb-1"},
		"SLACK_APP_TOKEN":      {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"},
		"SLACK_API_URL":        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "slack.internal"},
	} {
		if _, err := load(names); err == nil || !strings.HasPrefix(err.Error(), env+":") {
			t.Errorf("%v: error %v, want one line starting with %s:", names, err, env)
		}
	}
}

// TestServeSlack: serve with SLACK_* set answers signed clicks as the Slack user, and
// tests the channel, against a fake Slack.
func TestServeSlack(t *testing.T) {
	fake := fakeslack.Start(t)
	const key = "a-long-admin-secret-value"
	s := startServer(t, "DATABASE_URL="+filepath.Join(t.TempDir(), "gate.db"), "ADMIN_API_KEY="+key,
		"SLACK_BOT_TOKEN="+fakeslack.Token, "SLACK_SIGNING_SECRET="+fakeslack.SigningSecret,
		"SLACK_DEFAULT_CHANNEL=#approvals", "SLACK_API_URL="+fake.URL)
	_, body := s.call(t, key, http.MethodPost, "/api/requests", `{"action":"deploy"}`)
	var r struct{ ID, Status, DecidedBy string }
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.ID == "" {
		t.Fatalf("create: %s", body)
	}
	click := fakeslack.Click(fakeslack.Clicker{UserID: "U0ALICE", UserName: "alice", Channel: "CAPPROVALS", TS: "1.1"}, chatslack.ActionApprove, r.ID)
	res := fakeslack.PostInteraction(t, s.base+"/integrations/slack/interactions", fakeslack.SigningSecret, click, time.Now())
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("signed click: status %d", res.StatusCode)
	}
	_, body = s.call(t, key, http.MethodGet, "/api/requests/"+r.ID, "")
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.Status != "approved" || r.DecidedBy != "alice (slack:U0ALICE)" {
		t.Errorf("after the click: %s", body)
	}
	res = fakeslack.PostInteraction(t, s.base+"/integrations/slack/interactions", "wrong", click, time.Now())
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("mis-signed click: status %d", res.StatusCode)
	}
	if code, body := s.call(t, key, http.MethodPost, "/api/channels/slack/test", ""); code != http.StatusOK || !strings.Contains(body, `"success":true`) {
		t.Errorf("channel test: %d %s", code, body)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// TestServeSlackSocketMode: with SLACK_APP_TOKEN the clicks arrive over Socket Mode, with
// no interactions URL involved, and serve still stops cleanly.
func TestServeSlackSocketMode(t *testing.T) {
	fake := fakeslack.Start(t)
	const key = "a-long-admin-secret-value"
	s := startServer(t, "DATABASE_URL="+filepath.Join(t.TempDir(), "gate.db"), "ADMIN_API_KEY="+key,
		"SLACK_BOT_TOKEN="+fakeslack.Token, "SLACK_APP_TOKEN="+fakeslack.AppToken, "SLACK_DEFAULT_CHANNEL=#approvals", "SLACK_API_URL="+fake.URL)
	_, body := s.call(t, key, http.MethodPost, "/api/requests", `{"action":"deploy"}`)
	var r struct{ ID, Status string }
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.ID == "" {
		t.Fatalf("create: %s", body)
	}
	fake.Interact(t, fakeslack.Click(fakeslack.Clicker{UserID: "U0BOB", UserName: "bob", Channel: "CAPPROVALS", TS: "1.1"}, chatslack.ActionDeny, r.ID))
	_, body = s.call(t, key, http.MethodGet, "/api/requests/"+r.ID, "")
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.Status != "denied" {
		t.Errorf("after the click over Socket Mode: %s", body)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}
