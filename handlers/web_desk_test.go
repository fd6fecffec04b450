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

// policy creates an enabled policy with the rules, given as JSON.
func (e *webEnv) policy(name string, priority int, rules string) {
	e.t.Helper()
	var rs []ag.Rule
	if err := json.Unmarshal([]byte(rules), &rs); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.gate.CreatePolicy(context.Background(), ag.SystemActor, ag.Policy{Name: name, Priority: priority, Enabled: true, Rules: rs}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *webEnv) decide(id, decision, by string) {
	e.t.Helper()
	if _, err := e.gate.Decide(context.Background(), id, ag.Decide{Decision: decision, Actor: ag.Actor{Name: by}}); err != nil {
		e.t.Fatal(err)
	}
}

func TestQueueOpensOnPendingWithTimeLeft(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	waiting := e.submit("deploy", ag.UrgencyHigh, map[string]any{"env": "prod"})
	e.decide(e.submit("deploy", ag.UrgencyHigh, map[string]any{"env": "staging"}).ID, ag.DecisionApproved, "bob")
	b := e.login(e.admin)

	_, p := b.get("/requests", false)
	row := p.must(t, "request-row", 1)
	if row.AttrOr("data-row-id", "") != waiting.ID || p.byTestID("tab-pending").AttrOr("aria-current", "") != "page" {
		t.Errorf("the queue opens on %s, tab %q", row.AttrOr("data-row-id", ""), p.byTestID("tab-pending").AttrOr("aria-current", ""))
	}
	if left := row.Find("time[data-expires]"); text(left) != "in 2 h" || !left.HasClass("exp-ok") {
		t.Errorf("time left %q (%s)", text(left), left.AttrOr("class", ""))
	}
	e.clock.advance(2*time.Hour - 10*time.Minute)
	_, p = b.get("/requests?sort=expiring", false)
	if left := p.must(t, "request-row", 1).Find("time[data-expires]"); text(left) != "in 10 min" || !left.HasClass("exp-urgent") {
		t.Errorf("ten minutes left reads %q (%s)", text(left), left.AttrOr("class", ""))
	}
	_, p = b.get("/requests?status=all", false)
	p.must(t, "request-row", 2)
	if p.byTestID("tab-all").AttrOr("aria-current", "") != "page" {
		t.Error("the All tab is not the current one")
	}
}

// TestOnlyOfferWhatThePersonMayDo: a key outside the rule's approvers is not offered
// Approve or Deny, sees who may decide, and the queue neither marks the request as needing
// its vote nor lets it pick the request; a voter of a quorum sees where the quorum stands.
func TestOnlyOfferWhatThePersonMayDo(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	e.policy("money", 10, `[{"match": {"action": "pay_invoice"}, "decision": "route_to_human", "approvers": ["finance-approver", "cfo"]},
		{"match": {"action": "update_config"}, "decision": "route_to_human", "requiredApprovals": 2, "approvers": ["ops-admin", "cfo"]}]`)
	pay := e.submit("pay_invoice", ag.UrgencyHigh, map[string]any{"amount": 1250})
	config := e.submit("update_config", ag.UrgencyNormal, nil)
	b := e.login(e.admin)

	_, p := b.get("/requests/"+pay.ID, false)
	if p.byTestID("approve").Length() != 0 || p.byTestID("approved-dialog").Length() != 0 || p.byTestID("deny").Length() != 0 {
		t.Error("a key outside the approvers is offered a decision")
	}
	if got := text(p.must(t, "cannot-decide", 1)); got != "Only finance-approver and cfo may decide this request." {
		t.Errorf("the page says %q", got)
	}

	_, p = b.get("/requests", false)
	for _, r := range p.byTestID("request-row").EachIter() {
		mine := r.Find(`[data-testid="needs-you"]`).Length() == 1
		picks := r.Find(`[data-testid="pick"]`).Length() == 1
		if want := r.AttrOr("data-row-id", "") == config.ID; mine != want || picks != want {
			t.Errorf("row %s: needs your vote %v, pickable %v; want %v", r.AttrOr("data-row-id", ""), mine, picks, want)
		}
	}
	if got := text(p.must(t, "quorum", 1)); got != "0 of 2 — waiting on ops-admin, cfo" {
		t.Errorf("quorum %q", got)
	}

	res, p := b.post("/requests/"+config.ID+"/decide", url.Values{"decision": {"approved"}}, true)
	wantStatus(t, res, http.StatusOK)
	_, p = b.get("/requests/"+config.ID, false)
	if p.byTestID("approve").Length() != 0 || !strings.Contains(text(p.must(t, "cannot-decide", 1)), "already voted approved") {
		t.Error("a voter of a quorum is offered a second vote")
	}
	if got := text(p.must(t, "approvals", 1)); got != "1 of 2 — waiting on cfo" {
		t.Errorf("approvals %q", got)
	}
}

// TestDecidingMovesOnToTheNextRequest: after a decision the next request waiting for the
// key opens, in the order of the queue it came from, with a note on the one decided.
func TestDecidingMovesOnToTheNextRequest(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	e.policy("money", 10, `[{"match": {"action": "pay_invoice"}, "decision": "route_to_human", "approvers": ["cfo"]}]`)
	first := e.submit("deploy", ag.UrgencyCritical, nil)
	e.clock.advance(time.Second)
	e.submit("pay_invoice", ag.UrgencyCritical, nil) // not the admin's to decide: skipped
	e.clock.advance(time.Second)
	second := e.submit("send_email", ag.UrgencyLow, nil)
	e.clock.advance(time.Second)
	newest := e.submit("deploy", ag.UrgencyLow, nil)
	b := e.login(e.admin)

	res, p := b.post("/requests/"+first.ID+"/decide", url.Values{"decision": {"approved"}, "queue": {"sort=urgency"}}, true)
	wantStatus(t, res, http.StatusOK)
	if got := p.must(t, "request", 1).AttrOr("data-live-id", ""); got != second.ID {
		t.Fatalf("moved on to %s, want %s (most urgent next that the key may decide)", got, second.ID)
	}
	if res.Header.Get("HX-Push-Url") != "/requests/"+second.ID {
		t.Errorf("address bar told %q", res.Header.Get("HX-Push-Url"))
	}
	if got := text(p.must(t, "advanced", 1)); !strings.HasPrefix(got, "Approved deploy") {
		t.Errorf("note %q", got)
	}
	if href := p.must(t, "teach", 1).AttrOr("href", ""); href != "/requests/"+first.ID+"/teach" {
		t.Errorf("teach link %q", href)
	}

	// Newest first, the next is the newest: the order is the queue's.
	res, p = b.post("/requests/"+second.ID+"/decide", url.Values{"decision": {"denied"}, "queue": {"sort=newest&urgency=low"}}, true)
	wantStatus(t, res, http.StatusOK)
	if got := p.must(t, "request", 1).AttrOr("data-live-id", ""); got != newest.ID || p.byTestID("teach").Length() != 0 {
		t.Errorf("moved on to %s (teach offered: %v), want %s", got, p.byTestID("teach").Length() > 0, newest.ID)
	}

	// The last one: the page stays on it and says nothing else waits.
	_, p = b.post("/requests/"+newest.ID+"/decide", url.Values{"decision": {"approved"}}, true)
	if got := p.must(t, "request", 1).AttrOr("data-live-id", ""); got != newest.ID || !strings.Contains(text(p.must(t, "notice", 1)), "Nothing else is waiting") {
		t.Errorf("after the last: %s, %q", got, text(p.byTestID("notice")))
	}
	if href := p.must(t, "teach", 1).AttrOr("href", ""); href != "/requests/"+newest.ID+"/teach" {
		t.Errorf("the approved request offers to teach %q", href)
	}
	viewer := e.login(e.key("approver", ag.ScopeRequestRead, ag.ScopeRequestDecide))
	if _, p = viewer.get("/requests/"+newest.ID, false); p.byTestID("teach").Length() != 0 {
		t.Error("a key that cannot write policies is offered to teach")
	}
}

// TestRefusedDecisionKeepsTheReason: a decision refused for something the person can fix
// comes back with its dialog open and the reason as typed.
func TestRefusedDecisionKeepsTheReason(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	e.policy("money", 10, `[{"match": {"action": "transfer_funds"}, "decision": "route_to_human", "requireReason": true}]`)
	r := e.submit("transfer_funds", ag.UrgencyHigh, nil)
	b := e.login(e.admin)
	_, p := b.post("/requests/"+r.ID+"/decide", url.Values{"decision": {"denied"}, "reason": {"   "}}, true)
	d := p.must(t, "denied-dialog", 1)
	if _, open := d.Attr("data-open-now"); !open || !strings.Contains(text(p.must(t, "denied-error", 1)), "reason") {
		t.Errorf("the dialog does not open again with the refusal: %s", text(d))
	}
	_, p = b.post("/requests/"+r.ID+"/decide", url.Values{"decision": {"denied"}, "reason": {strings.Repeat("x", 2001)}}, true)
	if got := p.must(t, "denied-reason", 1).Text(); got != strings.Repeat("x", 2001) {
		t.Errorf("the reason came back %d characters long", len(got))
	}
}

// TestBatchDecision: several requests decided with one reason, each through the gate; one
// decided elsewhere meanwhile is reported as it stands.
func TestBatchDecision(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	a := e.submit("deploy", ag.UrgencyHigh, nil)
	lost := e.submit("deploy", ag.UrgencyHigh, nil)
	c := e.submit("deploy", ag.UrgencyHigh, nil)
	left := e.submit("deploy", ag.UrgencyHigh, nil)
	b := e.login(e.admin)
	_, p := b.get("/requests", false)
	p.must(t, "pick", 4)
	p.must(t, "batch-approved-dialog", 1)
	e.decide(lost.ID, ag.DecisionDenied, "carol")

	res, p := b.post("/requests/decide", url.Values{"id": {a.ID, lost.ID, c.ID}, "decision": {"approved"}, "reason": {"release 42"}}, true)
	wantStatus(t, res, http.StatusOK)
	if got := text(p.must(t, "batch-results", 1).Find(".card-title")); got != "2 approved, 1 not recorded" {
		t.Errorf("batch summary %q", got)
	}
	for _, r := range p.byTestID("batch-result").EachIter() {
		refused := r.HasClass("is-refused")
		if want := r.AttrOr("data-result-id", "") == lost.ID; refused != want {
			t.Errorf("result %s refused %v", r.AttrOr("data-result-id", ""), refused)
		}
		if refused && !strings.Contains(text(r), "already denied by carol meanwhile") {
			t.Errorf("the lost race reads %q", text(r))
		}
	}
	if rows := p.must(t, "request-row", 1); rows.AttrOr("data-row-id", "") != left.ID {
		t.Error("the queue after the batch does not show what is left")
	}
	for _, id := range []string{a.ID, c.ID} {
		if r, _ := e.gate.Get(context.Background(), id); r.Status != ag.StatusApproved || r.DecisionReason != "release 42" || r.DecidedBy != "ops-admin" {
			t.Errorf("%s: %s by %s (%q)", id, r.Status, r.DecidedBy, r.DecisionReason)
		}
	}
	viewer := e.login(e.key("viewer", ag.ScopeRequestRead))
	res, _ = viewer.post("/requests/decide", url.Values{"id": {left.ID}, "decision": {"approved"}}, false)
	wantStatus(t, res, http.StatusForbidden)
}

// TestTeachOpensTheEditorOnADraft: "always approve requests like this" drafts a rule and
// replays it, saving nothing; it needs policy:write.
func TestTeachOpensTheEditorOnADraft(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	e.policy("deploys", 20, `[{"match": {"action": "deploy"}, "decision": "route_to_human"}]`)
	for range 3 {
		e.submit("deploy", ag.UrgencyNormal, map[string]any{"env": "staging", "service": "api"})
	}
	r := e.submit("deploy", ag.UrgencyNormal, map[string]any{"env": "staging", "service": "api"})
	e.clock.advance(time.Minute)
	e.decide(r.ID, ag.DecisionApproved, "ops-admin")
	b := e.login(e.admin)
	res, p := b.get("/requests/"+r.ID+"/teach", false)
	wantStatus(t, res, http.StatusOK)
	if got := text(p.must(t, "teach-sim", 1)); got != "It would have auto-approved 3 other requests in the last 30 days." {
		t.Errorf("simulation says %q", got)
	}
	p.must(t, "sim-result", 1)
	var rules []ag.Rule
	if err := json.Unmarshal([]byte(p.must(t, "rules-editor", 1).Text()), &rules); err != nil || len(rules) != 1 ||
		string(rules[0].Match["params.env"]) != `"staging"` || rules[0].Decision != ag.AutoApprove {
		t.Errorf("drafted rules %+v (%v)", rules, err)
	}
	if pr := p.doc.Find("#p-priority").AttrOr("value", ""); pr != "19" {
		t.Errorf("priority %s, want 19: just before the routing policy", pr)
	}
	if action := p.must(t, "policy-form", 1).AttrOr("action", ""); action != "/policies" {
		t.Errorf("the form saves to %q", action)
	}
	if ps, _ := e.gate.Policies(context.Background()); len(ps) != 1 {
		t.Errorf("teaching saved a policy: %d", len(ps))
	}
	approver := e.login(e.key("approver", ag.ScopeRequestRead, ag.ScopeRequestDecide))
	res, _ = approver.get("/requests/"+r.ID+"/teach", false)
	wantStatus(t, res, http.StatusForbidden)
}

// TestReadWhatYouApprove: hidden characters are marked and flagged on the request page, in
// its dialog, in the queue and in the audit log; an empty context gets no card; the default
// OWASP tag and a quorum of one say nothing and are not shown.
func TestReadWhatYouApprove(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	r := e.submit("send_file", ag.UrgencyNormal, map[string]any{"file": "invoice_2026_\u202efdp.exe", "to": "payroll@acme.com\u200b.attacker.io"})
	plain := e.submit("send_file", ag.UrgencyNormal, map[string]any{"file": "report.pdf"})
	b := e.login(e.admin)

	_, p := b.get("/requests/"+r.ID, false)
	p.must(t, "hidden-warning", 1)
	p.must(t, "approved-hidden-warning", 1)
	if got := text(p.must(t, "params", 1).Find(".tree-leaf").First().Find(".tree-value")); got != "invoice_2026_⟨U+202E⟩fdp.exe" {
		t.Errorf("the file name reads %q", got)
	}
	if got := p.byTestID("params").Find(".tree-leaf").First().Find("[data-copy-text]").AttrOr("data-copy-text", ""); got != "invoice_2026_\u202efdp.exe" {
		t.Errorf("the copy button copies %q, not the value as sent", got)
	}
	if strings.ContainsAny(p.doc.Find("body").Text(), "\u202e\u200b") {
		t.Error("the page's text carries the hidden characters themselves")
	}
	if p.byTestID("context").Length() != 0 || p.byTestID("owasp").Length() != 0 || p.byTestID("approvals").Length() != 0 {
		t.Error("an empty context, the default OWASP tag or a quorum of one is shown")
	}
	_, p = b.get("/requests/"+plain.ID, false)
	if p.byTestID("hidden-warning").Length() != 0 || p.byTestID("hidden-char").Length() != 0 {
		t.Error("a plain request is flagged")
	}
	_, p = b.get("/requests", false)
	for _, row := range p.byTestID("request-row").EachIter() {
		if flagged := row.Find(`[data-testid="row-hidden"]`).Length() == 1; flagged != (row.AttrOr("data-row-id", "") == r.ID) {
			t.Errorf("row %s flagged %v", row.AttrOr("data-row-id", ""), flagged)
		}
	}
	if _, err := e.gate.Decide(context.Background(), plain.ID, ag.Decide{Decision: ag.DecisionDenied, Reason: "fine\u2067", Actor: ag.Actor{Name: "bob"}}); err != nil {
		t.Fatal(err)
	}
	_, p = b.get("/audit", false)
	if got := text(p.must(t, "audit-row", -1).First().Find(".details-cell")); !strings.Contains(got, "fine⟨U+2067⟩") {
		t.Errorf("the audit log shows a reason as %q", got)
	}
}

// TestGroupApproversByPerson: with a rule naming a group, the group's people are offered
// the decision through their keys, everyone else reads who may decide, and one person's
// vote counts once whichever key it comes through.
func TestGroupApproversByPerson(t *testing.T) {
	e := newWebEnv(t, envOptions{})
	ctx := context.Background()
	person := func(name string, groups ...string) string {
		p, err := e.gate.CreatePerson(ctx, ag.SystemActor, ag.PersonInput{Name: &name, Groups: &groups})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	keyOf := func(name, personID string) string {
		_, secret, err := e.gate.CreateKey(ctx, ag.SystemActor, ag.KeyInput{Name: &name, Scopes: []ag.Scope{ag.ScopeRequestRead, ag.ScopeRequestDecide},
			PersonID: ag.NullString{Set: true, Value: personID}})
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	ana := person("Ana", "finance")
	person("Bo", "finance")
	e.policy("money", 10, `[{"match": {"action": "pay_invoice"}, "decision": "route_to_human", "requiredApprovals": 2, "approvers": ["group:finance"]}]`)
	r := e.submit("pay_invoice", ag.UrgencyHigh, nil)

	_, p := e.login(e.admin).get("/requests/"+r.ID, false)
	if p.byTestID("approve").Length() != 0 || text(p.must(t, "cannot-decide", 1)) != "Only the finance group may decide this request." {
		t.Errorf("an admin outside the group reads %q", text(p.byTestID("cannot-decide")))
	}
	if got := text(p.must(t, "approvals", 1)); got != "0 of 2 — waiting on the finance group" {
		t.Errorf("approvals %q", got)
	}
	laptop, phone := e.login(keyOf("ana-laptop", ana)), e.login(keyOf("ana-phone", ana))
	_, p = laptop.get("/requests", false)
	p.must(t, "needs-you", 1)
	if _, p = laptop.post("/requests/"+r.ID+"/decide", url.Values{"decision": {"approved"}}, true); p.byTestID("decide-error").Length() != 0 {
		t.Fatalf("Ana's approval: %s", text(p.byTestID("decide-error")))
	}
	_, p = phone.get("/requests/"+r.ID, false)
	if p.byTestID("approve").Length() != 0 || !strings.Contains(text(p.must(t, "cannot-decide", 1)), "already voted approved") {
		t.Error("Ana is offered a second vote through her other key")
	}
}
