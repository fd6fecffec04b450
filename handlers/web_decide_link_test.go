package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

// linkEnv is a web stack with Ana in finance, a rule that routes "pay" to finance with a
// reason required, and a request whose approval email to Ana has been "sent".
type linkEnv struct {
	*webEnv
	req   *ag.Request
	links ag.EmailLinks
}

func newLinkEnv(t *testing.T) *linkEnv {
	t.Helper()
	e := newWebEnv(t, envOptions{})
	ctx := context.Background()
	name, email, groups := "Ana", "ana@example.com", []string{"finance"}
	if _, err := e.gate.CreatePerson(ctx, ag.SystemActor, ag.PersonInput{Name: &name, Email: &email, Groups: &groups}); err != nil {
		t.Fatal(err)
	}
	_, err := e.gate.CreatePolicy(ctx, ag.SystemActor, ag.Policy{Name: "pay", Enabled: true, Rules: []ag.Rule{{
		Match: map[string]json.RawMessage{"action": json.RawMessage(`"pay"`)}, Decision: ag.RouteToHuman,
		Approvers: []string{"group:finance"}, RequireReason: true}}})
	if err != nil {
		t.Fatal(err)
	}
	l := &linkEnv{webEnv: e, req: e.submit("pay", ag.UrgencyHigh, map[string]any{"amount": 120, "to": "ACME\u202Egpj.exe"})}
	l.links = l.issue(l.req, "dlv_1", email)
	return l
}

func (l *linkEnv) issue(r *ag.Request, deliveryID, addr string) ag.EmailLinks {
	l.t.Helper()
	links, err := l.gate.EmailLinks(context.Background(), ag.Delivery{ID: deliveryID, Channel: ag.ChannelEmail,
		Target: addr, Event: ag.EventRequestCreated, RequestID: r.ID})
	if err != nil {
		l.t.Fatal(err)
	}
	return links
}

func (l *linkEnv) current() *ag.Request {
	r, err := l.gate.Get(context.Background(), l.req.ID)
	if err != nil {
		l.t.Fatal(err)
	}
	return r
}

// The whole life of a link in a browser without JavaScript: the page shows and changes
// nothing (GET, HEAD, any number of times); a refused form comes back; the POST decides as
// Ana with channel email; the link and its twin are then spent.
func TestDecisionLinkPage(t *testing.T) {
	l := newLinkEnv(t)
	b := l.browser()
	path := "/decide/" + l.links.Approve
	for range 5 {
		res, p := b.get(path, false)
		wantStatus(t, res, http.StatusOK)
		if p.byTestID("decide-link").AttrOr("data-state", "") != "ready" || text(p.must(t, "link-submit", 1)) != "Approve" {
			t.Fatalf("page: %s", short(p.body))
		}
		req, _ := http.NewRequest(http.MethodHead, l.srv.URL+path, nil)
		res, _ = b.do(req, false)
		wantStatus(t, res, http.StatusOK)
	}
	res, p := b.get(path, false)
	h := res.Header
	if !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") || h.Get("Referrer-Policy") != "no-referrer" ||
		h.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: %v", h)
	}
	form := p.must(t, "link-form", 1)
	if form.AttrOr("method", "") != "post" || form.AttrOr("action", "") != path || form.Find("[hx-post]").Length() > 0 {
		t.Errorf("the form must post back without JavaScript: %s", short(p.body))
	}
	if _, req := form.Find("textarea[name=reason]").Attr("required"); !req {
		t.Error("the rule requires a reason, the field does not")
	}
	if got := text(p.must(t, "link-params", 1)); !strings.Contains(got, "ACME⟨U+202E⟩gpj.exe") {
		t.Errorf("params do not reveal the hidden override: %q", got)
	}
	p.must(t, "link-hidden-warning", 1) // and the page says there is something to look at
	if got := text(p.must(t, "link-who", 1)); got != "Ana" {
		t.Errorf("decides as %q", got)
	}
	if r := l.current(); r.Status != ag.StatusPending || r.Version != l.req.Version {
		t.Fatalf("showing the link changed the request: %+v", r)
	}

	// A cross-site post, and a post without the reason the rule requires, decide nothing.
	req, _ := http.NewRequest(http.MethodPost, l.srv.URL+path, strings.NewReader("reason=ok"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, _ = b.do(req, false)
	wantStatus(t, res, http.StatusForbidden)
	res, p = b.post(path, url.Values{"reason": {"  "}}, false)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	p.must(t, "link-error", 1)
	p.must(t, "link-form", 1)
	if r := l.current(); r.Version != l.req.Version {
		t.Fatalf("refused posts changed the request: %+v", r)
	}

	res, p = b.post(path, url.Values{"reason": {"invoice checked"}}, false)
	wantStatus(t, res, http.StatusOK)
	if got := text(p.must(t, "link-title", 1)); got != "Request approved" {
		t.Errorf("after deciding: %q", got)
	}
	r := l.current()
	if r.Status != ag.StatusApproved || r.DecidedBy != "Ana" || r.Votes[0].Channel != ag.DecidedViaEmail || r.DecisionReason != "invoice checked" {
		t.Fatalf("decided: %+v", r)
	}
	for _, tok := range []string{l.links.Approve, l.links.Deny} {
		res, p = b.get("/decide/"+tok, false)
		wantStatus(t, res, http.StatusGone)
		if p.byTestID("decide-link").AttrOr("data-state", "") != "used" {
			t.Errorf("a spent link shows %s", short(p.body))
		}
		res, _ = b.post("/decide/"+tok, url.Values{"reason": {"again"}}, false)
		wantStatus(t, res, http.StatusGone)
	}
}

// Expired, decided elsewhere, not an approver and unknown links each get their own page.
func TestDecisionLinkStates(t *testing.T) {
	l := newLinkEnv(t)
	b := l.browser()
	state := func(path string, status int, want string) {
		t.Helper()
		res, p := b.get(path, false)
		wantStatus(t, res, status)
		if got := p.byTestID("decide-link").AttrOr("data-state", ""); got != want {
			t.Errorf("%s: state %q, want %q", path, got, want)
		}
		if p.byTestID("link-form").Length() != 0 {
			t.Errorf("%s: a link that cannot decide shows the form", path)
		}
	}
	second := l.issue(l.submit("pay", ag.UrgencyLow, nil), "dlv_2", "ana@example.com")
	if _, err := l.gate.Cancel(context.Background(), l.req.ID, l.agent, "", true); err != nil {
		t.Fatal(err)
	}
	state("/decide/"+l.links.Deny, http.StatusConflict, "decided")

	name := "Ana"
	if _, err := l.gate.UpdatePerson(context.Background(), ag.SystemActor, mustPerson(t, l.gate, name).ID, ag.PersonInput{Groups: &[]string{}}); err != nil {
		t.Fatal(err)
	}
	state("/decide/"+second.Approve, http.StatusForbidden, "forbidden")
	l.clock.advance(25 * time.Hour)
	state("/decide/"+second.Approve, http.StatusGone, "expired")

	state("/decide/"+strings.Repeat("x", 43), http.StatusNotFound, "unknown")
	state("/decide/nope", http.StatusNotFound, "unknown")
	state("/decide/"+strings.Repeat("y", 43), http.StatusNotFound, "unknown")
	// Guessing is slowed down like guessing keys: the fourth miss waits.
	res, p := b.get("/decide/"+second.Deny, false)
	wantStatus(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" || p.byTestID("decide-link").AttrOr("data-state", "") != "wait" {
		t.Errorf("backoff page: %v %s", res.Header, short(p.body))
	}
}

func mustPerson(t *testing.T, g *ag.Gate, name string) ag.Person {
	t.Helper()
	for _, p := range g.Directory().All() {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no person %s", name)
	return ag.Person{}
}
