package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/handlers"
)

// benchRequests is how many requests the dashboard benchmarks store first.
const benchRequests = 100_000

// BenchmarkDashboard renders the Overview and Requests pages with 100,000 requests in the
// database (SQLite), straight through the handler: ns/op is server time per page.
func BenchmarkDashboard(b *testing.B) {
	ctx := context.Background()
	store := dbtest.Open(b, "sqlite")
	gate := ag.NewGate(store, ag.Options{})
	// Most traffic is decided by policy; what is left waits for a person.
	for _, p := range []ag.Policy{
		{Name: "mail", Priority: 1, Enabled: true, Rules: []ag.Rule{{Match: map[string]json.RawMessage{"action": json.RawMessage(`"send_email"`)}, Decision: ag.AutoApprove}}},
		{Name: "files", Priority: 2, Enabled: true, Rules: []ag.Rule{{Match: map[string]json.RawMessage{"action": json.RawMessage(`"delete_file"`)}, Decision: ag.AutoDeny}}},
	} {
		if _, err := gate.CreatePolicy(ctx, ag.SystemActor, p); err != nil {
			b.Fatal(err)
		}
	}
	fill(b, gate)
	name := "bench"
	_, secret, err := gate.CreateKey(ctx, ag.SystemActor, ag.KeyInput{Name: &name, Scopes: []ag.Scope{ag.ScopeAdmin}})
	if err != nil {
		b.Fatal(err)
	}
	h := handlers.New(gate, handlers.Config{Logger: slog.New(slog.DiscardHandler)})
	login := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"key": {secret}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, login)
	cookies := rec.Result().Cookies()
	if len(cookies) == 0 {
		b.Fatalf("login: %d", rec.Code)
	}

	for _, c := range []struct {
		name, path string
		hx         bool
	}{
		{"Overview", "/", false},
		{"OverviewLive", "/", true},
		{"Requests", "/requests", false},
		{"RequestsPending", "/requests?status=pending&sort=urgency", true},
		{"RequestsFiltered", "/requests?action=deploy_service&urgency=high", true},
		{"RequestsTileLink", "/requests?status=pending&urgency=critical", false},
		{"RequestsPage201", "/requests?offset=5000", true},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, c.path, nil)
				for _, ck := range cookies {
					req.AddCookie(ck)
				}
				if c.hx {
					req.Header.Set("HX-Request", "true")
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", c.path, rec.Code, rec.Body.String())
				}
				_, _ = io.Copy(io.Discard, rec.Body)
			}
		})
	}
}

// fill submits benchRequests requests from several agents at once, as production traffic
// arrives, so the store's group commit batches them.
func fill(b *testing.B, gate *ag.Gate) {
	b.Helper()
	actions := []string{"send_email", "send_email", "send_email", "delete_file", "deploy_service", "transfer_funds", "run_sql"}
	urgencies := []string{"low", "normal", "normal", "normal", "high", "critical"}
	const workers = 16
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < benchRequests; i += workers {
				params := json.RawMessage(fmt.Sprintf(`{"n": %d, "to": "user%d@example.com"}`, i, i%97))
				_, err := gate.Submit(context.Background(), ag.Actor{Name: fmt.Sprintf("agent-%d", w), Type: ag.ActorAPIKey},
					ag.NewRequest{Action: actions[i%len(actions)], Urgency: urgencies[i%len(urgencies)], Params: params})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}
