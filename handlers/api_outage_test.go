package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// TestDatabaseOutage takes PostgreSQL away from the server (through a proxy the test
// cuts, never by stopping the shared server) and brings it back: while it is away, agents
// get 503 database_unavailable with Retry-After, and the log says so once when the outage
// starts and once when it ends, not once per request.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(dbtest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.addr
	logs := &logCapture{}
	e, r := postgresEnv(t, u.String(), logs)
	// A rate-limited key's calls are counted in the database. Asking about a tool no rule
	// names touches nothing else, so while the database is away the 503 is the limit's.
	ten := 10
	limited, _ := e.newKey("limited", &ten, ag.ScopeRequestCreate)
	const unnamedTool = `{"toolName":"read_file","params":{}}`
	e.must(http.StatusOK, http.MethodPost, "/api/mcp/authorize", limited, unnamedTool, nil)

	proxy.cut()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/mcp/authorize", strings.NewReader(unnamedTool))
	req.Header.Set("Authorization", "Bearer "+limited)
	req.Header.Set("Content-Type", "application/json")
	if res, err := e.srv.Client().Do(req); err != nil || res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a limited key's call while the database is away: %v, %v; want 503", res, err)
	} else {
		res.Body.Close()
	}
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/api/requests", `{"action":"deploy"}`},
		{http.MethodGet, "/api/requests/" + r.ID, ""},
		{http.MethodGet, "/api/requests", ""},
		{http.MethodPost, "/api/requests/" + r.ID + "/decide", `{"decision":"approved"}`},
		{http.MethodPost, "/api/requests", `{"action":"deploy"}`},
	} {
		res, body := e.send(c.method, c.path, c.body)
		var ae apiError
		_ = json.Unmarshal(body, &ae)
		if res.StatusCode != http.StatusServiceUnavailable || ae.Code != "database_unavailable" || ae.Error == "" {
			t.Errorf("%s %s while the database is away: %d %s", c.method, c.path, res.StatusCode, body)
		}
		if ra := res.Header.Get("Retry-After"); ra != "5" {
			t.Errorf("%s %s: Retry-After %q, want 5", c.method, c.path, ra)
		}
	}
	if res, _ := e.send(http.MethodGet, "/ready", ""); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/ready while the database is away: %d", res.StatusCode)
	}
	if n := len(logs.where(t, "msg", "Database is unreachable.")); n != 1 {
		t.Errorf("the outage was logged %d times, want once", n)
	}
	if errs := logs.where(t, "level", "ERROR"); len(errs) != 1 {
		t.Errorf("%d ERROR lines during the outage, want the one that says it started: %v", len(errs), errs)
	}

	proxy.restore()
	e.submit(e.admin, `{"action":"deploy"}`)
	e.must(http.StatusOK, http.MethodGet, "/api/requests/"+r.ID, e.admin, nil, nil)
	if n := len(logs.where(t, "msg", "Database is reachable again.")); n != 1 {
		t.Errorf("the recovery was logged %d times, want once", n)
	}
	if n := len(logs.where(t, "msg", "Database is unreachable.")); n != 1 {
		t.Errorf("after the recovery the outage was logged %d times, want once", n)
	}
}

// postgresEnv runs the API over a store of its own opened at dsn (from dbtest.PostgresURL,
// perhaps through a proxy), both logging into logs, and submits one pending request.
func postgresEnv(t *testing.T, dsn string, logs *logCapture) (*apiEnv, ag.Request) {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, dsn, slog.New(logs.handler()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := newAPIEnv(t, store, apiOptions{logs: logs.handler()})
	return e, e.submit(e.admin, `{"action":"deploy"}`)
}

// send makes one call with the admin key and returns the response, whatever its status.
func (e *apiEnv) send(method, path, body string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.admin)
	req.Header.Set("Content-Type", "application/json")
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res, b
}
