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
)

// clickAt clicks the middle of the element css names, as a mouse would, holding mods.
func clickAt(t *testing.T, ctx context.Context, css string, mods ...chromedp.Modifier) chromedp.Action[chromedp.Void] {
	xy := eval[[]float64](t, ctx, `(r => [r.x + r.width / 2, r.y + r.height / 2])(document.querySelector('`+css+`').getBoundingClientRect())`)
	return chromedp.MouseClickXY(xy[0], xy[1], chromedp.ButtonModifiers(mods...))
}

// scriptsReady is true once app.js and desk.js have run, so that keys are answered.
const scriptsReady = `!!(window.agentgate && window.agentgate.desk)`

// settled waits until js is true on the page, across a navigation that the last action may
// have started (a poll fails while the old page goes); the limit only guards a hung test.
func settled(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("never true: %s (%v); page state: %s", js, err, pageState(ctx))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserReadWhatYouApprove: hidden characters are marked and flagged on the page and
// in the dialog; a 5 KB SQL statement, an email body and a 40-item path list are readable
// in full on a 375 px phone without the page scrolling sideways.
func TestBrowserReadWhatYouApprove(t *testing.T) {
	browser := startBrowser(t)
	e := newWebEnv(t, envOptions{liveClock: true})
	d := seedDemo(t, e)
	paths := make([]any, 40)
	for i := range paths {
		paths[i] = "/srv/exports/2026/03/customer-segment-" + strconv.Itoa(i) + "-with-a-long-name.csv"
	}
	mail := e.submit("send_email", ag.UrgencyNormal, map[string]any{"to": "board@example.com",
		"body": "Dear board,\n\nPlease find the figures attached.\nRevenue: up 12 %\nCosts: flat\n\nKind regards,\nFinance", "attachments": paths})
	p := person(t, browser)
	signIn(t, p, e.srv.URL, e.admin)

	do(t, p, chromedp.Navigate(e.srv.URL+"/requests/"+d.hidden), until(`!!document.querySelector('[data-testid="hidden-warning"]') && `+scriptsReady))
	marks := eval[[]string](t, p, `[...document.querySelectorAll('[data-testid="params"] [data-testid="hidden-char"]')].filter(m => m.getBoundingClientRect().width > 8).map(m => m.textContent)`)
	if strings.Join(marks, " ") != "⟨U+200B⟩ ⟨U+202E⟩" {
		t.Errorf("visible marks in the params: %q", marks)
	}
	if got := eval[string](t, p, `document.querySelector('[data-testid="params"]').innerText`); strings.ContainsAny(got, "\u202e\u200b") {
		t.Errorf("the params' text still holds hidden characters: %q", got)
	}
	do(t, p, key("a"), until(`document.querySelector('#approve-dialog').open`))
	if !eval[bool](t, p, `(r => r.width > 0 && r.height > 0)(document.querySelector('[data-testid="approved-hidden-warning"]').getBoundingClientRect())`) {
		t.Error("the dialog does not say the request hides characters")
	}
	do(t, p, key(kb.Escape))

	do(t, p, phone())
	for _, c := range []struct {
		id, field, has string
		lines          int
	}{{d.sql, "query", "DELETE FROM payments_staging", 60}, {mail.ID, "body", "Kind regards,\nFinance", 8}} {
		do(t, p, chromedp.Navigate(e.srv.URL+"/requests/"+c.id), until(`!!document.querySelector('[data-testid="text-block"]')`))
		block := `[...document.querySelectorAll('[data-testid="params"] .tree-leaf')].find(l => l.querySelector('.tree-key').textContent.startsWith("` + c.field + `")).querySelector('pre')`
		text := eval[string](t, p, block+`.innerText`)
		lines := eval[int](t, p, `(b => Math.round(b.getBoundingClientRect().height / parseFloat(getComputedStyle(b).lineHeight)))(`+block+`)`)
		if !strings.Contains(text, c.has) || lines < c.lines {
			t.Errorf("%s: %d lines, holding %q: %v", c.field, lines, c.has, strings.Contains(text, c.has))
		}
		if eval[bool](t, p, block+`.scrollWidth > `+block+`.clientWidth + 1 || document.documentElement.scrollWidth > innerWidth`) {
			t.Errorf("%s scrolls sideways on a phone", c.field)
		}
	}
	if danger := eval[string](t, p, `(document.querySelector('#request [data-testid="danger-word"]') || {}).textContent || ""`); danger != "" {
		t.Errorf("the email body marks %q as destructive", danger)
	}
	if n := eval[int](t, p, `[...document.querySelectorAll('[data-testid="params"] .tree-array .tree-value')].filter(v => v.getBoundingClientRect().height > 0).length`); n != 40 {
		t.Errorf("%d of the 40 paths are shown", n)
	}
	do(t, p, chromedp.Navigate(e.srv.URL+"/requests/"+d.sql), until(`!!document.querySelector('[data-testid="destructive"]')`))
	if got := eval[string](t, p, `[...document.querySelectorAll('[data-testid="danger-word"]')].map(m => m.textContent).join(" ")`); got != "DELETE" {
		t.Errorf("destructive words marked in the SQL: %q", got)
	}
}

// TestBrowserKeyboardTriage: from the overview, J picks the most urgent request, Enter
// opens it, A and D decide, and each decision opens the next request waiting; ? lists the
// shortcuts, which never fire while typing.
func TestBrowserKeyboardTriage(t *testing.T) {
	browser := startBrowser(t)
	e := newWebEnv(t, envOptions{liveClock: true})
	first := e.submit("deploy", ag.UrgencyCritical, map[string]any{"service": "api"})
	second := e.submit("send_email", ag.UrgencyHigh, map[string]any{"to": "a@example.com"})
	third := e.submit("delete_file", ag.UrgencyLow, map[string]any{"path": "/tmp/x"})
	p := person(t, browser)
	signIn(t, p, e.srv.URL, e.admin)
	do(t, p, until(`document.querySelectorAll('[data-testid="urgent-row"]').length === 3 && `+scriptsReady))

	keys := 0
	press := func(k string, mods ...chromedp.Modifier) { keys++; do(t, p, key(k, mods...)) }
	press("j")
	do(t, p, until(`document.activeElement.id === "urgent-`+first.ID+`"`))
	press(kb.Enter)
	settled(t, p, `location.pathname === "/requests/`+first.ID+`" && !!document.querySelector('[data-testid="approve"]') && `+scriptsReady)
	press("a")
	do(t, p, until(`document.querySelector('#approve-dialog').open`))
	// While a decision is on its way (htmx marks the form), the button says so.
	busy := eval[string](t, p, `(f => { f.classList.add("htmx-request"); const b = f.querySelector('button[type=submit]').innerText;
		f.classList.remove("htmx-request"); return b + "|" + f.querySelector('button[type=submit]').innerText; })(document.querySelector('#approve-dialog form'))`)
	if busy != "Approving…|Approve" {
		t.Errorf("the confirm button reads %q while sending and after", busy)
	}
	press(kb.Enter, chromedp.ModifierCtrl)
	do(t, p, until(`location.pathname === "/requests/`+second.ID+`" && !!document.querySelector('[data-testid="advanced"]') && document.activeElement.id === "request-status"`))
	toFirst := keys
	press("d")
	do(t, p, until(`document.querySelector('#deny-dialog').open`))
	press(kb.Enter, chromedp.ModifierCtrl)
	do(t, p, until(`location.pathname === "/requests/`+third.ID+`"`))
	if toFirst != 4 || keys != 6 {
		t.Errorf("%d keystrokes to decide the first request, %d to the second; want 4 and 6", toFirst, keys)
	}
	for id, want := range map[string]ag.Status{first.ID: ag.StatusApproved, second.ID: ag.StatusDenied, third.ID: ag.StatusPending} {
		if r, _ := e.gate.Get(context.Background(), id); r.Status != want || (want != ag.StatusPending && r.DecidedBy != "ops-admin") {
			t.Errorf("%s is %s by %q, want %s", id, r.Status, r.DecidedBy, want)
		}
	}
	do(t, p, until(`document.title.startsWith("delete_file")`)) // the tab says which request is open

	press("?")
	do(t, p, until(`document.querySelector('#shortcuts-dialog').open`), key(kb.Escape), until(`!document.querySelector('dialog[open]')`))
	do(t, p, chromedp.Navigate(e.srv.URL+"/requests"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="request-table"]`)), until(scriptsReady),
		key("/"), until(`document.activeElement.id === "f-q"`), key("j"), key("a"))
	if eval[bool](t, p, `!!document.querySelector('dialog[open]') || !!document.querySelector('.is-cursor')`) {
		t.Error("shortcuts fired while typing in the search field")
	}
}

// TestBrowserBatchWithALostRace: pick requests with X, a click and Shift-click, approve
// them with one reason; one decided elsewhere meanwhile is reported, the rest approved.
func TestBrowserBatchWithALostRace(t *testing.T) {
	browser := startBrowser(t)
	e := newWebEnv(t, envOptions{liveClock: true})
	var ids []string
	for i := range 5 {
		ids = append(ids, e.submit("deploy", ag.UrgencyHigh, map[string]any{"n": i}).ID)
		e.clock.rewind(-time.Duration(i+1) * time.Second)
	}
	e.clock.rewind(0)
	p := person(t, browser)
	signIn(t, p, e.srv.URL, e.admin)
	do(t, p, chromedp.Navigate(e.srv.URL+"/requests?sort=oldest"), until(`document.querySelectorAll('[data-testid="pick"]').length === 5 && `+scriptsReady))
	// X picks the first; a click the second; Shift-click the fourth picks the third too.
	do(t, p, key("j"), key("x"), until(`document.querySelector('[data-testid="batch-count"]').textContent === "1 selected"`),
		clickAt(t, p, `[data-row-id="`+ids[1]+`"] [data-testid="pick"]`), until(`document.querySelector('[data-testid="batch-count"]').textContent === "2 selected"`),
		clickAt(t, p, `[data-row-id="`+ids[3]+`"] [data-testid="pick"]`, chromedp.ModifierShift),
		until(`document.querySelector('[data-testid="batch-count"]').textContent === "4 selected"`))
	e.decide(ids[2], ag.DecisionDenied, "carol") // while the person is choosing
	do(t, p, chromedp.Click(chromedp.CSS(`[data-testid="batch-approve"]`)), until(`document.querySelector('#batch-approve-dialog').open`),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="batch-approved-reason"]`), "release 42"),
		chromedp.Click(chromedp.CSS(`[data-testid="batch-approved-confirm"]`)),
		until(`!!document.querySelector('[data-testid="batch-results"]')`))
	if got := eval[string](t, p, `document.querySelector('[data-testid="batch-results"] .card-title').textContent`); got != "3 approved, 1 not recorded" {
		t.Errorf("batch summary %q", got)
	}
	if got := eval[string](t, p, `document.querySelector('[data-result-id="`+ids[2]+`"]').textContent`); !strings.Contains(got, "already denied by carol") {
		t.Errorf("the lost race reads %q", got)
	}
	for i, want := range []ag.Status{ag.StatusApproved, ag.StatusApproved, ag.StatusDenied, ag.StatusApproved, ag.StatusPending} {
		if r, _ := e.gate.Get(context.Background(), ids[i]); r.Status != want {
			t.Errorf("request %d is %s, want %s", i, r.Status, want)
		}
	}
}
