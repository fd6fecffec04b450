package handlers_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/internal/testenv"
)

// startBrowser starts one headless Chromium for the whole test.
func startBrowser(t *testing.T) context.Context {
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(testenv.Chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-renderer-backgrounding", true), chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("force-color-profile", "srgb"), chromedp.WindowSize(1280, 800))
	t.Cleanup(cancel)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(cancelCtx)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// person is a tab in a browser context of its own: its own cookies, its own session.
func person(t *testing.T, browser context.Context) context.Context {
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// do runs steps with a limit that only guards against a hung browser.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("%v; page state: %s", err, pageState(ctx))
	}
}

// pageState describes the page for a failure message.
func pageState(ctx context.Context) string {
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Evaluate[string](`JSON.stringify({url: location.href,
		focus: document.activeElement && (document.activeElement.id || document.activeElement.tagName),
		dialog: !!document.querySelector("dialog[open]"), text: document.body.innerText.slice(0, 600)})`))
	if err != nil {
		return err.Error()
	}
	return s
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// until waits for a JavaScript predicate; the limit only guards against a hung test.
func until(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(15*time.Second))
}

func key(k string, mods ...chromedp.Modifier) chromedp.Action[chromedp.Void] {
	return chromedp.KeyEvent(k, chromedp.KeyModifiers(mods...))
}

// clearField empties the focused field from the keyboard. Chromium's protocol delivers a
// shortcut's character even when the page handled the key, which a real keyboard does not.
func clearField() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(key("a", chromedp.ModifierCtrl), key(kb.Backspace))
}

func signIn(t *testing.T, ctx context.Context, base, secret string) {
	do(t, ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#key")),
		chromedp.SendKeys(chromedp.CSS("#key"), secret), key(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav"]`)))
}

func TestBrowserDashboard(t *testing.T) {
	browser := startBrowser(t)
	e := newWebEnv(t, envOptions{liveClock: true})
	d := seedDemo(t, e)
	base := e.srv.URL

	// Alice signs in and sees the queue; Bob watches the request list in his own session.
	alice := person(t, browser)
	signIn(t, alice, base, e.admin)
	do(t, alice, until(`[...document.querySelectorAll('[data-testid="urgent-row"]')].some(r => r.textContent.includes("transfer_funds"))`))
	bob := person(t, browser)
	signIn(t, bob, base, e.key("bob", ag.ScopeRequestRead, ag.ScopeRequestDecide))
	do(t, bob, chromedp.Navigate(base+"/requests"), until(`document.querySelector('#live').dataset.state === "on"`),
		chromedp.Evaluate[chromedp.Void](`window.stillHere = true`))

	// A new request appears on Bob's page without a reload.
	r := e.submit("publish_blog_post", ag.UrgencyHigh, map[string]any{"title": "Our Q3 results", "site": "blog.example.com"})
	do(t, bob, until(`!!document.querySelector('[data-row-id="`+r.ID+`"]') && window.stillHere === true`))

	// Alice finds it and opens it with the keyboard only.
	do(t, alice, chromedp.Navigate(base+"/requests"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="request-table"]`)),
		key("/"), until(`document.activeElement.id === "f-q"`), clearField(), chromedp.KeyEvent("publish_blog"),
		until(`document.querySelectorAll('[data-testid="request-row"]').length === 1`))
	if loc := eval[string](t, alice, `location.search`); loc != "?q=publish_blog" {
		t.Errorf("address bar query %q, want the filter alone", loc)
	}
	for i := 0; i < 40 && eval[string](t, alice, `document.activeElement.id`) != "row-"+r.ID; i++ {
		do(t, alice, key(kb.Tab))
	}
	do(t, alice, key(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`[data-testid="approve"]`)), until(scriptsReady))

	// The dialog: opens on "a" with focus inside, keeps Tab inside, closes on Escape and
	// gives focus back to the Approve button.
	do(t, alice, key("a"), until(`document.querySelector('#approve-dialog').open && document.activeElement.id === "approved-reason"`))
	for i := 0; i < 6; i++ {
		do(t, alice, key(kb.Tab))
		if !eval[bool](t, alice, `document.querySelector('#approve-dialog').contains(document.activeElement)`) {
			t.Fatalf("Tab %d left the dialog", i+1)
		}
	}
	for i := 0; i < 3; i++ {
		do(t, alice, key(kb.Tab, chromedp.ModifierShift))
		if !eval[bool](t, alice, `document.querySelector('#approve-dialog').contains(document.activeElement)`) {
			t.Fatalf("Shift+Tab %d left the dialog", i+1)
		}
	}
	do(t, alice, key(kb.Escape), until(`!document.querySelector('#approve-dialog').open && document.activeElement.dataset.testid === "approve"`))

	// Approve with a reason: the page updates in place and focus lands on the new status.
	do(t, alice, key("a"), until(`document.activeElement.id === "approved-reason"`), clearField(),
		chromedp.KeyEvent("Read the draft; numbers match the filing"), key(kb.Enter, chromedp.ModifierCtrl),
		// The notice after deciding is transient (the live refresh that follows redraws the
		// region), so the lasting evidence is the status and where focus went.
		until(`document.querySelector('[data-testid="status"]').textContent.trim() === "Approved" && document.activeElement.id === "request-status"`))
	got, _ := e.gate.Get(context.Background(), r.ID)
	if got.Status != ag.StatusApproved || got.DecidedBy != "ops-admin" || got.DecisionReason == "" {
		t.Fatalf("request after the keyboard approval: %+v", got)
	}

	// Bob's pending list loses the decided request, still without a reload.
	do(t, bob, until(`!document.querySelector('[data-row-id="`+r.ID+`"]') && window.stillHere === true`))

	if os.Getenv("AGENTGATE_SCREENSHOTS") == "1" {
		screenshots(t, browser, alice, base, d)
	}
}

// screenshots writes every page at laptop and phone size into docs/screenshots.
func screenshots(t *testing.T, browser, ctx context.Context, base string, d demo) {
	shoot := func(ctx context.Context, name string) { screenshot(t, ctx, name) }
	settle := chromedp.Sleep(300 * time.Millisecond) // fonts and the live badge; pictures only
	guest := person(t, browser)
	for _, size := range []struct {
		name string
		w, h int64
		opts []chromedp.EmulateViewportOption
	}{{"laptop", 1280, 800, nil}, {"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch}}} {
		for _, c := range []context.Context{ctx, guest} {
			do(t, c, chromedp.EmulateViewport(size.w, size.h, size.opts...))
		}
		for _, p := range []struct{ name, path, ready string }{
			{"overview", "/", `document.querySelector('#live').dataset.state === "on"`},
			{"requests", "/requests?status=pending&sort=urgency", `document.querySelector('#live').dataset.state === "on"`},
			{"audit", "/audit", `!!document.querySelector('[data-testid="audit-table"]')`},
			{"policies", "/policies", `!!document.querySelector('[data-testid="policy-table"]')`},
			{"api-keys", "/settings/api-keys", `!!document.querySelector('[data-testid="key-table"]')`},
			{"policy-edit", "/policies/" + d.policy, `!!document.querySelector('[data-testid="rules-editor"]')`},
		} {
			do(t, ctx, chromedp.Navigate(base+p.path), until(p.ready), settle)
			shoot(ctx, p.name+"-"+size.name)
		}
		do(t, ctx, chromedp.Navigate(base+"/requests/"+d.transfer), chromedp.WaitVisible(chromedp.CSS(`[data-testid="approve"]`)), until(scriptsReady),
			key("a"), until(`document.querySelector('#approve-dialog').open`), clearField(), settle)
		shoot(ctx, "request-dialog-"+size.name)
		do(t, guest, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#key")), settle)
		shoot(guest, "login-"+size.name)
	}
	// The dark theme, as a system set to dark shows it.
	dark := colorScheme("dark")
	live := until(`document.querySelector('#live').dataset.state === "on"`)
	do(t, ctx, dark, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/"), live, settle)
	shoot(ctx, "overview-dark-laptop")
	do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(base+"/requests/"+d.deploy), live, settle)
	shoot(ctx, "request-dark-phone")

	// Reading what you approve: a long SQL statement, and hidden characters flagged.
	light := colorScheme("light")
	for _, size := range []struct {
		name string
		w, h int64
		opts []chromedp.EmulateViewportOption
	}{{"laptop", 1280, 800, nil}, {"phone", 375, 812, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch}}} {
		do(t, ctx, light, chromedp.EmulateViewport(size.w, size.h, size.opts...))
		for _, p := range []struct{ name, id string }{{"request-sql", d.sql}, {"request-hidden", d.hidden}, {"request-diff", d.config}} {
			do(t, ctx, chromedp.Navigate(base+"/requests/"+p.id), live, settle)
			shoot(ctx, p.name+"-"+size.name)
		}
	}
	do(t, ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/requests/"+d.hidden), live, until(scriptsReady),
		key("a"), until(`document.querySelector('#approve-dialog').open`), clearField(), settle)
	shoot(ctx, "request-hidden-dialog-laptop")
	do(t, ctx, chromedp.Navigate(base+"/requests/"+d.decided+"/teach"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="teach-banner"]`)), settle)
	shoot(ctx, "teach-laptop")
}

// screenshot writes what the tab shows to docs/screenshots/<name>.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
