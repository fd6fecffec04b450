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

func TestOverviewPageAndFragment(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	e.submit("transfer_funds", ag.UrgencyCritical, map[string]any{"amount": 1200})
	e.clock.advance(10 * time.Minute)
	e.submit("send_email", ag.UrgencyHigh, nil)
	e.submit("send_email", ag.UrgencyHigh, nil)
	done := e.submit("delete_file", ag.UrgencyLow, nil)
	e.clock.advance(time.Minute) // a person decides after the request arrives
	if _, err := e.gate.Decide(context.Background(), done.ID, ag.Decide{Decision: ag.DecisionDenied, Actor: ag.Actor{Name: "bob"}}); err != nil {
		t.Fatal(err)
	}
	b := e.login(e.admin)

	res, p := b.get("/", false)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "nav", 1)
	if got := text(p.must(t, "identity-name", 1)); got != "ops-admin" {
		t.Errorf("identity = %q", got)
	}
	if got := text(p.must(t, "identity-scopes", 1)); got != "admin" {
		t.Errorf("scopes = %q", got)
	}
	for id, want := range map[string]string{"pending-total": "3", "pending-critical": "1", "pending-high": "2", "pending-low": "0"} {
		if got := text(p.must(t, id, 1)); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %s", id, got, want)
		}
	}
	if got := text(p.must(t, "oldest-wait", 1)); got != "11 min" {
		t.Errorf("oldest waited %q", got)
	}
	if p.must(t, "urgent-row", 3).First().Find(`[data-testid="urgency"]`).Text() == "" {
		t.Error("urgent rows lack urgency")
	}
	p.must(t, "recent-row", 1)
	if p.doc.Find(`nav [aria-current="page"]`).Text() != "Overview" {
		t.Error("nav does not mark Overview as current")
	}

	res, p = b.get("/", true)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "overview", 1)
	if p.byTestID("nav").Length() != 0 || strings.Contains(p.body, "<html") {
		t.Error("htmx fragment carries the page around it")
	}
	if res.Header.Get("Vary") == "" {
		t.Error("response does not vary on HX-Request")
	}
}

func TestRequestsTabsFiltersAndPages(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	for i := range 30 {
		u := ag.UrgencyNormal
		if i%3 == 0 {
			u = ag.UrgencyHigh
		}
		e.submit("send_email", u, map[string]any{"to": "ops@example.com", "n": i})
		e.clock.advance(time.Minute)
	}
	e.submit("deploy_service", ag.UrgencyCritical, nil)
	b := e.login(e.admin)

	res, p := b.get("/requests", false)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "request-filters", 1)
	p.must(t, "request-row", 25)
	if got := text(p.must(t, "tab-pending-count", 1)); got != "31" {
		t.Errorf("pending count %q", got)
	}
	if got := text(p.must(t, "pager-summary", 1)); got != "1–25 of 31 requests" {
		t.Errorf("pager %q", got)
	}
	next, _ := p.byTestID("pager-next").Parent().Attr("href")
	res, p = b.get(next, false)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "request-row", 6)

	res, p = b.get("/requests?status=pending&urgency=high&sort=oldest", true)
	wantStatus(t, res, http.StatusOK)
	rows := p.must(t, "request-row", 10)
	p.must(t, "skeleton", 1) // shown by CSS only while the next swap loads
	if strings.Contains(p.body, "<html") || p.byTestID("request-filters").Length() != 0 {
		t.Error("fragment carries the page")
	}
	if v, ok := p.doc.Find(`#f-status[hx-swap-oob]`).Attr("value"); !ok || v != "" {
		t.Errorf("out-of-band status field = %q, want empty: pending is the default", v)
	}
	if cur, _ := p.doc.Find(`[data-testid="tab-pending"]`).Attr("aria-current"); cur != "page" {
		t.Error("Pending tab not current")
	}
	first, _ := rows.First().Attr("data-row-id")
	last, _ := rows.Last().Attr("data-row-id")
	if first > last {
		t.Error("sort=oldest is not oldest first")
	}

	_, p = b.get("/requests?q=DEPLOY", false)
	p.must(t, "request-row", 1)
	_, p = b.get("/requests?q=ops@EXAMPLE", false) // params are searched too
	p.must(t, "request-row", 25)
	if got := text(p.must(t, "tab-pending-count", 1)); got != "30" {
		t.Errorf("pending count under a search %q, want the 30 that match it", got)
	}
	_, p = b.get("/requests?status=denied", false)
	p.must(t, "empty", 1)
	res, _ = b.get("/requests?urgency=extreme", false)
	wantStatus(t, res, http.StatusBadRequest)
}

func TestRequestDetailAndDecision(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	r := e.submit("transfer_funds", ag.UrgencyCritical, map[string]any{"amount": 1200, "to": "ACME Ltd"})
	b := e.login(e.admin)

	res, p := b.get("/requests/"+r.ID, false)
	wantStatus(t, res, http.StatusOK)
	var params map[string]any
	whole, _ := p.must(t, "params", 1).Find(".card-head [data-copy-text]").Attr("data-copy-text")
	if err := json.Unmarshal([]byte(whole), &params); err != nil || params["to"] != "ACME Ltd" {
		t.Errorf("params copied as %q (%v)", whole, err)
	}
	if leaf := p.byTestID("params").Find(".tree-leaf").First(); text(leaf.Find(".tree-key")) != "amount:" || text(leaf.Find(".tree-value")) != "1200" {
		t.Errorf("first param reads %q", text(leaf))
	}
	p.must(t, "timeline", 1)
	p.must(t, "audit-trail", 1)
	p.must(t, "approve", 1)
	if d := p.must(t, "approved-dialog", 1); d.Is("dialog") == false {
		t.Error("approve dialog is not a <dialog>")
	}
	if _, req := p.byTestID("approved-reason").Attr("required"); req {
		t.Error("reason required without a rule asking for it")
	}

	res, p = b.post("/requests/"+r.ID+"/decide", url.Values{"decision": {"approved"}, "reason": {"invoice checked"}}, true)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "request", 1)
	p.must(t, "notice", 1)
	if text(p.must(t, "status", 1)) != "Approved" || text(p.must(t, "decided-by", 1)) != "ops-admin" {
		t.Errorf("after deciding: %s", text(p.byTestID("facts")))
	}
	if p.byTestID("approve").Length() != 0 {
		t.Error("a decided request still offers Approve")
	}
	if !strings.Contains(text(p.must(t, "audit-trail", 1)), "ops-admin") {
		t.Error("audit trail lacks the decision")
	}

	// Decided meanwhile by someone else: the page explains, it is not an error page.
	r2 := e.submit("send_email", ag.UrgencyNormal, nil)
	if _, err := e.gate.Decide(context.Background(), r2.ID, ag.Decide{Decision: ag.DecisionDenied, Actor: ag.Actor{Name: "carol"}}); err != nil {
		t.Fatal(err)
	}
	res, p = b.post("/requests/"+r2.ID+"/decide", url.Values{"decision": {"approved"}}, true)
	wantStatus(t, res, http.StatusOK)
	if got := text(p.must(t, "decide-error", 1)); !strings.Contains(got, "denied by carol") {
		t.Errorf("decided-elsewhere message %q", got)
	}

	// Without htmx, a decision redirects back to the request.
	r3 := e.submit("send_email", ag.UrgencyNormal, nil)
	res, _ = b.post("/requests/"+r3.ID+"/decide", url.Values{"decision": {"denied"}}, false)
	wantStatus(t, res, http.StatusSeeOther)

	res, p = b.get("/requests/req_missing", false)
	wantStatus(t, res, http.StatusNotFound)
	p.must(t, "error-page", 1)
	res, p = b.get("/requests/req_missing", true)
	wantStatus(t, res, http.StatusNotFound)
	p.must(t, "error-toast", 1)
}

func TestReasonRequiredByTheRule(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	_, err := e.gate.CreatePolicy(context.Background(), ag.SystemActor, ag.Policy{Name: "money", Priority: 1, Enabled: true,
		Rules: []ag.Rule{{Match: map[string]json.RawMessage{"action": json.RawMessage(`"transfer_funds"`)}, Decision: ag.RouteToHuman, RequireReason: true}}})
	if err != nil {
		t.Fatal(err)
	}
	r := e.submit("transfer_funds", ag.UrgencyHigh, nil)
	b := e.login(e.admin)
	_, p := b.get("/requests/"+r.ID, false)
	if _, req := p.must(t, "denied-reason", 1).Attr("required"); !req {
		t.Error("reason field not required")
	}
	res, p := b.post("/requests/"+r.ID+"/decide", url.Values{"decision": {"denied"}}, true)
	wantStatus(t, res, http.StatusOK)
	if got := text(p.must(t, "decide-error", 1)); !strings.Contains(got, "reason") {
		t.Errorf("error %q", got)
	}
}

func TestScopesHideAndRefuse(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	r := e.submit("delete_file", ag.UrgencyHigh, nil)
	b := e.login(e.key("viewer", ag.ScopeRequestRead))
	_, p := b.get("/", false)
	nav := text(p.must(t, "nav", 1))
	for _, hidden := range []string{"Audit", "Policies", "API keys"} {
		if strings.Contains(nav, hidden) {
			t.Errorf("nav offers %s: %q", hidden, nav)
		}
	}
	_, p = b.get("/requests/"+r.ID, false)
	if p.byTestID("approve").Length() != 0 || p.byTestID("approved-dialog").Length() != 0 {
		t.Error("a key without request:decide is offered Approve")
	}
	res, _ := b.post("/requests/"+r.ID+"/decide", url.Values{"decision": {"approved"}}, false)
	wantStatus(t, res, http.StatusForbidden)
	for _, path := range []string{"/audit", "/policies", "/settings/api-keys", "/audit/export.csv"} {
		res, p := b.get(path, false)
		wantStatus(t, res, http.StatusForbidden)
		p.must(t, "error-page", 1)
	}

	auditor := e.login(e.key("auditor", ag.ScopeAuditRead))
	res, _ = auditor.get("/", false)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/audit" {
		t.Errorf("auditor's home = %q", loc)
	}
}
