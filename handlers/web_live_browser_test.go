package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	ag "github.com/agentgate/agentgate"
)

// TestBrowserLiveReconnects: when the stream drops the Live pill says so; what arrived
// while the server was down appears once it is back, without a reload; swaps while the
// stream is up leave the pill alone.
func TestBrowserLiveReconnects(t *testing.T) {
	browser := startBrowser(t)
	e := newWebEnv(t, envOptions{liveClock: true})
	e.submit("deploy", ag.UrgencyHigh, nil)
	p := person(t, browser)
	signIn(t, p, e.srv.URL, e.admin)
	on := `document.querySelector('#live').dataset.state === "on"`
	do(t, p, chromedp.Navigate(e.srv.URL+"/requests"), until(on), chromedp.Evaluate[chromedp.Void](`window.stillHere = true`))
	do(t, p, chromedp.SetValue(chromedp.CSS("#f-sort"), "oldest"), chromedp.Evaluate[chromedp.Void](`document.querySelector('#f-sort').dispatchEvent(new Event("change", {bubbles: true}))`),
		until(`location.search === "?sort=oldest"`), until(on))
	var gap *ag.Request
	e.restart(func() {
		do(t, p, until(`document.querySelector('#live').dataset.state === "retry" && document.querySelector('#live').textContent.includes("Reconnecting")`))
		gap = e.submit("rotate_credentials", ag.UrgencyCritical, nil)
	})
	do(t, p, until(on+` && !!document.querySelector('[data-row-id="`+gap.ID+`"]') && window.stillHere === true`))
	if got := eval[string](t, p, `document.querySelector('#live').textContent.trim()`); got != "Live" {
		t.Errorf("the pill says %q once the stream is back", got)
	}
}

// TestBrowserDecidedElsewhereWhileOpen: a dialog open on a request that someone else
// decides says so at once and will not confirm; the reason typed stays.
func TestBrowserDecidedElsewhereWhileOpen(t *testing.T) {
	browser := startBrowser(t)
	e := newWebEnv(t, envOptions{liveClock: true})
	r := e.submit("deploy", ag.UrgencyHigh, nil)
	p := person(t, browser)
	signIn(t, p, e.srv.URL, e.admin)
	do(t, p, chromedp.Navigate(e.srv.URL+"/requests/"+r.ID), until(`document.querySelector('#live').dataset.state === "on"`),
		key("a"), until(`document.activeElement.id === "approved-reason"`), clearField(), chromedp.KeyEvent("looks fine"))
	e.decide(r.ID, ag.DecisionDenied, "carol")
	do(t, p, until(`!document.querySelector('[data-testid="approved-live"]').hidden`))
	if got := eval[string](t, p, `document.querySelector('[data-testid="approved-live"]').textContent`); !strings.Contains(got, "Denied by carol") {
		t.Errorf("the dialog says %q", got)
	}
	if !eval[bool](t, p, `document.querySelector('[data-testid="approved-confirm"]').disabled && document.querySelector('#approve-dialog').open`) {
		t.Error("the dialog still offers to confirm, or closed")
	}
	if got := eval[string](t, p, `document.querySelector('#approved-reason').value`); got != "looks fine" {
		t.Errorf("the reason typed is now %q", got)
	}
	do(t, p, key(kb.Escape), until(`document.querySelector('[data-testid="status"]').textContent === "Denied"`))
}

// TestBrowserNoDecisionForNonApprovers: a key the rule does not name sees no Approve or
// Deny, A does nothing, and the page says who may decide.
func TestBrowserNoDecisionForNonApprovers(t *testing.T) {
	browser := startBrowser(t)
	e := newWebEnv(t, envOptions{liveClock: true})
	d := seedDemo(t, e)
	p := person(t, browser)
	signIn(t, p, e.srv.URL, e.admin)
	do(t, p, chromedp.Navigate(e.srv.URL+"/requests/"+d.notYours), until(`!!document.querySelector('[data-testid="cannot-decide"]')`), key("a"), key("d"))
	if eval[bool](t, p, `!!document.querySelector('[data-testid="approve"], [data-testid="deny"], dialog[open]')`) {
		t.Error("a key outside the approvers is offered a decision")
	}
	if got := eval[string](t, p, `document.querySelector('[data-testid="cannot-decide"]').textContent`); got != "Only finance-approver and cfo may decide this request." {
		t.Errorf("the page says %q", got)
	}
}
