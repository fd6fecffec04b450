package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/handlers"
	"github.com/agentgate/agentgate/internal/app"
	"github.com/agentgate/agentgate/internal/smtptest"
	"github.com/agentgate/agentgate/mail"
)

// clock stands still until the test moves it.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// stack is the server as serve wires it, in the test's process: the gate on a real store,
// the HTTP handlers on loopback, and the outbox's dispatcher delivering email through the
// real mail sender to SMTP on port.
type stack struct {
	t          *testing.T
	gate       *ag.Gate
	clock      *clock
	srv        *httptest.Server
	dispatcher *ag.Dispatcher
	attempts   chan ag.DeliveryAttempt
	http       *http.Client
}

func newStack(t *testing.T, store *db.Store, smtpPort int, o ag.Options) *stack {
	t.Helper()
	ctx := context.Background()
	s := &stack{t: t, clock: &clock{now: time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)}, attempts: make(chan ag.DeliveryAttempt, 100)}
	log := slog.New(slog.DiscardHandler)
	o.Clock, o.Logger = s.clock, log
	s.gate = ag.NewGate(store, o)
	for _, reload := range []func(context.Context) error{s.gate.ReloadPolicies, s.gate.ReloadWebhooks, s.gate.ReloadPeople} {
		if err := reload(ctx); err != nil {
			t.Fatal(err)
		}
	}
	s.srv = httptest.NewServer(handlers.New(s.gate, handlers.Config{Logger: log}))
	t.Cleanup(s.srv.Close)
	sender, err := app.NewMailSender(mail.Config{Host: "127.0.0.1", Port: smtpPort, TLS: mail.TLSNone,
		From: "AgentGate <gate@example.com>"}, s.gate, s.srv.URL, log)
	if err != nil {
		t.Fatal(err)
	}
	s.dispatcher = s.gate.Dispatcher(map[ag.ChannelKind]ag.Sender{ag.ChannelEmail: sender}, ag.DispatcherOptions{
		Jitter: func() float64 { return 0 }, OnAttempt: func(_ ag.Delivery, a ag.DeliveryAttempt) { s.attempts <- a }})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { s.dispatcher.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	s.http = s.srv.Client()
	s.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return s
}

// key creates an API key, for personID ("" for none), and returns its secret.
func (s *stack) key(name, personID string, scopes ...ag.Scope) string {
	s.t.Helper()
	_, secret, err := s.gate.CreateKey(context.Background(), ag.SystemActor, ag.KeyInput{Name: &name, Scopes: scopes,
		PersonID: ag.NullString{Set: true, Value: personID}})
	if err != nil {
		s.t.Fatal(err)
	}
	return secret
}

func (s *stack) person(name, email string, groups ...string) ag.Person {
	s.t.Helper()
	p, err := s.gate.CreatePerson(context.Background(), ag.SystemActor, ag.PersonInput{Name: &name, Email: &email, Groups: &groups})
	if err != nil {
		s.t.Fatal(err)
	}
	return *p
}

// do sends one request; a browser's form post says it comes from the page's own origin.
func (s *stack) do(method, target string, form url.Values, hdr ...string) (int, string) {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := s.http.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// submit asks as an agent over the API.
func (s *stack) submit(secret, body string) ag.Request {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/api/requests", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	res, err := s.http.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var r ag.Request
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil || res.StatusCode != http.StatusCreated {
		s.t.Fatalf("submit: status %d, %v", res.StatusCode, err)
	}
	return r
}

func (s *stack) request(id string) *ag.Request {
	s.t.Helper()
	r, err := s.gate.Get(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

// signIn returns a browser signed in to the dashboard with secret.
func (s *stack) signIn(secret string) *http.Client {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: s.http.CheckRedirect}
	res, err := c.PostForm(s.srv.URL+"/login", url.Values{"key": {secret}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("sign in: %v %v", res, err)
	}
	res.Body.Close()
	return c
}

// dashboardDecide decides in the dashboard as the signed-in browser would.
func (s *stack) dashboardDecide(c *http.Client, id, decision string) int {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/requests/"+id+"/decide", strings.NewReader(url.Values{"decision": {decision}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// byRecipient indexes messages by their To address.
func byRecipient(t *testing.T, msgs []smtptest.Email) map[string]smtptest.Email {
	t.Helper()
	out := map[string]smtptest.Email{}
	for _, m := range msgs {
		a, err := netmail.ParseAddress(m.To)
		if err != nil {
			t.Fatalf("To %q: %v", m.To, err)
		}
		out[a.Address] = m
	}
	return out
}
