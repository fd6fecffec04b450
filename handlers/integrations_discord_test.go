package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/chat/discord"
	"github.com/agentgate/agentgate/chat/discord/discordtest"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/handlers"
)

const (
	discordApp     = "1180000000000000000"
	discordChannel = "1100000000000000000"
	interactions   = "/integrations/discord/interactions"
)

var dave = discordtest.User{ID: "80351110224678912", Username: "dave"}

// discordEnv is the real stack with Discord configured: a gate over a real store, the
// handlers on an HTTP server, a fake Discord, and the app's key pair.
type discordEnv struct {
	gate   *ag.Gate
	store  *db.Store
	clock  *testClock
	srv    *httptest.Server
	fake   *discordtest.Server
	keys   discordtest.Keys
	sender *discord.Sender
}

func eachDiscord(t *testing.T, fn func(t *testing.T, e *discordEnv)) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := &discordEnv{store: s, clock: &testClock{now: apiT0}, keys: discordtest.NewKeys(), fake: discordtest.New(t, "bot-token")}
		log := slog.New(slog.DiscardHandler)
		e.gate = ag.NewGate(s, ag.Options{Clock: e.clock, Logger: log})
		if err := e.gate.ReloadPolicies(context.Background()); err != nil {
			t.Fatal(err)
		}
		cfg := discord.Config{BotToken: "bot-token", ApplicationID: discordApp, PublicKey: e.keys.PublicHex(),
			DefaultChannel: discordChannel, APIURL: e.fake.URL}
		endpoint, err := discord.NewEndpoint(cfg, e.gate, "https://gate.example.com", e.clock, log)
		if err != nil {
			t.Fatal(err)
		}
		if e.sender, err = discord.NewSender(cfg, e.gate, s, discord.Options{BaseURL: "https://gate.example.com", Clock: e.clock}); err != nil {
			t.Fatal(err)
		}
		e.srv = httptest.NewServer(handlers.New(e.gate, handlers.Config{Logger: log, DiscordInteractions: endpoint}))
		t.Cleanup(e.srv.Close)
		fn(t, e)
	})
}

// post sends body to the endpoint with the headers given, and reads the answer.
func (e *discordEnv) post(t *testing.T, body []byte, h http.Header) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+interactions, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("answered %d with %q: %s", res.StatusCode, ct, b)
	}
	return res.StatusCode, b
}

// signed sends body signed now, as Discord does.
func (e *discordEnv) signed(t *testing.T, body []byte) (int, []byte) {
	return e.post(t, body, e.keys.Sign(body, e.clock.Now()))
}

// answerType is the type of an interaction response.
func answerType(t *testing.T, b []byte) int {
	t.Helper()
	var r struct{ Type int }
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("answer %s: %v", b, err)
	}
	return r.Type
}

func TestDiscordEndpointSignatures(t *testing.T) {
	eachDiscord(t, func(t *testing.T, e *discordEnv) {
		ping := discordtest.Ping(discordApp)
		if status, b := e.signed(t, ping); status != http.StatusOK || answerType(t, b) != discord.ResponsePong {
			t.Fatalf("PING: %d %s", status, b)
		}
		r := e.submit(t)
		click := discordtest.Click("2001", discordApp, "approve:"+r.ID, dave)
		for _, tc := range []struct {
			name string
			h    http.Header
		}{
			{"no signature", http.Header{"Content-Type": {"application/json"}}},
			{"another key", discordtest.NewKeys().Sign(click, e.clock.Now())},
			{"signed for another body", e.keys.Sign(ping, e.clock.Now())},
			{"stale", e.keys.Sign(click, e.clock.Now().Add(-6*time.Minute))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, b := e.post(t, click, tc.h)
				if status != http.StatusUnauthorized || !strings.Contains(string(b), `"invalid_signature"`) {
					t.Fatalf("answered %d %s; want 401", status, b)
				}
			})
		}
		if got, _ := e.gate.Get(context.Background(), r.ID); got.Status != ag.StatusPending {
			t.Fatalf("a refused interaction decided: %s", got.Status)
		}
		if status, _ := e.signed(t, []byte(`{"type": 3}`)); status != http.StatusBadRequest {
			t.Fatalf("a signed interaction without an id: %d", status)
		}
	})
}

func (e *discordEnv) submit(t *testing.T) *ag.Request {
	t.Helper()
	r, err := e.gate.Submit(context.Background(), ag.Actor{ID: "key_1", Name: "agent", Type: ag.ActorAPIKey}, ag.NewRequest{Action: "deploy"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDiscordClickDecides: a click decides at once, the clicker sees the updated message,
// and the decision's delivery edits the message in the channel.
func TestDiscordClickDecides(t *testing.T) {
	eachDiscord(t, func(t *testing.T, e *discordEnv) {
		ctx := context.Background()
		r := e.submit(t)
		if _, err := e.sender.Send(ctx, ag.Delivery{ID: "dlv_1", Event: ag.EventRequestCreated, RequestID: r.ID}); err != nil {
			t.Fatal(err)
		}
		status, b := e.signed(t, discordtest.Click("2002", discordApp, "approve:"+r.ID, dave))
		if status != http.StatusOK || answerType(t, b) != discord.ResponseUpdateMessage || !strings.Contains(string(b), "Approved") {
			t.Fatalf("click answered %d %s", status, b)
		}
		got, _ := e.gate.Get(ctx, r.ID)
		if got.Status != ag.StatusApproved || got.DecidedBy != "dave (discord:80351110224678912)" || got.Votes[0].Channel != ag.DecidedViaDiscord {
			t.Fatalf("request %s by %q", got.Status, got.DecidedBy)
		}
		if _, err := e.sender.Send(ctx, ag.Delivery{ID: "dlv_2", Event: ag.EventRequestApproved, RequestID: r.ID}); err != nil {
			t.Fatal(err)
		}
		if m := e.fake.Messages()[0]; m.Edits != 1 || !strings.Contains(m.Body.Content, "Approved") {
			t.Fatalf("the channel's message: %d edits, %q", m.Edits, m.Body.Content)
		}

		// The same signed click sent again is ignored: acknowledged, nothing decided.
		again := e.submit(t)
		click := discordtest.Click("2003", discordApp, "deny:"+again.ID, dave)
		h := e.keys.Sign(click, e.clock.Now())
		if status, b := e.post(t, click, h); status != http.StatusOK || answerType(t, b) != discord.ResponseUpdateMessage {
			t.Fatalf("first click: %d %s", status, b)
		}
		e.clock.advance(time.Minute)
		if status, b := e.post(t, click, h); status != http.StatusOK || answerType(t, b) != discord.ResponseDeferUpdate {
			t.Fatalf("replayed click: %d %s", status, b)
		}
	})
}

// TestDiscordClickRace: two people click at once; one decision, and the other is told.
func TestDiscordClickRace(t *testing.T) {
	eachDiscord(t, func(t *testing.T, e *discordEnv) {
		r := e.submit(t)
		var wg sync.WaitGroup
		answers := make([]int, 8)
		for i := range answers {
			wg.Go(func() {
				u := discordtest.User{ID: "9" + strings.Repeat("0", 16) + string(rune('0'+i)), Username: "user"}
				_, b := e.signed(t, discordtest.Click("30"+string(rune('0'+i)), discordApp, "approve:"+r.ID, u))
				answers[i] = answerType(t, b)
			})
		}
		wg.Wait()
		won := 0
		for _, typ := range answers {
			if typ == discord.ResponseUpdateMessage {
				won++
			} else if typ != discord.ResponseMessage {
				t.Errorf("a losing click was answered with type %d", typ)
			}
		}
		got, _ := e.gate.Get(context.Background(), r.ID)
		if won != 1 || len(got.Votes) != 1 {
			t.Fatalf("%d clicks won, %d votes; want one of each", won, len(got.Votes))
		}
	})
}

func TestDiscordEndpointNotConfigured(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		r := e.call(http.MethodPost, interactions, "", discordtest.Ping(discordApp))
		if r.status != http.StatusNotFound || !strings.Contains(string(r.body), "discord_not_configured") {
			t.Fatalf("answered %d %s", r.status, r.body)
		}
	})
}
