// Package discordtest is a fake Discord for tests: a REST API that keeps the messages a
// bot posts and edits and records interaction callbacks, a Gateway that sends the
// interactions a test makes, and an Ed25519 key pair that signs interactions for the HTTP
// endpoint. Point DISCORD_API_URL (discord.Config.APIURL) at Server.URL.
package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentgate/agentgate/chat/discord"
)

// Message is a message as the fake holds it: the last body created or edited.
type Message struct {
	ID        string
	ChannelID string
	Body      discord.Message
	Edits     int
}

// Callback is one answer to an interaction, sent to its callback URL.
type Callback struct {
	InteractionID string
	Token         string
	Response      json.RawMessage
}

// Answer is a scripted answer to the next call of a method.
type Answer struct {
	Status int
	Body   string
	Header http.Header
}

// Server is a fake Discord API. Its zero value is not usable; call New.
type Server struct {
	URL   string // the API's base URL: DISCORD_API_URL
	Token string // the bot token it accepts

	http    *httptest.Server
	gateway *gateway

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every change
	messages  map[string]*Message
	order     []string
	nonces    map[string]string // nonce → message id
	callbacks []Callback
	scripted  map[string][]Answer // method → answers for its next calls
	calls     map[string]int      // method → calls received
	hooks     map[string][]func() // method → run before answering its next calls
	nextID    int64
}

// New starts a fake Discord that accepts token, stopped when the test ends.
func New(t testing.TB, token string) *Server {
	s := &Server{Token: token, changed: make(chan struct{}), messages: map[string]*Message{},
		nonces: map[string]string{}, scripted: map[string][]Answer{}, calls: map[string]int{}, hooks: map[string][]func(){}, nextID: 1_100_000_000_000_000_000}
	s.gateway = newGateway(s)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /channels/{channel}/messages", s.create)
	mux.HandleFunc("PATCH /channels/{channel}/messages/{message}", s.edit)
	mux.HandleFunc("POST /interactions/{id}/{token}/callback", s.callback)
	mux.HandleFunc("GET /gateway/bot", s.gatewayBot)
	mux.HandleFunc("GET /users/@me", s.me)
	mux.HandleFunc("GET /gateway", s.gateway.serve)
	s.http = httptest.NewUnstartedServer(mux)
	s.URL = "http://" + s.http.Listener.Addr().String() // before serving: handlers read it
	s.http.Start()
	t.Cleanup(func() {
		s.gateway.stop()
		s.http.Close()
	})
	return s
}

// Script makes the next calls of method (POST, PATCH) get these answers, in order,
// before the fake answers as Discord would again.
func (s *Server) Script(method string, answers ...Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripted[method] = append(s.scripted[method], answers...)
}

// Before runs fn before the fake answers the next call of method: a test's way to make
// something happen while a call is in flight.
func (s *Server) Before(method string, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks[method] = append(s.hooks[method], fn)
}

// Messages returns the messages in the order they were created.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, *s.messages[id])
	}
	return out
}

// Delete removes a message, as a person in Discord might.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.messages, id)
	for i, o := range s.order {
		if o == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	s.changedLocked()
}

// Callbacks returns the interaction answers received, in order.
func (s *Server) Callbacks() []Callback {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Callback(nil), s.callbacks...)
}

// Calls counts the calls of a method received, scripted answers included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Wait returns once cond holds, checking it after every change the fake sees, or fails
// the test after a generous timeout.
func (s *Server) Wait(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("discordtest: timed out waiting for %s", what)
		}
	}
}

// changedLocked wakes every Wait. s.mu is held.
func (s *Server) changedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// begin counts a call, runs its hook and returns its scripted answer, if any.
func (s *Server) begin(method string) (Answer, bool) {
	s.mu.Lock()
	var hook func()
	if q := s.hooks[method]; len(q) > 0 {
		hook, s.hooks[method] = q[0], q[1:]
	}
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	defer s.changedLocked()
	if q := s.scripted[method]; len(q) > 0 {
		s.scripted[method] = q[1:]
		return q[0], true
	}
	return Answer{}, false
}

func reply(w http.ResponseWriter, a Answer) {
	for k, vs := range a.Header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.Status)
	io.WriteString(w, a.Body)
}

// refuse answers as Discord does: {"message", "code"}.
func refuse(w http.ResponseWriter, status, code int, msg string) {
	reply(w, Answer{Status: status, Body: fmt.Sprintf(`{"message": %q, "code": %d}`, msg, code)})
}

// authorized checks the bot token, as Discord does on every bot call.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bot "+s.Token {
		refuse(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return false
	}
	if !strings.HasPrefix(r.Header.Get("User-Agent"), "DiscordBot (") {
		refuse(w, http.StatusBadRequest, 0, "a bot's User-Agent is DiscordBot (url, version)")
		return false
	}
	return true
}

func (s *Server) newID() string {
	s.nextID++
	return strconv.FormatInt(s.nextID, 10)
}
