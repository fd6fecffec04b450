package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/webhook"
)

// apiWebhook is a webhook as the API shows it, with the secret when one is shown.
type apiWebhook struct {
	ag.Webhook
	Secret *string `json:"secret"`
}

type webhookList struct {
	Webhooks   []apiWebhook  `json:"webhooks"`
	Deliveries []ag.Delivery `json:"deliveries"`
	Pagination struct {
		Total   int  `json:"total"`
		HasMore bool `json:"hasMore"`
	} `json:"pagination"`
}

// createWebhook creates a webhook over the API and returns it with its secret.
func (e *apiEnv) createWebhook(body string) apiWebhook {
	e.t.Helper()
	var w apiWebhook
	e.must(http.StatusCreated, http.MethodPost, "/api/webhooks", e.admin, body, &w)
	return w
}

// deliver runs a dispatcher on the env's gate until the test ends.
func (e *apiEnv) deliver() { runDispatcher(e.t, e.gate, nil) }

// runDispatcher delivers g's webhooks (private targets allowed) until the test ends,
// telling attempted, when given, of each attempt once it is recorded.
func runDispatcher(t testing.TB, g *ag.Gate, attempted func(deliveryID string)) {
	t.Helper()
	o := ag.DispatcherOptions{Logger: slog.New(slog.DiscardHandler), OnAttempt: func(d ag.Delivery, _ ag.DeliveryAttempt) {
		g.DeliveryAttempted(d.ID)
		if attempted != nil {
			attempted(d.ID)
		}
	}}
	d := g.Dispatcher(map[ag.ChannelKind]ag.Sender{ag.ChannelWebhook: webhook.NewSender(g.WebhookTarget, webhook.Options{AllowPrivate: true})}, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	<-d.Started()
}

// answering is a receiver answering every POST with status.
func answering(t *testing.T, status int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// failedDelivery makes a webhook whose receiver refuses for good, and a test delivery to
// it that has failed: what a replay takes.
func (e *apiEnv) failedDelivery() (webhookID, deliveryID string) {
	e.t.Helper()
	w := e.createWebhook(`{"url":"` + answering(e.t, http.StatusGone).URL + `","events":["*"]}`)
	e.deliver()
	d, err := e.gate.TestWebhook(context.Background(), w.ID)
	if err != nil || d.Status != ag.DeliveryFailed {
		e.t.Fatalf("test delivery to a 410: %+v, %v", d, err)
	}
	return w.ID, d.ID
}

func TestAPIWebhooks(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		res := e.call(http.MethodPost, "/api/webhooks", e.admin,
			`{"url":"https://hooks.example.com/agentgate","events":["request.created","request.decided","request.created"],"description":" ops "}`)
		res.want(t, http.StatusCreated)
		var w apiWebhook
		res.decode(t, &w)
		if w.Secret == nil || !strings.HasPrefix(*w.Secret, "whsec_") || ag.ValidWebhookSecret(*w.Secret) != nil {
			t.Fatalf("created webhook shows no usable secret: %s", res.body)
		}
		secret := *w.Secret
		if !strings.HasPrefix(w.ID, "wh_") || w.URL != "https://hooks.example.com/agentgate" || !w.Enabled || w.Description != "ops" ||
			!slices.Equal(w.Events, []string{"request.created", "request.decided"}) {
			t.Fatalf("created webhook %s", res.body)
		}
		if cc := res.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q on the answer with the secret", cc)
		}
		hidden := func(r *apiResponse) {
			t.Helper()
			if strings.Contains(string(r.body), secret) || strings.Contains(string(r.body), `"secret"`) {
				t.Errorf("%s %s shows the secret: %s", r.method, r.path, r.body)
			}
		}
		var got apiWebhook
		hidden(e.must(http.StatusOK, http.MethodGet, "/api/webhooks/"+w.ID, e.admin, nil, &got))
		if got.Health == nil || got.Health.LastAttemptAt != nil || got.Health.Attempts24h != 0 {
			t.Fatalf("health of a new webhook: %+v", got.Health)
		}
		var l webhookList
		hidden(e.must(http.StatusOK, http.MethodGet, "/api/webhooks", e.admin, nil, &l))
		if l.Pagination.Total != 1 || len(l.Webhooks) != 1 || l.Webhooks[0].ID != w.ID || l.Webhooks[0].Health == nil {
			t.Fatalf("list %+v", l)
		}

		hidden(e.must(http.StatusOK, http.MethodPatch, "/api/webhooks/"+w.ID, e.admin, `{"enabled":false,"events":["*"]}`, &got))
		if got.Enabled || !slices.Equal(got.Events, []string{"*"}) || got.URL != w.URL || got.Description != "ops" {
			t.Fatalf("patched %+v", got)
		}
		e.call(http.MethodPatch, "/api/webhooks/"+w.ID, e.admin, `{"secret":"whsec_`+strings.Repeat("A", 32)+`"}`).
			wantError(t, http.StatusBadRequest, "secret_not_changeable")

		var rotated apiWebhook
		res = e.must(http.StatusOK, http.MethodPost, "/api/webhooks/"+w.ID+"/rotate-secret", e.admin, nil, &rotated)
		if rotated.Secret == nil || *rotated.Secret == secret || !strings.HasPrefix(*rotated.Secret, "whsec_") || res.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("rotated %s", res.body)
		}
		chosen := "a-receiver-chosen-secret-of-some-length"
		e.must(http.StatusOK, http.MethodPost, "/api/webhooks/"+w.ID+"/rotate-secret", e.admin, `{"secret":"`+chosen+`"}`, &rotated)
		stored, err := e.gate.WebhookTarget(context.Background(), w.ID)
		if err != nil || stored.Secret != chosen || !slices.Equal(stored.Secrets(e.clock.Now()), []string{chosen, *rotated.Secret}) &&
			!slices.Equal(stored.Secrets(e.clock.Now()), []string{chosen, stored.PreviousSecret}) {
			t.Fatalf("after rotating to a chosen secret: %+v, %v", stored, err)
		}
		if s := stored.Secrets(e.clock.Now().Add(ag.SecretGrace)); !slices.Equal(s, []string{chosen}) {
			t.Fatalf("secrets after the grace: %q", s)
		}

		var del map[string]any
		e.must(http.StatusOK, http.MethodDelete, "/api/webhooks/"+w.ID, e.admin, nil, &del)
		if del["success"] != true || del["id"] != w.ID {
			t.Fatalf("delete answered %v", del)
		}
		e.call(http.MethodGet, "/api/webhooks/"+w.ID, e.admin, nil).wantError(t, http.StatusNotFound, "not_found")
		e.call(http.MethodDelete, "/api/webhooks/"+w.ID, e.admin, nil).wantError(t, http.StatusNotFound, "not_found")

		var audit apiList
		e.must(http.StatusOK, http.MethodGet, "/api/audit", e.admin, nil, &audit)
		var types []string
		for _, ev := range audit.Entries {
			if strings.HasPrefix(ev.EventType, "webhook.") {
				types = append(types, ev.EventType)
				if ev.Actor != apiAdminName || strings.Contains(string(ev.Details), secret) || strings.Contains(string(ev.Details), chosen) {
					t.Errorf("audit event %+v", ev)
				}
			}
		}
		want := []string{"webhook.deleted", "webhook.secret_rotated", "webhook.secret_rotated", "webhook.updated", "webhook.created"}
		if !slices.Equal(types, want) {
			t.Fatalf("audit %q, want %q", types, want)
		}
	})
}

func TestAPIWebhookRefusals(t *testing.T) {
	refused := errors.New("it resolves to 10.0.0.5, a private address")
	check := func(_ context.Context, url string) error {
		if strings.Contains(url, "internal") {
			return refused
		}
		return nil
	}
	eachAPIWith(t, apiOptions{checkWebhookURL: check}, func(t *testing.T, e *apiEnv) {
		for _, tc := range []struct{ name, body, code, says string }{
			{"no url", `{"events":["*"]}`, "invalid_webhook_url", "url is required"},
			{"ftp", `{"url":"ftp://x.example.com/","events":["*"]}`, "invalid_webhook_url", "https://"},
			{"no host", `{"url":"https:///path","events":["*"]}`, "invalid_webhook_url", "no host"},
			{"credentials", `{"url":"https://u:p@x.example.com/","events":["*"]}`, "invalid_webhook_url", "password"},
			{"refused by the check", `{"url":"https://internal.example.com/","events":["*"]}`, "invalid_webhook_url", "10.0.0.5"},
			{"no events", `{"url":"https://x.example.com/"}`, "invalid_events", "at least one"},
			{"empty events", `{"url":"https://x.example.com/","events":[]}`, "invalid_events", "at least one"},
			{"unknown event", `{"url":"https://x.example.com/","events":["request.voted"]}`, "invalid_events", `"request.voted" is not an event type`},
			{"short secret", `{"url":"https://x.example.com/","events":["*"],"secret":"short"}`, "invalid_webhook_secret", "16 to 256"},
			{"bad base64", `{"url":"https://x.example.com/","events":["*"],"secret":"whsec_!!!!"}`, "invalid_webhook_secret", "base64"},
			{"long description", `{"url":"https://x.example.com/","events":["*"],"description":"` + strings.Repeat("d", 501) + `"}`, "invalid_field", "description"},
			{"unknown field", `{"url":"https://x.example.com/","events":["*"],"secrets":"x"}`, "unknown_field", "secrets"},
			{"events not a list", `{"url":"https://x.example.com/","events":"*"}`, "invalid_field", "events"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := e.in(t)
				before := e.auditTotal()
				ae := e.call(http.MethodPost, "/api/webhooks", e.admin, tc.body).wantError(t, http.StatusBadRequest, tc.code)
				if !strings.Contains(ae.Error, tc.says) {
					t.Errorf("message %q does not say %q", ae.Error, tc.says)
				}
				if e.auditTotal() != before {
					t.Error("a refused create wrote something")
				}
			})
		}
		w := e.createWebhook(`{"url":"https://x.example.com/","events":["*"],"secret":"a plain secret, as the original took"}`)
		e.call(http.MethodPatch, "/api/webhooks/"+w.ID, e.admin, `{"url":"https://internal.example.com/"}`).
			wantError(t, http.StatusBadRequest, "invalid_webhook_url")
		e.call(http.MethodPatch, "/api/webhooks/"+w.ID, e.admin, `{"events":["nope"]}`).wantError(t, http.StatusBadRequest, "invalid_events")
		e.call(http.MethodPost, "/api/webhooks/"+w.ID+"/rotate-secret", e.admin, `{"secret":"x"}`).
			wantError(t, http.StatusBadRequest, "invalid_webhook_secret")
		e.call(http.MethodGet, "/api/webhooks/"+w.ID+"/deliveries?status=lost", e.admin, nil).wantError(t, http.StatusBadRequest, "invalid_query")
		for _, path := range []string{"/api/webhooks/wh_nope", "/api/webhooks/wh_nope/deliveries"} {
			e.call(http.MethodGet, path, e.admin, nil).wantError(t, http.StatusNotFound, "not_found")
		}
		e.call(http.MethodPost, "/api/webhooks/wh_nope/test", e.admin, nil).wantError(t, http.StatusNotFound, "not_found")
		e.call(http.MethodPost, "/api/webhooks/"+w.ID+"/deliveries/dlv_nope/replay", e.admin, nil).wantError(t, http.StatusNotFound, "not_found")
		e.must(http.StatusOK, http.MethodPatch, "/api/webhooks/"+w.ID, e.admin, `{"enabled":false}`, nil)
		e.call(http.MethodPost, "/api/webhooks/"+w.ID+"/test", e.admin, nil).wantError(t, http.StatusConflict, "webhook_disabled")
	})
}

// The delivery log shows each delivery with its attempts and the webhook's health; a test
// reports how it went; a replay sends again, and only a delivery that is not pending.
func TestAPIWebhookDeliveries(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		e.deliver()
		ok := e.createWebhook(`{"url":"` + answering(t, http.StatusOK).URL + `","events":["request.created"]}`)
		var res struct {
			Success  bool        `json:"success"`
			Delivery ag.Delivery `json:"delivery"`
		}
		e.must(http.StatusOK, http.MethodPost, "/api/webhooks/"+ok.ID+"/test", e.admin, nil, &res)
		if !res.Success || res.Delivery.Status != ag.DeliveryDelivered || len(res.Delivery.History) != 1 || res.Delivery.History[0].StatusCode != 200 {
			t.Fatalf("test answered %+v", res)
		}

		goneID, failedID := e.failedDelivery()
		var l webhookList
		e.must(http.StatusOK, http.MethodGet, "/api/webhooks/"+goneID+"/deliveries?status=failed", e.admin, nil, &l)
		if l.Pagination.Total != 1 || len(l.Deliveries) != 1 || l.Deliveries[0].ID != failedID || len(l.Deliveries[0].History) != 1 ||
			l.Deliveries[0].History[0].StatusCode != http.StatusGone || l.Deliveries[0].LastError == "" {
			t.Fatalf("failed deliveries %+v", l)
		}
		e.must(http.StatusOK, http.MethodGet, "/api/webhooks/"+goneID+"/deliveries?status=delivered", e.admin, nil, &l)
		if l.Pagination.Total != 0 || l.Deliveries == nil {
			t.Fatalf("delivered deliveries of the 410 receiver: %+v", l)
		}
		var gone apiWebhook
		e.must(http.StatusOK, http.MethodGet, "/api/webhooks/"+goneID, e.admin, nil, &gone)
		if h := gone.Health; h == nil || h.LastAttemptAt == nil || h.LastAttemptOK || h.LastStatusCode != 410 || h.Attempts24h != 1 || h.Failures24h != 1 {
			t.Fatalf("health after a refusal: %+v", gone.Health)
		}

		e.call(http.MethodPost, fmt.Sprintf("/api/webhooks/%s/deliveries/%s/replay", ok.ID, failedID), e.admin, nil).
			wantError(t, http.StatusNotFound, "not_found") // another webhook's delivery
		var replayed ag.Delivery
		e.must(http.StatusOK, http.MethodPost, fmt.Sprintf("/api/webhooks/%s/deliveries/%s/replay", goneID, failedID), e.admin, nil, &replayed)
		// Pending again, or (the dispatcher is quick) already attempted a second time.
		if replayed.ID != failedID || !(replayed.Status == ag.DeliveryPending && replayed.Attempts == 1 || replayed.Attempts == 2) {
			t.Fatalf("replayed %+v", replayed)
		}

		for range 3 {
			e.submit(e.admin, `{"action":"deploy"}`)
		}
		e.must(http.StatusOK, http.MethodGet, "/api/webhooks/"+ok.ID+"/deliveries?limit=2", e.admin, nil, &l)
		if l.Pagination.Total != 4 || !l.Pagination.HasMore || len(l.Deliveries) != 2 || l.Deliveries[0].Payload != nil {
			t.Fatalf("page of the log %+v", l)
		}
	})
}

// Scope matrix rows of the webhook routes (api_scopes_test.go). Their webhooks point at a
// closed local port, so that a dispatcher a later row runs fails them at once rather than
// waiting on a name that does not resolve offline.
const newWebhookBody = `{"url":"http://127.0.0.1:9/hook","events":["*"]}`

func webhookRoute(suffix string, body any) func(*apiEnv, string) (string, any) {
	return func(e *apiEnv, _ string) (string, any) {
		return "/api/webhooks/" + e.createWebhook(newWebhookBody).ID + suffix, body
	}
}

func replayRoute(e *apiEnv, _ string) (string, any) {
	hook, dlv := e.failedDelivery()
	return "/api/webhooks/" + hook + "/deliveries/" + dlv + "/replay", nil
}
