package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

func TestLoginPageHasSecurityHeaders(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	res, p := e.browser().get("/login", false)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "login-form", 1)
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP %q allows inline code", csp)
	}
	if res.Header.Get("X-Frame-Options") != "DENY" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("framing headers: %v", res.Header)
	}
	if p.doc.Find("script:not([src]), style, [style]").Length() != 0 {
		t.Error("page has inline script or style")
	}
}

func TestSignedOutVisitorGoesToLogin(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	res, _ := e.browser().get("/requests?status=pending", false)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/login?next="+url.QueryEscape("/requests?status=pending") {
		t.Errorf("Location = %q", loc)
	}
	res, _ = e.browser().get("/requests", true)
	wantStatus(t, res, http.StatusUnauthorized)
	if res.Header.Get("HX-Redirect") == "" {
		t.Error("htmx request got no HX-Redirect")
	}
}

func TestLoginFailureSaysOneThing(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	var msgs []string
	for _, k := range []string{"agk_" + strings.Repeat("x", 43), "nonsense", e.admin + "x"} {
		res, p := e.browser().post("/login", url.Values{"key": {k}}, false)
		wantStatus(t, res, http.StatusUnauthorized)
		msgs = append(msgs, text(p.must(t, "login-error", 1)))
		e.clock.advance(time.Hour) // stay clear of the backoff
	}
	if msgs[0] != msgs[1] || msgs[1] != msgs[2] || !strings.Contains(msgs[0], "not valid") {
		t.Errorf("messages differ or unclear: %q", msgs)
	}
}

func TestRepeatedLoginFailuresAreSlowed(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	b := e.browser()
	bad := url.Values{"key": {"agk_wrong"}}
	for range 3 {
		res, _ := b.post("/login", bad, false)
		wantStatus(t, res, http.StatusUnauthorized)
	}
	res, p := b.post("/login", url.Values{"key": {e.admin}}, false)
	wantStatus(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" || !strings.Contains(text(p.must(t, "login-error", 1)), "Too many attempts") {
		t.Errorf("refusal lacks Retry-After or message")
	}
	e.clock.advance(2 * time.Second)
	res, _ = b.post("/login", url.Values{"key": {e.admin}}, false)
	wantStatus(t, res, http.StatusSeeOther)
}

func TestKeyWithoutDashboardScopeCannotSignIn(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	agent := e.key("agent", ag.ScopeRequestCreate)
	res, p := e.browser().post("/login", url.Values{"key": {agent}}, false)
	wantStatus(t, res, http.StatusForbidden)
	if !strings.Contains(text(p.must(t, "login-error", 1)), "request:read") {
		t.Error("message does not say which scopes open the dashboard")
	}
}

func TestSessionCookie(t *testing.T) {
	for _, tc := range []struct {
		base, name string
		secure     bool
	}{{"", "agentgate_session", false}, {"https://gate.example.com", "__Host-agentgate_session", true}} {
		e := newWebEnv(t, envOptions{baseURL: tc.base})
		res, _ := e.browser().post("/login", url.Values{"key": {e.admin}}, false)
		var c *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == tc.name {
				c = ck
			}
		}
		if c == nil {
			t.Fatalf("base %q: no %s cookie in %v", tc.base, tc.name, res.Header["Set-Cookie"])
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != tc.secure || c.Path != "/" || c.Domain != "" {
			t.Errorf("base %q: cookie %+v", tc.base, c)
		}
		if strings.Contains(c.Value, e.admin) {
			t.Error("cookie holds the API key")
		}
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	b := e.login(e.admin)
	u, _ := url.Parse(e.srv.URL)
	saved := b.client.Jar.Cookies(u)
	res, _ := b.post("/logout", nil, false)
	wantStatus(t, res, http.StatusSeeOther)
	// Replaying the old cookie must not work: the session row is ended, not just the cookie.
	replay := e.browser()
	replay.client.Jar.SetCookies(u, saved)
	res, _ = replay.get("/", false)
	wantStatus(t, res, http.StatusSeeOther)
	evs, _, err := e.gate.Audit(context.Background(), ag.AuditFilter{EventType: ag.EventLogout})
	if err != nil || len(evs) != 1 || evs[0].Actor != "ops-admin" {
		t.Errorf("logout audit = %+v, %v", evs, err)
	}
}

func TestRevokingTheKeyEndsItsSessions(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	secret := e.key("alice", ag.ScopeRequestRead)
	b := e.login(secret)
	res, _ := b.get("/", false)
	wantStatus(t, res, http.StatusOK)
	k, err := e.gate.Authenticate(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.gate.RevokeKey(context.Background(), ag.SystemActor, k.ID); err != nil {
		t.Fatal(err)
	}
	res, _ = b.get("/", false)
	wantStatus(t, res, http.StatusSeeOther)
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	r := e.submit("send_email", ag.UrgencyHigh, nil)
	b := e.login(e.admin)
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/requests/"+r.ID+"/decide",
			strings.NewReader(url.Values{"decision": {"approved"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		res, _ := b.do(req, false)
		wantStatus(t, res, http.StatusForbidden)
	}
	got, _ := e.gate.Get(context.Background(), r.ID)
	if got.Status != ag.StatusPending {
		t.Fatalf("cross-origin POST decided the request: %s", got.Status)
	}
}

func TestSessionSecretSurvivesRestart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, store *db.Store) {
		ctx := context.Background()
		a, err := ag.NewGate(store, ag.Options{}).SessionSecret(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		// A restart: a new Gate on the same database loads the secret the first one stored.
		b, err := ag.NewGate(store, ag.Options{}).SessionSecret(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if string(a) != string(b) || len(a) < 32 {
			t.Errorf("secret not stable: %q vs %q", a, b)
		}
		if c, _ := ag.NewGate(store, ag.Options{}).SessionSecret(ctx, "configured-secret"); string(c) != "configured-secret" {
			t.Error("configured secret ignored")
		}
	})
}
