package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db/dbtest"
	"github.com/agentgate/agentgate/handlers"
	"github.com/agentgate/agentgate/webhook"
)

// BenchmarkGateCheckWebhooks measures the gate check as BenchmarkGateCheck does, with and
// without five webhooks listening: an auto-approved check nobody hears (subscribed only to
// request.created) must cost what it costs with no webhooks; a routed request heard by five
// writes one notice and five deliveries more. "delivering" also runs the dispatcher,
// posting each delivery to a receiver on loopback, in the same process.
func BenchmarkGateCheckWebhooks(b *testing.B) {
	const routedBody = `{"action":"deploy","params":{"env":"prod","version":"1.4.2"},"context":{"agent":"bench","run":42},"urgency":"high"}`
	for _, bc := range []struct {
		name       string
		body       string
		webhooks   int
		events     string
		delivering bool
	}{
		{"auto-approved/no-webhooks", gateCheckBody, 0, "", false},
		{"auto-approved/5-webhooks-not-listening", gateCheckBody, 5, `["request.created"]`, false},
		{"routed/no-webhooks", routedBody, 0, "", false},
		{"routed/5-webhooks", routedBody, 5, `["request.created"]`, false},
		{"routed/5-webhooks/delivering", routedBody, 5, `["request.created"]`, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			g := ag.NewGate(dbtest.Open(b, "sqlite"), ag.Options{Logger: slog.New(slog.DiscardHandler)})
			secret, err := g.BootstrapKey(ctx, "bench", false)
			if err != nil {
				b.Fatal(err)
			}
			p := ag.Policy{Name: "bench", Enabled: true, Rules: []ag.Rule{{Match: map[string]json.RawMessage{"action": json.RawMessage(`"read_file"`)}, Decision: ag.AutoApprove}}}
			if _, err := g.CreatePolicy(ctx, ag.Actor{Name: "bench"}, p); err != nil {
				b.Fatal(err)
			}
			recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.WriteHeader(http.StatusNoContent)
			}))
			defer recv.Close()
			for range bc.webhooks {
				url := recv.URL
				var events []string
				_ = json.Unmarshal([]byte(bc.events), &events)
				if _, _, err := g.CreateWebhook(ctx, ag.SystemActor, ag.WebhookInput{URL: &url, Events: events}); err != nil {
					b.Fatal(err)
				}
			}
			if bc.delivering {
				d := g.Dispatcher(map[ag.ChannelKind]ag.Sender{ag.ChannelWebhook: webhook.NewSender(g.WebhookTarget, webhook.Options{AllowPrivate: true})}, ag.DispatcherOptions{})
				runCtx, stop := context.WithCancel(ctx)
				defer stop()
				go d.Run(runCtx)
			}
			e := handlers.New(g, handlers.Config{})
			b.ReportAllocs()
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, "/api/requests", strings.NewReader(bc.body))
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
