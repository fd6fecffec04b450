package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/agentgate/agentgate/chat/discord/discordtest"
	"github.com/agentgate/agentgate/internal/fakeslack"
)

// TestServeChannelTests: serve registers every configured chat channel's test, and each
// reports its platform's answer.
func TestServeChannelTests(t *testing.T) {
	slack, discord := fakeslack.Start(t), discordtest.New(t, "bot-token")
	const key = "a-long-admin-secret-value"
	s := startServer(t, "DATABASE_URL="+t.TempDir()+"/ag.db", "ADMIN_API_KEY="+key,
		"SLACK_BOT_TOKEN="+fakeslack.Token, "SLACK_SIGNING_SECRET="+fakeslack.SigningSecret, "SLACK_DEFAULT_CHANNEL=#approvals", "SLACK_API_URL="+slack.URL,
		"DISCORD_BOT_TOKEN=bot-token", "DISCORD_APPLICATION_ID="+testApp, "DISCORD_PUBLIC_KEY="+discordtest.NewKeys().PublicHex(),
		"DISCORD_DEFAULT_CHANNEL=1100000000000000000", "DISCORD_API_URL="+discord.URL)
	for _, ch := range []struct{ kind, target string }{{"slack", "#approvals"}, {"discord", "1100000000000000000"}} {
		code, body := s.call(t, key, http.MethodPost, "/api/channels/"+ch.kind+"/test", "")
		var res struct {
			Success bool
			Target  string
			Error   string
		}
		if err := json.Unmarshal([]byte(body), &res); err != nil || code != http.StatusOK || !res.Success || res.Target != ch.target {
			t.Errorf("%s test: %d %s", ch.kind, code, body)
		}
	}
	if code, body := s.call(t, key, http.MethodPost, "/api/channels/email/test", ""); code != http.StatusNotFound {
		t.Errorf("email, not configured: %d %s", code, body)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
}
