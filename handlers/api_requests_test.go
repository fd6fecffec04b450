package handlers_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	ag "github.com/agentgate/agentgate"
)

func TestAPIRequestLifecycle(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		agent, _ := e.newKey("billing-agent", nil, ag.ScopeRequestCreate, ag.ScopeRequestRead)
		alice, _ := e.newKey("alice", nil, ag.ScopeRequestRead, ag.ScopeRequestDecide)

		res := e.call(http.MethodPost, "/api/requests", agent,
			`{"action":"send_email","params":{"to":"ceo@example.com","n":1},"context":{"conversation":"c-1"},"urgency":"high"}`)
		res.want(t, http.StatusCreated)
		var raw map[string]any
		res.decode(t, &raw)
		for _, f := range []string{"id", "action", "params", "context", "urgency", "status", "createdBy", "createdAt",
			"updatedAt", "decidedAt", "expiresAt", "policyDecision", "requiredApprovals", "votes"} {
			if _, ok := raw[f]; !ok {
				t.Errorf("created request has no field %q: %s", f, res.body)
			}
		}
		for f := range raw {
			if strings.ContainsAny(f, "_-") {
				t.Errorf("field %q is not camelCase", f)
			}
		}
		want := map[string]any{
			"action": "send_email", "urgency": "high", "status": "pending", "createdBy": "billing-agent",
			"createdAt": "2026-03-02T09:30:15Z", "updatedAt": "2026-03-02T09:30:15Z", "decidedAt": nil,
			"expiresAt": "2026-03-02T10:30:15Z", "requiredApprovals": float64(1), "votes": []any{},
			"params": map[string]any{"to": "ceo@example.com", "n": float64(1)}, "context": map[string]any{"conversation": "c-1"},
			"policyDecision": map[string]any{"decision": "route_to_human", "ruleIndex": nil, "owasp": ag.DefaultOWASP},
		}
		for f, v := range want {
			if !reflect.DeepEqual(raw[f], v) {
				t.Errorf("%s = %#v, want %#v", f, raw[f], v)
			}
		}
		var r ag.Request
		res.decode(t, &r)
		if !strings.HasPrefix(r.ID, "req_") {
			t.Errorf("id %q", r.ID)
		}

		var got ag.Request
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+r.ID, agent, nil, &got)
		var params map[string]any
		if got.ID != r.ID || got.Status != ag.StatusPending || got.Action != "send_email" ||
			json.Unmarshal(got.Params, &params) != nil || !reflect.DeepEqual(params, want["params"]) {
			t.Errorf("get = %+v", got)
		}

		// The decider is the caller; a decidedBy in the body is never taken as the decider.
		decide := "/api/requests/" + r.ID + "/decide"
		e.clock.advance(time.Minute)
		var dec ag.Request
		e.must(http.StatusOK, http.MethodPost, decide, alice, `{"decision":"approved","reason":"looks fine","decidedBy":"mallory"}`, &dec)
		if dec.Status != ag.StatusApproved || dec.DecidedBy != "alice" || dec.DecisionReason != "looks fine" ||
			dec.DecidedAt == nil || !dec.DecidedAt.Equal(apiT0.Add(time.Minute)) || len(dec.Votes) != 1 || dec.Votes[0].Voter != "alice" {
			t.Errorf("decided = %+v", dec)
		}

		ae := e.call(http.MethodPost, decide, e.admin, `{"decision":"denied"}`).wantError(t, http.StatusConflict, "already_decided")
		if ae.Details["status"] != "approved" {
			t.Errorf("details %v", ae.Details)
		}
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+r.ID, agent, nil, &got)
		if got.Status != ag.StatusApproved || got.DecidedBy != "alice" {
			t.Errorf("after the refused second decision: %s by %s", got.Status, got.DecidedBy)
		}

		es := e.events(r.ID)
		if ts := eventTypes(es); !reflect.DeepEqual(ts, []string{ag.EventRequestCreated, ag.EventRequestApproved}) {
			t.Fatalf("audit = %v, want created then approved", ts)
		}
		if es[0].Actor != "billing-agent" || es[0].ActorType != ag.ActorAPIKey || es[1].Actor != "alice" || !es[0].CreatedAt.Before(es[1].CreatedAt) {
			t.Errorf("audit = %+v", es)
		}

		// A policy that decides answers at once, and the audit names the agent that asked.
		var pol ag.Policy
		e.must(http.StatusCreated, http.MethodPost, "/api/policies", e.admin, `{"name":"internal mail","rules":[
			{"match":{"action":"send_email","params.to":{"$glob":"*@example.com"}},"decision":"auto_approve"}]}`, &pol)
		auto := e.submit(agent, `{"action":"send_email","params":{"to":"team@example.com"}}`)
		if auto.Status != ag.StatusApproved || auto.DecidedBy != "policy" || auto.PolicyDecision.Decision != ag.AutoApprove ||
			auto.PolicyDecision.PolicyID != pol.ID || auto.PolicyDecision.RuleIndex == nil || *auto.PolicyDecision.RuleIndex != 0 {
			t.Errorf("auto-approved = %+v", auto)
		}
		es = e.events(auto.ID)
		var details map[string]any
		if len(es) != 1 || es[0].EventType != ag.EventRequestApproved || es[0].Actor != "policy" ||
			json.Unmarshal(es[0].Details, &details) != nil || details["requestedBy"] != "billing-agent" {
			t.Errorf("auto-approved audit = %+v", es)
		}
	})
}

func TestAPICancel(t *testing.T) {
	eachAPI(t, func(t *testing.T, e *apiEnv) {
		owner, _ := e.newKey("deploy-bot", nil, ag.ScopeRequestCreate, ag.ScopeRequestRead)
		other, _ := e.newKey("other-bot", nil, ag.ScopeRequestCreate, ag.ScopeRequestDecide)
		mine := e.submit(owner, `{"action":"deploy"}`)
		cancel := "/api/requests/" + mine.ID + "/cancel"

		e.call(http.MethodPost, cancel, other, nil).wantError(t, http.StatusForbidden, "not_request_owner")
		var c ag.Request
		e.must(http.StatusOK, http.MethodGet, "/api/requests/"+mine.ID, owner, nil, &c)
		if c.Status != ag.StatusPending {
			t.Fatalf("another key's cancel left %s", c.Status)
		}
		e.must(http.StatusOK, http.MethodPost, cancel, owner, nil, &c)
		if c.Status != ag.StatusCancelled || c.DecidedBy != "deploy-bot" {
			t.Errorf("cancelled by owner = %+v", c)
		}
		ae := e.call(http.MethodPost, cancel, owner, `{"reason":"again"}`).wantError(t, http.StatusConflict, "already_decided")
		if ae.Details["status"] != "cancelled" {
			t.Errorf("details %v", ae.Details)
		}

		theirs := e.submit(owner, `{"action":"deploy"}`)
		e.must(http.StatusOK, http.MethodPost, "/api/requests/"+theirs.ID+"/cancel", e.admin, `{"reason":"change freeze"}`, &c)
		if c.Status != ag.StatusCancelled || c.DecidedBy != apiAdminName || c.DecisionReason != "change freeze" {
			t.Errorf("cancelled by admin = %+v", c)
		}
		es := e.events(theirs.ID)
		if ts := eventTypes(es); !reflect.DeepEqual(ts, []string{ag.EventRequestCreated, ag.EventRequestCancelled}) || es[1].Actor != apiAdminName {
			t.Errorf("audit = %+v", es)
		}
	})
}
