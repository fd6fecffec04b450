package handlers_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// phone is the viewport of a 375 px wide phone.
func phone() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulateTouch)
}

// TestBrowserPhoneBarAndTargets: on a phone the parameters come first, Approve and Deny
// stay in a bar at the bottom while the page scrolls, the nav is a menu that does not
// overflow, and every control is at least 44 by 44 pixels.
func TestBrowserPhoneBarAndTargets(t *testing.T) {
	browser := startBrowser(t)
	e := newWebEnv(t, envOptions{liveClock: true})
	d := seedDemo(t, e)
	p := person(t, browser)
	signIn(t, p, e.srv.URL, e.admin)
	do(t, p, phone())
	// A checkbox or radio button is hit through its label, which is its target.
	small := `[...document.querySelectorAll('button, select, textarea, summary, input:not([type=hidden]), .btn, .nav a, .tabs a, .crumbs a, .pager a, .row-link, .tree-fold > summary')]
		.map(el => el.matches('[type=checkbox], [type=radio]') && el.closest('label') || el)
		.filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden" && !el.closest('dialog:not([open])'))
		.map(el => [el, el.getBoundingClientRect()]).filter(([el, r]) => r.width < 43.5 || r.height < 43.5)
		.map(([el, r]) => (el.dataset.testid || el.className || el.tagName) + " " + Math.round(r.width) + "x" + Math.round(r.height))`
	for _, path := range []string{"/", "/requests", "/requests/" + d.sql, "/requests/" + d.config, "/audit", "/policies", "/policies/new", "/settings/api-keys", "/settings/webhooks", views.ChannelsPath} {
		do(t, p, chromedp.Navigate(e.srv.URL+path), until(`!!document.querySelector('main h1, main h2') && `+scriptsReady))
		if got := settledList(t, p, small); len(got) > 0 {
			t.Errorf("%s: controls under 44 px: %v", path, got)
		}
		if eval[bool](t, p, `document.documentElement.scrollWidth > innerWidth`) {
			t.Errorf("%s scrolls sideways", path)
		}
	}
	do(t, p, chromedp.Navigate(e.srv.URL+"/requests/"+d.sql), until(`!!document.querySelector('[data-testid="approve"]') && `+scriptsReady))
	if eval[bool](t, p, `document.querySelector('[data-testid="params"]').getBoundingClientRect().top > document.querySelector('[data-testid="facts"]').getBoundingClientRect().top`) {
		t.Error("the details come before the parameters")
	}
	bar := `(r => Math.abs(r.bottom - innerHeight) < 1 && r.top > innerHeight / 2)(document.querySelector('[data-testid="decide-actions"]').getBoundingClientRect())`
	for _, y := range []string{"0", "2000", "document.body.scrollHeight"} {
		do(t, p, chromedp.Evaluate[chromedp.Void](`scrollTo(0, `+y+`)`))
		if got := settledList(t, p, `(`+bar+`) ? [] : [JSON.stringify(document.querySelector('[data-testid="decide-actions"]').getBoundingClientRect()), innerHeight]`); len(got) > 0 {
			t.Errorf("scrolled to %s: Approve and Deny are not in the bar at the bottom: %v", y, got)
		}
	}
	do(t, p, chromedp.Evaluate[chromedp.Void](`scrollTo(0, 0)`), chromedp.Click(chromedp.CSS(`[data-testid="approve"]`)),
		until(`document.querySelector('#approve-dialog').open`))
	if got := settledList(t, p, small); len(got) > 0 {
		t.Errorf("the open dialog: controls under 44 px %v", got)
	}
	do(t, p, key(kb.Escape), chromedp.Click(chromedp.CSS(`[data-testid="nav-toggle"]`)),
		until(`document.querySelector('#main-nav').getBoundingClientRect().height > 0`))
	if got := settledList(t, p, small); len(got) > 0 || eval[bool](t, p, `document.documentElement.scrollWidth > innerWidth`) {
		t.Errorf("the open menu: controls under 44 px %v, or it overflows", got)
	}
}

// settledList evaluates js, a list of problems, until it is empty or a few seconds pass
// (layout may still be settling after a navigation), and returns the last answer.
func settledList(t *testing.T, ctx context.Context, js string) []string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		got := eval[[]string](t, ctx, js)
		if len(got) == 0 || time.Now().After(deadline) {
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// contrastJS measures the contrast ratio (WCAG) of an element's text on its background.
const contrastJS = `(el => {
	const rgb = c => c.match(/[\d.]+/g).slice(0, 3).map(Number);
	const lum = c => rgb(c).map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
		.reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
	const st = getComputedStyle(el), a = lum(st.color), b = lum(st.backgroundColor);
	return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
})`

// TestBrowserQueueAtAGlance: at 1280×800 the queue shows at least 12 requests, and
// Approve and Deny keep readable text when hovered, in the light and the dark theme.
func TestBrowserQueueAtAGlance(t *testing.T) {
	browser := startBrowser(t)
	e := newWebEnv(t, envOptions{liveClock: true})
	var last *ag.Request
	for i := range 16 {
		last = e.submit("send_email", ag.UrgencyNormal, map[string]any{"to": "customer-" + strconv.Itoa(i) + "@example.com", "subject": "Your invoice"})
	}
	p := person(t, browser)
	signIn(t, p, e.srv.URL, e.admin)
	do(t, p, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(e.srv.URL+"/requests"), until(`document.querySelectorAll('[data-testid="request-row"]').length === 16`))
	if n := eval[int](t, p, `[...document.querySelectorAll('[data-testid="request-row"]')].filter(r => r.getBoundingClientRect().bottom <= innerHeight).length`); n < 12 {
		t.Errorf("%d rows fit at 1280×800, want at least 12", n)
	}
	if got := eval[string](t, p, `document.querySelector('[data-testid="request-row"] .row-sub').textContent`); !strings.HasPrefix(got, "to: customer-") {
		t.Errorf("the summary leads with %q, not the value that tells the rows apart", got)
	}
	for _, scheme := range []string{"light", "dark"} {
		do(t, p, colorScheme(scheme), chromedp.Navigate(e.srv.URL+"/requests/"+last.ID), until(`!!document.querySelector('[data-testid="approve"]')`))
		for _, b := range []string{"approve", "deny"} {
			do(t, p, clicklessHover(t, p, `[data-testid="`+b+`"]`))
			if c := eval[float64](t, p, contrastJS+`(document.querySelector('[data-testid="`+b+`"]'))`); c < 4.5 {
				t.Errorf("%s, %s hovered: contrast %.2f", scheme, b, c)
			}
		}
	}
}

// clicklessHover moves the mouse over the element css names.
func clicklessHover(t *testing.T, ctx context.Context, css string) chromedp.Action[chromedp.Void] {
	xy := eval[[]float64](t, ctx, `(r => [r.x + r.width / 2, r.y + r.height / 2])(document.querySelector('`+css+`').getBoundingClientRect())`)
	return chromedp.MouseEvent(chromedp.MouseMoved, xy[0], xy[1])
}
