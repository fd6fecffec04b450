package discord_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/chat/discord"
	"github.com/agentgate/agentgate/chat/discord/discordtest"
)

func decide(t *testing.T, e *env, id, decision string) *agentgate.Request {
	t.Helper()
	r, err := e.gate.Decide(bg, id, agentgate.Decide{Decision: decision, Actor: agentgate.Actor{ID: "key_2", Name: "admin", Type: agentgate.ActorAPIKey}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func send(t *testing.T, s *discord.Sender, d agentgate.Delivery) agentgate.SendResult {
	t.Helper()
	res, err := s.Send(bg, d)
	if err != nil {
		t.Fatalf("Send %s: %v (%+v)", d.Event, err, res)
	}
	return res
}

func TestSenderPostsThenEdits(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		s := e.sender(t)
		r := e.submit(t, "deploy")
		send(t, s, delivery(r, agentgate.EventRequestCreated, ""))
		ms := e.discord.Messages()
		if len(ms) != 1 || ms[0].ChannelID != channel || !hasButtons(ms[0].Body) {
			t.Fatalf("posted %+v", ms)
		}
		want := discord.Build(*r, discord.LinksFor("https://gate.example.com", r.ID))
		want.Nonce, want.EnforceNonce = ms[0].Body.Nonce, true
		if len(want.Nonce) != 25 || !equalJSON(t, ms[0].Body, want) {
			t.Fatalf("posted body is not Build's:\n%+v", ms[0].Body)
		}
		saved, err := e.store.ChatMessages(bg, r.ID, agentgate.ChannelDiscord)
		if err != nil || len(saved) != 1 || saved[0].MessageID != ms[0].ID || saved[0].Channel != channel {
			t.Fatalf("recorded %+v, %v", saved, err)
		}

		// A retry of the post (its attempt was not recorded in the outbox) posts nothing more.
		send(t, s, delivery(r, agentgate.EventRequestCreated, ""))
		if n := e.discord.Calls(http.MethodPost); n != 1 || len(e.discord.Messages()) != 1 {
			t.Fatalf("a retried post made %d posts", n)
		}

		decided := decide(t, e, r.ID, agentgate.DecisionDenied)
		send(t, s, delivery(decided, agentgate.EventRequestDenied, ""))
		m := e.discord.Messages()[0]
		if hasButtons(m.Body) || !strings.Contains(m.Body.Content, "Denied") || !strings.Contains(m.Body.Embeds[0].Description, "by admin") {
			t.Fatalf("edited to %+v", m.Body)
		}
	})
}

func TestSenderChannels(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.submit(t, "deploy")
		send(t, e.sender(t), delivery(r, agentgate.EventRequestCreated, "1200000000000000000"))
		if ms := e.discord.Messages(); len(ms) != 1 || ms[0].ChannelID != "1200000000000000000" {
			t.Fatalf("posted %+v", ms)
		}
		for _, tc := range []struct{ name, target, defaultChannel, want string }{
			{"a channel name", "#ops", channel, "not a channel id"},
			{"no channel anywhere", "", "", "DISCORD_DEFAULT_CHANNEL is not set"},
			{"an unknown channel", discordtest.MissingChannel, channel, "Unknown Channel"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.cfg.DefaultChannel = tc.defaultChannel
				res, err := e.sender(t).Send(bg, delivery(r, agentgate.EventRequestCreated, tc.target))
				if err == nil || !res.Permanent || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Send = %+v, %v; want a permanent failure saying %q", res, err, tc.want)
				}
			})
		}
	})
}

// TestSenderShowsTheRequestAsItIs: a post that is late, or whose request changes while it
// is in flight, still ends up showing the request as it is.
func TestSenderShowsTheRequestAsItIs(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		s := e.sender(t)
		late := e.submit(t, "deploy")
		decide(t, e, late.ID, agentgate.DecisionApproved)
		send(t, s, delivery(late, agentgate.EventRequestCreated, ""))
		if m := e.discord.Messages()[0]; hasButtons(m.Body) || !strings.Contains(m.Body.Content, "Approved") {
			t.Fatalf("a request decided before its post was posted as %+v", m.Body)
		}

		// Decided while the post is in flight: its own delivery finds no message recorded yet.
		raced := e.submit(t, "deploy")
		e.discord.Before(http.MethodPost, func() { // on the fake's goroutine: no Fatal
			d, err := e.gate.Decide(bg, raced.ID, agentgate.Decide{Decision: agentgate.DecisionDenied, Actor: agentgate.Actor{ID: "key_2", Name: "admin"}})
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := s.Send(bg, delivery(d, agentgate.EventRequestDenied, "")); err != nil {
				t.Error(err)
			}
		})
		send(t, s, delivery(raced, agentgate.EventRequestCreated, ""))
		if m := e.discord.Messages()[1]; hasButtons(m.Body) || !strings.Contains(m.Body.Content, "Denied") || m.Edits != 1 {
			t.Fatalf("a request decided during its post shows %+v after %d edits", m.Body, m.Edits)
		}
	})
}

// flakyStore fails the first n recordings of a message, as a database outage would.
type flakyStore struct {
	agentgate.ChatMessageStore
	n int
}

func (f *flakyStore) SaveChatMessage(ctx context.Context, m agentgate.ChatMessage) error {
	if f.n > 0 {
		f.n--
		return errors.New("database is down")
	}
	return f.ChatMessageStore.SaveChatMessage(ctx, m)
}

func TestSenderNeverPostsTwice(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		s, err := discord.NewSender(e.cfg, e.gate, &flakyStore{ChatMessageStore: e.store, n: 1}, discord.Options{})
		if err != nil {
			t.Fatal(err)
		}
		r := e.submit(t, "deploy")
		d := delivery(r, agentgate.EventRequestCreated, "")
		if res, err := s.Send(bg, d); err == nil || res.Permanent {
			t.Fatalf("an unrecorded post: %+v, %v; want a retry", res, err)
		}
		send(t, s, d) // Discord finds the first message by its nonce
		if ms := e.discord.Messages(); len(ms) != 1 || e.discord.Calls(http.MethodPost) != 2 {
			t.Fatalf("%d messages after %d posts", len(ms), e.discord.Calls(http.MethodPost))
		}
		if saved, _ := e.store.ChatMessages(bg, r.ID, agentgate.ChannelDiscord); len(saved) != 1 || saved[0].MessageID != e.discord.Messages()[0].ID {
			t.Fatalf("recorded %+v", saved)
		}
	})
}
