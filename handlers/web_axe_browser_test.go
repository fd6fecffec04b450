package handlers_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// axeSource is axe-core (handlers/testdata/axe, test-only), read once.
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile("testdata/axe/axe.min.js")
	return string(b), err
})

// axeRun checks the page as it stands against WCAG 2.2 A and AA and answers the serious
// and critical violations, one line each.
const axeRun = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
	resultTypes: ["violations"]}).then(r => r.violations
	.filter(v => v.impact === "serious" || v.impact === "critical")
	.map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 4).map(n => n.target.join(" ") + " — " + (n.failureSummary || "").split("\n").slice(1, 2).join("")).join(" | ")))`

// checkAxe fails the test for every serious or critical accessibility violation on the
// page ctx shows; what names the page in the message.
func checkAxe(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatal(err)
	}
	if !eval[bool](t, ctx, `typeof axe !== "undefined"`) {
		// DevTools evaluation is outside the page's CSP, which rightly refuses inline script.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src+"\n;void 0")); err != nil {
			t.Fatalf("inject axe-core: %v", err)
		}
	}
	var found []string
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe: %v", what, err)
	}
	found = append(found, out...)
	for _, v := range found {
		t.Errorf("%s: %s", what, v)
	}
}

// colorScheme makes the page render as a system set to scheme ("light" or "dark") shows it.
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})
}

// TestBrowserAccessibility runs axe-core on every dashboard page, and on the open
// decision dialog, in the light and the dark theme, at laptop and phone width: no serious
// or critical WCAG 2.2 AA violation anywhere.
func TestBrowserAccessibility(t *testing.T) {
	browser := startBrowser(t)
	e := newWebEnv(t, envOptions{liveClock: true})
	d := seedDemo(t, e)
	base := e.srv.URL
	admin := person(t, browser)
	signIn(t, admin, base, e.admin)
	guest := person(t, browser)
	keys, err := chromedp.Run(admin, chromedp.Evaluate[string](`fetch("/settings/api-keys").then(r => r.text()).then(t => (t.match(/settings\/api-keys\/(key_[A-Za-z0-9]+)/) || [])[1] || "")`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	pages := []struct{ name, path, ready string }{
		{"overview", "/", `!!document.querySelector('[data-testid="overview"]')`},
		{"requests", "/requests", `!!document.querySelector('[data-testid="request-table"]')`},
		{"requests-all", "/requests?status=all", `!!document.querySelector('[data-testid="request-table"]')`},
		{"request", "/requests/" + d.transfer, `!!document.querySelector('[data-testid="approve"]')`},
		{"request-decided", "/requests/" + d.decided, `!!document.querySelector('[data-testid="request"]')`},
		{"request-hidden", "/requests/" + d.hidden, `!!document.querySelector('[data-testid="hidden-warning"]')`},
		{"request-sql", "/requests/" + d.sql, `!!document.querySelector('[data-testid="destructive"]')`},
		{"request-diff", "/requests/" + d.config, `!!document.querySelector('[data-testid="diff"]')`},
		{"request-not-yours", "/requests/" + d.notYours, `!!document.querySelector('[data-testid="cannot-decide"]')`},
		{"teach", "/requests/" + d.decided + "/teach", `!!document.querySelector('[data-testid="teach-banner"]')`},
		{"audit", "/audit", `!!document.querySelector('[data-testid="audit-table"]')`},
		{"policies", "/policies", `!!document.querySelector('[data-testid="policy-table"]')`},
		{"policy-edit", "/policies/" + d.policy, `!!document.querySelector('[data-testid="rules-editor"]')`},
		{"policy-new", "/policies/new", `!!document.querySelector('[data-testid="rules-editor"]')`},
		{"api-keys", "/settings/api-keys", `!!document.querySelector('[data-testid="key-table"]')`},
		{"webhooks", "/settings/webhooks", `!!document.querySelector('main h1')`},
		{"channels", views.ChannelsPath, `!!document.querySelector('main h1')`},
		{"people", "/settings/people", `!!document.querySelector('main h1')`},
		{"not-found", "/requests/req_missing", `!!document.querySelector('[data-testid="error-page"]')`},
	}
	links, err := e.gate.EmailLinks(context.Background(), ag.Delivery{ID: "dlv_axe", Channel: ag.ChannelEmail,
		Target: "cfo@example.com", Event: ag.EventRequestCreated, RequestID: d.transfer})
	if err != nil {
		t.Fatal(err)
	}
	link := base + ag.DecisionLinkPath + "/" + links.Approve
	if keys != "" {
		pages = append(pages, struct{ name, path, ready string }{"api-key-edit", "/settings/api-keys/" + keys, `!!document.querySelector("form")`})
	}
	for _, scheme := range []string{"light", "dark"} {
		for _, size := range []struct {
			name string
			w, h int64
			opts []chromedp.EmulateViewportOption
		}{{"laptop", 1280, 800, nil}, {"phone", 375, 812, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch}}} {
			for _, c := range []context.Context{admin, guest} {
				do(t, c, colorScheme(scheme), chromedp.EmulateViewport(size.w, size.h, size.opts...))
			}
			at := func(name string) string { return fmt.Sprintf("%s (%s, %s)", name, scheme, size.name) }
			for _, p := range pages {
				do(t, admin, chromedp.Navigate(base+p.path), until(p.ready))
				checkAxe(t, admin, at(p.name))
			}
			do(t, admin, chromedp.Navigate(base+"/requests/"+d.transfer), until(`!!document.querySelector('[data-testid="approve"]')`),
				chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="approve"]').click()`),
				until(`document.querySelector('#approve-dialog').open`))
			checkAxe(t, admin, at("approve dialog"))
			do(t, admin, chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="identity"]').open = true`))
			do(t, guest, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#key")))
			checkAxe(t, guest, at("login"))
			do(t, guest, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`[data-testid="decide-link"]`)))
			checkAxe(t, guest, at("decision link"))
			do(t, admin, chromedp.Navigate(base+"/requests"), until(`!!document.querySelector('[data-testid="request-table"]')`),
				key("?"), until(`document.querySelector('#shortcuts-dialog').open`))
			checkAxe(t, admin, at("shortcuts"))
		}
	}
}
