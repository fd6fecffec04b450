package handlers_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	ag "github.com/agentgate/agentgate"
)

// The People page in a real browser, from the keyboard; and a decision link followed in a
// browser with JavaScript turned off, as some mail clients' viewers run.
func TestBrowserPeopleAndDecisionLink(t *testing.T) {
	browser := startBrowser(t)
	e := newWebEnv(t, envOptions{liveClock: true})
	base := e.srv.URL
	admin := person(t, browser)
	signIn(t, admin, base, e.admin)

	// Add Ana from the keyboard: the list updates in place, groups as chips.
	do(t, admin, chromedp.Navigate(base+"/settings/people"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="person-form"]`)),
		chromedp.Focus(chromedp.CSS(`input[name="name"]`)), chromedp.KeyEvent("Ana Lima"), key(kb.Tab), chromedp.KeyEvent("ana@example.com"),
		key(kb.Tab), chromedp.KeyEvent("finance, oncall"), key(kb.Enter),
		until(`document.querySelectorAll('[data-testid="person-row"] .chip').length === 2`))
	for _, p := range []struct{ name, email, groups string }{{"Bruno", "bruno@example.com", "finance"}, {"Chen Wei", "", "oncall, security"}} {
		do(t, admin, chromedp.Focus(chromedp.CSS(`#new-person-title ~ form input[name="name"]`)), chromedp.KeyEvent(p.name), key(kb.Tab),
			chromedp.KeyEvent(p.email), key(kb.Tab), chromedp.KeyEvent(p.groups), key(kb.Enter),
			until(`[...document.querySelectorAll('[data-testid="person-row"]')].some(r => r.textContent.includes("`+p.name+`"))`))
	}
	// Delete asks first; Escape keeps the person and gives focus back.
	do(t, admin, chromedp.Click(chromedp.CSS(`[data-testid="person-delete"]`)), until(`!!document.querySelector('dialog[open]')`),
		key(kb.Escape), until(`!document.querySelector('dialog[open]') && document.activeElement.dataset.testid === "person-delete"`))
	ana, ok := e.gate.PersonByEmail("ana@example.com")
	if !ok || len(ana.Groups) != 2 || e.gate.Directory().Len() != 3 {
		t.Fatalf("directory after the form: %+v (%d people)", ana, e.gate.Directory().Len())
	}

	// A link from Ana's approval email, opened where no script runs.
	ctx := context.Background()
	if _, err := e.gate.CreatePolicy(ctx, ag.SystemActor, ag.Policy{Name: "pay", Enabled: true, Rules: []ag.Rule{{
		Match: map[string]json.RawMessage{"action": json.RawMessage(`"transfer_funds"`)}, Decision: ag.RouteToHuman, Approvers: []string{"group:finance"}}}}); err != nil {
		t.Fatal(err)
	}
	r := e.submit("transfer_funds", ag.UrgencyCritical, map[string]any{"amount": 48000, "currency": "EUR", "to": "DE89 3704 0044 0532 0130 00"})
	links, err := e.gate.EmailLinks(ctx, ag.Delivery{ID: "dlv_b", Channel: ag.ChannelEmail, Target: ana.Email, Event: ag.EventRequestCreated, RequestID: r.ID})
	if err != nil {
		t.Fatal(err)
	}
	reader := person(t, browser)
	noScript := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	link := base + ag.DecisionLinkPath + "/" + links.Approve
	do(t, reader, noScript, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`[data-testid="link-form"]`)))
	if os.Getenv("AGENTGATE_SCREENSHOTS") == "1" {
		peopleScreenshots(t, admin, reader, base, link)
	}
	do(t, reader, chromedp.SendKeys(chromedp.CSS("#reason"), "IBAN checked with the supplier"),
		chromedp.Click(chromedp.CSS(`[data-testid="link-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="decide-link"][data-state="done"]`)))
	got, _ := e.gate.Get(ctx, r.ID)
	if got.Status != ag.StatusApproved || got.DecidedBy != "Ana Lima" || got.Votes[0].Channel != ag.DecidedViaEmail {
		t.Fatalf("after the link's form: %+v", got)
	}
}

// peopleScreenshots writes the People page and a decision link at laptop and phone size.
func peopleScreenshots(t *testing.T, admin, reader context.Context, base, link string) {
	dir := filepath.Join("..", "docs", "screenshots")
	settle := chromedp.Sleep(300 * time.Millisecond) // fonts; pictures only
	for _, size := range []struct {
		name string
		w, h int64
		opts []chromedp.EmulateViewportOption
	}{{"laptop", 1280, 800, nil}, {"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch}}} {
		for _, shot := range []struct {
			ctx        context.Context
			name, path string
			ready      string
		}{
			{admin, "people", base + "/settings/people", `[data-testid="people-table"]`},
			{reader, "decision-link", link, `[data-testid="link-form"]`},
		} {
			do(t, shot.ctx, chromedp.EmulateViewport(size.w, size.h, size.opts...), chromedp.Navigate(shot.path),
				chromedp.WaitVisible(chromedp.CSS(shot.ready)), settle)
			png, err := chromedp.Run(shot.ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, shot.name+"-"+size.name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
