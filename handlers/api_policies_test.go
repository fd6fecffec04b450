package handlers_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

func TestAPIPolicies(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		agent, _ := e.newKey("agent", nil, ag.ScopeRequestCreate)
		var l apiList
		e.must(http.StatusOK, http.MethodGet, "/api/policies", e.admin, nil, &l)
		if len(l.Policies) != 0 || l.Policies == nil || l.Pagination.Total != 0 {
			t.Fatalf("empty list = %+v", l)
		}
		var mail, freeze ag.Policy
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin, `{"name":"Mail","description":"Mail rules.","priority":10,"rules":[
			{"match":{"action":"send_email","params.to":{"$glob":"*@example.com"}},"decision":"auto_approve"},
			{"match":{"action":"send_email"},"decision":"route_to_human","requireReason":true}]}`, &mail)
		if mail.Name != "Mail" || !mail.Enabled || len(mail.Rules) != 2 || !mail.CreatedAt.Equal(apiT0) {
			t.Fatalf("created = %+v", mail)
		}
		e.clock.advance(time.Minute)
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin, `{"name":"Freeze","priority":5,"enabled":false,
			"rules":[{"match":{"action":"deploy"},"decision":"auto_deny"}]}`, &freeze)

		e.must(http.StatusOK, http.MethodGet, "/api/policies", e.admin, nil, &l)
		if len(l.Policies) != 2 || l.Policies[0].ID != freeze.ID || l.Policies[1].ID != mail.ID || l.Pagination.Total != 2 {
			t.Errorf("list by priority = %+v", l.Policies)
		}
		e.must(http.StatusOK, http.MethodGet, "/api/policies?limit=1&offset=1", e.admin, nil, &l)
		if len(l.Policies) != 1 || l.Policies[0].ID != mail.ID || l.Pagination.HasMore || l.Pagination.Total != 2 {
			t.Errorf("second page = %+v", l)
		}
		var got ag.Policy
		e.must(http.StatusOK, http.MethodGet, "/api/policies/"+mail.ID, e.admin, nil, &got)
		if got.ID != mail.ID || got.Description != "Mail rules." || !got.Rules[1].RequireReason {
			t.Errorf("get = %+v", got)
		}

		// Dry runs show the matched rule, treat a disabled policy as enabled, and write nothing.
		before := e.counts()
		type dryRun struct {
			Matched bool
			Outcome ag.Outcome
			Rule    *ag.Rule
		}
		var dr dryRun
		e.must(http.StatusOK, http.MethodPost, "/api/policies/"+mail.ID+"/dry-run", e.admin, `{"action":"send_email","params":{"to":"x@other.org"}}`, &dr)
		if !dr.Matched || dr.Outcome.RuleIndex == nil || *dr.Outcome.RuleIndex != 1 || dr.Outcome.PolicyID != mail.ID ||
			dr.Outcome.Decision != ag.RouteToHuman || dr.Rule == nil || !dr.Rule.RequireReason || string(dr.Rule.Match["action"]) != `"send_email"` {
			t.Errorf("dry run = %+v", dr)
		}
		dr = dryRun{}
		e.must(http.StatusOK, http.MethodPost, "/api/policies/"+freeze.ID+"/dry-run", e.admin, `{"action":"deploy"}`, &dr)
		if !dr.Matched || dr.Outcome.Decision != ag.AutoDeny || dr.Outcome.OWASP != ag.DefaultOWASP {
			t.Errorf("dry run of the disabled policy = %+v", dr)
		}
		dr = dryRun{}
		e.must(http.StatusOK, http.MethodPost, "/api/policies/"+mail.ID+"/dry-run", e.admin, `{"action":"other"}`, &dr)
		if dr.Matched || dr.Rule != nil || dr.Outcome.Decision != ag.RouteToHuman || dr.Outcome.RuleIndex != nil {
			t.Errorf("dry run without a match = %+v", dr)
		}
		if after := e.counts(); after != before {
			t.Errorf("dry runs wrote: %+v, then %+v", before, after)
		}

		// Changes are live for the next request.
		if r := e.submit(agent, `{"action":"send_email","params":{"to":"a@example.com"}}`); r.Status != ag.StatusApproved {
			t.Errorf("internal mail: %s", r.Status)
		}
		if r := e.submit(agent, `{"action":"deploy"}`); r.Status != ag.StatusPending {
			t.Errorf("deploy with the freeze off: %s", r.Status)
		}
		e.clock.advance(time.Minute)
		e.must(http.StatusOK, http.MethodPut, "/api/policies/"+freeze.ID, e.admin, `{"name":"Freeze","priority":5,"enabled":true,
			"rules":[{"match":{"action":"deploy"},"decision":"auto_deny"}]}`, &got)
		if !got.Enabled || !got.CreatedAt.Equal(freeze.CreatedAt) || !got.UpdatedAt.Equal(apiT0.Add(2*time.Minute)) {
			t.Errorf("updated = %+v", got)
		}
		if r := e.submit(agent, `{"action":"deploy"}`); r.Status != ag.StatusDenied || r.PolicyDecision.PolicyID != freeze.ID {
			t.Errorf("deploy with the freeze on: %s %+v", r.Status, r.PolicyDecision)
		}
		// DELETE answers as the original did: its clients show the body.
		var del map[string]any
		e.must(http.StatusOK, http.MethodDelete, "/api/policies/"+freeze.ID, e.admin, nil, &del)
		if !reflect.DeepEqual(del, map[string]any{"success": true, "id": freeze.ID}) {
			t.Errorf("DELETE = %v", del)
		}
		e.call(http.MethodGet, "/api/policies/"+freeze.ID, e.admin, nil).wantError(t, http.StatusNotFound, "not_found")
		if r := e.submit(agent, `{"action":"deploy"}`); r.Status != ag.StatusPending {
			t.Errorf("deploy after the freeze was deleted: %s", r.Status)
		}

		for typ, n := range map[string]int{ag.EventPolicyCreated: 2, ag.EventPolicyUpdated: 1, ag.EventPolicyDeleted: 1} {
			e.must(http.StatusOK, http.MethodGet, "/api/audit?eventType="+typ, e.admin, nil, &l)
			if len(l.Entries) != n {
				t.Fatalf("%s: %d events, want %d", typ, len(l.Entries), n)
			}
			var d map[string]any
			if ev := l.Entries[0]; ev.Actor != apiAdminName || json.Unmarshal(ev.Details, &d) != nil || d["policyId"] == nil {
				t.Errorf("%s event = %+v", typ, ev)
			}
		}
	})
}

func TestAPISimulate(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		agent, _ := e.newKey("agent", nil, ag.ScopeRequestCreate)
		var changed []string
		for _, body := range []string{`{"action":"send_email","params":{"to":"a@other.org"}}`, `{"action":"deploy"}`,
			`{"action":"send_email","params":{"to":"b@other.org"}}`, `{"action":"send_email"}`} {
			r := e.submit(agent, body)
			if r.Action == "send_email" {
				changed = append(changed, r.ID)
			}
			e.clock.advance(time.Minute)
		}
		draft := `{"name":"mail is fine","rules":[{"match":{"action":"send_email"},"decision":"auto_approve"}]}`
		before := e.counts()
		for _, window := range []string{``, `,"from":"2026-03-02T09:00:00Z","to":"2026-03-02T10:00:00Z"`} {
			var sim ag.Simulation
			e.must(http.StatusOK, http.MethodPost, "/api/policies/simulate", e.admin, `{"policy":`+draft+window+`}`, &sim)
			var ids []string
			for _, c := range sim.Changes {
				ids = append(ids, c.RequestID)
				if c.Before.Decision != ag.RouteToHuman || c.After.Decision != ag.AutoApprove || c.Action != "send_email" {
					t.Errorf("change = %+v", c)
				}
			}
			sort.Strings(ids)
			if sim.Total != 4 || sim.Evaluated != 4 || sim.Changed != 3 || !reflect.DeepEqual(ids, changed) ||
				!reflect.DeepEqual(sim.Before, map[string]int{ag.RouteToHuman: 4}) ||
				!reflect.DeepEqual(sim.After, map[string]int{ag.AutoApprove: 3, ag.RouteToHuman: 1}) {
				t.Errorf("simulation%s = %+v", window, sim)
			}
		}
		var sim ag.Simulation
		e.must(http.StatusOK, http.MethodPost, "/api/policies/simulate", e.admin, `{"policy":`+draft+`,"from":"2026-03-01T00:00:00Z","to":"2026-03-02T00:00:00Z"}`, &sim)
		if sim.Total != 0 || sim.Changed != 0 || sim.Changes == nil {
			t.Errorf("empty window = %+v", sim)
		}
		if after := e.counts(); after != before {
			t.Errorf("simulations wrote: %+v, then %+v", before, after)
		}
		if r := e.submit(agent, `{"action":"send_email"}`); r.Status != ag.StatusPending {
			t.Errorf("the draft went live: %s", r.Status)
		}
	})
}
