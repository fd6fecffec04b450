package handlers_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/webhook"
)

// tabTo presses Tab until the element with the test id has focus, which proves the
// keyboard reaches it.
func tabTo(t *testing.T, ctx context.Context, testid string) {
	t.Helper()
	for range 80 {
		if eval[string](t, ctx, `(document.activeElement && document.activeElement.dataset.testid) || ""`) == testid {
			return
		}
		do(t, ctx, key(kb.Tab))
	}
	t.Fatalf("Tab never reached %s; page state: %s", testid, pageState(ctx))
}

// noSidewaysScroll fails the test if the page is wider than the screen. It compares with
// the root's client width: an emulated phone widens window.innerWidth to fit the page.
func noSidewaysScroll(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if w := eval[string](t, ctx, `const r = document.documentElement;
		r.scrollWidth > r.clientWidth ? r.scrollWidth + " px on a screen of " + r.clientWidth : ""`); w != "" {
		t.Errorf("%s scrolls sideways on a phone: %s", what, w)
	}
}

// TestBrowserWebhooks walks the webhook pages with the keyboard, against a real receiver:
// create, the secret once, a test that shows its working state and then its attempt, a
// replay that follows its new attempt, a rotation; then the pages at phone width.
func TestBrowserWebhooks(t *testing.T) {
	browser := startBrowser(t)
	allowLocal := func(ctx context.Context, u string) error { return webhook.CheckURL(ctx, u, true) }
	e := newWebEnv(t, envOptions{liveClock: true, checkWebhookURL: allowLocal})
	attempted := make(chan string, 16)
	runDispatcher(t, e.gate, func(id string) { attempted <- id })
	rcv := newReceiver(t)
	base := e.srv.URL
	ctx := person(t, browser)
	signIn(t, ctx, base, e.admin)

	// Create from the keyboard. "All events" holds the single types until it is unticked.
	do(t, ctx, chromedp.Navigate(base+"/settings/webhooks"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="webhook-form"]`)))
	tabTo(t, ctx, "webhook-url-input")
	do(t, ctx, chromedp.KeyEvent(rcv.srv.URL+"/hook"), key(kb.Tab), chromedp.KeyEvent("Ops bot"))
	if !eval[bool](t, ctx, `document.querySelector('[data-testid="event-request.decided"]').disabled`) {
		t.Error(`single event types are not held while "All events" is ticked`)
	}
	tabTo(t, ctx, "event-all")
	do(t, ctx, key(" "), until(`!document.querySelector('[data-testid="event-request.decided"]').disabled`))
	tabTo(t, ctx, "event-request.decided")
	do(t, ctx, key(" "))
	tabTo(t, ctx, "webhook-submit")
	do(t, ctx, key(kb.Enter), until(`document.activeElement && document.activeElement.id === "webhook-secret"`))
	secret := eval[string](t, ctx, `document.activeElement.value`)
	if !strings.HasPrefix(secret, ag.WebhookSecretPrefix) {
		t.Fatalf("secret shown %q", secret)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="webhook-secret"]').innerText`); !strings.Contains(got, "you will not see it again") {
		t.Errorf("secret panel says %q", got)
	}
	tabTo(t, ctx, "copy-secret")
	do(t, ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="webhook-row"]`)))
	if eval[bool](t, ctx, `document.documentElement.innerHTML.includes(`+jsString(secret)+`)`) {
		t.Fatal("the secret is shown again after a reload")
	}

	// The list's actions are in the keyboard's reach. The switch keeps the focus as it
	// turns the webhook off and on; Open leads to the webhook.
	switched := `document.activeElement && document.activeElement.dataset.testid === "webhook-toggle" && document.activeElement.ariaChecked === `
	tabTo(t, ctx, "webhook-link")
	tabTo(t, ctx, "webhook-toggle")
	do(t, ctx, key(kb.Enter), until(switched+`"false"`), key(" "), until(switched+`"true"`))
	tabTo(t, ctx, "webhook-open")
	do(t, ctx, key(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`[data-testid="webhook-actions"]`)))

	// Send test: the button says it is working while the receiver has not answered; then
	// the result takes focus, and the log shows the attempt with the receiver's answer.
	tabTo(t, ctx, "send-test")
	do(t, ctx, key(kb.Enter), until(`document.querySelector('[data-testid="send-test"]').disabled &&
		document.querySelector('[data-testid="send-test"]').innerText.trim() === "Sending…"`))
	rcv.answers <- 410
	within(t, attempted)
	do(t, ctx, until(`document.activeElement && document.activeElement.dataset.testid === "test-result"`))
	row := `document.querySelector('[data-testid="delivery"]')`
	if got := eval[string](t, ctx, row+`.dataset.status + " " + `+row+`.querySelector('details').open`); got != "failed true" {
		t.Errorf("the test's row: %s", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="attempt-response"]').textContent`); got != receiverBody {
		t.Errorf("response excerpt %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('#webhook-health').innerText`); !strings.Contains(got, "Failing") {
		t.Errorf("health beside the log did not update: %q", got)
	}

	// Replay from the keyboard: the row is pending at once and follows its new attempt.
	tabTo(t, ctx, "replay")
	do(t, ctx, key(kb.Enter), until(row+`.dataset.status === "pending" && !!document.querySelector('[data-testid="delivery-notice"]')`))
	rcv.answers <- 200
	within(t, attempted)
	do(t, ctx, until(row+`.dataset.status === "delivered" && `+row+`.querySelectorAll('[data-testid="attempt"]').length === 2`))

	// Rotate through its dialog: it explains the overlap, and the new secret takes focus.
	tabTo(t, ctx, "rotate-secret")
	do(t, ctx, key(kb.Enter), until(`document.querySelector('#rotate-dialog').open`))
	if got := eval[string](t, ctx, `document.querySelector('#rotate-dialog').innerText`); !strings.Contains(got, "24 hours") {
		t.Errorf("rotate dialog says %q", got)
	}
	do(t, ctx, key(kb.Tab), key(kb.Enter), until(`document.activeElement && document.activeElement.id === "webhook-secret"`))
	if rotated := eval[string](t, ctx, `document.activeElement.value`); rotated == secret || !strings.HasPrefix(rotated, ag.WebhookSecretPrefix) {
		t.Errorf("rotated secret %q", rotated)
	}
	tabTo(t, ctx, "webhook-delete")
	do(t, ctx, key(kb.Enter), until(`document.querySelector('#delete-dialog').open`), key(kb.Escape),
		until(`!document.querySelector('#delete-dialog').open && document.activeElement.dataset.testid === "webhook-delete"`))

	// At phone width nothing scrolls sideways, even a long URL and an open attempt.
	tested := eval[string](t, ctx, `location.pathname`)
	long := "http://127.0.0.1:9/" + strings.Repeat("a-long-path-segment/", 8) + "?token=" + strings.Repeat("x", 60)
	lw, _, err := e.gate.CreateWebhook(context.Background(), ag.SystemActor, ag.WebhookInput{URL: &long, Events: []string{"*"},
		Description: ptr(strings.Repeat("A description that goes on ", 6))})
	if err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulateTouch))
	for _, p := range []struct{ name, path, ready string }{
		{"the list", "/settings/webhooks", `!!document.querySelector('[data-testid="webhook-table"]')`},
		{"a long URL's page", "/settings/webhooks/" + lw.ID, `!!document.querySelector('[data-testid="deliveries"]')`},
		{"the tested webhook's page", tested, `!!document.querySelector('[data-testid="delivery"]')`},
	} {
		do(t, ctx, chromedp.Navigate(base+p.path), until(p.ready))
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('details').forEach(d => d.open = true)`))
		noSidewaysScroll(t, ctx, p.name)
	}

	if os.Getenv("AGENTGATE_SCREENSHOTS") == "1" {
		webhookScreenshots(t, browser)
	}
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
