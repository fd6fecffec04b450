package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/handlers"
	"github.com/agentgate/agentgate/metrics"
)

// apiEnv is the real stack behind the JSON API on one database: store, gate on a clock the
// test moves (testClock, shared with the dashboard tests), handlers and an HTTP server.
type apiEnv struct {
	t     *testing.T
	gate  *ag.Gate
	clock *testClock
	echo  *echo.Echo
	srv   *httptest.Server
	admin string // the secret of an admin key named apiAdminName
}

// apiT0 is when every API test starts; its seconds make the rate limit's reset non-trivial.
var apiT0 = time.Date(2026, 3, 2, 9, 30, 15, 0, time.UTC)

const apiAdminName = "root-admin"

// apiOptions change the stack for one test.
type apiOptions struct {
	maxWait time.Duration
	// wrap, when set, puts something between the gate and the real store.
	wrap func(*db.Store) ag.Store
	// behindProxy makes the test client a trusted reverse proxy (TRUSTED_PROXIES holds
	// loopback), so that a call may name its client in X-Forwarded-For.
	behindProxy bool
	// logs, when set, receives the handlers' log at debug level.
	logs slog.Handler
	// checkWebhookURL is the gate's check of where webhook URLs lead.
	checkWebhookURL func(ctx context.Context, rawURL string) error
	// metricsToken is METRICS_TOKEN.
	metricsToken string
	// wire, when set, adds to the handlers' configuration what serve wires beside the
	// gate (chat platforms, channel testers), over the same gate and clock.
	wire func(g *ag.Gate, s *db.Store, clock ag.Clock, cfg *handlers.Config)
}

// eachAPI runs fn on a fresh stack for every database dbtest offers. API tests share
// nothing, so each runs in parallel with the others.
func eachAPI(t *testing.T, fn func(t *testing.T, e *apiEnv)) { eachAPIWith(t, apiOptions{}, fn) }

func eachAPIWith(t *testing.T, o apiOptions, fn func(t *testing.T, e *apiEnv)) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) { fn(t, newAPIEnv(t, s, o)) })
}

func newAPIEnv(t *testing.T, s *db.Store, o apiOptions) *apiEnv {
	t.Helper()
	ctx := context.Background()
	e := &apiEnv{t: t, clock: &testClock{now: apiT0}}
	var store ag.Store = s
	if o.wrap != nil {
		store = o.wrap(s)
	}
	log := slog.New(slog.DiscardHandler)
	if o.logs != nil {
		log = slog.New(o.logs)
	}
	// The gate's metrics and the handlers' on one registry, as serve wires them.
	reg := prometheus.NewRegistry()
	opts := ag.Options{Clock: e.clock, Logger: log, MaxWait: o.maxWait, CheckWebhookURL: o.checkWebhookURL, Observer: metrics.New(reg)}
	if s.Dialect() == db.DialectPostgres { // as serve runs it (internal/app)
		opts.RateWindows = s
	}
	e.gate = ag.NewGate(store, opts)
	metrics.Watch(reg, e.gate, log)
	if err := e.gate.ReloadPolicies(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := handlers.Config{Logger: log, Registry: reg, MetricsToken: o.metricsToken}
	if o.behindProxy {
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	if o.wire != nil {
		o.wire(e.gate, s, e.clock, &cfg)
	}
	e.echo = handlers.New(e.gate, cfg)
	e.srv = httptest.NewServer(e.echo)
	t.Cleanup(func() {
		e.gate.StopWaiting()
		e.srv.Close()
	})
	secret, err := e.gate.BootstrapKey(ctx, apiAdminName, false)
	if err != nil {
		t.Fatal(err)
	}
	e.admin = secret
	return e
}

// in returns the env reporting to t, for use inside a subtest.
func (e *apiEnv) in(t *testing.T) *apiEnv {
	c := *e
	c.t = t
	return &c
}

// setTime moves the clock to t.
func (e *apiEnv) setTime(t time.Time) { e.clock.advance(t.Sub(e.clock.Now())) }

// newKey creates a key as the system and returns its secret and id.
func (e *apiEnv) newKey(name string, rate *int, scopes ...ag.Scope) (string, string) {
	e.t.Helper()
	k, secret, err := e.gate.CreateKey(context.Background(), ag.SystemActor,
		ag.KeyInput{Name: &name, Scopes: scopes, RateLimit: ag.NullInt{Set: true, Value: rate}})
	if err != nil {
		e.t.Fatal(err)
	}
	return secret, k.ID
}

// apiResponse is one answer from the server, read in full.
type apiResponse struct {
	method, path string
	status       int
	header       http.Header
	body         []byte
}

// apiError is the JSON body of every API error.
type apiError struct {
	Error   string         `json:"error"`
	Code    string         `json:"code"`
	Details map[string]any `json:"details"`
}

// chunked is a body sent without a Content-Length.
type chunked string

// call sends one request. body is nil (none), a string or []byte (sent as is), chunked, or a
// value to marshal; it goes as application/json unless hdr (name, value
// pairs) says otherwise. A 5xx fails the test: no input may cause one. Safe for goroutines.
func (e *apiEnv) call(method, path, secret string, body any, hdr ...string) *apiResponse {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	case chunked:
		rd = io.MultiReader(strings.NewReader(string(b))) // hides the length
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Errorf("marshal body: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Errorf("%s %s: %v", method, path, err)
		return &apiResponse{method: method, path: path}
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Errorf("%s %s: %v", method, path, err)
		return &apiResponse{method: method, path: path}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Errorf("%s %s: read body: %v", method, path, err)
	}
	r := &apiResponse{method: method, path: path, status: res.StatusCode, header: res.Header, body: raw}
	if r.status >= 500 {
		e.t.Errorf("%s %s: status %d: %s", method, path, r.status, raw)
	}
	return r
}

// must sends one request and fails the test unless the status is want; it decodes the body
// into out when out is not nil.
func (e *apiEnv) must(want int, method, path, secret string, body, out any) *apiResponse {
	e.t.Helper()
	r := e.call(method, path, secret, body)
	r.want(e.t, want)
	if out != nil {
		r.decode(e.t, out)
	}
	return r
}

func (r *apiResponse) want(t testing.TB, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s %s: status %d, want %d: %s", r.method, r.path, r.status, status, r.body)
	}
}

func (r *apiResponse) decode(t testing.TB, out any) {
	t.Helper()
	if err := json.Unmarshal(r.body, out); err != nil {
		t.Fatalf("%s %s: decode %T: %v in %s", r.method, r.path, out, err, r.body)
	}
}

// wantError checks the status and that the body is {error, code} with that code and a
// message, and returns it.
func (r *apiResponse) wantError(t testing.TB, status int, code string) apiError {
	t.Helper()
	r.want(t, status)
	var ae apiError
	r.decode(t, &ae)
	if ae.Code != code || ae.Error == "" {
		t.Fatalf("%s %s: error %+v, want code %q and a message", r.method, r.path, ae, code)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: error Content-Type %q", r.method, r.path, ct)
	}
	if status == http.StatusUnauthorized && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
		t.Errorf("%s %s: a 401 without a Bearer challenge (WWW-Authenticate %q)", r.method, r.path, r.header.Get("WWW-Authenticate"))
	}
	return ae
}

// submit creates a request over the API with secret and returns it.
func (e *apiEnv) submit(secret string, body any) ag.Request {
	e.t.Helper()
	var r ag.Request
	e.must(http.StatusCreated, http.MethodPost, "/api/requests", secret, body, &r)
	return r
}

// apiList is the envelope of every list.
type apiList struct {
	Requests   []ag.Request    `json:"requests"`
	Entries    []ag.AuditEvent `json:"entries"`
	Keys       []ag.APIKey     `json:"keys"`
	Policies   []ag.Policy     `json:"policies"`
	Pagination struct {
		Total   int  `json:"total"`
		Limit   int  `json:"limit"`
		Offset  int  `json:"offset"`
		HasMore bool `json:"hasMore"`
	} `json:"pagination"`
}

// apiCounts is how many of each thing the server holds, to show a refused call wrote nothing.
type apiCounts struct{ requests, audit, keys, policies int }

func (e *apiEnv) counts() apiCounts {
	e.t.Helper()
	total := func(path string) int {
		var l apiList
		e.must(http.StatusOK, http.MethodGet, path+"?limit=1", e.admin, nil, &l)
		return l.Pagination.Total
	}
	return apiCounts{total("/api/requests"), total("/api/audit"), total("/api/api-keys"), total("/api/policies")}
}

// auditTotal counts audit events. Every change the API makes is audited in the same
// transaction, so an unchanged total means nothing was written.
func (e *apiEnv) auditTotal() int {
	e.t.Helper()
	var l apiList
	e.must(http.StatusOK, http.MethodGet, "/api/audit?limit=1", e.admin, nil, &l)
	return l.Pagination.Total
}

// events returns a request's audit trail, in the order served.
func (e *apiEnv) events(id string) []ag.AuditEvent {
	e.t.Helper()
	var l apiList
	e.must(http.StatusOK, http.MethodGet, "/api/requests/"+id+"/audit", e.admin, nil, &l)
	return l.Entries
}

func eventTypes(es []ag.AuditEvent) []string {
	out := make([]string, len(es))
	for i, ev := range es {
		out[i] = ev.EventType
	}
	return out
}
