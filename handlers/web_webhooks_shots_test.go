package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	ag "github.com/agentgate/agentgate"
)

// webhookScreenshots pictures the webhook pages at laptop and phone size, over webhooks
// whose deliveries went well, badly and not at all. The deliveries are real, to local
// receivers; the webhooks then take the addresses a reader would recognise.
func webhookScreenshots(t *testing.T, browser context.Context) {
	e := newWebEnv(t, envOptions{liveClock: true})
	runDispatcher(t, e.gate, nil)
	ctx := context.Background()
	receiverAt := func(status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "600") // a retry after the pictures are taken
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/hook"
	}
	admin := ag.Actor{Name: "ops-admin", Type: ag.ActorAPIKey}
	var ids, shown []string
	for _, h := range []struct {
		url, shown, about string
		events            []string
		on                bool
	}{
		{receiverAt(http.StatusNotFound, `{"error": "no such integration"}`), "https://crm.example.org/api/v1/integrations/agentgate/events",
			"Old CRM sync, to be removed", []string{ag.EventRequestCreated}, true},
		{"http://127.0.0.1:9/hook", "https://audit-archive.example.net/ingest/agentgate", "Long-term archive (paused during the migration)",
			[]string{ag.EventRequestExpired, ag.EventRequestCancelled}, false},
		{receiverAt(http.StatusTooManyRequests, `{"error": "ledger is read-only during month-end close", "retryAfter": "10m"}`),
			"https://billing.example.com/webhooks/approvals?source=agentgate", "Billing ledger: records approved spend",
			[]string{ag.EventRequestApproved, ag.EventRequestDenied}, true},
		{receiverAt(http.StatusOK, `{"ok": true}`), "https://ops.example.com/hooks/agentgate", "Incident bot: posts every decision to #ops",
			[]string{ag.WebhookAllEvents}, true},
	} {
		w, _, err := e.gate.CreateWebhook(ctx, admin, ag.WebhookInput{URL: &h.url, Description: &h.about, Events: h.events, Enabled: &h.on})
		if err != nil {
			t.Fatal(err)
		}
		ids, shown = append(ids, w.ID), append(shown, h.shown)
	}
	for i, s := range []struct {
		action, decision string
		urgency          ag.Urgency
	}{{"transfer_funds", "approved", ag.UrgencyHigh}, {"send_email", "denied", ag.UrgencyNormal},
		{"deploy_service", "", ag.UrgencyCritical}, {"refund_payment", "approved", ag.UrgencyLow}} {
		r := e.submit(s.action, s.urgency, map[string]any{"n": i})
		if s.decision != "" {
			if _, err := e.gate.Decide(ctx, r.ID, ag.Decide{Decision: s.decision, Actor: admin}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := e.gate.TestWebhook(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	// Pictures only: give every delivery its first attempt before the addresses change.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ds, _, err := e.gate.WebhookDeliveries(ctx, ids[3], ag.DeliveryFilter{Page: ag.Page{Limit: 100}})
		if err == nil && len(ds) > 0 && ds[0].Attempts > 0 && ds[len(ds)-1].Attempts > 0 {
			break
		}
	}
	for i, id := range ids {
		if _, err := e.gate.UpdateWebhook(ctx, admin, id, ag.WebhookInput{URL: &shown[i]}); err != nil {
			t.Fatal(err)
		}
	}
	shootWebhooks(t, browser, e, ids[2])
}

// shootWebhooks takes the pictures once the addresses have changed.
func shootWebhooks(t *testing.T, browser context.Context, e *webEnv, billing string) {
	tab := person(t, browser)
	signIn(t, tab, e.srv.URL, e.admin)
	settle := chromedp.Sleep(300 * time.Millisecond) // fonts; pictures only
	for _, size := range []struct {
		name string
		w, h int64
		opts []chromedp.EmulateViewportOption
	}{{"laptop", 1280, 800, nil}, {"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch}}} {
		do(t, tab, chromedp.EmulateViewport(size.w, size.h, size.opts...))
		do(t, tab, chromedp.Navigate(e.srv.URL+"/settings/webhooks"), until(`!!document.querySelector('[data-testid="webhook-table"]')`), settle)
		screenshot(t, tab, "webhooks-"+size.name)
		do(t, tab, chromedp.Navigate(e.srv.URL+"/settings/webhooks/"+billing), until(`!!document.querySelector('[data-testid="delivery"]')`),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="delivery"] details').open = true`), settle)
		screenshot(t, tab, "webhook-"+size.name)
	}
}
