package handlers_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	ag "github.com/agentgate/agentgate"
)

// TestBrowserDryRunHold types an amount no rule can read into the dry run, in Chromium, and
// sees the hold explained in place. With AGENTGATE_SCREENSHOTS=1 it saves the result as
// docs/screenshots/dry-run-hold-laptop.png.
func TestBrowserDryRunHold(t *testing.T) {
	browser := startBrowser(t)
	e := newWebEnv(t, envOptions{liveClock: true})
	var rules []ag.Rule
	if err := json.Unmarshal([]byte(transferRulesForm), &rules); err != nil {
		t.Fatal(err)
	}
	p, err := e.gate.CreatePolicy(context.Background(), ag.SystemActor, ag.Policy{Name: "Transfers", Priority: 1, Enabled: true, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	ctx := person(t, browser)
	signIn(t, ctx, e.srv.URL, e.admin)
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/policies/"+p.ID), chromedp.WaitVisible(chromedp.CSS(`[data-testid="dry-run-form"]`)),
		chromedp.SendKeys(chromedp.CSS("#d-action"), "transfer"),
		chromedp.Focus(chromedp.CSS("#d-params")), clearField(),
		chromedp.SendKeys(chromedp.CSS("#d-params"), `{"amount": "50,000", "to": "acct-7731"}`),
		chromedp.Click(chromedp.CSS(`[data-testid="dry-run"]`)),
		until(`!!document.querySelector('[data-testid="dry-run-hold"]')`))
	hold := eval[string](t, ctx, `document.querySelector('[data-testid="dry-run-hold"]').innerText`)
	want := "Held for a person. Rule 1 (Auto-deny) could not read params.amount: got a string that is not a number, so rule 2's auto-approval waits for a person."
	if hold != want {
		t.Errorf("hold notice %q", hold)
	}
	if !eval[bool](t, ctx, `(() => { const r = document.querySelector('[data-testid="dry-run-hold"]').getBoundingClientRect(); return r.width > 0 && r.height > 0 })()`) {
		t.Error("the hold notice is not visible")
	}
	if os.Getenv("AGENTGATE_SCREENSHOTS") != "1" {
		return
	}
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="dry-run-result"]').scrollIntoView({block: "center"})`),
		key(kb.Escape), chromedp.Sleep(300*time.Millisecond)) // fonts settle; pictures only
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "docs", "screenshots", "dry-run-hold-laptop.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
