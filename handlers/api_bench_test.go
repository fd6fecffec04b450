package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/handlers"
)

const gateCheckBody = `{"action":"read_file","params":{"path":"/srv/app/README.md","bytes":4096},"context":{"agent":"bench","run":42},"urgency":"low"}`

// BenchmarkGateCheck measures the auto-approved gate check through the whole stack (HTTP
// handler, policy engine, SQLite group commit), without a network in between.
func BenchmarkGateCheck(b *testing.B) {
	ctx := context.Background()
	g := ag.NewGate(dbtest.Open(b, "sqlite"), ag.Options{})
	secret, err := g.BootstrapKey(ctx, "bench", false)
	if err != nil {
		b.Fatal(err)
	}
	p := ag.Policy{Name: "bench", Enabled: true, Rules: []ag.Rule{{Match: map[string]json.RawMessage{"action": json.RawMessage(`"read_file"`)}, Decision: ag.AutoApprove}}}
	if _, err := g.CreatePolicy(ctx, ag.Actor{Name: "bench"}, p); err != nil {
		b.Fatal(err)
	}
	e := handlers.New(g, handlers.Config{})
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/api/requests", strings.NewReader(gateCheckBody))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+secret)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			_, _ = io.Copy(io.Discard, rec.Body)
		}
	})
}
