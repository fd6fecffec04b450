// Package fakeslack is a Slack Web API for tests: an httptest server that answers the
// methods AgentGate calls (chat.postMessage, chat.update, chat.delete, chat.postEphemeral,
// views.open, users.info, auth.test, apps.connections.open with a Socket Mode WebSocket),
// records every call, keeps the messages as Slack would, and fails on request. Point
// SLACK_API_URL (chat/slack's Config.APIURL) at URL.
package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is the bot token the server accepts; AppToken the app-level token.
const (
	Token    = "xoxb-fake-token"
	AppToken = "xapp-fake-token"
)

// Call is one Web API call the server received.
type Call struct {
	Method string     // e.g. chat.postMessage
	Form   url.Values // the form arguments (token removed)
	JSON   []byte     // the body of a JSON call (views.open)
}

// Message is a message as Slack holds it now.
type Message struct {
	Channel, TS string
	Text        string
	Blocks      json.RawMessage
	Attachments json.RawMessage
	Updates     int // how often chat.update changed it
}

// String shows the message readably in a failed test's output.
func (m Message) String() string {
	return fmt.Sprintf("{%s %s, %d updates: %s %s %s}", m.Channel, m.TS, m.Updates, m.Text, m.Blocks, m.Attachments)
}

// Failure is an answer to give instead of success.
type Failure struct {
	Status     int    // an HTTP status other than 200 (e.g. 500, 429); 0 means 200
	RetryAfter int    // seconds, sent as Retry-After
	Error      string // Slack's error code in {"ok": false}, when Status is 0
}

// User is a Slack user as users.info returns it.
type User struct {
	ID, Name, Email string
}

// Server is a running fake Slack.
type Server struct {
	URL string // the Web API base URL, ending in /api/

	http     *httptest.Server
	mu       sync.Mutex
	changed  *sync.Cond
	calls    []Call
	messages map[string]*Message // by channel + " " + ts
	order    []string
	failures map[string][]Failure
	before   map[string][]func()
	users    map[string]User
	nextTS   int
	socket   *socket
}

// Start runs a fake Slack for the test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{messages: map[string]*Message{}, failures: map[string][]Failure{}, before: map[string][]func(){}, users: map[string]User{}, nextTS: 100}
	s.changed = sync.NewCond(&s.mu)
	s.socket = newSocket()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/socket", s.socket.serve)
	s.http = httptest.NewServer(mux)
	s.URL = s.http.URL + "/api/"
	t.Cleanup(func() { s.socket.close(); s.http.CloseClientConnections(); s.http.Close() })
	return s
}

// AddUser makes users.info know u.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// Fail makes the next calls of method answer with fs, one failure per call, in order.
func (s *Server) Fail(method string, fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], fs...)
}

// Before makes the next call of method run fn before it is answered: a test acts exactly
// while AgentGate waits for Slack.
func (s *Server) Before(method string, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before[method] = append(s.before[method], fn)
}

// Calls returns the calls of method received so far, oldest first ("" for every call).
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// WaitCalls blocks until n calls of method have arrived and returns them; after a
// minute the test fails (a missing call, not a slow one: nothing waits on time).
func (s *Server) WaitCalls(t testing.TB, method string, n int) []Call {
	t.Helper()
	var got []Call
	if !s.wait(func() bool {
		got = got[:0]
		for _, c := range s.calls {
			if c.Method == method {
				got = append(got, c)
			}
		}
		return len(got) >= n
	}) {
		t.Fatalf("fakeslack: %d %s call(s) arrived within a minute, want %d", len(got), method, n)
	}
	return got
}

// WaitMessages blocks until the messages Slack holds satisfy ok (called with the server
// locked: it must not call the server), and returns them; after a minute the test fails.
func (s *Server) WaitMessages(t testing.TB, what string, ok func([]Message) bool) []Message {
	t.Helper()
	var ms []Message
	if !s.wait(func() bool { ms = s.messagesLocked(); return ok(ms) }) {
		t.Fatalf("fakeslack: waited a minute for %s; Slack holds %+v", what, ms)
	}
	return ms
}

// wait calls done, with the server locked, each time the server changes until it
// returns true, and reports false if a minute passes first.
func (s *Server) wait(done func() bool) bool {
	timedOut := false
	stop := time.AfterFunc(time.Minute, func() {
		s.mu.Lock()
		timedOut = true
		s.changed.Broadcast()
		s.mu.Unlock()
	})
	defer stop.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for !done() {
		if timedOut {
			return false
		}
		s.changed.Wait()
	}
	return true
}

// Messages returns the messages posted, oldest first, as they are now.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked()
}

func (s *Server) messagesLocked() []Message {
	out := make([]Message, 0, len(s.order))
	for _, k := range s.order {
		if m, ok := s.messages[k]; ok {
			out = append(out, *m)
		}
	}
	return out
}

// ChannelID is the id the server gives a chat.postMessage target: a channel name
// (#ops, ops) becomes C + its upper-cased name, a user id U… becomes the direct message
// D…, an id stays as it is.
func ChannelID(target string) string {
	switch t := strings.TrimPrefix(target, "#"); {
	case strings.HasPrefix(t, "U") && t == strings.ToUpper(t):
		return "D" + t[1:]
	case (strings.HasPrefix(t, "C") || strings.HasPrefix(t, "D") || strings.HasPrefix(t, "G")) && t == strings.ToUpper(t):
		return t
	default:
		return "C" + strings.ToUpper(strings.ReplaceAll(t, "-", ""))
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	body, _ := io.ReadAll(r.Body)
	call := Call{Method: method}
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		call.JSON = body
	} else {
		call.Form, _ = url.ParseQuery(string(body))
		if t := call.Form.Get("token"); t != "" {
			token = t
		}
		call.Form.Del("token")
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.changed.Broadcast()
	var fail *Failure
	if fs := s.failures[method]; len(fs) > 0 {
		fail, s.failures[method] = &fs[0], fs[1:]
	}
	var hook func()
	if hs := s.before[method]; len(hs) > 0 {
		hook, s.before[method] = hs[0], hs[1:]
	}
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	want := Token
	if method == "apps.connections.open" {
		want = AppToken
	}
	switch {
	case fail != nil && fail.Status != 0:
		if fail.RetryAfter > 0 {
			w.Header().Set("Retry-After", fmt.Sprint(fail.RetryAfter))
		}
		http.Error(w, http.StatusText(fail.Status), fail.Status)
	case fail != nil:
		answer(w, map[string]any{"ok": false, "error": fail.Error})
	case token != want:
		answer(w, map[string]any{"ok": false, "error": "invalid_auth"})
	default:
		answer(w, s.method(r, call))
		s.mu.Lock()
		s.changed.Broadcast() // the messages may have changed
		s.mu.Unlock()
	}
}

func answer(w http.ResponseWriter, v map[string]any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}
