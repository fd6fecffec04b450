package handlers_test

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/handlers"
)

// webEnv is the real stack on a temporary SQLite database: store, gate, handlers and an
// HTTP server, with a clock the test moves.
type webEnv struct {
	t      testing.TB
	gate   *ag.Gate
	store  *db.Store // to plant rows the gate would refuse today
	srv    *httptest.Server
	clock  *testClock
	admin  string // an admin key's secret
	agent  ag.Actor
	stopCh chan struct{}
	once   sync.Once
}

// testClock stands still and moves only when told to, or (live) follows the wall clock
// shifted by what it was told.
type testClock struct {
	mu     sync.Mutex
	now    time.Time
	live   bool
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live {
		return time.Now().UTC().Add(c.offset)
	}
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.offset += d
	c.mu.Unlock()
}

// rewind puts a live clock d in the past of the wall clock.
func (c *testClock) rewind(d time.Duration) {
	c.mu.Lock()
	c.offset = -d
	c.mu.Unlock()
}

type envOptions struct {
	// dialect is the database: "sqlite" (the default) or "postgres" (see eachWeb).
	dialect string
	// checkWebhookURL is the gate's check of where webhook URLs lead (none by default).
	checkWebhookURL func(ctx context.Context, rawURL string) error

	baseURL   string
	liveClock bool // follow the wall clock (browser tests)
	// wire, when set, adds what serve wires beside the gate (see apiOptions.wire).
	wire func(g *ag.Gate, s *db.Store, clock ag.Clock, cfg *handlers.Config)
}

func newWebEnv(t testing.TB, o envOptions) *webEnv {
	t.Helper()
	store := dbtest.Open(t, cmp.Or(o.dialect, "sqlite"))
	e := &webEnv{t: t, clock: &testClock{now: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)},
		agent: ag.Actor{Name: "billing-agent", Type: ag.ActorAPIKey}, stopCh: make(chan struct{})}
	e.clock.live = o.liveClock
	e.store = store
	opts := ag.Options{DefaultTTL: 2 * time.Hour, Clock: e.clock, CheckWebhookURL: o.checkWebhookURL}
	e.gate = ag.NewGate(store, opts)
	ctx := context.Background()
	if err := e.gate.ReloadPolicies(ctx); err != nil {
		t.Fatal(err)
	}
	secret, err := e.gate.SessionSecret(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := handlers.Config{Logger: slog.New(slog.DiscardHandler), BaseURL: o.baseURL, SessionSecret: secret, Stopping: e.stopCh}
	if o.wire != nil {
		o.wire(e.gate, store, e.clock, &cfg)
	}
	h := handlers.New(e.gate, cfg)
	e.srv = httptest.NewServer(h)
	t.Cleanup(func() {
		e.stop()
		e.gate.StopWaiting()
		e.srv.Close()
	})
	e.admin = e.key("ops-admin", ag.ScopeAdmin)
	return e
}

// stop tells the handlers the server is shutting down.
func (e *webEnv) stop() { e.once.Do(func() { close(e.stopCh) }) }

// restart stops the HTTP server, waits until between runs (for the test to do something
// while it is down), and serves again on the same address with new handlers over the same
// gate, as a restarted process would. Sessions survive: they are in the database.
func (e *webEnv) restart(between func()) {
	e.t.Helper()
	addr := e.srv.Listener.Addr().String()
	e.stop()
	e.srv.CloseClientConnections()
	e.srv.Close()
	between()
	secret, err := e.gate.SessionSecret(context.Background(), "")
	if err != nil {
		e.t.Fatal(err)
	}
	e.stopCh, e.once = make(chan struct{}), sync.Once{}
	h := handlers.New(e.gate, handlers.Config{Logger: slog.New(slog.DiscardHandler), SessionSecret: secret, Stopping: e.stopCh})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		e.t.Fatalf("listen again on %s: %v", addr, err)
	}
	e.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	e.srv.Start()
}

// key creates an API key and returns its secret.
func (e *webEnv) key(name string, scopes ...ag.Scope) string {
	e.t.Helper()
	_, secret, err := e.gate.CreateKey(context.Background(), ag.SystemActor, ag.KeyInput{Name: &name, Scopes: scopes})
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// submit creates a request as an agent would.
func (e *webEnv) submit(action string, urgency ag.Urgency, params map[string]any) *ag.Request {
	e.t.Helper()
	raw, _ := json.Marshal(params)
	r, err := e.gate.Submit(context.Background(), e.agent, ag.NewRequest{Action: action, Urgency: string(urgency), Params: raw})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// browser is one person's browser: a cookie jar, and headers a real browser sends.
type browser struct {
	e      *webEnv
	client *http.Client
}

func (e *webEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login signs in with secret and fails the test unless it worked.
func (e *webEnv) login(secret string) *browser {
	e.t.Helper()
	b := e.browser()
	res, _ := b.post("/login", url.Values{"key": {secret}}, false)
	if res.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login: status %d, want 303", res.StatusCode)
	}
	return b
}

// page is a response and its parsed HTML.
type page struct {
	res  *http.Response
	doc  *goquery.Document
	body string
}

func (b *browser) do(req *http.Request, hx bool) (*http.Response, *page) {
	b.e.t.Helper()
	if hx {
		req.Header.Set("HX-Request", "true")
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		b.e.t.Fatal(err)
	}
	return res, &page{res: res, doc: doc, body: string(body)}
}

func (b *browser) get(path string, hx bool) (*http.Response, *page) {
	req, _ := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req, hx)
}

func (b *browser) post(path string, form url.Values, hx bool) (*http.Response, *page) {
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", b.e.srv.URL)
	return b.do(req, hx)
}

// byTestID finds elements by data-testid.
func (p *page) byTestID(id string) *goquery.Selection {
	return p.doc.Find(`[data-testid="` + id + `"]`)
}

// must fails the test unless the page has exactly n elements with the test id (n < 0:
// at least one).
func (p *page) must(t testing.TB, id string, n int) *goquery.Selection {
	t.Helper()
	s := p.byTestID(id)
	if (n < 0 && s.Length() == 0) || (n >= 0 && s.Length() != n) {
		t.Fatalf("data-testid=%q: found %d, want %d in:\n%s", id, s.Length(), n, short(p.body))
	}
	return s
}

func short(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

func wantStatus(t testing.TB, res *http.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d", res.Request.Method, res.Request.URL.Path, res.StatusCode, want)
	}
}

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }
