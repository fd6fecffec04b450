package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	ag "github.com/agentgate/agentgate"
)

// TestDashboardDecisionsFollowTheKeysRateLimit: decisions made in the dashboard count
// against the signed-in key's rate limit exactly as API calls do, and the refusal says so
// on the page (or in the toast, for htmx), with Retry-After.
func TestDashboardDecisionsFollowTheKeysRateLimit(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	name, limit := "slow-approver", 2
	_, secret, err := e.gate.CreateKey(context.Background(), ag.SystemActor, ag.KeyInput{Name: &name,
		Scopes: []ag.Scope{ag.ScopeRequestRead, ag.ScopeRequestDecide}, RateLimit: ag.NullInt{Set: true, Value: &limit}})
	if err != nil {
		t.Fatal(err)
	}
	b := e.login(secret)
	decide := func(hx bool) (*http.Response, *page, *ag.Request) {
		r := e.submit("deploy", ag.UrgencyHigh, nil)
		res, p := b.post("/requests/"+r.ID+"/decide", url.Values{"decision": {"approved"}}, hx)
		return res, p, r
	}
	for range limit {
		if res, _, _ := decide(false); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a decision within the limit: status %d", res.StatusCode)
		}
	}

	res, p, r := decide(false)
	wantStatus(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" || res.Header.Get("X-RateLimit-Limit") != "2" {
		t.Errorf("headers Retry-After %q, X-RateLimit-Limit %q", res.Header.Get("Retry-After"), res.Header.Get("X-RateLimit-Limit"))
	}
	if msg := text(p.must(t, "error-page", 1)); !strings.Contains(msg, "rate limit of 2 requests per minute") {
		t.Errorf("the page says %q", msg)
	}
	if got, err := e.gate.Get(context.Background(), r.ID); err != nil || got.Status != ag.StatusPending {
		t.Fatalf("the refused decision was recorded: %v %v", got.Status, err)
	}

	res, p, _ = decide(true)
	wantStatus(t, res, http.StatusTooManyRequests)
	if msg := text(p.must(t, "error-toast", 1)); !strings.Contains(msg, "rate limit") {
		t.Errorf("the toast says %q", msg)
	}

	// One window for the key, whichever surface it is used through.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/requests", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	api, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	api.Body.Close()
	wantStatus(t, api, http.StatusTooManyRequests)
}
