package handlers_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	ag "github.com/agentgate/agentgate"
)

func TestAuditPageAndExports(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	for range 3 {
		e.submit("send_email", ag.UrgencyNormal, map[string]any{"to": "=cmd|calc"})
	}
	e.submit("deploy_service", ag.UrgencyHigh, nil)
	b := e.login(e.admin)

	res, p := b.get("/audit", false)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "audit-filters", 1)
	p.must(t, "audit-row", -1)
	if p.doc.Find(`#a-actions option[value="send_email"]`).Length() != 1 {
		t.Error("action filter does not offer send_email")
	}
	res, p = b.get("/audit?action=send_email&eventType=request.created", true)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "audit-row", 3)
	if got := p.must(t, "owasp", 3).First(); got.Text() != "LLM06:2025" || got.AttrOr("title", "") != ag.DefaultOWASP {
		t.Errorf("OWASP tag shown as %q (title %q)", got.Text(), got.AttrOr("title", ""))
	}
	if p.byTestID("audit-filters").Length() != 0 {
		t.Error("fragment carries the filters")
	}
	if got := text(p.must(t, "pager-summary", 1)); got != "1–3 of 3 events" {
		t.Errorf("pager summary %q", got)
	}

	_, full := b.get("/audit?action=send_email", false)
	csvHref, _ := full.must(t, "export-csv", 1).Attr("href")
	if csvHref != "/audit/export.csv?action=send_email" {
		t.Errorf("CSV link %q", csvHref)
	}
	res, p = b.get(csvHref, false)
	wantStatus(t, res, http.StatusOK)
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("CSV headers %v", res.Header)
	}
	recs, err := csv.NewReader(strings.NewReader(p.body)).ReadAll()
	if err != nil || len(recs) != 4 || recs[0][2] != "eventType" {
		t.Fatalf("CSV rows %d (%v): %q", len(recs), err, p.body)
	}
	res, p = b.get("/audit/export.json?eventType=request.created", false)
	wantStatus(t, res, http.StatusOK)
	var out struct{ Entries []ag.AuditEvent }
	if err := json.Unmarshal([]byte(p.body), &out); err != nil || len(out.Entries) != 4 {
		t.Errorf("JSON export: %d entries, %v", len(out.Entries), err)
	}
}

func TestPolicyPages(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	e.submit("send_email", ag.UrgencyNormal, map[string]any{"to": "a@example.com"})
	e.clock.advance(time.Minute)
	b := e.login(e.admin)

	res, p := b.get("/policies", false)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "empty", 1)
	_, p = b.get("/policies/new", false)
	p.must(t, "rules-editor", 1)

	form := url.Values{"name": {"Mail"}, "priority": {"10"}, "enabled": {"true"}, "rules": {`[{"match": {"action": "send_email"`}}
	res, p = b.post("/policies", form, false)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := text(p.must(t, "rules-check", 1)); !strings.Contains(got, "ends too early") {
		t.Errorf("rules check %q", got)
	}
	if v := p.byTestID("rules-editor").Text(); v != form.Get("rules") {
		t.Errorf("editor lost the text: %q", v)
	}
	// Text PostgreSQL cannot store is refused as a mistake in the rules, not a server error.
	res, _ = b.post("/policies", url.Values{"name": {"Nul"}, "priority": {"1"}, "rules": {`[{"match": {"params.to": "a\u0000b"}, "decision": "auto_deny"}]`}}, false)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	_, p = b.post("/policies/validate", url.Values{"rules": {`[{"match": {"action": {"$regex": "("}}, "decision": "auto_deny"}]`}}, true)
	if got := text(p.must(t, "rules-check", 1)); !strings.Contains(got, "rules[0]") {
		t.Errorf("live check %q", got)
	}

	form.Set("rules", `[{"match": {"action": "send_email"}, "decision": "auto_approve"}]`)
	_, p = b.post("/policies/simulate", url.Values{"name": {""}, "priority": {"1"}, "rules": {form.Get("rules")}, "range": {"24h"}}, true)
	if got := text(p.must(t, "sim-changed", 1)); got != "1 request" {
		t.Errorf("simulation changed %q", got)
	}
	res, _ = b.post("/policies", form, false)
	wantStatus(t, res, http.StatusSeeOther)
	id := strings.TrimPrefix(res.Header.Get("Location"), "/policies/")

	_, p = b.get("/policies/"+id, false)
	p.must(t, "dry-run-form", 1)
	_, p = b.post("/policies/"+id+"/dry-run", url.Values{"action": {"send_email"}, "urgency": {"high"}, "params": {`{"to": "x"}`}}, true)
	if got := text(p.must(t, "dry-run-result", 1)); !strings.Contains(got, "Auto-approve") {
		t.Errorf("dry run %q", got)
	}
	_, p = b.post("/policies/"+id+"/dry-run", url.Values{"action": {"send_email"}, "params": {`[1]`}}, true)
	if got := text(p.must(t, "dry-run-result", 1)); !strings.Contains(got, "params") {
		t.Errorf("dry run error %q", got)
	}

	res, p = b.post("/policies/"+id+"/enabled", url.Values{"enabled": {"false"}}, true)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "policy-enable", 1)
	p.must(t, "notice", 1)
	if pol, _ := e.gate.Policy(context.Background(), id); pol.Enabled {
		t.Error("policy still enabled")
	}
	res, p = b.post("/policies/"+id+"/delete", nil, true)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "empty", 1)

	reader := e.login(e.key("reader", ag.ScopePolicyRead, ag.ScopeRequestRead))
	_, p = reader.get("/policies", false)
	if p.byTestID("new-policy").Length() != 0 {
		t.Error("read-only key offered New policy")
	}
	res, _ = reader.post("/policies", form, false)
	wantStatus(t, res, http.StatusForbidden)
}

func TestKeyPages(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	b := e.login(e.admin)
	res, p := b.get("/settings/api-keys", false)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "key-row", 1)
	p.must(t, "key-form", 1)

	res, p = b.post("/settings/api-keys", url.Values{"name": {"approver"}, "scopes": {"request:read", "request:decide"},
		"limit": {"limited"}, "rateLimit": {"120"}}, true)
	wantStatus(t, res, http.StatusCreated)
	secret, _ := p.must(t, "created-secret", 1).Attr("value")
	if !strings.HasPrefix(secret, ag.KeyPrefix) || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("secret %q, cache %q", secret, res.Header.Get("Cache-Control"))
	}
	p.must(t, "key-row", 2)
	k, err := e.gate.Authenticate(context.Background(), secret)
	if err != nil || *k.RateLimit != 120 || len(k.Scopes) != 2 {
		t.Fatalf("created key %+v, %v", k, err)
	}
	_, p = b.post("/settings/api-keys", url.Values{"name": {"x"}, "limit": {"unlimited"}}, true)
	if got := text(p.must(t, "key-error", 1)); !strings.Contains(got, "scopes") {
		t.Errorf("error %q", got)
	}

	_, p = b.get("/settings/api-keys/"+k.ID, false)
	p.must(t, "key-usage", 1)
	res, _ = b.post("/settings/api-keys/"+k.ID, url.Values{"name": {"approver-2"}, "scopes": {"request:read"}, "limit": {"unlimited"}}, false)
	wantStatus(t, res, http.StatusSeeOther)
	if k, _ = e.gate.Key(context.Background(), k.ID); k.Name != "approver-2" || k.RateLimit != nil {
		t.Errorf("updated key %+v", k)
	}

	res, p = b.post("/settings/api-keys/"+k.ID+"/revoke", nil, true)
	wantStatus(t, res, http.StatusOK)
	p.must(t, "notice", 1)
	if _, err := e.gate.Authenticate(context.Background(), secret); err == nil {
		t.Error("revoked key still works")
	}
	self, _ := e.gate.Authenticate(context.Background(), e.admin)
	res, _ = b.post("/settings/api-keys/"+self.ID+"/revoke", nil, true)
	if res.Header.Get("HX-Redirect") != "/login" {
		t.Errorf("revoking your own key: HX-Redirect %q", res.Header.Get("HX-Redirect"))
	}
}

func TestStaticAssetsAreCacheBusted(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	b := e.login(e.admin)
	_, p := b.get("/", false)
	css, _ := p.doc.Find(`link[rel="stylesheet"]`).Attr("href")
	js, _ := p.doc.Find(`script[src*="htmx"]`).Attr("src")
	if !strings.Contains(css, "?v=") || !strings.Contains(js, "htmx-2.0.11") {
		t.Fatalf("asset URLs %q %q", css, js)
	}
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+css, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("asset headers %v", res.Header)
	}
	p.doc.Find(`link[href], script[src]`).Each(func(_ int, s *goquery.Selection) {
		u := s.AttrOr("href", s.AttrOr("src", ""))
		if res, _ := b.get(u, false); !strings.HasPrefix(u, "/static/") || res.StatusCode != http.StatusOK {
			t.Errorf("asset %q: %d", u, res.StatusCode)
		}
	})
	res, _ = b.get(strings.Split(css, "?")[0]+"?v=old", false)
	if res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale hash cached: %q", res.Header.Get("Cache-Control"))
	}
	res, _ = b.get("/static/nope.js", false)
	wantStatus(t, res, http.StatusNotFound)
}
