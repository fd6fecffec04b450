package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/internal/fakeslack"
)

var bg = context.Background()

// clock is a clock the test sets by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// logBuffer collects log lines from several goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// env is a gate over a real database, a fake Slack, and the package's Sender and
// Interactions wired to both, as serve wires them.
type env struct {
	slack        *fakeslack.Server
	store        *db.Store
	gate         *agentgate.Gate
	clock        *clock
	sender       *chatslack.Sender
	interactions *chatslack.Interactions
	logs         *logBuffer
	cfg          chatslack.Config
}

// dbtestSQLite runs fn with a fresh env over SQLite only, for what the database does not
// change.
func dbtestSQLite(t *testing.T, fn func(t *testing.T, e *env)) {
	fn(t, newEnv(t, dbtest.Open(t, db.DialectSQLite), func(*chatslack.Config) {}))
}

// kept lists the Slack messages kept for a request.
func (e *env) kept(t *testing.T, id string) []agentgate.ChatMessage {
	t.Helper()
	ms, err := e.store.ChatMessages(bg, id, agentgate.ChannelSlack)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// eachEnv runs fn with a fresh env over every test database.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) { fn(t, newEnv(t, s, func(*chatslack.Config) {})) })
}

func newEnv(t *testing.T, s *db.Store, change func(*chatslack.Config)) *env {
	t.Helper()
	e := &env{slack: fakeslack.Start(t), store: s, clock: &clock{t: t0}, logs: &logBuffer{}}
	e.gate = agentgate.NewGate(s, agentgate.Options{Clock: e.clock})
	if err := e.gate.ReloadPolicies(bg); err != nil {
		t.Fatal(err)
	}
	e.cfg = chatslack.Config{BotToken: fakeslack.Token, SigningSecret: fakeslack.SigningSecret,
		DefaultChannel: "#approvals", APIURL: e.slack.URL}
	change(&e.cfg)
	opts := chatslack.Options{BaseURL: base, Clock: e.clock, Logger: slog.New(slog.NewTextHandler(e.logs, nil))}
	var err error
	if e.sender, err = chatslack.NewSender(e.cfg, e.gate, s, opts); err != nil {
		t.Fatal(err)
	}
	if e.interactions, err = chatslack.NewInteractions(e.cfg, e.gate, opts); err != nil {
		t.Fatal(err)
	}
	return e
}

// policy makes the rules live, as one enabled policy.
func (e *env) policy(t *testing.T, rules string) {
	t.Helper()
	var rs []agentgate.Rule
	if err := json.Unmarshal([]byte(rules), &rs); err != nil {
		t.Fatal(err)
	}
	if _, err := e.gate.CreatePolicy(bg, agentgate.SystemActor, agentgate.Policy{Name: "p", Enabled: true, Rules: rs}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) submit(t *testing.T, action string) *agentgate.Request {
	t.Helper()
	r, err := e.gate.Submit(bg, agentgate.Actor{ID: "key_agent", Name: "agent", Type: agentgate.ActorAPIKey}, agentgate.NewRequest{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// decide decides r as a dashboard user would.
func (e *env) decide(t *testing.T, id, decision string) {
	t.Helper()
	_, err := e.gate.Decide(bg, id, agentgate.Decide{Decision: decision, Actor: agentgate.Actor{ID: "key_bob", Name: "bob", Type: agentgate.ActorAPIKey},
		Channel: agentgate.DecidedViaDashboard})
	if err != nil {
		t.Fatal(err)
	}
}

// deliver makes the Sender attempt a delivery of event about the request, to target.
func (e *env) deliver(t *testing.T, id, event, target string) (agentgate.SendResult, error) {
	t.Helper()
	return e.sender.Send(bg, agentgate.Delivery{ID: "dlv_" + event, Channel: agentgate.ChannelSlack, Target: target, Event: event, RequestID: id})
}

// post delivers request.created to target and fails the test unless it was posted.
func (e *env) post(t *testing.T, id, target string) {
	t.Helper()
	if res, err := e.deliver(t, id, agentgate.EventRequestCreated, target); err != nil {
		t.Fatalf("post: %v (%+v)", err, res)
	}
}

// status reads the request's status now.
func (e *env) status(t *testing.T, id string) agentgate.Status {
	t.Helper()
	r, err := e.gate.Get(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status
}

// shows reports whether a message shows every one of the texts.
func shows(m fakeslack.Message, texts ...string) bool {
	all := m.Text + string(m.Blocks) + string(m.Attachments)
	for _, s := range texts {
		if !strings.Contains(all, s) {
			return false
		}
	}
	return true
}

func hasButtons(m fakeslack.Message) bool {
	return strings.Contains(string(m.Attachments), chatslack.ActionApprove)
}
