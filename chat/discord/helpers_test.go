package discord_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/chat/discord"
	"github.com/agentgate/agentgate/chat/discord/discordtest"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// manualClock is a clock the test moves by hand.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var bg = context.Background()

const (
	appID   = "1180000000000000000"
	token   = "bot-token"
	channel = "1100000000000000000"
)

var carol = discordtest.User{ID: "80351110224678912", Username: "carol", Nick: "Carol"}

// env is a gate over a real database, and a fake Discord.
type env struct {
	gate    *agentgate.Gate
	store   *db.Store
	clock   *manualClock
	discord *discordtest.Server
	keys    discordtest.Keys
	cfg     discord.Config
}

// eachEnv runs fn over every test database with a fresh gate and fake Discord.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		clock := &manualClock{t: t0}
		g := agentgate.NewGate(s, agentgate.Options{Clock: clock})
		if err := g.ReloadPolicies(bg); err != nil {
			t.Fatal(err)
		}
		fake := discordtest.New(t, token)
		keys := discordtest.NewKeys()
		cfg := discord.Config{BotToken: token, ApplicationID: appID, PublicKey: keys.PublicHex(),
			DefaultChannel: channel, APIURL: fake.URL}
		fn(t, &env{gate: g, store: s, clock: clock, discord: fake, keys: keys, cfg: cfg})
	})
}

// policy makes the rules (JSON) the only policy.
func (e *env) policy(t *testing.T, rules string) {
	t.Helper()
	var rs []agentgate.Rule
	if err := json.Unmarshal([]byte(rules), &rs); err != nil {
		t.Fatal(err)
	}
	if _, err := e.gate.CreatePolicy(bg, agentgate.SystemActor, agentgate.Policy{Name: "chat", Enabled: true, Rules: rs}); err != nil {
		t.Fatal(err)
	}
}

// submit routes a request with the action to people.
func (e *env) submit(t *testing.T, action string) *agentgate.Request {
	t.Helper()
	r, err := e.gate.Submit(bg, agentgate.Actor{ID: "key_1", Name: "agent", Type: agentgate.ActorAPIKey},
		agentgate.NewRequest{Action: action, Params: json.RawMessage(`{"to":"ceo@example.com"}`)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *env) sender(t *testing.T) *discord.Sender {
	t.Helper()
	s, err := discord.NewSender(e.cfg, e.gate, e.store, discord.Options{BaseURL: "https://gate.example.com", Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// quiet is a logger for components whose logs the test does not read.
var quiet = slog.New(slog.DiscardHandler)

func (e *env) responder() *discord.Responder {
	return discord.NewResponder(e.gate, e.cfg, "https://gate.example.com", quiet)
}

// delivery is the outbox row for an event of r to a channel ("" for the default).
func delivery(r *agentgate.Request, event, target string) agentgate.Delivery {
	data, _ := json.Marshal(r)
	return agentgate.Delivery{ID: "dlv_" + r.ID[4:] + event, Channel: agentgate.ChannelDiscord, Target: target,
		Event: event, RequestID: r.ID, CreatedAt: r.UpdatedAt,
		Payload: json.RawMessage(`{"event":"` + event + `","timestamp":"2026-03-01T12:00:00Z","data":` + string(data) + `}`)}
}

// decode reads a response the way Discord would.
func decode(t *testing.T, v any) (typ int, m discord.Message, modal discord.Modal) {
	t.Helper()
	b, err := discord.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Type == discord.ResponseModal {
		_ = json.Unmarshal(r.Data, &modal)
	} else if len(r.Data) > 0 {
		_ = json.Unmarshal(r.Data, &m)
	}
	return r.Type, m, modal
}

// hasButtons reports whether m still offers Approve and Deny.
func hasButtons(m discord.Message) bool {
	for _, row := range m.Components {
		for _, c := range row.Components {
			if c.CustomID != "" {
				return true
			}
		}
	}
	return false
}

// equalJSON reports whether a and b are sent as the same JSON.
func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := discord.Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := discord.Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}
