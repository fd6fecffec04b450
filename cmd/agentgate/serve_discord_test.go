package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/chat/discord/discordtest"
	"github.com/agentgate/agentgate/db"
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
	if c, err := load(map[string]string{}); err != nil || c.Discord != nil {
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

// TestServeDiscordRoundTrip: through the built binary and its outbox, a request a rule
// routes to Discord is posted to the default channel; each vote clicked in Discord, and a
// decision made elsewhere, edits the message; the buttons go once it is decided.
func TestServeDiscordRoundTrip(t *testing.T) {
	fake := discordtest.New(t, "bot-token")
	keys := discordtest.NewKeys()
	dbPath := t.TempDir() + "/ag.db"
	s := startServer(t, "DATABASE_URL="+dbPath, "DISCORD_BOT_TOKEN=bot-token", "DISCORD_APPLICATION_ID="+testApp,
		"DISCORD_PUBLIC_KEY="+keys.PublicHex(), "DISCORD_API_URL="+fake.URL, "DISCORD_DEFAULT_CHANNEL=1100000000000000000")
	key := s.printedKey(t)
	store, err := db.Open(context.Background(), dbPath, nil) // a reader beside serve, for the delivery log
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if code, body := s.call(t, key, http.MethodPost, "/api/policies", `{"name": "chat", "priority": 1, "rules": [
		{"match": {"action": "deploy"}, "decision": "route_to_human", "channels": ["discord"], "requiredApprovals": 2},
		{"match": {"action": "restart"}, "decision": "route_to_human", "channels": ["discord"]}]}`); code != http.StatusCreated {
		t.Fatalf("create policy: %d %s", code, body)
	}
	submit := func(action string) string {
		code, body := s.call(t, key, http.MethodPost, "/api/requests", `{"action": "`+action+`"}`)
		var r struct{ ID string }
		if code != http.StatusCreated || json.Unmarshal([]byte(body), &r) != nil {
			t.Fatalf("submit: %d %s", code, body)
		}
		return r.ID
	}
	message := func(n int) discordtest.Message {
		if ms := fake.Messages(); len(ms) > n {
			return ms[n]
		}
		return discordtest.Message{}
	}
	showing := func(n int, what string) func() bool {
		return func() bool {
			return strings.Contains(message(n).Body.Content+message(n).Body.Embeds[0].Description, what)
		}
	}
	click := func(id, customID, user string) string {
		body := discordtest.Click(id, testApp, customID, discordtest.User{ID: user, Username: "user" + user})
		req, _ := http.NewRequest(http.MethodPost, s.base+"/integrations/discord/interactions", bytes.NewReader(body))
		req.Header = keys.Sign(body, time.Now())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}

	id := submit("deploy")
	// Once the post's delivery is done, only the vote's own delivery can show the vote.
	waitDelivered(t, store, 1)
	if m := message(0); m.ChannelID != "1100000000000000000" || !strings.Contains(m.Body.Embeds[0].Footer.Text, id) {
		t.Fatalf("posted %+v", m)
	}
	if answer := click("1", "approve:"+id, "101"); !strings.Contains(answer, `"type":7`) {
		t.Fatalf("first vote answered %s", answer)
	}
	fake.Wait(t, "the vote to show", func() bool { return message(0).Edits == 1 && strings.Contains(fieldText(message(0)), "1 of 2") })
	click("2", "approve:"+id, "102")
	fake.Wait(t, "the decision to show", showing(0, "Approved"))
	for _, row := range message(0).Body.Components {
		for _, c := range row.Components {
			if c.CustomID != "" {
				t.Fatalf("a decided request keeps its button %q", c.CustomID)
			}
		}
	}

	other := submit("restart") // decided in the API: the message follows
	fake.Wait(t, "the second request to be posted", func() bool { return len(fake.Messages()) == 2 })
	if code, body := s.call(t, key, http.MethodPost, "/api/requests/"+other+"/decide", `{"decision": "denied", "reason": "not now"}`); code != http.StatusOK {
		t.Fatalf("decide: %d %s", code, body)
	}
	fake.Wait(t, "the API's decision to show", showing(1, "not now"))
}

// waitDelivered waits until n Discord deliveries are delivered, reading serve's database.
func waitDelivered(t *testing.T, store *db.Store, n int) {
	t.Helper()
	f := agentgate.DeliveryFilter{Channel: agentgate.ChannelDiscord, Status: agentgate.DeliveryDelivered, Page: agentgate.Page{Limit: 100}}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, total, err := store.ListDeliveries(context.Background(), f); err == nil && total >= n {
			return
		}
	}
	t.Fatalf("fewer than %d Discord deliveries were delivered", n)
}

// fieldText is the text of a message's embed fields.
func fieldText(m discordtest.Message) string {
	var b strings.Builder
	for _, e := range m.Body.Embeds {
		for _, f := range e.Fields {
			b.WriteString(f.Name + ": " + f.Value + "\n")
		}
	}
	return b.String()
}
