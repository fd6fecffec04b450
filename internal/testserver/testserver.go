// Package testserver runs a real AgentGate server in-process for the tests of the packages
// that talk to it over HTTP (the client, the CLI and the MCP server): a SQLite database in a
// temporary directory, the gate, the JSON API, on a loopback port. It is wired the way
// `agentgate serve` wires it, so tests exercise what ships.
package testserver

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/handlers"
	"github.com/agentgate/agentgate/internal/app"
	"github.com/agentgate/agentgate/internal/waittest"
	"github.com/agentgate/agentgate/metrics"
	"github.com/agentgate/agentgate/webhook"
)

// Server is a running AgentGate server.
type Server struct {
	// URL is the server's base URL, such as http://127.0.0.1:38211. It survives Restart.
	URL string
	// AdminKey is an admin API key named "admin".
	AdminKey string

	dir     string
	ownsDir bool
	store   *db.Store
	gate    *agentgate.Gate
	waits   *waittest.Store
	http    *httptest.Server
	stopRun func()
	polls   chan string
}

// Start runs a server for the test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := open(t.TempDir(), false)
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	t.Cleanup(s.stop)
	return s
}

// New runs a server outside any one test (from TestMain, for examples); Close stops it and
// removes its files.
func New() (*Server, error) {
	dir, err := os.MkdirTemp("", "agentgate-test-*")
	if err != nil {
		return nil, err
	}
	s, err := open(dir, true)
	if err != nil {
		os.RemoveAll(dir)
	}
	return s, err
}

// Close stops a server made by New.
func (s *Server) Close() {
	s.stop()
	if s.ownsDir {
		os.RemoveAll(s.dir)
	}
}

func open(dir string, ownsDir bool) (*Server, error) {
	s := &Server{dir: dir, ownsDir: ownsDir, polls: make(chan string, 1000)}
	if err := s.start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	key, err := s.gate.BootstrapKey(context.Background(), "admin", false)
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("create admin key: %w", err)
	}
	s.AdminKey = key
	return s, nil
}

// start opens the database and builds the gate with app.OpenGate, as `agentgate serve`
// does, and serves the handlers on addr.
func (s *Server) start(addr string) error {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	// The gate reads through a waittest.Store, so that NextLongPoll can tell when a
	// long-poll has begun waiting.
	var waits *waittest.Store
	reg := prometheus.NewRegistry()
	store, gate, err := app.OpenGateOver(ctx, filepath.Join(s.dir, "agentgate.db"), agentgate.Options{Logger: log, Observer: metrics.New(reg)},
		func(s *db.Store) agentgate.Store {
			waits = waittest.NewStore(s)
			return waits
		})
	if err != nil {
		return err
	}
	waits.Watch(gate)
	metrics.Watch(reg, gate, log)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		store.Close()
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	hs := httptest.NewUnstartedServer(s.observe(handlers.New(gate, handlers.Config{Logger: log, Registry: reg})))
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()

	bg, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { gate.Run(bg, 50*time.Millisecond); close(done) }()
	senders := map[agentgate.ChannelKind]agentgate.Sender{agentgate.ChannelWebhook: webhook.NewSender(gate.WebhookTarget, webhook.Options{AllowPrivate: true})}
	dispatcher, delivered := app.StartDispatcher(bg, store, gate, senders, log)
	s.store, s.gate, s.waits, s.http, s.URL = store, gate, waits, hs, hs.URL
	s.stopRun = func() { dispatcher.Shutdown(ctx); cancel(); <-done; <-delivered }
	return nil
}

// stop ends long-polls, drops every connection, stops serving and closes the database, as
// a server going down does.
func (s *Server) stop() {
	if s.http == nil {
		return
	}
	s.gate.StopWaiting()
	s.http.CloseClientConnections()
	s.http.Close()
	s.stopRun()
	s.store.Close()
	s.http = nil
}

// Restart stops the server and starts a new process's worth of it on the same address over
// the same database file: in-flight requests fail, connections drop, state survives.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	addr := strings.TrimPrefix(s.URL, "http://")
	s.stop()
	if err := s.start(addr); err != nil {
		t.Fatalf("testserver: restart: %v", err)
	}
}

// Key creates an API key with the scopes and returns its secret.
func (s *Server) Key(t testing.TB, name string, scopes ...agentgate.Scope) string {
	t.Helper()
	secret, err := s.NewKey(name, scopes...)
	if err != nil {
		t.Fatalf("testserver: create key %s: %v", name, err)
	}
	return secret
}

// NewKey is Key for callers without a testing.TB.
func (s *Server) NewKey(name string, scopes ...agentgate.Scope) (string, error) {
	_, secret, err := s.gate.CreateKey(context.Background(), agentgate.SystemActor, agentgate.KeyInput{Name: &name, Scopes: scopes})
	return secret, err
}

// observe notes every long-poll (GET /api/requests/:id?wait=...) as it arrives.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := strings.CutPrefix(r.URL.Path, "/api/requests/"); ok && r.Method == http.MethodGet &&
			r.URL.Query().Get("wait") != "" && !strings.Contains(id, "/") {
			select {
			case s.polls <- id:
			default: // nobody is listening; tests that care read promptly
			}
		}
		next.ServeHTTP(w, r)
	})
}

// NextLongPoll blocks until the next long-poll not yet seen has begun waiting (it has read
// its request, so a decision can end it early only by waking it), and returns the id of
// the request it waits on. Tests use it to act exactly while a client is waiting.
func (s *Server) NextLongPoll(t testing.TB) string {
	t.Helper()
	select {
	case id := <-s.polls:
		s.waits.AwaitWaiting(t, id)
		return id
	case <-time.After(time.Minute):
		t.Fatal("testserver: no long-poll arrived within a minute")
		return ""
	}
}
