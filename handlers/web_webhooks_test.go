package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db/dbtest"
)

// eachWeb runs fn on a fresh dashboard stack for every database dbtest offers.
func eachWeb(t *testing.T, o envOptions, fn func(t *testing.T, e *webEnv)) {
	for _, d := range slices.Sorted(slices.Values(dbtest.Dialects())) {
		t.Run(d, func(t *testing.T) {
			o.dialect = d
			fn(t, newWebEnv(t, o))
		})
	}
}

// postTo posts a form as htmx does when it will swap the element with id target.
func (b *browser) postTo(path string, form url.Values, target string) (*http.Response, *page) {
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("HX-Target", target)
	return b.do(req, true)
}

// urlCheck stands in for the address check serve wires (webhook.CheckURL): it refuses
// hosts named "internal", cannot resolve hosts named "flaky", and counts its calls.
type urlCheck struct{ calls atomic.Int32 }

func (u *urlCheck) check(_ context.Context, raw string) error {
	u.calls.Add(1)
	switch {
	case strings.Contains(raw, "internal"):
		return errors.New("internal.example.com resolves to 10.0.0.5, a private address")
	case strings.Contains(raw, "flaky"):
		return ag.Errorf(ag.KindUnavailable, "webhook_url_unresolved", "could not resolve flaky.example.com to check where the webhook would go; try again").
			WithDetails(map[string]any{"field": "url"})
	}
	return nil
}

func TestWebhookPages(t *testing.T) {
	urls := &urlCheck{}
	eachWeb(t, envOptions{checkWebhookURL: urls.check}, func(t *testing.T, e *webEnv) {
		ctx := context.Background()
		b := e.login(e.admin)
		res, p := b.get("/settings/webhooks", false)
		wantStatus(t, res, http.StatusOK)
		p.must(t, "empty", 1)
		p.must(t, "webhook-form", 1)
		if p.doc.Find(`[data-testid="nav"] a[href="/settings/webhooks"]`).Length() != 1 {
			t.Error("the navigation has no Webhooks entry for an admin")
		}

		// A refused URL: the gate's reason beside the field, the form as typed, nothing made.
		for _, tc := range []struct{ url, says string }{
			{"https://internal.example.com/hook", "10.0.0.5, a private address"},
			{"https://flaky.example.com/hook", "could not resolve flaky.example.com"},
			{"ftp://files.example.com/", "must start with https://"},
		} {
			form := url.Values{"url": {tc.url}, "description": {"ops bot"}, "events": {"request.denied"}, "enabled": {"true"}}
			res, p = b.post("/settings/webhooks", form, true)
			wantStatus(t, res, http.StatusOK)
			if got := text(p.must(t, "url-error", 1)); !strings.Contains(got, tc.says) {
				t.Errorf("%s: URL error %q does not say %q", tc.url, got, tc.says)
			}
			in := p.doc.Find("#w-url")
			if in.AttrOr("aria-invalid", "") != "true" || in.AttrOr("value", "") != tc.url || !p.doc.Find(`[data-testid="event-request.denied"]`).Is(":checked") {
				t.Errorf("%s: the refused form did not come back as typed and marked", tc.url)
			}
		}
		res, _ = b.post("/settings/webhooks", url.Values{"url": {"https://internal.example.com/"}, "events": {"*"}}, false)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		_, p = b.post("/settings/webhooks", url.Values{"url": {"https://hooks.example.com/"}}, true)
		if got := text(p.must(t, "events-error", 1)); !strings.Contains(got, "at least one event") {
			t.Errorf("no events: %q", got)
		}
		if _, n, _ := e.gate.Webhooks(ctx, ag.Page{Limit: 10}); n != 0 {
			t.Fatalf("refused forms made %d webhooks", n)
		}

		// Created: the secret once, in a panel that says so; "all events" stands alone.
		form := url.Values{"url": {"https://hooks.example.com/agentgate"}, "description": {" ops bot "},
			"events": {"*", "request.created"}, "enabled": {"true"}}
		res, p = b.post("/settings/webhooks", form, true)
		wantStatus(t, res, http.StatusCreated)
		secret := p.must(t, "secret-value", 1).AttrOr("value", "")
		if ag.ValidWebhookSecret(secret) != nil || !strings.HasPrefix(secret, ag.WebhookSecretPrefix) || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("secret %q, Cache-Control %q", secret, res.Header.Get("Cache-Control"))
		}
		if got := text(p.must(t, "webhook-secret", 1)); !strings.Contains(got, "you will not see it again") {
			t.Errorf("secret panel %q", got)
		}
		p.must(t, "copy-secret", 1)
		row := p.must(t, "webhook-row", 1)
		id := row.AttrOr("data-row-id", "")
		if got := text(row.Find(`[data-testid="health"]`)); got != "No deliveries yet" {
			t.Errorf("health of a new webhook %q", got)
		}
		w, err := e.gate.Webhook(ctx, id)
		if err != nil || !slices.Equal(w.Events, []string{"*"}) || w.Description != "ops bot" || !w.Enabled {
			t.Fatalf("created %+v, %v", w, err)
		}
		for _, path := range []string{"/settings/webhooks", "/settings/webhooks/" + id} {
			if _, p := b.get(path, false); strings.Contains(p.body, secret) {
				t.Errorf("%s shows the secret again", path)
			}
		}

		// Saving other fields does not check the URL again; changing it does, and a
		// refusal leaves the stored URL alone.
		_, p = b.get("/settings/webhooks/"+id, false)
		p.must(t, "send-test", 1)
		p.must(t, "confirm-dialog", 2)
		before := urls.calls.Load()
		edit := url.Values{"url": {w.URL}, "urlWas": {w.URL}, "description": {"incident bot"}, "events": {"request.denied", "request.expired"}}
		res, p = b.post("/settings/webhooks/"+id, edit, true)
		wantStatus(t, res, http.StatusOK)
		if n := p.must(t, "notice", 1); text(n) != "Saved." || !n.Is("[data-focus-now]") || text(p.must(t, "webhook-state", 1)) != "Disabled" {
			t.Errorf("after saving: %q, %q", text(p.byTestID("notice")), text(p.byTestID("webhook-state")))
		}
		p.must(t, "send-test", 0)
		p.must(t, "disabled-line", 1)
		if urls.calls.Load() != before {
			t.Error("saving an unchanged URL checked it again")
		}
		if w, _ = e.gate.Webhook(ctx, id); w.Enabled || w.Description != "incident bot" || !slices.Equal(w.Events, []string{"request.denied", "request.expired"}) {
			t.Errorf("saved %+v", w)
		}
		edit.Set("url", "https://internal.example.com/x")
		_, p = b.post("/settings/webhooks/"+id, edit, true)
		if got := text(p.must(t, "url-error", 1)); !strings.Contains(got, "10.0.0.5") {
			t.Errorf("edit refusal %q", got)
		}
		if w, _ = e.gate.Webhook(ctx, id); w.URL != "https://hooks.example.com/agentgate" {
			t.Errorf("a refused URL was stored: %q", w.URL)
		}
		res, _ = b.post("/settings/webhooks/"+id, url.Values{"url": {w.URL}, "urlWas": {w.URL}, "events": {"*"}, "enabled": {"true"}}, false)
		wantStatus(t, res, http.StatusSeeOther)

		// The list's switch turns it off and on, and says so without colour.
		res, p = b.postTo("/settings/webhooks/"+id+"/enabled", url.Values{"enabled": {"false"}}, "webhooks")
		wantStatus(t, res, http.StatusOK)
		sw := p.must(t, "webhook-toggle", 1)
		if sw.AttrOr("aria-checked", "") != "false" || text(sw) != "Off" || !sw.Is("[data-focus-now]") || !strings.Contains(text(p.must(t, "notice", 1)), "off") {
			t.Errorf("switch after turning off: %q %q", sw.AttrOr("aria-checked", ""), text(sw))
		}
		if w, _ = e.gate.Webhook(ctx, id); w.Enabled {
			t.Error("still enabled")
		}
		b.postTo("/settings/webhooks/"+id+"/enabled", url.Values{"enabled": {"true"}}, "webhooks")

		// Rotation shows the new secret once, and when the old one stops signing.
		res, p = b.postTo("/settings/webhooks/"+id+"/rotate-secret", nil, "webhook")
		wantStatus(t, res, http.StatusOK)
		rotated := p.must(t, "secret-value", 1).AttrOr("value", "")
		if rotated == secret || ag.ValidWebhookSecret(rotated) != nil || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("rotated secret %q", rotated)
		}
		if got := text(p.must(t, "webhook-secret", 1)); !strings.Contains(got, "previous secret keeps signing") {
			t.Errorf("rotation panel %q", got)
		}
		stored, _ := e.gate.WebhookTarget(ctx, id)
		if !slices.Equal(stored.Secrets(e.clock.Now()), []string{rotated, secret}) {
			t.Errorf("secrets after rotating: %q", stored.Secrets(e.clock.Now()))
		}

		// Delete: in place on the list, back to the list from the webhook's page.
		other, _, err := e.gate.CreateWebhook(ctx, ag.SystemActor, ag.WebhookInput{URL: ptr("https://other.example.com/"), Events: []string{"*"}})
		if err != nil {
			t.Fatal(err)
		}
		res, p = b.postTo("/settings/webhooks/"+other.ID+"/delete", nil, "webhooks")
		wantStatus(t, res, http.StatusOK)
		p.must(t, "webhook-row", 1)
		p.must(t, "notice", 1)
		res, _ = b.postTo("/settings/webhooks/"+id+"/delete", nil, "webhook")
		if res.Header.Get("HX-Redirect") != "/settings/webhooks" {
			t.Errorf("deleting from its page: HX-Redirect %q", res.Header.Get("HX-Redirect"))
		}
		res, _ = b.get("/settings/webhooks/"+id, false)
		wantStatus(t, res, http.StatusNotFound)

		evs, _, _ := e.gate.Audit(ctx, ag.AuditFilter{Actor: "ops-admin", Page: ag.Page{Limit: 20}})
		var types []string
		for _, ev := range evs {
			types = append(types, ev.EventType)
			if strings.Contains(string(ev.Details), secret) || strings.Contains(string(ev.Details), rotated) {
				t.Errorf("audit event %s holds a secret", ev.EventType)
			}
		}
		want := []string{"webhook.deleted", "webhook.deleted", "webhook.secret_rotated", "webhook.updated", "webhook.updated",
			"webhook.updated", "webhook.updated", "webhook.created", "session.login"}
		if !slices.Equal(types, want) {
			t.Errorf("audit %q, want %q", types, want)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// Every webhook page and action needs webhook:manage. A key with only that scope may sign
// in, starts on the webhooks page, and finds only that page in the navigation.
func TestWebhookPagesNeedTheScope(t *testing.T) {
	eachWeb(t, envOptions{}, func(t *testing.T, e *webEnv) {
		ctx := context.Background()
		w, _, err := e.gate.CreateWebhook(ctx, ag.SystemActor, ag.WebhookInput{URL: ptr("http://127.0.0.1:9/hook"), Events: []string{"*"}})
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.gate.TestWebhook(ctx, w.ID) // no dispatcher runs: it stays pending
		if err != nil {
			t.Fatal(err)
		}
		hook := "/settings/webhooks/" + w.ID
		routes := []struct {
			method, path string
			form         url.Values
			manager      int // the status a webhook:manage key gets
		}{
			{http.MethodGet, "/settings/webhooks", nil, http.StatusOK},
			{http.MethodPost, "/settings/webhooks", url.Values{"url": {"https://hooks.example.com/"}, "events": {"*"}}, http.StatusCreated},
			{http.MethodGet, hook, nil, http.StatusOK},
			{http.MethodPost, hook, url.Values{"url": {w.URL}, "urlWas": {w.URL}, "events": {"*"}, "enabled": {"true"}}, http.StatusOK},
			{http.MethodPost, hook + "/enabled", url.Values{"enabled": {"true"}}, http.StatusOK},
			{http.MethodPost, hook + "/rotate-secret", nil, http.StatusOK},
			{http.MethodPost, hook + "/test", nil, http.StatusOK},
			{http.MethodGet, hook + "/deliveries/" + d.ID, nil, http.StatusOK},
			{http.MethodPost, hook + "/deliveries/" + d.ID + "/replay", nil, http.StatusConflict}, // still pending
			{http.MethodPost, hook + "/delete", nil, http.StatusNoContent},                        // HX-Redirect to the list
		}
		call := func(b *browser, method, path string, form url.Values) *http.Response {
			if method == http.MethodGet {
				res, _ := b.get(path, true)
				return res
			}
			res, _ := b.post(path, form, true)
			return res
		}

		reader := e.login(e.key("reader", ag.ScopeRequestRead, ag.ScopeAuditRead, ag.ScopePolicyRead, ag.ScopePolicyWrite))
		if _, p := reader.get("/requests", false); p.doc.Find(`[data-testid="nav"] a[href="/settings/webhooks"]`).Length() != 0 {
			t.Error("a key without webhook:manage is offered the Webhooks page")
		}
		for _, r := range routes {
			if res := call(reader, r.method, r.path, r.form); res.StatusCode != http.StatusForbidden {
				t.Errorf("without webhook:manage, %s %s: status %d, want 403", r.method, r.path, res.StatusCode)
			}
		}
		if _, n, _ := e.gate.Webhooks(ctx, ag.Page{Limit: 10}); n != 1 {
			t.Fatalf("refused calls left %d webhooks, want 1", n)
		}

		manager := e.browser()
		res, _ := manager.post("/login", url.Values{"key": {e.key("hooks", ag.ScopeWebhookManage)}}, false)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/settings/webhooks" {
			t.Fatalf("signing in with webhook:manage alone: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		res, _ = manager.get("/", false)
		if res.Header.Get("Location") != "/settings/webhooks" {
			t.Errorf("the overview sends a webhook manager to %q", res.Header.Get("Location"))
		}
		_, p := manager.get("/settings/webhooks", false)
		var nav []string
		p.doc.Find(`[data-testid="nav"] a`).Each(func(_ int, s *goquery.Selection) { nav = append(nav, s.AttrOr("href", "")) })
		if !slices.Equal(nav, []string{"/settings/webhooks"}) {
			t.Errorf("navigation of a webhook manager %q", nav)
		}
		for _, r := range routes {
			if res := call(manager, r.method, r.path, r.form); res.StatusCode != r.manager {
				t.Errorf("with webhook:manage, %s %s: status %d, want %d", r.method, r.path, res.StatusCode, r.manager)
			}
		}
	})
}
