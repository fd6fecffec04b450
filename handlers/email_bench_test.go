package handlers_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/handlers"
)

// BenchmarkGateCheckEmail measures the gate check of a request routed to people, as
// BenchmarkGateCheck does: routed to no one; to two approvers by email (the rule names the
// finance group, and APPROVER_EMAILS makes email the default channel, so the gate resolves
// the group to addresses from its directory snapshot); and, for the rows alone, to two
// webhooks, which writes the same notice and two deliveries without resolving anyone.
func BenchmarkGateCheckEmail(b *testing.B) {
	const body = `{"action":"pay","params":{"amount":4200,"to":"ACME GmbH"},"context":{"agent":"bench"},"urgency":"high"}`
	for _, bc := range []struct {
		name     string
		emails   []string // APPROVER_EMAILS
		webhooks int
	}{
		{"routed/no-one", nil, 0},
		{"routed/2-email-recipients", []string{"ops@example.com"}, 0},
		{"routed/2-webhooks", nil, 2},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			g := ag.NewGate(dbtest.Open(b, "sqlite"), ag.Options{Logger: slog.New(slog.DiscardHandler), ApproverEmails: bc.emails})
			secret, err := g.BootstrapKey(ctx, "bench", false)
			if err != nil {
				b.Fatal(err)
			}
			for _, name := range []string{"Ana", "Bruno"} {
				email, groups := strings.ToLower(name)+"@example.com", []string{"finance"}
				if _, err := g.CreatePerson(ctx, ag.SystemActor, ag.PersonInput{Name: &name, Email: &email, Groups: &groups}); err != nil {
					b.Fatal(err)
				}
			}
			rule := ag.Rule{Match: map[string]json.RawMessage{"action": json.RawMessage(`"pay"`)}, Decision: ag.RouteToHuman,
				Approvers: []string{"group:finance"}}
			for range bc.webhooks {
				url := "https://hooks.example.com/agentgate"
				if _, _, err := g.CreateWebhook(ctx, ag.SystemActor, ag.WebhookInput{URL: &url, Events: []string{ag.EventRequestCreated}}); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := g.CreatePolicy(ctx, ag.SystemActor, ag.Policy{Name: "bench", Enabled: true, Rules: []ag.Rule{rule}}); err != nil {
				b.Fatal(err)
			}
			e := handlers.New(g, handlers.Config{})
			b.ReportAllocs()
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, "/api/requests", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+secret)
					rec := httptest.NewRecorder()
					e.ServeHTTP(rec, req)
					if rec.Code != http.StatusCreated {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
					}
				}
			})
		})
	}
}
