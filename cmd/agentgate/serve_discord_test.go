package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate/chat/discord/discordtest"
)

const testApp = "1180000000000000000"

func TestDiscordConfig(t *testing.T) {
	keys := discordtest.NewKeys()
	valid := map[string]string{"DISCORD_BOT_TOKEN": "bot-token", "DISCORD_APPLICATION_ID": testApp,
		"DISCORD_PUBLIC_KEY": keys.PublicHex(), "DISCORD_DEFAULT_CHANNEL": "1100000000000000000", "DISCORD_API_URL": "http://127.0.0.1:1/api"}
	load := func(env map[string]string) (*config, error) {
		return loadConfig(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	}
	c, err := load(valid)
	if err != nil || c.Discord.BotToken != "bot-token" || c.Discord.UsesGateway() {
		t.Fatalf("valid settings: %+v, %v", c.Discord, err)
	}
	if c, err := load(map[string]string{}); err != nil || c.Discord.Enabled() {
		t.Fatalf("no settings: %+v, %v; want Discord off", c.Discord, err)
	}
	for _, tc := range []struct{ name, value string }{
		{"DISCORD_BOT_TOKEN", ""}, {"DISCORD_BOT_TOKEN", "Bot abc"}, {"DISCORD_APPLICATION_ID", ""},
		{"DISCORD_APPLICATION_ID", "agentgate"}, {"DISCORD_PUBLIC_KEY", "not-hex"}, {"DISCORD_PUBLIC_KEY", keys.PublicHex()[:10]},
		{"DISCORD_DEFAULT_CHANNEL", "#ops"}, {"DISCORD_API_URL", "discord.com/api"},
	} {
		env := map[string]string{}
		for k, v := range valid {
			env[k] = v
		}
		env[tc.name] = tc.value
		_, err := load(env)
		if err == nil || !strings.HasPrefix(err.Error(), tc.name+":") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s=%q: error %v, want one line starting with %s:", tc.name, tc.value, err, tc.name)
		}
	}
}

// TestServeDiscordEndpoint: with DISCORD_PUBLIC_KEY, serve answers Discord's signed PING
// and refuses an unsigned one, as Discord checks before it saves an endpoint URL.
func TestServeDiscordEndpoint(t *testing.T) {
	fake := discordtest.New(t, "bot-token")
	keys := discordtest.NewKeys()
	s := startServer(t, "DATABASE_URL="+t.TempDir()+"/ag.db", "DISCORD_BOT_TOKEN=bot-token", "DISCORD_APPLICATION_ID="+testApp,
		"DISCORD_PUBLIC_KEY="+keys.PublicHex(), "DISCORD_API_URL="+fake.URL)
	ping := discordtest.Ping(testApp)
	post := func(h http.Header) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, s.base+"/integrations/discord/interactions", bytes.NewReader(ping))
		req.Header = h
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := post(keys.Sign(ping, time.Now())); code != http.StatusOK || body != `{"type":1}` {
		t.Fatalf("signed PING: %d %s", code, body)
	}
	if code, body := post(http.Header{"Content-Type": {"application/json"}}); code != http.StatusUnauthorized {
		t.Fatalf("unsigned PING: %d %s", code, body)
	}
	if !strings.Contains(s.logs.String(), `"clicks_via":"interactions endpoint"`) {
		t.Errorf("the start does not say how clicks arrive: %s", s.logs.String())
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("serve exited with %v", err)
	}
}

// TestServeDiscordGateway: without DISCORD_PUBLIC_KEY, serve holds a Gateway connection,
// and closes it when it stops.
func TestServeDiscordGateway(t *testing.T) {
	fake := discordtest.New(t, "bot-token")
	s := startServer(t, "DATABASE_URL="+t.TempDir()+"/ag.db", "DISCORD_BOT_TOKEN=bot-token", "DISCORD_APPLICATION_ID="+testApp,
		"DISCORD_API_URL="+fake.URL)
	fake.Wait(t, "serve to identify", func() bool { return fake.Gateway().Connected })
	if err := s.stop(t); err != nil {
		t.Fatalf("serve exited with %v", err)
	}
	fake.Wait(t, "the connection to close", func() bool { return !fake.Gateway().Connected })
}
