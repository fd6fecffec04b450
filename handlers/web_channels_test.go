package handlers_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	ag "github.com/agentgate/agentgate"
	chatslack "github.com/agentgate/agentgate/chat/slack"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/handlers"
	"github.com/agentgate/agentgate/internal/fakeslack"
)

// newSlackWebEnv is the dashboard with Slack configured against fake.
func newSlackWebEnv(t *testing.T, fake *fakeslack.Server, o envOptions) *webEnv {
	o.wire = func(g *ag.Gate, s *db.Store, clock ag.Clock, cfg *handlers.Config) {
		sender, err := chatslack.NewSender(chatslack.Config{BotToken: fakeslack.Token, SigningSecret: fakeslack.SigningSecret,
			DefaultChannel: "#approvals", APIURL: fake.URL}, g, s, chatslack.Options{BaseURL: "https://gate.example.com", Clock: clock,
			Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		cfg.ChannelTesters = map[ag.ChannelKind]handlers.ChannelTester{ag.ChannelSlack: sender}
	}
	return newWebEnv(t, o)
}

// TestChannelsPage: the settings page lists each channel, configured or what turns it on,
// and a test shows the platform's answer; only admins see it.
func TestChannelsPage(t *testing.T) {
	fake := fakeslack.Start(t)
	e := newSlackWebEnv(t, fake, envOptions{})
	b := e.login(e.admin)

	res, p := b.get("/settings/channels", false)
	wantStatus(t, res, http.StatusOK)
	if got := text(p.must(t, "channel-slack", 1).Find(`[data-testid="channel-target"]`)); got != "#approvals" {
		t.Errorf("Slack's target %q", got)
	}
	for _, off := range []string{"channel-discord", "channel-email"} {
		if s := p.must(t, off, 1).Find(`[data-testid="channel-off"]`); !strings.Contains(text(s), "Not configured") {
			t.Errorf("%s: %q", off, text(s))
		}
	}
	if p.byTestID("nav").Find(`a[href="/settings/channels"]`).Length() != 1 {
		t.Error("the navigation does not link the Channels page")
	}

	res, p = b.post("/settings/channels/slack/test", nil, true)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "channel-ok", 1)
	if got := text(p.must(t, "channel-response", 1)); !strings.Contains(got, "200: the token is the bot agentgate") {
		t.Errorf("answer shown %q", got)
	}
	fake.Fail("chat.postMessage", fakeslack.Failure{Error: "not_in_channel"})
	_, p = b.post("/settings/channels/slack/test", nil, true)
	if got := text(p.must(t, "channel-error", 1)); !strings.Contains(got, "Not sent: slack: posting to #approvals: not_in_channel") {
		t.Errorf("refusal shown %q", got)
	}

	reader := e.login(e.key("reader", ag.ScopeRequestRead))
	res, _ = reader.get("/settings/channels", false)
	wantStatus(t, res, http.StatusForbidden)
	res, _ = reader.post("/settings/channels/slack/test", nil, true)
	wantStatus(t, res, http.StatusForbidden)
	if n := len(fake.Calls("chat.postMessage")); n != 2 {
		t.Errorf("%d posts; want the admin's two tests", n)
	}
}

// TestBrowserChannelsTest: in Chromium, Send test shows Slack's answer in place.
func TestBrowserChannelsTest(t *testing.T) {
	browser := startBrowser(t)
	fake := fakeslack.Start(t)
	e := newSlackWebEnv(t, fake, envOptions{liveClock: true})
	tab := person(t, browser)
	signIn(t, tab, e.srv.URL, e.admin)
	do(t, tab, chromedp.Navigate(e.srv.URL+"/settings/channels"),
		chromedp.Click(chromedp.CSS(`[data-testid="channel-slack"] [data-testid="channel-test"]`)),
		until(`!!document.querySelector('[data-testid="channel-ok"]')`))
	if got := eval[string](t, tab, `document.querySelector('[data-testid="channel-response"]').textContent`); !strings.Contains(got, "posted to CAPPROVALS") {
		t.Errorf("answer shown %q", got)
	}
	if n := len(fake.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d posts; want one", n)
	}
}
